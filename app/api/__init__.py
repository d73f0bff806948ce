"""The JSON API under ``/api``: the same services as the pages, as JSON."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from app.api import auth, errors, rotation, tickets, users  # noqa: E402, F401
