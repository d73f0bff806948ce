"""A ticket's own page: its status buttons, reassignment by hand and the
timeline that says why the ticket is with whoever has it."""

import re

import pytest

from tests.e2e.helpers import (
    ADA,
    GRACE,
    api,
    expect,
    expected_assignees,
    raise_tickets,
)

pytestmark = pytest.mark.e2e


def status_badge(page):
    """The status badge beside the ticket's heading."""
    return page.get_by_role("heading", level=1).locator(".badge")


def status_buttons(page):
    """The labels of the status buttons, in page order."""
    section = page.locator("section", has=page.locator("#status-heading"))
    return [text.strip() for text in section.get_by_role("button").all_inner_texts()]


def holder(page):
    """Who the ticket page says has the ticket."""
    return page.locator("dt:has-text('Assigned to') + dd")


def test_status_buttons_move_a_ticket_through_its_lifecycle(server, admin):
    ticket = raise_tickets(server, 1, text="Monitor flickers")[0]
    name = ticket["assigned_to"]["name"]
    admin.goto(f"/tickets/{ticket['id']}")
    expect(status_badge(admin)).to_have_text("Open")
    assert status_buttons(admin) == [
        "Mark in progress",
        "Mark resolved",
        "Mark closed",
    ]

    steps = [
        (
            "Mark in progress",
            "In progress",
            ["Mark open", "Mark resolved", "Mark closed"],
        ),
        ("Mark resolved", "Resolved", ["Reopen", "Mark closed"]),
        ("Mark closed", "Closed", ["Reopen"]),
        ("Reopen", "Open", None),
    ]
    for button, label, next_buttons in steps:
        admin.get_by_role("button", name=button, exact=True).click()
        expect(admin.get_by_role("alert")).to_have_text(
            f"Ticket #{ticket['id']} is now {label.lower()} ({name})."
        )
        expect(status_badge(admin)).to_have_text(label)
        if next_buttons:
            assert sorted(status_buttons(admin)) == sorted(next_buttons)
        # Finished tickets cannot be reassigned; open work can.
        reassign = admin.get_by_role("heading", name="Reassign by hand")
        expect(reassign).to_have_count(1 if label in ("Open", "In progress") else 0)

    # Reopened with its assignee still eligible: it goes back to them.
    expect(holder(admin)).to_have_text(name)
    expect(admin.locator("#history-heading ~ ol")).to_contain_text(
        f"Reopened: returned to {name}, who still holds it."
    )
    assert api(server, "GET", f"/api/tickets/{ticket['id']}")["status"] == "open"


def test_reassigning_by_hand_needs_a_reason_and_shows_it_in_the_timeline(server, admin):
    ticket = raise_tickets(server, 1, text="Printer jams on page two")[0]
    was_with = ticket["assigned_to"]["name"]
    turns_before = expected_assignees(server, 3, raised_by=1)
    admin.goto(f"/tickets/{ticket['id']}")
    form = admin.locator("section", has=admin.locator("#reassign-heading"))
    choices = form.get_by_label("Give it to").locator("option").all_inner_texts()
    # Neither the requester nor the current holder is offered.
    assert ADA not in choices and was_with not in choices
    new_holder = next(name for name in choices if "(away)" not in name)

    # Without a reason nothing moves, and the form says why.
    form.get_by_label("Give it to").select_option(label=new_holder)
    form.get_by_role("button", name="Reassign").click()
    reason = admin.get_by_label("Reason")
    expect(reason).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(admin.locator("#reason ~ .invalid-feedback")).to_contain_text("Reason")
    expect(holder(admin)).to_have_text(was_with)
    assert (
        api(server, "GET", f"/api/tickets/{ticket['id']}")["assigned_to"]
        == (ticket["assigned_to"])
    )

    form = admin.locator("section", has=admin.locator("#reassign-heading"))
    form.get_by_label("Give it to").select_option(label=new_holder)
    form.get_by_label("Reason").fill("Knows this printer model")
    form.get_by_role("button", name="Reassign").click()

    expect(admin.get_by_role("alert")).to_have_text(
        f"Ticket #{ticket['id']} was reassigned to {new_holder}."
    )
    expect(holder(admin)).to_have_text(new_holder)
    expect(
        admin.get_by_role("heading", name=f"Why it is with {new_holder}")
    ).to_be_visible()
    entries = admin.locator("#history-heading ~ ol > li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(f"Submitted: assigned to {was_with}")
    expect(entries.nth(1)).to_contain_text(
        f"Reassigned by hand: moved from {was_with} to {new_holder}. "
        "Reason: Knows this printer model"
    )
    # A move by hand leaves everyone's turns where they were.
    assert expected_assignees(server, 3, raised_by=1) == turns_before


def test_an_agent_works_their_own_ticket_but_cannot_reassign_it(server, agent):
    # Raised by Ada and handed to Grace, so the test does not depend on turns.
    ticket = raise_tickets(server, 1, text="Badge reader beeps")[0]
    if ticket["assigned_to"]["name"] != GRACE:
        api(
            server,
            "POST",
            f"/api/tickets/{ticket['id']}/reassign",
            {"assigned_to": 2, "reason": "Grace is on the floor today"},
        )
    agent.goto(f"/tickets/{ticket['id']}")

    expect(holder(agent)).to_have_text(GRACE)
    expect(agent.get_by_role("heading", name="Reassign by hand")).to_have_count(0)
    agent.get_by_role("button", name="Mark in progress").click()
    expect(agent.get_by_role("alert")).to_have_text(
        f"Ticket #{ticket['id']} is now in progress ({GRACE})."
    )

    # Someone else's ticket has no status buttons for her.
    other = raise_tickets(server, 1, raised_by=2, text="Not Grace's")[0]
    agent.goto(f"/tickets/{other['id']}")
    expect(agent.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"Ticket #{other['id']}\b")
    )
    expect(agent.get_by_role("heading", name="Change status")).to_have_count(0)
