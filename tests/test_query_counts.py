"""Guard rails for speed at size: deterministic, never timed.

Every page and API call runs the same number of SQL statements whatever the
number of tickets (no query per row), a submission runs a small fixed number,
and the statements a submission runs are served by indexes.
"""

from contextlib import contextmanager

from sqlalchemy import event, insert, text

from app.extensions import db
from app.models import Ticket, utcnow

URLS = [
    "/",
    "/?window=all",
    "/tickets/",
    "/tickets/?page=2",
    "/tickets/?status=open&assigned_to=2",
    "/tickets/unassigned",
    "/tickets/1",
    "/users/2",
    "/users/2?status=open",
    "/api/tickets",
    "/api/tickets?assigned_to=3&status=open",
    "/api/users",
    "/api/users/2/tickets",
    "/api/tickets/1",
    "/api/tickets/1/history",
    "/api/rotation",
    "/api/stats",
]
# Token and member in one read; lock, requester, turn, members passed over,
# cursor, ticket, history and tallies in the write; nothing read back.
MAX_SUBMISSION_STATEMENTS = 11


@contextmanager
def counting_statements():
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def add_tickets(count, assignees=range(2, 6)):
    """Bulk-load tickets, assigned in turn to ``assignees``."""
    assignees = list(assignees)
    now = utcnow()
    rows = [
        {
            "description": f"bulk {n}",
            "status": "open" if n % 3 else "resolved",
            "raised_by_id": 1,
            "assigned_to_id": assignees[n % len(assignees)],
            "created_at": now,
            "assigned_at": now,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Ticket), rows)
    db.session.commit()


def statements_for(client, url):
    db.session.rollback()
    with counting_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_no_page_or_call_runs_more_queries_as_tickets_grow(client):
    # Many distinct assignees, so that a query per row would show: a page of
    # 20 tickets then names 20 members, where 10 tickets named 10.
    for number in range(40):
        client.post("/api/users", json={"name": f"Extra {number}"})
    client.post("/api/tickets", json={"description": "first"})
    add_tickets(10, assignees=range(2, 46))
    small = {url: statements_for(client, url) for url in URLS}

    add_tickets(990, assignees=range(2, 46))
    large = {url: statements_for(client, url) for url in URLS}

    assert large == small


def submission_statements(client, description):
    db.session.rollback()
    with counting_statements() as statements:
        response = client.post("/api/tickets", json={"description": description})
    assert response.status_code == 201
    return statements


def test_a_submission_runs_a_small_fixed_number_of_statements(client):
    submission_statements(client, "warm up")
    few = len(submission_statements(client, "few"))

    add_tickets(1000)
    many = len(submission_statements(client, "many"))

    assert few == many <= MAX_SUBMISSION_STATEMENTS


def plan(statement, parameters):
    """The database's plan for one statement, as text."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(str(row[-1]) for row in rows)
    if dialect == "postgresql":
        # Tiny test tables make a sequential scan cheapest; forbid it to see
        # whether an index can serve the query at all.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return "\n".join(row[0] for row in rows)
    # MySQL and MariaDB: the access type of each table read; ALL is a full scan.
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).mappings()
    return "\n".join(f"{row['table']}: {row['type']} {row['key']}" for row in rows)


def test_every_query_of_a_submission_uses_an_index(client):
    submission_statements(client, "warm up")
    add_tickets(200)

    reads = [
        (statement, parameters)
        for statement, parameters in submission_statements(client, "planned")
        if statement.lstrip().upper().startswith("SELECT")
    ]

    assert reads
    for statement, parameters in reads:
        db.session.rollback()
        shown = plan(statement, parameters)
        assert "SCAN tickets" not in shown and "SCAN users" not in shown, shown
        assert "Seq Scan" not in shown and ": ALL" not in shown, shown
    db.session.rollback()
    db.session.execute(text("SELECT 1"))
