"""Reading and checking API input: JSON bodies and query parameters.

Each input is described once: a body as a :class:`Body` of :class:`Field`
objects, a query parameter as a :class:`Query`. The same objects check every
request and write the OpenAPI document (``schema()``), so the document
cannot drift from what the API accepts.
"""

from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from app.api.errors import ApiError
from app.converters import MAX_ID
from app.exceptions import InvalidValue

JSON_TYPES = {str: "string", int: "integer", bool: "boolean"}
ARTICLES = {str: "a", int: "an", bool: "a"}


@dataclass
class Field:
    """One member of a JSON body: its type, whether it must be there, its rule."""

    kind: type
    required: bool = False
    nullable: bool = False
    clean: Any = None
    choices: tuple = ()
    max_length: int | None = None
    description: str = ""

    def load(self, name, value):
        if value is None:
            if self.nullable:
                return self.clean(None) if self.clean else None
            raise InvalidValue(f"{name} must not be null.")
        if not _is_kind(value, self.kind):
            kind = f"{ARTICLES[self.kind]} {JSON_TYPES[self.kind]}"
            raise InvalidValue(f"{name} must be {kind}.")
        if self.kind is int and not 1 <= value <= MAX_ID:
            raise InvalidValue(f"{name} must be an id between 1 and {MAX_ID}.")
        if self.choices and value not in self.choices:
            raise InvalidValue(f"{name} must be one of: {', '.join(self.choices)}.")
        return self.clean(value) if self.clean else value

    def schema(self):
        schema = {"type": JSON_TYPES[self.kind], "description": self.description}
        if self.kind is int:
            schema.update(minimum=1, maximum=MAX_ID)
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.max_length:
            schema["maxLength"] = self.max_length
        if self.nullable:
            schema["nullable"] = True
        return schema


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

    def schema(self):
        return {
            "type": "object",
            "properties": {name: f.schema() for name, f in self.fields.items()},
            "required": [name for name, f in self.fields.items() if f.required],
            "additionalProperties": False,
        }


@dataclass
class Query:
    """One query-string parameter: a whole number in range, or one of choices.

    ``none_word`` lets an id parameter also take that word (``assigned_to=none``).
    ``default`` and ``maximum`` may name config keys, for limits set per
    deployment.
    """

    name: str
    default: Any = None
    minimum: int = 1
    maximum: int | str = MAX_ID
    choices: tuple = ()
    none_word: str | None = None
    description: str = ""

    def load(self):
        raw = request.args.get(self.name)
        if raw is None or raw == "":
            return self._default()
        if self.choices:
            if raw in self.choices:
                return raw
            self._refuse(f"one of: {', '.join(self.choices)}")
        if self.none_word and raw == self.none_word:
            return self.none_word
        maximum = self._maximum()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not (
            self.minimum <= int(raw) <= maximum
        ):
            self._refuse(f"a whole number from {self.minimum} to {maximum}")
        return int(raw)

    def schema(self):
        if self.choices:
            schema = {"type": "string", "enum": list(self.choices)}
        else:
            schema = {"type": "integer", "minimum": self.minimum}
            # Built per request, so a deployment's own limit is what it says.
            schema["maximum"] = self._maximum()
            if self.none_word:
                schema = {
                    "oneOf": [schema, {"type": "string", "enum": [self.none_word]}]
                }
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": schema,
        }

    def _default(self):
        return _setting(self.default)

    def _maximum(self):
        return _setting(self.maximum)

    def _refuse(self, expected):
        raise ApiError(
            400, f"{self.name} must be {expected}.", {self.name: "Invalid value."}
        )


PAGE = Query("page", default=1, description="page number, from 1")
PER_PAGE = Query(
    "per_page",
    default="PER_PAGE",
    maximum="MAX_PER_PAGE",
    description="items per page (at most 100 by default)",
)


AFTER = Query(
    "after",
    description="the id of the last item of the previous page: the page then "
    "starts right after it, read without going through the pages before",
)
BEFORE = Query(
    "before",
    description="the id of the first item of the next page: the page then "
    "ends right before it (not with after)",
)


def page_args():
    """``{page, per_page, after, before}`` from the query string."""
    after, before = AFTER.load(), BEFORE.load()
    if after is not None and before is not None:
        raise ApiError(
            400,
            "Give after or before, not both.",
            {"after": "Not with before.", "before": "Not with after."},
        )
    return {
        "page": PAGE.load(),
        "per_page": PER_PAGE.load(),
        "after": after,
        "before": before,
    }


def json_object():
    """The request body as a JSON object, or a 415/400 explaining why not."""
    if not request.is_json:
        raise ApiError(
            415, "Send the body as JSON with Content-Type: application/json."
        )
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None  # nested deeper than the JSON parser can follow
    if payload is None:
        raise ApiError(400, "The body is not valid JSON.")
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return payload


def _setting(value):
    """A value, or the config value when given a config key's name."""
    return current_app.config[value] if isinstance(value, str) else value


def _is_kind(value, kind):
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
