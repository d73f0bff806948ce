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
    # Up to this many members, member filters are menus; beyond, number fields.
    MEMBER_MENU_LIMIT = 100
    ROTATION_PREVIEW = 5
    # How many times a write that hit a lock timeout or deadlock is retried
    # before the client is told to come back later.
    WRITE_ATTEMPTS = 5
    RETRY_AFTER_SECONDS = 2

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PASSWORD_HASH_METHOD = "scrypt"
    # Failed sign-ins: this many are free, then each attempt waits twice as
    # long (up to the maximum), and past the lock limit the account or
    # address is refused until the window has passed without failures.
    SIGN_IN_FREE_ATTEMPTS = 3
    SIGN_IN_MAX_DELAY_SECONDS = 30
    SIGN_IN_LOCK_AFTER = 10
    SIGN_IN_WINDOW_SECONDS = 15 * 60
    # The hosted demo: `flask seed` gives the sample team this password and
    # the sign-in page shows it. Never set on a real team's helpdesk.
    DEMO_MODE = os.environ.get("DEMO_MODE", "").lower() in ("1", "true", "yes")
    DEMO_PASSWORD = "helpdesk-demo"


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    WRITE_ATTEMPTS = 3
    # Fast hashes keep the suite quick; real deployments use scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

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
