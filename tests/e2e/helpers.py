"""Pieces shared by the browser tests and ``scripts/screenshots.py``: the
browser to launch, a freshly seeded server, signing in and API calls."""

import re
from pathlib import Path

from tests.live import LiveServer, seed_with_token

# Imported only when installed, so that a checkout without the dev
# requirements still collects; the browser tests then skip, saying why.
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    expect = sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, never a downloaded build: nothing but the package
# registries is reachable from the machines this runs on. The flags keep it
# from reaching out on its own and let it run as root in a container.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = f"{CHROMIUM} is missing: install Debian's chromium package"

PASSWORD = "helpdesk-demo"
ADMIN_EMAIL = "ada@example.com"
AGENT_EMAIL = "grace@example.com"
# Members 1 and 2 of the seeded team: the admin and an agent.
ADA, GRACE = "Ada Lovelace", "Grace Hopper"
# Every wait in a browser is bounded by this, so a broken page fails fast.
TIMEOUT_MS = 10_000

TICKET_URL = re.compile(r"/tickets/(\d+)$")


def missing_requirement():
    """Why a browser cannot be driven here, or None when it can."""
    if sync_playwright is None:
        return "playwright is not installed: pip install -r requirements-dev.txt"
    if not CHROMIUM.exists():
        return NO_CHROMIUM
    return None


def launch_browser(playwright):
    """Debian's Chromium, headless, through Playwright."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=LAUNCH_ARGS, timeout=30_000
    )


def start_server(directory, workers=2, wait=True):
    """A gunicorn server over a fresh, seeded SQLite database in ``directory``.

    It carries an API token of Ada's, so ``server.request`` acts as the admin.
    Two workers, so that requests from one browser can really overlap. With
    ``wait=False`` it is still booting when this returns: call
    ``wait_until_answering`` before using it.
    """
    database_url = f"sqlite:///{Path(directory) / 'helpdesk.sqlite'}"
    token = seed_with_token(database_url)
    server = LiveServer(
        database_url,
        workers=workers,
        token=token,
        log_path=Path(directory) / "gunicorn.log",
    )
    server.launch()
    return server.wait_until_answering() if wait else server


def sign_in(page, email, password=PASSWORD):
    """Sign in through the form; ``page``'s context must have the server's
    ``base_url``. Waits until the app has answered."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def api(server, method, path, body=None, expected=200):
    """Call the JSON API as Ada and return the parsed answer, checking the status."""
    status, _, answer = server.request(method, path, body)
    assert status == expected, (method, path, status, answer)
    return answer


def raise_tickets(server, count, raised_by=1, text="API ticket"):
    """Raise ``count`` tickets through the API; return them as the API shows them."""
    return [
        api(
            server,
            "POST",
            "/api/tickets",
            {"description": f"{text} {number + 1}", "raised_by": raised_by},
            expected=201,
        )
        for number in range(count)
    ]


def set_availability(server, member_id, availability):
    """Mark a member ``away`` or ``available`` through the API."""
    api(server, "PATCH", f"/api/users/{member_id}", {"availability": availability})


def members(server):
    """The whole team as the API lists it, in id order."""
    return api(server, "GET", "/api/users?per_page=100")["items"]


def expected_assignees(server, count, raised_by=None):
    """Names of who the README's rules give the next ``count`` tickets from
    ``raised_by`` (from anyone, when None), or Nones when nobody is eligible.

    Worked out here, not asked of the app: members in id order, starting
    after the last assignee and wrapping round, skipping anyone inactive,
    away or raising the ticket.
    """
    team = members(server)
    cursor = api(server, "GET", "/api/rotation")["last_assigned"]
    cursor_id = cursor["id"] if cursor else 0
    eligible = [
        member
        for member in team
        if member["active"]
        and member["availability"] == "available"
        and member["id"] != raised_by
    ]
    if not eligible:
        return [None] * count
    later = [member for member in eligible if member["id"] > cursor_id]
    cycle = later + [member for member in eligible if member["id"] <= cursor_id]
    return [cycle[n % len(cycle)]["name"] for n in range(count)]


def ticket_count(server, **filters):
    """How many tickets the API counts, optionally filtered."""
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return api(server, "GET", f"/api/tickets?per_page=1&{query}")["total"]


def submit_ticket_form(page, description, raised_by=None):
    """Raise a ticket from the form; return ``(ticket id, flash message)``.

    Waits for the ticket's own page, where the app redirects after saving.
    """
    page.goto("/tickets/new")
    page.get_by_label("Description").fill(description)
    if raised_by:
        page.get_by_label("Raised by").select_option(label=raised_by)
    page.get_by_role("button", name="Submit ticket", exact=True).click()
    page.wait_for_url(TICKET_URL)
    ticket_id = int(TICKET_URL.search(page.url).group(1))
    return ticket_id, flash_text(page)


def flash_text(page):
    """The text of the flash messages at the top of the page."""
    return " ".join(page.locator("main > .alert").all_inner_texts())
