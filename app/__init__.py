"""The round-robin helpdesk: the application factory."""

import logging
import os

from flask import Flask

from app.access import login_manager
from app.extensions import bootstrap, csrf, db, migrate
from config import configs

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config=None, overrides=None):
    """Build the app from a config name or class, plus optional overrides.

    Without a name, ``HELPDESK_CONFIG`` picks one (``development`` by default).
    """
    app = Flask(
        __name__,
        instance_path=os.path.join(PROJECT_ROOT, "instance"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    load_config(app, config, overrides)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def load_config(app, config, overrides):
    name = config or os.environ.get("HELPDESK_CONFIG") or "development"
    if isinstance(name, str) and name not in configs:
        raise RuntimeError(
            f"HELPDESK_CONFIG is {name!r}; use one of: {', '.join(configs)}."
        )
    config_class = configs[name] if isinstance(name, str) else name
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    app.config.update(overrides or {})

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "helpdesk.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"

    from app.database import engine_options

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = engine_options(url)
    options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def configure_logging(app):
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
        logging.getLogger("app").setLevel(logging.INFO)


def register_extensions(app):
    from app.database import configure_engine
    from app.tallies import track

    db.init_app(app)
    track(db.session)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(PROJECT_ROOT, "migrations"),
        render_as_batch=True,
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)


def register_blueprints(app):
    from app.api import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.converters import IdConverter
    from app.main import bp as main_bp
    from app.tickets.views import bp as tickets_bp
    from app.users.views import bp as users_bp

    app.url_map.converters["id"] = IdConverter
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(tickets_bp)
    app.register_blueprint(api_bp)
    # The API authenticates nothing by cookie, so a cross-site form gains
    # nothing from it; JSON clients should not have to fetch CSRF tokens.
    csrf.exempt(api_bp)


def register_error_handlers(app):
    from app.errors import register

    register(app)


def register_security(app):
    from app.access import require_sign_in
    from app.security import add_security_headers

    app.before_request(require_sign_in)
    app.after_request(add_security_headers)


def register_template_helpers(app):
    from app.models import TicketStatus
    from app.queries import page_url

    app.jinja_env.globals.update(
        labels=TicketStatus.LABELS, statuses=TicketStatus.ALL, page_url=page_url
    )


def register_commands(app):
    from app.cli import create_admin, create_token, recount, seed

    for command in (seed, create_admin, create_token, recount):
        app.cli.add_command(command)
