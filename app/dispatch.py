"""Moving tickets between members, and the history that explains every move.

Each function here runs inside a caller's write transaction, after the
caller has locked the rotation, and records one :class:`AssignmentEvent` per
change of assignee.
"""

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import AssignmentEvent, Ticket, TicketStatus, utcnow

logger = logging.getLogger(__name__)


class Trigger:
    SUBMITTED = "submitted"
    DRAINED = "drained"
    DEACTIVATED = "deactivated"
    REOPENED = "reopened"
    REASSIGNED = "reassigned"


class Method:
    ROTATION = "rotation"
    MANUAL = "manual"
    RETURNED = "returned"
    NONE = "none"


def through_rotation(ticket, assigner, trigger):
    """Give ``ticket`` to the rotation's next member (or to nobody) and record it.

    Returns the :class:`~app.rotation.Assignment`. A ticket that had an
    assignee and finds nobody eligible becomes unassigned.
    """
    previous = ticket.assigned_to
    assignment = assigner.assign(ticket)
    if assignment.assignee is None:
        ticket.assigned_to = None
        ticket.assigned_at = None
    record_turn(ticket, trigger, previous, assignment)
    return assignment


def record_turn(ticket, trigger, previous, assignment):
    """Record one decision of the rotation, found or not."""
    db.session.flush()
    record(
        ticket,
        trigger,
        Method.ROTATION if assignment.assignee else Method.NONE,
        previous,
        assignment.assignee,
        assignment=assignment,
    )


def assign_by_hand(ticket, member, trigger, method, reason=None):
    """Give ``ticket`` to ``member`` without touching the rotation, and record it."""
    previous = ticket.assigned_to
    ticket.assigned_to = member
    ticket.assigned_at = utcnow()
    db.session.flush()
    record(ticket, trigger, method, previous, member, reason=reason)


def drain_queue(assigner):
    """Assign waiting tickets through the rotation, oldest first.

    Runs whenever someone may have become eligible. A ticket that still finds
    nobody (its requester may be the only one available) keeps waiting, and
    nothing is recorded for it.
    """
    waiting = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.assigned_to_id.is_(None),
            Ticket.status.in_(TicketStatus.UNFINISHED),
        )
        .order_by(Ticket.id)
    )
    drained = 0
    for ticket in list(waiting):
        # Finding nobody moves nothing, so the ticket simply keeps waiting.
        assignment = assigner.assign(ticket)
        if assignment.assignee is None:
            continue
        record_turn(ticket, Trigger.DRAINED, None, assignment)
        drained += 1
    if drained:
        logger.info("drained %d ticket(s) from the unassigned queue", drained)
    return drained


def hand_over(member, assigner):
    """Pass a departing member's unfinished tickets to the rotation, oldest first."""
    tickets = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.assigned_to_id == member.id,
            Ticket.status.in_(TicketStatus.UNFINISHED),
        )
        .order_by(Ticket.id)
    )
    handed = list(tickets)
    for ticket in handed:
        through_rotation(ticket, assigner, Trigger.DEACTIVATED)
    if handed:
        logger.info("handed over %d ticket(s) of user %s", len(handed), member.id)
    return len(handed)


def record(ticket, trigger, method, previous, member, assignment=None, reason=None):
    """Write the history row for one move, and log it for the operator."""
    event = AssignmentEvent(
        ticket_id=ticket.id,
        trigger=trigger,
        method=method,
        from_user_id=previous.id if previous else None,
        to_user_id=member.id if member else None,
        requester_id=ticket.raised_by_id,
        reason=reason,
    )
    if assignment is not None:
        event.cursor_before = assignment.cursor_before
        event.cursor_after = assignment.cursor_after
        event.passed_over = assignment.passed_over
    db.session.add(event)
    logger.info(
        "ticket %s %s: %s -> %s by %s%s%s",
        ticket.id,
        trigger,
        previous.id if previous else None,
        member.id if member else None,
        method,
        f" (cursor {event.cursor_before} -> {event.cursor_after})"
        if assignment
        else "",
        f", passed over {event.passed_over}" if event.passed_over else "",
    )
    return event
