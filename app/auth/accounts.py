"""Checking passwords, with throttling, and setting them."""

import hashlib
import logging
from functools import cache

from flask import current_app, session
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import throttle
from app.exceptions import InvalidValue
from app.extensions import db
from app.models import User

logger = logging.getLogger(__name__)

PASSWORD_MIN = 8
# The session key holding the password fingerprint of the signed-in member.
CREDENTIAL = "credential"
PASSWORD_MAX = 200


@cache
def dummy_hash():
    """A hash to check against when the email matches nobody, so that a wrong
    email takes as long as a wrong password and reveals no account. Made on
    first use: hashing at import would cost every worker its memory at boot."""
    return generate_password_hash(
        "not-a-real-password", method=current_app.config["PASSWORD_HASH_METHOD"]
    )


class SignInRefused(Exception):
    """Wrong credentials, or too many failures: ``retry_after`` says which."""

    def __init__(self, retry_after=0):
        super().__init__(retry_after)
        self.retry_after = retry_after


def keep_signed_in(user):
    """Tie this session to the member's current password."""
    session[CREDENTIAL] = credential_mark(user)


def credential_mark(user):
    """A short fingerprint of the member's password hash, kept in the session
    at sign-in: once the password changes it no longer matches, and every
    session signed in with the old password ends."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:32]


def normalise_email(email):
    return (email or "").strip().lower()


def hash_password(password):
    """A Werkzeug hash of a password that meets the length rule."""
    if (
        not isinstance(password, str)
        or not (PASSWORD_MIN <= len(password) <= PASSWORD_MAX)
        # A field that looks blank must not quietly become the password.
        or not password.strip()
    ):
        raise InvalidValue(
            f"Password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters, "
            "not only spaces.",
            "password",
        )
    return generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def authenticate(email, password, address):
    """The member these credentials belong to, or :class:`SignInRefused`."""
    email = normalise_email(email)
    keys = [f"account:{email}", f"address:{address}"]
    wait = throttle.wait_seconds(keys)
    if wait:
        logger.info(
            "sign-in for %r from %s refused: throttled %ds", email, address, wait
        )
        raise SignInRefused(retry_after=wait)

    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    stored = user.password_hash if user and user.password_hash else dummy_hash()
    if check_password_hash(stored, password) and user and user.password_hash:
        if not user.active:
            logger.info("sign-in for inactive user %s refused", user.id)
            raise SignInRefused()
        throttle.clear(keys[0])
        logger.info("user %s signed in from %s", user.id, address)
        return user

    throttle.record_failure(keys)
    logger.info("failed sign-in for %r from %s", email, address)
    raise SignInRefused()
