"""The dashboard's figures: fairness per window and tickets per day."""

from datetime import timedelta

import pytest

from app import stats
from app.extensions import db
from app.models import AssignmentEvent, EligibilityChange, utcnow
from app.tickets.service import submit_ticket
from app.users.service import update_user


def raise_tickets(count, raised_by=1):
    for number in range(count):
        submit_ticket(f"t{number}", raised_by)


def by_member(report):
    return {row["id"]: row for row in report["members"]}


def backdate_eligibility(days):
    """Pretend every member has been on the team for ``days`` days."""
    db.session.execute(
        db.update(EligibilityChange).values(at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


def test_an_even_rotation_is_fair(team):
    backdate_eligibility(1)
    raise_tickets(8)

    report = stats.fairness("all")

    rows = by_member(report)
    assert [rows[m]["assigned"] for m in (2, 3, 4, 5)] == [2, 2, 2, 2]
    assert [round(rows[m]["expected"]) for m in (2, 3, 4, 5)] == [2, 2, 2, 2]
    assert rows[1]["expected"] == 0  # nobody expects tickets they raised
    assert report["spread"] == 2  # 1 received none: it raised them all
    assert report["tickets"] == 8


def test_time_away_lowers_the_expected_share(team):
    backdate_eligibility(2)
    away_since = utcnow() - timedelta(days=1)
    db.session.add(EligibilityChange(user_id=5, eligible=False, at=away_since))
    db.session.commit()
    update_user(5, availability="away")
    raise_tickets(7)

    rows = by_member(stats.fairness("all"))

    assert rows[5]["expected"] < rows[2]["expected"]
    # Four members eligible for two days, member 5 for one: 1 / (4 * 2 + 1).
    assert rows[5]["eligible_share"] == pytest.approx(1 / 9, abs=0.01)


def test_windows_count_only_their_own_assignments(team):
    backdate_eligibility(40)
    raise_tickets(4)
    db.session.execute(
        db.update(AssignmentEvent).values(created_at=utcnow() - timedelta(days=10))
    )
    db.session.commit()
    raise_tickets(2)

    assert stats.fairness("7d")["tickets"] == 2
    assert stats.fairness("30d")["tickets"] == 6
    assert stats.fairness("today")["tickets"] == 2


def test_tickets_per_day_covers_thirty_days_ending_today(team):
    raise_tickets(3)

    days = stats.tickets_per_day()

    assert len(days) == 30
    assert days[-1] == {"date": str(utcnow().date()), "count": 3}
    assert sum(day["count"] for day in days) == 3


def test_stats_over_the_api(client):
    client.post("/api/tickets", json={"description": "x"})

    body = client.get("/api/stats?window=7d").json

    assert body["window"] == "7d" and body["tickets"] == 1
    assert {row["id"] for row in body["members"]} == {1, 2, 3, 4, 5}
    assert len(body["per_day"]) == 30
    assert client.get("/api/stats?window=year").status_code == 400


def test_the_dashboard_draws_both_charts_and_the_window_choice(client):
    for _ in range(3):
        client.post("/api/tickets", json={"description": "x"})

    page = client.get("/?window=7d").get_data(as_text=True)

    assert "Grace Hopper: 1 assigned" in page
    assert f"{utcnow().date()}: 3." in page
    assert 'aria-current="page" href="/?window=7d"' in page
    assert "Spread between the most and the least loaded" in page


def test_expected_counts_share_each_requester_s_tickets_among_the_others():
    seconds = {1: 100.0, 2: 50.0, 3: 50.0, 4: 0.0}
    raised = {1: 6, 2: 4, 9: 2}  # member 9 is no longer eligible at all

    expected = stats.expected_counts(raised, seconds)

    # Member 1's 6 go to 2 and 3 (50/100 each); member 2's 4 go to 1 and 3
    # (100/150, 50/150); member 9's 2 go to 1, 2 and 3 by 100/200, 50/200.
    assert expected[1] == pytest.approx(4 * 100 / 150 + 2 * 100 / 200)
    assert expected[2] == pytest.approx(6 * 50 / 100 + 2 * 50 / 200)
    assert expected[3] == pytest.approx(6 * 50 / 100 + 4 * 50 / 150 + 2 * 50 / 200)
    assert expected[4] == 0
    assert sum(expected.values()) == pytest.approx(12)
