"""The rotation as people use it: tickets from the form, members joining,
going away and coming back, and the unassigned queue."""

import re

import pytest

from tests.e2e.helpers import (
    ADA,
    GRACE,
    api,
    expect,
    expected_assignees,
    members,
    set_availability,
    submit_ticket_form,
    ticket_count,
)

pytestmark = pytest.mark.e2e

ASSIGNED = re.compile(r"Ticket #(\d+) was assigned to (.+)\.")


def assignee_from_flash(message):
    """The name the flash message gives as the new ticket's assignee."""
    found = ASSIGNED.search(message)
    assert found, message
    return found.group(2)


def team_row(page, name):
    """The dashboard's team table row for the member called ``name``."""
    return page.locator("#team-heading ~ div table tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


def next_up(page):
    """The dashboard's line saying who the next turns go to."""
    return page.locator("#rotation-heading ~ p").first


def next_up_text(names):
    """That line, as it reads when the next turns go to ``names``: the
    later ones each named once, in turn order."""
    later = list(dict.fromkeys(names[1:]))
    if later and later != names[:1]:
        return f"Next up: {names[0]}, then {', '.join(later)}."
    return f"Next up: {names[0]} (the only one available)."


def test_form_tickets_go_to_each_next_member_in_turn(server, admin):
    team = {member["name"]: member for member in members(server)}
    eligible = sorted(
        member["id"]
        for member in team.values()
        if member["active"] and member["availability"] == "available"
    )
    eligible.remove(1)
    expected = expected_assignees(server, len(eligible) + 1, raised_by=1)

    got = []
    for number in range(len(expected)):
        ticket_id, message = submit_ticket_form(admin, f"Rotation check {number}")
        got.append(assignee_from_flash(message))
        # The ticket's own page agrees with the message.
        expect(admin.get_by_role("heading", level=1)).to_contain_text(
            f"Ticket #{ticket_id}"
        )
        assigned = admin.locator("dt:has-text('Assigned to') + dd")
        expect(assigned).to_have_text(got[-1])

    assert got == expected
    # Spelled out: each turn goes to the next member id up (2, 3, 4, 5 on
    # the seeded team; Ada raised them, so never to her), wrapping round
    # to the lowest after the highest, and one full cycle gives everyone one.
    ids = [team[name]["id"] for name in got]
    for previous, following in zip(ids, ids[1:], strict=False):
        higher = [i for i in eligible if i > previous]
        assert following == (higher[0] if higher else eligible[0]), ids
    assert sorted(ids[:-1]) == eligible


def test_a_members_page_lists_the_tickets_assigned_to_them(server, admin):
    turns = expected_assignees(server, 1, raised_by=1)
    ticket_id, message = submit_ticket_form(admin, "Projector shows only blue")
    holder = assignee_from_flash(message)
    assert holder == turns[0]
    member = next(m for m in members(server) if m["name"] == holder)

    admin.get_by_role("link", name=holder, exact=True).first.click()

    expect(admin.get_by_role("heading", level=1)).to_contain_text(holder)
    section = admin.locator("section", has=admin.locator("#assigned-heading"))
    row = section.locator("tbody tr").filter(
        has=admin.get_by_role("link", name=str(ticket_id), exact=True)
    )
    expect(row).to_contain_text("Projector shows only blue")
    expect(row).to_contain_text("Open")
    expect(section.locator("tbody tr")).to_have_count(member["assigned_count"])
    summary = admin.locator("dt:has-text('Tickets assigned') + dd")
    expect(summary).to_have_text(
        f"{member['assigned_count']} ({member['open_count']} open or in progress)"
    )

    # The raiser's page lists it under the tickets they raised.
    admin.get_by_role("link", name=ADA, exact=True).first.click()
    raised = admin.locator("section", has=admin.locator("#raised-heading"))
    expect(raised.get_by_role("link", name=str(ticket_id), exact=True)).to_be_visible()


def test_an_admin_adds_a_member_who_shows_in_the_team_and_takes_turns(server, admin):
    admin.goto("/")
    admin.get_by_role("navigation").first.get_by_role(
        "link", name="Add a member"
    ).click()
    admin.get_by_label("Name").fill("Margaret Hamilton")
    admin.get_by_label("Contact").fill("+1 617 555 0142")
    admin.get_by_label("Sign-in email").fill("margaret@example.com")
    admin.get_by_label("Role").select_option(label="Agent")
    admin.get_by_label("Password").fill("apollo-guidance")
    admin.get_by_role("button", name="Save member").click()

    expect(admin.get_by_role("alert")).to_have_text(
        re.compile(r"Margaret Hamilton joined the team as member #\d+\.")
    )
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Margaret Hamilton")

    admin.get_by_role("link", name="Dashboard").click()
    row = team_row(admin, "Margaret Hamilton")
    expect(row).to_contain_text("+1 617 555 0142")
    expect(row).to_contain_text("Available")
    expect(
        row.get_by_role("button", name="Mark away (Margaret Hamilton)")
    ).to_be_visible()

    # She joins at the end of the current cycle, and the dashboard's
    # preview of the next turns shows her there.
    preview = expected_assignees(server, 5)
    assert "Margaret Hamilton" in preview
    expect(next_up(admin)).to_have_text(next_up_text(preview))


def test_the_rotation_passes_over_a_member_marked_away_on_the_dashboard(server, admin):
    # Make the away member the very next one, so that passing over shows.
    away = expected_assignees(server, 1, raised_by=1)[0]
    admin.goto("/")
    team_row(admin, away).get_by_role("button", name=f"Mark away ({away})").click()

    expect(admin.get_by_role("alert")).to_contain_text(f"{away} is away")
    expect(team_row(admin, away)).to_contain_text("Away")
    # The dashboard previews the next five turns for anyone's ticket.
    preview = expected_assignees(server, 5)
    assert away not in preview
    expect(next_up(admin)).to_have_text(next_up_text(preview))

    # The next ticket from Ada was theirs by turn: it goes past them.
    turns = expected_assignees(server, 1, raised_by=1)
    _, message = submit_ticket_form(admin, f"While {away} is away")
    assert assignee_from_flash(message) == turns[0] != away
    expect(admin.locator("#history-heading ~ ol")).to_contain_text(f"{away} (away)")

    # Back again: they take their old place in id order, once per cycle,
    # with no catch-up burst.
    admin.goto("/")
    team_row(admin, away).get_by_role("button", name=f"Mark available ({away})").click()
    expect(admin.get_by_role("alert")).to_contain_text(
        f"{away} is available and back in the rotation."
    )
    expect(team_row(admin, away)).to_contain_text("Available")
    preview = expected_assignees(server, 5)
    assert preview.count(away) == 1
    expect(next_up(admin)).to_have_text(next_up_text(preview))


def test_tickets_wait_unassigned_while_everyone_else_is_away_then_drain(server, admin):
    others = [m for m in members(server) if m["id"] != 1 and m["active"]]
    try:
        # All but the last go away through the API; the last one from the
        # dashboard, as a team lead would.
        for member in others[:-1]:
            set_availability(server, member["id"], "away")
        last = others[-1]["name"]
        admin.goto("/")
        team_row(admin, last).get_by_role("button", name=f"Mark away ({last})").click()
        expect(admin.get_by_role("alert")).to_contain_text(f"{last} is away")
        # Only Ada is left, and she never gets her own tickets.
        expect(next_up(admin)).to_have_text(next_up_text([ADA] * 5))

        waiting = []
        for number in range(2):
            ticket_id, message = submit_ticket_form(admin, f"Nobody home {number}")
            assert message == (
                f"Ticket #{ticket_id} was saved but nobody else is available to "
                "take it, so it waits unassigned."
            )
            waiting.append(ticket_id)
        expect(admin.locator("dt:has-text('Assigned to') + dd")).to_contain_text(
            "Unassigned"
        )

        admin.get_by_role("link", name="Dashboard").click()
        banner = admin.get_by_role("status").filter(has_text="waiting")
        expect(banner).to_have_text(
            "2 tickets are waiting for someone to be available. "
            "See the unassigned queue"
        )
        queue = admin.locator("section", has=admin.locator("#queue-heading"))
        for ticket_id in waiting:
            expect(queue.get_by_role("link", name=f"#{ticket_id}")).to_be_visible()

        banner.get_by_role("link", name="See the unassigned queue").click()
        expect(admin.get_by_role("heading", level=1)).to_have_text("Unassigned (2)")
        for ticket_id in waiting:
            link = admin.get_by_role("link", name=str(ticket_id), exact=True)
            expect(link).to_be_visible()

        # Grace comes back: both waiting tickets go to her, oldest first.
        admin.get_by_role("link", name="Dashboard").click()
        team_row(admin, GRACE).get_by_role(
            "button", name=f"Mark available ({GRACE})"
        ).click()
        expect(admin.get_by_role("alert")).to_contain_text(f"{GRACE} is available")
        expect(admin.get_by_role("status").filter(has_text="waiting")).to_have_count(0)
        expect(queue).to_contain_text("Empty: every open ticket has someone.")

        admin.get_by_role("link", name="Unassigned").first.click()
        expect(admin.get_by_role("heading", level=1)).to_have_text("Unassigned (0)")
        expect(admin.get_by_text("Nothing is waiting")).to_be_visible()
        admin.goto(f"/tickets/{waiting[0]}")
        expect(admin.locator("dt:has-text('Assigned to') + dd")).to_have_text(GRACE)
        expect(admin.locator("#history-heading ~ ol")).to_contain_text(
            f"Taken from the unassigned queue: assigned to {GRACE} by the rotation"
        )
        for ticket_id in waiting:
            ticket = api(server, "GET", f"/api/tickets/{ticket_id}")
            assert ticket["assigned_to"]["name"] == GRACE
    finally:
        for member in others:
            set_availability(server, member["id"], "available")


def test_a_second_click_on_submit_while_the_first_is_on_its_way_makes_one_ticket(
    server, admin
):
    before = ticket_count(server)
    turns = expected_assignees(server, 2, raised_by=1)
    posts, first_answers = [], []

    def hold_first_answer(route):
        # The first submission reaches the app, but its answer never reaches
        # the page, as on a slow connection: the form stays on screen for a
        # second click, which Chromium sends as a second POST.
        posts.append(route.request)
        if len(posts) == 1:
            first_answers.append(route.fetch(max_redirects=0).status)
        else:
            route.continue_()

    admin.goto("/tickets/new")
    admin.route("**/tickets/new", hold_first_answer)
    admin.get_by_label("Description").fill("Clicked twice by habit")
    box = admin.get_by_role("button", name="Submit ticket", exact=True).bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # The mouse, not Locator.click, which would wait for the held answer.
    for _ in range(2):
        with admin.expect_request(lambda request: request.method == "POST"):
            admin.mouse.click(*centre)
    # Polls the address: the first navigation's abort is expected, not an error.
    expect(admin).to_have_url(re.compile(r"/tickets/\d+$"))
    for _ in range(50):
        # Lets the route handler finish reading the first answer (5 s at most).
        if first_answers:
            break
        admin.wait_for_timeout(100)

    assert len(posts) == 2 and first_answers == [303], (posts, first_answers)
    ticket_id = before + 1
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"Ticket #{ticket_id}\b")
    )
    # Whichever POST the app saw first made the ticket and the other got it
    # back; the page may say both, but only ever about this one ticket.
    expect(admin.get_by_role("alert").first).to_be_visible()
    messages = admin.get_by_role("alert").all_inner_texts()
    said = re.compile(
        rf"Ticket #{ticket_id} was (assigned to {turns[0]}|already submitted "
        r"from this form)\."
    )
    assert messages and all(said.fullmatch(m.strip()) for m in messages), messages
    assert ticket_count(server) == before + 1
    # The rotation moved once: the next ticket goes to the next member.
    assert expected_assignees(server, 1, raised_by=1) == turns[1:]
