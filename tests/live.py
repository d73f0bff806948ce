"""Real server processes for tests: gunicorn over a shared database."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HELPDESK_CONFIG": "production",
        "SECRET_KEY": "live-test-secret",
        **extra,
    }
    return env


def flask(database_url, *args, **env):
    """Run a ``flask`` command against ``database_url`` and return its output."""
    result = subprocess.run(
        [BIN / "flask", "--app", "wsgi", *args],
        cwd=PROJECT,
        env=server_env(database_url, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def seed_with_token(database_url):
    """Migrate, seed the demo team (Ada, member 1, is the admin) and return a
    fresh API token of Ada's.

    Runs in this process: the same migrations and commands as ``flask db
    upgrade``, ``flask seed`` and ``flask create-token``, without paying for
    three interpreter starts per test (test_live runs the real commands).
    """
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": database_url, "DEMO_MODE": True}
    )
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        assert "Added 5" in runner.invoke(args=["seed"]).output
        token = runner.invoke(args=["create-token", "ada@example.com"]).output
        db.session.remove()
        db.engine.dispose()
    return token.strip().splitlines()[-1]


class LiveServer:
    """One gunicorn "host": its own port and workers, the shared database.

    Requests carry ``token`` as a bearer token when one is given; ``options``
    are passed on to gunicorn.
    """

    def __init__(self, database_url, workers=1, log_path=None, token=None, options=()):
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.token = token
        self.options = list(options)
        self.process = None

    def start(self, timeout=30):
        return self.launch().wait_until_answering(timeout)

    def launch(self):
        """Start gunicorn without waiting for it, so hosts can boot together."""
        command = [
            BIN / "gunicorn",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--graceful-timeout",
            "5",
            # Each test server is on its own; gunicorn's shared control
            # socket path would make them trip over one another.
            "--no-control-socket",
            *self.options,
            "wsgi:app",
        ]
        if self.log_path:
            with open(self.log_path, "ab") as log:
                self.process = self._spawn(command, log)
        else:
            self.process = self._spawn(command, subprocess.DEVNULL)
        return self

    def wait_until_answering(self, timeout=30):
        """Poll the health check until a worker answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                self.request("GET", "/healthz", timeout=5)
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on {self.url}")

    def _spawn(self, command, log):
        return subprocess.Popen(
            command,
            cwd=PROJECT,
            env=server_env(self.database_url),
            stdout=log,
            stderr=log,
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def request(self, method, path, body=None, headers=None, timeout=30):
        """Send one request; return ``(status, headers, parsed JSON or text)``."""
        data = None
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.headers, _decode(response)
        except urllib.error.HTTPError as error:
            return error.code, error.headers, _decode(error)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _decode(response):
    raw = response.read()
    if response.headers.get_content_type() == "application/json":
        return json.loads(raw)
    return raw.decode()
