"""Raising tickets: validate, pick the assignee and save, in one transaction."""

import hashlib
import json
import logging
from dataclasses import dataclass

from sqlalchemy import select

from app.database import write_transaction
from app.dispatch import Method, Trigger, assign_by_hand, through_rotation
from app.exceptions import Conflict, InvalidValue, NotFound
from app.extensions import db
from app.models import AssignmentEvent, IdempotencyKey, Ticket, TicketStatus, User
from app.rotation import RoundRobinAssigner
from app.validation import clean_description, clean_reason

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_MAX = 255


class KeyReused(InvalidValue):
    """An idempotency key arrived again with a different request."""

    def __init__(self, ticket_id):
        super().__init__(
            f"This key was already used for ticket #{ticket_id} with a different "
            "request. Use a new key for a new ticket.",
            field="Idempotency-Key",
        )
        self.ticket_id = ticket_id


@dataclass
class Submission:
    """A saved ticket; ``replayed`` when an earlier request with the key made it."""

    ticket: Ticket
    replayed: bool = False


def get_ticket(ticket_id):
    """The ticket with ``ticket_id``, or :class:`NotFound`."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"No ticket has id {ticket_id}.")
    return ticket


def check_idempotency_key(key):
    """The key if it is usable, else :class:`InvalidValue`."""
    if key is None:
        return None
    if not 0 < len(key) <= IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise InvalidValue(
            "Idempotency-Key must be 1 to 255 printable characters.",
            field="Idempotency-Key",
        )
    if not key.isascii():
        raise InvalidValue("Idempotency-Key must be ASCII.", field="Idempotency-Key")
    return key


def submit_ticket(description, raised_by_id, idempotency_key=None, key_scope=""):
    """Save a new ticket and assign it through the rotation.

    The cursor moves only if the ticket is saved: a refused or failed
    submission leaves the rotation exactly where it was. With an
    ``idempotency_key`` seen before for the same request, nothing new is
    saved and the earlier ticket comes back as a replay. Keys are kept per
    ``key_scope`` (one per member), so two clients that pick the same key
    never meet.
    """
    description = clean_description(description)
    key = check_idempotency_key(idempotency_key)
    if key is not None:
        key = hashlib.sha256(f"{key_scope}\n{key}".encode()).hexdigest()
    fingerprint = hashlib.sha256(
        json.dumps([description, raised_by_id]).encode()
    ).hexdigest()

    def work():
        assigner = RoundRobinAssigner()
        # Locking first serialises the key check too: of two racing repeats,
        # the second sees the first one's key and replays its ticket.
        assigner.lock()
        if key is not None:
            earlier = db.session.scalar(
                select(IdempotencyKey).where(IdempotencyKey.key == key)
            )
            if earlier is not None:
                if earlier.fingerprint != fingerprint:
                    raise KeyReused(earlier.ticket_id)
                logger.info("ticket %s replayed for a repeated key", earlier.ticket_id)
                return Submission(earlier.ticket, replayed=True)

        ticket = Ticket(
            description=description, raised_by=active_requester(raised_by_id)
        )
        db.session.add(ticket)
        # The ticket is inserted once, with its assignee, rather than
        # inserted and then updated.
        with db.session.no_autoflush:
            through_rotation(ticket, assigner, Trigger.SUBMITTED)
        if key is not None:
            db.session.add(
                IdempotencyKey(key=key, fingerprint=fingerprint, ticket=ticket)
            )
        return Submission(ticket)

    return write_transaction(work, description="ticket submission")


def active_requester(raised_by_id):
    """The member raising a ticket, who must exist and be active."""
    requester = db.session.get(User, raised_by_id)
    if requester is None:
        raise InvalidValue(f"No team member has id {raised_by_id}.", field="raised_by")
    if not requester.active:
        raise InvalidValue(
            f"{requester.name} is no longer active and cannot raise tickets.",
            field="raised_by",
        )
    return requester


def change_status(ticket_id, status):
    """Move a ticket to ``status`` if its current status allows it.

    Reopening a resolved or closed ticket gives it back to its assignee when
    they are still eligible, and to the rotation otherwise.
    """
    if status not in TicketStatus.ALL:
        raise InvalidValue(
            f"Status must be one of: {', '.join(TicketStatus.ALL)}.", field="status"
        )

    def work():
        assigner = RoundRobinAssigner()
        assigner.lock()
        ticket = get_ticket(ticket_id)
        allowed = TicketStatus.NEXT[ticket.status]
        if status not in allowed:
            raise Conflict(
                f"Ticket #{ticket.id} is {ticket.status}; it can move to "
                f"{', '.join(allowed)}, not {status}.",
                field="status",
            )
        reopening = ticket.status not in TicketStatus.UNFINISHED
        logger.info("ticket %s: %s -> %s", ticket.id, ticket.status, status)
        ticket.status = status
        if reopening:
            reopen(ticket, assigner)
        return ticket

    return write_transaction(work, description="status change")


def reopen(ticket, assigner):
    holder = ticket.assigned_to
    if holder is not None and holder.eligible:
        assign_by_hand(ticket, holder, Trigger.REOPENED, Method.RETURNED)
    else:
        through_rotation(ticket, assigner, Trigger.REOPENED)


def reassign_ticket(ticket_id, member_id, reason):
    """Hand a ticket to a chosen member by hand; the rotation does not move."""
    reason = clean_reason(reason)

    def work():
        RoundRobinAssigner().lock()
        ticket = get_ticket(ticket_id)
        if ticket.status not in TicketStatus.UNFINISHED:
            raise Conflict(
                f"Ticket #{ticket.id} is {ticket.status}; reopen it before "
                "reassigning it.",
                field="status",
            )
        member = db.session.get(User, member_id)
        if member is None or not member.active:
            problem = "does not exist" if member is None else "is inactive"
            raise InvalidValue(
                f"Team member {member_id} {problem}; tickets go to active members.",
                field="assigned_to",
            )
        if member.id == ticket.raised_by_id:
            raise InvalidValue(
                f"{member.name} raised this ticket and cannot be assigned it.",
                field="assigned_to",
            )
        if member.id == ticket.assigned_to_id:
            raise Conflict(
                f"Ticket #{ticket.id} is already assigned to {member.name}.",
                field="assigned_to",
            )
        assign_by_hand(ticket, member, Trigger.REASSIGNED, Method.MANUAL, reason)
        return ticket

    return write_transaction(work, description="reassignment")


def ticket_history(ticket_id):
    """The ticket's assignment events, oldest first."""
    get_ticket(ticket_id)
    query = (
        select(AssignmentEvent)
        .where(AssignmentEvent.ticket_id == ticket_id)
        .order_by(AssignmentEvent.id)
    )
    return list(db.session.scalars(query))
