"""The home page: the team, the rotation and the totals at a glance."""

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app import charts, stats, tallies
from app.api.spec import document
from app.extensions import db
from app.models import TicketStatus, User
from app.queries import member_page, tickets_query
from app.rotation import RoundRobinAssigner
from app.users.forms import ConfirmForm

bp = Blueprint("main", __name__)

QUEUE_PREVIEW = 5
# A chart of a large team shows the members furthest from their share.
FAIRNESS_ROWS = 20


@bp.get("/")
def home():
    """The dashboard: the team, who is next, the queue and how fair it all is."""
    window = request.args.get("window")
    window = window if window in stats.WINDOWS else stats.DEFAULT_WINDOW
    members = member_page(page=1, per_page=current_app.config["PER_PAGE"])
    counts = tallies.holder_counts([member.id for member in members.items])
    assigner = RoundRobinAssigner()
    preview = assigner.preview(current_app.config["ROTATION_PREVIEW"])
    report = stats.fairness(window)
    # Oldest first, as the queue drains and as its page lists it.
    waiting = tickets_query(
        unassigned=True, status=TicketStatus.UNFINISHED, sort="oldest"
    )
    return render_template(
        "home.html",
        members=members,
        active_members=active_members(),
        counts=counts,
        preview=preview,
        last_assigned=assigner.last_assigned(),
        totals=ticket_totals(),
        form=ConfirmForm(),
        report=report,
        windows=stats.WINDOWS,
        fairness_chart=charts.fairness_chart(
            stats.furthest_from_share(report["members"], FAIRNESS_ROWS)
        ),
        days_chart=charts.days_chart(stats.tickets_per_day()),
        waiting=list(db.session.scalars(waiting.limit(QUEUE_PREVIEW)).unique()),
    )


def active_members():
    """How many members are active (the page of members counts them all)."""
    query = select(func.count()).select_from(User).where(User.active.is_(True))
    return db.session.scalar(query)


def ticket_totals():
    """How many tickets there are, how many are open work, how many wait."""
    return {
        "tickets": tallies.ticket_count(),
        "open": tallies.ticket_count(status=TicketStatus.UNFINISHED),
        "unassigned": tallies.ticket_count(
            unassigned=True, status=TicketStatus.UNFINISHED
        ),
    }


@bp.get("/healthz")
def healthz():
    """For load balancers and uptime checks: is the app up and the database?"""
    try:
        db.session.execute(select(1))
    except SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/docs/api")
def api_docs():
    """The API described for people, from the same document clients read."""
    return render_template("api_docs.html", spec=document())
