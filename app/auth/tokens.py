"""Personal API tokens: shown once, stored as a hash, revocable."""

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import joinedload

from app.database import write_transaction
from app.exceptions import NotFound
from app.extensions import db
from app.models import ApiToken, utcnow
from app.validation import clean_text

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "hd_"
# Recording every use would turn each API read into a write; once a minute
# is precise enough to tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user_id, name="API token"):
    """Create a token for a member; returns ``(ApiToken, secret)``.

    The secret is returned this once and never stored.
    """
    name = clean_text(name, label="Name", max_length=80)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)

    def work():
        token = ApiToken(
            user_id=user_id,
            name=name,
            token_hash=hash_token(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
        )
        db.session.add(token)
        db.session.flush()
        logger.info("API token %s created for user %s", token.id, user_id)
        return token

    return write_transaction(work, description="create token"), secret


def revoke_token(user_id, token_id):
    """Revoke one of a member's tokens; unknown or foreign ids are NotFound."""

    def work():
        token = db.session.get(ApiToken, token_id)
        if token is None or token.user_id != user_id:
            raise NotFound(f"No token {token_id} for this member.")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            logger.info("API token %s of user %s revoked", token.id, user_id)

    write_transaction(work, description="revoke token")


def member_for_token(secret):
    """The active member a bearer secret belongs to, or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_token(secret))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    note_use(token)
    return token.user


def note_use(token):
    """Stamp the token's last use, at most once a minute, on a best-effort basis.

    A burst of calls with one token would otherwise all queue for the same
    row; when the database is busy the stamp is skipped, never the call.
    """
    now = utcnow()
    if (
        token.last_used_at is not None
        and now - token.last_used_at < LAST_USED_PRECISION
    ):
        return
    try:
        db.session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token.id,
                or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at < now - LAST_USED_PRECISION,
                ),
            )
            .values(last_used_at=now)
        )
        db.session.commit()
    except DBAPIError as error:
        db.session.rollback()
        logger.info("token %s last-use stamp skipped: %s", token.id, error.orig)


def tokens_of(user_id):
    query = (
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    )
    return list(db.session.scalars(query))
