"""Bearer-token authentication for every API call."""

from flask import g, request

from app.api import bp
from app.api.errors import ApiError
from app.auth.tokens import member_for_token

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="helpdesk"'}


@bp.before_request
def authenticate():
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    member = member_for_token(secret.strip()) if scheme.lower() == "bearer" else None
    if member is None:
        raise ApiError(
            401,
            "Send a valid personal API token as 'Authorization: Bearer <token>'.",
            headers=CHALLENGE,
        )
    g.actor = member


def require_admin(action):
    """Refuse with 403 unless the token's member is an admin."""
    if not g.actor.is_admin:
        raise ApiError(403, f"Only admins may {action}.")


def require_self_or_admin(member_id, action):
    if not (g.actor.is_admin or g.actor.id == member_id):
        raise ApiError(403, f"Only admins may {action} for other members.")
