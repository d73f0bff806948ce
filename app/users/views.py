"""Pages for team members: the member page, tokens, and (for admins) managing."""

from flask import (
    Blueprint,
    abort,
    flash,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.access import admin_required, may_act_for
from app.auth.accounts import keep_signed_in
from app.auth.forms import TokenForm
from app.auth.tokens import create_token, revoke_token, tokens_of
from app.exceptions import Conflict, HelpdeskError, NotFound
from app.extensions import db
from app.forms import see_other, show_refusal
from app.models import Availability, TicketStatus
from app.queries import member_page, requested_page, ticket_page, tickets_query
from app.tallies import holder_counts
from app.users import service
from app.users.forms import AvailabilityForm, ConfirmForm, MemberForm

bp = Blueprint("users", __name__, url_prefix="/users")

RECENTLY_RAISED = 10


@bp.get("/")
def index():
    """The whole team, a page at a time, in rotation order."""
    members = member_page(**requested_page())
    return render_template(
        "users/index.html",
        members=members,
        counts=holder_counts([member.id for member in members.items]),
        form=ConfirmForm(),
    )


def member_or_404(user_id):
    try:
        return service.get_user(user_id)
    except NotFound:
        abort(404)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = MemberForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(
                form.name.data,
                form.contact.data,
                email=form.email.data,
                role=form.role.data,
                password=form.password.data or None,
            )
        except HelpdeskError as error:
            show_refusal(form, error)
        else:
            flash(f"{user.name} joined the team as member #{user.id}.", "success")
            return see_other("users.detail", user_id=user.id)
    return render_template("users/form.html", form=form, title="Add a team member")


@bp.get("/<id:user_id>")
def detail(user_id):
    return render_member(member_or_404(user_id))


def render_member(user, token_form=None, new_secret=None):
    """The member page; on their own page, with their API tokens."""
    status = request.args.get("status")
    status = status if status in TicketStatus.ALL else None
    assigned = ticket_page(
        {"assigned_to": user.id, "status": status}, **requested_page()
    )
    latest_raised = tickets_query(raised_by=user.id).limit(RECENTLY_RAISED)
    own_page = current_user.id == user.id
    return render_template(
        "users/detail.html",
        user=user,
        assigned=assigned,
        raised=list(db.session.scalars(latest_raised).unique()),
        counts=holder_counts([user.id])[user.id],
        # Members with tickets can only leave, so their history stays.
        deletable=current_user.is_admin and not service.has_tickets(user.id),
        status=status,
        form=ConfirmForm(),
        own_page=own_page,
        tokens=tokens_of(user.id) if own_page else [],
        token_form=token_form or TokenForm(),
        new_secret=new_secret,
    )


@bp.route("/<id:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id):
    user = member_or_404(user_id)
    form = MemberForm(obj=user)
    if form.validate_on_submit():
        try:
            updated = service.update_user(
                user.id,
                name=form.name.data,
                contact=form.contact.data,
                email=form.email.data,
                role=form.role.data,
                **({"password": form.password.data} if form.password.data else {}),
            )
        except HelpdeskError as error:
            show_refusal(form, error)
        else:
            if updated.id == current_user.id:
                # A new password ends every other session, not this one.
                keep_signed_in(updated)
            flash(f"Saved {form.name.data}.", "success")
            return see_other("users.detail", user_id=user.id)
    return render_template("users/form.html", form=form, title=f"Edit {user.name}")


@bp.route("/<id:user_id>/deactivate", methods=["GET", "POST"])
@admin_required
def deactivate(user_id):
    user = member_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.update_user(user.id, active=False)
        except HelpdeskError as error:
            flash(error.message, "danger")
        else:
            flash(
                f"{user.name} is deactivated: their open tickets went to the "
                "rotation, and they get no new ones until reactivated.",
                "success",
            )
        return see_other("users.detail", user_id=user.id)
    return render_template(
        "confirm.html",
        form=form,
        title=f"Deactivate {user.name}?",
        message=(
            f"{user.name} will stop receiving tickets and can no longer sign in. "
            "Their open and in-progress tickets go to the rotation now; their "
            "history and their place in the order are kept, and you can "
            "reactivate them later."
        ),
        button="Deactivate",
        cancel_url=url_for("users.detail", user_id=user.id),
    )


@bp.post("/<id:user_id>/reactivate")
@admin_required
def reactivate(user_id):
    user = member_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.update_user(user.id, active=True)
        flash(
            f"{user.name} is active again and receives tickets when the "
            "rotation reaches them.",
            "success",
        )
    else:
        flash("The form expired; please try again.", "warning")
    return see_other("users.detail", user_id=user.id)


@bp.post("/<id:user_id>/availability")
def availability(user_id):
    user = member_or_404(user_id)
    if not may_act_for(user.id):
        abort(403)
    form = AvailabilityForm()
    if form.validate_on_submit():
        user = service.update_user(user.id, availability=form.availability.data)
        if user.availability == Availability.AWAY:
            flash(
                f"{user.name} is away: they keep their tickets and the rotation "
                "passes over them until they are back.",
                "success",
            )
        else:
            flash(f"{user.name} is available and back in the rotation.", "success")
    else:
        flash("That change could not be read; please try again.", "warning")
    if form.return_to.data == "home":
        return see_other("main.home")
    if form.return_to.data == "members":
        return see_other("users.index")
    return see_other("users.detail", user_id=user.id)


@bp.post("/<id:user_id>/tokens")
def new_token(user_id):
    user = member_or_404(user_id)
    if current_user.id != user.id:
        abort(403)
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _, secret = create_token(user.id, form.name.data)
        except HelpdeskError as error:
            show_refusal(form, error)
        else:
            flash("Token created. Copy it now: it is not shown again.", "success")
            return render_member(user, new_secret=secret)
    return render_member(user, token_form=form), 422


@bp.post("/<id:user_id>/tokens/<id:token_id>/revoke")
def revoke(user_id, token_id):
    user = member_or_404(user_id)
    if current_user.id != user.id:
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            revoke_token(user.id, token_id)
        except NotFound:
            abort(404)
        flash("Token revoked; it no longer works.", "success")
    return see_other("users.detail", user_id=user.id)


@bp.route("/<id:user_id>/delete", methods=["GET", "POST"])
@admin_required
def delete(user_id):
    user = member_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.delete_user(user.id)
        except Conflict as error:
            flash(error.message, "danger")
            return see_other("users.detail", user_id=user.id)
        flash(f"{user.name} was deleted.", "success")
        return see_other("main.home")
    return render_template(
        "confirm.html",
        form=form,
        title=f"Delete {user.name}?",
        message=(
            "Only members who never raised or received a ticket can be deleted. "
            "This cannot be undone."
        ),
        button="Delete",
        cancel_url=url_for("users.detail", user_id=user.id),
    )
