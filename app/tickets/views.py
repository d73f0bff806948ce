"""Pages for tickets: raise one, list and filter them, follow and move one."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    render_template,
    request,
)
from flask_login import current_user
from wtforms import SelectChoice

from app.access import admin_required, may_work_on
from app.converters import id_arg
from app.exceptions import HelpdeskError, NotFound
from app.extensions import db
from app.forms import see_other, show_refusal
from app.models import TicketStatus, User
from app.queries import PAGE_ARGS, members_query, requested_page, ticket_page
from app.tickets import service
from app.tickets.forms import (
    ReassignForm,
    ReassignFormByNumber,
    StatusForm,
    TicketForm,
    TicketFormByNumber,
)
from app.tickets.timeline import timeline

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

SEARCH_MAX = 200


def list_filters():
    """The ticket filters in the query string; malformed values are ignored."""
    status = request.args.get("status")
    return {
        "status": status if status in TicketStatus.ALL else None,
        "raised_by": request.args.get("raised_by", type=id_arg),
        "assigned_to": request.args.get("assigned_to", type=id_arg),
        "unassigned": request.args.get("assigned_to", "").strip().lower() == "none",
        "search": request.args.get("q", "").strip()[:SEARCH_MAX] or None,
        "sort": "oldest" if request.args.get("sort") == "oldest" else "newest",
    }


def member_filter_problems(filters):
    """What is wrong with the member numbers typed into the filters, by field.

    The list still shows, without a malformed filter; a number with no member
    behind it filters to nothing, and the message says why.
    """
    problems = {}
    for name in ("assigned_to", "raised_by"):
        typed = request.args.get(name, "").strip()
        if not typed or (name == "assigned_to" and filters["unassigned"]):
            continue
        if filters[name] is None:
            problems[name] = "Member numbers are whole numbers from 1" + (
                ", or none." if name == "assigned_to" else "."
            )
        elif db.session.get(User, filters[name]) is None:
            problems[name] = f"There is no member #{filters[name]}."
    return problems


@bp.get("/")
def index():
    filters = list_filters()
    tickets = ticket_page(filters, **requested_page())
    return render_template(
        "tickets/index.html",
        tickets=tickets,
        filters=filters,
        problems=member_filter_problems(filters),
        members=member_menu(),
        filter_args={
            name: value
            for name, value in request.args.items()
            if name not in PAGE_ARGS and value
        },
    )


@bp.get("/unassigned")
def unassigned():
    # Oldest first: the order in which the rotation will take them.
    filters = {"unassigned": True, "status": TicketStatus.UNFINISHED, "sort": "oldest"}
    tickets = ticket_page(filters, **requested_page())
    return render_template("tickets/unassigned.html", tickets=tickets)


@bp.route("/new", methods=["GET", "POST"])
def new():
    requesters = member_menu(active=True) if current_user.is_admin else []
    form = (TicketForm if requesters is not None else TicketFormByNumber)()
    if current_user.is_admin:
        if requesters is not None:
            form.raised_by.choices = [SelectChoice(m.id, m.name) for m in requesters]
        if request.method == "GET":
            form.raised_by.data = current_user.id
    else:
        # Agents raise tickets as themselves; only admins choose a requester.
        del form.raised_by
    if form.validate_on_submit():
        token = form.submission_token.data
        requester = form.raised_by.data if current_user.is_admin else current_user.id
        try:
            submission = service.submit_ticket(
                form.description.data,
                requester,
                idempotency_key=token or None,
                key_scope=f"form:{current_user.id}",
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
    ticket = ticket_or_404(ticket_id)
    return render_detail(ticket, reassign_form(ticket))


def render_detail(ticket, reassign_form):
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        history=timeline(service.ticket_history(ticket.id)),
        may_work=may_work_on(ticket),
        next_statuses=TicketStatus.NEXT[ticket.status],
        status_form=StatusForm(),
        reassign_form=reassign_form,
    )


@bp.post("/<id:ticket_id>/status")
def change_status(ticket_id):
    if not may_work_on(ticket_or_404(ticket_id)):
        abort(403)
    form = StatusForm()
    if not form.validate_on_submit():
        flash("That status change could not be read; please try again.", "warning")
        return see_other("tickets.detail", ticket_id=ticket_id)
    try:
        ticket = service.change_status(ticket_id, form.status.data)
    except HelpdeskError as error:
        flash(error.message, "danger")
    else:
        label = TicketStatus.LABELS[ticket.status]
        holder = ticket.assigned_to.name if ticket.assigned_to else "nobody yet"
        flash(f"Ticket #{ticket.id} is now {label.lower()} ({holder}).", "success")
    return see_other("tickets.detail", ticket_id=ticket_id)


@bp.post("/<id:ticket_id>/reassign")
@admin_required
def reassign(ticket_id):
    ticket = ticket_or_404(ticket_id)
    form = reassign_form(ticket)
    if form.validate_on_submit():
        try:
            ticket = service.reassign_ticket(
                ticket_id, form.assigned_to.data, form.reason.data
            )
        except HelpdeskError as error:
            show_refusal(form, error)
        else:
            name = ticket.assigned_to.name
            flash(f"Ticket #{ticket.id} was reassigned to {name}.", "success")
            return see_other("tickets.detail", ticket_id=ticket_id)
    return render_detail(ticket, form), 422


def member_menu(active=None):
    """The members (active ones, or all) for a menu of names; None when there
    are too many for a menu to be of use: the form then takes member numbers."""
    limit = current_app.config["MEMBER_MENU_LIMIT"]
    members = list(db.session.scalars(members_query(active=active).limit(limit + 1)))
    return members if len(members) <= limit else None


def ticket_or_404(ticket_id):
    try:
        return service.get_ticket(ticket_id)
    except NotFound:
        abort(404)


def reassign_form(ticket):
    """The reassignment form: a menu of the active members other than the
    requester and the current assignee, or a member number for a large team."""
    members = member_menu(active=True)
    if members is None:
        return ReassignFormByNumber()
    form = ReassignForm()
    form.assigned_to.choices = [
        SelectChoice(member.id, member.name + ("" if member.eligible else " (away)"))
        for member in members
        if member.id not in (ticket.raised_by_id, ticket.assigned_to_id)
    ]
    return form


def assignment_message(submission):
    ticket = submission.ticket
    if submission.replayed:
        return f"Ticket #{ticket.id} was already submitted from this form."
    if ticket.assigned_to is None:
        return (
            f"Ticket #{ticket.id} was saved but nobody else is available to take "
            "it, so it waits unassigned."
        )
    return f"Ticket #{ticket.id} was assigned to {ticket.assigned_to.name}."
