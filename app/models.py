"""The helpdesk's tables: team members, tickets and the rotation cursor."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


def utcnow():
    """The current time in UTC, naive, as every engine stores it alike."""
    return datetime.now(UTC).replace(tzinfo=None)


class TicketStatus:
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"

    ALL = (OPEN, IN_PROGRESS, RESOLVED, CLOSED)
    # Work still to do for the assignee: the "open work" counts, the tickets
    # handed over when a member leaves, and the unassigned queue.
    UNFINISHED = (OPEN, IN_PROGRESS)
    # Which status may follow which. Moving a finished ticket back to open
    # reopens it.
    NEXT = {
        OPEN: (IN_PROGRESS, RESOLVED, CLOSED),
        IN_PROGRESS: (OPEN, RESOLVED, CLOSED),
        RESOLVED: (OPEN, CLOSED),
        CLOSED: (OPEN,),
    }
    LABELS = {
        OPEN: "Open",
        IN_PROGRESS: "In progress",
        RESOLVED: "Resolved",
        CLOSED: "Closed",
    }


class Role:
    ADMIN = "admin"
    AGENT = "agent"

    ALL = (ADMIN, AGENT)


class Availability:
    AVAILABLE = "available"
    AWAY = "away"

    ALL = (AVAILABLE, AWAY)


class User(UserMixin, db.Model):
    """A team member: raises tickets, receives them from the rotation, signs in.

    A member signs in with ``email`` and a password; members without either
    are on the team but cannot sign in.
    """

    __tablename__ = "users"
    # AUTOINCREMENT stops SQLite from handing a deleted member's id to the
    # next one; the rotation cursor relies on ids never coming back.
    __table_args__ = (
        Index("ix_users_active_availability_id", "active", "availability", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    contact: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    availability: Mapped[str] = mapped_column(
        String(10),
        default=Availability.AVAILABLE,
        server_default=Availability.AVAILABLE,
    )
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(
        String(10), default=Role.AGENT, server_default=Role.AGENT
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def is_active(self):
        """Flask-Login's question: may this member sign in? Only while active."""
        return self.active

    @property
    def eligible(self):
        """Whether the rotation may give this member a ticket (requester aside)."""
        return self.active and self.availability == Availability.AVAILABLE

    def __repr__(self):
        return f"<User {self.id} {self.name!r}>"


class Ticket(db.Model):
    """A request for help, assigned to one member (or waiting for one)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_assigned_to_id_id", "assigned_to_id", "id"),
        Index("ix_tickets_raised_by_id_id", "raised_by_id", "id"),
        Index("ix_tickets_status_id", "status", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=TicketStatus.OPEN)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None]

    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])

    def __repr__(self):
        return f"<Ticket {self.id} -> {self.assigned_to_id}>"


class Rotation(db.Model):
    """The persisted cursor of one round-robin rotation.

    ``last_assigned_id`` is the id of the member who received the rotation's
    last ticket. It is deliberately not a foreign key: the member may leave
    (or, with no tickets left, be deleted) and the rotation still continues
    from the id after theirs.
    """

    __tablename__ = "rotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    last_assigned_id: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IdempotencyKey(db.Model):
    """A client's key for one submission, so a retried request is not a new ticket.

    ``fingerprint`` identifies the request that first used the key; the same
    key with another request is refused rather than answered with a ticket
    the client did not ask for.
    """

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()


class AssignmentEvent(db.Model):
    """One change of a ticket's assignee, with the reasons behind it.

    ``trigger`` says what happened (a submission, a drain of the unassigned
    queue, a deactivation, a reopening, a manual reassignment) and ``method``
    how the new assignee was found (``rotation``, ``manual``, ``returned`` to
    the previous assignee, or ``none`` when nobody was eligible). Rotation
    decisions keep the cursor before and after and every member passed over
    with the reason, so the rotation can be replayed from this log alone.
    """

    __tablename__ = "assignment_events"
    __table_args__ = (
        Index("ix_assignment_events_ticket_id_id", "ticket_id", "id"),
        Index("ix_assignment_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    trigger: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requester_id: Mapped[int | None]
    cursor_before: Mapped[int | None]
    cursor_after: Mapped[int | None]
    passed_over: Mapped[list | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    from_user: Mapped[User | None] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])


class ApiToken(db.Model):
    """A member's personal API token. Only a hash of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class SignInFailures(db.Model):
    """Recent failed sign-ins for one account or one address, for throttling."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    count: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)


class EligibilityChange(db.Model):
    """When a member became eligible for tickets or stopped being so.

    The fairness report weighs each member's expected share by how long they
    were eligible (active and available) within the chosen window.
    """

    __tablename__ = "eligibility_changes"
    __table_args__ = (Index("ix_eligibility_changes_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    eligible: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Tally(db.Model):
    """A running count of tickets, such as ``holder:5:open`` or ``tickets``.

    Kept by :mod:`app.tallies` in the transaction that changes the tickets,
    so the pages read a few of these rows instead of counting tickets.
    """

    __tablename__ = "tallies"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
