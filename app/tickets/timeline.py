"""Plain-language sentences for a ticket's assignment history."""

from sqlalchemy import select

from app.dispatch import Method, Trigger
from app.extensions import db
from app.models import User

REASONS = {
    "requester": "raised it",
    "away": "away",
    "inactive": "inactive",
}
OPENINGS = {
    Trigger.SUBMITTED: "Submitted",
    Trigger.DRAINED: "Taken from the unassigned queue",
    Trigger.DEACTIVATED: "Handed over because {previous} was deactivated",
    Trigger.REOPENED: "Reopened",
    Trigger.REASSIGNED: "Reassigned by hand",
}


def timeline(events):
    """``[(event, sentence, passed_over)]`` for the template, oldest first."""
    names = member_names(events)

    def name(member_id):
        return names.get(member_id, f"member #{member_id}")

    entries = []
    for event in events:
        passed_over = [
            f"{name(skipped['id'])} ({REASONS[skipped['reason']]})"
            for skipped in event.passed_over or []
        ]
        entries.append((event, sentence(event, name), passed_over))
    return entries


def sentence(event, name):
    previous = name(event.from_user_id) if event.from_user_id else "nobody"
    opening = OPENINGS.get(event.trigger, event.trigger).format(previous=previous)
    if event.method == Method.ROTATION:
        after = (
            f"the rotation's last assignee, {name(event.cursor_before)}"
            if event.cursor_before
            else "the start of the rotation"
        )
        assignee = name(event.to_user_id)
        return f"{opening}: assigned to {assignee} by the rotation, next after {after}."
    if event.method == Method.RETURNED:
        return f"{opening}: returned to {name(event.to_user_id)}, who still holds it."
    if event.method == Method.MANUAL:
        assignee = name(event.to_user_id)
        return f"{opening}: moved from {previous} to {assignee}. Reason: {event.reason}"
    return f"{opening}: nobody was eligible, so it waits unassigned."


def member_names(events):
    """Names of every member the events mention, in one query."""
    ids = set()
    for event in events:
        ids.update(
            member_id
            for member_id in (event.from_user_id, event.to_user_id, event.cursor_before)
            if member_id
        )
        ids.update(skipped["id"] for skipped in event.passed_over or [])
    if not ids:
        return {}
    return dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()
    )
