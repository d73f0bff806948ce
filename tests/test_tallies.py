"""Running ticket tallies: kept in step with every change, rebuilt on demand."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from app import create_app, tallies
from app.database import write_transaction
from app.extensions import db
from app.models import Tally, Ticket, TicketStatus
from app.tickets.service import change_status, reassign_ticket, submit_ticket
from app.users.service import update_user
from tests.tally_checks import kept_and_recounted


def kept():
    db.session.rollback()
    return {
        name: value
        for name, value in db.session.execute(select(Tally.name, Tally.value))
        if value
    }


def test_each_kind_of_change_moves_tickets_between_tallies(app, team):
    first = submit_ticket("Printer jam", 1).ticket.id
    second = submit_ticket("VPN down", 1).ticket.id
    assert kept() == {
        "tickets:open": 2,
        "holder:2:open": 1,
        "holder:3:open": 1,
        "raiser:1:open": 2,
        f"created:{db.session.get(Ticket, first).created_at.date()}": 2,
    }

    change_status(first, TicketStatus.RESOLVED)
    reassign_ticket(second, 4, "Katherine knows the VPN")
    update_user(4, active=False)

    counts = kept()
    assert counts["tickets:open"] == 1 and counts["tickets:resolved"] == 1
    assert counts["holder:2:resolved"] == 1
    assert "holder:3:open" not in counts and "holder:4:open" not in counts
    assert counts["holder:5:open"] == 1  # handed over when Katherine left
    assert counts["raiser:1:open"] == 1 and counts["raiser:1:resolved"] == 1
    assert tallies.ticket_count() == 2
    assert tallies.ticket_count(status=TicketStatus.UNFINISHED) == 1
    assert tallies.ticket_count(assigned_to=5) == 1
    assert tallies.ticket_count(raised_by=1, status=TicketStatus.RESOLVED) == 1
    assert tallies.holder_counts([2, 5, 99]) == {2: (1, 0), 5: (1, 1), 99: (0, 0)}


def test_a_holder_and_a_requester_together_are_not_tallied(app, team):
    assert tallies.ticket_count(assigned_to=2, raised_by=1) is None


def test_unassigned_tickets_have_their_own_tally(app, team):
    for member_id in (2, 3, 4, 5):
        update_user(member_id, availability="away")
    submit_ticket("Nobody around", 1)

    assert tallies.ticket_count(unassigned=True) == 1

    update_user(2, availability="available")

    assert tallies.ticket_count(unassigned=True) == 0
    assert tallies.ticket_count(assigned_to=2) == 1


def test_a_rolled_back_write_counts_nothing(app, team):
    def work():
        db.session.add(Ticket(description="Half done", raised_by_id=1))
        db.session.flush()
        raise RuntimeError("the work failed after its flush")

    with pytest.raises(RuntimeError):
        write_transaction(work)

    assert kept() == {}


def test_a_retried_write_counts_once(app, team):
    attempts = []

    def work():
        db.session.add(Ticket(description="Second time lucky", raised_by_id=1))
        db.session.flush()
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))

    write_transaction(work)

    assert len(attempts) == 2
    assert tallies.ticket_count() == 1


def test_tallies_agree_with_a_recount_after_mixed_work(app, team):
    for number in range(12):
        ticket_id = submit_ticket(f"Ticket {number}", 1 + number % 5).ticket.id
        if number % 3 == 0:
            change_status(ticket_id, TicketStatus.CLOSED)
    update_user(3, availability="away")
    update_user(2, active=False)
    update_user(2, active=True)

    maintained, recounted = kept_and_recounted(db.session.connection())
    db.session.rollback()

    assert maintained == recounted


def test_recount_rebuilds_tallies_after_tickets_are_loaded_with_sql(app, team, runner):
    db.session.execute(
        text(
            "INSERT INTO tickets (description, status, raised_by_id, assigned_to_id, "
            "created_at) VALUES ('Loaded', 'open', 1, 2, '2026-01-02 03:04:05')"
        )
    )
    db.session.commit()
    assert tallies.ticket_count() == 0

    checked = runner.invoke(args=["recount", "--check"])
    assert checked.exit_code == 1
    assert checked.output.strip() == "4 of 4 ticket tallies are wrong; run recount."
    assert tallies.ticket_count() == 0  # checking changed nothing

    result = runner.invoke(args=["recount"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Recounted 4 ticket tallies; 4 were wrong and are fixed."
    )
    assert tallies.ticket_count() == 1
    assert tallies.values(["created:2026-01-02"]) == {"created:2026-01-02": 1}
    again = runner.invoke(args=["recount"])
    assert again.output.strip() == "Recounted 4 ticket tallies; all were right."
    fine = runner.invoke(args=["recount", "--check"])
    assert (
        fine.exit_code == 0 and fine.output.strip() == "All 4 ticket tallies are right."
    )


def test_the_migration_counts_the_tickets_already_there(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0005")
        db.session.execute(
            text(
                "INSERT INTO users (name, active, availability, role, created_at) "
                "VALUES ('Ada', 1, 'available', 'admin', '2026-01-01 00:00:00'), "
                "('Grace', 1, 'available', 'agent', '2026-01-01 00:00:00')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO tickets (description, status, raised_by_id, "
                "assigned_to_id, created_at) VALUES "
                "('One', 'open', 1, 2, '2026-01-02 10:00:00'), "
                "('Two', 'closed', 1, 2, '2026-01-02 11:00:00'), "
                "('Three', 'open', 2, NULL, '2026-01-03 09:00:00')"
            )
        )
        db.session.commit()

        upgrade()

        counts = kept()
        db.session.remove()
        db.engine.dispose()

    assert counts == {
        "tickets:open": 2,
        "tickets:closed": 1,
        "holder:2:open": 1,
        "holder:2:closed": 1,
        "holder:none:open": 1,
        "raiser:1:open": 1,
        "raiser:1:closed": 1,
        "raiser:2:open": 1,
        "created:2026-01-02": 2,
        "created:2026-01-03": 1,
    }
