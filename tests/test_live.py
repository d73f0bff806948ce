"""The rotation across real server processes and restarts (SQLite: a file)."""

import pytest

from app.cli import SAMPLE_TEAM
from tests.live import LiveServer, flask, seed_with_token

pytestmark = pytest.mark.live


@pytest.fixture
def seeded_database(database_url):
    """The engine's database, built by the real migrations, seeded by ``flask seed``."""
    return database_url, seed_with_token(database_url)


def submit(server, raised_by=1):
    status, _, body = server.request(
        "POST", "/api/tickets", {"description": "Live ticket", "raised_by": raised_by}
    )
    assert status == 201, body
    return body["assigned_to"]["id"]


def test_three_server_processes_share_one_rotation(seeded_database):
    database_url, token = seeded_database
    servers = [LiveServer(database_url, token=token) for _ in range(3)]
    try:
        for server in servers:
            server.start()
        order = [submit(servers[number % 3]) for number in range(6)]
    finally:
        for server in servers:
            server.stop()

    assert order == [2, 3, 4, 5, 2, 3]


def test_the_cursor_survives_a_restart(seeded_database):
    database_url, token = seeded_database
    with LiveServer(database_url, token=token) as server:
        before = [submit(server) for _ in range(7)]

    with LiveServer(database_url, token=token) as server:
        eighth = submit(server)
        _, _, rotation = server.request("GET", "/api/rotation")

    assert before == [2, 3, 4, 5, 2, 3, 4]
    assert eighth == 5
    assert rotation["last_assigned"]["id"] == 5


def test_the_real_commands_build_seed_and_open_the_api(database_url):
    flask(database_url, "db", "upgrade")
    assert "Added 5" in flask(database_url, "seed", DEMO_MODE="1")
    assert "Added 0" in flask(database_url, "seed")
    assert "nothing seeded" in flask(database_url, "seed", "--if-empty")
    token = flask(database_url, "create-token", "ada@example.com").splitlines()[-1]

    with LiveServer(database_url, token=token) as server:
        _, _, users = server.request("GET", "/api/users")

    assert [user["name"] for user in users["items"]] == [m[0] for m in SAMPLE_TEAM]
