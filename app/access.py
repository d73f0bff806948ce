"""Who may see and change what.

Pages need a signed-in member, except the few listed in ``PUBLIC``; the API
authenticates every call by bearer token instead (see ``app.api.auth``), so
a session cookie never drives it. Admins may do everything; agents raise
tickets as themselves, work the tickets assigned to them and set their own
availability.
"""

import logging
from functools import wraps

from flask import abort, redirect, request, session, url_for
from flask_login import LoginManager, current_user

from app.auth.accounts import CREDENTIAL, credential_mark
from app.extensions import db
from app.models import User

logger = logging.getLogger(__name__)

PUBLIC = {"auth.sign_in", "static", "bootstrap.static", "main.healthz"}

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id):
    """The signed-in member, unless their password changed since they signed in."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is not None and session.get(CREDENTIAL) != credential_mark(user):
        logger.info("session of user %s ended: the password changed", user.id)
        session.clear()
        return None
    return user


def require_sign_in():
    """Send anonymous visitors to the sign-in page (the API answers for itself)."""
    if request.blueprint == "api" or request.endpoint in PUBLIC:
        return None
    if request.endpoint is None or current_user.is_authenticated:
        return None
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    abort(401)


def admin_required(view):
    """Pages only admins may use."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def may_act_for(member_id):
    """Whether the signed-in member may act on ``member_id``'s own settings."""
    return current_user.is_admin or current_user.id == member_id


def may_work_on(ticket):
    """Whether the signed-in member may change ``ticket``'s status."""
    return current_user.is_admin or ticket.assigned_to_id == current_user.id
