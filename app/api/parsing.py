"""Reading and checking API input: JSON bodies and query parameters.

A body is described once as a :class:`Body` of :class:`Field` objects; the
same description checks requests and can describe the API to its clients.
"""

from dataclasses import dataclass
from typing import Any

from flask import request

from app.api.errors import ApiError
from app.converters import MAX_ID
from app.exceptions import InvalidValue

JSON_TYPES = {str: "string", int: "integer", bool: "boolean"}


@dataclass
class Field:
    """One member of a JSON body: its type, whether it must be there, its rule."""

    kind: type
    required: bool = False
    nullable: bool = False
    clean: Any = None
    choices: tuple = ()
    description: str = ""

    def load(self, name, value):
        if value is None:
            if self.nullable:
                return self.clean(None) if self.clean else None
            raise InvalidValue(f"{name} must not be null.")
        if not _is_kind(value, self.kind):
            raise InvalidValue(f"{name} must be a {JSON_TYPES[self.kind]}.")
        if self.kind is int and not 1 <= value <= MAX_ID:
            raise InvalidValue(f"{name} must be an id between 1 and {MAX_ID}.")
        if self.choices and value not in self.choices:
            raise InvalidValue(f"{name} must be one of: {', '.join(self.choices)}.")
        return self.clean(value) if self.clean else value


class Body:
    """The fields a JSON body may carry; anything else is refused."""

    def __init__(self, **fields):
        self.fields = fields

    def load(self):
        """Parse the request's JSON body into a dict of checked values."""
        payload = json_object()
        errors = {name: "Unknown field." for name in payload if name not in self.fields}
        values = {}
        for name, field in self.fields.items():
            if name not in payload:
                if field.required:
                    errors[name] = f"{name} is required."
                continue
            try:
                values[name] = field.load(name, payload[name])
            except InvalidValue as error:
                errors[name] = error.message
        if errors:
            raise ApiError(422, "Some fields are missing or invalid.", errors)
        return values


def json_object():
    """The request body as a JSON object, or a 415/400 explaining why not."""
    if not request.is_json:
        raise ApiError(
            415, "Send the body as JSON with Content-Type: application/json."
        )
    payload = request.get_json(silent=True)
    if payload is None:
        raise ApiError(400, "The body is not valid JSON.")
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return payload


def query_int(name, default=None, *, minimum=1, maximum=MAX_ID):
    """An integer query parameter within bounds, or a 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not (
        minimum <= int(raw) <= maximum
    ):
        raise ApiError(
            400,
            f"{name} must be a whole number from {minimum} to {maximum}.",
            {name: "Invalid value."},
        )
    return int(raw)


def query_choice(name, choices):
    """A query parameter that must be one of ``choices`` (or absent)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise ApiError(
            400, f"{name} must be one of: {', '.join(choices)}.", {name: "Invalid."}
        )
    return raw


def page_args(config):
    """``(page, per_page)`` from the query string, within the configured limits."""
    page = query_int("page", 1)
    per_page = query_int("per_page", config["PER_PAGE"], maximum=config["MAX_PER_PAGE"])
    return page, per_page


def _is_kind(value, kind):
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
