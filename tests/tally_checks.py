"""Comparing the tallies the app kept with tallies rebuilt from the tickets."""

from sqlalchemy import select

from app.models import Tally
from app.tallies import recount


def nonzero_tallies(connection):
    return {
        name: value
        for name, value in connection.execute(select(Tally.name, Tally.value))
        if value
    }


def kept_and_recounted(connection):
    """``(kept, recounted)`` tallies; the caller rolls the recount back."""
    maintained = nonzero_tallies(connection)
    recount(connection)
    return maintained, nonzero_tallies(connection)
