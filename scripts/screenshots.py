"""Render the main pages to PNG for the docs: ``python scripts/screenshots.py``.

Starts the app under gunicorn on a free 127.0.0.1 port over a fresh demo
database (as the browser tests do), fills it with a small, realistic day of
work through the API, and saves screenshots from Debian's Chromium to
``docs/screenshots/``.
"""

import argparse
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.e2e.helpers import (  # noqa: E402 - needs the project on the path
    ADMIN_EMAIL,
    TIMEOUT_MS,
    api,
    launch_browser,
    missing_requirement,
    set_availability,
    sign_in,
    start_server,
    sync_playwright,
)

OUT = PROJECT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}
LINUS = 5

# (raised by, description): a morning's tickets before Linus steps out ...
MORNING = [
    (2, "Laptop will not join the office Wi-Fi since this morning's update."),
    (3, "Printer on the second floor jams on every double-sided job."),
    (4, "Need read access to the finance share for the quarterly report."),
    (1, "VPN drops every ten minutes when working from home."),
    (5, "Outlook keeps asking for my password after the migration."),
    (2, "New starter on Monday needs a laptop, an account and a badge."),
    (3, "Projector in meeting room B shows only a blue screen."),
]
# ... and the afternoon's, while he is away.
AFTERNOON = [
    (4, "Headset crackles during calls; tried two USB ports."),
    (1, "Password reset for the expenses system, locked out after a typo."),
    (2, "Second monitor flickers after docking the laptop."),
    (3, "Team calendar does not show the public holidays."),
    (4, "Please install Python 3.11 on the build machine."),
]


def raise_ticket(server, raised_by, description):
    """Raise one ticket through the API, as the admin naming the requester."""
    return api(
        server,
        "POST",
        "/api/tickets",
        {"description": description, "raised_by": raised_by},
        expected=201,
    )


def fill(server):
    """A small, realistic dataset; returns the ticket to show with its
    timeline: one that passed over the away member and was moved by hand."""
    morning = [raise_ticket(server, *ticket) for ticket in MORNING]
    set_availability(server, LINUS, "away")
    afternoon = [raise_ticket(server, *ticket) for ticket in AFTERNOON]

    def passed_over_linus(ticket):
        history = api(server, "GET", f"/api/tickets/{ticket['id']}/history")
        return any(
            skipped["id"] == LINUS
            for event in history["items"]
            for skipped in event["passed_over"] or []
        )

    shown = next((t for t in afternoon if passed_over_linus(t)), afternoon[0])
    requester = shown["raised_by"]["id"]
    holder = shown["assigned_to"]["id"]
    new_holder = next(i for i in (2, 3, 4, 1) if i not in (requester, holder))
    api(
        server,
        "POST",
        f"/api/tickets/{shown['id']}/reassign",
        {"assigned_to": new_holder, "reason": "Has the spare docking station."},
    )
    api(server, "PATCH", f"/api/tickets/{morning[1]['id']}", {"status": "resolved"})
    api(server, "PATCH", f"/api/tickets/{morning[0]['id']}", {"status": "in_progress"})
    return shown


def shoot(browser, server, out, ticket):
    """Save the screenshots; returns the paths written."""
    written = []
    for viewport, pages in (
        (
            DESKTOP,
            [
                ("dashboard", "/"),
                ("tickets", "/tickets/"),
                ("ticket", f"/tickets/{ticket['id']}"),
                ("member", "/users/2"),
                ("new-ticket", "/tickets/new"),
            ],
        ),
        (PHONE, [("dashboard-phone", "/")]),
    ):
        context = browser.new_context(
            base_url=server.url,
            viewport=viewport,
            device_scale_factor=1,
        )
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            sign_in(page, ADMIN_EMAIL)
            for name, path in pages:
                page.goto(path)
                target = out / f"{name}.png"
                page.screenshot(path=target, full_page=True)
                written.append(target)
        finally:
            context.close()
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=OUT, help="folder for the PNGs (docs/screenshots)"
    )
    args = parser.parse_args(argv)
    reason = missing_requirement()
    if reason:
        parser.exit(1, f"cannot take screenshots: {reason}\n")
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="helpdesk-screenshots-") as directory:
        server = start_server(directory)
        try:
            ticket = fill(server)
            with sync_playwright() as playwright:
                browser = launch_browser(playwright)
                try:
                    written = shoot(browser, server, args.out, ticket)
                finally:
                    browser.close()
        finally:
            server.stop()
    for path in written:
        print(path.relative_to(PROJECT) if path.is_relative_to(PROJECT) else path)


if __name__ == "__main__":
    main()
