"""Hundreds of tickets at once, through two gunicorn hosts over one database.

Host A runs four workers and host B two, each its own gunicorn over the same
database, so submissions race one another across processes and hosts, and
through both ways in: the JSON API (with a bearer token) and the HTML form
(signed in, with its CSRF token). Afterwards the database itself is read to
check that every acknowledged ticket was saved exactly once and that the
rotation never skipped or repeated a turn.
"""

import os
import secrets
import signal
import time
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, select

from app.cli import SAMPLE_TEAM
from app.models import Rotation, Ticket, User
from app.rotation import DEFAULT_ROTATION
from config import Config
from tests.live import LiveServer, seed_with_token
from tests.stress_clients import (
    SUMMARY_PROPERTY,
    Client,
    Load,
    LoadReport,
    Submission,
    gunicorn_workers,
    log_tail,
    tally,
    workers_serving,
)
from tests.tally_checks import kept_and_recounted

pytestmark = [pytest.mark.live, pytest.mark.stress]

# Every ticket is raised by member 1 (Ada, the seeded admin, whose token and
# session the clients use). The rotation always passes over the requester,
# so members 2 to 5 are eligible for every ticket and take turns in id
# order: 2, 3, 4, 5, 2, ... With the cursor starting empty, an exact
# rotation gives one known assignee for every ticket id, and a single
# skipped or repeated turn anywhere shows up as a mismatch.
REQUESTER = 1
REQUESTER_EMAIL = SAMPLE_TEAM[0][2]
ROTATION = [2, 3, 4, 5]

HOST_WORKERS = {"A": 4, "B": 2}
CHANNELS = ("api", "form")
CLIENTS = 24
TICKETS_PER_CLIENT = 25
LOAD_SECONDS = 40

# The kill test: a lighter load, with one worker of host A killed once a
# third of it has been acknowledged.
KILL_TICKETS_PER_CLIENT = 10
KILL_AFTER = CLIENTS * KILL_TICKETS_PER_CLIENT // 3
RESPAWN_SECONDS = 20


@pytest.fixture(scope="module", autouse=True)
def load_report(pytestconfig):
    """Have the run end with a report of every stress test's load."""
    plugins = pytestconfig.pluginmanager
    if not plugins.has_plugin(LoadReport.name):
        plugins.register(LoadReport(), LoadReport.name)


@pytest.fixture
def seeded_database(database_url):
    """The database built by the real migrations and seeded by ``flask seed``.

    Returns its URL and an API token of member 1's, as ``tests/test_live.py``
    does.
    """
    token = seed_with_token(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            members = connection.execute(
                select(User.id, User.active).order_by(User.id)
            ).all()
    finally:
        engine.dispose()
    assert [tuple(member) for member in members] == [(i, True) for i in range(1, 6)]
    return database_url, token


def gunicorn_host(database_url, workers, log_path, token=None):
    """A host whose access log names the worker that answered each request,
    to tell what a killed worker was doing."""
    return LiveServer(
        database_url,
        workers=workers,
        log_path=log_path,
        token=token,
        options=[
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(p)s %(s)s "%(r)s" %(M)sms',
        ],
    )


@contextmanager
def two_hosts(database_url, tmp_path):
    """Hosts A and B, both serving ``database_url``, as ``{"A": ..., "B": ...}``.

    Both are stopped on the way out, whatever happened; if the block failed,
    the tails of their logs are printed after they stopped.
    """
    hosts = {
        name: gunicorn_host(database_url, workers, tmp_path / f"host-{name}.log", None)
        for name, workers in HOST_WORKERS.items()
    }
    failed = False
    try:
        for server in hosts.values():
            server.launch()
        for server in hosts.values():
            server.wait_until_answering()
        yield hosts
    except BaseException:
        failed = True
        raise
    finally:
        for server in hosts.values():
            server.stop()
        if failed:
            for name, server in hosts.items():
                print(f"----- host {name}: tail of {server.log_path} -----")
                print(log_tail(server.log_path), end="")


def client_plans(hosts, token, tickets_per_client):
    """Every client, each paired with its own list of submissions.

    Every client holds the requester's API token and a signed-in session.
    The session lives in a signed cookie, so one sign-in serves them all:
    each starts from a copy of its cookies and then keeps its own.

    A client goes round the four ways in (API or form, on host A or B), each
    client starting at a different one, so all four are busy at every moment.
    Every submission has a description of its own.
    """
    signed_in = Client(token).sign_in(
        hosts["A"].port, REQUESTER_EMAIL, Config.DEMO_PASSWORD
    )
    run = secrets.token_hex(4)
    ways = [(name, channel) for name in hosts for channel in CHANNELS]
    return [
        (
            Client(token, signed_in.cookies),
            [
                Submission(
                    description=f"stress {run} client {client:02d} ticket {number:03d}",
                    host=name,
                    port=hosts[name].port,
                    channel=channel,
                    raised_by=REQUESTER,
                )
                for number in range(tickets_per_client)
                for name, channel in [ways[(client + number) % len(ways)]]
            ],
        )
        for client in range(CLIENTS)
    ]


def load_summary(outcomes, seconds, tickets):
    """A line for the end-of-run report: what was sent and how it was answered."""
    answers = ", ".join(f"{k}: {n}" for k, n in sorted(tally(outcomes).items()))
    return (
        f"{len(outcomes)} submissions from {CLIENTS} clients in {seconds:.1f}s; "
        f"answers {answers}; 503s: {tally(outcomes)['503']}; "
        f"{len(tickets)} tickets saved"
    )


def saved_tickets(database_url):
    """Every ticket in id order, and the rotation's cursor, read from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            tickets = connection.execute(
                select(
                    Ticket.id,
                    Ticket.description,
                    Ticket.raised_by_id,
                    Ticket.assigned_to_id,
                ).order_by(Ticket.id)
            ).all()
            cursor = connection.scalar(
                select(Rotation.last_assigned_id).where(
                    Rotation.name == DEFAULT_ROTATION
                )
            )
            # Concurrent writers must have kept the running counts exact too.
            maintained, recounted = kept_and_recounted(connection)
            connection.rollback()
            assert maintained == recounted
    finally:
        engine.dispose()
    return tickets, cursor


def check_each_ticket_saved_once(outcomes, tickets):
    """Acknowledged tickets exist exactly once, as answered; refused ones do not.

    A submission sent but never answered may or may not have been saved
    (never more than once, though).
    """
    sent = {outcome.submission.description for outcome in outcomes}
    copies = Counter(ticket.description for ticket in tickets)
    saved = {ticket.description: ticket for ticket in tickets}

    assert [d for d, n in copies.items() if n > 1] == [], "tickets saved twice"
    assert [d for d in copies if d not in sent] == [], "tickets nobody submitted"

    acknowledged = [o for o in outcomes if o.acknowledged]
    lost = [o.describe() for o in acknowledged if o.submission.description not in saved]
    assert lost == [], "acknowledged tickets missing from the database"
    misreported = [
        (o.describe(), o.ticket_id, o.assignee_id, saved[o.submission.description])
        for o in acknowledged
        if not matches(o, saved[o.submission.description])
    ]
    assert misreported == [], "answers that do not match the saved ticket"

    refused_but_saved = [
        o.describe()
        for o in outcomes
        if not o.acknowledged
        and not (o.status is None and o.sent)
        and o.submission.description in saved
    ]
    assert refused_but_saved == [], "tickets saved although the answer said not"


def matches(outcome, ticket):
    """Whether an acknowledgement named the saved ticket (and its assignee).

    The API answers with the ticket, assignee included; the form only
    redirects to the ticket's page, which names its id.
    """
    if outcome.ticket_id != ticket.id:
        return False
    return outcome.assignee_id is None or outcome.assignee_id == ticket.assigned_to_id


def check_rotation(tickets, cursor):
    """Assignees by ticket id follow the rotation exactly; the cursor is the last."""
    assert tickets, "no ticket was saved"
    assert {ticket.raised_by_id for ticket in tickets} == {REQUESTER}
    assignees = [ticket.assigned_to_id for ticket in tickets]
    expected = [ROTATION[i % len(ROTATION)] for i in range(len(tickets))]
    assert assignees == expected, "the rotation skipped or repeated a turn"

    counts = Counter(assignees)
    per_member = [counts[member] for member in ROTATION]
    assert max(per_member) - min(per_member) <= 1, per_member
    assert cursor == assignees[-1]


def test_hundreds_of_concurrent_tickets_follow_the_rotation_exactly(
    seeded_database, tmp_path, record_property
):
    database_url, token = seeded_database
    with two_hosts(database_url, tmp_path) as hosts:
        load = Load(client_plans(hosts, token, TICKETS_PER_CLIENT), LOAD_SECONDS)
        started = time.monotonic()
        outcomes = load.start().finish()
        seconds = time.monotonic() - started
        tickets, cursor = saved_tickets(database_url)
        record_property(SUMMARY_PROPERTY, load_summary(outcomes, seconds, tickets))

        assert len(outcomes) == load.planned, "the load ran out of time"
        # A 503 is the app's honest "busy, nothing saved"; anything else that
        # is not an acknowledgement (another status, a dropped or timed-out
        # connection, a form that could not be fetched) is a failure.
        unexpected = [
            o.describe()
            for o in outcomes
            if not o.acknowledged and not (o.status == 503 and o.error is None)
        ]
        assert unexpected == []
        ways_used = {
            (o.submission.host, o.submission.channel)
            for o in outcomes
            if o.acknowledged
        }
        assert ways_used == {(h, c) for h in HOST_WORKERS for c in CHANNELS}

        check_each_ticket_saved_once(outcomes, tickets)
        check_rotation(tickets, cursor)


def kill_a_worker(server):
    """SIGKILL one of a gunicorn's workers, never its master.

    The victim is one caught in the middle of a request when possible, so
    the kill really interrupts work. Returns its pid and whether it was.
    """
    master = server.process.pid
    workers = gunicorn_workers(master)
    assert len(workers) == server.workers, workers
    busy = []
    deadline = time.monotonic() + 2
    while not busy and time.monotonic() < deadline:
        busy = workers_serving(master, server.port)
        time.sleep(0 if busy else 0.005)
    victim = (busy or workers)[0]
    os.kill(victim, signal.SIGKILL)
    return victim, bool(busy)


def wait_for_respawn(server, victim):
    """Wait until the master has replaced ``victim``; return the workers then."""
    deadline = time.monotonic() + RESPAWN_SECONDS
    while time.monotonic() < deadline:
        workers = gunicorn_workers(server.process.pid)
        if victim not in workers and len(workers) == server.workers:
            return workers
        time.sleep(0.1)
    return gunicorn_workers(server.process.pid)


def test_a_worker_killed_mid_load_loses_no_acknowledged_ticket(
    seeded_database, tmp_path, record_property
):
    database_url, token = seeded_database
    with two_hosts(database_url, tmp_path) as hosts:
        host_a = hosts["A"]
        plans = client_plans(hosts, token, KILL_TICKETS_PER_CLIENT)
        load = Load(plans, LOAD_SECONDS)
        started = time.monotonic()
        load.start()
        reached = load.wait_for_acknowledged(KILL_AFTER, timeout=LOAD_SECONDS)
        victim, mid_request = kill_a_worker(host_a)
        killed_at = time.monotonic()
        outcomes = load.finish()
        seconds = time.monotonic() - started
        workers = wait_for_respawn(host_a, victim)
        tickets, cursor = saved_tickets(database_url)
        record_property(
            SUMMARY_PROPERTY,
            load_summary(outcomes, seconds, tickets)
            + f"; worker {victim} of host A killed"
            + (" mid-request" if mid_request else " while idle"),
        )

        assert reached, f"fewer than {KILL_AFTER} tickets acknowledged before the kill"
        assert len(outcomes) == load.planned, "the load ran out of time"
        assert host_a.process.poll() is None, "the gunicorn master itself died"
        assert victim not in workers and len(workers) == host_a.workers, workers
        # Requests in flight on the killed worker lose their connection;
        # every other answer must still be an acknowledgement or a 503.
        unexpected = [
            o.describe()
            for o in outcomes
            if not o.acknowledged
            and not (o.status == 503 and o.error is None)
            and o.status is not None
        ]
        assert unexpected == []
        assert any(
            o.acknowledged and o.finished_at > killed_at and o.submission.host == "A"
            for o in outcomes
        ), "host A acknowledged nothing after the kill"

        check_each_ticket_saved_once(outcomes, tickets)
        check_rotation(tickets, cursor)
