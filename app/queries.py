"""Read-only queries shared by the pages and the API."""

from flask import current_app, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import tallies
from app.converters import id_arg
from app.extensions import db
from app.models import Ticket, User

MAX_SEARCH_WORDS = 5
# A slash rather than a backslash: every engine reads it the same way.
LIKE_ESCAPE = "/"
# The query arguments that say which page of a list to show.
PAGE_ARGS = ("page", "after", "before")
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


def ticket_page(filters, *, page, per_page, after=None, before=None):
    """A page of ``tickets_query(**filters)``; see :func:`page_of`."""
    query = tickets_query(**filters)
    total = tallies.ticket_count(
        assigned_to=filters.get("assigned_to"),
        unassigned=filters.get("unassigned", False),
        raised_by=filters.get("raised_by"),
        status=filters.get("status"),
    )
    if total is None or filters.get("search"):
        # Searches and holder-with-requester lists are not tallied: count them.
        total = db.session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
    newest_first = filters.get("sort", "newest") != "oldest"
    return page_of(query, Ticket.id, newest_first, page, per_page, total, after, before)


def member_page(*, page, per_page, after=None, before=None):
    """A page of the team in rotation order; see :func:`page_of`."""
    total = db.session.scalar(select(func.count()).select_from(User))
    return page_of(
        members_query(), User.id, False, page, per_page, total, after, before
    )


def page_of(query, key, newest_first, page, per_page, total, after=None, before=None):
    """Page ``page`` of ``query``, ordered by ``key``, of ``total`` rows in all.

    Pages reached by the links a page offers cost the same anywhere in a
    long list: the next page starts after the last key shown (``after``),
    the previous one ends before the first (``before``), and the last page
    is read from the other end. Only a page number typed by hand in the
    middle of a long list skips rows one by one.
    """
    forward = key.desc() if newest_first else key.asc()
    backward = key.asc() if newest_first else key.desc()
    pages = -(-total // per_page)
    query = query.order_by(None)
    if page > max(pages, 1):
        rows, reverse = None, False
    elif after is not None:
        beyond = key < after if newest_first else key > after
        rows, reverse = query.where(beyond).order_by(forward).limit(per_page), False
    elif before is not None:
        ahead = key > before if newest_first else key < before
        rows, reverse = query.where(ahead).order_by(backward).limit(per_page), True
    elif page == pages and page > 1:
        remainder = total - (pages - 1) * per_page
        rows, reverse = query.order_by(backward).limit(remainder), True
    else:
        rows = query.order_by(forward).limit(per_page).offset((page - 1) * per_page)
        reverse = False
    items = list(db.session.scalars(rows).unique()) if rows is not None else []
    if reverse:
        items.reverse()
    return Page(items, page, per_page, total)


def requested_page():
    """Which page of a list a page request asks for: its number, and the
    cursor of the link that led there. Malformed values are ignored."""
    return {
        "page": request.args.get("page", 1, type=id_arg),
        "per_page": current_app.config["PER_PAGE"],
        "after": request.args.get("after", type=id_arg),
        "before": request.args.get("before", type=id_arg),
    }


def page_url(page, number, args):
    """The address of page ``number`` of the list being shown, keeping ``args``."""
    return url_for(request.endpoint, **request.view_args, **args, **page.link(number))


class Page:
    """One page of a list: its items, where it sits, and links to its neighbours."""

    def __init__(self, items, page, per_page, total):
        self.items = items
        self.page = page
        self.per_page = per_page
        self.total = total
        self.pages = -(-total // per_page)

    @property
    def has_prev(self):
        return 1 < self.page <= self.pages + 1

    @property
    def has_next(self):
        return self.page < self.pages

    def link(self, number):
        """Query arguments for page ``number``, with the cursor that makes a
        neighbouring page cheap to read."""
        if self.items and number == self.page + 1:
            return {"page": number, "after": self.items[-1].id}
        if self.items and number == self.page - 1:
            return {"page": number, "before": self.items[0].id}
        return {"page": number}
