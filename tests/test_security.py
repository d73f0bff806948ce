"""Accounts, API tokens, throttling, headers and hostile input."""

import logging
import re

import pytest
from flask import g
from werkzeug.security import check_password_hash

from app.auth.accounts import CREDENTIAL, credential_mark
from app.auth.tokens import create_token, revoke_token
from app.extensions import db
from app.models import ApiToken, Role, SignInFailures, User
from app.users.service import update_user
from tests.conftest import csrf_token, form_post, sign_in_as

PASSWORD = "correct horse battery"


@pytest.fixture
def with_password(team):
    update_user(1, password=PASSWORD)
    update_user(2, password=PASSWORD)


def sign_in(client, email="ada@example.com", password=PASSWORD, next_url=None):
    g.pop("_login_user", None)
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    token = csrf_token(client, url)
    return client.post(
        url, data={"email": email, "password": password, "csrf_token": token}
    )


def page(response):
    return response.get_data(as_text=True)


# Signing in and out


def test_a_new_password_ends_the_member_s_other_sessions(app, with_password, client):
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        g.pop("csrf_token", None)  # each browser is a fresh request's g
        sign_in(browser, "grace@example.com")
        g.pop("_login_user", None)
        assert browser.get("/tickets/").status_code == 200

    client.patch("/api/users/2", json={"password": "a brand new secret"})

    g.pop("_login_user", None)
    response = laptop.get("/tickets/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    g.pop("_login_user", None)
    assert phone.get("/").status_code == 302
    # The tests share one app context; a real request starts with a fresh g.
    g.pop("csrf_token", None)
    sign_in(laptop, "grace@example.com", "a brand new secret")
    g.pop("_login_user", None)
    assert laptop.get("/tickets/").status_code == 200


@pytest.mark.parametrize("password", [" " * 8, "\t \u00a0" * 4, "short"])
def test_a_blank_looking_or_short_password_is_refused_on_the_api_and_the_form(
    client, with_password, password
):
    sign_in_as(client, 1)  # again: Ada's password changed after the fixture
    api = client.patch("/api/users/2", json={"password": password})
    page = form_post(
        client,
        "/users/2/edit",
        {
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "role": "agent",
            "password": password,
        },
    )

    assert api.status_code == 422 and "password" in api.get_json()["error"]["fields"]
    assert page.status_code == 200 and "not only spaces" in page.get_data(as_text=True)
    db.session.rollback()
    assert check_password_hash(db.session.get(User, 2).password_hash, PASSWORD)


def test_other_changes_keep_the_member_signed_in(app, with_password, client):
    browser = app.test_client()
    sign_in(browser, "grace@example.com")

    client.patch("/api/users/2", json={"name": "Grace B. Hopper", "role": "agent"})

    g.pop("_login_user", None)
    assert browser.get("/tickets/").status_code == 200


def test_an_admin_who_changes_their_own_password_stays_signed_in(app, with_password):
    browser = app.test_client()
    sign_in(browser)
    g.pop("_login_user", None)

    response = form_post(
        browser,
        "/users/1/edit",
        {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "role": "admin",
            "password": "another long secret",
        },
    )

    assert response.status_code == 303
    g.pop("_login_user", None)
    assert browser.get("/tickets/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(anonymous, team):
    response = anonymous.get("/tickets/?status=open")

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/tickets/?status%3Dopen"


def test_signing_in_goes_to_the_page_asked_for(anonymous, with_password):
    response = sign_in(anonymous, next_url="/tickets/")

    assert response.status_code == 303
    assert response.headers["Location"] == "/tickets/"
    g.pop("_login_user", None)
    assert "Signed in as Ada Lovelace" in page(anonymous.get("/tickets/"))


@pytest.mark.parametrize(
    "next_url",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:x", ""],
)
def test_next_only_accepts_local_paths(anonymous, with_password, next_url):
    response = sign_in(anonymous, next_url=next_url)

    assert response.headers["Location"] == "/"


def test_emails_are_matched_without_regard_to_case(anonymous, with_password):
    assert sign_in(anonymous, email="  ADA@Example.com ").status_code == 303


@pytest.mark.parametrize(
    "email, password",
    [("ada@example.com", "wrong password"), ("nobody@x.org", PASSWORD)],
)
def test_wrong_credentials_say_so_without_saying_which(
    anonymous, with_password, email, password
):
    response = sign_in(anonymous, email=email, password=password)

    assert response.status_code == 200
    assert "Wrong email or password" in page(response)


def test_inactive_members_cannot_sign_in_and_lose_their_session(
    anonymous, with_password, client
):
    client.patch("/api/users/2", json={"active": False})

    assert "Wrong email" in page(sign_in(anonymous, email="grace@example.com"))
    agent = sign_in_as(anonymous, 2)
    g.pop("_login_user", None)
    assert agent.get("/").status_code == 302


def test_passwords_are_stored_hashed(with_password):
    stored = db.session.get(User, 1).password_hash

    assert PASSWORD not in stored and stored.startswith("pbkdf2:")


def test_signing_out_needs_a_post_with_the_csrf_token(client):
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400

    response = form_post(client, "/sign-out", {}, form_url="/")

    assert response.headers["Location"] == "/sign-in"
    g.pop("_login_user", None)
    assert client.get("/").status_code == 302


def test_failed_sign_ins_are_slowed_then_refused(app, anonymous, with_password, caplog):
    caplog.set_level(logging.INFO)
    free = app.config["SIGN_IN_FREE_ATTEMPTS"]
    for _ in range(free):
        sign_in(anonymous, password="wrong password")

    slowed = sign_in(anonymous)

    assert slowed.status_code == 429
    assert "Try again in" in page(slowed)
    assert "wrong password" not in caplog.text and PASSWORD not in caplog.text


def test_a_locked_account_stays_locked_even_with_the_right_password(
    app, anonymous, with_password
):
    app.config["SIGN_IN_MAX_DELAY_SECONDS"] = 0
    for _ in range(app.config["SIGN_IN_LOCK_AFTER"]):
        sign_in(anonymous, password="wrong password")

    assert sign_in(anonymous).status_code == 429


def test_throttling_also_counts_per_address(app, anonymous, with_password):
    for number in range(app.config["SIGN_IN_FREE_ATTEMPTS"]):
        sign_in(anonymous, email=f"guess{number}@example.com")

    assert sign_in(anonymous, email="grace@example.com").status_code == 429


def test_a_successful_sign_in_clears_the_accounts_failures(
    app, anonymous, with_password
):
    for _ in range(app.config["SIGN_IN_FREE_ATTEMPTS"] - 1):
        sign_in(anonymous, password="wrong password")
    assert sign_in(anonymous).status_code == 303

    db.session.rollback()
    failures = db.select(SignInFailures).where(SignInFailures.key.like("account:%"))
    assert db.session.scalars(failures).all() == []


def test_the_demo_credentials_show_only_in_demo_mode(app, anonymous):
    assert "helpdesk-demo" not in page(anonymous.get("/sign-in"))

    app.config["DEMO_MODE"] = True

    assert "helpdesk-demo" in page(anonymous.get("/sign-in"))


# What agents may do


def test_agents_raise_tickets_as_themselves(agent, client):
    token = csrf_token(agent, "/tickets/new")
    form = page(agent.get("/tickets/new"))

    agent.post(
        "/tickets/new",
        data={"description": "Mine", "raised_by": 3, "csrf_token": token},
    )

    assert 'name="raised_by"' not in form
    assert client.get("/api/tickets/1").json["raised_by"]["id"] == 2


def test_agents_work_their_own_tickets_and_availability(agent, client):
    client.post("/api/tickets", json={"description": "For Grace"})  # to 2

    assert (
        agent.patch("/api/tickets/1", json={"status": "in_progress"}).status_code == 200
    )
    assert agent.patch("/api/users/2", json={"availability": "away"}).status_code == 200
    response = form_post(
        agent, "/users/2/availability", {"availability": "available"}, "/users/2"
    )
    assert response.status_code == 303


def test_agents_may_not_raise_for_others_over_the_api(agent):
    response = agent.post("/api/tickets", json={"description": "x", "raised_by": 3})

    assert response.status_code == 403
    assert response.json["error"]["status"] == 403


def test_admins_raise_for_others(client):
    response = client.post("/api/tickets", json={"description": "x", "raised_by": 3})

    assert response.json["raised_by"]["id"] == 3


def test_the_last_active_admin_cannot_step_down(client):
    response = client.patch("/api/users/1", json={"role": "agent"})

    assert response.status_code == 409
    assert client.patch("/api/users/1", json={"active": False}).status_code == 409
    client.patch("/api/users/2", json={"role": "admin"})
    assert client.patch("/api/users/1", json={"role": "agent"}).status_code == 409
    client.patch("/api/users/2", json={"password": PASSWORD})
    assert client.patch("/api/users/1", json={"role": "agent"}).status_code == 200


@pytest.mark.parametrize("change", [{"email": None}, {"email": ""}])
def test_the_last_admin_cannot_lose_the_way_to_sign_in(client, change):
    response = client.patch("/api/users/1", json=change)

    assert response.status_code == 409
    assert client.get("/api/users/1").json["email"] == "ada@example.com"


def test_the_last_admin_cannot_blank_their_email_on_the_edit_page(client):
    response = form_post(
        client, "/users/1/edit", {"name": "Ada Lovelace", "email": "", "role": "admin"}
    )

    assert "only admin who can sign in" in page(response)


# API tokens


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nope", "Basic YWRhOnB3", "Bearer hd_" + "x" * 43, "hd_x"],
)
def test_calls_without_a_valid_token_get_401(anonymous, team, header):
    headers = {"Authorization": header} if header else {}

    response = anonymous.get("/api/users", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in response.json["error"]["message"]


def test_a_session_cookie_does_not_authenticate_the_api(app, team):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = "1"
        session[CREDENTIAL] = credential_mark(db.session.get(User, 1))

    assert browser.get("/").status_code == 200  # a good session, for pages
    assert browser.get("/api/users").status_code == 401
    assert browser.post("/api/tickets", json={"description": "x"}).status_code == 401


def test_revoked_tokens_and_inactive_members_tokens_stop_working(client, anonymous):
    _, secret = create_token(2, "laptop")
    _, other = create_token(3, "script")
    headers = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/api/users", headers=headers).status_code == 200

    revoke_token(
        2, db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == "laptop"))
    )
    client.patch("/api/users/3", json={"active": False})

    assert anonymous.get("/api/users", headers=headers).status_code == 401
    other_headers = {"Authorization": f"Bearer {other}"}
    assert anonymous.get("/api/users", headers=other_headers).status_code == 401


def test_tokens_are_stored_hashed_and_record_their_last_use(anonymous, team):
    token, secret = create_token(2, "laptop")
    assert token.last_used_at is None

    anonymous.get("/api/users", headers={"Authorization": f"Bearer {secret}"})

    db.session.rollback()
    stored = db.session.get(ApiToken, token.id)
    assert secret not in (stored.token_hash, stored.prefix)
    assert stored.last_used_at is not None


def test_creating_and_revoking_a_token_on_your_page(agent):
    token = csrf_token(agent, "/users/2")

    created = agent.post("/users/2/tokens", data={"name": "CI", "csrf_token": token})

    secret = re.search(r"(hd_[\w-]{20,})", page(created)).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    assert agent.get("/api/users", headers=headers).status_code == 200
    assert secret not in page(agent.get("/users/2"))
    token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == "CI"))
    form_post(agent, f"/users/2/tokens/{token_id}/revoke", {}, "/users/2")
    assert agent.get("/api/users", headers=headers).status_code == 401


def test_only_your_own_page_shows_tokens(agent):
    own = page(agent.get("/users/2"))

    assert "Your API tokens" in own
    assert "<title>Grace Hopper · Round-robin helpdesk</title>" in own
    assert "Your API tokens" not in page(agent.get("/users/1"))


# The command line


def test_create_admin_makes_a_new_admin(runner, app, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)

    result = runner.invoke(args=["create-admin", "Boss@Example.com"])

    assert result.exit_code == 0, result.output
    admin = db.session.scalar(db.select(User).where(User.email == "boss@example.com"))
    assert (
        admin.role == Role.ADMIN
        and admin.password_hash
        and PASSWORD not in result.output
    )


def test_create_admin_promotes_an_existing_member_with_a_prompted_password(
    runner, team
):
    result = runner.invoke(
        args=["create-admin", "grace@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert db.session.get(User, 2).role == Role.ADMIN


def test_create_admin_refuses_a_bad_email_or_password(runner, app, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "short")

    assert runner.invoke(args=["create-admin", "not-an-email"]).exit_code != 0
    assert runner.invoke(args=["create-admin", "a@example.com"]).exit_code != 0


def test_create_token_prints_the_token_alone_on_its_last_line(runner, anonymous, team):
    result = runner.invoke(args=["create-token", "grace@example.com"])

    secret = result.output.strip().splitlines()[-1]
    assert result.exit_code == 0 and secret.startswith("hd_") and " " not in secret
    headers = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/api/users", headers=headers).status_code == 200


def test_create_token_for_an_unknown_email_fails(runner, team):
    result = runner.invoke(args=["create-token", "nobody@example.com"])

    assert result.exit_code != 0 and "No member" in result.output


def test_demo_seed_lets_the_sample_team_sign_in(app, runner, anonymous):
    app.config["DEMO_MODE"] = True

    result = runner.invoke(args=["seed"])

    assert "Demo sign-in" in result.output
    assert db.session.get(User, 1).role == Role.ADMIN
    assert sign_in(anonymous, password=app.config["DEMO_PASSWORD"]).status_code == 303


# Headers, cookies, health


@pytest.mark.parametrize("url", ["/", "/sign-in", "/api/users", "/nowhere", "/healthz"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers

    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookies_are_httponly_and_samesite(anonymous, with_password):
    sign_in(anonymous)

    cookie = anonymous.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_health_checks_the_database(anonymous, team):
    response = anonymous.get("/healthz")

    assert response.json == {"status": "ok", "database": "ok"}


def test_pages_have_no_inline_style_attributes(client):
    for url in ("/", "/tickets/", "/users/1", "/tickets/new", "/docs/api", "/sign-in"):
        assert " style=" not in page(client.get(url)), url


# Hostile and unusual input

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_what_members_type_is_escaped_everywhere(client, payload):
    user = client.post("/api/users", json={"name": payload}).json
    client.post("/api/tickets", json={"description": payload, "raised_by": user["id"]})
    client.post("/api/tickets/1/reassign", json={"assigned_to": 2, "reason": payload})

    for url in ("/", f"/users/{user['id']}", "/tickets/", "/tickets/1", "/tickets/new"):
        body = page(client.get(url))
        assert payload not in body, url
        assert "<script>alert" not in body and "<img src=x" not in body, url


@pytest.mark.parametrize(
    "text",
    [
        "Emoji 🎉🔥 and flags 🇳🇿",
        "中文 日本語 한국어",
        "עברית ועربية",
        "Zalgo z̸̢̛͉a̷l̶g̸o",
        "\u00e9 vs e\u0301",
        "𝕌𝕟𝕚𝕔𝕠𝕕𝕖 math",
    ],
)
def test_any_printable_unicode_is_stored_and_returned_intact(client, text):
    response = client.post("/api/tickets", json={"description": text})

    assert response.status_code == 201
    assert client.get("/api/tickets/1").json["description"] == text
    assert text in page(client.get("/tickets/1"))


@pytest.mark.parametrize("text", ["\ud800 lone surrogate", "bell \x07", "esc \x1b[31m"])
def test_unprintable_text_is_refused_with_422(client, text):
    response = client.post("/api/tickets", json={"description": text})

    assert response.status_code == 422
    assert "description" in response.json["error"]["fields"]


def test_every_form_post_needs_the_csrf_token(client):
    for rule in client.application.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<id:\w+>", "1", rule.rule)

        response = client.post(path, data={"name": "No token", "description": "x"})

        assert response.status_code == 400, rule.endpoint


def test_deleting_a_member_takes_their_tokens_with_them(client, anonymous):
    member = client.post("/api/users", json={"name": "Temp"}).json["id"]
    _, secret = create_token(member, "script")

    assert client.delete(f"/api/users/{member}").status_code == 204
    headers = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/api/users", headers=headers).status_code == 401


def test_the_last_active_admin_cannot_be_deleted(client):
    response = client.delete("/api/users/1")

    assert response.status_code == 409
    assert "only admin who can sign in" in response.json["error"]["message"]


def test_idempotency_keys_belong_to_each_member(client, agent):
    headers = {"Idempotency-Key": "nightly-import-1"}
    body = {"description": "Same words"}

    first = client.post("/api/tickets", json=body, headers=headers)
    second = agent.post("/api/tickets", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json["id"] != second.json["id"]
    assert "Idempotent-Replayed" not in second.headers


def test_json_nested_too_deeply_to_parse_is_a_400(client):
    body = '{"a":' * 5000 + "1" + "}" * 5000

    response = client.post("/api/tickets", data=body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/tickets/?page=99999999999999999999",
        "/tickets/?page=9223372036854775807",
        "/tickets/?assigned_to=99999999999999999999",
        "/tickets/?raised_by=99999999999999999999",
        "/users/2?page=9223372036854775808",
        "/tickets/unassigned?page=99999999999999999999",
    ],
)
def test_huge_numbers_in_page_addresses_are_ignored_not_errors(client, url):
    assert client.get(url).status_code == 200


def test_type_errors_read_well(client):
    response = client.post("/api/tickets", json={"description": "x", "raised_by": "1"})

    assert (
        response.json["error"]["fields"]["raised_by"] == "raised_by must be an integer."
    )
