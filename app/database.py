"""Engine settings per database, and the one way the app writes.

Every change goes through :func:`write_transaction`, which starts a fresh
transaction, lets the work take its locks first, commits, and retries the
whole unit of work when the database reports a lock timeout or a deadlock.
"""

import logging
import time

from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from app.extensions import db

logger = logging.getLogger(__name__)

# Execution option that asks SQLite for a write transaction from the start.
IMMEDIATE = "sqlite_begin_immediate"

SQLITE_BUSY_SECONDS = 10
MYSQL_POOL_RECYCLE_SECONDS = 280

# SQLSTATEs and MySQL error numbers that mean "try again": serialisation
# failure, deadlock, lock timeout.
TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}
TRANSIENT_MYSQL_CODES = {1205, 1213}


class DatabaseBusy(Exception):
    """The database stayed locked through every retry; nothing was saved."""


def engine_options(url):
    """SQLAlchemy engine options that suit the database behind ``url``."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
    if url.startswith("mysql"):
        return {
            "pool_pre_ping": True,
            "pool_recycle": MYSQL_POOL_RECYCLE_SECONDS,
            "isolation_level": "READ COMMITTED",
        }
    return {"pool_pre_ping": True}


def configure_engine(engine):
    """Attach the per-connection settings an engine needs."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)


def _sqlite_on_connect(dbapi_connection, connection_record):
    # Take transaction control away from the sqlite3 module, which would
    # otherwise delay BEGIN until the first write and let two processes
    # read the same cursor before either writes it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.close()


def _sqlite_on_begin(connection):
    if connection.get_execution_options().get(IMMEDIATE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def is_transient(error):
    """Whether ``error`` is a lock conflict that a retry can get past."""
    original = getattr(error, "orig", None)
    if original is None:
        return False
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if sqlstate in TRANSIENT_SQLSTATES:
        return True
    args = getattr(original, "args", ())
    if args and isinstance(args[0], int) and args[0] in TRANSIENT_MYSQL_CODES:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database is busy" in message


def write_transaction(work, *, description="write"):
    """Run ``work()`` in its own write transaction, commit, and return its result.

    Any transaction the request had open for reading is ended first, so the
    work's first statement is the one that takes the lock. Lock timeouts,
    deadlocks and serialisation failures roll everything back and run the
    work again, up to ``WRITE_ATTEMPTS`` times; then :class:`DatabaseBusy`.
    Any other error rolls back and propagates.
    """
    attempts = max(1, current_app.config["WRITE_ATTEMPTS"])
    session = db.session
    for attempt in range(1, attempts + 1):
        session.rollback()
        session.connection(execution_options={IMMEDIATE: True})
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if not is_transient(error):
                raise
            if attempt == attempts:
                logger.warning(
                    "%s gave up after %d attempts: %s", description, attempt, error.orig
                )
                raise DatabaseBusy(description) from error
            logger.info("%s retried (attempt %d): %s", description, attempt, error.orig)
            time.sleep(0.05 * attempt)
        except BaseException:
            session.rollback()
            raise
