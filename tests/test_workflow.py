"""Availability, the unassigned queue, the ticket lifecycle and reassignment."""

import pytest

from app.exceptions import Conflict, InvalidValue
from app.extensions import db
from app.models import AssignmentEvent, Ticket, TicketStatus
from app.tickets.service import (
    change_status,
    reassign_ticket,
    submit_ticket,
    ticket_history,
)
from app.users.service import update_user
from tests.conftest import api_ticket, assignees, cursor, form_post


def raise_tickets(count, raised_by=1):
    return [
        submit_ticket(f"t{n}", raised_by).ticket.assigned_to_id for n in range(count)
    ]


def owner(ticket_id):
    db.session.rollback()
    return db.session.get(Ticket, ticket_id).assigned_to_id


def events(ticket_id):
    db.session.rollback()
    return [(e.trigger, e.method, e.to_user_id) for e in ticket_history(ticket_id)]


# Availability


def test_away_members_are_passed_over_and_keep_their_tickets(team):
    assert raise_tickets(2) == [2, 3]

    update_user(3, availability="away")

    assert raise_tickets(4) == [4, 5, 2, 4]
    assert owner(2) == 3


def test_coming_back_from_away_gives_no_burst_of_missed_tickets(team):
    update_user(3, availability="away")
    assert raise_tickets(6) == [2, 4, 5, 2, 4, 5]

    update_user(3, availability="available")

    assert raise_tickets(4) == [2, 3, 4, 5]


def test_availability_over_the_api(client, team):
    response = client.patch("/api/users/2", json={"availability": "away"})

    assert response.json["availability"] == "away"
    assert assignees(client, 2) == [3, 4]
    invalid = client.patch("/api/users/2", json={"availability": "on holiday"})
    assert invalid.status_code == 422
    assert "availability" in invalid.json["error"]["fields"]


def test_deactivating_hands_unfinished_tickets_to_the_rotation_oldest_first(team):
    raise_tickets(8)  # 3 holds tickets 2 and 6
    change_status(2, TicketStatus.IN_PROGRESS)
    raise_tickets(1)  # ticket 9 to 2
    change_status(9, TicketStatus.RESOLVED)
    submit_ticket("from 4", 4)  # ticket 10 to 3
    change_status(10, TicketStatus.RESOLVED)

    update_user(3, active=False)

    assert (owner(2), owner(6)) == (4, 5)
    assert owner(10) == 3
    assert events(2)[-1] == ("deactivated", "rotation", 4)


def test_handover_passes_over_the_tickets_requester(team):
    submit_ticket("from 3", 3)  # to 2
    update_user(4, availability="away")
    update_user(5, availability="away")

    update_user(2, active=False)  # next would be 3, who raised it: goes to 1

    assert owner(1) == 1


def test_handover_with_nobody_eligible_leaves_tickets_unassigned(client, team):
    raise_tickets(1)
    for member in (3, 4, 5):
        update_user(member, availability="away")
    before = cursor()

    update_user(2, active=False)

    assert owner(1) is None
    assert cursor() == before
    assert events(1)[-1] == ("deactivated", "none", None)
    assert client.get("/api/tickets?assigned_to=none").json["total"] == 1


# The unassigned queue


def everyone_away():
    for member in (1, 2, 3, 4, 5):
        update_user(member, availability="away")


def test_with_everyone_away_tickets_wait_and_drain_to_the_first_back(team):
    everyone_away()
    assert raise_tickets(4) == [None] * 4

    update_user(3, availability="available")

    assert [owner(t) for t in (1, 2, 3, 4)] == [3, 3, 3, 3]
    assert [events(t)[-1][0] for t in (1, 2, 3, 4)] == ["drained"] * 4

    update_user(4, availability="available")

    assert [owner(t) for t in (1, 2, 3, 4)] == [3, 3, 3, 3]


def test_the_queue_drains_oldest_first_through_the_rotation(team):
    everyone_away()
    raise_tickets(3)
    update_user(1, availability="available")  # the requester: still nobody else

    update_user(2, active=False)
    update_user(2, active=True)  # inactive then active, but still away
    assert [owner(t) for t in (1, 2, 3)] == [None] * 3

    update_user(4, availability="available")
    assert [owner(t) for t in (1, 2, 3)] == [4, 4, 4]


def test_adding_a_member_drains_the_queue(client, team):
    everyone_away()
    api_ticket(client)
    api_ticket(client)

    newcomer = client.post("/api/users", json={"name": "Newcomer"}).json["id"]

    owners = [t["assigned_to"]["id"] for t in client.get("/api/tickets").json["items"]]
    assert owners == [newcomer, newcomer]


def test_reactivating_a_member_drains_the_queue(team):
    for member in (2, 3, 4):
        update_user(member, active=False)
    update_user(5, availability="away")
    raise_tickets(2)

    update_user(3, active=True)

    assert (owner(1), owner(2)) == (3, 3)


def test_queued_tickets_whose_requester_is_the_only_one_back_keep_waiting(team):
    everyone_away()
    submit_ticket("from 2", 2)
    submit_ticket("from 1", 1)

    update_user(2, availability="available")

    assert (owner(1), owner(2)) == (None, 2)


def test_the_queue_over_the_api_and_on_the_pages(client, team):
    everyone_away()
    api_ticket(client)

    queue = client.get("/api/tickets?assigned_to=none").json
    home = client.get("/").get_data(as_text=True)
    page = client.get("/tickets/unassigned").get_data(as_text=True)

    assert queue["total"] == 1
    assert "1 ticket is waiting" in home
    assert 'href="/tickets/1"' in page


# The ticket lifecycle

TRANSITIONS = [
    (start, target)
    for start in TicketStatus.ALL
    for target in TicketStatus.ALL
    if start != target
]


def move_to(ticket_id, status):
    """Walk a fresh ticket to ``status`` through allowed steps."""
    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.IN_PROGRESS):
        change_status(ticket_id, status)


@pytest.mark.parametrize("start, target", TRANSITIONS)
def test_only_allowed_status_changes_are_accepted(client, team, start, target):
    api_ticket(client)
    move_to(1, start)

    response = client.patch("/api/tickets/1", json={"status": target})

    if target in TicketStatus.NEXT[start]:
        assert response.status_code == 200
        assert response.json["status"] == target
    else:
        assert response.status_code == 409
        assert f"is {start}" in response.json["error"]["message"]


def test_an_unknown_status_is_422(client, team):
    api_ticket(client)

    response = client.patch("/api/tickets/1", json={"status": "done"})

    assert response.status_code == 422
    assert "status" in response.json["error"]["fields"]


def test_reopening_returns_the_ticket_to_an_eligible_assignee(client, team):
    api_ticket(client)  # to 2
    client.patch("/api/tickets/1", json={"status": "closed"})
    api_ticket(client)  # to 3

    response = client.patch("/api/tickets/1", json={"status": "open"})

    assert response.json["assigned_to"]["id"] == 2
    assert cursor() == 3
    assert events(1)[-1] == ("reopened", "returned", 2)


def test_a_ticket_closed_by_a_member_who_then_leaves_reopens_through_the_rotation(
    team,
):
    raise_tickets(2)  # ticket 1 to 2, ticket 2 to 3
    change_status(1, TicketStatus.CLOSED)
    update_user(2, active=False)

    change_status(1, TicketStatus.OPEN)

    assert owner(1) == 4
    assert cursor() == 4
    assert events(1)[-1] == ("reopened", "rotation", 4)


def test_reopening_for_an_away_assignee_goes_through_the_rotation(team):
    raise_tickets(1)
    change_status(1, TicketStatus.RESOLVED)
    update_user(2, availability="away")

    change_status(1, TicketStatus.OPEN)

    assert owner(1) == 3


def test_assignment_never_depends_on_what_people_do_with_their_tickets(team):
    raise_tickets(4)
    for ticket_id in (2, 3, 4):  # everyone but 2 finishes their work
        change_status(ticket_id, TicketStatus.RESOLVED)

    assert raise_tickets(8) == [2, 3, 4, 5, 2, 3, 4, 5]


def test_open_work_counts_open_and_in_progress(client, team):
    assignees(client, 12)  # 2 gets tickets 1, 5, 9
    client.patch("/api/tickets/5", json={"status": "in_progress"})
    client.patch("/api/tickets/9", json={"status": "resolved"})

    member = client.get("/api/users/2").json

    assert (member["assigned_count"], member["open_count"]) == (3, 2)


def test_lists_filter_by_status(client, team):
    assignees(client, 8)
    client.patch("/api/tickets/5", json={"status": "resolved"})

    resolved = client.get("/api/tickets?status=resolved").json["items"]
    mine = client.get("/api/users/2/tickets?status=open").json["items"]
    page = client.get("/users/2?status=resolved").get_data(as_text=True)
    listing = client.get("/tickets/?status=resolved").get_data(as_text=True)

    assert [t["id"] for t in resolved] == [5]
    assert [t["id"] for t in mine] == [1]
    assert 'href="/tickets/5"' in page and 'href="/tickets/1"' not in page
    assert 'href="/tickets/5"' in listing and 'href="/tickets/1"' not in listing


# Reassignment by hand


def test_reassignment_moves_the_ticket_but_not_the_rotation(client, team):
    api_ticket(client)  # to 2

    response = client.post(
        "/api/tickets/1/reassign", json={"assigned_to": 4, "reason": "Knows VPNs"}
    )

    assert response.status_code == 200
    assert response.json["assigned_to"]["id"] == 4
    assert cursor() == 2
    history = client.get("/api/tickets/1/history").json["items"]
    assert history[-1]["method"] == "manual"
    assert history[-1]["reason"] == "Knows VPNs"
    assert history[-1]["from"]["id"] == 2 and history[-1]["to"]["id"] == 4
    assert assignees(client, 1) == [3]


def test_reassignment_to_an_away_member_is_allowed(team):
    raise_tickets(1)
    update_user(4, availability="away")

    reassign_ticket(1, 4, "Back tomorrow, owns this system")

    assert owner(1) == 4


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"assigned_to": 4}, 422, "reason"),
        ({"assigned_to": 4, "reason": "   "}, 422, "reason"),
        ({"assigned_to": 4, "reason": "x" * 501}, 422, "reason"),
        ({"assigned_to": 3, "reason": "left"}, 422, "assigned_to"),
        ({"assigned_to": 99, "reason": "who?"}, 422, "assigned_to"),
        ({"assigned_to": 1, "reason": "raised it"}, 422, "assigned_to"),
        ({"assigned_to": 2, "reason": "already"}, 409, "assigned_to"),
        ({"reason": "nobody"}, 422, "assigned_to"),
    ],
)
def test_refused_reassignments(client, team, body, status, field):
    api_ticket(client)  # to 2
    client.patch("/api/users/3", json={"active": False})

    response = client.post("/api/tickets/1/reassign", json=body)

    assert response.status_code == status
    assert field in response.json["error"]["fields"]
    assert owner(1) == 2


def test_finished_tickets_cannot_be_reassigned(team):
    raise_tickets(1)
    change_status(1, TicketStatus.CLOSED)

    with pytest.raises(Conflict):
        reassign_ticket(1, 4, "late")


def test_reassigning_a_queued_ticket_takes_it_out_of_the_queue(team):
    everyone_away()
    raise_tickets(1)
    update_user(2, active=True)

    reassign_ticket(1, 2, "Picking it up")

    assert owner(1) == 2


def test_reassignment_rules_on_the_service(team):
    raise_tickets(1)
    with pytest.raises(InvalidValue):
        reassign_ticket(1, 3, "")
    with pytest.raises(InvalidValue):
        reassign_ticket(1, 1, "requester")


# The history explains every decision


def test_history_records_the_rotation_decision_with_its_reasons(client, team):
    api_ticket(client)  # to 2, cursor None -> 2
    client.patch("/api/users/4", json={"availability": "away"})
    client.patch("/api/users/5", json={"active": False})
    api_ticket(client, raised_by=3)  # after 2: 3 raised it, 4 away, 5 inactive -> 1

    first = client.get("/api/tickets/1/history").json["items"]
    second = client.get("/api/tickets/2/history").json["items"]

    assert first[0]["trigger"] == "submitted" and first[0]["method"] == "rotation"
    assert (first[0]["cursor_before"], first[0]["cursor_after"]) == (None, 2)
    assert first[0]["passed_over"] == [{"id": 1, "reason": "requester"}]
    assert second[0]["to"]["id"] == 1
    assert second[0]["passed_over"] == [
        {"id": 3, "reason": "requester"},
        {"id": 4, "reason": "away"},
        {"id": 5, "reason": "inactive"},
    ]


def test_history_of_an_unknown_ticket_is_404(client):
    assert client.get("/api/tickets/9/history").status_code == 404


def test_the_ticket_page_shows_the_timeline(client, team):
    api_ticket(client)
    client.post(
        "/api/tickets/1/reassign", json={"assigned_to": 3, "reason": "Owns printers"}
    )

    page = client.get("/tickets/1").get_data(as_text=True)

    assert "by the rotation" in page
    assert "Owns printers" in page
    assert "raised it" in page


def test_every_change_of_assignee_is_recorded(team):
    raise_tickets(6)
    update_user(3, active=False)
    reassign_ticket(1, 5, "swap")
    change_status(1, TicketStatus.CLOSED)
    change_status(1, TicketStatus.OPEN)

    db.session.rollback()
    for ticket in db.session.scalars(db.select(Ticket)):
        history = ticket_history(ticket.id)
        assert history[-1].to_user_id == ticket.assigned_to_id
    assert db.session.scalar(db.select(db.func.count(AssignmentEvent.id))) == 10


# The same actions from the pages


def test_marking_a_member_away_from_the_team_table(client, team):
    response = form_post(
        client,
        "/users/3/availability",
        {"availability": "away", "return_to": "home"},
        "/",
    )

    assert response.headers["Location"] == "/"
    assert "Alan Turing is away" in client.get("/").get_data(as_text=True)
    assert assignees(client, 2) == [2, 4]


def test_coming_back_from_the_member_page_drains_the_queue(client, team):
    everyone_away()
    api_ticket(client)

    response = form_post(
        client, "/users/4/availability", {"availability": "available"}, "/users/4"
    )

    assert response.headers["Location"] == "/users/4"
    assert owner(1) == 4


def test_a_bad_availability_value_changes_nothing(client, team):
    form_post(client, "/users/3/availability", {"availability": "gone"}, "/users/3")

    assert client.get("/api/users/3").json["availability"] == "available"


def test_status_buttons_follow_the_allowed_transitions(client, team):
    api_ticket(client)

    page = client.get("/tickets/1").get_data(as_text=True)
    response = form_post(
        client, "/tickets/1/status", {"status": "resolved"}, "/tickets/1"
    )
    resolved_page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Mark in progress" in page and "Reopen" not in page
    assert "is now resolved" in resolved_page
    assert "Reopen" in resolved_page and "Mark in progress" not in resolved_page


def test_a_disallowed_status_from_the_page_is_explained(client, team):
    api_ticket(client)
    client.patch("/api/tickets/1", json={"status": "closed"})

    response = form_post(
        client, "/tickets/1/status", {"status": "resolved"}, "/tickets/1"
    )

    assert "can move to open, not resolved" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_reassigning_from_the_ticket_page(client, team):
    api_ticket(client)

    response = form_post(
        client,
        "/tickets/1/reassign",
        {"assigned_to": 5, "reason": "Expert"},
        "/tickets/1",
    )

    assert response.status_code == 303
    assert owner(1) == 5 and cursor() == 2


def test_reassigning_without_a_reason_shows_the_error_inline(client, team):
    api_ticket(client)

    response = form_post(
        client, "/tickets/1/reassign", {"assigned_to": 5, "reason": " "}, "/tickets/1"
    )

    assert response.status_code == 422
    assert "Reason is required." in response.get_data(as_text=True)
    assert owner(1) == 2


def test_the_reassign_choices_leave_out_the_requester_and_the_holder(client, team):
    api_ticket(client)

    page = client.get("/tickets/1").get_data(as_text=True)
    choices = page.split('id="assigned_to"', 1)[1].split("</select>", 1)[0]

    assert "Ada Lovelace" not in choices and "Grace Hopper" not in choices
    assert "Alan Turing" in choices
