import uuid

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)

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


class MemberNumberField(IntegerField):
    """A member chosen by number, for teams too large for a menu of names.

    Anything but a whole number from 1 gets ``message`` alone.
    """

    def __init__(self, label, message, **kwargs):
        super().__init__(
            f"{label} (member #)",
            validators=[
                InputRequired(message),
                NumberRange(min=1, max=MAX_ID, message=message),
            ],
            render_kw={"min": 1, "inputmode": "numeric"},
            **kwargs,
        )
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def in_place_of(field, replacement):
    """``replacement``, shown where ``field`` was in the form, not at its end."""
    replacement.creation_counter = field.creation_counter
    return replacement


class TicketFormByNumber(TicketForm):
    raised_by = in_place_of(
        TicketForm.raised_by,
        MemberNumberField(
            "Raised by", "Enter the member # of the active member raising it."
        ),
    )


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
    assigned_to = in_place_of(
        ReassignForm.assigned_to,
        MemberNumberField("Give it to", "Enter the member # of an active member."),
    )
