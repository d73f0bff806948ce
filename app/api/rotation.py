"""``/api/rotation`` and ``/api/stats``: who is next and how fair it has been;
and the API's own description."""

from app import stats
from app.api import bp
from app.api.parsing import Query
from app.api.serializers import member_ref, timestamp
from app.api.spec import document, operation
from app.rotation import RoundRobinAssigner

PREVIEW = Query(
    "preview", default=5, minimum=0, maximum=100, description="how many to preview"
)
RAISED_BY = Query("raised_by", description="preview for tickets from this member")


@bp.get("/rotation")
@operation(
    "The rotation: its order, last assignee and the next assignees",
    query=[PREVIEW, RAISED_BY],
    answers={200: "Rotation"},
)
def rotation():
    count, raised_by = PREVIEW.load(), RAISED_BY.load()
    assigner = RoundRobinAssigner()
    return {
        "name": assigner.name,
        "order": [member_ref(user) for user in assigner.order()],
        "last_assigned": member_ref(assigner.last_assigned()),
        "preview": [
            member_ref(user) for user in assigner.preview(count, raised_by_id=raised_by)
        ],
    }


@bp.get("/openapi.json")
def openapi():
    """This API's OpenAPI 3 document."""
    return document()


WINDOW = Query(
    "window",
    choices=tuple(stats.WINDOWS),
    description="today, 7d, 30d (the default) or all",
)


@bp.get("/stats")
@operation(
    "Fairness per member over a window, and tickets submitted per day",
    query=[WINDOW],
    answers={200: "Stats"},
)
def statistics():
    report = stats.fairness(WINDOW.load() or stats.DEFAULT_WINDOW)
    since = report.pop("since")
    return {
        **report,
        "since": timestamp(since),
        "per_day": stats.tickets_per_day(),
    }
