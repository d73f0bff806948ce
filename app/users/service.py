"""Adding, changing and removing team members.

A change that can make someone eligible (joining, coming back, returning
from away) drains the unassigned queue; deactivating someone hands their
unfinished tickets to the rotation. Both happen in the same transaction as
the change itself, under the rotation's lock.
"""

import logging

from sqlalchemy import delete, exists, func, or_, select

from app.auth.accounts import hash_password
from app.database import write_transaction
from app.dispatch import drain_queue, hand_over
from app.exceptions import Conflict, InvalidValue, NotFound
from app.extensions import db
from app.models import (
    ApiToken,
    AssignmentEvent,
    Availability,
    EligibilityChange,
    Role,
    Ticket,
    User,
)
from app.rotation import RoundRobinAssigner
from app.validation import clean_contact, clean_email, clean_name

logger = logging.getLogger(__name__)

UNCHANGED = object()


def get_user(user_id):
    """The member with ``user_id``, or :class:`NotFound`."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No team member has id {user_id}.")
    return user


def create_user(name, contact=None, *, email=None, role=Role.AGENT, password=None):
    """Add a member; they join the rotation at the end of the current cycle.

    With an email and a password they can sign in, with ``role``'s rights.
    """
    name, contact, email = clean_name(name), clean_contact(contact), clean_email(email)
    check_role(role)
    password_hash = hash_password(password) if password is not None else None

    def work():
        assigner = RoundRobinAssigner()
        assigner.lock()
        check_email_free(email)
        user = User(
            name=name,
            contact=contact,
            email=email,
            role=role,
            password_hash=password_hash,
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(EligibilityChange(user_id=user.id, eligible=True))
        logger.info("user %s added (%s)", user.id, user.name)
        drain_queue(assigner)
        return user

    return write_transaction(work, description="add member")


def update_user(
    user_id,
    *,
    name=UNCHANGED,
    contact=UNCHANGED,
    active=UNCHANGED,
    availability=UNCHANGED,
    email=UNCHANGED,
    role=UNCHANGED,
    password=UNCHANGED,
):
    """Change any of a member's fields; the ones not given stay as they are."""
    if name is not UNCHANGED:
        name = clean_name(name)
    if contact is not UNCHANGED:
        contact = clean_contact(contact)
    if email is not UNCHANGED:
        email = clean_email(email)
    if role is not UNCHANGED:
        check_role(role)
    if password is not UNCHANGED:
        password = hash_password(password)
    if availability is not UNCHANGED and availability not in Availability.ALL:
        raise InvalidValue(
            f"Availability must be one of: {', '.join(Availability.ALL)}.",
            field="availability",
        )

    def work():
        assigner = RoundRobinAssigner()
        assigner.lock()
        user = get_user(user_id)
        was_eligible, was_active = user.eligible, user.active
        was_active_admin = can_administer(user)
        if name is not UNCHANGED:
            user.name = name
        if contact is not UNCHANGED:
            user.contact = contact
        if active is not UNCHANGED:
            user.active = active
        if availability is not UNCHANGED:
            user.availability = availability
        if email is not UNCHANGED and email != user.email:
            check_email_free(email)
            user.email = email
        if role is not UNCHANGED:
            user.role = role
        if password is not UNCHANGED:
            user.password_hash = password
            logger.info("user %s has a new password", user.id)
        keep_an_admin(user, was_active_admin)
        db.session.flush()

        if was_active and not user.active:
            logger.info("user %s deactivated", user.id)
            hand_over(user, assigner)
        elif user.active and not was_active:
            logger.info("user %s reactivated", user.id)
        if user.eligible != was_eligible:
            db.session.add(EligibilityChange(user_id=user.id, eligible=user.eligible))
            logger.info("user %s is now %s", user.id, describe(user))
        if user.eligible and not was_eligible:
            drain_queue(assigner)
        return user

    return write_transaction(work, description="update member")


def check_role(role):
    if role not in Role.ALL:
        raise InvalidValue(f"Role must be one of: {', '.join(Role.ALL)}.", "role")


def check_email_free(email):
    if email is None:
        return
    taken = select(exists().where(func.lower(User.email) == email))
    if db.session.scalar(taken):
        raise InvalidValue(f"Another member already signs in as {email}.", "email")


def can_administer(user):
    """An admin who can still sign in: active, with an email and a password."""
    return bool(user.is_admin and user.active and user.email and user.password_hash)


def keep_an_admin(user, was_active_admin):
    """Refuse a change that would leave nobody able to sign in as an admin."""
    if not was_active_admin or can_administer(user):
        return
    others = select(
        exists().where(
            User.role == Role.ADMIN,
            User.active.is_(True),
            User.email.is_not(None),
            User.password_hash.is_not(None),
            User.id != user.id,
        )
    )
    if not db.session.scalar(others):
        raise Conflict(
            f"{user.name} is the only admin who can sign in; make someone else "
            "an admin first.",
            "role",
        )


def describe(user):
    if not user.active:
        return "inactive"
    return "available" if user.eligible else "away"


def delete_user(user_id):
    """Delete a member who has no tickets; members with tickets can only leave.

    Their API tokens go with them. The last active admin cannot be deleted.
    """

    def work():
        user = get_user(user_id)
        if has_tickets(user.id):
            raise Conflict(
                f"{user.name} has tickets and cannot be deleted; deactivate them "
                "instead so their history stays."
            )
        was_active_admin = can_administer(user)
        user.active = False
        keep_an_admin(user, was_active_admin)
        for record in (EligibilityChange, ApiToken):
            db.session.execute(delete(record).where(record.user_id == user.id))
        db.session.delete(user)
        logger.info("user %s deleted", user_id)

    write_transaction(work, description="delete member")


def has_tickets(user_id):
    """Whether the member raised, holds or ever held a ticket."""
    held = exists().where(
        or_(
            AssignmentEvent.from_user_id == user_id,
            AssignmentEvent.to_user_id == user_id,
        )
    )
    raised_or_holds = exists().where(
        or_(Ticket.raised_by_id == user_id, Ticket.assigned_to_id == user_id)
    )
    return db.session.scalar(select(or_(raised_or_holds, held)))
