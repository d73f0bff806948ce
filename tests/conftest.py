import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy.orm import close_all_sessions

from app import create_app
from app.auth.accounts import CREDENTIAL, credential_mark
from app.auth.tokens import create_token
from app.cli import SAMPLE_TEAM
from app.extensions import db
from app.models import Role, Rotation, User
from app.users.service import create_user
from tests.engines import (
    SERVER_ENGINES,
    ServerDatabase,
    missing_engines,
    selected_engines,
)


@pytest.fixture(scope="session")
def server_databases():
    """This run's own database on each server engine, migrated once."""
    created = {}

    def get(engine_name):
        if engine_name not in created:
            database = ServerDatabase(engine_name).create()
            created[engine_name] = database
            app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database.url})
            with app.app_context():
                upgrade()
                db.engine.dispose()
        return created[engine_name]

    yield get
    for database in created.values():
        database.drop()


@pytest.fixture(params=selected_engines())
def engine_name(request):
    return request.param


@pytest.fixture
def database_url(engine_name, tmp_path, server_databases):
    """An empty database on the engine under test; SQLite gets a fresh file."""
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'helpdesk.sqlite'}"
    database = server_databases(engine_name)
    engine = create_engine(database.url)
    with engine.begin() as connection:
        database.empty(connection)
    engine.dispose()
    return database.url


@pytest.fixture
def app(database_url, engine_name):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        if engine_name == "sqlite":
            db.create_all()
        yield app
        # Sessions opened by threads or by requests that failed may still
        # hold connections; close them all so none outlives its test.
        close_all_sessions()
        db.session.remove()
        db.engine.dispose()


def sign_in_as(client, member_id):
    """Sign ``client`` in as a member, for pages (session) and the API (token)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(member_id)
        session["_fresh"] = True
        session[CREDENTIAL] = credential_mark(db.session.get(User, member_id))
    _, secret = create_token(member_id, "tests")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.fixture
def client(app, team):
    """Ada (member 1), the sample team's admin."""
    return sign_in_as(app.test_client(), 1)


@pytest.fixture
def agent(app, team):
    """Grace (member 2), an agent."""
    return sign_in_as(app.test_client(), 2)


@pytest.fixture
def anonymous(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def team(app):
    """The five sample members, ids 1 to 5; Ada (1) is an admin with a password."""
    return [
        create_user(
            name,
            contact,
            email=email,
            role=Role.ADMIN if number == 0 else Role.AGENT,
            password=ADMIN_PASSWORD if number == 0 else None,
        )
        for number, (name, contact, email) in enumerate(SAMPLE_TEAM)
    ]


ADMIN_PASSWORD = "admin password for tests"


def cursor():
    """The default rotation's cursor as stored in the database."""
    db.session.rollback()
    return db.session.scalar(db.select(Rotation.last_assigned_id))


def api_ticket(client, raised_by=1, description="Printer is on fire"):
    return client.post(
        "/api/tickets", json={"description": description, "raised_by": raised_by}
    )


def assignees(client, count, raised_by=1):
    """Submit ``count`` tickets through the API and return who got each."""
    result = []
    for _ in range(count):
        response = api_ticket(client, raised_by)
        assert response.status_code == 201, response.json
        assigned = response.json["assigned_to"]
        result.append(assigned and assigned["id"])
    return result


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url):
    page = client.get(url)
    assert page.status_code == 200
    return CSRF_FIELD.search(page.get_data(as_text=True)).group(1)


def form_post(client, url, data, form_url=None):
    """POST a form the way a browser does: fetch the page, send its CSRF token."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


# Input that every entry point (form and API) must refuse, with the field.
BAD_DESCRIPTIONS = [
    "",
    " \t\n ",
    "\u00a0\u00a0\t",
    "\u200b",
    "x" * 2001,
    "nul \x00 byte",
]
BAD_NAMES = ["", "   ", "\t\u00a0", "x" * 81]
BAD_CONTACTS = ["not-an-email@", "12", "call me maybe", "a@b"]


def required_but_skipped(config):
    """Skipped tests, when ``HELPDESK_NO_SKIPS`` says every test must run (CI)."""
    if not os.environ.get("HELPDESK_NO_SKIPS"):
        return []
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return reporter.stats.get("skipped", []) if reporter else []


def engines_line():
    missing = ", ".join(
        f"{name} (set {SERVER_ENGINES[name]})" for name in missing_engines()
    )
    line = f"database engines under test: {', '.join(selected_engines())}"
    return line + (f"; not run: {missing}" if missing else "")


def pytest_report_header():
    return engines_line()


def pytest_sessionstart(session):
    if os.environ.get("HELPDESK_NO_SKIPS") and missing_engines():
        pytest.exit(f"every engine must run here, but {engines_line()}", returncode=4)


def pytest_sessionfinish(session):
    if required_but_skipped(session.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    terminalreporter.write_line(engines_line(), bold=True)
    skipped = required_but_skipped(config)
    if skipped:
        terminalreporter.section("skipped, but every test must run here", red=True)
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            terminalreporter.write_line(f"{report.nodeid}: {reason}", red=True)
