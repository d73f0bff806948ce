"""The figures behind the dashboard: is the rotation fair, and how busy is it?

Fairness compares, for each member, the tickets the rotation gave them in a
window with their expected share: each requester's rotation tickets in the
window, divided among the other members in proportion to how long each was
eligible (active and available) during it. Members never eligible in the
window expect nothing.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from app import tallies
from app.dispatch import Method
from app.extensions import db
from app.models import AssignmentEvent, EligibilityChange, User, utcnow

WINDOWS = {
    "today": "Today",
    "7d": "7 days",
    "30d": "30 days",
    "all": "All time",
}
DEFAULT_WINDOW = "30d"
DAYS_CHARTED = 30


def window_start(window, now):
    """The UTC start of a named window (None: since the beginning)."""
    if window == "today":
        return datetime.combine(now.date(), time.min)
    if window == "7d":
        return now - timedelta(days=7)
    if window == "30d":
        return now - timedelta(days=30)
    return None


def fairness(window=DEFAULT_WINDOW):
    """Per-member assigned and expected counts, and the spread, for a window."""
    now = utcnow()
    start = window_start(window, now)
    members = db.session.execute(select(User.id, User.name).order_by(User.id))
    assigned = rotation_counts(start, AssignmentEvent.to_user_id)
    raised = rotation_counts(start, AssignmentEvent.requester_id)
    eligible_seconds = eligible_time(start, now)
    total_eligible = sum(eligible_seconds.values())
    total = sum(assigned.values())
    expected = expected_counts(raised, eligible_seconds)

    rows = []
    for member in members:
        seconds = eligible_seconds.get(member.id, 0)
        if not seconds and not assigned.get(member.id):
            continue
        rows.append(
            {
                "id": member.id,
                "name": member.name,
                "assigned": assigned.get(member.id, 0),
                "expected": round(expected.get(member.id, 0.0), 2),
                "eligible_share": round(seconds / total_eligible, 4)
                if total_eligible
                else 0.0,
            }
        )
    counted = [row["assigned"] for row in rows if row["eligible_share"] > 0]
    return {
        "window": window,
        "since": start,
        "tickets": total,
        "members": rows,
        "spread": max(counted) - min(counted) if counted else 0,
    }


def furthest_from_share(rows, limit):
    """Report rows for a chart: all of them, or the ``limit`` members whose
    tickets differ most from their expected share, in member order."""
    if len(rows) <= limit:
        return rows
    furthest = sorted(rows, key=lambda row: -abs(row["assigned"] - row["expected"]))
    return sorted(furthest[:limit], key=lambda row: row["id"])


def rotation_counts(start, member_column):
    """``{member_id: rotation tickets since start}``, counted by the member in
    ``member_column`` (who received them, or who raised them)."""
    query = (
        select(member_column, func.count())
        .where(AssignmentEvent.method == Method.ROTATION)
        .group_by(member_column)
    )
    if start is not None:
        query = query.where(AssignmentEvent.created_at >= start)
    return dict(db.session.execute(query).all())


def expected_counts(raised, eligible_seconds):
    """Each requester's rotation tickets shared among everyone else, in
    proportion to their eligible time: nobody expects tickets they raised.

    A member's share of one requester's tickets is their eligible time over
    everyone else's, so their expected count is their time multiplied by the
    sum of count / others' time over every requester but themselves: one
    pass over the requesters and one over the members, not one per pair.
    """
    total = sum(eligible_seconds.values())
    rate = {
        requester: count / (total - eligible_seconds.get(requester, 0))
        for requester, count in raised.items()
        if total - eligible_seconds.get(requester, 0) > 0
    }
    all_rates = sum(rate.values())
    return {
        member_id: seconds * (all_rates - rate.get(member_id, 0.0))
        for member_id, seconds in eligible_seconds.items()
    }


def eligible_time(start, now):
    """``{member_id: seconds eligible between start and now}``."""
    changes = db.session.execute(
        select(
            EligibilityChange.user_id, EligibilityChange.eligible, EligibilityChange.at
        ).order_by(
            EligibilityChange.user_id, EligibilityChange.at, EligibilityChange.id
        )
    )
    seconds = defaultdict(float)
    since = {}
    for user_id, eligible, at in changes:
        if user_id in since:
            seconds[user_id] += overlap(since.pop(user_id), at, start, now)
        if eligible:
            since[user_id] = at
    for user_id, began in since.items():
        seconds[user_id] += overlap(began, now, start, now)
    return dict(seconds)


def overlap(begin, end, start, now):
    """Seconds of [begin, end) that fall within [start, now]."""
    begin = max(begin, start) if start is not None else begin
    end = min(end, now)
    return max((end - begin).total_seconds(), 0.0)


def tickets_per_day(days=DAYS_CHARTED):
    """``[{"date": "YYYY-MM-DD", "count": n}]`` for the last ``days`` days."""
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    counts = tallies.created_per_day(first, days)
    return [{"date": str(date), "count": count} for date, count in counts.items()]
