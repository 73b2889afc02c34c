"""Staff accounts: logging in and out, throttled failures, rate limits, passwords, admins managing accounts."""

from __future__ import annotations

import html as html_module
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.extensions import db
from participation.staff import services
from participation.staff.models import LoginThrottle, Role, User
from tests.factories import PASSWORD, csrf_token, gen_user, login

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def attempt(client, email: str, password: str, address: str = ATTACKER):  # type: ignore[no-untyped-def]
    """One login through the real form from a given client address, the workspace in English."""
    client.set_cookie("delaktig_lang", "en")
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(client, "/staff/login")
    data = {"csrf_token": token, "email": email, "password": password}
    return client.post("/staff/login", data=data, environ_base=environ)


def flashes(response) -> list[str]:  # type: ignore[no-untyped-def]
    found = re.findall(r'class="flash error"[^>]*>(.*?)</', response.get_data(as_text=True), re.S)
    return [html_module.unescape(text.strip()) for text in found]


def test_login_page_has_no_sign_up(client):
    html = client.get("/staff/login").get_data(as_text=True)
    assert 'autocomplete="current-password"' in html
    assert client.get("/staff/register").status_code == 404


def test_login_and_logout(client):
    user = gen_user("staff")
    response = login(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert "login" in actions()
    logout = client.post("/staff/logout", data={"csrf_token": csrf_token(client)})
    assert logout.status_code == 302
    assert client.get("/staff/").status_code == 302  # back to the login page


def test_logout_needs_csrf(client):
    login(client, gen_user("staff"))
    client.post("/staff/logout", data={})
    assert client.get("/staff/").status_code == 200  # still logged in


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    user = gen_user("staff")
    response = login(client, user, "wrong password!")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    unknown = login(client, type("U", (), {"email": "nobody@example.se"})(), "whatever12345")
    assert unknown.status_code == 401
    assert client.get("/staff/").status_code == 302
    assert html.count('class="flash error"') == 1
    assert flashes(unknown) == flashes(response) == ["The e-mail address or the password is wrong."]


def test_an_unknown_address_costs_one_password_check_like_a_wrong_password(client, monkeypatch):
    user = gen_user("staff")
    checks: list[str] = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda *a: checks.append("check") or real(*a))
    login(client, user, "wrong password!")
    login(client, type("U", (), {"email": "nobody@example.se"})(), "wrong password!")
    assert checks == ["check", "check"]


def test_five_failures_make_that_address_wait_even_for_the_right_password(app, client):
    user = gen_user("staff")
    for _ in range(4):
        assert attempt(client, user.email, "wrong password!").status_code == 401
    fifth = attempt(client, user.email, "wrong password!")
    assert fifth.status_code == 401
    assert flashes(fifth)[0] == "The e-mail address or the password is wrong."
    assert flashes(fifth)[1].startswith("Too many failed attempts. You can try again after")
    waiting = attempt(client, user.email, PASSWORD)
    assert waiting.status_code == 429
    assert 50 <= int(waiting.headers["Retry-After"]) <= 60
    assert [m.split(" after")[0] for m in flashes(waiting)] == ["Too many failed attempts. You can try again"]
    assert client.get("/staff/").status_code == 302
    assert "login_throttled" in actions()
    # The owner, somewhere else, is not slowed down by what was tried from that address.
    elsewhere = app.test_client()
    assert attempt(elsewhere, user.email, PASSWORD, address=OWNER).status_code == 302
    assert elsewhere.get("/staff/", environ_base={"REMOTE_ADDR": OWNER}).status_code == 200


def test_an_unknown_address_is_throttled_exactly_like_a_known_one(client):
    gen_user("staff")
    known = [attempt(client, "staff@example.se", "wrong password!").status_code for _ in range(6)]
    unknown = [attempt(client, "nobody@example.se", "wrong password!").status_code for _ in range(6)]
    assert known == unknown == [401] * 5 + [429]


def test_waits_double_from_one_to_fifteen_minutes_and_a_right_password_clears_them(db):
    user = gen_user("staff")
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    for _ in range(4):
        assert services.authenticate(user.email, "wrong", ATTACKER, now).retry_after is None
    waits = []
    for _ in range(7):
        result = services.authenticate(user.email, "wrong", ATTACKER, now)
        assert not result.throttled
        waits.append((result.retry_after - now) / timedelta(minutes=1))
        early = services.authenticate(
            user.email, PASSWORD, ATTACKER, result.retry_after - timedelta(seconds=1)
        )
        assert early.user is None and early.throttled  # not even the right password until the wait is over
        now = result.retry_after
    assert waits == [1, 2, 4, 8, 15, 15, 15]
    assert services.authenticate(user.email, PASSWORD, ATTACKER, now).user == user
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_only_an_hmac_of_the_pair_is_stored(client):
    gen_user("staff")
    attempt(client, "staff@example.se", "wrong password!")
    attempt(client, "nobody@example.se", "wrong password!")
    rows = db.session.execute(sa.select(LoginThrottle)).scalars().all()
    assert len(rows) == 2
    stored = " ".join(
        f"{row.pair_hash} {row.failures} {row.blocked_until} {row.last_attempt}" for row in rows
    )
    assert ATTACKER not in stored and "example.se" not in stored and "staff" not in stored
    assert all(len(row.pair_hash) == 64 for row in rows)


def test_a_day_without_attempts_starts_the_pair_afresh(db):
    user = gen_user("staff")
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    for _ in range(4):
        services.authenticate(user.email, "wrong", ATTACKER, start)
    later = start + services.FAILURE_MEMORY + timedelta(seconds=1)
    assert services.authenticate(user.email, "wrong", ATTACKER, later).retry_after is None


def test_a_nul_byte_in_the_e_mail_is_refused_at_the_edge_not_an_error(client):
    """Control characters never reach the login (participation.core.hygiene): a 400, nothing counted."""
    assert attempt(client, "staff\x00@example.se", "wrong password!").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_login_attempts_are_rate_limited(client):
    user = gen_user("staff")
    statuses = [login(client, user, f"wrong password {i}").status_code for i in range(21)]
    assert statuses[-1] == 429


def test_next_redirect_only_to_this_site(client):
    user = gen_user("staff")
    token = csrf_token(client, "/staff/login")
    data = {"csrf_token": token, "email": user.email, "password": PASSWORD}
    evil = client.post("/staff/login?next=https://evil.example/", data=data)
    assert evil.headers["Location"] == "/staff/"
    client.post("/staff/logout", data={"csrf_token": csrf_token(client)})
    good = client.post(
        "/staff/login?next=/staff/placements/",
        data={**data, "csrf_token": csrf_token(client, "/staff/login")},
    )
    assert good.headers["Location"] == "/staff/placements/"


def test_change_password_signs_out_other_browsers(app, client):
    user = gen_user("staff")
    other = app.test_client()
    login(client, user)
    login(other, user)
    response = client.post(
        "/staff/password",
        data={
            "csrf_token": csrf_token(client),
            "current": PASSWORD,
            "new": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302
    db.session.expire_all()
    assert login(app.test_client(), user, "a brand new password").status_code == 302


def test_change_password_checks_the_current_one(client):
    user = gen_user("staff")
    login(client, user)
    response = client.post(
        "/staff/password",
        data={
            "csrf_token": csrf_token(client),
            "current": "not it at all",
            "new": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 422


def test_admin_creates_disables_and_re_roles_accounts(app, client):
    admin = gen_user("admin")
    login(client, admin)
    token = csrf_token(client, "/staff/users/new")
    created = client.post(
        "/staff/users/new",
        data={
            "csrf_token": token,
            "email": "new@example.se",
            "role": "analyst",
            "partner": "Västerås stad",
            "password": "first password 1",
            "active": "y",
        },
    )
    assert created.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.se"))
    assert user.role is Role.ANALYST and user.partner.name == "Västerås stad"

    newcomer = app.test_client()
    assert login(newcomer, user, "first password 1").status_code == 302
    changed = client.post(
        f"/staff/users/{user.id}",
        data={
            "csrf_token": csrf_token(client, f"/staff/users/{user.id}"),
            "email": "new@example.se",
            "role": "staff",
            "partner": "",
        },
    )
    assert changed.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role is Role.STAFF and user.active is False
    assert newcomer.get("/staff/").status_code == 302  # disabled: signed out at once
    assert login(app.test_client(), user, "first password 1").status_code == 401
    assert {"user_created", "user_changed"} <= set(actions())


def test_admin_cannot_lock_themselves_out(client):
    admin = gen_user("admin")
    login(client, admin)
    response = client.post(
        f"/staff/users/{admin.id}",
        data={
            "csrf_token": csrf_token(client, f"/staff/users/{admin.id}"),
            "email": admin.email,
            "role": "staff",
            "partner": "",
            "active": "y",
        },
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).role is Role.ADMIN


def test_duplicate_email_is_explained_and_nothing_is_stored(client):
    login(client, gen_user("admin"))
    gen_user("staff", email="taken@example.se")
    response = client.post(
        "/staff/users/new",
        data={
            "csrf_token": csrf_token(client, "/staff/users/new"),
            "email": "TAKEN@example.se",
            "role": "staff",
            "partner": "",
            "password": "first password 1",
            "active": "y",
        },
    )
    assert response.status_code == 422
    assert 'value="TAKEN@example.se"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_audit_log_shows_who_did_what(client):
    admin = gen_user("admin")
    login(client, admin)
    html = client.get("/staff/audit").get_data(as_text=True)
    assert "admin@example.se" in html and "login" in html
