"""Glue between the shared input rules and WTForms."""

from flask import redirect, url_for
from wtforms.validators import StopValidation

from app.exceptions import HelpdeskError


class Rule:
    """A WTForms validator that applies one of the ``clean_*`` rules.

    The cleaned value replaces what was typed, so the form hands the service
    exactly what the API would.
    """

    def __init__(self, clean):
        self.clean = clean

    def __call__(self, form, field):
        try:
            field.data = self.clean(field.data)
        except HelpdeskError as error:
            raise StopValidation(error.message) from None


def show_refusal(form, error):
    """Put a service's refusal beside the field it is about (or the form)."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def see_other(endpoint, **values):
    """Redirect after a POST with 303, so a refresh never sends the form again."""
    return redirect(url_for(endpoint, **values), code=303)
