"""Configuration classes, chosen by name in ``create_app``.

Secrets and the database location come from the environment, so the same code
runs on a laptop, in CI and on a host such as PythonAnywhere.
"""

import os

DEV_SECRET_KEY = "dev-only-secret-key-change-me"


def database_url_from_env():
    """Return ``DATABASE_URL`` with the project's drivers spelled out.

    Hosts often hand out ``postgres://`` or ``mysql://`` URLs; SQLAlchemy
    would pick drivers that are not installed for those, so name ours.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return None
    for prefix, driver in (
        ("postgres://", "postgresql+psycopg://"),
        ("postgresql://", "postgresql+psycopg://"),
        ("mysql://", "mysql+pymysql://"),
        ("mariadb://", "mysql+pymysql://"),
    ):
        if url.startswith(prefix):
            return driver + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
    # None means "SQLite in the instance folder"; the factory fills it in.
    SQLALCHEMY_DATABASE_URI = database_url_from_env()
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "md"
    # Descriptions are at most 2000 characters; anything far larger is not a
    # ticket, and is refused before it is parsed.
    MAX_CONTENT_LENGTH = 64 * 1024
    PER_PAGE = 20
    MAX_PER_PAGE = 100
    ROTATION_PREVIEW = 5
    # How many times a write that hit a lock timeout or deadlock is retried
    # before the client is told to come back later.
    WRITE_ATTEMPTS = 5
    RETRY_AFTER_SECONDS = 2


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    WRITE_ATTEMPTS = 3


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True

    @classmethod
    def check(cls):
        """Refuse to run in production with the development secret key."""
        if cls.SECRET_KEY == DEV_SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment (for example "
                "in your WSGI file) to a long random string before starting."
            )


configs = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
