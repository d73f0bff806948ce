"""The pages on a phone: nothing pushes the page wider than the screen,
the navbar's links can all be reached, and wide tables scroll in place."""

import re

import pytest

from tests.e2e.helpers import ADMIN_EMAIL, expect, raise_tickets

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
PAGES = [
    "/",
    "/tickets/",
    "/tickets/{ticket}",
    "/tickets/unassigned",
    "/tickets/new",
    "/users/",
    "/users/2",
    "/users/1",
    "/users/new",
    "/docs/api",
]
NAV_LINKS = [
    "Dashboard",
    "Tickets",
    "Unassigned",
    "Members",
    "Submit a ticket",
    "Add a member",
]


@pytest.fixture(scope="module")
def ticket(server):
    """A ticket with a long, unbroken description, the kind that widens pages."""
    text = "Printer says: " + "E" * 120 + " (error code repeated on every page)"
    return raise_tickets(server, 1, text=text)[0]


@pytest.fixture(scope="module")
def phone(open_module_page):
    """A page signed in as Ada on a phone-sized touch screen.

    Not ``is_mobile``: Chromium's mobile mode zooms out to fit a page that
    is too wide, which widens ``window.innerWidth`` with it and would hide
    the very overflow these tests look for.
    """
    return open_module_page(ADMIN_EMAIL, viewport=PHONE, has_touch=True)


def overflow(page):
    """How many CSS pixels the page is wider than the screen (0: it fits)."""
    width, inner = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner == PHONE["width"]
    return width - inner


@pytest.mark.parametrize("path", PAGES)
def test_the_page_fits_a_phone_screen_without_sideways_scrolling(phone, ticket, path):
    phone.goto(path.format(ticket=ticket["id"]))
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert overflow(phone) <= 0


def test_the_sign_in_page_fits_a_phone_screen(open_page):
    page = open_page(viewport=PHONE, has_touch=True)
    page.goto("/sign-in")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert overflow(page) <= 0


def test_every_navbar_link_is_on_screen_and_works_on_a_phone(phone):
    phone.goto("/")
    navbar = phone.get_by_role("navigation").first
    for name in NAV_LINKS:
        box = navbar.get_by_role("link", name=name, exact=True).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            name,
            box,
        )

    navbar.get_by_role("link", name="Tickets", exact=True).tap()
    expect(phone).to_have_url(re.compile(r"/tickets/$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Tickets")


def test_a_wide_table_scrolls_inside_its_box_on_a_phone(phone, ticket):
    phone.goto("/tickets/")
    table = phone.locator(".table-responsive").first
    # The table is wider than the phone, and its box scrolls, not the page.
    assert table.evaluate("box => box.scrollWidth > box.clientWidth")
    assert overflow(phone) <= 0
    number = table.get_by_role("link", name=str(ticket["id"]), exact=True)
    number.scroll_into_view_if_needed()
    expect(number).to_be_in_viewport()
    assert table.evaluate("box => box.scrollLeft") == 0

    last_column = table.get_by_role("columnheader", name="Created (UTC)")
    last_column.scroll_into_view_if_needed()
    expect(last_column).to_be_in_viewport()
    assert table.evaluate("box => box.scrollLeft") > 0
    assert overflow(phone) <= 0
