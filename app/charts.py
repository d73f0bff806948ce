"""Geometry for the dashboard's SVG charts, drawn on the server.

No chart library and no script: the templates draw these shapes as inline
SVG, which the Content-Security-Policy allows and every browser renders.
"""

FAIRNESS_ROW = 30
FAIRNESS_LABEL = 170
FAIRNESS_BARS = 330
DAY_WIDTH = 18
DAY_GAP = 4
DAYS_HEIGHT = 140


def fairness_chart(members):
    """Bars of tickets assigned, with a tick at each member's expected share."""
    top = max([m["assigned"] for m in members] + [m["expected"] for m in members] + [1])
    scale = FAIRNESS_BARS / top
    rows = [
        {
            "name": member["name"],
            "y": index * FAIRNESS_ROW,
            "width": member["assigned"] * scale,
            "expected_x": FAIRNESS_LABEL + member["expected"] * scale,
            "assigned": member["assigned"],
            "expected": member["expected"],
        }
        for index, member in enumerate(members)
    ]
    return {
        "rows": rows,
        "label_width": FAIRNESS_LABEL,
        "width": FAIRNESS_LABEL + FAIRNESS_BARS + 60,
        "height": max(len(rows), 1) * FAIRNESS_ROW,
    }


def days_chart(days):
    """One bar per day, scaled to the busiest day."""
    busiest = max((day["count"] for day in days), default=0)
    top = busiest or 1
    bars = []
    for index, day in enumerate(days):
        height = day["count"] * (DAYS_HEIGHT - 20) / top
        bars.append(
            {
                "x": index * (DAY_WIDTH + DAY_GAP),
                "y": DAYS_HEIGHT - height,
                "height": height,
                "date": day["date"],
                "count": day["count"],
            }
        )
    return {
        "bars": bars,
        "bar_width": DAY_WIDTH,
        "width": len(days) * (DAY_WIDTH + DAY_GAP),
        "height": DAYS_HEIGHT,
        "busiest": busiest,
    }
