"""Who may reach what: every route, for anonymous visitors, agents and admins.

The matrix walks ``app.url_map``: a route missing from ``RULES`` fails the
suite, so no page or API call can be added without deciding who may use it.
"""

import pytest
from flask import g

from app.tickets.service import submit_ticket
from tests.conftest import sign_in_as

ANYONE, SIGNED_IN, ADMIN, NOBODY = "anyone", "signed in", "admin", "nobody"

# endpoint -> who may use it. The requests below act on member 3 and on
# ticket 2 (assigned to member 3), so an agent (member 2) acts on someone
# else's things; tokens can only ever be managed by their own member.
RULES = {
    "static": ANYONE,
    "bootstrap.static": ANYONE,
    "auth.sign_in": ANYONE,
    "main.healthz": ANYONE,
    "auth.sign_out": SIGNED_IN,
    "main.home": SIGNED_IN,
    "main.api_docs": SIGNED_IN,
    "users.index": SIGNED_IN,
    "users.detail": SIGNED_IN,
    "tickets.index": SIGNED_IN,
    "tickets.unassigned": SIGNED_IN,
    "tickets.new": SIGNED_IN,
    "tickets.detail": SIGNED_IN,
    "users.new": ADMIN,
    "users.edit": ADMIN,
    "users.deactivate": ADMIN,
    "users.reactivate": ADMIN,
    "users.delete": ADMIN,
    "users.availability": ADMIN,
    "tickets.change_status": ADMIN,
    "tickets.reassign": ADMIN,
    "users.new_token": NOBODY,
    "users.revoke": NOBODY,
    "api.openapi": SIGNED_IN,
    "api.rotation": SIGNED_IN,
    "api.statistics": SIGNED_IN,
    "api.list_tickets": SIGNED_IN,
    "api.create_ticket": SIGNED_IN,
    "api.get_ticket": SIGNED_IN,
    "api.ticket_history": SIGNED_IN,
    "api.list_users": SIGNED_IN,
    "api.get_user": SIGNED_IN,
    "api.user_tickets": SIGNED_IN,
    "api.update_ticket": ADMIN,
    "api.reassign_ticket": ADMIN,
    "api.create_user": ADMIN,
    "api.update_user": ADMIN,
    "api.delete_user": ADMIN,
}
URL_VALUES = {"user_id": 3, "ticket_id": 2, "token_id": 1, "filename": "css/x.css"}
BODIES = {
    "api.create_ticket": {"description": "Matrix"},
    "api.update_ticket": {"status": "in_progress"},
    "api.reassign_ticket": {"assigned_to": 4, "reason": "Matrix"},
    "api.create_user": {"name": "Matrix"},
    "api.update_user": {"name": "Renamed"},
}


def routes():
    from app import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule.rule


ROUTES = list(routes())


def test_every_route_has_a_rule():
    assert {endpoint for endpoint, _, _ in ROUTES} == set(RULES)


def call(client, endpoint, method, path):
    # The test holds an app context open, which requests then share: forget
    # the member Flask-Login cached for the previous client's request.
    g.pop("_login_user", None)
    for name, value in URL_VALUES.items():
        path = path.replace(f"<id:{name}>", str(value))
        path = path.replace(f"<path:{name}>", str(value))
    if endpoint.startswith("api."):
        return client.open(path, method=method, json=BODIES.get(endpoint))
    return client.open(path, method=method, data={})


def refused(response):
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and "/sign-in?next=" in location


@pytest.fixture
def engine_name():
    """Who may do what does not depend on the database: SQLite serves here."""
    return "sqlite"


@pytest.fixture
def matrix_app(app, team):
    app.config["WTF_CSRF_ENABLED"] = False
    submit_ticket("to 2", 1)
    submit_ticket("to 3", 1)
    return app


@pytest.mark.parametrize("endpoint, method, path", ROUTES)
def test_access_follows_the_rules(matrix_app, endpoint, method, path):
    rule = RULES[endpoint]
    anonymous = matrix_app.test_client()
    agent = sign_in_as(matrix_app.test_client(), 2)
    admin = sign_in_as(matrix_app.test_client(), 1)

    results = {
        who: refused(call(client, endpoint, method, path))
        for who, client in (
            ("anonymous", anonymous),
            ("agent", agent),
            ("admin", admin),
        )
    }

    assert results == {
        "anonymous": rule != ANYONE,
        "agent": rule in (ADMIN, NOBODY),
        "admin": rule == NOBODY,
    }
