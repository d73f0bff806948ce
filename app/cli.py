"""``flask seed``: the sample team."""

import click
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.users.service import create_user

SAMPLE_TEAM = [
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Alan Turing", "+44 20 7946 0018"),
    ("Katherine Johnson", "katherine@example.com"),
    ("Linus Torvalds", None),
]


@click.command("seed")
@click.option(
    "--if-empty", is_flag=True, help="Only seed when the team has no members yet."
)
def seed(if_empty):
    """Add the five sample team members that are not there yet."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The team already has members; nothing seeded.")
        return

    existing = set(db.session.scalars(select(User.name)))
    added = 0
    for name, contact in SAMPLE_TEAM:
        if name not in existing:
            create_user(name, contact)
            added += 1
    current_app.logger.info("seed added %d sample members", added)
    click.echo(f"Added {added} sample team member(s).")
