"""The rotation across real server processes and restarts (SQLite: a file)."""

import pytest

from app.cli import SAMPLE_TEAM
from tests.live import LiveServer, flask

pytestmark = pytest.mark.live


@pytest.fixture
def seeded_database(database_url):
    """The engine's database, built by the real migrations, seeded by ``flask seed``."""
    flask(database_url, "db", "upgrade")
    assert "Added 5" in flask(database_url, "seed")
    return database_url


def submit(server, raised_by=1):
    status, _, body = server.request(
        "POST", "/api/tickets", {"description": "Live ticket", "raised_by": raised_by}
    )
    assert status == 201, body
    return body["assigned_to"]["id"]


def test_three_server_processes_share_one_rotation(seeded_database):
    servers = [LiveServer(seeded_database) for _ in range(3)]
    try:
        for server in servers:
            server.start()
        order = [submit(servers[number % 3]) for number in range(6)]
    finally:
        for server in servers:
            server.stop()

    assert order == [2, 3, 4, 5, 2, 3]


def test_the_cursor_survives_a_restart(seeded_database):
    with LiveServer(seeded_database) as server:
        before = [submit(server) for _ in range(7)]

    with LiveServer(seeded_database) as server:
        eighth = submit(server)
        _, _, rotation = server.request("GET", "/api/rotation")

    assert before == [2, 3, 4, 5, 2, 3, 4]
    assert eighth == 5
    assert rotation["last_assigned"]["id"] == 5


def test_seed_is_idempotent(seeded_database):
    assert "Added 0" in flask(seeded_database, "seed")
    assert "nothing seeded" in flask(seeded_database, "seed", "--if-empty")

    with LiveServer(seeded_database) as server:
        _, _, users = server.request("GET", "/api/users")

    assert [user["name"] for user in users["items"]] == [n for n, _ in SAMPLE_TEAM]
