"""Pages for tickets: raise one, list them all, read one."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    render_template,
    request,
)

from app.exceptions import HelpdeskError, NotFound
from app.extensions import db
from app.forms import see_other, show_refusal
from app.queries import members_query, paginate, tickets_query
from app.tickets import service
from app.tickets.forms import TicketForm

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


@bp.get("/")
def index():
    filters = {
        "raised_by": request.args.get("raised_by", type=int),
        "assigned_to": request.args.get("assigned_to", type=int),
        "unassigned": request.args.get("assigned_to") == "none",
    }
    page = request.args.get("page", 1, type=int)
    query = tickets_query(**filters)
    tickets = paginate(query, page, current_app.config["PER_PAGE"])
    return render_template("tickets/index.html", tickets=tickets, filters=filters)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = TicketForm()
    members = db.session.scalars(members_query(active=True))
    form.raised_by.choices = [(member.id, member.name) for member in members]
    if form.validate_on_submit():
        token = form.submission_token.data
        try:
            submission = service.submit_ticket(
                form.description.data,
                form.raised_by.data,
                idempotency_key=f"form:{token}" if token else None,
            )
        except service.KeyReused as error:
            form.renew_token()
            form.form_errors.append(
                f"This form was already used to submit ticket #{error.ticket_id}. "
                "Submit again to raise another ticket."
            )
        except HelpdeskError as error:
            show_refusal(form, error)
        else:
            flash(assignment_message(submission), "success")
            return see_other("tickets.detail", ticket_id=submission.ticket.id)
    elif form.submission_token.errors:
        form.form_errors.extend(form.submission_token.errors)
        form.renew_token()
    return render_template("tickets/new.html", form=form)


@bp.get("/<id:ticket_id>")
def detail(ticket_id):
    try:
        ticket = service.get_ticket(ticket_id)
    except NotFound:
        abort(404)
    return render_template("tickets/detail.html", ticket=ticket)


def assignment_message(submission):
    ticket = submission.ticket
    if submission.replayed:
        return f"Ticket #{ticket.id} was already submitted from this form."
    if ticket.assigned_to is None:
        return (
            f"Ticket #{ticket.id} was saved but nobody else is active to take it, "
            "so it waits unassigned."
        )
    return f"Ticket #{ticket.id} was assigned to {ticket.assigned_to.name}."
