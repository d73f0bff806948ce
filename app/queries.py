"""Read-only queries shared by the pages and the API."""

from flask import current_app, request, url_for
from sqlalchemy import func, literal, select
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
    middle of a long list skips rows one by one. Whether there is a page
    before or after is read from the rows themselves, so links stay right
    while tickets arrive; the page number is then only a label.
    """
    forward = key.desc() if newest_first else key.asc()
    backward = key.asc() if newest_first else key.desc()
    pages = -(-total // per_page)
    query = query.order_by(None)

    def later_than(cursor):
        return key < cursor if newest_first else key > cursor

    def earlier_than(cursor):
        return key > cursor if newest_first else key < cursor

    def rows(select_rows, limit):
        return list(db.session.scalars(select_rows.limit(limit)).unique())

    def any_row(where):
        one = query.where(where).limit(1).subquery()
        return db.session.scalar(select(literal(True)).select_from(one)) is not None

    if after is not None:
        items = rows(query.where(later_than(after)).order_by(forward), per_page + 1)
        has_next, items = len(items) > per_page, items[:per_page]
        has_prev = any_row(~later_than(after))
    elif before is not None:
        items = rows(query.where(earlier_than(before)).order_by(backward), per_page + 1)
        has_prev, items = len(items) > per_page, items[:per_page][::-1]
        has_next = any_row(~earlier_than(before))
    elif page > max(pages, 1):
        items, has_prev, has_next = [], False, False
    elif page == pages and page > 1:
        remainder = total - (pages - 1) * per_page
        items = rows(query.order_by(backward), remainder)[::-1]
        has_prev, has_next = True, False
    else:
        offset = query.order_by(forward).offset((page - 1) * per_page)
        items = rows(offset, per_page + 1)
        has_next, items = len(items) > per_page, items[:per_page]
        has_prev = page > 1
    if after is not None or before is not None:
        # A cursor says where the page is; keep the number in step with it.
        page = 1 if not has_prev else max(page, 2)
    return Page(items, page, per_page, total, has_prev, has_next)


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

    def __init__(self, items, page, per_page, total, has_prev, has_next):
        self.items = items
        self.page = page
        self.per_page = per_page
        self.total = total
        self.has_prev = has_prev
        self.has_next = has_next
        # The count can lag rows that arrived since; the rows have the last word.
        shown_up_to = page + 1 if has_next else page if items else 0
        self.pages = max(-(-total // per_page), shown_up_to)

    @property
    def past_end(self):
        """A page number beyond the last page: nothing to show, but a list."""
        return not self.items and self.total > 0

    def numbers(self):
        """The page numbers to link: the first, the neighbours and the last."""
        shown = {self.page}
        if self.has_prev:
            shown |= {1, self.page - 1}
        if self.has_next:
            shown |= {self.page + 1, self.pages}
        return sorted(shown)

    def link(self, number):
        """Query arguments for page ``number``, with the cursor that makes a
        neighbouring page cheap to read."""
        if self.items and number == self.page + 1:
            return {"page": number, "after": self.items[-1].id}
        if self.items and number == self.page - 1:
            return {"page": number, "before": self.items[0].id}
        return {"page": number}
