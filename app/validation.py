"""Input rules shared by the HTML forms and the JSON API.

Each ``clean_*`` function takes what a person typed and returns the value to
store, or raises :class:`InvalidValue` with a message fit to show them.
"""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from app.exceptions import InvalidValue

NAME_MAX = 80
CONTACT_MAX = 120
DESCRIPTION_MAX = 2000
REASON_MAX = 500
EMAIL_MAX = 254

# Characters that render as nothing: a text made only of these and white
# space is as empty as a blank one.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-]{5,28}[0-9]$")
PHONE_MIN_DIGITS = 7


def clean_text(value, *, label, max_length, multiline=False):
    """Trim ``value`` and check it is present, printable and short enough.

    Errors name the field ``label.lower()``, as the forms and the API do.
    """
    field = label.lower()
    if value is None:
        raise InvalidValue(f"{label} is required.", field)
    if not isinstance(value, str):
        raise InvalidValue(f"{label} must be text.", field)
    value = value.strip().strip(INVISIBLE).strip()
    if not value:
        raise InvalidValue(f"{label} is required.", field)
    allowed_controls = "\n\r\t" if multiline else ""
    if any(
        unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed_controls
        for ch in value
    ):
        raise InvalidValue(f"{label} contains control characters.", field)
    if len(value) > max_length:
        raise InvalidValue(
            f"{label} must be at most {max_length} characters (got {len(value)}).",
            field,
        )
    return value


def clean_name(value):
    return clean_text(value, label="Name", max_length=NAME_MAX)


def clean_description(value):
    return clean_text(
        value, label="Description", max_length=DESCRIPTION_MAX, multiline=True
    )


def clean_reason(value):
    return clean_text(value, label="Reason", max_length=REASON_MAX, multiline=True)


def clean_email(value):
    """A sign-in email address, lower-cased; blank means none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = clean_text(value, label="Email", max_length=EMAIL_MAX)
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        message = f"Email is not a valid address: {error}"
        raise InvalidValue(message, "email") from None


def clean_contact(value):
    """An email address or a phone number; blank means none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = clean_text(value, label="Contact", max_length=CONTACT_MAX)
    if "@" in value:
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidValue(
                f"Contact is not a valid email address: {error}"
            ) from None
    digits = sum(ch.isdigit() for ch in value)
    if PHONE.match(value) and digits >= PHONE_MIN_DIGITS:
        return value
    raise InvalidValue(
        "Contact must be an email address or a phone number "
        "(digits, spaces, + ( ) - .; at least 7 digits).",
        "contact",
    )
