"""Long lists: page links that cost the same anywhere, totals from the tallies."""

import re

import pytest

from app.extensions import db
from app.tallies import recount
from tests.conftest import form_post
from tests.test_query_counts import add_tickets, counting_statements

PER_PAGE = 3
TICKETS = 14  # five pages, the last one short


@pytest.fixture
def long_list(app, team):
    app.config["PER_PAGE"] = PER_PAGE
    add_tickets(TICKETS)
    recount(db.session.connection())
    db.session.commit()


def shown(response):
    return [int(n) for n in re.findall(r'href="/tickets/(\d+)"', response.text)]


def link(response, rel):
    """The address of the ``rel`` ("next" or "prev") page link, or None."""
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.text)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(client, url, rel):
    """Every ticket id met following ``rel`` links from ``url``, page by page."""
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += shown(response)
        url = link(response, rel)
    return seen


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/tickets/", list(range(TICKETS, 0, -1))),
        ("/tickets/?sort=oldest", list(range(1, TICKETS + 1))),
        ("/tickets/?status=open", [n for n in range(TICKETS, 0, -1) if (n - 1) % 3]),
    ],
)
def test_next_links_visit_every_ticket_once_in_order(client, long_list, url, expected):
    assert walk(client, url, "next") == expected


def test_previous_links_from_the_last_page_visit_them_all_backwards(client, long_list):
    last = client.get("/tickets/?page=5")

    assert shown(last) == [2, 1]
    assert walk(client, "/tickets/?page=5", "prev") == [2, 1] + [
        n for page in ([5, 4, 3], [8, 7, 6], [11, 10, 9], [14, 13, 12]) for n in page
    ]


def test_links_carry_the_cursor_and_keep_the_filters(client, long_list):
    first = client.get("/tickets/?status=open&sort=oldest")

    assert link(first, "next") == "/tickets/?status=open&sort=oldest&page=2&after=5"
    second = client.get(link(first, "next"))
    assert link(second, "prev") == "/tickets/?status=open&sort=oldest&page=1&before=6"
    assert "Tickets <span" in second.text and "(9)" in second.text


def skips_rows(statement, parameters):
    """Whether a statement has an OFFSET above zero (SQLite always writes one)."""
    if " OFFSET " not in statement:
        return False
    offset = parameters[-1] if isinstance(parameters, tuple | list) else None
    return offset != 0


def test_linked_and_last_pages_skip_no_rows_one_by_one(client, long_list):
    second = link(client.get("/tickets/"), "next")
    for url in (second, "/tickets/?page=5", "/users/2?page=2&after=2"):
        db.session.rollback()
        with counting_statements() as statements:
            assert client.get(url).status_code == 200
        assert not [s for s, p in statements if skips_rows(s, p)], url


def test_a_page_past_the_end_reads_nothing(client, long_list):
    with counting_statements() as statements:
        response = client.get("/tickets/?page=99999")

    assert response.status_code == 200 and shown(response) == []
    assert not [s for s, _ in statements if "FROM tickets" in s]


def test_totals_come_from_the_tallies(client, long_list):
    add_tickets(5)  # loaded with SQL, behind the tallies' back

    assert "(14)" in client.get("/tickets/").text
    assert client.get("/api/tickets").get_json()["total"] == TICKETS


def test_searches_are_counted(client, long_list):
    response = client.get("/tickets/?q=bulk+1")

    assert "(5)" in response.text  # bulk 1, bulk 10 ... bulk 13


def test_the_api_pages_by_cursor_too(client, long_list):
    first = client.get("/api/tickets?per_page=4").get_json()
    after = first["items"][-1]["id"]
    second = client.get(f"/api/tickets?per_page=4&page=2&after={after}").get_json()
    before = second["items"][0]["id"]
    back = client.get(f"/api/tickets?per_page=4&page=1&before={before}").get_json()

    assert [t["id"] for t in first["items"]] == [14, 13, 12, 11]
    assert [t["id"] for t in second["items"]] == [10, 9, 8, 7]
    assert back["items"] == first["items"]
    assert second["total"] == TICKETS and second["page"] == 2


@pytest.mark.parametrize("bad", ["after=0", "after=x", "before=-1", "after=1e3"])
def test_bad_cursors_are_400_on_the_api(client, long_list, bad):
    response = client.get(f"/api/tickets?{bad}")

    assert response.status_code == 400
    assert response.get_json()["error"]["fields"].keys() == {bad.split("=")[0]}


def test_bad_cursors_are_ignored_on_pages(client, long_list):
    assert shown(client.get("/tickets/?after=abc&before=")) == [14, 13, 12]


# --- A large team -------------------------------------------------------------


@pytest.fixture
def large_team(app, client):
    """The sample team and 40 more, with members 6 and 7 marked away."""
    app.config["PER_PAGE"] = 20
    for number in range(6, 46):
        client.post("/api/users", json={"name": f"Member {number}"})
    for member_id in (6, 7):
        client.patch(f"/api/users/{member_id}", json={"availability": "away"})


def member_links(response):
    return [int(n) for n in re.findall(r'<td><a href="/users/(\d+)"', response.text)]


def test_the_dashboard_shows_the_first_members_and_links_to_them_all(
    client, large_team
):
    page = client.get("/")

    assert member_links(page) == list(range(1, 21))
    assert '<a href="/users/">All 45 members</a>' in page.text
    assert '<div class="fs-4">45 (45)</div>' in page.text


def test_the_members_page_pages_through_the_whole_team(client, large_team):
    seen, url = [], "/users/"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += member_links(response)
        url = link(response, "next")

    assert seen == list(range(1, 46))
    assert "Members <span" in response.text and "(45)" in response.text


def test_the_members_page_toggles_availability_and_comes_back(client, large_team):
    page = client.get("/users/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)

    response = client.post(
        "/users/6/availability",
        data={
            "csrf_token": token.group(1),
            "availability": "available",
            "return_to": "members",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/users/")


def test_a_large_team_s_fairness_chart_shows_those_furthest_from_their_share(
    client, large_team
):
    for number in range(30):
        client.post("/api/tickets", json={"description": f"Ticket {number}"})

    page = client.get("/").text
    stats = client.get("/api/stats").get_json()

    labels = re.findall(r'<text x="0" y="\d+" class="chart-label">([^<]+)</text>', page)
    names = [label for label in labels if not label[0].isdigit()]  # not dates
    assert len(names) == 20
    # Members 6 and 7 went away at once: on engines that keep whole seconds
    # they were never eligible, and the report leaves them out.
    assert len(stats["members"]) in (43, 45)
    everyone = len(stats["members"])
    assert f"Shown: the 20 of {everyone} members furthest from their share" in page


def test_a_large_team_filters_tickets_by_member_number(app, client, large_team):
    app.config["MEMBER_MENU_LIMIT"] = 10
    client.post("/api/tickets", json={"description": "For member 2"})

    page = client.get("/tickets/?assigned_to=2&raised_by=1")
    unassigned = client.get("/tickets/?assigned_to=none")

    assert "Member 44</option>" not in page.text
    assert 'name="assigned_to" inputmode="numeric"' in page.text
    assert (
        'value="2"' in page.text and 'name="raised_by" inputmode="numeric"' in page.text
    )
    assert shown(page) == [1]
    assert 'aria-describedby="filter-assigned-help" value="none"' in unassigned.text


def test_a_small_team_filters_with_menus(client, team):
    page = client.get("/tickets/")

    assert '<option value="5" >Linus Torvalds</option>' in page.text


# --- Forms for a large team ---------------------------------------------------


@pytest.fixture
def by_number(app, team):
    """The sample team counted as too large for menus of names."""
    app.config["MEMBER_MENU_LIMIT"] = 3


def test_a_large_team_raises_tickets_by_member_number(client, by_number):
    page = client.get("/tickets/new").text
    response = form_post(
        client, "/tickets/new", {"description": "Projector dead", "raised_by": 3}
    )

    assert re.search(r'<input [^>]*name="raised_by" [^>]*type="number" value="1"', page)
    # Where the menu would be: before the button, not after it.
    assert page.index('name="raised_by"') < page.index('value="Submit ticket"')
    assert "<option" not in page
    assert response.status_code == 303
    ticket = client.get("/api/tickets/1").get_json()
    assert ticket["raised_by"]["id"] == 3


@pytest.mark.parametrize(
    "raised_by, message",
    [
        ("", "Enter the member # of the active member raising it."),
        ("abc", "Enter the member # of the active member raising it."),
        ("1.5", "Enter the member # of the active member raising it."),
        ("0", "Enter the member # of the active member raising it."),
        ("999", "No team member has id 999."),
    ],
)
def test_a_bad_member_number_gets_an_inline_error(
    client, by_number, raised_by, message
):
    response = form_post(
        client, "/tickets/new", {"description": "Projector", "raised_by": raised_by}
    )

    assert response.status_code == 200 and response.text.count(message) == 1
    assert "Projector</textarea>" in response.text
    assert client.get("/api/tickets").get_json()["total"] == 0


def test_a_large_team_reassigns_by_member_number(client, by_number):
    client.post("/api/tickets", json={"description": "Printer"})  # to Grace (2)
    page = client.get("/tickets/1").text

    refused = form_post(
        client,
        "/tickets/1/reassign",
        {"assigned_to": 1, "reason": "Mine"},
        "/tickets/1",
    )
    moved = form_post(
        client,
        "/tickets/1/reassign",
        {"assigned_to": 4, "reason": "Knows printers"},
        "/tickets/1",
    )

    assert re.search(r'<input [^>]*name="assigned_to" [^>]*type="number"', page)
    assert page.index('name="assigned_to"') < page.index('name="reason"')
    assert refused.status_code == 422
    assert "raised this ticket and cannot be assigned it" in refused.text
    assert moved.status_code == 303
    assert client.get("/api/tickets/1").get_json()["assigned_to"]["id"] == 4


# --- Paging while tickets arrive, and hand-made addresses ---------------------


def test_paging_on_while_tickets_arrive_neither_repeats_nor_runs_past_the_end(
    client, long_list
):
    second = client.get(link(client.get("/tickets/"), "next"))
    for number in range(5):
        client.post("/api/tickets", json={"description": f"Late {number}"})

    rest = walk(client, link(second, "next"), "next")

    assert shown(second) + rest == list(range(11, 0, -1))
    last = client.get("/tickets/?page=4&after=3")
    assert shown(last) == [2, 1] and link(last, "next") is None


def test_paging_back_while_tickets_arrive_reaches_the_new_ones(client, long_list):
    second = client.get(link(client.get("/tickets/"), "next"))
    for number in range(3):
        client.post("/api/tickets", json={"description": f"Late {number}"})

    back = walk(client, link(second, "prev"), "prev")

    assert back == [14, 13, 12, 17, 16, 15]


def test_a_hand_made_cursor_gets_links_from_the_rows_around_it(client, long_list):
    middle = client.get("/tickets/?after=10")
    end = client.get("/tickets/?after=1")

    assert shown(middle) == [9, 8, 7]
    assert link(middle, "prev") is not None and link(middle, "next") is not None
    assert shown(end) == [] and "the list has moved on" in end.text


def current(response):
    return int(
        re.search(r'aria-current="page"><span class="page-link">(\d+)', response.text)[
            1
        ]
    )


def test_page_labels_never_contradict_the_rows(client, long_list):
    wild = client.get("/tickets/?page=50&after=10")  # five pages in all
    first_by_cursor = client.get("/tickets/?page=4&before=11")
    last_by_cursor = client.get("/tickets/?page=2&after=4")

    assert shown(wild) == [9, 8, 7] and 2 <= current(wild) <= 4
    assert shown(first_by_cursor) == [14, 13, 12] and current(first_by_cursor) == 1
    assert shown(last_by_cursor) == [3, 2, 1] and current(last_by_cursor) == 5


def test_page_1_is_the_real_first_page_after_tickets_arrive(client, long_list):
    second = client.get(link(client.get("/tickets/"), "next"))
    for number in range(4):
        client.post("/api/tickets", json={"description": f"Late {number}"})

    assert 'href="/tickets/?page=1">1</a>' in second.text
    assert shown(client.get("/tickets/?page=1")) == [18, 17, 16]


def test_a_one_page_list_past_its_end_offers_only_the_first_page(client, long_list):
    response = client.get("/tickets/?q=bulk+13&before=99999")  # one ticket

    assert "the list has moved on" in response.text
    assert "Last page" not in response.text


def test_a_page_past_the_end_says_so(client, long_list):
    page = client.get("/tickets/?page=99&status=open")

    assert "Page 99 is past the end of this list." in page.text
    assert "No tickets match these filters." not in page.text
    assert 'href="/tickets/?status=open&amp;page=3">Last page (3)</a>' in page.text


def test_after_and_before_together_are_400_on_the_api(client, long_list):
    response = client.get("/api/tickets?after=10&before=5")

    assert response.status_code == 400
    assert response.get_json()["error"]["fields"].keys() == {"after", "before"}


def test_the_openapi_document_states_the_page_size_limit(client, team):
    spec = client.get("/api/openapi.json").get_json()
    parameters = spec["paths"]["/api/tickets"]["get"]["parameters"]
    per_page = next(p for p in parameters if p["name"] == "per_page")

    assert per_page["schema"]["maximum"] == 100


@pytest.mark.parametrize(
    "query, field, message",
    [
        (
            "assigned_to=abc",
            "assigned_to",
            "Member numbers are whole numbers from 1, or none.",
        ),
        (
            "assigned_to=0",
            "assigned_to",
            "Member numbers are whole numbers from 1, or none.",
        ),
        ("raised_by=-1", "raised_by", "Member numbers are whole numbers from 1."),
        ("assigned_to=99999", "assigned_to", "There is no member #99999."),
        ("raised_by=777", "raised_by", "There is no member #777."),
    ],
)
def test_bad_member_numbers_in_the_filters_are_explained(
    app, client, team, query, field, message
):
    app.config["MEMBER_MENU_LIMIT"] = 3
    client.post("/api/tickets", json={"description": "Printer"})

    page = client.get(f"/tickets/?{query}").text

    box = "filter-assigned" if field == "assigned_to" else "filter-raised"
    assert re.search(rf'class="form-control is-invalid" id="{box}"', page)
    # Screen readers hear the error with the field.
    assert f'aria-describedby="{box}-help {box}-error" aria-invalid="true"' in page
    assert f'id="{box}-error">{message}</div>' in page


@pytest.mark.parametrize("none", ["none", "None", " NONE "])
def test_good_member_numbers_in_the_filters_say_nothing(app, client, team, none):
    app.config["MEMBER_MENU_LIMIT"] = 3

    page = client.get(f"/tickets/?assigned_to={none}&raised_by=2").text

    assert "invalid-feedback" not in page
    assert 'aria-describedby="filter-assigned-help" value="none"' in page


def schemas_in(node):
    """Every JSON object in the document, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from schemas_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from schemas_in(value)


def test_the_openapi_document_is_valid_openapi_3_0(client, team):
    spec = client.get("/api/openapi.json").get_json()
    objects = list(schemas_in(spec))

    assert spec["openapi"].startswith("3.0.")
    # 3.0 has no list of types: "or null" is written nullable.
    assert [o for o in objects if isinstance(o.get("type"), list)] == []
    assert any(o.get("nullable") is True for o in objects)
    ticket = spec["components"]["schemas"]["Ticket"]["properties"]
    assert "nullable" not in ticket["raised_by"]
    assert ticket["assigned_to"]["nullable"] is True
