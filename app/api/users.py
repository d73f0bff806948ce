"""``/api/users``: the team."""

from dataclasses import replace

from flask import current_app, url_for

from app.api import bp
from app.api.auth import require_admin, require_self_or_admin
from app.api.parsing import Body, Field, page_args, query_choice
from app.api.serializers import member_json, members_json, page_json, ticket_json
from app.models import Availability, Role, TicketStatus
from app.queries import members_query, paginate, tickets_query
from app.users import service
from app.validation import clean_contact, clean_email, clean_name

NEW_USER = Body(
    email=Field(
        str, nullable=True, clean=clean_email, description="sign-in email, unique"
    ),
    role=Field(str, choices=Role.ALL, description="admin or agent (default)"),
    password=Field(str, description="8-200 characters; write-only"),
    name=Field(str, required=True, clean=clean_name, description="1-80 characters"),
    contact=Field(
        str, nullable=True, clean=clean_contact, description="email or phone"
    ),
)
USER_CHANGES = Body(
    name=replace(NEW_USER.fields["name"], required=False),
    contact=NEW_USER.fields["contact"],
    email=NEW_USER.fields["email"],
    role=NEW_USER.fields["role"],
    password=NEW_USER.fields["password"],
    active=Field(bool, description="false takes the member out of the rotation"),
    availability=Field(
        str,
        choices=Availability.ALL,
        description="away keeps the member's tickets but skips their turns",
    ),
)


@bp.get("/users")
def list_users():
    page, per_page = page_args(current_app.config)
    pagination = paginate(members_query(), page, per_page)
    return page_json(pagination, members_json(pagination.items))


@bp.post("/users")
def create_user():
    require_admin("add members")
    values = NEW_USER.load()
    user = service.create_user(
        values.pop("name"), values.pop("contact", None), **values
    )
    location = url_for("api.get_user", user_id=user.id)
    return member_json(user), 201, {"Location": location}


@bp.get("/users/<id:user_id>")
def get_user(user_id):
    return member_json(service.get_user(user_id))


@bp.patch("/users/<id:user_id>")
def update_user(user_id):
    changes = USER_CHANGES.load()
    if set(changes) == {"availability"}:
        require_self_or_admin(user_id, "set availability")
    else:
        require_admin("change members")
    user = service.update_user(user_id, **changes)
    return member_json(user)


@bp.delete("/users/<id:user_id>")
def delete_user(user_id):
    require_admin("delete members")
    service.delete_user(user_id)
    return "", 204


@bp.get("/users/<id:user_id>/tickets")
def user_tickets(user_id):
    service.get_user(user_id)
    page, per_page = page_args(current_app.config)
    status = query_choice("status", TicketStatus.ALL)
    query = tickets_query(assigned_to=user_id, status=status)
    pagination = paginate(query, page, per_page)
    return page_json(pagination, [ticket_json(t) for t in pagination.items])
