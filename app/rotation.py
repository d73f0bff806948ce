"""The round-robin rotation: who gets the next ticket, and why.

Two questions are kept apart. *Who is eligible* for a ticket is a filter over
team members (active, available rather than away, and not the person who
raised it). *Who is chosen*
among them is the rotation: members in id order, continuing after the id
stored as the rotation's cursor and wrapping to the lowest id. Because the
cursor is a member id rather than a position in a list, members joining,
leaving or coming back never shift anyone else's turn.
"""

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Availability, Rotation, User, utcnow

DEFAULT_ROTATION = "default"


@dataclass
class Assignment:
    """The outcome of one pick: who got the ticket and how the cursor moved.

    ``passed_over`` lists, in turn order, every member whose turn came before
    the assignee's in this pick, each as ``{"id", "reason"}`` with the reason
    ``requester``, ``away`` or ``inactive``.
    """

    assignee: User | None
    cursor_before: int | None
    cursor_after: int | None
    passed_over: list[dict] = field(default_factory=list)


class RoundRobinAssigner:
    """Owns one rotation's cursor and answers "who is next?"."""

    def __init__(self, name=DEFAULT_ROTATION, session=None):
        self.name = name
        self.session = session or db.session
        self._locked = None

    def lock(self):
        """Lock the rotation's cursor row until the transaction ends.

        Every submission takes this lock before it reads anything, so
        submissions to one rotation run one after another, on any number of
        processes or hosts.
        """
        if self._locked is None:
            self._locked = self._locked_rotation()
        return self._locked

    def eligible(self, query, *, raised_by_id=None):
        """Narrow a ``select`` of members to those who may receive a ticket."""
        query = query.where(
            User.active.is_(True), User.availability == Availability.AVAILABLE
        )
        if raised_by_id is not None:
            query = query.where(User.id != raised_by_id)
        return query

    def assign(self, ticket):
        """Give ``ticket`` to the next eligible member and move the cursor.

        Must run inside the transaction that saves the ticket: the cursor row
        is locked until that transaction ends, so concurrent submissions take
        their turns one after another. With nobody eligible the ticket stays
        unassigned and the cursor does not move.
        """
        rotation = self.lock()
        cursor = rotation.last_assigned_id
        requester = ticket.raised_by
        upcoming = self._upcoming(cursor, limit=1, raised_by_id=requester.id)
        assignee = upcoming[0] if upcoming else None
        passed_over = self._passed_over(cursor, assignee, requester.id)
        if assignee is None:
            return Assignment(None, cursor, cursor, passed_over)

        rotation.last_assigned_id = assignee.id
        ticket.assigned_to = assignee
        ticket.assigned_at = utcnow()
        return Assignment(assignee, cursor, assignee.id, passed_over)

    def last_assigned(self):
        """The member who received the rotation's last ticket, if any."""
        cursor = self._cursor()
        return self.session.get(User, cursor) if cursor is not None else None

    def preview(self, count, *, raised_by_id=None):
        """Who would receive the next ``count`` tickets, without moving anything."""
        if count <= 0:
            return []
        upcoming = self._upcoming(self._cursor(), count, raised_by_id=raised_by_id)
        return [upcoming[i % len(upcoming)] for i in range(count)] if upcoming else []

    def order(self):
        """Every active member, in the order the rotation visits them."""
        query = self.eligible(select(User)).order_by(User.id)
        return list(self.session.scalars(query))

    def _upcoming(self, cursor, limit, *, raised_by_id):
        """Up to ``limit`` eligible members in turn order, starting after ``cursor``.

        Two indexed range reads: the members after the cursor, then the wrap
        from the lowest id. When fewer than ``limit`` members are eligible the
        list holds exactly one full cycle.
        """
        query = self.eligible(select(User), raised_by_id=raised_by_id).order_by(User.id)
        if cursor is None:
            return list(self.session.scalars(query.limit(limit)))
        after = list(self.session.scalars(query.where(User.id > cursor).limit(limit)))
        if len(after) == limit:
            return after
        wrapped = query.where(User.id <= cursor).limit(limit - len(after))
        return after + list(self.session.scalars(wrapped))

    def _passed_over(self, cursor, assignee, requester_id):
        """The members skipped on the way from the cursor to ``assignee``.

        Those are the members whose ids lie between the two in turn order
        (all members when nobody was eligible); one indexed range read.
        """
        query = select(User.id, User.active, User.availability)
        if assignee is not None and (cursor is None or assignee.id > cursor):
            query = query.where(User.id > (cursor or 0), User.id < assignee.id)
        elif assignee is not None:
            query = query.where(or_(User.id > cursor, User.id < assignee.id))

        def turn(row):
            return (cursor is not None and row.id <= cursor, row.id)

        passed_over = []
        for row in sorted(self.session.execute(query), key=turn):
            if not row.active:
                reason = "inactive"
            elif row.availability != Availability.AVAILABLE:
                reason = "away"
            elif row.id == requester_id:
                reason = "requester"
            else:
                continue
            passed_over.append({"id": row.id, "reason": reason})
        return passed_over

    def _cursor(self):
        query = select(Rotation.last_assigned_id).where(Rotation.name == self.name)
        return self.session.scalar(query)

    def _locked_rotation(self):
        """The rotation's row, locked for the rest of the transaction.

        The row is created on first use. If two first submissions race to
        create it, the loser's insert fails inside a savepoint and it locks
        the winner's row instead.
        """
        query = select(Rotation).where(Rotation.name == self.name).with_for_update()
        rotation = self.session.scalar(query)
        if rotation is not None:
            return rotation
        try:
            with self.session.begin_nested():
                rotation = Rotation(name=self.name)
                self.session.add(rotation)
            return rotation
        except IntegrityError:
            return self.session.scalar(query)
