from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf

from app.forms import Rule
from app.models import Availability
from app.validation import CONTACT_MAX, NAME_MAX, clean_contact, clean_name


class MemberForm(FlaskForm):
    name = StringField(
        "Name", validators=[Rule(clean_name)], render_kw={"maxlength": NAME_MAX}
    )
    contact = StringField(
        "Contact (email or phone, optional)",
        validators=[Rule(clean_contact)],
        render_kw={"maxlength": CONTACT_MAX},
    )
    submit = SubmitField("Save member")


class ConfirmForm(FlaskForm):
    """An empty form: a POST-only button with its CSRF token."""

    submit = SubmitField("Confirm")


class AvailabilityForm(FlaskForm):
    """The available/away toggle on the team table and a member's page."""

    availability = HiddenField(validators=[AnyOf(Availability.ALL)])
    return_to = HiddenField()
