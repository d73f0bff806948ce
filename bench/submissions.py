"""How many ticket submissions per second one rotation sustains, per engine.

Every submission locks the rotation's cursor row, so submissions to one
rotation run one after another however many workers serve them. This
benchmark measures that ceiling end to end: the real app under gunicorn, the
real migrations and seed, and clients posting to ``POST /api/tickets``.

For each engine it builds a throwaway database, starts gunicorn with each
worker count, warms it up, then sends ``--requests`` submissions at each
client concurrency. After every cell it reads the tickets back from the
database and checks that the assignees still follow the rotation exactly.

Run it from the project root::

    python -m bench.submissions            # SQLite, plus any server URL set
    python -m bench.submissions --quick    # a small run to try it out

``BENCH_POSTGRES_URL`` and ``BENCH_MYSQL_URL`` name database servers (for
example ``postgresql+psycopg://postgres@127.0.0.1:5432/test``); the run
creates a database of its own on each and drops it afterwards.
"""

import argparse
import http.client
import json
import logging
import math
import os
import platform
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from tests.live import PROJECT, LiveServer, flask

logger = logging.getLogger("bench.submissions")

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SERVER_URL_VARIABLES = {"postgresql": "BENCH_POSTGRES_URL", "mysql": "BENCH_MYSQL_URL"}
ENGINES = ("sqlite", *SERVER_URL_VARIABLES)

# Each cell stops starting requests after ``cell_seconds``, so the default
# run (3 engines x 2 worker counts x 3 concurrencies) stays within 15 minutes
# on a 2-core machine, where a cell may not reach 3000 submissions in time.
DEFAULTS = {
    "requests": 3000,
    "warmup": 100,
    "workers": [2, 4],
    "concurrency": [1, 8, 32],
    "cell_seconds": 40,
}
QUICK = {"requests": 200, "warmup": 20, "workers": [2], "concurrency": [1, 8]}

# The sample team is members 1-5; member 1 raises every ticket, so the
# rotation must hand them to 2, 3, 4, 5, 2, ... in ticket id order.
RAISED_BY = 1
SEEDED_MEMBERS = 5
WARMUP_CONCURRENCY = 8
REQUEST_TIMEOUT_SECONDS = 30
SAMPLE_CHARS = 300
EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit)\b")
CLIENT_NOTE = (
    "Client threads run on the same machine as gunicorn and the database "
    "server and compete with them for its {cores} cores."
)

# Lines in gunicorn's log that say something went wrong in the app.
LOG_SIGNS = {
    "retries": "retried (attempt",
    "gave_up": "gave up after",
    "tracebacks": "Traceback (most recent call last)",
    "errors": "[ERROR]",
    "worker_timeouts": "WORKER TIMEOUT",
}


# --- Databases --------------------------------------------------------------


class ThrowawayDatabase:
    """A database of this run's own: a temporary SQLite file or one on a server."""

    def __init__(self, engine_name, server_url=None):
        self.engine_name = engine_name
        self.server_url = make_url(server_url) if server_url else None
        self.name = f"helpdesk_bench_{os.getpid()}_{secrets.token_hex(3)}"
        self._tempdir = None
        self.url = None

    def create(self):
        """Create the empty database and return ``self``."""
        if self.server_url is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="helpdesk-bench-")
            self.url = f"sqlite:///{Path(self._tempdir.name) / 'helpdesk.sqlite'}"
            return self
        self._admin(f"CREATE DATABASE {self.name}")
        self.url = self.server_url.set(database=self.name).render_as_string(
            hide_password=False
        )
        return self

    def drop(self):
        """Remove the database, whatever state the run left it in."""
        if self._tempdir is not None:
            self._tempdir.cleanup()
        elif self.url is not None:
            # FORCE ends any connection a killed gunicorn worker left behind.
            force = " WITH (FORCE)" if self.engine_name == "postgresql" else ""
            self._admin(f"DROP DATABASE IF EXISTS {self.name}{force}")

    def describe_server(self):
        """The server's URL without a password, for the results."""
        if self.server_url is None:
            return None
        return self.server_url.render_as_string(hide_password=True)

    def _admin(self, statement):
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()


def engine_facts(connection, engine_name):
    """The server version and the settings that decide what a commit costs."""
    if engine_name == "sqlite":
        version = connection.execute(text("SELECT sqlite_version()")).scalar()
        # The app switches every connection to WAL; synchronous is the default.
        settings = {
            "synchronous": connection.execute(text("PRAGMA synchronous")).scalar()
        }
        return f"SQLite {version}", settings
    version = connection.execute(text("SELECT version()")).scalar()
    if engine_name == "postgresql":
        names = ("synchronous_commit", "fsync", "max_connections")
        settings = {
            name: connection.execute(text(f"SHOW {name}")).scalar() for name in names
        }
    else:
        names = (
            "innodb_flush_log_at_trx_commit",
            "innodb_lock_wait_timeout",
            "max_connections",
        )
        settings = {
            name: connection.execute(text(f"SELECT @@{name}")).scalar()
            for name in names
        }
    return version, {name: str(value) for name, value in settings.items()}


@dataclass
class RotationCheck:
    """Reads new tickets back and checks each went to the member after the last."""

    cycle: list[int]
    last_id: int = 0
    last_assignee: int | None = None

    def next_after(self, assignee):
        if assignee not in self.cycle:
            return self.cycle[0]
        return self.cycle[(self.cycle.index(assignee) + 1) % len(self.cycle)]

    def check(self, connection):
        """Check the tickets saved since the last call; return what was found."""
        rows = connection.execute(
            text(
                "SELECT id, assigned_to_id FROM tickets WHERE id > :after ORDER BY id"
            ),
            {"after": self.last_id},
        ).all()
        drifted = 0
        first_drift = None
        for ticket_id, assignee in rows:
            expected = self.next_after(self.last_assignee)
            if assignee != expected:
                drifted += 1
                if first_drift is None:
                    first_drift = {
                        "ticket_id": ticket_id,
                        "expected": expected,
                        "assigned_to": assignee,
                    }
            # Carry on from what really happened, so one slip counts once.
            self.last_id, self.last_assignee = ticket_id, assignee
        return {"tickets": len(rows), "drifted": drifted, "first_drift": first_drift}


# --- Load -------------------------------------------------------------------


@dataclass
class Load:
    """What the clients saw while sending one batch of submissions."""

    planned: int
    concurrency: int
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    connections: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0
    hit_time_cap: bool = False
    stuck_clients: int = 0
    first_refusal: str | None = None

    @property
    def sent(self):
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def created(self):
        return self.statuses[201]

    @property
    def not_created(self):
        return self.sent - self.created


class RequestBudget:
    """Hands out request numbers until the batch is done or its time is up."""

    def __init__(self, total, time_cap):
        self.total = total
        self.time_cap = time_cap
        self.deadline = None
        self._next = 0
        self._lock = threading.Lock()
        self.hit_time_cap = False

    def open(self):
        """Start the clock that ``time_cap`` counts from."""
        self.deadline = time.monotonic() + self.time_cap

    def take(self):
        with self._lock:
            if self._next >= self.total:
                return None
            if time.monotonic() >= self.deadline:
                self.hit_time_cap = True
                return None
            self._next += 1
            return self._next


def client(port, budget, start, load, lock):
    """Post submissions over one reused connection until the budget runs out.

    ``http.client`` reconnects by itself when the server closes the
    connection, so the count of connections opened shows whether the
    server really kept them alive.
    """
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
    )
    statuses, latencies, errors, connections = Counter(), [], Counter(), 0
    first_refusal = None
    headers = {"Content-Type": "application/json"}
    start.wait()
    try:
        while (number := budget.take()) is not None:
            body = json.dumps(
                {"description": f"Benchmark ticket {number}", "raised_by": RAISED_BY}
            )
            if connection.sock is None:
                connections += 1
            began = time.perf_counter()
            try:
                connection.request("POST", "/api/tickets", body, headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                first_refusal = first_refusal or f"{type(error).__name__}: {error}"
                connection.close()
                continue
            latencies.append(time.perf_counter() - began)
            statuses[response.status] += 1
            if response.status != 201 and first_refusal is None:
                excerpt = answer[:SAMPLE_CHARS].decode(errors="replace")
                first_refusal = f"{response.status} {excerpt}"
    finally:
        connection.close()
        with lock:
            load.statuses.update(statuses)
            load.latencies.extend(latencies)
            load.errors.update(errors)
            load.connections += connections
            load.first_refusal = load.first_refusal or first_refusal


def send(port, total, concurrency, time_cap):
    """Send ``total`` submissions from ``concurrency`` client threads.

    The clock starts once every thread is ready and stops when the last one
    finishes; no new request starts after ``time_cap`` seconds.
    """
    load = Load(planned=total, concurrency=concurrency)
    start = threading.Barrier(concurrency + 1)
    lock = threading.Lock()
    budget = RequestBudget(total, time_cap)
    threads = [
        threading.Thread(
            target=client, args=(port, budget, start, load, lock), daemon=True
        )
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()

    cpu_before = time.process_time()
    began = time.perf_counter()
    budget.open()
    start.wait()
    # A request in flight at the cap may still take its full timeout.
    join_by = time.monotonic() + time_cap + REQUEST_TIMEOUT_SECONDS + 5
    for thread in threads:
        thread.join(timeout=max(0.0, join_by - time.monotonic()))
    load.elapsed = time.perf_counter() - began
    load.client_cpu = time.process_time() - cpu_before
    load.hit_time_cap = budget.hit_time_cap
    load.stuck_clients = sum(thread.is_alive() for thread in threads)
    return load


def percentile(sorted_values, fraction):
    """The nearest-rank percentile of an already sorted list, or None if empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(load):
    """The figures reported for one batch, as plain JSON-ready values."""
    latencies = sorted(load.latencies)

    def ms(value):
        return None if value is None else round(value * 1000, 2)

    return {
        "requests_planned": load.planned,
        "requests_sent": load.sent,
        "created_201": load.created,
        "not_201": load.not_created,
        "statuses": {str(status): n for status, n in sorted(load.statuses.items())},
        "connection_errors": dict(load.errors),
        "elapsed_s": round(load.elapsed, 3),
        "tickets_per_s": round(load.created / load.elapsed, 1) if load.elapsed else 0,
        "latency_ms": {
            "p50": ms(percentile(latencies, 0.50)),
            "p95": ms(percentile(latencies, 0.95)),
            "p99": ms(percentile(latencies, 0.99)),
            "max": ms(latencies[-1] if latencies else None),
        },
        "connections_opened": load.connections,
        "client_cpu_s": round(load.client_cpu, 2),
        "hit_time_cap": load.hit_time_cap,
        "stuck_clients": load.stuck_clients,
        "first_refusal": load.first_refusal,
    }


# --- Server logs ------------------------------------------------------------


class LogWatch:
    """Counts the signs of trouble gunicorn logged since the last look."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def read_new(self):
        """Counts for the lines written since the last call, and the first bad one."""
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            chunk = log.read().decode(errors="replace")
            self.offset = log.tell()
        counts = {name: chunk.count(sign) for name, sign in LOG_SIGNS.items()}
        first = next(
            (
                line.strip()
                for line in chunk.splitlines()
                if any(sign in line for sign in LOG_SIGNS.values())
            ),
            None,
        )
        return counts, first


# --- One engine -------------------------------------------------------------


@dataclass
class EngineRun:
    """Everything the cells on one engine share."""

    name: str
    url: str
    settings: dict
    reader: object
    rotation: RotationCheck
    warnings: list[str]


def bench_engine(engine_name, admin_url, settings, warnings):
    """Run every worker count and concurrency on one engine; return its results."""
    database = ThrowawayDatabase(engine_name, admin_url).create()
    reader = None
    result = {"engine": engine_name, "server": database.describe_server(), "cells": []}
    try:
        logger.info("%s: building the schema and seeding", engine_name)
        flask(database.url, "db", "upgrade")
        seeded = flask(database.url, "seed")
        if f"Added {SEEDED_MEMBERS}" not in seeded:
            raise RuntimeError(f"{engine_name}: unexpected seed output: {seeded!r}")

        # The benchmark's own connection, used only between cells, so it
        # reads what the app committed without competing with it.
        reader = create_engine(database.url)
        with reader.connect() as connection:
            version, server_settings = engine_facts(connection, engine_name)
            cycle = list(
                connection.execute(
                    text("SELECT id FROM users WHERE id != :raiser ORDER BY id"),
                    {"raiser": RAISED_BY},
                ).scalars()
            )
        result.update(version=version, server_settings=server_settings)
        run = EngineRun(
            engine_name, database.url, settings, reader, RotationCheck(cycle), warnings
        )

        with tempfile.TemporaryDirectory(prefix="helpdesk-bench-logs-") as logs:
            for workers in settings["workers"]:
                log_path = Path(logs) / f"gunicorn-{workers}.log"
                log_path.touch()
                result["cells"].extend(bench_server(run, workers, LogWatch(log_path)))
    finally:
        if reader is not None:
            reader.dispose()
        database.drop()
    return result


def bench_server(run, workers, log):
    """Start gunicorn with ``workers`` workers and run each concurrency on it."""
    server = LiveServer(run.url, workers=workers, log_path=log.path)
    cells = []
    try:
        server.start()
        # Untimed: every worker opens its database connection and warms its
        # code paths, and the rotation row exists before the clock starts.
        label = f"{run.name} workers={workers} warm-up"
        logger.info("%s: %d submissions", label, run.settings["warmup"])
        warmup = send(
            server.port,
            run.settings["warmup"],
            WARMUP_CONCURRENCY,
            run.settings["cell_seconds"],
        )
        verify(run, label, warmup, log)
        if run.settings["warmup"] and not warmup.created:
            # Nothing was accepted, so timed cells would measure only refusals.
            raise RuntimeError(f"no submission accepted: {warmup.first_refusal}")

        for concurrency in run.settings["concurrency"]:
            label = f"{run.name} workers={workers} clients={concurrency}"
            logger.info("%s: %d submissions", label, run.settings["requests"])
            # Anything else busy on the machine shows here, and skews the cell.
            load_before = round(os.getloadavg()[0], 2)
            load = send(
                server.port,
                run.settings["requests"],
                concurrency,
                run.settings["cell_seconds"],
            )
            cell = {
                "engine": run.name,
                "workers": workers,
                "concurrency": concurrency,
                "load_1m_before": load_before,
                **summarise(load),
                **verify(run, label, load, log),
            }
            cells.append(cell)
            logger.info(
                "%s: %.1f tickets/s, p99 %s ms",
                label,
                cell["tickets_per_s"],
                cell["latency_ms"]["p99"],
            )
    finally:
        server.stop()
    return cells


def verify(run, label, load, log):
    """Check the rotation and the server log after a batch; warn on anything off."""
    with run.reader.connect() as connection:
        found = run.rotation.check(connection)
    log_counts, first_bad_line = log.read_new()

    problems = []
    if found["drifted"]:
        problems.append(
            f"rotation drifted on {found['drifted']} of {found['tickets']} tickets "
            f"(first: {found['first_drift']})"
        )
    if found["tickets"] != load.created:
        problems.append(
            f"{found['tickets']} tickets saved but {load.created} answered 201"
        )
    if load.not_created:
        refused = {status: n for status, n in load.statuses.items() if status != 201}
        problems.append(
            f"{load.not_created} submissions not created: "
            f"statuses {refused}, connection errors {dict(load.errors)}; "
            f"first: {load.first_refusal}"
        )
    if load.stuck_clients:
        problems.append(
            f"{load.stuck_clients} clients still waiting for an answer at the end"
        )
    if any(log_counts.values()):
        problems.append(f"server log: {log_counts}; first: {first_bad_line}")
    for problem in problems:
        warning = f"WARNING {label}: {problem}"
        print(warning, flush=True)
        run.warnings.append(warning)

    return {
        "rotation": {
            "tickets_checked": found["tickets"],
            "exact": found["drifted"] == 0,
            "drifted": found["drifted"],
            "first_drift": found["first_drift"],
        },
        "server_log": log_counts,
    }


# --- Report -----------------------------------------------------------------


def machine():
    """What the figures were measured on."""
    memory_mb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = int(line.split()[1]) // 1024
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    packages = ("gunicorn", "Flask", "SQLAlchemy", "psycopg", "PyMySQL")
    return {
        "nproc": cores or os.cpu_count(),
        "memory_mb": memory_mb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in packages},
        "app_revision": git("rev-parse", "--short", "HEAD"),
        "app_uncommitted_changes": app_changed(),
    }


def app_changed():
    """Whether ``app/`` differs from the revision, or None outside a checkout."""
    # Without optional locks, git never takes the index lock that people
    # committing at the same time would trip over.
    status = git("--no-optional-locks", "status", "--porcelain", "--", "app")
    return None if status is None else bool(status)


def git(*args):
    try:
        result = subprocess.run(
            ["git", *args], cwd=PROJECT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


COLUMNS = (
    ("engine", 10, "{engine}"),
    ("workers", 7, "{workers}"),
    ("clients", 7, "{concurrency}"),
    ("sent", 6, "{sent}"),
    ("tickets/s", 9, "{tickets_per_s:.1f}"),
    ("p50 ms", 7, "{p50}"),
    ("p95 ms", 7, "{p95}"),
    ("p99 ms", 7, "{p99}"),
    ("not 201", 7, "{not_201}"),
    ("client cpu", 10, "{client_cpu_s:.1f} s"),
    ("rotation", 8, "{rotation_state}"),
)


def table(cells):
    """The results as a fixed-width text table."""
    lines = ["  ".join(f"{name:>{width}}" for name, width, _ in COLUMNS)]
    for cell in cells:
        values = {
            **cell,
            **{key: fmt_ms(value) for key, value in cell["latency_ms"].items()},
            "rotation_state": "exact" if cell["rotation"]["exact"] else "DRIFTED",
            # A star marks a cell the time cap stopped short of --requests.
            "sent": f"{cell['requests_sent']}{'*' if cell['hit_time_cap'] else ''}",
        }
        lines.append(
            "  ".join(
                f"{template.format(**values):>{width}}"
                for _, width, template in COLUMNS
            )
        )
    return "\n".join(lines)


def fmt_ms(value):
    return "-" if value is None else f"{value:.1f}"


def write_results(report, engines):
    """Save the report under a dated name and as ``submissions-latest.json``."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = report["started_at"].replace("-", "").replace(":", "")
    paths = [
        RESULTS_DIR / f"submissions-{'-'.join(engines)}-{stamp}.json",
        RESULTS_DIR / "submissions-latest.json",
    ]
    content = json.dumps(report, indent=2) + "\n"
    for path in paths:
        # Write then rename, so an interrupted run never leaves half a file.
        partial = path.with_suffix(".tmp")
        partial.write_text(content)
        partial.replace(path)
    return paths[0]


# --- Command line -----------------------------------------------------------


def int_list(value):
    """Parse ``"2,4"`` into ``[2, 4]``."""
    numbers = [int(part) for part in value.split(",") if part.strip()]
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError("expected positive numbers, e.g. 2,4")
    return numbers


def engine_list(value):
    """Parse ``"sqlite,postgresql"``, refusing unknown engine names."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(names) - set(ENGINES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(ENGINES)}")
    return names


def parse_args(argv=None):
    """The run's settings: flags first, then --quick, then the defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.submissions",
        description="Ticket submissions per second through one rotation.",
    )
    parser.add_argument(
        "--engines",
        type=engine_list,
        help="comma-separated: sqlite, postgresql, mysql "
        "(default: sqlite and every engine whose BENCH_*_URL is set)",
    )
    parser.add_argument("--requests", type=int, help="submissions per cell (3000)")
    parser.add_argument("--warmup", type=int, help="untimed submissions per server")
    parser.add_argument("--workers", type=int_list, help="gunicorn workers (2,4)")
    parser.add_argument(
        "--concurrency", type=int_list, help="client threads per cell (1,8,32)"
    )
    parser.add_argument(
        "--cell-seconds",
        type=int,
        help="stop starting requests in a cell after this many seconds (40)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small run: 200 requests, fewer cells"
    )
    args = parser.parse_args(argv)

    base = {**DEFAULTS, **(QUICK if args.quick else {})}
    settings = {
        name: getattr(args, name) if getattr(args, name) is not None else default
        for name, default in base.items()
    }
    if min(settings["requests"], settings["cell_seconds"]) < 1:
        parser.error("--requests and --cell-seconds must be at least 1")
    if settings["warmup"] < 0:
        parser.error("--warmup must be at least 0")

    engines = args.engines or [
        name for name in ENGINES if name == "sqlite" or os.getenv(url_variable(name))
    ]
    missing = [name for name in engines if name != "sqlite" and not server_url(name)]
    if missing:
        parser.error(
            "set " + ", ".join(url_variable(name) for name in missing) + " first"
        )
    return engines, settings


def last_line(error):
    """The line of an error's message that names what went wrong.

    A failed ``flask`` command carries its whole traceback; the last line
    naming an exception says more than the trailing help link.
    """
    lines = [line for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if EXCEPTION_LINE.match(line)]
    found = named[-1] if named else lines[-1] if lines else repr(error)
    return found[:SAMPLE_CHARS]


def url_variable(engine_name):
    return SERVER_URL_VARIABLES[engine_name]


def server_url(engine_name):
    if engine_name == "sqlite":
        return None
    return os.getenv(url_variable(engine_name))


def main(argv=None):
    """Run the benchmark, print the table, save the JSON; 1 on a failure or drift."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    engines, settings = parse_args(argv)
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    began = time.monotonic()
    host = machine()
    note = CLIENT_NOTE.format(cores=host["nproc"])
    report = {
        "benchmark": "ticket submissions through one rotation",
        "started_at": started_at,
        "machine": host,
        "settings": {
            **settings,
            "engines": engines,
            "endpoint": "POST /api/tickets",
            "raised_by": RAISED_BY,
            "warmup_concurrency": WARMUP_CONCURRENCY,
            "request_timeout_s": REQUEST_TIMEOUT_SECONDS,
            "server": "gunicorn, default (sync) workers, via tests.live.LiveServer",
            "clients": "threads in one process, one http.client connection each",
            "note": note,
        },
        "engines": {},
        "warnings": [],
    }

    print(
        f"Machine: {host['nproc']} cores, {host['memory_mb']} MB, "
        f"Python {host['python']}, app {host['app_revision'] or 'revision unknown'}"
        f"{' + uncommitted changes' if host['app_uncommitted_changes'] else ''}"
    )
    print(note, flush=True)
    cells_planned = (
        len(engines) * len(settings["workers"]) * len(settings["concurrency"])
    )
    logger.info(
        "%d cells, each capped at %d s", cells_planned, settings["cell_seconds"]
    )

    cells = []
    for engine_name in engines:
        try:
            result = bench_engine(
                engine_name, server_url(engine_name), settings, report["warnings"]
            )
        except Exception as error:
            # One engine failing to set up should not cost the others' figures.
            logger.exception("%s: the run failed", engine_name)
            reason = last_line(error)
            warning = f"WARNING {engine_name}: the run failed: {reason}"
            print(warning, flush=True)
            report["warnings"].append(warning)
            result = {"engine": engine_name, "error": reason, "cells": []}
        report["engines"][engine_name] = result
        cells.extend(result["cells"])

    report["wall_time_s"] = round(time.monotonic() - began, 1)
    path = write_results(report, engines)

    print()
    for engine_name, result in report["engines"].items():
        version = result.get("version") or f"failed: {result.get('error')}"
        print(f"{engine_name}: {version}")
    print(
        f"Up to {settings['requests']} submissions per cell, "
        f"{settings['cell_seconds']} s at most (* = stopped by the time cap)."
    )
    sent = sum(cell["requests_sent"] for cell in cells)
    opened = sum(cell["connections_opened"] for cell in cells)
    print(f"The clients opened {opened} TCP connections for {sent} requests.")
    print()
    print(table(cells))
    print()
    print(f"{len(report['warnings'])} warning(s). Wall time {report['wall_time_s']} s.")
    print(f"Results: {path.relative_to(PROJECT)} and submissions-latest.json")

    failed = any("error" in result for result in report["engines"].values())
    drifted = any(not cell["rotation"]["exact"] for cell in cells)
    return 1 if failed or drifted else 0


if __name__ == "__main__":
    sys.exit(main())
