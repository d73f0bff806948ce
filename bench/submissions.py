"""How many ticket submissions per second one rotation sustains, per engine.

Every submission locks the rotation's cursor row, so submissions to one
rotation run one after another however many workers serve them. This
benchmark measures that ceiling end to end: the real app under gunicorn, the
real migrations and seed, and clients posting to ``POST /api/tickets`` with
an admin's API token. Beside it, with the same gunicorn settings and on the
same database, it serves ``bench.bare_app`` (the same rotation SQL with no
framework around it) and reports the product's throughput as a share of
the bare handler's.

For each engine it builds a throwaway database, starts both servers with
each worker count, warms them up, then sends ``--requests`` submissions to
each at each client concurrency. After every cell it reads the tickets back
from the database and checks that the assignees still follow the rotation
exactly.

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
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import (
    LogWatch,
    ThrowawayDatabase,
    add_engines_argument,
    default_engines,
    describe_machine,
    engine_facts,
    machine,
    missing_urls,
    positive_int_list,
    run_engines,
    seed_with_token,
    write_results,
)
from bench.server import (
    BARE_APP,
    DEFAULT_THREADS,
    DEFAULT_WORKER_CLASS,
    GRACEFUL_TIMEOUT_SECONDS,
    KEEP_ALIVE_SECONDS,
    PRODUCT_APP,
    WORKER_CLASSES,
    BenchServer,
)
from tests.live import PROJECT

logger = logging.getLogger("bench.submissions")

# Each cell stops starting requests after ``cell_seconds``, so the default
# run on SQLite (2 worker counts x 3 concurrencies x product and bare) and
# the growth benchmark together stay within 15 minutes on a 2-core machine.
DEFAULTS = {
    "requests": 3000,
    "warmup": 100,
    "workers": [2, 4],
    "concurrency": [1, 8, 32],
    "cell_seconds": 15,
    "worker_class": DEFAULT_WORKER_CLASS,
    "threads": DEFAULT_THREADS,
    "bare": True,
}
QUICK = {"requests": 200, "warmup": 20, "workers": [2], "concurrency": [1, 8]}
APPS = {"product": PRODUCT_APP, "bare": BARE_APP}
# The share of the bare handler's throughput the product should reach.
RATIO_GOAL = 0.8

# The sample team is members 1-5; member 1 (Ada, the admin whose token the
# clients send) raises every ticket, so the rotation must hand them to
# 2, 3, 4, 5, 2, ... in ticket id order.
RAISED_BY = 1
SEEDED_MEMBERS = 5
WARMUP_CONCURRENCY = 8
REQUEST_TIMEOUT_SECONDS = 30
SAMPLE_CHARS = 300
CLIENT_NOTE = (
    "Client threads run on the same machine as gunicorn and the database "
    "server and compete with them for its {cores} cores."
)


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


def client(port, token, budget, start, load, lock):
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
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
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


def send(port, token, total, concurrency, time_cap):
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
            target=client,
            args=(port, token, budget, start, load, lock),
            daemon=True,
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


# --- One engine -------------------------------------------------------------


@dataclass
class EngineRun:
    """Everything the cells on one engine share."""

    name: str
    url: str
    token: str
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
        logger.info("%s: building the schema, seeding, making a token", engine_name)
        token = seed_with_token(database.url)

        # The benchmark's own connection, used only between cells, so it
        # reads what the app committed without competing with it.
        reader = create_engine(database.url)
        with reader.connect() as connection:
            version, server_settings = engine_facts(connection, engine_name)
            members = list(
                connection.execute(text("SELECT id FROM users ORDER BY id")).scalars()
            )
        if members != list(range(1, SEEDED_MEMBERS + 1)):
            raise RuntimeError(f"{engine_name}: unexpected seeded members {members}")
        cycle = [member for member in members if member != RAISED_BY]
        result.update(version=version, server_settings=server_settings)
        run = EngineRun(
            engine_name,
            database.url,
            token,
            settings,
            reader,
            RotationCheck(cycle),
            warnings,
        )

        with tempfile.TemporaryDirectory(prefix="helpdesk-bench-logs-") as logs:
            for workers in settings["workers"]:
                result["cells"].extend(bench_servers(run, workers, Path(logs)))
    finally:
        if reader is not None:
            reader.dispose()
        database.drop()
    return result


def bench_servers(run, workers, logs):
    """Serve the product and the bare handler with ``workers`` workers each, and
    run every concurrency on both, one after the other."""
    apps = [name for name in APPS if name == "product" or run.settings["bare"]]
    servers, watches = {}, {}
    for name in apps:
        log_path = logs / f"{name}-{workers}.log"
        log_path.touch()
        watches[name] = LogWatch(log_path)
        servers[name] = BenchServer(
            run.url,
            app=APPS[name],
            workers=workers,
            worker_class=run.settings["worker_class"],
            threads=run.settings["threads"],
            log_path=log_path,
        )
    cells = []
    try:
        # Both stay up for the whole worker count, so each concurrency runs
        # on the two back to back, under the same conditions.
        for server in servers.values():
            server.start()
        # The product warms up first: it creates the rotation's row.
        for name, server in servers.items():
            warm_up(run, f"{run.name} {name} workers={workers}", server, watches[name])

        for concurrency in run.settings["concurrency"]:
            pair = {}
            for name, server in servers.items():
                label = f"{run.name} {name} workers={workers} clients={concurrency}"
                cell = {
                    "engine": run.name,
                    "app": name,
                    "workers": workers,
                    "concurrency": concurrency,
                    **run_cell(run, label, server, watches[name], concurrency),
                }
                cells.append(cell)
                pair[name] = cell
            if "bare" in pair:
                bare = pair["bare"]["tickets_per_s"]
                ratio = pair["product"]["tickets_per_s"] / bare if bare else None
                pair["product"]["product_to_bare"] = (
                    None if ratio is None else round(ratio, 3)
                )
        # Peak memory of each worker over everything this server did.
        peaks = {name: server.peak_memory_kb() for name, server in servers.items()}
        for cell in cells:
            kb = peaks[cell["app"]]
            cell["worker_peak_rss_mb"] = (
                round(max(kb.values()) / 1024, 1) if kb else None
            )
    finally:
        for server in servers.values():
            server.stop()
    return cells


def warm_up(run, label, server, watch):
    """Untimed submissions, so every worker has connected and warmed its code.

    Anything refused here would make the timed cells measure only refusals.
    """
    logger.info("%s warm-up: %d submissions", label, run.settings["warmup"])
    load = send(
        server.port,
        run.token,
        run.settings["warmup"],
        WARMUP_CONCURRENCY,
        run.settings["cell_seconds"],
    )
    verify(run, f"{label} warm-up", load, watch)
    if run.settings["warmup"] and not load.created:
        raise RuntimeError(f"{label}: no submission accepted: {load.first_refusal}")


def run_cell(run, label, server, watch, concurrency):
    """One timed batch at one concurrency; its figures and the checks after it."""
    logger.info("%s: %d submissions", label, run.settings["requests"])
    # Anything else busy on the machine shows here, and skews the cell.
    load_before = round(os.getloadavg()[0], 2)
    load = send(
        server.port,
        run.token,
        run.settings["requests"],
        concurrency,
        run.settings["cell_seconds"],
    )
    cell = {
        "load_1m_before": load_before,
        **summarise(load),
        **verify(run, label, load, watch),
    }
    logger.info(
        "%s: %.1f tickets/s, p99 %s ms, %d connections",
        label,
        cell["tickets_per_s"],
        cell["latency_ms"]["p99"],
        cell["connections_opened"],
    )
    return cell


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


COLUMNS = (
    ("engine", 10, "{engine}"),
    ("app", 7, "{app}"),
    ("workers", 7, "{workers}"),
    ("clients", 7, "{concurrency}"),
    ("sent", 6, "{sent}"),
    ("tickets/s", 9, "{tickets_per_s:.1f}"),
    ("p50 ms", 7, "{p50}"),
    ("p95 ms", 7, "{p95}"),
    ("p99 ms", 7, "{p99}"),
    ("not 201", 7, "{not_201}"),
    ("conns", 5, "{connections_opened}"),
    ("client cpu", 10, "{client_cpu_s:.1f} s"),
    ("peak MB", 7, "{peak_mb}"),
    ("rotation", 8, "{rotation_state}"),
)
RATIO_COLUMNS = (
    ("engine", 10, "{engine}"),
    ("workers", 7, "{workers}"),
    ("clients", 7, "{concurrency}"),
    ("product/s", 9, "{product:.1f}"),
    ("bare/s", 7, "{bare:.1f}"),
    ("ratio", 6, "{ratio}"),
    (f"goal {RATIO_GOAL}", 8, "{verdict}"),
)


def render(columns, rows):
    """Rows of values as a fixed-width text table."""
    lines = ["  ".join(f"{name:>{width}}" for name, width, _ in columns)]
    for values in rows:
        lines.append(
            "  ".join(
                f"{template.format(**values):>{width}}"
                for _, width, template in columns
            )
        )
    return "\n".join(lines)


def table(cells):
    """The cells as a fixed-width text table."""
    rows = [
        {
            **cell,
            **{key: fmt_ms(value) for key, value in cell["latency_ms"].items()},
            "rotation_state": "exact" if cell["rotation"]["exact"] else "DRIFTED",
            # A star marks a cell the time cap stopped short of --requests.
            "sent": f"{cell['requests_sent']}{'*' if cell['hit_time_cap'] else ''}",
            "peak_mb": "-"
            if cell.get("worker_peak_rss_mb") is None
            else f"{cell['worker_peak_rss_mb']:.0f}",
        }
        for cell in cells
    ]
    return render(COLUMNS, rows)


def ratios(cells):
    """Per engine, workers and concurrency: product and bare throughput, and
    the product's share of the bare handler's."""
    bare = {
        (cell["engine"], cell["workers"], cell["concurrency"]): cell["tickets_per_s"]
        for cell in cells
        if cell["app"] == "bare"
    }
    found = []
    for cell in cells:
        key = (cell["engine"], cell["workers"], cell["concurrency"])
        if cell["app"] != "product" or key not in bare:
            continue
        ratio = cell.get("product_to_bare")
        found.append(
            {
                "engine": key[0],
                "workers": key[1],
                "concurrency": key[2],
                "product": cell["tickets_per_s"],
                "bare": bare[key],
                "ratio": ratio,
                "meets_goal": ratio is not None and ratio >= RATIO_GOAL,
            }
        )
    return found


def ratio_table(rows):
    """The ratios as a fixed-width text table."""
    return render(
        RATIO_COLUMNS,
        [
            {
                **row,
                "ratio": "-" if row["ratio"] is None else f"{row['ratio']:.2f}",
                "verdict": "met" if row["meets_goal"] else "MISSED",
            }
            for row in rows
        ],
    )


def fmt_ms(value):
    return "-" if value is None else f"{value:.1f}"


# --- Command line -----------------------------------------------------------


def parse_args(argv=None):
    """The run's settings: flags first, then --quick, then the defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.submissions",
        description="Ticket submissions per second through one rotation.",
    )
    add_arguments(parser)
    return settings_from(parser, parser.parse_args(argv))


def add_arguments(parser):
    """The flags of this benchmark, on ``parser``."""
    add_engines_argument(parser)
    parser.add_argument("--requests", type=int, help="submissions per cell (3000)")
    parser.add_argument("--warmup", type=int, help="untimed submissions per server")
    parser.add_argument(
        "--workers", type=positive_int_list, help="gunicorn workers (2,4)"
    )
    parser.add_argument(
        "--concurrency", type=positive_int_list, help="client threads per cell (1,8,32)"
    )
    parser.add_argument(
        "--cell-seconds",
        type=int,
        help="stop starting requests in a cell after this many seconds (15)",
    )
    parser.add_argument(
        "--worker-class",
        choices=WORKER_CLASSES,
        help="gunicorn worker class (gthread, which keeps connections alive)",
    )
    parser.add_argument("--threads", type=int, help="threads per gthread worker (4)")
    parser.add_argument(
        "--no-bare",
        dest="bare",
        action="store_const",
        const=False,
        help="skip the bare handler and the ratios",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small run: 200 requests, fewer cells"
    )


def settings_from(parser, args):
    """``(engines, settings)`` from parsed flags, --quick and the defaults."""
    base = {**DEFAULTS, **(QUICK if args.quick else {})}
    settings = {
        name: getattr(args, name) if getattr(args, name) is not None else default
        for name, default in base.items()
    }
    if min(settings["requests"], settings["cell_seconds"], settings["threads"]) < 1:
        parser.error("--requests, --cell-seconds and --threads must be at least 1")
    if settings["warmup"] < 0:
        parser.error("--warmup must be at least 0")

    engines = args.engines or default_engines()
    missing = missing_urls(engines)
    if missing:
        parser.error("set " + ", ".join(missing) + " first")
    return engines, settings


def main(argv=None, *, parsed=None):
    """Run the benchmark, print the table, save the JSON; 1 on a failure or drift.

    ``parsed`` is ``(engines, settings)`` when a caller has read them already.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    engines, settings = parsed or parse_args(argv)
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    began = time.monotonic()
    host = machine()
    note = CLIENT_NOTE.format(cores=host["nproc"])
    # gunicorn runs sync workers with one thread each (see bench.server).
    threads = settings["threads"] if settings["worker_class"] == "gthread" else 1
    apps = [name for name in APPS if name == "product" or settings["bare"]]
    report = {
        "benchmark": "ticket submissions through one rotation",
        "started_at": started_at,
        "machine": host,
        "settings": {
            **settings,
            "threads": threads,
            "engines": engines,
            "endpoint": "POST /api/tickets",
            "auth": "Authorization: Bearer <token of member 1, the admin>",
            "raised_by": RAISED_BY,
            "warmup_concurrency": WARMUP_CONCURRENCY,
            "request_timeout_s": REQUEST_TIMEOUT_SECONDS,
            "server": "gunicorn via bench.server.BenchServer",
            "gunicorn": {
                "worker_class": settings["worker_class"],
                "threads": threads,
                "keep_alive_s": KEEP_ALIVE_SECONDS,
                "graceful_timeout_s": GRACEFUL_TIMEOUT_SECONDS,
            },
            "apps": {name: APPS[name] for name in apps},
            "ratio_goal": RATIO_GOAL,
            "clients": "threads in one process, one http.client connection each",
            "note": note,
        },
        "engines": {},
        "warnings": [],
    }

    print(describe_machine(host))
    print(note, flush=True)
    cells_planned = (
        len(engines)
        * len(settings["workers"])
        * len(settings["concurrency"])
        * len(apps)
    )
    logger.info(
        "%d cells, each capped at %d s", cells_planned, settings["cell_seconds"]
    )

    cells = run_engines(engines, bench_engine, settings, report, logger)

    report["ratios"] = ratios(cells)
    report["wall_time_s"] = round(time.monotonic() - began, 1)
    path = write_results(report, "submissions", engines)

    print()
    for engine_name, result in report["engines"].items():
        version = result.get("version") or f"failed: {result.get('error')}"
        print(f"{engine_name}: {version}")
    gunicorn = report["settings"]["gunicorn"]
    print(
        f"gunicorn: {gunicorn['worker_class']} workers, "
        f"{threads} thread(s) each, "
        f"keep-alive {gunicorn['keep_alive_s']} s. "
        f"Up to {settings['requests']} submissions per cell, "
        f"{settings['cell_seconds']} s at most (* = stopped by the time cap)."
    )
    sent = sum(cell["requests_sent"] for cell in cells)
    opened = sum(cell["connections_opened"] for cell in cells)
    print(f"The clients opened {opened} TCP connections for {sent} requests.")
    print()
    print(table(cells))
    if report["ratios"]:
        print()
        print("Product throughput as a share of the bare handler's:")
        print(ratio_table(report["ratios"]))
    print()
    print(f"{len(report['warnings'])} warning(s). Wall time {report['wall_time_s']} s.")
    print(f"Results: {path.relative_to(PROJECT)} and submissions-latest.json")

    failed = any("error" in result for result in report["engines"].values())
    drifted = any(not cell["rotation"]["exact"] for cell in cells)
    return 1 if failed or drifted else 0


if __name__ == "__main__":
    sys.exit(main())
