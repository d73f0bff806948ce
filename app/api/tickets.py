"""``/api/tickets``: raising tickets, following and moving them."""

from flask import g, request, url_for

from app.api import bp
from app.api.auth import require_admin
from app.api.parsing import (
    AFTER,
    BEFORE,
    PAGE,
    PER_PAGE,
    Body,
    Field,
    Query,
    page_args,
)
from app.api.serializers import event_json, page_json, ticket_json
from app.api.spec import operation, page_of
from app.models import TicketStatus
from app.queries import ticket_page
from app.tickets import service
from app.validation import DESCRIPTION_MAX, REASON_MAX, clean_description, clean_reason

NEW_TICKET = Body(
    description=Field(
        str,
        required=True,
        clean=clean_description,
        max_length=DESCRIPTION_MAX,
        description="what is wrong, 1-2000 characters",
    ),
    raised_by=Field(
        int, description="id of the member raising it; admins only, default yourself"
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
        max_length=REASON_MAX,
        description="why the ticket is moved by hand, 1-500 characters",
    ),
)
ASSIGNED_TO = Query(
    "assigned_to", none_word="none", description="a member's id, or none"
)
RAISED_BY = Query("raised_by", description="the requester's id")
STATUS = Query("status", choices=TicketStatus.ALL, description="only this status")


@bp.get("/tickets")
@operation(
    "List tickets, newest first",
    query=[PAGE, PER_PAGE, AFTER, BEFORE, ASSIGNED_TO, RAISED_BY, STATUS],
    answers={200: page_of("Ticket")},
)
def list_tickets():
    assigned_to = ASSIGNED_TO.load()
    filters = {
        "assigned_to": None if assigned_to == "none" else assigned_to,
        "unassigned": assigned_to == "none",
        "raised_by": RAISED_BY.load(),
        "status": STATUS.load(),
    }
    pagination = ticket_page(filters, **page_args())
    return page_json(pagination, [ticket_json(t) for t in pagination.items])


@bp.post("/tickets")
@operation(
    "Raise a ticket; it is assigned by the rotation at once",
    body=NEW_TICKET,
    answers={201: "Ticket"},
    errors=[403, 415, 422],
)
def create_ticket():
    values = NEW_TICKET.load()
    requester = values.get("raised_by", g.actor.id)
    if requester != g.actor.id:
        require_admin("raise tickets for other members")
    submission = service.submit_ticket(
        values["description"],
        requester,
        idempotency_key=request.headers.get("Idempotency-Key"),
        key_scope=f"member:{g.actor.id}",
    )
    ticket = submission.ticket
    headers = {"Location": url_for("api.get_ticket", ticket_id=ticket.id)}
    if submission.replayed:
        headers["Idempotent-Replayed"] = "true"
    return ticket_json(ticket), 201, headers


@bp.get("/tickets/<id:ticket_id>")
@operation("One ticket", answers={200: "Ticket"}, errors=[404])
def get_ticket(ticket_id):
    return ticket_json(service.get_ticket(ticket_id))


@bp.patch("/tickets/<id:ticket_id>")
@operation(
    "Change a ticket's status (its assignee, or admins)",
    body=TICKET_CHANGES,
    answers={200: "Ticket"},
    errors=[403, 404, 409, 415, 422],
)
def update_ticket(ticket_id):
    values = TICKET_CHANGES.load()
    if service.get_ticket(ticket_id).assigned_to_id != g.actor.id:
        require_admin("change the status of tickets assigned to others")
    return ticket_json(service.change_status(ticket_id, values["status"]))


@bp.post("/tickets/<id:ticket_id>/reassign")
@operation(
    "Reassign a ticket by hand, with a reason (admins)",
    body=REASSIGNMENT,
    answers={200: "Ticket"},
    errors=[403, 404, 409, 415, 422],
)
def reassign_ticket(ticket_id):
    require_admin("reassign tickets")
    values = REASSIGNMENT.load()
    ticket = service.reassign_ticket(ticket_id, values["assigned_to"], values["reason"])
    return ticket_json(ticket)


@bp.get("/tickets/<id:ticket_id>/history")
@operation(
    "Every change of the ticket's assignee, and why",
    answers={
        200: {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Event"},
                }
            },
            "required": ["items"],
        }
    },
    errors=[404],
)
def ticket_history(ticket_id):
    events = service.ticket_history(ticket_id)
    return {"items": [event_json(event) for event in events]}
