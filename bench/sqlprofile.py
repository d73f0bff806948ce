"""Which SQL a request runs, and what each statement costs on its own.

For the growth benchmark: one request is replayed in-process through the
real app (Flask's test client, the same database) while every statement it
sends is captured. Each captured ``SELECT`` is then run again by itself and
fetched to the last row, so its time is the database's work alone (SQLite
does much of a query's work while rows are fetched, after ``execute``
returns, so timing the app's own ``execute`` calls would miss it). The
slowest statements come back with the engine's query plan.
"""

import time

from sqlalchemy import event

from app import create_app
from app.extensions import db

PLAN_PREFIX = {
    "sqlite": "EXPLAIN QUERY PLAN ",
    "postgresql": "EXPLAIN ",
    "mysql": "EXPLAIN ",
}
SQL_CHARS = 600
PLAN_LINES = 12
# Each statement is timed this many times and the fastest run counts, so
# a passing hiccup on a busy machine does not blame the wrong query.
TIMING_RUNS = 2


class Profiler:
    """The app in-process on ``database_url``, signed in as ``member_id``."""

    def __init__(self, database_url, token, member_id=1):
        self.app = create_app(
            "development",
            overrides={"SQLALCHEMY_DATABASE_URI": database_url},
        )
        self.token = token
        self.member_id = member_id
        self.captured = None
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._capture)

    def close(self):
        """Stop capturing and close the app's connections."""
        event.remove(self.engine, "before_cursor_execute", self._capture)
        self.engine.dispose()

    def _capture(self, connection, cursor, statement, parameters, context, many):
        if self.captured is not None:
            self.captured.append((statement, parameters))

    def profile(self, method, path, body=None, top=3):
        """Run one request; return its statements, the slowest ``top`` explained.

        Only ``SELECT`` statements are run again; writes are counted, not
        repeated.
        """
        client = self.app.test_client()
        with client.session_transaction() as session:
            # Flask-Login's own session key: the page sees a signed-in member.
            session["_user_id"] = str(self.member_id)
            session["_fresh"] = True
        headers = {"Authorization": f"Bearer {self.token}"}
        self.captured = []
        try:
            response = client.open(path, method=method, json=body, headers=headers)
            status = response.status_code
        finally:
            statements, self.captured = self.captured, None

        timed = []
        with self.engine.connect() as connection:
            for statement, parameters in statements:
                if is_read(statement):
                    timed.append(self._time(connection, statement, parameters))
            timed.sort(key=lambda found: found[0]["ms"], reverse=True)
            for item, statement, parameters in timed[:top]:
                item["plan"] = self._plan(connection, statement, parameters)
            connection.rollback()
        return {
            "status": status,
            "statements": len(statements),
            "writes": sum(not is_read(statement) for statement, _ in statements),
            "select_ms_total": round(sum(found[0]["ms"] for found in timed), 2),
            "slowest": [found[0] for found in timed[:top]],
        }

    @staticmethod
    def _time(connection, statement, parameters):
        """``(figures, statement, parameters)`` for one statement run alone."""
        best, rows = None, 0
        for _ in range(TIMING_RUNS):
            began = time.perf_counter()
            rows = len(connection.exec_driver_sql(statement, parameters).fetchall())
            elapsed = time.perf_counter() - began
            best = elapsed if best is None else min(best, elapsed)
        figures = {
            "sql": " ".join(statement.split())[:SQL_CHARS],
            "parameters": [str(value)[:40] for value in parameters],
            "ms": round(best * 1000, 2),
            "rows": rows,
        }
        return figures, statement, parameters

    def _plan(self, connection, statement, parameters):
        prefix = PLAN_PREFIX.get(self.engine.dialect.name)
        if prefix is None:
            return []
        rows = connection.exec_driver_sql(prefix + statement, parameters).fetchall()
        if self.engine.dialect.name == "sqlite":
            lines = [str(row[-1]) for row in rows]
        elif self.engine.dialect.name == "postgresql":
            lines = [str(row[0]) for row in rows]
        else:
            lines = [" | ".join(str(value) for value in row) for row in rows]
        return lines[:PLAN_LINES]


def is_read(statement):
    """Whether a statement only reads, so running it again changes nothing."""
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))
