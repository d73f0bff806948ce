"""The helpdesk's tables: team members, tickets and the rotation cursor."""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


def utcnow():
    """The current time in UTC, naive, as every engine stores it alike."""
    return datetime.now(UTC).replace(tzinfo=None)


class TicketStatus:
    OPEN = "open"

    ALL = (OPEN,)
    # Statuses that count as work still to do for the assignee.
    UNFINISHED = (OPEN,)


class User(db.Model):
    """A team member: raises tickets and receives them from the rotation."""

    __tablename__ = "users"
    # AUTOINCREMENT stops SQLite from handing a deleted member's id to the
    # next one; the rotation cursor relies on ids never coming back.
    __table_args__ = (
        Index("ix_users_active_id", "active", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    contact: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<User {self.id} {self.name!r}>"


class Ticket(db.Model):
    """A request for help, assigned to one member (or waiting for one)."""

    __tablename__ = "tickets"
    __table_args__ = (
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
