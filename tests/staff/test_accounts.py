"""Staff accounts: logging in and out, lockout, rate limits, passwords, admins managing accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.extensions import db
from participation.staff.models import Role, User
from tests.factories import PASSWORD, csrf_token, gen_user, login


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


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


def test_five_failures_lock_the_account_even_for_the_right_password(client):
    user = gen_user("staff")
    for _ in range(5):
        assert login(client, user, "wrong password!").status_code == 401
    db.session.refresh(user)
    assert user.locked_until is not None and user.locked_until > datetime.now(UTC)
    locked = login(client, user)
    assert locked.status_code == 401
    assert "locked" in locked.get_data(as_text=True).lower() or "låst" in locked.get_data(as_text=True)
    assert "account_locked" in actions()


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
