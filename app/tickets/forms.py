import uuid

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional, Regexp

from app.converters import MAX_ID
from app.forms import Rule
from app.models import TicketStatus
from app.validation import (
    DESCRIPTION_MAX,
    REASON_MAX,
    clean_description,
    clean_reason,
)


def new_submission_token():
    return uuid.uuid4().hex


CHOOSE_REQUESTER = "Choose the active team member who is raising this ticket."
CHOOSE_ASSIGNEE = "Choose an active team member."


class TicketForm(FlaskForm):
    description = TextAreaField(
        "Description",
        validators=[Rule(clean_description)],
        render_kw={"rows": 5, "maxlength": DESCRIPTION_MAX},
    )
    raised_by = SelectField(
        "Raised by",
        coerce=int,
        invalid_value_message=CHOOSE_REQUESTER,
        invalid_choice_message=CHOOSE_REQUESTER,
    )
    # One token per rendered form: a double click or a refresh after posting
    # sends it twice, and the second arrival gets the first one's ticket.
    submission_token = HiddenField(
        default=new_submission_token,
        validators=[
            Optional(),
            Regexp(r"^[0-9a-f]{32}$", message="The form expired; please submit again."),
        ],
    )
    submit = SubmitField("Submit ticket")

    def renew_token(self):
        """Give the form a fresh token, so its next submission is a new ticket."""
        self.submission_token.data = new_submission_token()


def member_number(label, message):
    """A member chosen by number, for teams too large for a menu of names."""
    return IntegerField(
        f"{label} (member #)",
        validators=[
            InputRequired(message),
            NumberRange(min=1, max=MAX_ID, message=message),
        ],
        render_kw={"min": 1, "inputmode": "numeric"},
    )


class TicketFormByNumber(TicketForm):
    raised_by = member_number("Raised by", CHOOSE_REQUESTER)


class StatusForm(FlaskForm):
    """One status button on the ticket page; ``status`` is the target."""

    status = HiddenField(validators=[AnyOf(TicketStatus.ALL)])


class ReassignForm(FlaskForm):
    assigned_to = SelectField(
        "Give it to",
        coerce=int,
        invalid_value_message=CHOOSE_ASSIGNEE,
        invalid_choice_message=CHOOSE_ASSIGNEE,
    )
    reason = TextAreaField(
        "Reason",
        validators=[Rule(clean_reason)],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )
    submit = SubmitField("Reassign")


class ReassignFormByNumber(ReassignForm):
    assigned_to = member_number("Give it to", CHOOSE_ASSIGNEE)
