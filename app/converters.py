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


def id_arg(value):
    """A query-string id for pages: ``request.args.get(name, type=id_arg)``.

    Out-of-range numbers raise ValueError, which makes Werkzeug fall back to
    the default instead of handing the database a number it cannot hold.
    """
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number
