"""How members, tickets and pages of them look in JSON."""

from app.tallies import holder_counts


def timestamp(moment):
    """ISO 8601 in UTC, or None."""
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def member_ref(user):
    return {"id": user.id, "name": user.name} if user else None


def member_json(user, counts=None):
    """A member with their ticket counts (looked up when not given)."""
    assigned, still_open = (counts or holder_counts([user.id]))[user.id]
    return {
        "id": user.id,
        "name": user.name,
        "contact": user.contact,
        "email": user.email,
        "role": user.role,
        "active": user.active,
        "availability": user.availability,
        "assigned_count": assigned,
        "open_count": still_open,
    }


def members_json(users):
    counts = holder_counts([user.id for user in users])
    return [member_json(user, counts) for user in users]


def ticket_json(ticket):
    return {
        "id": ticket.id,
        "description": ticket.description,
        "status": ticket.status,
        "raised_by": member_ref(ticket.raised_by),
        "assigned_to": member_ref(ticket.assigned_to),
        "created_at": timestamp(ticket.created_at),
        "assigned_at": timestamp(ticket.assigned_at),
    }


def page_json(pagination, items):
    """The list envelope every collection endpoint returns."""
    return {
        "items": items,
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total,
    }


def event_json(event):
    """One entry of a ticket's assignment history."""
    return {
        "id": event.id,
        "at": timestamp(event.created_at),
        "trigger": event.trigger,
        "method": event.method,
        "from": member_ref(event.from_user),
        "to": member_ref(event.to_user),
        "requester_id": event.requester_id,
        "cursor_before": event.cursor_before,
        "cursor_after": event.cursor_after,
        "passed_over": event.passed_over or [],
        "reason": event.reason,
    }
