"""gunicorn for the benchmarks, with the worker class and threads chosen per run.

``tests.live.LiveServer`` always starts gunicorn's default sync workers,
which close the connection after every response. The benchmarks need to
choose the worker class (``gthread`` keeps connections alive), to serve
either the product (``wsgi:app``) or the bare handler
(``bench.bare_app:app``), and to read the workers' peak memory, so they
start gunicorn themselves with the same environment as the tests.
"""

import http.client
import signal
import subprocess
import time

from bench.common import children_of, status_kb
from tests.live import BIN, PROJECT, free_port, server_env

PRODUCT_APP = "wsgi:app"
BARE_APP = "bench.bare_app:app"
WORKER_CLASSES = ("gthread", "sync")
DEFAULT_WORKER_CLASS = "gthread"
DEFAULT_THREADS = 4
# gunicorn's own default: seconds an idle kept-alive connection stays open.
KEEP_ALIVE_SECONDS = 2
GRACEFUL_TIMEOUT_SECONDS = 5
STOP_WAIT_SECONDS = 15
HEALTH_PATH = "/healthz"


class BenchServer:
    """One gunicorn master and its workers on a free port of 127.0.0.1."""

    def __init__(
        self,
        database_url,
        *,
        app=PRODUCT_APP,
        workers=2,
        worker_class=DEFAULT_WORKER_CLASS,
        threads=DEFAULT_THREADS,
        log_path=None,
    ):
        self.database_url = database_url
        self.app = app
        self.workers = workers
        self.worker_class = worker_class
        # gunicorn quietly turns sync workers with threads into gthread ones,
        # so the sync class runs with exactly one thread.
        self.threads = threads if worker_class == "gthread" else 1
        self.log_path = log_path
        self.port = free_port()
        self.process = None

    def settings(self):
        """The gunicorn settings, as recorded beside the figures."""
        return {
            "app": self.app,
            "workers": self.workers,
            "worker_class": self.worker_class,
            "threads": self.threads,
            "keep_alive_s": KEEP_ALIVE_SECONDS,
        }

    def command(self):
        """The gunicorn command line."""
        return [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--keep-alive",
            str(KEEP_ALIVE_SECONDS),
            "--graceful-timeout",
            str(GRACEFUL_TIMEOUT_SECONDS),
            # Every gunicorn would otherwise share one control socket path,
            # and servers started by anyone else on the machine would clash.
            "--no-control-socket",
            self.app,
        ]

    def start(self, timeout=30):
        """Start gunicorn and wait until every worker is up and the app answers."""
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                self.command(),
                cwd=PROJECT,
                env=server_env(self.database_url),
                stdout=log,
                stderr=log,
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn ({self.app}) exited with {self.process.returncode}"
                )
            if self._healthy() and len(self.worker_pids()) >= self.workers:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn ({self.app}) did not answer on port {self.port}")

    def stop(self):
        """Stop gunicorn: TERM, then KILL if it has not gone in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def worker_pids(self):
        """The ids of the master's worker processes now."""
        if self.process is None or self.process.poll() is not None:
            return []
        return children_of(self.process.pid)

    def peak_memory_kb(self):
        """``{pid: VmHWM}`` for each worker: its peak resident memory so far."""
        peaks = {pid: status_kb(pid, "VmHWM") for pid in self.worker_pids()}
        return {pid: kb for pid, kb in peaks.items() if kb is not None}

    def _healthy(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", HEALTH_PATH)
            response = connection.getresponse()
            response.read()
            return response.status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
