"""The ticket list: filters chosen in the form stay in the URL and survive
paging through the results."""

import math
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.helpers import GRACE, api, expect, raise_tickets, ticket_count

pytestmark = pytest.mark.e2e

PER_PAGE = 20


@pytest.fixture(scope="module")
def graces_tickets(server):
    """More open tickets raised by Grace than fit on one page, and one of
    hers in progress that the status filter must leave out."""
    tickets = raise_tickets(server, PER_PAGE + 7, raised_by=2, text="Grace's request")
    api(server, "PATCH", f"/api/tickets/{tickets[0]['id']}", {"status": "in_progress"})
    return tickets


def query(page):
    """The page's query string as a dict of single values."""
    return {
        key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()
    }


def shown_ids(page):
    """The ticket numbers listed on the page, top to bottom."""
    cells = page.locator("table tbody tr td:first-child")
    return [int(text) for text in cells.all_inner_texts()]


def rows_say(page, column, text):
    """Whether every listed row has ``text`` in the given column (1-based)."""
    cells = page.locator(f"table tbody tr td:nth-child({column})")
    return all(cell.strip() == text for cell in cells.all_inner_texts())


def test_filters_survive_paging_and_stay_in_the_url(server, admin, graces_tickets):
    total = ticket_count(server, status="open", raised_by=2)
    pages = math.ceil(total / PER_PAGE)
    assert pages >= 2
    admin.goto("/tickets/")

    admin.get_by_label("Status").select_option(label="Open")
    admin.get_by_label("Raised by").select_option(label=GRACE)
    admin.get_by_role("button", name="Filter").click()

    expect(admin).to_have_url(re.compile(r"raised_by=2"))
    assert query(admin) == {"status": "open", "raised_by": "2"}
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Tickets ({total})")
    first_page = shown_ids(admin)
    assert len(first_page) == PER_PAGE
    assert rows_say(admin, 3, GRACE) and rows_say(admin, 5, "Open")
    assert graces_tickets[0]["id"] not in first_page

    paging = admin.get_by_role("navigation", name="Page navigation")
    paging.get_by_role("link", name="2", exact=True).click()

    expect(admin).to_have_url(re.compile(r"page=2"))
    # The link says where page 2 starts: right after page 1's last ticket.
    assert query(admin) == {
        "status": "open",
        "raised_by": "2",
        "page": "2",
        "after": str(first_page[-1]),
    }
    expect(admin.get_by_label("Status")).to_have_value("open")
    expect(admin.get_by_label("Raised by")).to_have_value("2")
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Tickets ({total})")
    second_page = shown_ids(admin)
    assert len(second_page) == min(PER_PAGE, total - PER_PAGE)
    assert rows_say(admin, 3, GRACE) and rows_say(admin, 5, "Open")
    # Newest first, with nothing repeated or skipped between the pages.
    listed = first_page + second_page
    assert listed == sorted(listed, reverse=True)
    assert len(set(listed)) == len(listed)
    assert paging.locator(".active").inner_text().strip() == "2"

    # The arrow back keeps the filters too.
    paging.get_by_role("link", name="«").click()
    assert query(admin) == {
        "status": "open",
        "raised_by": "2",
        "page": "1",
        "before": str(second_page[0]),
    }
    assert shown_ids(admin) == first_page


def test_every_ticket_is_on_exactly_one_page(server, admin, graces_tickets):
    total = ticket_count(server, raised_by=2)
    seen = []
    for number in range(1, math.ceil(total / PER_PAGE) + 1):
        admin.goto(f"/tickets/?raised_by=2&page={number}")
        seen += shown_ids(admin)
    listed = api(server, "GET", "/api/tickets?raised_by=2&per_page=100")["items"]
    assert seen == [ticket["id"] for ticket in listed]


def test_clear_drops_every_filter(server, admin, graces_tickets):
    admin.goto("/tickets/?status=in_progress&raised_by=2")
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        f"Tickets ({ticket_count(server, status='in_progress', raised_by=2)})"
    )

    admin.get_by_role("link", name="Clear").click()

    expect(admin).to_have_url(re.compile(r"/tickets/$"))
    expect(admin.get_by_label("Status")).to_have_value("")
    expect(admin.get_by_label("Raised by")).to_have_value("")
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        f"Tickets ({ticket_count(server)})"
    )
