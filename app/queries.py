"""Read-only queries shared by the pages and the API."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Ticket, User

MAX_SEARCH_WORDS = 5
# A slash rather than a backslash: every engine reads it the same way.
LIKE_ESCAPE = "/"
SORTS = {"newest": Ticket.id.desc(), "oldest": Ticket.id.asc()}


def tickets_query(
    *,
    assigned_to=None,
    unassigned=False,
    raised_by=None,
    status=None,
    search=None,
    sort="newest",
):
    """Tickets, newest (or oldest) first, with both members loaded, filtered.

    ``status`` is one status or a collection of them; ``search`` matches
    words anywhere in the description, ignoring case.
    """
    query = select(Ticket).options(
        joinedload(Ticket.raised_by), joinedload(Ticket.assigned_to)
    )
    if unassigned:
        query = query.where(Ticket.assigned_to_id.is_(None))
    elif assigned_to is not None:
        query = query.where(Ticket.assigned_to_id == assigned_to)
    if raised_by is not None:
        query = query.where(Ticket.raised_by_id == raised_by)
    if isinstance(status, str):
        query = query.where(Ticket.status == status)
    elif status:
        query = query.where(Ticket.status.in_(status))
    for word in (search or "").split()[:MAX_SEARCH_WORDS]:
        pattern = f"%{escape_like(word)}%"
        query = query.where(Ticket.description.ilike(pattern, escape=LIKE_ESCAPE))
    return query.order_by(SORTS.get(sort, SORTS["newest"]))


def escape_like(text):
    """Make ``%`` and ``_`` in a search word match themselves."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return text


def members_query(*, active=None):
    """Members in rotation (id) order."""
    query = select(User).order_by(User.id)
    if active is not None:
        query = query.where(User.active.is_(active))
    return query


def paginate(query, page, per_page):
    """A page of ``query``; past the last page it is simply empty."""
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
