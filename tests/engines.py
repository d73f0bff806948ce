"""The database engines the suite runs on, and throwaway databases on them.

SQLite always runs. PostgreSQL and MySQL/MariaDB run when their URL is set
(``.ci/run`` sets both); each test run then creates its own database on
that server, builds it with the real migrations, and drops it at the end.
"""

import os
import secrets

from sqlalchemy import create_engine, make_url, text

# Through the models, so that every table is registered on the metadata.
from app.models import db

SERVER_ENGINES = {
    "postgresql": "TEST_POSTGRES_URL",
    "mysql": "TEST_MYSQL_URL",
}
# Every table of the models, children before parents.
TABLES = tuple(table.name for table in reversed(db.metadata.sorted_tables))


def selected_engines():
    """``sqlite`` plus every server engine whose URL is set."""
    return ["sqlite", *(name for name, var in SERVER_ENGINES.items() if os.getenv(var))]


def missing_engines():
    return [name for name, var in SERVER_ENGINES.items() if not os.getenv(var)]


class ServerDatabase:
    """A database of this test run's own on a PostgreSQL or MySQL server."""

    def __init__(self, engine_name, admin_url=None, prefix="helpdesk_test"):
        """On the server at ``admin_url`` (by default the engine's TEST_*_URL)."""
        admin_url = make_url(admin_url or os.environ[SERVER_ENGINES[engine_name]])
        self.engine_name = engine_name
        self.admin_url = admin_url
        self.name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
        self.url = admin_url.set(database=self.name).render_as_string(
            hide_password=False
        )

    def create(self):
        self._admin(f"CREATE DATABASE {self.name}")
        return self

    def drop(self):
        # FORCE ends any connection a killed gunicorn worker left behind.
        force = " WITH (FORCE)" if self.engine_name == "postgresql" else ""
        self._admin(f"DROP DATABASE IF EXISTS {self.name}{force}")

    def empty(self, connection):
        """Delete every row and restart ids at 1, so tests see members 1-5."""
        existing = [table for table in TABLES if self._has_table(connection, table)]
        if self.engine_name == "postgresql":
            connection.execute(
                text(f"TRUNCATE {', '.join(existing)} RESTART IDENTITY CASCADE")
            )
        else:
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
            for table in existing:
                connection.execute(text(f"TRUNCATE TABLE {table}"))
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))

    @staticmethod
    def _has_table(connection, table):
        return connection.dialect.has_table(connection, table)

    def _admin(self, statement):
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()
