"""Command-line tasks: the sample team, the first admin, API tokens, tallies."""

import os

import click
from flask import current_app
from sqlalchemy import func, select

from app.auth.tokens import create_token as new_token
from app.database import write_transaction
from app.exceptions import HelpdeskError
from app.extensions import db
from app.models import Role, User
from app.rotation import RoundRobinAssigner
from app.tallies import recount as recount_tallies
from app.users.service import create_user, update_user
from app.validation import clean_email

# Name, contact, sign-in email; the first member is the demo's admin.
SAMPLE_TEAM = [
    ("Ada Lovelace", "ada@example.com", "ada@example.com"),
    ("Grace Hopper", "grace@example.com", "grace@example.com"),
    ("Alan Turing", "+44 20 7946 0018", "alan@example.com"),
    ("Katherine Johnson", "katherine@example.com", "katherine@example.com"),
    ("Linus Torvalds", None, "linus@example.com"),
]


@click.command("seed")
@click.option(
    "--if-empty", is_flag=True, help="Only seed when the team has no members yet."
)
def seed(if_empty):
    """Add the five sample team members that are not there yet.

    With DEMO_MODE set they can sign in with the demo password, and the first
    is an admin; otherwise they are on the team but cannot sign in.
    """
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The team already has members; nothing seeded.")
        return

    demo = current_app.config["DEMO_MODE"]
    existing = set(db.session.scalars(select(User.name)))
    added = 0
    for position, (name, contact, email) in enumerate(SAMPLE_TEAM):
        if name in existing:
            continue
        create_user(
            name,
            contact,
            email=email if demo else None,
            role=Role.ADMIN if demo and position == 0 else Role.AGENT,
            password=current_app.config["DEMO_PASSWORD"] if demo else None,
        )
        added += 1
    current_app.logger.info("seed added %d sample members", added)
    click.echo(f"Added {added} sample team member(s).")
    if demo and added:
        click.echo(
            f"Demo sign-in: {SAMPLE_TEAM[0][2]} (admin) or any sample email, "
            f"password {current_app.config['DEMO_PASSWORD']}"
        )


@click.command("create-admin")
@click.argument("email")
@click.option("--name", help="Name for a new member (default: from the email).")
def create_admin(email, name):
    """Make EMAIL an admin, creating the member if needed.

    The password comes from ADMIN_PASSWORD, or is asked for.
    """
    try:
        email = clean_email(email)
        if email is None:
            raise click.BadParameter("an email address is required")
        password = os.environ.get("ADMIN_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        member = member_by_email(email)
        if member is None:
            member = create_user(
                name or email.split("@", 1)[0],
                email=email,
                role=Role.ADMIN,
                password=password,
            )
            click.echo(f"Created admin {member.name} <{email}> (member #{member.id}).")
        else:
            update_user(member.id, role=Role.ADMIN, password=password, active=True)
            click.echo(f"{member.name} <{email}> is now an admin.")
    except HelpdeskError as error:
        raise click.ClickException(error.message) from None


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="Command-line token", help="A label for the token.")
def create_token(email, name):
    """Create an API token for EMAIL; the token alone is the last line printed."""
    member = member_by_email(clean_email(email) or "")
    if member is None:
        raise click.ClickException(f"No member signs in as {email}.")
    if not member.active:
        raise click.ClickException(f"{member.name} is inactive.")
    _, secret = new_token(member.id, name)
    click.echo(f"API token for {member.name} (shown once, keep it safe):")
    click.echo(secret)


class CheckOnly(Exception):
    """Ends a recount that was only checking, so that nothing is saved."""

    def __init__(self, counted):
        self.counted = counted


@click.command("recount")
@click.option(
    "--check",
    is_flag=True,
    help="Only check: change nothing, and exit with status 1 if any was wrong.",
)
def recount(check):
    """Rebuild the ticket tallies from the tickets (after loading tickets with SQL)."""

    def work():
        # Every change to tickets holds the rotation's lock, so holding it
        # here counts a still picture even while the app is serving.
        RoundRobinAssigner().lock()
        counted = recount_tallies(db.session.connection())
        if check:
            raise CheckOnly(counted)
        return counted

    try:
        count, wrong = write_transaction(work, description="recount")
    except CheckOnly as only:
        count, wrong = only.counted
        if wrong:
            click.echo(f"{wrong} of {count} ticket tallies are wrong; run recount.")
            raise SystemExit(1) from None
        click.echo(f"All {count} ticket tallies are right.")
        return
    if wrong:
        click.echo(
            f"Recounted {count} ticket tallies; {wrong} were wrong and are fixed."
        )
    else:
        click.echo(f"Recounted {count} ticket tallies; all were right.")


def member_by_email(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == email))
