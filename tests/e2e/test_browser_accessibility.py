"""Each main page checked with axe-core: no serious or critical violations."""

from pathlib import Path

import pytest

from tests.e2e.helpers import (
    ADMIN_EMAIL,
    AGENT_EMAIL,
    api,
    expect,
    members,
    raise_tickets,
    set_availability,
)

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
    // Only violations are reported; skipping the passes keeps runs quick.
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary),
    }));
}"""


@pytest.fixture(scope="module")
def pages_with_content(server):
    """Paths of the main pages, with content worth checking on each: a
    ticket moved by hand, and one waiting in the unassigned queue (so the
    dashboard shows its banner). Everyone is back from away afterwards."""
    moved = raise_tickets(server, 1, text="Laptop will not wake from sleep")[0]
    holder = moved["assigned_to"]["id"]
    other = next(m["id"] for m in members(server) if m["id"] not in (1, holder))
    api(
        server,
        "POST",
        f"/api/tickets/{moved['id']}/reassign",
        {"assigned_to": other, "reason": "Has the spare charger"},
    )
    away = [m["id"] for m in members(server) if m["id"] != 1 and m["active"]]
    try:
        for member_id in away:
            set_availability(server, member_id, "away")
        raise_tickets(server, 1, text="Raised while everyone was out")
        yield {
            "dashboard": "/",
            "ticket list": "/tickets/",
            "ticket page": f"/tickets/{moved['id']}",
            "member page": f"/users/{other}",
            "members page": "/users/",
            "new ticket form": "/tickets/new",
            "add member form": "/users/new",
            "unassigned page": "/tickets/unassigned",
            "API docs": "/docs/api",
        }
    finally:
        for member_id in away:
            set_availability(server, member_id, "available")


@pytest.fixture(scope="module")
def axe_page(open_module_page):
    """Ada's page for the checks, one for the module. The app's
    Content-Security-Policy allows only its own scripts, so this context
    bypasses it to let the tests inject axe."""
    return open_module_page(ADMIN_EMAIL, bypass_csp=True)


def serious_violations(page):
    """Run axe on the page; print every violation, return the blocking ones."""
    page.add_script_tag(content=AXE)
    violations = page.evaluate(RUN_AXE)
    for violation in violations:
        print(f"{page.url} [{violation['impact']}] {violation['id']}: ")
        print(f"  {violation['help']}")
        for node in violation["nodes"]:
            print(f"  - {node}")
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize(
    "name",
    [
        "dashboard",
        "ticket list",
        "ticket page",
        "member page",
        "members page",
        "new ticket form",
        "add member form",
        "unassigned page",
        "API docs",
    ],
)
def test_the_page_has_no_serious_accessibility_violations(
    axe_page, pages_with_content, name
):
    page = axe_page
    page.goto(pages_with_content[name])
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert serious_violations(page) == []


def test_the_sign_in_page_has_no_serious_accessibility_violations(open_page):
    page = open_page(bypass_csp=True)
    page.goto("/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    assert serious_violations(page) == []


def test_the_dashboard_shows_the_waiting_banner_that_was_checked(
    axe_page, pages_with_content
):
    # Guards the check above: the banner must really be on the checked page.
    axe_page.goto(pages_with_content["dashboard"])
    banner = axe_page.get_by_role("status").filter(has_text="waiting")
    expect(banner).to_be_visible()


def test_a_new_api_token_is_shown_without_serious_accessibility_violations(
    open_page,
):
    # Grace, an agent, so the admin-only buttons are not part of this check.
    page = open_page(AGENT_EMAIL, bypass_csp=True)
    page.goto("/users/2")
    page.get_by_label("Token name").fill("Laptop script")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Your new token (copy it now; it is not shown again):"
    )

    assert serious_violations(page) == []
