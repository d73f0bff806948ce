"""Raising tickets: validate, pick the assignee and save, in one transaction."""

import logging

from app.database import write_transaction
from app.exceptions import InvalidValue, NotFound
from app.extensions import db
from app.models import Ticket, User
from app.rotation import RoundRobinAssigner
from app.validation import clean_description

logger = logging.getLogger(__name__)


def get_ticket(ticket_id):
    """The ticket with ``ticket_id``, or :class:`NotFound`."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"No ticket has id {ticket_id}.")
    return ticket


def submit_ticket(description, raised_by_id):
    """Save a new ticket and assign it through the rotation.

    The cursor moves only if the ticket is saved: a refused or failed
    submission leaves the rotation exactly where it was.
    """
    description = clean_description(description)

    def work():
        requester = db.session.get(User, raised_by_id)
        if requester is None:
            raise InvalidValue(
                f"No team member has id {raised_by_id}.", field="raised_by"
            )
        if not requester.active:
            raise InvalidValue(
                f"{requester.name} is no longer active and cannot raise tickets.",
                field="raised_by",
            )

        ticket = Ticket(description=description, raised_by=requester)
        db.session.add(ticket)
        assignment = RoundRobinAssigner().assign(ticket)
        db.session.flush()

        if assignment.assignee is None:
            logger.info(
                "ticket %s raised by user %s left unassigned: nobody eligible",
                ticket.id,
                requester.id,
            )
        else:
            logger.info(
                "ticket %s raised by user %s assigned to user %s "
                "(rotation, cursor %s -> %s%s)",
                ticket.id,
                requester.id,
                assignment.assignee.id,
                assignment.cursor_before,
                assignment.cursor_after,
                ", requester passed over" if assignment.passed_over else "",
            )
        return ticket

    return write_transaction(work, description="ticket submission")
