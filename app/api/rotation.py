"""``/api/rotation``: the order, the cursor and who is next; and the API's own
description."""

from app.api import bp
from app.api.parsing import Query
from app.api.serializers import member_ref
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
