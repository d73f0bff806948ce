from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import AnyOf, Optional

from app.auth.accounts import PASSWORD_MAX
from app.forms import Rule
from app.models import Availability, Role
from app.validation import (
    CONTACT_MAX,
    EMAIL_MAX,
    NAME_MAX,
    clean_contact,
    clean_email,
    clean_name,
)


class MemberForm(FlaskForm):
    name = StringField(
        "Name", validators=[Rule(clean_name)], render_kw={"maxlength": NAME_MAX}
    )
    contact = StringField(
        "Contact (email or phone, optional)",
        validators=[Rule(clean_contact)],
        render_kw={"maxlength": CONTACT_MAX},
    )
    email = StringField(
        "Sign-in email (optional: without it the member cannot sign in)",
        validators=[Rule(clean_email)],
        render_kw={"maxlength": EMAIL_MAX, "autocomplete": "off"},
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice(Role.AGENT, "Agent"), SelectChoice(Role.ADMIN, "Admin")],
        default=Role.AGENT,
        validators=[AnyOf(Role.ALL)],
    )
    password = PasswordField(
        "Password (8 characters or more; leave blank to keep it unchanged)",
        validators=[Optional()],
        render_kw={"maxlength": PASSWORD_MAX, "autocomplete": "new-password"},
    )
    submit = SubmitField("Save member")


class ConfirmForm(FlaskForm):
    """An empty form: a POST-only button with its CSRF token."""

    submit = SubmitField("Confirm")


class AvailabilityForm(FlaskForm):
    """The available/away toggle on the team table and a member's page."""

    availability = HiddenField(validators=[AnyOf(Availability.ALL)])
    return_to = HiddenField()
