"""Every API failure is JSON: ``{"error": {"status", "message", "fields"}}``."""

import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

from app.api import bp
from app.exceptions import HelpdeskError

logger = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "You are not allowed to do this.",
    404: "Nothing is at this address.",
    405: "This address does not accept that method.",
    413: "The request body is too large.",
    415: "Send the body as JSON with Content-Type: application/json.",
    500: "Something went wrong on our side; nothing was saved.",
}


class ApiError(HelpdeskError):
    """A refusal with an explicit HTTP status, raised by API request parsing."""

    def __init__(self, status, message, fields=None, headers=None):
        super().__init__(message)
        self.status = status
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(status, message, fields=None, headers=None):
    """The API's error body, with ``status`` as the HTTP status too."""
    body = {"error": {"status": status, "message": message, "fields": fields or {}}}
    return jsonify(body), status, headers or {}


@bp.errorhandler(HelpdeskError)
def refused(error):
    fields = getattr(error, "fields", None) or (
        {error.field: error.message} if error.field else {}
    )
    logger.info("API request refused (%s): %s", error.status, error.message)
    headers = getattr(error, "headers", None)
    return error_response(error.status, error.message, fields, headers)


def http_error(error: HTTPException):
    """JSON for errors raised before or outside the API's own views."""
    status = error.code or 500
    message = MESSAGES.get(status, error.description)
    headers = {"Allow": ", ".join(error.valid_methods)} if status == 405 else None
    return error_response(status, message, headers=headers)
