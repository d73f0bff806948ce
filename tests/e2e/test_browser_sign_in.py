"""Signing in and out in a real browser, by mouse and by keyboard."""

import re

import pytest

from tests.e2e.helpers import (
    ADA,
    ADMIN_EMAIL,
    AGENT_EMAIL,
    GRACE,
    PASSWORD,
    expect,
    flash_text,
    sign_in,
)

pytestmark = pytest.mark.e2e

# Tab presses allowed to reach the sign-in button from the top of the page.
MAX_TABS = 10


def test_signing_in_greets_the_member_and_names_them_in_the_navbar(visitor):
    sign_in(visitor, ADMIN_EMAIL)

    expect(visitor).to_have_url(re.compile(r"/$"))
    expect(visitor.get_by_role("alert")).to_have_text("Signed in as Ada Lovelace.")
    navbar = visitor.get_by_role("navigation").first
    expect(navbar.get_by_role("link", name=f"{ADA} (admin)")).to_be_visible()
    expect(navbar.get_by_role("link", name="Add a member")).to_be_visible()


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(visitor):
    sign_in(visitor, ADMIN_EMAIL, password="not-the-password")

    expect(visitor).to_have_url(re.compile(r"/sign-in"))
    expect(visitor.get_by_role("alert")).to_have_text(
        "Wrong email or password, or the account is inactive."
    )
    expect(visitor.get_by_role("button", name="Sign out")).to_have_count(0)
    # The email stays typed in, the password does not.
    expect(visitor.get_by_label("Email")).to_have_value(ADMIN_EMAIL)
    expect(visitor.get_by_label("Password")).to_have_value("")


def test_a_visitor_signs_in_and_lands_on_the_page_they_asked_for(visitor):
    visitor.goto("/tickets/unassigned")

    expect(visitor).to_have_url(re.compile(r"/sign-in\?next=/tickets/unassigned$"))
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    visitor.get_by_label("Email").fill(AGENT_EMAIL)
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in").click()

    expect(visitor).to_have_url(re.compile(r"/tickets/unassigned$"))
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Unassigned")
    # Grace is an agent: no admin pages in her navbar.
    navbar = visitor.get_by_role("navigation").first
    expect(navbar.get_by_role("link", name=GRACE, exact=True)).to_be_visible()
    expect(navbar.get_by_role("link", name="Add a member")).to_have_count(0)


def focused(page):
    """A short description of the element that has the keyboard focus."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return el.id || el.name || el.textContent.trim() || el.tagName;
        }"""
    )


def test_tab_reaches_email_password_and_submit_in_order_and_enter_signs_in(
    visitor,
):
    visitor.goto("/sign-in")

    reached = []
    for _ in range(MAX_TABS):
        visitor.keyboard.press("Tab")
        reached.append(focused(visitor))
        if reached[-1] == "submit":
            break
    fields = [name for name in reached if name in ("email", "password", "submit")]
    assert fields == ["email", "password", "submit"], reached

    # Back to the email field, then type and submit without the mouse.
    visitor.keyboard.press("Shift+Tab")
    visitor.keyboard.press("Shift+Tab")
    assert focused(visitor) == "email"
    visitor.keyboard.type(AGENT_EMAIL)
    visitor.keyboard.press("Tab")
    visitor.keyboard.type(PASSWORD)
    visitor.keyboard.press("Enter")

    expect(visitor.get_by_role("alert")).to_have_text("Signed in as Grace Hopper.")


def test_signing_out_ends_the_session(agent):
    agent.goto("/")
    agent.get_by_role("button", name="Sign out").click()

    expect(agent).to_have_url(re.compile(r"/sign-in$"))
    assert flash_text(agent) == "Signed out."
    agent.goto("/tickets/")
    expect(agent).to_have_url(re.compile(r"/sign-in\?next="))
