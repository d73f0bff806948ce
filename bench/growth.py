"""How the pages and the API slow down as the team and the ticket count grow.

For each team size it builds a throwaway database with the real migrations,
the sample team and an admin's API token, adds members and then tickets with
multi-row INSERTs (by default without the assignment history; ``--history``
adds one event per ticket, which the dashboard's fairness report reads), and at
each ticket count starts gunicorn and measures the median latency of:

- ``submit``: ``POST /api/tickets`` (Ada, the admin, raising a ticket),
- ``dashboard``: ``GET /``,
- ``member``: ``GET /users/2``,
- ``list``: ``GET /tickets/`` (the first page),
- ``deep page``: the last page but one, reached as a reader reaches it,
  through the « link of the last page (``/tickets/?page=N&before=ID``),
- ``filtered``: ``GET /tickets/?status=open&assigned_to=2``,
- ``api list``: ``GET /api/tickets``,

signed in through ``POST /sign-in`` as ada@example.com for the pages and with
her bearer token for the API, over one kept-alive connection. It also reads
the peak resident memory (``VmHWM``) of every gunicorn worker, and, at the
largest ticket count, replays each request in-process to time its SQL
statements one by one and show the slowest with the engine's query plan
(``bench.sqlprofile``).

Run it from the project root::

    python -m bench.growth              # 10/1,000/10,000 members x 0/100k/1M tickets
    python -m bench.growth --quick      # a small run, about a minute
    python -m bench.growth --large      # up to 5,000,000 tickets too

Server engines run when ``BENCH_POSTGRES_URL`` or ``BENCH_MYSQL_URL`` is set,
as for ``bench.submissions``.
"""

import argparse
import http.client
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, inspect, text

from app.tallies import recount
from bench.common import (
    ADMIN_EMAIL,
    LogWatch,
    ThrowawayDatabase,
    add_engines_argument,
    default_engines,
    describe_machine,
    engine_facts,
    int_list,
    last_line,
    machine,
    missing_urls,
    positive_int_list,
    run_engines,
    seed_with_token,
    status_kb,
    write_results,
)
from bench.server import (
    DEFAULT_THREADS,
    DEFAULT_WORKER_CLASS,
    KEEP_ALIVE_SECONDS,
    PRODUCT_APP,
    WORKER_CLASSES,
    BenchServer,
)
from bench.sqlprofile import Profiler
from tests.live import PROJECT

logger = logging.getLogger("bench.growth")

# With no tickets every list is empty, and an empty page renders faster than
# one of 20 rows whatever the database holds; from this many tickets the lists
# of the small teams are full, so growth from here on is the data's alone.
FULL_PAGES = 1_000
# A million tickets load in 10 s to a minute on SQLite and in about a
# minute on PostgreSQL on a 2-core machine, so the full sizes are the
# default.
DEFAULTS = {
    "members": [10, 1_000, 10_000],
    "tickets": [0, FULL_PAGES, 100_000, 1_000_000],
    "samples": 30,
    "warmup": 3,
    "endpoint_seconds": 5,
    "workers": 2,
    "worker_class": DEFAULT_WORKER_CLASS,
    "threads": DEFAULT_THREADS,
    "sql_profile": "largest",
    "history": False,
}
QUICK = {
    "members": [10, 1_000],
    "tickets": [0, FULL_PAGES, 10_000],
    "samples": 10,
    "endpoint_seconds": 3,
}
LARGE = {"tickets": [0, FULL_PAGES, 100_000, 1_000_000, 5_000_000]}

# The goals each figure is held to.
GROWTH_GOAL = 1.5
MEMORY_GOAL_MB = 150

SEEDED_MEMBERS = 5
# config.Config.DEMO_PASSWORD, which `flask seed` gives the sample team
# under DEMO_MODE.
DEMO_PASSWORD = "helpdesk-demo"
PER_PAGE = 20
RAISED_BY = 1
WATCHED_MEMBER = 2
# At least this many timed requests per endpoint, even past the time cap,
# unless the hard cap (a multiple of the time cap) runs out first.
MIN_SAMPLES = 5
HARD_CAP_FACTOR = 2.5
REQUEST_TIMEOUT_SECONDS = 60
# Rows per multi-row INSERT: under SQLite's 32,766 and PostgreSQL's 65,535
# bound parameters, and well under MySQL's packet limit.
TICKET_BATCH = 4_000
MEMBER_BATCH = 4_000
# Of every 20 bulk tickets: 2 open, 1 in progress, 5 resolved, 12 closed,
# so open work is a small share of the history, as in a helpdesk that works.
STATUS_CYCLE = ["open"] * 2 + ["in_progress"] + ["resolved"] * 5 + ["closed"] * 12
# One bulk member in 20 is away, so the rotation has someone to pass over.
AWAY_EVERY = 20
ENDPOINTS = (
    "submit",
    "dashboard",
    "member",
    "list",
    "deep page",
    "filtered",
    "api list",
)
CSRF_INPUT = re.compile(r"<input[^>]*name=\"csrf_token\"[^>]*>")
VALUE = re.compile(r"value=\"([^\"]*)\"")


# --- Bulk loading -------------------------------------------------------------


def placeholder(engine):
    """The DBAPI's positional placeholder: ``?`` for sqlite3, else ``%s``."""
    return "?" if engine.dialect.paramstyle == "qmark" else "%s"


def insert_rows(connection, mark, table, columns, rows):
    """Insert ``rows`` with one multi-row ``INSERT`` statement."""
    row = "(" + ", ".join([mark] * len(columns)) + ")"
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(
        [row] * len(rows)
    )
    connection.exec_driver_sql(statement, tuple(value for r in rows for value in r))


def stamp(moment):
    """A timestamp as every engine's DATETIME column accepts it from a string."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def load_members(engine, total, epoch):
    """Add plain members (no sign-in) after the sample team, up to ``total``.

    Each also gets the eligibility record ``create_user`` would write, where
    the schema has that table, so the dashboard's fairness report counts
    them as it would real members.
    """
    columns = ("name", "contact", "active", "availability", "role", "created_at")
    mark = placeholder(engine)
    created = stamp(epoch)
    has_eligibility = inspect(engine).has_table("eligibility_changes")
    with engine.begin() as connection:
        have = connection.execute(text("SELECT max(id) FROM users")).scalar() or 0
        numbers = range(have + 1, total + 1)
        for start in range(0, len(numbers), MEMBER_BATCH):
            rows = [
                (
                    f"Member {number}",
                    f"member{number}@example.com",
                    True,
                    "away" if number % AWAY_EVERY == 0 else "available",
                    "agent",
                    created,
                )
                for number in numbers[start : start + MEMBER_BATCH]
            ]
            insert_rows(connection, mark, "users", columns, rows)
        if has_eligibility:
            connection.execute(
                text(
                    "INSERT INTO eligibility_changes (user_id, eligible, at) "
                    "SELECT id, CASE WHEN availability = 'available' THEN 1 "
                    "ELSE 0 END = 1, created_at FROM users WHERE id > :have"
                ),
                {"have": have},
            )


def load_tickets(engine, members, have, total, epoch):
    """Add tickets ``have + 1 .. total``, spread over the members by id.

    Requesters and assignees take turns across every member, the assignee
    never being the requester; statuses follow ``STATUS_CYCLE``; each
    ticket is a minute younger than the one before, from ``epoch``.
    """
    columns = (
        "description",
        "status",
        "raised_by_id",
        "assigned_to_id",
        "created_at",
        "assigned_at",
    )
    mark = placeholder(engine)
    with engine.begin() as connection:
        for start in range(have, total, TICKET_BATCH):
            rows = []
            for number in range(start, min(start + TICKET_BATCH, total)):
                raised_by = 1 + (number * 7) % members
                assignee = 1 + number % members
                if assignee == raised_by:
                    assignee = 1 + assignee % members
                moment = stamp(epoch + timedelta(minutes=number))
                rows.append(
                    (
                        f"Bulk ticket {number}: the printer on floor {number % 9} "
                        f"shows error {number % 97}",
                        STATUS_CYCLE[number % len(STATUS_CYCLE)],
                        raised_by,
                        assignee,
                        moment,
                        moment,
                    )
                )
            insert_rows(connection, mark, "tickets", columns, rows)


def load_history(engine, have):
    """One rotation assignment event per ticket after id ``have``, as a
    submission records it (without the members passed over)."""
    trigger = engine.dialect.identifier_preparer.quote("trigger")
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO assignment_events (ticket_id, {trigger}, method, "
                "to_user_id, requester_id, created_at) SELECT id, 'submitted', "
                "'rotation', assigned_to_id, raised_by_id, created_at FROM tickets "
                "WHERE id > :have"
            ),
            {"have": have},
        )


def refresh_statistics(engine):
    """Do what the server's own maintenance would do after a bulk load.

    PostgreSQL's autovacuum and MySQL's persistent statistics refresh the
    planner's figures (and PostgreSQL's visibility map) soon after a large
    insert; running them now measures the steady state. SQLite keeps no
    statistics unless someone runs ANALYZE, and the app never does, so it
    is left as a deployment would leave it.
    """
    name = engine.dialect.name
    if name == "postgresql":
        with engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM ANALYZE users"))
            connection.execute(text("VACUUM ANALYZE tickets"))
    elif name == "mysql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE TABLE users, tickets")).fetchall()


# --- A signed-in client -------------------------------------------------------


class Browser:
    """One kept-alive connection with a cookie jar and the admin's API token."""

    def __init__(self, port, token):
        self.port = port
        self.token = token
        self.cookies = {}
        self.connections = 0
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
        )

    def close(self):
        """Close the connection."""
        self.connection.close()

    def request(self, method, path, *, json_body=None, form=None, api=False):
        """Send one request; return ``(status, headers, body, seconds)``."""
        headers = {}
        body = None
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.connection.sock is None:
            self.connections += 1
        began = time.perf_counter()
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        elapsed = time.perf_counter() - began
        if not api:
            # The session cookie is marked Secure for production; over
            # plain HTTP to 127.0.0.1 this client sends it back regardless.
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
        return response.status, response.headers, content, elapsed

    def sign_in(self, email, password):
        """Sign in through the form, as a person would; raise if refused."""
        status, _, page, _ = self.request("GET", "/sign-in")
        field = CSRF_INPUT.search(page.decode(errors="replace"))
        token = VALUE.search(field.group(0)) if field else None
        if status != 200 or token is None:
            raise RuntimeError(f"sign-in page: {status}, no csrf_token field")
        status, headers, _, _ = self.request(
            "POST",
            "/sign-in",
            form={"csrf_token": token.group(1), "email": email, "password": password},
        )
        if status not in (302, 303) or headers.get("Location", "").endswith("/sign-in"):
            raise RuntimeError(f"sign-in refused: {status}")
        status, _, _, _ = self.request("GET", "/")
        if status != 200:
            raise RuntimeError(f"signed in, but the home page answered {status}")


# --- Measuring ---------------------------------------------------------------


def last_page(ticket_count):
    return max(1, -(-ticket_count // PER_PAGE))


def deep_page_path(browser, ticket_count):
    """The last page but one, as a reader reaches it: the last page's « link."""
    status, _, content, _ = browser.request(
        "GET", f"/tickets/?page={last_page(ticket_count)}"
    )
    found = re.search(rb'rel="prev" href="([^"]+)"', content)
    if status != 200 or found is None:
        return "/tickets/"
    return found.group(1).decode().replace("&amp;", "&")


def endpoint_requests(ticket_count, deep_path):
    """``{name: (method, path, JSON body, via the API)}`` for one cell."""
    return {
        "dashboard": ("GET", "/", None, False),
        "member": ("GET", f"/users/{WATCHED_MEMBER}", None, False),
        "list": ("GET", "/tickets/", None, False),
        "deep page": ("GET", deep_path, None, False),
        "filtered": (
            "GET",
            f"/tickets/?status=open&assigned_to={WATCHED_MEMBER}",
            None,
            False,
        ),
        "api list": ("GET", "/api/tickets", None, True),
        # Last, so the reads above see exactly the loaded tickets.
        "submit": (
            "POST",
            "/api/tickets",
            {"description": "Growth benchmark ticket", "raised_by": RAISED_BY},
            True,
        ),
    }


def time_endpoint(browser, request, settings):
    """Warm up, then time up to ``samples`` requests; return the figures."""
    method, path, body, api = request
    expected = 201 if method == "POST" else 200
    statuses, latencies, sizes = {}, [], []
    soft = settings["endpoint_seconds"]
    began = time.monotonic()
    for _ in range(settings["warmup"]):
        browser.request(method, path, json_body=body, api=api)
        # One slow request warms the code paths as well as three.
        if time.monotonic() - began >= soft / 2:
            break
    began = time.monotonic()
    hard = soft * HARD_CAP_FACTOR
    while len(latencies) < settings["samples"]:
        elapsed = time.monotonic() - began
        if elapsed >= hard or (elapsed >= soft and len(latencies) >= MIN_SAMPLES):
            break
        status, _, content, seconds = browser.request(
            method, path, json_body=body, api=api
        )
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(seconds)
        sizes.append(len(content))
    latencies.sort()
    return {
        "path": path,
        "method": method,
        "n": len(latencies),
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "min_ms": round(latencies[0] * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "unexpected": sum(n for code, n in statuses.items() if code != expected),
        "body_kb": round(statistics.median(sizes) / 1024, 1),
    }


def measure(url, token, ticket_count, settings, log_path):
    """Start gunicorn, sign in, time every endpoint; read the workers' memory."""
    server = BenchServer(
        url,
        app=PRODUCT_APP,
        workers=settings["workers"],
        worker_class=settings["worker_class"],
        threads=settings["threads"],
        log_path=log_path,
    )
    browser = None
    results = {}
    try:
        server.start()
        # Before any request: what booting the app alone costs each worker.
        boot = {
            pid: (kb, status_kb(pid, "VmRSS"))
            for pid, kb in server.peak_memory_kb().items()
        }
        browser = Browser(server.port, token)
        browser.sign_in(ADMIN_EMAIL, DEMO_PASSWORD)
        deep_path = deep_page_path(browser, ticket_count)
        for name, request in endpoint_requests(ticket_count, deep_path).items():
            results[name] = time_endpoint(browser, request, settings)
            # VmHWM only rises, so reading it after each endpoint shows which
            # one drove a worker's peak up.
            peaks = server.peak_memory_kb()
            results[name]["worker_peak_mb"] = (
                round(max(peaks.values()) / 1024, 1) if peaks else None
            )
        peaks = server.peak_memory_kb()
        connections = browser.connections
    finally:
        if browser is not None:
            browser.close()
        server.stop()
    return {
        "deep_page_path": deep_path,
        "endpoints": {name: results[name] for name in ENDPOINTS if name in results},
        "worker_peak_mb": round(max(peaks.values()) / 1024, 1) if peaks else None,
        "worker_peaks_mb": [round(kb / 1024, 1) for kb in peaks.values()],
        "worker_boot_mb": [
            {"peak": round(hwm / 1024, 1), "resident": round((rss or 0) / 1024, 1)}
            for hwm, rss in boot.values()
        ],
        "connections_opened": connections,
    }


def profile_sql(url, token, ticket_count, deep_path):
    """Each endpoint's statements, timed alone, the slowest explained."""
    profiler = Profiler(url, token)
    requests = endpoint_requests(ticket_count, deep_path)
    try:
        return {
            name: profiler.profile(method, path, body)
            for name, (method, path, body, _) in requests.items()
            # A submission's statements are all indexed lookups and writes.
            if method == "GET"
        }
    finally:
        profiler.close()


# --- One engine -------------------------------------------------------------


def bench_engine(engine_name, admin_url, settings, warnings):
    """Every team size and ticket count on one engine; return the cells."""
    result = {"engine": engine_name, "cells": []}
    # A ticket a minute, the newest bulk ticket of the largest size made
    # now: the dashboard's recent windows then hold what a helpdesk that
    # busy would have in them.
    epoch = utcnow_naive() - timedelta(minutes=max(settings["tickets"]))
    with tempfile.TemporaryDirectory(prefix="helpdesk-growth-logs-") as logs:
        for members in settings["members"]:
            database = ThrowawayDatabase(engine_name, admin_url).create()
            result["server"] = database.describe_server()
            engine = None
            try:
                logger.info("%s: %d members: schema, seed, token", engine_name, members)
                token = seed_with_token(database.url)
                engine = create_engine(database.url)
                with engine.connect() as connection:
                    version, server_settings = engine_facts(connection, engine_name)
                result.update(version=version, server_settings=server_settings)
                began = time.perf_counter()
                load_members(engine, members, epoch)
                member_seconds = time.perf_counter() - began
                loaded = 0
                for tickets in settings["tickets"]:
                    label = f"{engine_name} {members} members {tickets} tickets"
                    logger.info("%s: loading", label)
                    began = time.perf_counter()
                    before = max_ticket_id(engine)
                    load_tickets(engine, members, loaded, tickets, epoch)
                    if settings["history"]:
                        load_history(engine, before)
                    # What `flask recount` does after a load with SQL.
                    with engine.begin() as connection:
                        recount(connection)
                    refresh_statistics(engine)
                    load_seconds = time.perf_counter() - began
                    loaded = tickets
                    with engine.connect() as connection:
                        count = connection.execute(
                            text("SELECT count(*) FROM tickets")
                        ).scalar()
                    logger.info("%s: loaded in %.1f s; measuring", label, load_seconds)
                    log_path = Path(logs) / f"{members}-{tickets}.log"
                    log_path.touch()
                    cell = {
                        "engine": engine_name,
                        "members": members,
                        "tickets": tickets,
                        "tickets_in_table": count,
                        "member_load_s": round(member_seconds, 1),
                        "ticket_load_s": round(load_seconds, 1),
                        **measure(database.url, token, count, settings, log_path),
                    }
                    check(cell, label, LogWatch(log_path), warnings)
                    if wants_profile(settings, tickets):
                        logger.info("%s: timing each endpoint's SQL", label)
                        try:
                            cell["sql"] = profile_sql(
                                database.url, token, count, cell["deep_page_path"]
                            )
                        except Exception as error:
                            # The latencies stand without it.
                            logger.exception("%s: SQL profile failed", label)
                            warning = (
                                f"WARNING {label}: SQL profile failed: "
                                f"{last_line(error)}"
                            )
                            print(warning, flush=True)
                            warnings.append(warning)
                    result["cells"].append(cell)
                    logger.info("%s: %s", label, summary_line(cell))
            finally:
                if engine is not None:
                    engine.dispose()
                database.drop()
    return result


def utcnow_naive():
    """The current time in UTC, naive, as the app stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def max_ticket_id(engine):
    """The highest ticket id so far (0 for none)."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT max(id) FROM tickets")).scalar() or 0


def wants_profile(settings, tickets):
    """Whether this cell's SQL is profiled: all, only the largest, or none."""
    choice = settings["sql_profile"]
    return choice == "all" or (
        choice == "largest" and tickets == max(settings["tickets"])
    )


def check(cell, label, log, warnings):
    """Warn about unexpected answers and trouble in gunicorn's log."""
    problems = []
    for name, figures in cell["endpoints"].items():
        if figures["unexpected"]:
            problems.append(f"{name}: answers {figures['statuses']}")
    counts, first = log.read_new()
    if any(counts.values()):
        problems.append(f"server log: {counts}; first: {first}")
    for problem in problems:
        warning = f"WARNING {label}: {problem}"
        print(warning, flush=True)
        warnings.append(warning)


def summary_line(cell):
    """The medians of one cell on one line, for the progress log."""
    parts = [
        f"{name} {figures['median_ms']:.0f}"
        for name, figures in cell["endpoints"].items()
    ]
    return ", ".join(parts) + f" ms; worker peak {cell['worker_peak_mb']} MB"


# --- Report -----------------------------------------------------------------


def growth(cells):
    """For each engine and endpoint: how far its median rose above the smallest
    size, in all and along each axis (more tickets, more members)."""
    found = []
    engines = sorted({cell["engine"] for cell in cells})
    for engine_name in engines:
        mine = [cell for cell in cells if cell["engine"] == engine_name]
        fewest_members = min(cell["members"] for cell in mine)
        fewest_tickets = min(cell["tickets"] for cell in mine)
        base = next(
            cell
            for cell in mine
            if (cell["members"], cell["tickets"]) == (fewest_members, fewest_tickets)
        )
        for name in ENDPOINTS:
            if name not in base["endpoints"]:
                continue
            start = base["endpoints"][name]["median_ms"]
            worst = max(mine, key=lambda cell: cell["endpoints"][name]["median_ms"])
            worst_ms = worst["endpoints"][name]["median_ms"]

            def factor(cells_on_axis, name=name, start=start):
                top = max(c["endpoints"][name]["median_ms"] for c in cells_on_axis)
                return round(top / start, 2) if start else None

            found.append(
                {
                    "engine": engine_name,
                    "endpoint": name,
                    "smallest_ms": start,
                    "worst_ms": worst_ms,
                    "worst_at": {
                        "members": worst["members"],
                        "tickets": worst["tickets"],
                    },
                    "factor": round(worst_ms / start, 2) if start else None,
                    "factor_tickets": factor(
                        [c for c in mine if c["members"] == fewest_members]
                    ),
                    "factor_members": factor(
                        [c for c in mine if c["tickets"] == fewest_tickets]
                    ),
                    "factor_from_full": factor_from_full(mine, name),
                    "within_goal": bool(start) and worst_ms / start <= GROWTH_GOAL,
                }
            )
    return found


def factor_from_full(cells, name):
    """Growth from the cell with the fewest members and ``FULL_PAGES`` tickets
    to the worst cell with at least that many tickets (None without it)."""
    fewest_members = min(cell["members"] for cell in cells)
    base = [
        c for c in cells if (c["members"], c["tickets"]) == (fewest_members, FULL_PAGES)
    ]
    if not base or not base[0]["endpoints"][name]["median_ms"]:
        return None
    start = base[0]["endpoints"][name]["median_ms"]
    top = max(
        c["endpoints"][name]["median_ms"] for c in cells if c["tickets"] >= FULL_PAGES
    )
    return round(top / start, 2)


def median_text(figures, samples):
    """A median for the table; a star when the time cap cut the samples short."""
    if figures is None:
        return "-"
    star = "*" if figures["n"] < samples else ""
    return f"{figures['median_ms']:.1f}{star}"


def latency_table(cells, samples):
    """Members and tickets down the side, endpoints across: median ms."""
    header = ["members", "tickets", "load s"] + list(ENDPOINTS) + ["peak MB"]
    widths = [7, 9, 6] + [max(9, len(name)) for name in ENDPOINTS] + [7]
    lines = ["  ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True))]
    for cell in cells:
        values = [
            f"{cell['members']:,}",
            f"{cell['tickets']:,}",
            f"{cell['ticket_load_s']:.1f}",
            *(median_text(cell["endpoints"].get(name), samples) for name in ENDPOINTS),
            f"{cell['worker_peak_mb']:.0f}" if cell["worker_peak_mb"] else "-",
        ]
        lines.append(
            "  ".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True))
        )
    return "\n".join(lines)


def growth_table(rows):
    """Per endpoint: smallest and worst medians, and the growth factors."""
    header = (
        "endpoint",
        "smallest ms",
        "worst ms",
        "worst at (members/tickets)",
        "x all",
        "x tickets",
        "x members",
        f"x from {FULL_PAGES:,}",
        f"<= {GROWTH_GOAL}x",
    )
    widths = (10, 11, 9, 26, 6, 9, 9, 12, 7)
    lines = ["  ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True))]
    for row in rows:

        def x(value):
            return "-" if value is None else f"{value:.1f}"

        values = (
            row["endpoint"],
            f"{row['smallest_ms']:.1f}",
            f"{row['worst_ms']:.1f}",
            f"{row['worst_at']['members']:,}/{row['worst_at']['tickets']:,}",
            x(row["factor"]),
            x(row["factor_tickets"]),
            x(row["factor_members"]),
            x(row["factor_from_full"]),
            "met" if row["within_goal"] else "MISSED",
        )
        lines.append(
            "  ".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True))
        )
    return "\n".join(lines)


def sql_lines(cell):
    """The slowest statement of each endpoint at one cell, with its plan."""
    lines = [
        f"Slowest SQL per endpoint at {cell['members']:,} members, "
        f"{cell['tickets']:,} tickets ({cell['engine']}; each statement run "
        "alone, best of 2):"
    ]
    for name, found in cell.get("sql", {}).items():
        page_ms = cell["endpoints"][name]["median_ms"]
        lines.append(
            f"  {name} ({page_ms:.0f} ms per request; {found['statements']} "
            f"statements, SELECTs {found['select_ms_total']:.0f} ms):"
        )
        for item in found["slowest"][:2]:
            lines.append(f"    {item['ms']:8.1f} ms  {item['sql'][:200]}")
            for plan in item.get("plan", [])[:4]:
                lines.append(f"                 plan: {plan[:110]}")
    return "\n".join(lines)


# --- Command line -----------------------------------------------------------


def add_arguments(parser):
    """The flags of this benchmark, on ``parser``."""
    add_engines_argument(parser)
    parser.add_argument(
        "--members", type=positive_int_list, help="team sizes (10,1000,10000)"
    )
    parser.add_argument(
        "--tickets", type=int_list, help="ticket counts (0,1000,100000,1000000)"
    )
    parser.add_argument(
        "--samples", type=int, help="timed requests per endpoint and cell (30)"
    )
    parser.add_argument(
        "--growth-warmup", dest="growth_warmup", type=int, help="untimed requests (3)"
    )
    parser.add_argument(
        "--endpoint-seconds",
        type=float,
        help="stop timing an endpoint after this many seconds, once it has "
        f"{MIN_SAMPLES} samples (5)",
    )
    parser.add_argument(
        "--sql-profile",
        choices=("largest", "all", "none"),
        help="time each endpoint's SQL at the largest ticket count (default), "
        "at every cell, or not at all",
    )
    parser.add_argument(
        "--large", action="store_true", help="add 5,000,000 tickets to the sizes"
    )
    parser.add_argument(
        "--history",
        action="store_const",
        const=True,
        help="also load one assignment event per ticket (the dashboard's "
        "fairness report reads them)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small run, about a minute"
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class",
        choices=WORKER_CLASSES,
        help="gunicorn worker class (gthread, which keeps connections alive)",
    )
    parser.add_argument("--threads", type=int, help="threads per gthread worker (4)")


def settings_from(parser, args):
    """``(engines, settings)`` from parsed flags, --quick, --large, defaults."""
    base = {
        **DEFAULTS,
        **(QUICK if args.quick else {}),
        **(LARGE if args.large else {}),
    }
    chosen = {
        "members": args.members,
        "tickets": args.tickets,
        "samples": args.samples,
        "warmup": args.growth_warmup,
        "endpoint_seconds": args.endpoint_seconds,
        "sql_profile": args.sql_profile,
        "history": args.history,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads,
    }
    settings = {
        name: chosen[name] if chosen.get(name) is not None else default
        for name, default in base.items()
    }
    settings["members"] = sorted(set(settings["members"]))
    settings["tickets"] = sorted(set(settings["tickets"]))
    if min(settings["members"]) < SEEDED_MEMBERS:
        parser.error(f"--members: the sample team alone has {SEEDED_MEMBERS}")
    if settings["samples"] < 1 or settings["endpoint_seconds"] <= 0:
        parser.error("--samples and --endpoint-seconds must be positive")
    if settings["warmup"] < 0 or settings["workers"] < 1 or settings["threads"] < 1:
        parser.error("--growth-warmup, --workers and --threads out of range")

    engines = args.engines or default_engines()
    missing = missing_urls(engines)
    if missing:
        parser.error("set " + ", ".join(missing) + " first")
    return engines, settings


def parse_args(argv=None):
    """The run's settings."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.growth",
        description="Page and API latency, and worker memory, as data grows.",
    )
    add_arguments(parser)
    return settings_from(parser, parser.parse_args(argv))


def main(argv=None, *, parsed=None):
    """Run the benchmark, print the tables, save the JSON; 1 if an engine failed.

    ``parsed`` is ``(engines, settings)`` when a caller has read them already.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    engines, settings = parsed or parse_args(argv)
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    began = time.monotonic()
    host = machine()
    threads = settings["threads"] if settings["worker_class"] == "gthread" else 1
    largest = max(settings["tickets"])
    size_note = (
        f"Largest ticket count: {largest:,}"
        + (" (--large)." if largest > DEFAULTS["tickets"][-1] else ".")
        if largest >= DEFAULTS["tickets"][-1]
        else f"Largest ticket count: {largest:,}, smaller than the full "
        f"{DEFAULTS['tickets'][-1]:,} (--quick or --tickets)."
    )
    report = {
        "benchmark": "page and API latency and worker memory as data grows",
        "started_at": started_at,
        "machine": host,
        "settings": {
            **settings,
            "threads": threads,
            "engines": engines,
            "endpoints": {
                name: f"{method} {path}"
                for name, (method, path, _, _) in endpoint_requests(
                    largest, f"/tickets/?page={last_page(largest) - 1}&before=..."
                ).items()
            },
            "deep_page": "the last page but one of /tickets/ (20 per page), "
            "reached as a reader does: by the last page's « link",
            "gunicorn": {
                "worker_class": settings["worker_class"],
                "threads": threads,
                "keep_alive_s": KEEP_ALIVE_SECONDS,
            },
            "signed_in_as": f"{ADMIN_EMAIL} (admin), via POST /sign-in",
            "bulk_data": (
                "members (with their eligibility records) and tickets added "
                "with multi-row INSERTs; tickets 10% open, 5% in progress, 25% "
                "resolved, 60% closed, spread evenly over the members, one a "
                "minute up to now at the largest size; assignment history "
                + ("one event per ticket" if settings["history"] else "none")
                + "; then the tallies rebuilt, as `flask recount` does"
            ),
            "statistics": (
                "VACUUM ANALYZE (PostgreSQL) / ANALYZE TABLE (MySQL) after each "
                "load; none on SQLite, as the app never runs ANALYZE"
            ),
            "goals": {
                "growth_factor": GROWTH_GOAL,
                "worker_peak_mb": MEMORY_GOAL_MB,
            },
            "size_note": size_note,
        },
        "engines": {},
        "warnings": [],
    }
    print(describe_machine(host), flush=True)
    print(size_note, flush=True)

    cells = run_engines(engines, bench_engine, settings, report, logger)

    report["growth"] = growth(cells) if cells else []
    peak = max((cell["worker_peak_mb"] or 0 for cell in cells), default=None)
    report["worker_peak_mb"] = peak
    report["wall_time_s"] = round(time.monotonic() - began, 1)
    path = write_results(report, "growth", engines)

    print()
    print(
        f"Median ms over up to {settings['samples']} requests per endpoint "
        f"(after {settings['warmup']} untimed; at most ~"
        f"{settings['endpoint_seconds']:g} s each), one kept-alive connection, "
        f"gunicorn {settings['workers']} {settings['worker_class']} worker(s) x "
        f"{threads} thread(s). * = fewer samples (the time cap). 'load s' is the "
        "time to add that cell's tickets."
    )
    for engine_name, result in report["engines"].items():
        print()
        version = result.get("version") or f"failed: {result.get('error')}"
        print(f"{engine_name}: {version}")
        mine = [cell for cell in cells if cell["engine"] == engine_name]
        if not mine:
            continue
        print(latency_table(mine, settings["samples"]))
        print()
        print(
            f"Growth against the smallest size (goal: within {GROWTH_GOAL}x); "
            f"'x from {FULL_PAGES:,}' starts where the small team's lists are full:"
        )
        print(growth_table([r for r in report["growth"] if r["engine"] == engine_name]))
        for cell in mine:
            if cell.get("sql"):
                print()
                print(sql_lines(cell))
    if peak is not None:
        verdict = "met" if peak < MEMORY_GOAL_MB else "MISSED"
        boots = [b for cell in cells for b in cell["worker_boot_mb"]]
        print()
        print(
            f"Worker peak memory (VmHWM) over the run: {peak:.0f} MB "
            f"(goal under {MEMORY_GOAL_MB} MB: {verdict})."
        )
        if boots:
            print(
                "Straight after boot, before any request: peak "
                f"{max(b['peak'] for b in boots):.0f} MB, resident "
                f"{max(b['resident'] for b in boots):.0f} MB."
            )
    print()
    print(f"{len(report['warnings'])} warning(s). Wall time {report['wall_time_s']} s.")
    print(f"Results: {path.relative_to(PROJECT)} and growth-latest.json")
    return 1 if any("error" in r for r in report["engines"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
