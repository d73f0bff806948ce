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
        page = cursor_page_label(page, pages, has_prev, has_next)
    by_cursor = after is not None or before is not None
    return Page(items, page, per_page, total, has_prev, has_next, by_cursor)


def cursor_page_label(page, pages, has_prev, has_next):
    """The number to show for a page found by a cursor.

    Counting the rows before a cursor would read them all, so the number in
    the link is kept, as a label, but never contradicts the rows: a page with
    nothing before it is 1, one with nothing after it is the last, and any
    other lies between. Tickets that arrive while someone pages can make it
    off by a page; the links themselves stay exact.
    """
    if not has_prev:
        return 1
    if not has_next:
        return max(pages, 2)
    return min(max(page, 2), max(pages - 1, 2))


def requested_page():
    """Which page of a list a page request asks for: its number, and the
    cursor of the link that led there. Malformed values are ignored."""
    return {
        "page": request.args.get("page", 1, type=id_arg),
        "per_page": current_app.config["PER_PAGE"],
        "after": request.args.get("after", type=id_arg),
        "before": request.args.get("before", type=id_arg),
    }


def page_url(page, number, args, step=False):
    """The address of page ``number`` of the list being shown, keeping ``args``;
    ``step`` for the previous or next page."""
    return url_for(
        request.endpoint, **request.view_args, **args, **page.link(number, step)
    )


class Page:
    """One page of a list: its items, where it sits, and links to its neighbours."""

    def __init__(
        self, items, page, per_page, total, has_prev, has_next, by_cursor=False
    ):
        self.items = items
        self.page = page
        self.per_page = per_page
        self.total = total
        self.has_prev = has_prev
        self.has_next = has_next
        self.by_cursor = by_cursor
        self.pages = max(-(-total // per_page), 1)

    @property
    def past_end(self):
        """A page number beyond the last page: nothing to show, but a list."""
        return not self.items and self.total > 0

    def numbers(self):
        """The page numbers to link: the first, the neighbours and the last."""
        shown = {self.page}
        if self.has_prev:
            shown |= {1, max(self.page - 1, 1)}
        if self.has_next:
            shown |= {self.page + 1, max(self.pages, self.page + 1)}
        return sorted(shown)

    def link(self, number, step=False):
        """Query arguments for page ``number``. The first and the last page
        are cheap to read from either end; a step to a neighbour (``step``)
        carries the id where it starts, so it is cheap anywhere."""
        if step and self.items and number > self.page:
            return {"page": number, "after": self.items[-1].id}
        if step and self.items and number < self.page:
            return {"page": number, "before": self.items[0].id}
        return {"page": number}
