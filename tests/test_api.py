"""The JSON API: shapes, status codes and the rotation seen through it."""

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Ticket
from tests.conftest import (
    BAD_CONTACTS,
    BAD_DESCRIPTIONS,
    BAD_NAMES,
    api_ticket,
    assignees,
    cursor,
)


def ticket_count():
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Ticket.id)))


def test_ten_submissions_follow_the_rotation_and_newcomers_join_at_the_end(
    client, team
):
    assert assignees(client, 10) == [2, 3, 4, 5, 2, 3, 4, 5, 2, 3]

    newcomer = client.post("/api/users", json={"name": "Newcomer"}).json["id"]
    assert assignees(client, 3) == [4, 5, newcomer]

    # Leaving hands 3's three open tickets to the rotation (2, 4, 5) first.
    client.patch("/api/users/3", json={"active": False})
    handed_over = client.get("/api/tickets?raised_by=1&per_page=100").json["items"]
    assert [t["assigned_to"]["id"] for t in handed_over if t["id"] in (2, 6, 10)] == [
        5,
        4,
        2,
    ]
    assert assignees(client, 5) == [newcomer, 2, 4, 5, newcomer]


def test_create_user_returns_201_with_location(client):
    response = client.post(
        "/api/users", json={"name": "  Mae Jemison ", "contact": "mae@example.com"}
    )

    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/users/{response.json['id']}"
    assert response.json == {
        "id": response.json["id"],
        "name": "Mae Jemison",
        "contact": "mae@example.com",
        "email": None,
        "role": "agent",
        "active": True,
        "availability": "available",
        "assigned_count": 0,
        "open_count": 0,
    }


def test_list_users_is_paginated_in_join_order(client, team):
    response = client.get("/api/users?page=2&per_page=2")

    assert response.json["total"] == 5
    assert (response.json["page"], response.json["per_page"]) == (2, 2)
    assert [user["id"] for user in response.json["items"]] == [3, 4]


def test_member_counts_follow_their_tickets(client, team):
    assignees(client, 5)

    members = {u["id"]: u for u in client.get("/api/users").json["items"]}

    assert members[2]["assigned_count"] == 2 and members[2]["open_count"] == 2
    assert members[1]["assigned_count"] == 0


def test_patch_user_changes_only_the_given_fields(client, team):
    response = client.patch("/api/users/2", json={"contact": "+1 555 010 9999"})

    assert response.status_code == 200
    assert response.json["contact"] == "+1 555 010 9999"
    assert response.json["name"] == "Grace Hopper"
    assert client.patch("/api/users/2", json={"contact": None}).json["contact"] is None


def test_patch_active_false_takes_a_member_out_of_the_rotation(client, team):
    response = client.patch("/api/users/2", json={"active": False})

    assert response.json["active"] is False
    assert assignees(client, 2) == [3, 4]


def test_delete_user_without_tickets(client, team):
    assert client.delete("/api/users/5").status_code == 204
    assert client.get("/api/users/5").status_code == 404


def test_delete_user_with_tickets_is_refused(client, team):
    assignees(client, 1)

    for member in (1, 2):
        response = client.delete(f"/api/users/{member}")
        assert response.status_code == 409
        assert "deactivate" in response.json["error"]["message"]
    assert client.get("/api/users/2").status_code == 200


def test_user_tickets_lists_what_was_assigned_to_them(client, team):
    assignees(client, 6)

    response = client.get("/api/users/2/tickets")

    assert response.json["total"] == 2
    assert [t["id"] for t in response.json["items"]] == [5, 1]


def test_ticket_shape(client, team):
    response = api_ticket(client, description="VPN is down")

    assert response.status_code == 201
    assert response.headers["Location"] == "/api/tickets/1"
    ticket = client.get("/api/tickets/1").json
    assert ticket == response.json
    assert ticket["raised_by"] == {"id": 1, "name": "Ada Lovelace"}
    assert ticket["assigned_to"] == {"id": 2, "name": "Grace Hopper"}
    assert ticket["status"] == "open"
    assert ticket["created_at"].endswith("Z") and ticket["assigned_at"].endswith("Z")


def test_ticket_list_filters(client, team):
    assignees(client, 4)
    api_ticket(client, raised_by=2)  # wraps to 1

    def ids(query):
        return [t["id"] for t in client.get(f"/api/tickets?{query}").json["items"]]

    assert ids("") == [5, 4, 3, 2, 1]
    assert ids("assigned_to=3") == [2]
    assert ids("assigned_to=1") == [5]
    assert ids("raised_by=2") == [5]
    assert ids("status=open&raised_by=1&per_page=2") == [4, 3]


def test_unassigned_filter(client, team):
    for member in (2, 3, 4, 5):
        client.patch(f"/api/users/{member}", json={"active": False})
    api_ticket(client)

    items = client.get("/api/tickets?assigned_to=none").json["items"]

    assert [t["assigned_to"] for t in items] == [None]


def test_rotation_endpoint(client, team):
    assignees(client, 2)

    body = client.get("/api/rotation?preview=6").json

    assert [m["id"] for m in body["order"]] == [1, 2, 3, 4, 5]
    assert body["last_assigned"] == {"id": 3, "name": "Alan Turing"}
    assert [m["id"] for m in body["preview"]] == [4, 5, 1, 2, 3, 4]
    assert cursor() == 3


def test_rotation_preview_defaults_to_five_and_can_skip_a_requester(client, team):
    assert len(client.get("/api/rotation").json["preview"]) == 5

    body = client.get("/api/rotation?preview=4&raised_by=1").json
    assert [m["id"] for m in body["preview"]] == [2, 3, 4, 5]
    assert assignees(client, 4) == [2, 3, 4, 5]


def test_nobody_but_the_requester_active_gives_201_unassigned(client, team):
    assignees(client, 1)
    for member in (2, 3, 4, 5):
        client.patch(f"/api/users/{member}", json={"active": False})
    before = cursor()

    response = api_ticket(client)

    assert response.status_code == 201
    assert response.json["assigned_to"] is None
    assert cursor() == before


def test_database_error_mid_save_saves_nothing_and_keeps_the_cursor(app, client, team):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assignees(client, 1)

    def fail(mapper, connection, target):
        raise OperationalError("INSERT INTO tickets", {}, Exception("disk I/O error"))

    event.listen(Ticket, "after_insert", fail)
    try:
        response = api_ticket(client)
    finally:
        event.remove(Ticket, "after_insert", fail)

    assert response.status_code == 500
    assert response.json["error"]["status"] == 500
    assert ticket_count() == 1
    assert cursor() == 2
    assert assignees(client, 1) == [3]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"raised_by": 1}, "description"),
        *[
            ({"description": text, "raised_by": 1}, "description")
            for text in BAD_DESCRIPTIONS
        ],
        ({"description": 42, "raised_by": 1}, "description"),
        ({"description": None, "raised_by": 1}, "description"),
        ({"description": "x", "raised_by": "1"}, "raised_by"),
        ({"description": "x", "raised_by": True}, "raised_by"),
        ({"description": "x", "raised_by": 1.5}, "raised_by"),
        ({"description": "x", "raised_by": -1}, "raised_by"),
        ({"description": "x", "raised_by": 10**30}, "raised_by"),
        ({"description": "x", "raised_by": 99}, "raised_by"),
        ({"description": "x", "raised_by": 1, "priority": "high"}, "priority"),
    ],
)
def test_invalid_ticket_is_refused_with_422_and_changes_nothing(
    client, team, body, field
):
    assignees(client, 1)

    response = client.post("/api/tickets", json=body)

    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert ticket_count() == 1
    assert assignees(client, 1) == [3]


def test_description_at_the_limit_is_accepted(client, team):
    response = api_ticket(client, description="x" * 2000)

    assert response.status_code == 201
    assert len(response.json["description"]) == 2000


def test_raised_by_defaults_to_the_tokens_member(client, team):
    response = client.post("/api/tickets", json={"description": "Mine"})

    assert response.status_code == 201
    assert response.json["raised_by"]["id"] == 1


def test_an_inactive_member_cannot_raise_tickets(client, team):
    client.patch("/api/users/3", json={"active": False})

    response = api_ticket(client, raised_by=3)

    assert response.status_code == 422
    assert "no longer active" in response.json["error"]["fields"]["raised_by"]


@pytest.mark.parametrize(
    "kwargs, status, message",
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "valid JSON"),
        ({"data": "[1, 2]", "content_type": "application/json"}, 400, "JSON object"),
        ({"data": "null", "content_type": "application/json"}, 400, "valid JSON"),
        ({"data": "description=x&raised_by=1"}, 415, "application/json"),
        (
            {"data": '{"description": "x"}', "content_type": "text/plain"},
            415,
            "application/json",
        ),
        (
            {"data": "x" * 100_000, "content_type": "application/json"},
            413,
            "too large",
        ),
    ],
)
def test_malformed_bodies_get_a_json_error(client, team, kwargs, status, message):
    response = client.post("/api/tickets", **kwargs)

    assert response.status_code == status
    assert message in response.json["error"]["message"]
    assert ticket_count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        *[({"name": name}, "name") for name in BAD_NAMES],
        *[({"name": "Bo", "contact": contact}, "contact") for contact in BAD_CONTACTS],
        ({"name": "Bo", "active": "yes"}, "active"),
        ({"name": ["Bo"]}, "name"),
    ],
)
def test_invalid_member_is_refused_with_422(client, body, field):
    response = client.post("/api/users", json=body)

    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert client.get("/api/users").json["total"] == 5


@pytest.mark.parametrize(
    "url",
    [
        "/api/users/99",
        "/api/tickets/99",
        "/api/users/0",
        "/api/users/-1",
        "/api/users/99999999999999999999",
        "/api/users/abc",
        "/api/nothing-here",
        "/api/users/99/tickets",
    ],
)
def test_missing_things_are_json_404s(client, team, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_wrong_method_is_a_json_405(client, team):
    response = client.put("/api/users/1", json={})

    assert response.status_code == 405
    assert "PATCH" in response.headers["Allow"]


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=abc", "per_page=1000", "per_page=-1", "page=" + "9" * 5000],
)
def test_bad_paging_parameters_are_400(client, query):
    response = client.get(f"/api/tickets?{query}")

    assert response.status_code == 400
    assert response.json["error"]["fields"]


@pytest.mark.parametrize(
    "query", ["status=lost", "assigned_to=someone", "raised_by=0", "preview=500"]
)
def test_bad_filters_are_400(client, query):
    url = "/api/rotation" if query.startswith("preview") else "/api/tickets"

    assert client.get(f"{url}?{query}").status_code == 400
