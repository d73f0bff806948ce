"""What the benchmarks share: throwaway databases, the machine, the results files.

Every benchmark runs the real app on a database of its own (a temporary
SQLite file, or a fresh database on a server named by a ``BENCH_*_URL``
variable), records the machine and the settings beside its figures, and
writes them to ``bench/results/<name>-<engines>-<time>.json`` and
``bench/results/<name>-latest.json``.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from sqlalchemy import text

from tests.engines import ServerDatabase
from tests.live import BIN, PROJECT, server_env

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ADMIN_EMAIL = "ada@example.com"
FLASK_TIMEOUT_SECONDS = 300
SERVER_URL_VARIABLES = {"postgresql": "BENCH_POSTGRES_URL", "mysql": "BENCH_MYSQL_URL"}
ENGINES = ("sqlite", *SERVER_URL_VARIABLES)
SAMPLE_CHARS = 300
EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit)\b")

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
        self.server = (
            ServerDatabase(engine_name, server_url, prefix="helpdesk_bench")
            if server_url
            else None
        )
        self._tempdir = None
        self.url = None

    def create(self):
        """Create the empty database and return ``self``."""
        if self.server is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="helpdesk-bench-")
            self.url = f"sqlite:///{Path(self._tempdir.name) / 'helpdesk.sqlite'}"
            return self
        self.url = self.server.create().url
        return self

    def drop(self):
        """Remove the database, whatever state the run left it in."""
        if self._tempdir is not None:
            self._tempdir.cleanup()
        elif self.url is not None:
            self.server.drop()

    def describe_server(self):
        """The server's URL without a password, for the results."""
        if self.server is None:
            return None
        return self.server.admin_url.render_as_string(hide_password=True)


def flask_command(database_url, *args, **env):
    """Run a ``flask`` command on ``database_url`` as production would; its output.

    The real command in its own process, with the same environment as the
    servers, so the benchmark's own process keeps its logging and the
    demo passwords get the production hash.
    """
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=PROJECT,
        env=server_env(database_url, **env),
        capture_output=True,
        text=True,
        timeout=FLASK_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def seed_with_token(database_url):
    """Migrate, seed the demo team and return a new API token of Ada's.

    ``flask db upgrade``, ``flask seed`` with ``DEMO_MODE=1`` (member 1,
    ada@example.com, is the admin; everyone has the demo password) and
    ``flask create-token``, whose last line is the token.
    """
    flask_command(database_url, "db", "upgrade")
    seeded = flask_command(database_url, "seed", DEMO_MODE="1")
    if "Added 5" not in seeded:
        raise RuntimeError(f"unexpected seed output: {seeded!r}")
    output = flask_command(database_url, "create-token", ADMIN_EMAIL)
    return output.strip().splitlines()[-1]


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
        names = ("synchronous_commit", "fsync", "max_connections", "shared_buffers")
        settings = {
            name: connection.execute(text(f"SHOW {name}")).scalar() for name in names
        }
    else:
        names = (
            "innodb_flush_log_at_trx_commit",
            "innodb_lock_wait_timeout",
            "innodb_buffer_pool_size",
            "max_connections",
        )
        settings = {
            name: connection.execute(text(f"SELECT @@{name}")).scalar()
            for name in names
        }
    return version, {name: str(value) for name, value in settings.items()}


def url_variable(engine_name):
    """The environment variable that names a server engine's URL."""
    return SERVER_URL_VARIABLES[engine_name]


def server_url(engine_name):
    """The server URL for an engine, or None for SQLite or when unset."""
    if engine_name == "sqlite":
        return None
    return os.getenv(url_variable(engine_name))


def default_engines():
    """SQLite, plus every server engine whose ``BENCH_*_URL`` is set."""
    return [name for name in ENGINES if name == "sqlite" or server_url(name)]


def missing_urls(engines):
    """The ``BENCH_*_URL`` variables that the chosen engines need but lack."""
    return [
        url_variable(name)
        for name in engines
        if name != "sqlite" and not server_url(name)
    ]


# --- Processes --------------------------------------------------------------


def children_of(pid):
    """The ids of the processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in brackets may hold spaces; fields follow the ")".
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry.name))
    return sorted(found)


def status_kb(pid, key):
    """A ``kB`` figure such as ``VmHWM`` from ``/proc/<pid>/status``, or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


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


def describe_machine(host):
    """One line about the machine, for the top of a run's output."""
    return (
        f"Machine: {host['nproc']} cores, {host['memory_mb']} MB, "
        f"Python {host['python']}, app {host['app_revision'] or 'revision unknown'}"
        f"{' + uncommitted changes' if host['app_uncommitted_changes'] else ''}"
    )


def app_changed():
    """Whether ``app/`` differs from the revision, or None outside a checkout."""
    # Without optional locks, git never takes the index lock that people
    # committing at the same time would trip over.
    status = git("--no-optional-locks", "status", "--porcelain", "--", "app")
    return None if status is None else bool(status)


def git(*args):
    """A git command's output in the project, or None if git is unavailable."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=PROJECT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def write_results(report, benchmark, engines):
    """Save ``report`` under a dated name and as ``<benchmark>-latest.json``."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = report["started_at"].replace("-", "").replace(":", "")
    paths = [
        RESULTS_DIR / f"{benchmark}-{'-'.join(engines)}-{stamp}.json",
        RESULTS_DIR / f"{benchmark}-latest.json",
    ]
    content = json.dumps(report, indent=2) + "\n"
    for path in paths:
        # Write then rename, so an interrupted run never leaves half a file.
        partial = path.with_suffix(".tmp")
        partial.write_text(content)
        partial.replace(path)
    return paths[0]


def run_engines(engines, bench_engine, settings, report, logger):
    """Run ``bench_engine`` for each engine and return every cell measured.

    One engine failing (a server not answering, say) is recorded as a
    warning and does not cost the other engines their figures.
    """
    cells = []
    for engine_name in engines:
        try:
            result = bench_engine(
                engine_name, server_url(engine_name), settings, report["warnings"]
            )
        except Exception as error:
            logger.exception("%s: the run failed", engine_name)
            reason = last_line(error)
            warning = f"WARNING {engine_name}: the run failed: {reason}"
            print(warning, flush=True)
            report["warnings"].append(warning)
            result = {"engine": engine_name, "error": reason, "cells": []}
        report["engines"][engine_name] = result
        cells.extend(result["cells"])
    return cells


def last_line(error):
    """The line of an error's message that names what went wrong.

    A failed ``flask`` command carries its whole traceback; the last line
    naming an exception says more than the trailing help link.
    """
    lines = [line for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if EXCEPTION_LINE.match(line)]
    found = named[-1] if named else lines[-1] if lines else repr(error)
    return found[:SAMPLE_CHARS]


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
        lines = chunk.splitlines()
        first = None
        for number, line in enumerate(lines):
            if not any(sign in line for sign in LOG_SIGNS.values()):
                continue
            first = line.strip()
            if LOG_SIGNS["tracebacks"] in line:
                # The traceback's own first line says nothing; the exception
                # it ends with says what went wrong.
                ending = next(
                    (
                        later.strip()
                        for later in lines[number + 1 :]
                        if EXCEPTION_LINE.match(later)
                    ),
                    None,
                )
                first = ending or first
            break
        return counts, first[:SAMPLE_CHARS] if first else None


# --- Command line -----------------------------------------------------------


def int_list(value):
    """Parse ``"2,4"`` into ``[2, 4]``; ``1_000`` and ``1000`` both work."""
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("expected numbers, e.g. 2,4") from None
    if not numbers or min(numbers) < 0:
        raise argparse.ArgumentTypeError("expected numbers, e.g. 2,4")
    return numbers


def positive_int_list(value):
    """Like :func:`int_list`, refusing zero."""
    numbers = int_list(value)
    if min(numbers) < 1:
        raise argparse.ArgumentTypeError("expected positive numbers, e.g. 2,4")
    return numbers


def add_engines_argument(parser):
    """The ``--engines`` flag every benchmark takes."""
    parser.add_argument(
        "--engines",
        type=engine_list,
        help="comma-separated: sqlite, postgresql, mysql "
        "(default: sqlite and every engine whose BENCH_*_URL is set)",
    )


def engine_list(value):
    """Parse ``"sqlite,postgresql"``, refusing unknown engine names."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(names) - set(ENGINES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(ENGINES)}")
    return names
