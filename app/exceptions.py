"""Errors the services raise; pages and the API each translate them."""


class HelpdeskError(Exception):
    """A request the helpdesk refuses, with a message fit to show a person."""

    status = 400

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValue(HelpdeskError, ValueError):
    """A value breaks an input rule."""

    status = 422


class NotFound(HelpdeskError):
    """The thing asked for does not exist."""

    status = 404


class Conflict(HelpdeskError):
    """The request clashes with the current state (say, deleting a busy member)."""

    status = 409
