"""Replay a long random scenario and check every recorded decision.

The reference model below restates the rotation's rules in a few lines of
plain Python, independent of the app. The scenario drives the real services;
afterwards, the assignment history the app recorded must be exactly the one
the model predicts, decision by decision.
"""

import random

from app.extensions import db
from app.models import AssignmentEvent, Availability, TicketStatus
from app.tickets.service import change_status, submit_ticket
from app.users.service import create_user, update_user
from tests.tally_checks import kept_and_recounted

STEPS = 2000
# MySQL replays a shorter scenario to keep the suite's time in bounds; the
# full length runs on SQLite and PostgreSQL.
STEPS_BY_ENGINE = {"mysql": 500}
SEED = 20261204
UNFINISHED = set(TicketStatus.UNFINISHED)


class ReferenceModel:
    """The rules, restated: members by id, a cursor, tickets and their holders."""

    def __init__(self):
        self.members = {}  # id -> {"active": bool, "available": bool}
        self.cursor = None
        self.tickets = {}  # id -> {"requester", "holder", "status"}
        self.events = []

    def eligible(self, member_id):
        member = self.members[member_id]
        return member["active"] and member["available"]

    def pick(self, requester):
        """The next member after the cursor, and who was passed over on the way."""
        order = sorted(self.members)
        if self.cursor is not None:
            order = [m for m in order if m > self.cursor] + [
                m for m in order if m <= self.cursor
            ]
        passed_over = []
        for member_id in order:
            if self.eligible(member_id) and member_id != requester:
                return member_id, passed_over
            member = self.members[member_id]
            reason = (
                "inactive"
                if not member["active"]
                else "away"
                if not member["available"]
                else "requester"
            )
            passed_over.append({"id": member_id, "reason": reason})
        return None, passed_over

    def rotate(self, ticket_id, trigger):
        ticket = self.tickets[ticket_id]
        chosen, passed_over = self.pick(ticket["requester"])
        before = self.cursor
        if chosen is not None:
            self.cursor = chosen
        self.events.append(
            (
                ticket_id,
                trigger,
                "rotation" if chosen else "none",
                ticket["holder"],
                chosen,
                before,
                self.cursor,
                passed_over,
            )
        )
        ticket["holder"] = chosen

    def drain(self):
        for ticket_id, ticket in sorted(self.tickets.items()):
            if ticket["holder"] is None and ticket["status"] in UNFINISHED:
                if self.pick(ticket["requester"])[0] is not None:
                    self.rotate(ticket_id, "drained")

    def add(self, member_id):
        self.members[member_id] = {"active": True, "available": True}
        self.drain()

    def set_available(self, member_id, available):
        was = self.eligible(member_id)
        self.members[member_id]["available"] = available
        if self.eligible(member_id) and not was:
            self.drain()

    def set_active(self, member_id, active):
        was, was_active = self.eligible(member_id), self.members[member_id]["active"]
        self.members[member_id]["active"] = active
        if was_active and not active:
            for ticket_id, ticket in sorted(self.tickets.items()):
                if ticket["holder"] == member_id and ticket["status"] in UNFINISHED:
                    self.rotate(ticket_id, "deactivated")
        if self.eligible(member_id) and not was:
            self.drain()

    def raise_ticket(self, ticket_id, requester):
        self.tickets[ticket_id] = {
            "requester": requester,
            "holder": None,
            "status": TicketStatus.OPEN,
        }
        self.rotate(ticket_id, "submitted")

    def set_status(self, ticket_id, status):
        ticket = self.tickets[ticket_id]
        reopening = ticket["status"] not in UNFINISHED
        ticket["status"] = status
        if not reopening:
            return
        holder = ticket["holder"]
        if holder is not None and self.eligible(holder):
            self.events.append(
                (ticket_id, "reopened", "returned", holder, holder, None, None, [])
            )
        else:
            self.rotate(ticket_id, "reopened")


def recorded_events():
    db.session.rollback()
    query = db.select(AssignmentEvent).order_by(AssignmentEvent.id)
    return [
        (
            event.ticket_id,
            event.trigger,
            event.method,
            event.from_user_id,
            event.to_user_id,
            event.cursor_before,
            event.cursor_after,
            event.passed_over or [],
        )
        for event in db.session.scalars(query)
    ]


def run_scenario(model, rng, steps):
    """Drive the real services and the model with the same random steps."""
    for number in range(5):
        model.add(create_user(f"Member {number}").id)

    for step in range(steps):
        action = rng.choices(
            ["raise", "add", "away", "back", "leave", "return", "status"],
            weights=[50, 2, 9, 9, 4, 4, 22],
        )[0]
        members = sorted(model.members)
        active = [m for m in members if model.members[m]["active"]]

        if action == "raise" and active:
            requester = rng.choice(active)
            ticket = submit_ticket(f"step {step}", requester).ticket
            model.raise_ticket(ticket.id, requester)
        elif action == "add" or not active:
            model.add(create_user(f"Joined at {step}").id)
        elif action in ("away", "back"):
            member_id = rng.choice(members)
            available = action == "back"
            update_user(
                member_id,
                availability=Availability.AVAILABLE if available else Availability.AWAY,
            )
            model.set_available(member_id, available)
        elif action in ("leave", "return"):
            member_id = rng.choice(members)
            update_user(member_id, active=action == "return")
            model.set_active(member_id, action == "return")
        elif action == "status" and model.tickets:
            ticket_id = rng.choice(sorted(model.tickets))
            current = model.tickets[ticket_id]["status"]
            status = rng.choice(TicketStatus.NEXT[current])
            change_status(ticket_id, status)
            model.set_status(ticket_id, status)


def test_the_decision_log_matches_the_reference_model(app, engine_name):
    model = ReferenceModel()

    run_scenario(model, random.Random(SEED), STEPS_BY_ENGINE.get(engine_name, STEPS))

    recorded = recorded_events()
    kinds = {(event[1], event[2]) for event in recorded}
    assert {
        ("submitted", "rotation"),
        ("submitted", "none"),
        ("drained", "rotation"),
        ("deactivated", "rotation"),
        ("deactivated", "none"),
        ("reopened", "rotation"),
        ("reopened", "returned"),
    } <= kinds
    for index, (actual, expected) in enumerate(
        zip(recorded, model.events, strict=False)
    ):
        assert actual == expected, f"decision {index} differs"
    assert len(recorded) == len(model.events)
    maintained, recounted = kept_and_recounted(db.session.connection())
    db.session.rollback()
    assert maintained == recounted
