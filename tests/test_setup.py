"""Configuration, the WSGI entry point, migrations and the seed command."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

import config
from app import create_app
from app.extensions import db
from app.models import User


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("mysql://u@h/d", "mysql+pymysql://u@h/d"),
        ("mysql+pymysql://u@h/d", "mysql+pymysql://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("", None),
    ],
)
def test_database_url_names_the_installed_drivers(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)

    assert config.database_url_from_env() == expected


def test_the_default_database_is_sqlite_in_the_instance_folder():
    app = create_app("testing")

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{app.instance_path}/helpdesk.sqlite"


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", config.DEV_SECRET_KEY)

    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app("production")


def test_production_starts_with_a_real_secret_key(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-real-secret")

    app = create_app("production")

    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_wsgi_exposes_app_and_application(monkeypatch):
    monkeypatch.setenv("HELPDESK_CONFIG", "testing")

    wsgi = importlib.import_module("wsgi")

    assert wsgi.application is wsgi.app
    assert wsgi.app.config["TESTING"] is True


def test_migrations_build_exactly_the_models_schema(database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), db.metadata
            )
        db.engine.dispose()

    assert differences == []


def test_seed_if_empty_only_seeds_an_empty_team(app, runner):
    db.session.add(User(name="Existing"))
    db.session.commit()

    result = runner.invoke(args=["seed", "--if-empty"])

    assert "nothing seeded" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


@pytest.mark.parametrize("name", ["", "staging"])
def test_an_unknown_config_name_is_explained(monkeypatch, name):
    monkeypatch.setenv("HELPDESK_CONFIG", name)

    if name:
        with pytest.raises(RuntimeError, match="use one of: development"):
            create_app()
    else:
        assert create_app().config["DEBUG"] is False


def test_migrated_sqlite_tables_never_reuse_ids(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m"})
    with app.app_context():
        upgrade()
        schemas = dict(
            db.session.execute(
                db.text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            ).all()
        )
        db.session.remove()
        db.engine.dispose()

    assert "AUTOINCREMENT" in schemas["users"]
    assert "AUTOINCREMENT" in schemas["tickets"]
