"""Many clients raising tickets at once, for the stress suite.

The clients speak plain HTTP/1.1 through ``http.client`` from the standard
library, only to 127.0.0.1. Each submission goes in through one of the two
doors a ticket has: the JSON API with a bearer token, or the HTML form of a
signed-in session, with its CSRF token and cookies. Whatever happens on the
wire is recorded as an :class:`Outcome`; nothing is retried, so every
outcome is exactly one try.

:class:`LoadReport`, a small pytest plugin, lists at the end of the run what
each stress test sent and how the servers answered.
"""

import http.client
import json
import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 20
ACKNOWLEDGED = (201, 303)
TICKET_PAGE = re.compile(r"^/tickets/(\d+)$")
SUMMARY_PROPERTY = "stress load"


@dataclass(frozen=True)
class Submission:
    """One ticket to raise: the text that identifies it, and the way in."""

    description: str
    host: str
    port: int
    channel: str  # "api" or "form"
    raised_by: int


@dataclass
class Outcome:
    """What came back for one submission.

    ``status`` is the answer to the request that raises the ticket (or to
    the form page, when that failed), or None when no answer came. ``sent``
    says whether the raising request may have reached a server: a form whose
    page could not be fetched was never submitted.
    """

    submission: Submission
    status: int | None = None
    error: str | None = None
    sent: bool = False
    ticket_id: int | None = None
    assignee_id: int | None = None
    finished_at: float = 0.0

    @property
    def acknowledged(self):
        """The server said the ticket was saved."""
        return self.status in ACKNOWLEDGED and self.error is None

    def describe(self):
        """A one-line account of the outcome, for failure messages."""
        where = f"{self.submission.channel}@{self.submission.host}"
        answer = self.status if self.status is not None else "no answer"
        detail = f" ({self.error})" if self.error else ""
        return f"{self.submission.description!r} {where}: {answer}{detail}"


class Client:
    """One person at the helpdesk: an API token, and a browser's cookies.

    The cookies are sent back on every page request and updated from every
    answer, as a browser does. (``http.cookiejar`` would not do: the
    production config marks the session cookie Secure, so a jar withholds it
    over plain HTTP, even to 127.0.0.1.) A client belongs to one thread.
    """

    def __init__(self, token, cookies=None):
        self.token = token
        self.cookies = dict(cookies or {})

    def sign_in(self, port, email, password):
        """Sign in through the sign-in page; raise unless it lets us in."""
        status, _, page = self.browse(port, "GET", "/sign-in")
        if status != 200:
            raise AssertionError(f"the sign-in page answered {status}")
        fields = form_fields(page.decode(), "/sign-in")
        fields.update(email=email, password=password)
        status, _, _ = self.browse(port, "POST", "/sign-in", fields)
        if status != 303:
            raise AssertionError(f"signing in as {email} answered {status}")
        return self

    def submit(self, submission, timeout=REQUEST_TIMEOUT):
        """Raise one ticket through the submission's channel; report the outcome.

        A connection that fails, resets or times out is an outcome like any
        other (``status`` None, ``error`` set), never an exception.
        """
        outcome = Outcome(submission)
        send = self._submit_json if submission.channel == "api" else self._submit_form
        try:
            send(submission, outcome, timeout)
        except (OSError, http.client.HTTPException) as error:
            outcome.error = f"{type(error).__name__}: {error}"
        outcome.finished_at = time.monotonic()
        return outcome

    def _submit_json(self, submission, outcome, timeout):
        body = json.dumps(
            {"description": submission.description, "raised_by": submission.raised_by}
        )
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        }
        outcome.sent = True
        status, _, payload = exchange(
            submission.port, "POST", "/api/tickets", body, headers, timeout
        )
        outcome.status = status
        if status == 201:
            try:
                ticket = json.loads(payload)
                outcome.ticket_id = ticket["id"]
                outcome.assignee_id = ticket["assigned_to"]["id"]
            except (ValueError, KeyError, TypeError) as error:
                outcome.error = f"unexpected ticket JSON ({error!r}): {payload[:200]!r}"

    def _submit_form(self, submission, outcome, timeout):
        port = submission.port
        status, _, page = self.browse(port, "GET", "/tickets/new", timeout=timeout)
        if status != 200:
            outcome.status = status
            outcome.error = f"the form page answered {status}; nothing was submitted"
            return
        # Send back the form's hidden fields (the CSRF token, and whatever
        # else the form carries), as a browser would.
        fields = form_fields(page.decode(), "/tickets/new")
        fields.update(
            description=submission.description, raised_by=submission.raised_by
        )
        outcome.sent = True
        status, headers, _ = self.browse(port, "POST", "/tickets/new", fields, timeout)
        outcome.status = status
        if status == 303:
            location = headers.get("Location", "")
            match = TICKET_PAGE.match(urlsplit(location).path)
            if match:
                outcome.ticket_id = int(match.group(1))
            else:
                outcome.error = f"redirected to {location!r}, not to a ticket"

    def browse(self, port, method, path, form=None, timeout=REQUEST_TIMEOUT):
        """A page request with this client's cookies; keeps the cookies it sets."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, page = exchange(
            port, method, path, body, headers, timeout
        )
        self._keep_cookies(response_headers)
        return status, response_headers, page

    def _keep_cookies(self, headers):
        cookies = SimpleCookie()
        for value in headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        for name, morsel in cookies.items():
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.coded_value
            else:
                self.cookies.pop(name, None)  # the server deleted it


def exchange(port, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT):
    """One request on a fresh connection: ``(status, headers, body bytes)``.

    Redirects are not followed; the 303 after a form post is the answer.
    """
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class _Forms(HTMLParser):
    """Collects the action and the hidden inputs of every form on a page."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", {}))
            self.inside = True
        elif tag == "input" and self.inside and attributes.get("type") == "hidden":
            if attributes.get("name"):
                self.forms[-1][1][attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(page, path):
    """The hidden fields of the form on ``page`` that posts to ``path``.

    A form without an action posts back to its own page, which is ``path``
    here. Other forms on the page (signing out, say) are left alone.
    """
    parser = _Forms()
    parser.feed(page)
    parser.close()
    for action, fields in parser.forms:
        if urlsplit(action).path in ("", path):
            return fields
    raise AssertionError(f"no form on the page posts to {path}")


class Load:
    """One thread per client, each sending its own list of submissions, all at once.

    ``plans`` pairs each :class:`Client` with its submissions. Every thread
    sends its submissions one after another and stops early only when the
    time allowed runs out, so the load is bounded both in count and in time.
    Threads wait for one signal before sending anything, so they really do
    start together.
    """

    def __init__(self, plans, seconds):
        self.plans = plans
        self.seconds = seconds
        self.outcomes = []
        self.acknowledged = 0
        self.deadline = None
        self._running = len(plans)
        self._progress = threading.Condition()
        self._go = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=plan, daemon=True)
            for plan in plans
        ]

    @property
    def planned(self):
        return sum(len(plan) for _, plan in self.plans)

    def start(self):
        self.deadline = time.monotonic() + self.seconds
        for thread in self._threads:
            thread.start()
        self._go.set()
        return self

    def _client(self, client, submissions):
        self._go.wait()
        try:
            for submission in submissions:
                if time.monotonic() > self.deadline:
                    return
                outcome = client.submit(submission)
                with self._progress:
                    self.outcomes.append(outcome)
                    self.acknowledged += outcome.acknowledged
                    self._progress.notify_all()
        finally:
            with self._progress:
                self._running -= 1
                self._progress.notify_all()

    def wait_for_acknowledged(self, count, timeout):
        """Block until ``count`` tickets were acknowledged.

        Returns False if that did not happen within ``timeout`` seconds, or
        before every client was done.
        """
        with self._progress:
            self._progress.wait_for(
                lambda: self.acknowledged >= count or self._running == 0,
                timeout=timeout,
            )
            return self.acknowledged >= count

    def finish(self):
        """Wait for every client thread and return all outcomes.

        Raises if a thread is still running well after the deadline, which
        would mean a request outlived its own timeout.
        """
        for thread in self._threads:
            remaining = self.deadline - time.monotonic()
            thread.join(timeout=max(0, remaining) + 2 * REQUEST_TIMEOUT)
        hung = sum(thread.is_alive() for thread in self._threads)
        if hung:
            raise AssertionError(f"{hung} client threads never finished")
        with self._progress:
            return list(self.outcomes)


def tally(outcomes):
    """Outcomes counted by answer: ``{"201": n, "503": n, "no answer": n, ...}``."""
    return Counter(
        str(o.status) if o.status is not None else "no answer" for o in outcomes
    )


def gunicorn_workers(master_pid):
    """The pids of a gunicorn master's worker processes (its children).

    Read from ``/proc/<pid>/stat``: the parent pid is the second field after
    the command name, which is in parentheses and may itself contain spaces.
    """
    workers = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        state, parent = fields[0], int(fields[1])
        if parent == master_pid and state != "Z":
            workers.append(int(entry))
    return sorted(workers)


def workers_serving(master_pid, port):
    """The workers of a gunicorn master that hold a client connection on ``port``.

    A sync worker serves one connection at a time, so these are the workers
    in the middle of a request. Found by matching the established TCP
    connections to the port (``/proc/net/tcp``; connections still waiting
    to be accepted have no inode yet) with the workers' open sockets.
    """
    connections = set()
    with open("/proc/net/tcp") as table:
        next(table)  # the header
        for line in table:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            established = state == "01"
            if established and int(local.rsplit(":", 1)[1], 16) == port:
                if inode != "0":
                    connections.add(f"socket:[{inode}]")
    return [
        pid for pid in gunicorn_workers(master_pid) if open_files(pid) & connections
    ]


def open_files(pid):
    """What a process's file descriptors point to (``socket:[inode]`` for sockets)."""
    targets = set()
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return targets  # the process ended while we looked
    for descriptor in descriptors:
        try:
            targets.add(os.readlink(f"/proc/{pid}/fd/{descriptor}"))
        except OSError:
            continue  # closed while we looked
    return targets


def log_tail(path, lines=40):
    """The last ``lines`` lines of a log file, or a note that there is none."""
    try:
        with open(path, errors="replace") as log:
            return "".join(log.readlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})\n"


class LoadReport:
    """A pytest plugin that lists every stress test's load at the end of the run.

    Tests record their line with ``record_property(SUMMARY_PROPERTY, ...)``;
    the list shows passed and failed tests alike, so 503s and dropped
    connections are reported even when they were allowed.
    """

    name = "stress-load-report"

    def pytest_terminal_summary(self, terminalreporter):
        lines = [
            f"{report.nodeid}: {value}"
            for reports in terminalreporter.stats.values()
            for report in reports
            if getattr(report, "when", None) == "call"
            for name, value in getattr(report, "user_properties", ())
            if name == SUMMARY_PROPERTY
        ]
        if lines:
            terminalreporter.section("stress load")
            for line in lines:
                terminalreporter.write_line(line)
