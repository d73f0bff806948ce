"""The server-rendered pages, driven like a browser with CSRF switched on."""

import re
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Ticket, User
from tests.conftest import (
    BAD_CONTACTS,
    BAD_DESCRIPTIONS,
    BAD_NAMES,
    assignees,
    cursor,
    form_post,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def text(response):
    return response.get_data(as_text=True)


def ticket_count():
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Ticket.id)))


def submit_form(client, description="Monitor flickers", raised_by=1):
    return form_post(
        client, "/tickets/new", {"description": description, "raised_by": raised_by}
    )


def test_home_shows_the_team_the_rotation_and_totals(client, team):
    assignees(client, 2)

    page = text(client.get("/"))

    assert "Grace Hopper" in page and "katherine@example.com" in page
    assert "Next up: <strong>Katherine Johnson</strong>" in page
    assert "The last ticket went to Alan Turing." in page
    assert re.search(r"Tickets</div>\s*<div class=\"fs-4\">2</div>", page)


def test_home_says_when_nobody_can_take_tickets(client, team):
    for member in (1, 2, 3, 4, 5):
        client.patch(f"/api/users/{member}", json={"availability": "away"})

    page = text(client.get("/"))

    assert "Nobody is available" in page
    assert page.count("Mark available") == 5


def test_tickets_from_the_form_follow_the_rotation(client, team):
    responses = [submit_form(client) for _ in range(5)]

    assert [r.status_code for r in responses] == [303] * 5
    assert responses[0].headers["Location"] == "/tickets/1"
    owners = db.session.scalars(db.select(Ticket.assigned_to_id).order_by(Ticket.id))
    assert list(owners) == [2, 3, 4, 5, 2]


def test_the_flash_names_the_ticket_and_its_assignee(client, team):
    response = submit_form(client)

    page = text(client.get(response.headers["Location"]))
    assert "Ticket #1 was assigned to Grace Hopper." in page
    assert "Monitor flickers" in page


@pytest.mark.parametrize("description", BAD_DESCRIPTIONS)
def test_invalid_descriptions_get_an_inline_error_and_save_nothing(
    client, team, description
):
    assignees(client, 1)

    response = submit_form(client, description)

    assert response.status_code == 200
    assert "invalid-feedback" in text(response)
    assert ticket_count() == 1
    assert assignees(client, 1) == [3]


@pytest.mark.parametrize("raised_by", ["", "abc", "99"])
def test_a_bad_requester_gets_an_inline_error(client, team, raised_by):
    response = submit_form(client, raised_by=raised_by)

    assert response.status_code == 200
    assert "Choose the active team member" in text(response)
    assert ticket_count() == 0


def test_a_missing_description_field_gets_an_inline_error(client, team):
    response = form_post(client, "/tickets/new", {"raised_by": 1})

    assert "Description is required." in text(response)
    assert ticket_count() == 0


def test_the_form_keeps_what_was_typed_after_an_error(client, team):
    response = submit_form(client, "x" * 2001, raised_by=3)

    page = text(response)
    assert "at most 2000 characters" in page
    assert '<option selected value="3">' in page


def test_a_post_without_the_csrf_token_is_refused(client, team):
    response = client.post("/tickets/new", data={"description": "x", "raised_by": 1})

    assert response.status_code == 400
    assert "CSRF" in text(response)
    assert ticket_count() == 0
    assert cursor() is None


def test_with_only_the_requester_active_the_form_saves_unassigned(client, team):
    assignees(client, 1)
    for member in (2, 3, 4, 5):
        client.patch(f"/api/users/{member}", json={"active": False})
    before = cursor()

    response = submit_form(client)

    assert response.status_code == 303
    assert "waits unassigned" in text(client.get(response.headers["Location"]))
    assert cursor() == before


def test_the_ticket_form_lists_only_active_members(client, team):
    client.patch("/api/users/4", json={"active": False})

    page = text(client.get("/tickets/new"))

    assert "Grace Hopper" in page and "Katherine Johnson" not in page


def test_adding_a_member(client):
    response = form_post(
        client, "/users/new", {"name": "Mae Jemison", "contact": "+1 (555) 010-2000"}
    )

    assert response.status_code == 303
    member = db.session.scalar(db.select(User).where(User.name == "Mae Jemison"))
    assert member.contact == "+1 (555) 010-2000"
    assert "joined the team" in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    "data",
    [{"name": name} for name in BAD_NAMES]
    + [{"name": "Bo", "contact": contact} for contact in BAD_CONTACTS],
)
def test_invalid_members_get_inline_errors(client, data):
    response = form_post(client, "/users/new", data)

    assert response.status_code == 200
    assert "invalid-feedback" in text(response)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 5


def test_editing_a_member(client, team):
    response = form_post(
        client, "/users/2/edit", {"name": "Grace B. Hopper", "contact": ""}
    )

    assert response.status_code == 303
    member = db.session.get(User, 2)
    assert (member.name, member.contact) == ("Grace B. Hopper", None)


def test_deactivation_asks_first_and_changes_nothing_on_get(client, team):
    page = text(client.get("/users/3/deactivate"))

    assert "Deactivate Alan Turing?" in page
    assert db.session.get(User, 3).active is True


def test_deactivate_and_reactivate(client, team):
    assignees(client, 1)

    response = form_post(client, "/users/3/deactivate", {})
    assert response.status_code == 303
    assert assignees(client, 1) == [4]

    response = form_post(client, "/users/3/reactivate", {}, form_url="/users/3")
    assert "active again" in text(client.get(response.headers["Location"]))
    assert assignees(client, 4) == [5, 2, 3, 4]


def test_a_member_without_tickets_can_be_deleted(client, team):
    response = form_post(client, "/users/5/delete", {})

    assert response.headers["Location"] == "/"
    assert db.session.get(User, 5) is None


def test_a_member_with_tickets_cannot_be_deleted(client, team):
    assignees(client, 1)

    response = form_post(client, "/users/2/delete", {})

    assert "cannot be deleted" in text(client.get(response.headers["Location"]))
    assert db.session.get(User, 2) is not None


def test_member_page_lists_assigned_and_raised_tickets(client, team):
    assignees(client, 25)  # members 2-5 get 7, 6, 6, 6

    page = text(client.get("/users/2"))
    first_page = re.findall(r'href="/tickets/(\d+)"', page)
    raised_page = text(client.get("/users/1"))

    assert first_page == ["25", "21", "17", "13", "9", "5", "1"]
    assert "No tickets assigned yet." in raised_page
    assert "All tickets raised by Ada Lovelace" in raised_page


def test_member_page_paginates_assigned_tickets(app, client, team):
    app.config["PER_PAGE"] = 3
    assignees(client, 20)  # member 2 gets 1, 5, 9, 13, 17

    first = re.findall(r'href="/tickets/(\d+)"', text(client.get("/users/2")))
    second = re.findall(r'href="/tickets/(\d+)"', text(client.get("/users/2?page=2")))

    assert first == ["17", "13", "9"]
    assert second == ["5", "1"]


def test_ticket_list_is_newest_first_and_paginated(app, client, team):
    app.config["PER_PAGE"] = 4
    assignees(client, 6)

    first = re.findall(r'href="/tickets/(\d+)"', text(client.get("/tickets/")))
    second = text(client.get("/tickets/?page=2"))

    assert first == ["6", "5", "4", "3"]
    assert re.findall(r'href="/tickets/(\d+)"', second) == ["2", "1"]


def test_ticket_list_filters_by_requester(client, team):
    assignees(client, 2)
    client.post("/api/tickets", json={"description": "from 3", "raised_by": 3})

    page = text(client.get("/tickets/?raised_by=3"))

    assert re.findall(r'href="/tickets/(\d+)"', page) == ["3"]


@pytest.mark.parametrize("url", ["/nowhere", "/users/99", "/tickets/99", "/users/x"])
def test_missing_pages_are_friendly_404s(client, team, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_an_unexpected_error_shows_a_friendly_500(app, client, team, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(
        "app.main.ticket_totals", lambda: (_ for _ in ()).throw(RuntimeError("boom"))
    )

    response = client.get("/")

    assert response.status_code == 500
    assert "Something went wrong" in text(response)


def test_pages_load_bootstrap_from_the_app_itself(client, team):
    page = text(client.get("/"))
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)

    assert stylesheets and all(href.startswith("/") for href in stylesheets)
    for href in stylesheets:
        with client.get(href) as response:
            assert response.status_code == 200
    assert "cdn" not in page.lower()


def test_templates_have_no_inline_scripts_or_styles():
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), template
        assert "<style" not in source and "javascript:" not in source, template


def test_next_up_names_a_lone_member_once(client, team):
    for member in (2, 3, 4, 5):
        client.patch(f"/api/users/{member}", json={"availability": "away"})

    page = text(client.get("/"))

    assert "Next up: <strong>Ada Lovelace</strong> (the only one available)." in page


def listed(client, url):
    return re.findall(r'href="/tickets/(\d+)"', text(client.get(url)))


def test_the_ticket_list_searches_descriptions(client, team):
    for description in (
        "VPN drops hourly",
        "Printer jam",
        "vpn token expired",
        "50%_off",
    ):
        client.post("/api/tickets", json={"description": description})

    assert listed(client, "/tickets/?q=VPN") == ["3", "1"]
    assert listed(client, "/tickets/?q=vpn+token") == ["3"]
    assert listed(client, "/tickets/?q=%25_") == ["4"]
    assert listed(client, "/tickets/?q=nothing") == []


def test_the_ticket_list_sorts_and_keeps_filters_across_pages(app, client, team):
    app.config["PER_PAGE"] = 2
    for number in range(5):
        client.post("/api/tickets", json={"description": f"Disk {number}"})

    first = text(client.get("/tickets/?q=disk&sort=oldest"))

    assert re.findall(r'href="/tickets/(\d+)"', first) == ["1", "2"]
    assert "/tickets/?q=disk&amp;sort=oldest&amp;page=2" in first
    assert listed(client, "/tickets/?q=disk&sort=oldest&page=2") == ["3", "4"]


def test_the_unassigned_page_lists_the_queue_in_the_order_it_drains(client, team):
    for member_id in (2, 3, 4, 5):
        client.patch(f"/api/users/{member_id}", json={"availability": "away"})
    for number in range(3):
        client.post("/api/tickets", json={"description": f"Waiting {number}"})

    assert listed(client, "/tickets/unassigned") == ["1", "2", "3"]


def test_only_members_without_tickets_offer_a_delete_button(client, team):
    client.post("/api/tickets", json={"description": "Printer"})  # Ada -> Grace

    assert ">Delete</a>" not in text(client.get("/users/2"))
    assert ">Delete</a>" in text(client.get("/users/5"))


def test_the_days_chart_says_when_there_are_no_tickets(client, team):
    page = text(client.get("/"))

    assert "No tickets in these 30 days." in page and "Busiest day" not in page
    client.post("/api/tickets", json={"description": "Printer"})
    assert "Busiest day: 1 ticket. " in text(client.get("/"))


def test_the_dashboard_previews_the_queue_oldest_first(client, team):
    for member_id in (2, 3, 4, 5):
        client.patch(f"/api/users/{member_id}", json={"availability": "away"})
    for number in range(3):
        client.post("/api/tickets", json={"description": f"Waiting {number}"})

    page = text(client.get("/"))
    queue = page[page.index('id="queue-heading"') :]

    assert re.findall(r'href="/tickets/(\d+)"', queue)[:3] == ["1", "2", "3"]
