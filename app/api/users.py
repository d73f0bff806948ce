"""``/api/users``: the team."""

from dataclasses import replace

from flask import url_for

from app.api import bp
from app.api.auth import require_admin, require_self_or_admin
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
from app.api.serializers import member_json, members_json, page_json, ticket_json
from app.api.spec import operation, page_of
from app.models import Availability, Role, TicketStatus
from app.queries import member_page, ticket_page
from app.users import service
from app.validation import (
    CONTACT_MAX,
    EMAIL_MAX,
    NAME_MAX,
    clean_contact,
    clean_email,
    clean_name,
)

NEW_USER = Body(
    name=Field(
        str, required=True, clean=clean_name, max_length=NAME_MAX, description="name"
    ),
    contact=Field(
        str,
        nullable=True,
        clean=clean_contact,
        max_length=CONTACT_MAX,
        description="email address or phone number",
    ),
    email=Field(
        str,
        nullable=True,
        clean=clean_email,
        max_length=EMAIL_MAX,
        description="sign-in email, unique",
    ),
    role=Field(str, choices=Role.ALL, description="admin or agent (the default)"),
    password=Field(str, max_length=200, description="8-200 characters; write-only"),
)
USER_CHANGES = Body(
    **{name: replace(field, required=False) for name, field in NEW_USER.fields.items()},
    active=Field(bool, description="false takes the member out of the rotation"),
    availability=Field(
        str,
        choices=Availability.ALL,
        description="away keeps the member's tickets but skips their turns",
    ),
)
STATUS = Query("status", choices=TicketStatus.ALL, description="only this status")


@bp.get("/users")
@operation(
    "List the team in rotation order",
    query=[PAGE, PER_PAGE, AFTER, BEFORE],
    answers={200: page_of("Member")},
)
def list_users():
    pagination = member_page(**page_args())
    return page_json(pagination, members_json(pagination.items))


@bp.post("/users")
@operation(
    "Add a member (admins)",
    body=NEW_USER,
    answers={201: "Member"},
    errors=[403, 415, 422],
)
def create_user():
    require_admin("add members")
    values = NEW_USER.load()
    user = service.create_user(
        values.pop("name"), values.pop("contact", None), **values
    )
    location = url_for("api.get_user", user_id=user.id)
    return member_json(user), 201, {"Location": location}


@bp.get("/users/<id:user_id>")
@operation("One member", answers={200: "Member"}, errors=[404])
def get_user(user_id):
    return member_json(service.get_user(user_id))


@bp.patch("/users/<id:user_id>")
@operation(
    "Change a member (admins; members may set their own availability)",
    body=USER_CHANGES,
    answers={200: "Member"},
    errors=[403, 404, 409, 415, 422],
)
def update_user(user_id):
    changes = USER_CHANGES.load()
    if set(changes) == {"availability"}:
        require_self_or_admin(user_id, "set availability")
    else:
        require_admin("change members")
    user = service.update_user(user_id, **changes)
    return member_json(user)


@bp.delete("/users/<id:user_id>")
@operation(
    "Delete a member who never had a ticket (admins)",
    answers={204: None},
    errors=[403, 404, 409],
)
def delete_user(user_id):
    require_admin("delete members")
    service.delete_user(user_id)
    return "", 204


@bp.get("/users/<id:user_id>/tickets")
@operation(
    "Tickets assigned to a member",
    query=[PAGE, PER_PAGE, AFTER, BEFORE, STATUS],
    answers={200: page_of("Ticket")},
    errors=[404],
)
def user_tickets(user_id):
    service.get_user(user_id)
    filters = {"assigned_to": user_id, "status": STATUS.load()}
    pagination = ticket_page(filters, **page_args())
    return page_json(pagination, [ticket_json(t) for t in pagination.items])
