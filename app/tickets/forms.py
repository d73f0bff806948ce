from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField

from app.forms import Rule
from app.validation import DESCRIPTION_MAX, clean_description

CHOOSE_REQUESTER = "Choose the active team member who is raising this ticket."


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
    submit = SubmitField("Submit ticket")
