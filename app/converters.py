"""URL converters."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """A database id: a positive integer that fits every engine's id column.

    Larger numbers would overflow the column type and make the database
    raise an error, so they simply do not match (and answer 404).
    """

    def __init__(self, map):
        super().__init__(map, min=1, max=MAX_ID)
