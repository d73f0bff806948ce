"""The dashboard's figures follow the tickets: the totals, the fairness
chart and the tickets-per-day chart, read as a screen reader would."""

import re
from collections import Counter

import pytest

from tests.e2e.helpers import expect, expected_assignees, raise_tickets, ticket_count

pytestmark = pytest.mark.e2e

FAIRNESS_ROW = re.compile(r"(.+?): (\d+) assigned, ([\d.]+) expected\.")
DAY_BAR = re.compile(r"(\d{4}-\d{2}-\d{2}): (\d+)")


def fairness(page):
    """``{name: assigned}`` from the fairness chart's description, checked
    against the numbers drawn beside its bars."""
    desc = page.locator("#fairness-desc").text_content()
    rows = {name.strip(): int(n) for name, n, _ in FAIRNESS_ROW.findall(desc)}
    drawn = page.locator("svg[aria-labelledby^='fairness'] text.chart-value")
    assert [int(value) for value in drawn.all_text_contents()] == list(rows.values())
    return rows


def tickets_today(page):
    """``(date, count)`` of the tickets-per-day chart's last bar, which is today."""
    bars = page.locator("svg[aria-labelledby^='days'] rect title")
    date, count = DAY_BAR.fullmatch(bars.last.text_content().strip()).groups()
    return date, int(count)


def card(page, label):
    """The figure on the dashboard card with this label."""
    body = page.locator(".card-body").filter(has=page.get_by_text(label, exact=True))
    return body.locator(".fs-4")


def test_the_charts_and_totals_count_newly_submitted_tickets(server, admin):
    admin.goto("/")
    expect(
        admin.get_by_role("img", name=re.compile("^Tickets assigned by"))
    ).to_be_visible()
    before = fairness(admin)
    day, today_before = tickets_today(admin)
    rotation_total = int(
        re.search(
            r"\((\d+) in all\)", admin.locator("#fairness-heading ~ p").inner_text()
        ).group(1)
    )

    turns = expected_assignees(server, 6, raised_by=1)
    tickets = raise_tickets(server, 6, text="Chart check")
    assert [ticket["assigned_to"]["name"] for ticket in tickets] == turns
    admin.reload()

    after = fairness(admin)
    gained = Counter(turns)
    for name in after:
        assert after[name] == before.get(name, 0) + gained[name], name
    expect(admin.locator("#fairness-heading ~ p")).to_contain_text(
        f"({rotation_total + 6} in all)"
    )
    assert tickets_today(admin) == (day, today_before + 6)
    expect(admin.locator("#days-desc")).to_contain_text(f"{day}: {today_before + 6}.")
    expect(card(admin, "Tickets")).to_have_text(str(ticket_count(server)))


def test_the_fairness_window_is_chosen_in_the_url(server, admin):
    raise_tickets(server, 1, text="Window check")
    admin.goto("/")
    window = admin.get_by_role("navigation", name="Fairness window")
    expect(window.get_by_role("link", name="30 days")).to_have_attribute(
        "aria-current", "page"
    )

    window.get_by_role("link", name="Today").click()

    expect(admin).to_have_url(re.compile(r"/\?window=today$"))
    expect(window.get_by_role("link", name="Today")).to_have_attribute(
        "aria-current", "page"
    )
    # Every ticket in this run was raised today, so today's figures hold them.
    today = sum(fairness(admin).values())
    assert today >= 1
    expect(admin.locator("#fairness-heading ~ p")).to_contain_text(f"({today} in all)")
