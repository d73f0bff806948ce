"""Running ticket counts, kept in step with the tickets in the same transaction.

Counting tickets on every page view reads every ticket; a million tickets make
the dashboard and the lists slow. Instead each ticket is counted in a few
named tallies, by status, under its holder, under its requester, and under
the day it was raised::

    tickets:open   holder:5:open   holder:none:open   raiser:7:open
    created:2026-12-04

Every flush notes how the tickets it wrote moved between tallies; just before
the transaction commits, the net changes are written in one statement. A
rollback forgets them. Tickets changed with bulk SQL, bypassing the session,
are not seen; ``flask recount`` rebuilds every tally from the tickets.
"""

import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, event, func, insert, inspect, select
from sqlalchemy.dialects import mysql, postgresql, sqlite

from app.extensions import db
from app.models import Tally, Ticket, TicketStatus

logger = logging.getLogger(__name__)

PENDING = "tally_changes"
STARTING_POINT = "tally_starting_point"
UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


# --- Names --------------------------------------------------------------------


def names_of(status, holder_id, raiser_id, created_at):
    """The tallies one ticket counts in."""
    holder = "none" if holder_id is None else holder_id
    return (
        f"tickets:{status}",
        f"holder:{holder}:{status}",
        f"raiser:{raiser_id}:{status}",
        f"created:{created_at.date()}",
    )


def statuses(status):
    """``status`` as a tuple: every status when None, one, or a collection."""
    if status is None:
        return TicketStatus.ALL
    return (status,) if isinstance(status, str) else tuple(status)


# --- Reading ------------------------------------------------------------------


def values(names):
    """``{name: value}`` for ``names``, zero for a tally never written."""
    names = list(dict.fromkeys(names))
    found = dict(
        db.session.execute(
            select(Tally.name, Tally.value).where(Tally.name.in_(names))
        ).all()
    )
    return {name: found.get(name, 0) for name in names}


def ticket_count(*, assigned_to=None, unassigned=False, raised_by=None, status=None):
    """How many tickets match, from the tallies; None when the tallies cannot
    tell (a holder and a requester together)."""
    holder = "none" if unassigned else assigned_to
    if holder is not None and raised_by is not None:
        return None
    if holder is not None:
        prefix = f"holder:{holder}"
    elif raised_by is not None:
        prefix = f"raiser:{raised_by}"
    else:
        prefix = "tickets"
    return sum(values(f"{prefix}:{each}" for each in statuses(status)).values())


def holder_counts(user_ids):
    """``{user_id: (assigned, open work)}``, open work being open or in progress."""
    found = values(
        f"holder:{user_id}:{status}"
        for user_id in user_ids
        for status in TicketStatus.ALL
    )
    return {
        user_id: (
            sum(found[f"holder:{user_id}:{status}"] for status in TicketStatus.ALL),
            sum(
                found[f"holder:{user_id}:{status}"]
                for status in TicketStatus.UNFINISHED
            ),
        )
        for user_id in user_ids
    }


def created_per_day(first, days):
    """``{date: tickets raised that day}`` for ``days`` days from ``first``."""
    dates = [first + timedelta(days=n) for n in range(days)]
    found = values(f"created:{date}" for date in dates)
    return {date: found[f"created:{date}"] for date in dates}


# --- Keeping them in step ------------------------------------------------------


def track(session):
    """Keep the tallies in step with every ticket ``session`` writes."""
    if event.contains(session, "after_flush", note_changes):
        return
    event.listen(session, "before_flush", note_starting_point)
    event.listen(session, "after_flush", note_changes)
    event.listen(session, "before_commit", write_changes)
    event.listen(session, "after_transaction_end", forget_changes)


COUNTED = ("status", "assigned_to_id", "raised_by_id", "created_at")


def note_starting_point(session, flush_context, instances):
    """Before a flush: what the tickets about to change look like in the database.

    Read now because the flush itself overwrites the member ids when a
    relationship was changed, without keeping the old value.
    """
    session.info[STARTING_POINT] = {
        ticket: as_stored(ticket)
        for ticket in (*session.dirty, *session.deleted)
        if isinstance(ticket, Ticket)
    }


def as_stored(ticket):
    state = inspect(ticket)
    return tuple(
        state.committed_state.get(field, state.dict.get(field)) for field in COUNTED
    )


def note_changes(session, flush_context):
    """After a flush: how its tickets moved between tallies, kept until commit."""
    changes = session.info.setdefault(PENDING, Counter())
    starting_point = session.info.pop(STARTING_POINT, {})
    for ticket in session.new:
        if isinstance(ticket, Ticket):
            changes.update(names_of(*as_flushed(ticket)))
    for ticket in session.dirty:
        before = starting_point.get(ticket)
        if before is not None and before != as_flushed(ticket):
            changes.update(names_of(*as_flushed(ticket)))
            changes.subtract(names_of(*before))
    for ticket in session.deleted:
        if ticket in starting_point:
            changes.subtract(names_of(*starting_point[ticket]))


def as_flushed(ticket):
    return tuple(getattr(ticket, field) for field in COUNTED)


def write_changes(session):
    """Before commit: add the transaction's net changes to the tallies."""
    session.flush()
    changes = session.info.pop(PENDING, None)
    rows = [
        {"name": name, "value": change}
        for name, change in sorted((changes or {}).items())
        if change
    ]
    if rows:
        session.connection().execute(add_to_tallies(session.get_bind(), rows))


def forget_changes(session, transaction):
    """Changes that were never committed are not counted."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def add_to_tallies(engine, rows):
    """One statement adding each row's value to its tally, creating it if new."""
    table = Tally.__table__
    if engine.dialect.name == "mysql":
        statement = mysql.insert(table).values(rows)
        return statement.on_duplicate_key_update(
            value=table.c.value + statement.inserted.value
        )
    statement = UPSERTS[engine.dialect.name](table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"value": table.c.value + statement.excluded.value},
    )


# --- Rebuilding ---------------------------------------------------------------


def recount(connection):
    """Rebuild every tally from the tickets.

    Returns how many tallies there are and how many were wrong (counted
    differently, or missing, or left over).
    """
    before = {
        name: value
        for name, value in connection.execute(select(Tally.name, Tally.value))
        if value
    }
    counted = Counter()
    for holder, status, count in connection.execute(
        select(Ticket.assigned_to_id, Ticket.status, func.count()).group_by(
            Ticket.assigned_to_id, Ticket.status
        )
    ):
        counted[f"tickets:{status}"] += count
        counted[f"holder:{'none' if holder is None else holder}:{status}"] += count
    for raiser, status, count in connection.execute(
        select(Ticket.raised_by_id, Ticket.status, func.count()).group_by(
            Ticket.raised_by_id, Ticket.status
        )
    ):
        counted[f"raiser:{raiser}:{status}"] += count
    day = func.date(Ticket.created_at)
    for date, count in connection.execute(select(day, func.count()).group_by(day)):
        counted[f"created:{date}"] += count

    connection.execute(delete(Tally))
    rows = [{"name": name, "value": value} for name, value in counted.items()]
    if rows:
        connection.execute(insert(Tally), rows)
    wrong = sum(
        1
        for name in before.keys() | counted.keys()
        if before.get(name) != counted[name]
    )
    logger.info("recounted %d tallies, %d of them were wrong", len(rows), wrong)
    return len(rows), wrong
