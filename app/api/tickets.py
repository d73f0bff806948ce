"""``/api/tickets``: raising tickets and reading them back."""

from flask import current_app, g, request, url_for

from app.api import bp
from app.api.auth import require_admin
from app.api.parsing import Body, Field, page_args, query_choice, query_int
from app.api.serializers import event_json, page_json, ticket_json
from app.models import TicketStatus
from app.queries import paginate, tickets_query
from app.tickets import service
from app.validation import clean_description, clean_reason

NEW_TICKET = Body(
    description=Field(
        str, required=True, clean=clean_description, description="1-2000 characters"
    ),
    raised_by=Field(
        int,
        description="id of the member raising it; admins only, default yourself",
    ),
)
TICKET_CHANGES = Body(
    status=Field(
        str, required=True, choices=TicketStatus.ALL, description="new status"
    ),
)
REASSIGNMENT = Body(
    assigned_to=Field(int, required=True, description="id of the new assignee"),
    reason=Field(
        str,
        required=True,
        clean=clean_reason,
        description="why the ticket is moved by hand (1-500 characters)",
    ),
)


@bp.get("/tickets")
def list_tickets():
    page, per_page = page_args(current_app.config)
    filters = {
        "raised_by": query_int("raised_by"),
        "status": query_choice("status", TicketStatus.ALL),
    }
    if request.args.get("assigned_to") == "none":
        filters["unassigned"] = True
    else:
        filters["assigned_to"] = query_int("assigned_to")
    pagination = paginate(tickets_query(**filters), page, per_page)
    return page_json(pagination, [ticket_json(t) for t in pagination.items])


@bp.post("/tickets")
def create_ticket():
    values = NEW_TICKET.load()
    requester = values.get("raised_by", g.actor.id)
    if requester != g.actor.id:
        require_admin("raise tickets for other members")
    submission = service.submit_ticket(
        values["description"],
        requester,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    ticket = submission.ticket
    headers = {"Location": url_for("api.get_ticket", ticket_id=ticket.id)}
    if submission.replayed:
        headers["Idempotent-Replayed"] = "true"
    return ticket_json(ticket), 201, headers


@bp.get("/tickets/<id:ticket_id>")
def get_ticket(ticket_id):
    return ticket_json(service.get_ticket(ticket_id))


@bp.patch("/tickets/<id:ticket_id>")
def update_ticket(ticket_id):
    values = TICKET_CHANGES.load()
    if service.get_ticket(ticket_id).assigned_to_id != g.actor.id:
        require_admin("change the status of tickets assigned to others")
    return ticket_json(service.change_status(ticket_id, values["status"]))


@bp.post("/tickets/<id:ticket_id>/reassign")
def reassign_ticket(ticket_id):
    require_admin("reassign tickets")
    values = REASSIGNMENT.load()
    ticket = service.reassign_ticket(ticket_id, values["assigned_to"], values["reason"])
    return ticket_json(ticket)


@bp.get("/tickets/<id:ticket_id>/history")
def ticket_history(ticket_id):
    events = service.ticket_history(ticket_id)
    return {"items": [event_json(event) for event in events]}
