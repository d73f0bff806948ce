"""Adding, changing and removing team members."""

import logging

from sqlalchemy import case, exists, func, or_, select

from app.database import write_transaction
from app.exceptions import Conflict, NotFound
from app.extensions import db
from app.models import Ticket, TicketStatus, User
from app.validation import clean_contact, clean_name

logger = logging.getLogger(__name__)


def get_user(user_id):
    """The member with ``user_id``, or :class:`NotFound`."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No team member has id {user_id}.")
    return user


def create_user(name, contact=None):
    """Add a member; they join the rotation at the end of the current cycle."""
    name, contact = clean_name(name), clean_contact(contact)

    def work():
        user = User(name=name, contact=contact)
        db.session.add(user)
        db.session.flush()
        logger.info("user %s added (%s)", user.id, user.name)
        return user

    return write_transaction(work, description="add member")


def update_user(user_id, *, name=None, contact=..., active=None):
    """Change a member's name, contact or active flag; omitted ones stay."""
    if name is not None:
        name = clean_name(name)
    if contact is not ...:
        contact = clean_contact(contact)

    def work():
        user = get_user(user_id)
        if name is not None:
            user.name = name
        if contact is not ...:
            user.contact = contact
        if active is not None and active != user.active:
            user.active = active
            logger.info(
                "user %s %s", user.id, "reactivated" if active else "deactivated"
            )
        return user

    return write_transaction(work, description="update member")


def delete_user(user_id):
    """Delete a member who has no tickets; members with tickets can only leave."""

    def work():
        user = get_user(user_id)
        if has_tickets(user.id):
            raise Conflict(
                f"{user.name} has tickets and cannot be deleted; deactivate them "
                "instead so their history stays."
            )
        db.session.delete(user)
        logger.info("user %s deleted", user_id)

    write_transaction(work, description="delete member")


def has_tickets(user_id):
    """Whether the member raised or was assigned any ticket."""
    query = select(
        exists().where(
            or_(Ticket.raised_by_id == user_id, Ticket.assigned_to_id == user_id)
        )
    )
    return db.session.scalar(query)


def ticket_counts(user_ids):
    """``{user_id: (assigned, open)}`` for the given members, in one query."""
    if not user_ids:
        return {}
    unfinished = Ticket.status.in_(TicketStatus.UNFINISHED)
    query = (
        select(
            Ticket.assigned_to_id,
            func.count(),
            func.count(case((unfinished, 1))),
        )
        .where(Ticket.assigned_to_id.in_(user_ids))
        .group_by(Ticket.assigned_to_id)
    )
    counts = {user_id: (0, 0) for user_id in user_ids}
    for user_id, assigned, still_open in db.session.execute(query):
        counts[user_id] = (assigned, still_open)
    return counts
