"""How submissions serialise, retry and stay single, short of a load test."""

import logging
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.database import engine_options, is_transient
from app.extensions import db
from app.models import Ticket
from app.rotation import RoundRobinAssigner
from app.tickets.service import submit_ticket
from tests.conftest import api_ticket, assignees, csrf_token, cursor


def ticket_count():
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Ticket.id)))


def keyed_ticket(client, key="order-7781", description="Printer is on fire"):
    return client.post(
        "/api/tickets",
        json={"description": description, "raised_by": 1},
        headers={"Idempotency-Key": key},
    )


# Idempotency-Key on the API


def test_a_repeated_key_returns_the_first_ticket_without_a_new_one(client, team):
    first = keyed_ticket(client)
    second = keyed_ticket(client)

    assert first.status_code == second.status_code == 201
    assert second.json == first.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert ticket_count() == 1
    assert cursor() == 2
    assert assignees(client, 1) == [3]


def test_the_same_key_with_another_body_is_422(client, team):
    keyed_ticket(client)

    response = keyed_ticket(client, description="Something else")

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["error"]["fields"]
    assert ticket_count() == 1


def test_different_keys_make_different_tickets(client, team):
    keyed_ticket(client, key="a")
    keyed_ticket(client, key="b")

    assert ticket_count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_an_unusable_key_is_422_and_saves_nothing(client, team, key):
    response = keyed_ticket(client, key=key)

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["error"]["fields"]
    assert ticket_count() == 0


def test_racing_repeats_of_one_key_make_one_ticket(app, team):
    results = []

    def submit():
        with app.app_context():
            submission = submit_ticket("Racing", 1, idempotency_key="race")
            results.append((submission.ticket.id, submission.replayed))
            db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len({ticket_id for ticket_id, _ in results}) == 1
    assert sorted(replayed for _, replayed in results) == [False] + [True] * 5
    assert ticket_count() == 1
    assert cursor() == 2


# The one-time token in the ticket form


def form_submission(client, token=None):
    page = client.get("/tickets/new").get_data(as_text=True)
    csrf = csrf_token(client, "/tickets/new")
    if token is None:
        marker = 'name="submission_token" type="hidden" value="'
        token = page.split(marker, 1)[1].split('"', 1)[0]
    return {
        "csrf_token": csrf,
        "description": "Coffee machine leaks",
        "raised_by": 1,
        "submission_token": token,
    }


def test_a_double_submitted_form_makes_one_ticket(client, team):
    data = form_submission(client)

    first = client.post("/tickets/new", data=data)
    second = client.post("/tickets/new", data=data)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == "/tickets/1"
    page = client.get("/tickets/1").get_data(as_text=True)
    assert "already submitted from this form" in page
    assert ticket_count() == 1 and cursor() == 2


def test_every_rendering_of_the_form_carries_a_new_token(client, team):
    assert (
        form_submission(client)["submission_token"]
        != (form_submission(client)["submission_token"])
    )


def test_a_reused_token_with_changed_text_asks_before_saving(client, team):
    data = form_submission(client)
    client.post("/tickets/new", data=data)

    response = client.post("/tickets/new", data={**data, "description": "Edited"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already used to submit ticket #1" in page
    assert data["submission_token"] not in page
    assert ticket_count() == 1


def test_a_malformed_token_is_an_error_not_a_ticket(client, team):
    response = client.post("/tickets/new", data=form_submission(client, "forged"))

    assert "The form expired" in response.get_data(as_text=True)
    assert ticket_count() == 0


# Retries and giving up


def locked_error():
    return OperationalError(
        "INSERT INTO tickets", {}, sqlite3.OperationalError("database is locked")
    )


@pytest.fixture
def flaky_inserts():
    """Fail the next ``failures[0]`` ticket inserts as a locked database would."""
    failures = [0]

    def fail(mapper, connection, target):
        if failures[0] > 0:
            failures[0] -= 1
            raise locked_error()

    event.listen(Ticket, "before_insert", fail)
    yield failures
    event.remove(Ticket, "before_insert", fail)


def test_a_locked_database_is_retried_and_the_ticket_saved_once(
    client, team, flaky_inserts, caplog
):
    flaky_inserts[0] = 2
    caplog.set_level(logging.INFO, logger="app.database")

    response = api_ticket(client)

    assert response.status_code == 201
    assert response.json["assigned_to"]["id"] == 2
    assert ticket_count() == 1 and cursor() == 2
    assert len([r for r in caplog.records if "retried" in r.message]) == 2


def test_a_database_that_stays_locked_gives_503_and_saves_nothing(
    app, client, team, flaky_inserts, caplog
):
    flaky_inserts[0] = app.config["WRITE_ATTEMPTS"]

    response = api_ticket(client)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(app.config["RETRY_AFTER_SECONDS"])
    assert "nothing was saved" in response.json["error"]["message"]
    assert ticket_count() == 0 and cursor() is None
    assert any("gave up" in r.message for r in caplog.records)


def test_the_form_gets_a_friendly_503_page(app, client, team, flaky_inserts):
    flaky_inserts[0] = app.config["WRITE_ATTEMPTS"]

    response = client.post("/tickets/new", data=form_submission(client))

    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert "The helpdesk is busy" in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_other_database_errors_are_not_retried(app, client, team, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    calls = []

    def broken(mapper, connection, target):
        calls.append(1)
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))

    event.listen(Ticket, "before_insert", broken)
    try:
        assert api_ticket(client).status_code == 500
    finally:
        event.remove(Ticket, "before_insert", broken)
    assert calls == [1]


class FakeDriverError(Exception):
    def __init__(self, message, sqlstate=None, code=None):
        super().__init__(*((code, message) if code else (message,)))
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "original, transient",
    [
        (FakeDriverError("could not serialize", sqlstate="40001"), True),
        (FakeDriverError("deadlock detected", sqlstate="40P01"), True),
        (FakeDriverError("lock not available", sqlstate="55P03"), True),
        (FakeDriverError("unique violation", sqlstate="23505"), False),
        (FakeDriverError("Deadlock found", code=1213), True),
        (FakeDriverError("Lock wait timeout exceeded", code=1205), True),
        (FakeDriverError("Duplicate entry", code=1062), False),
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: tickets"), False),
    ],
)
def test_which_errors_count_as_transient(original, transient):
    assert is_transient(OperationalError("SQL", {}, original)) is transient


# Engine settings and the lock itself


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/w"})
    with app.app_context(), db.engine.connect() as connection:
        pragmas = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
        db.engine.dispose()

    assert pragmas == ["wal", 1, 10_000]


def test_mysql_connections_are_checked_and_recycled_before_hosts_drop_them():
    options = engine_options("mysql+pymysql://u@h/d")

    assert options["pool_pre_ping"] is True
    assert options["pool_recycle"] < 300


def test_a_submission_holds_the_rotation_lock_until_it_commits(app, team, database_url):
    """While one submission is between its lock and its commit, no other can start."""
    other = create_engine(database_url, **engine_options(database_url))
    blocked = []

    def try_to_take_the_lock():
        with other.connect() as connection:
            try:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA busy_timeout = 0")
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                elif connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT 1 FROM rotations FOR UPDATE NOWAIT")
                    )
                else:
                    connection.execute(text("SET innodb_lock_wait_timeout = 1"))
                    connection.execute(text("SELECT 1 FROM rotations FOR UPDATE"))
                blocked.append(False)
            except OperationalError:
                blocked.append(True)
            finally:
                connection.rollback()

    original_lock = RoundRobinAssigner.lock

    def lock_then_probe(self):
        rotation = original_lock(self)
        db.session.flush()
        try_to_take_the_lock()
        return rotation

    submit_ticket("seed the rotation row", 1)
    RoundRobinAssigner.lock = lock_then_probe
    try:
        submit_ticket("probed", 1)
    finally:
        RoundRobinAssigner.lock = original_lock
        other.dispose()

    assert blocked and all(blocked)
