"""The least a ticket submission can cost: the product's rotation SQL and nothing else.

A yardstick for ``bench.submissions``: one Flask view with no blueprints,
forms, sign-in, API tokens, history or validation framework, which saves a
ticket with the same statements, in the same order and in the same kind of
transaction as ``app/tickets/service.py`` and ``app/rotation.py``:

1. take the rotation's lock (``BEGIN IMMEDIATE`` on SQLite; on the server
   engines ``SELECT ... FROM rotations WHERE name = 'default' FOR UPDATE``),
2. find the next eligible member with the same two indexed range reads as
   ``RoundRobinAssigner._upcoming`` (after the cursor, then the wrap),
3. move the cursor, insert the ticket, commit.

It runs on the app's own schema (build it with ``flask db upgrade``) and the
app's own engine settings (``app.database``: WAL and busy timeout on SQLite,
pre-ping and isolation level on the servers), so the gap between the two is
what the product does above the database. It checks no token, records no
assignment history, does not look the requester up (the foreign key refuses
an unknown one) and does not retry a busy database. Serve it with::

    DATABASE_URL=... gunicorn bench.bare_app:app
"""

import os
from datetime import UTC, datetime

from flask import Flask, request
from sqlalchemy import DateTime, bindparam, create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.database import IMMEDIATE, configure_engine, engine_options
from config import database_url_from_env

ROTATION = "default"
AVAILABLE = "available"
DESCRIPTION_MAX = 2000


class RotationRace(Exception):
    """Another first submission created the rotation's row at the same moment."""


def utcnow():
    """The current time in UTC, naive, as the app stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def statements(dialect_name):
    """The SQL for one submission on ``dialect_name``, as SQLAlchemy writes it."""
    # SQLAlchemy renders ``User.active.is_(True)`` as ``IS 1`` on SQLite.
    true = "1" if dialect_name == "sqlite" else "true"
    # SQLite's BEGIN IMMEDIATE already holds the write lock; the servers lock
    # the cursor row itself.
    for_update = "" if dialect_name == "sqlite" else " FOR UPDATE"
    eligible = (
        "SELECT id, name FROM users "
        f"WHERE active IS {true} AND availability = :available "
        "AND id != :raised_by{range} ORDER BY id LIMIT 1"
    )
    # psycopg has no lastrowid; SQLite and MySQL hand back the new id without
    # another statement.
    returning = dialect_name == "postgresql"
    now = bindparam("now", type_=DateTime())
    return {
        "lock": text(
            "SELECT id, last_assigned_id FROM rotations WHERE name = :rotation"
            + for_update
        ),
        "create_rotation": text(
            "INSERT INTO rotations (name, last_assigned_id, updated_at) "
            "VALUES (:rotation, NULL, :now)"
        ).bindparams(now),
        "first": text(eligible.format(range="")),
        "after": text(eligible.format(range=" AND id > :cursor")),
        "wrap": text(eligible.format(range=" AND id <= :cursor")),
        "move": text(
            "UPDATE rotations SET last_assigned_id = :assignee, updated_at = :now "
            "WHERE id = :rotation_id"
        ).bindparams(now),
        "insert": text(
            "INSERT INTO tickets (description, status, raised_by_id, "
            "assigned_to_id, created_at, assigned_at) VALUES (:description, "
            ":status, :raised_by, :assignee, :now, :assigned_at)"
            + (" RETURNING id" if returning else "")
        ).bindparams(now, bindparam("assigned_at", type_=DateTime())),
        "returning": returning,
    }


def next_member(connection, sql, cursor, raised_by):
    """The next eligible member after ``cursor``, wrapping to the lowest id."""
    values = {"available": AVAILABLE, "raised_by": raised_by, "cursor": cursor}
    if cursor is None:
        return connection.execute(sql["first"], values).first()
    member = connection.execute(sql["after"], values).first()
    return member or connection.execute(sql["wrap"], values).first()


def submit(connection, sql, description, raised_by):
    """Save one ticket through the rotation; returns ``(ticket_id, member, now)``."""
    now = utcnow()
    rotation = connection.execute(sql["lock"], {"rotation": ROTATION}).first()
    if rotation is None:
        # The product creates the row on first use too. Of two first
        # submissions racing here, one fails on the unique name.
        try:
            connection.execute(
                sql["create_rotation"], {"rotation": ROTATION, "now": now}
            )
        except IntegrityError as error:
            raise RotationRace from error
        rotation = connection.execute(sql["lock"], {"rotation": ROTATION}).first()
    member = next_member(connection, sql, rotation.last_assigned_id, raised_by)
    if member is not None:
        connection.execute(
            sql["move"], {"assignee": member.id, "now": now, "rotation_id": rotation.id}
        )
    result = connection.execute(
        sql["insert"],
        {
            "description": description,
            "status": "open",
            "raised_by": raised_by,
            "assignee": member.id if member else None,
            "now": now,
            "assigned_at": now if member else None,
        },
    )
    ticket_id = result.scalar_one() if sql["returning"] else result.lastrowid
    return ticket_id, member, now


def create_app(database_url=None):
    """The bare app on ``database_url`` (default: ``DATABASE_URL``)."""
    url = database_url or database_url_from_env()
    if not url:
        raise RuntimeError("Set DATABASE_URL to the helpdesk's database.")
    engine = create_engine(url, **engine_options(url))
    configure_engine(engine)
    sql = statements(engine.dialect.name)
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/api/tickets")
    def create_ticket():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return {"error": "Send a JSON object."}, 400
        description = body.get("description")
        raised_by = body.get("raised_by")
        if (
            not isinstance(description, str)
            or not description.strip()
            or len(description) > DESCRIPTION_MAX
            or type(raised_by) is not int
        ):
            return {"error": "description and raised_by are required."}, 422
        description = description.strip()
        try:
            with engine.connect().execution_options(**{IMMEDIATE: True}) as connection:
                with connection.begin():
                    ticket_id, member, now = submit(
                        connection, sql, description, raised_by
                    )
        except RotationRace:
            return {"error": "The rotation was just created; try again."}, 503
        except IntegrityError:
            return {"error": "raised_by is not a team member."}, 422
        except DBAPIError:
            return {"error": "The database is busy; try again."}, 503
        created = now.isoformat(timespec="seconds") + "Z"
        return (
            {
                "id": ticket_id,
                "description": description,
                "status": "open",
                "raised_by": {"id": raised_by},
                "assigned_to": {"id": member.id, "name": member.name}
                if member
                else None,
                "created_at": created,
                "assigned_at": created if member else None,
            },
            201,
        )

    return app


app = create_app() if os.environ.get("DATABASE_URL") else None
