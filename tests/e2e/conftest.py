"""Fixtures for the browser tests: one Chromium and one freshly seeded
gunicorn server for the run, and signed-in pages on it."""

import pytest

from tests.e2e.helpers import (
    ADMIN_EMAIL,
    AGENT_EMAIL,
    TIMEOUT_MS,
    launch_browser,
    missing_requirement,
    sign_in,
    start_server,
    sync_playwright,
)


def pytest_collection_modifyitems(config, items):
    # Skipping at collection means no server is started for nothing. CI sets
    # HELPDESK_NO_SKIPS, so a missing browser fails the run there.
    reason = missing_requirement()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory):
    """A gunicorn server over a fresh, seeded database, for the whole run.

    Still booting when handed over; ``server`` waits for it.
    """
    server = start_server(tmp_path_factory.mktemp("e2e-server"), wait=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(shared_server, browser):
    """The server a module's tests use: the shared one, unless the module
    needs a team nobody has touched and overrides this with its own.

    Shared because each start costs seconds; the tests work out what they
    expect from the state they find (see ``helpers.expected_assignees``)
    and put back what they change. Chromium starts while gunicorn boots.
    """
    return shared_server.wait_until_answering()


@pytest.fixture(scope="session")
def signed_in_states(browser):
    """Each member's cookies after one real sign-in on each server.

    Signing in once per member keeps the runs fast and far below the
    sign-in throttle, which counts every attempt.
    """
    states = {}

    def state(server, email):
        key = (server.url, email)
        if key not in states:
            context = browser.new_context(base_url=server.url)
            try:
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                sign_in(page, email)
                states[key] = context.storage_state()
            finally:
                context.close()
        return states[key]

    return state


def page_opener(browser, server, signed_in_states):
    """``(open_page, close_all)``: ``open_page(email=None, **context options)``
    opens a page in a new browser context (its own cookies and viewport),
    signed in as ``email`` when one is given; ``close_all`` closes them."""
    contexts = []

    def open_page(email=None, **options):
        if email:
            options["storage_state"] = signed_in_states(server, email)
        context = browser.new_context(base_url=server.url, **options)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        return context.new_page()

    def close_all():
        for context in contexts:
            context.close()

    return open_page, close_all


@pytest.fixture
def open_page(browser, server, signed_in_states):
    """Open pages for one test; see ``page_opener``."""
    open_, close_all = page_opener(browser, server, signed_in_states)
    try:
        yield open_
    finally:
        close_all()


@pytest.fixture(scope="module")
def open_module_page(browser, server, signed_in_states):
    """Open pages kept for a whole module, for checks that only read pages
    and would otherwise pay for a new context each; see ``page_opener``."""
    open_, close_all = page_opener(browser, server, signed_in_states)
    try:
        yield open_
    finally:
        close_all()


@pytest.fixture
def admin(open_page):
    """A page signed in as Ada, the admin."""
    return open_page(ADMIN_EMAIL)


@pytest.fixture
def agent(open_page):
    """A page signed in as Grace, an agent."""
    return open_page(AGENT_EMAIL)


@pytest.fixture
def visitor(open_page):
    """A page that is not signed in."""
    return open_page()
