"""``/api/rotation``: the order, the cursor and who is next."""

from app.api import bp
from app.api.parsing import query_int
from app.api.serializers import member_ref
from app.rotation import RoundRobinAssigner

MAX_PREVIEW = 100


@bp.get("/rotation")
def rotation():
    count = query_int("preview", 5, minimum=0, maximum=MAX_PREVIEW)
    raised_by = query_int("raised_by")
    assigner = RoundRobinAssigner()
    return {
        "name": assigner.name,
        "order": [member_ref(user) for user in assigner.order()],
        "last_assigned": member_ref(assigner.last_assigned()),
        "preview": [
            member_ref(user) for user in assigner.preview(count, raised_by_id=raised_by)
        ],
    }
