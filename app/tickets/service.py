"""Raising tickets: validate, pick the assignee and save, in one transaction."""

import hashlib
import json
import logging
from dataclasses import dataclass

from sqlalchemy import select

from app.database import write_transaction
from app.exceptions import InvalidValue, NotFound
from app.extensions import db
from app.models import IdempotencyKey, Ticket, User
from app.rotation import RoundRobinAssigner
from app.validation import clean_description

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


def submit_ticket(description, raised_by_id, idempotency_key=None):
    """Save a new ticket and assign it through the rotation.

    The cursor moves only if the ticket is saved: a refused or failed
    submission leaves the rotation exactly where it was. With an
    ``idempotency_key`` seen before for the same request, nothing new is
    saved and the earlier ticket comes back as a replay.
    """
    description = clean_description(description)
    key = check_idempotency_key(idempotency_key)
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
        assignment = assigner.assign(ticket)
        if key is not None:
            db.session.add(
                IdempotencyKey(key=key, fingerprint=fingerprint, ticket=ticket)
            )
        db.session.flush()
        log_assignment(ticket, assignment)
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


def log_assignment(ticket, assignment):
    if assignment.assignee is None:
        logger.info(
            "ticket %s raised by user %s left unassigned: nobody eligible",
            ticket.id,
            ticket.raised_by_id,
        )
        return
    logger.info(
        "ticket %s raised by user %s assigned to user %s (rotation, cursor %s -> %s%s)",
        ticket.id,
        ticket.raised_by_id,
        assignment.assignee.id,
        assignment.cursor_before,
        assignment.cursor_after,
        ", requester passed over" if assignment.passed_over else "",
    )
