"""Slowing down, then refusing, repeated failed sign-ins.

Failures are counted per account and per client address, in the database so
that every worker and host sees the same counts. The first few failures cost
nothing; after that each attempt must wait longer since the last failure;
past the limit the account or address is refused until a quiet spell passes.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.database import write_transaction
from app.extensions import db
from app.models import SignInFailures, utcnow


def wait_seconds(keys):
    """Seconds to wait before another attempt may be checked (0: go ahead)."""
    config = current_app.config
    now = utcnow()
    longest = 0
    rows = db.session.scalars(
        select(SignInFailures).where(SignInFailures.key.in_(keys))
    )
    for row in rows:
        since = (now - row.last_failed_at).total_seconds()
        if since > config["SIGN_IN_WINDOW_SECONDS"]:
            continue
        if row.count >= config["SIGN_IN_LOCK_AFTER"]:
            wait = config["SIGN_IN_WINDOW_SECONDS"] - since
        elif row.count >= config["SIGN_IN_FREE_ATTEMPTS"]:
            steps = row.count - config["SIGN_IN_FREE_ATTEMPTS"]
            wait = min(2**steps, config["SIGN_IN_MAX_DELAY_SECONDS"]) - since
        else:
            wait = 0
        longest = max(longest, wait)
    return int(longest + 0.999)


def record_failure(keys):
    """Count one more failure for each key, starting afresh after a quiet spell."""
    window = timedelta(seconds=current_app.config["SIGN_IN_WINDOW_SECONDS"])
    write_transaction(lambda: _count(keys, window), description="sign-in failure")


def _count(keys, window):
    now = utcnow()
    for key in keys:
        row = db.session.scalar(
            select(SignInFailures).where(SignInFailures.key == key).with_for_update()
        )
        if row is None:
            try:
                with db.session.begin_nested():
                    db.session.add(SignInFailures(key=key, count=1, last_failed_at=now))
                continue
            except IntegrityError:
                row = db.session.scalar(
                    select(SignInFailures).where(SignInFailures.key == key)
                )
        row.count = 1 if now - row.last_failed_at > window else row.count + 1
        row.last_failed_at = now


def clear(key):
    """Forget an account's failures after it signs in."""
    write_transaction(
        lambda: db.session.execute(
            delete(SignInFailures).where(SignInFailures.key == key)
        ),
        description="sign-in success",
    )
