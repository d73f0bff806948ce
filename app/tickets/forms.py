from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField

from app.forms import Rule
from app.validation import DESCRIPTION_MAX, clean_description


class TicketForm(FlaskForm):
    description = TextAreaField(
        "Description",
        validators=[Rule(clean_description)],
        render_kw={"rows": 5, "maxlength": DESCRIPTION_MAX},
    )
    raised_by = SelectField("Raised by", coerce=int)
    submit = SubmitField("Submit ticket")
