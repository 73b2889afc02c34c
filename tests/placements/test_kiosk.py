"""Kiosk mode per placement: started by staff on one tablet, one response per submission, left by a login."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from participation.audit.models import AuditEvent
from participation.extensions import db
from participation.placements.kiosk import KIOSK_COOKIE
from participation.placements.models import Placement
from participation.privacy import DEVICE_COOKIE
from participation.surveys.models import Response
from tests.factories import (
    PASSWORD,
    csrf_token,
    gen_forum_session,
    gen_placement,
    gen_survey,
    gen_user,
    login,
    open_form,
    valid_answers,
)

A, B = "Bäckby Ungdomsförening", "Bostadsbolaget Västerås"
SALT = "delaktig-kiosk"


def responses() -> list[Response]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Response).order_by(Response.id)))


def start(client, placement: Placement, hours: object = 3):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/staff/placements/{placement.id}")
    return client.post(f"/staff/placements/{placement.id}/kiosk", data={"csrf_token": token, "hours": hours})


def kiosk_client(client, placement: Placement):  # type: ignore[no-untyped-def]
    """The tablet: a staff member of the placement's partner starts kiosk mode on it."""
    login(client, gen_user("staff", email="kiosk-staff@example.se", partner=placement.partner.name))
    started = start(client, placement)
    assert started.status_code == 303, started.status_code
    return client


def signed(app, payload: object, key: str | None = None) -> str:  # type: ignore[no-untyped-def]
    return URLSafeTimedSerializer(key or app.config["SECRET_KEY"], salt=SALT).dumps(payload)


def answer(client, survey, lang: str = "sv", query: str = ""):  # type: ignore[no-untyped-def]
    fields = open_form(client, survey, lang, query)
    return client.post(f"/{lang}/s/{survey.slug}", data={**fields, **valid_answers(survey)})


def is_normal_device(client, survey) -> bool:  # type: ignore[no-untyped-def]
    """An ordinary device gets a device cookie with the form, and of two forms opened on it (two tabs,
    or two people) only the first is stored; a kiosk stores both and gives no device cookie."""
    client.delete_cookie(DEVICE_COOKIE)
    first, second = open_form(client, survey), open_form(client, survey)
    has_token = client.get_cookie(DEVICE_COOKIE) is not None
    sent = [
        client.post(f"/sv/s/{survey.slug}", data={**form, **valid_answers(survey)})
        for form in (first, second)
    ]
    statuses = [response.status_code for response in sent]
    assert statuses in ([303, 409], [303, 303]), statuses
    assert has_token == (statuses == [303, 409])
    return has_token


# Who may start kiosk mode on partner A's placement: its own staff and the backbone's admins.
@pytest.mark.parametrize(
    ("role", "partner", "status"),
    [
        (None, None, 302),  # to the login page
        ("analyst", A, 403),
        ("staff", B, 404),
        ("analyst", B, 403),
        ("staff", A, 303),
        ("admin", "Backbone Bäckby", 303),
    ],
)
def test_who_may_start_kiosk_mode(client, role, partner, status):
    placement = gen_placement(gen_survey(partner=A), code="FRITID")
    if role:
        login(client, gen_user(role, partner=partner))
    page = client.get(f"/staff/placements/{placement.id}")
    assert page.status_code == (200 if status == 303 else status)
    token = csrf_token(client, "/staff/login") if role is None else csrf_token(client, "/staff/placements/")
    started = client.post(f"/staff/placements/{placement.id}/kiosk", data={"csrf_token": token, "hours": 3})
    assert started.status_code == status
    assert (client.get_cookie(KIOSK_COOKIE) is not None) == (status == 303)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "kiosk_started")).all()
    assert len(events) == (1 if status == 303 else 0)


def test_start_logs_out_sets_a_strict_signed_cookie_and_opens_the_survey(app, client):
    survey = gen_survey()
    placement = gen_placement(survey, code="FRITID", language="ar")
    user = gen_user("staff")
    login(client, user)
    page = client.get(f"/staff/placements/{placement.id}").get_data(as_text=True)
    assert "Start kiosk mode on this device" in page and 'name="hours"' in page
    assert f'href="/staff/placements/{placement.id}"' in client.get("/staff/placements/").get_data(
        as_text=True
    )
    started = start(client, placement, hours=2)
    assert started.status_code == 303
    # The staff member's own choice of language (English) wins over the placement's pinned one.
    assert started.headers["Location"] == f"/en/s/{survey.slug}?p=FRITID"
    set_cookie = next(h for h in started.headers.getlist("Set-Cookie") if h.startswith(KIOSK_COOKIE))
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Secure" not in set_cookie
    cookie = client.get_cookie(KIOSK_COOKIE)
    assert 2 * 3600 - 60 <= cookie.max_age <= 2 * 3600
    # The staff member is logged out on the tablet: the workspace asks for a login again.
    assert client.get("/staff/").status_code == 302
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "kiosk_started")).all()
    assert (event.user_id, event.object_id, event.detail) == (user.id, placement.id, {"hours": 2})


def test_the_cookie_is_secure_when_the_app_says_cookies_are(app, client):
    placement = gen_placement(gen_survey())
    login(client, gen_user("staff"))
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        started = start(client, placement)
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    set_cookie = next(h for h in started.headers.getlist("Set-Cookie") if h.startswith(KIOSK_COOKIE))
    assert "Secure" in set_cookie


@pytest.mark.parametrize("hours", [0, 13, 24, "x", ""])
def test_end_time_is_one_of_the_choices_up_to_twelve_hours(client, hours):
    placement = gen_placement(gen_survey())
    login(client, gen_user("staff"))
    assert start(client, placement, hours=hours).status_code == 422
    assert client.get_cookie(KIOSK_COOKIE) is None
    assert client.get("/staff/").status_code == 200  # still logged in


def test_no_kiosk_for_forum_or_retired_placements(client):
    login(client, gen_user("staff"))
    session = gen_forum_session()
    forum = db.session.scalar(sa.select(Placement).where(Placement.forum_session_id == session.id))
    retired = gen_placement(gen_survey(), code="OLD")
    retired.retired_at = datetime.now(UTC)
    db.session.commit()
    for placement in (forum, retired):
        page = client.get(f"/staff/placements/{placement.id}").get_data(as_text=True)
        assert "Kiosk mode is only for a placement that leads to a survey" in page
        assert start(client, placement).status_code == 404
    assert client.get_cookie(KIOSK_COOKIE) is None


def test_each_submission_in_kiosk_is_its_own_response_for_the_placement(client):
    survey = gen_survey()
    placement = gen_placement(survey, code="FRITID")
    kiosk_client(client, placement)
    page = client.get(f"/en/s/{survey.slug}")
    assert client.get_cookie(DEVICE_COOKIE) is None  # no device token is given
    assert 'name="placement" value="FRITID"' in page.get_data(as_text=True)
    for _person in range(3):
        assert answer(client, survey, "en").status_code == 303
    stored = responses()
    assert len(stored) == 3
    assert {(r.respondent_hash, r.placement_id) for r in stored} == {(None, placement.id)}
    assert client.get_cookie(DEVICE_COOKIE) is None


def test_a_double_tap_in_kiosk_still_stores_one_response(client):
    survey = gen_survey()
    kiosk_client(client, gen_placement(survey))
    fields = {**open_form(client, survey), **valid_answers(survey)}
    assert client.post(f"/sv/s/{survey.slug}", data=fields).status_code == 303
    assert client.post(f"/sv/s/{survey.slug}", data=fields).status_code == 303
    assert len(responses()) == 1


def test_a_tablet_that_answered_before_is_never_already_answered_in_kiosk(client):
    survey = gen_survey()
    placement = gen_placement(survey)
    assert answer(client, survey).status_code == 303  # as an ordinary device, with its device cookie
    assert client.get_cookie(DEVICE_COOKIE) is not None
    kiosk_client(client, placement)
    page = client.get(f"/sv/s/{survey.slug}").get_data(as_text=True)
    assert "You have already answered" not in page and 'name="submission_key"' in page
    assert answer(client, survey).status_code == 303
    assert [r.respondent_hash is None for r in responses()] == [False, True]


def test_kiosk_thanks_returns_to_a_fresh_form_and_offers_no_follow_up_code(client):
    survey = gen_survey()
    kiosk_client(client, gen_placement(survey))
    thanks = client.get(answer(client, survey, "en").headers["Location"])
    html = thanks.get_data(as_text=True)
    assert thanks.headers["Refresh"] == f"20; url=/en/s/{survey.slug}"
    assert "In 20 seconds this tablet starts the survey again" in html
    assert f'class="kiosk-stay" href="/en/s/{survey.slug}/thanks?stay=1"' in html
    assert f'class="button" href="/en/s/{survey.slug}"' in html
    assert 'id="follow-up"' not in html and "follow-up code" not in html
    assert "See other surveys" not in html
    assert 'class="kiosk-leave" href="/staff/placements/kiosk"' in html
    stay = client.get(f"/en/s/{survey.slug}/thanks?stay=1")
    assert "Refresh" not in stay.headers
    assert "This page stays until you start the survey" in stay.get_data(as_text=True)


def test_phones_at_the_same_placement_keep_one_response_per_device(app, client):
    survey = gen_survey()
    placement = gen_placement(survey, code="FRITID")
    kiosk_client(client, placement)
    phone = app.test_client()
    phone.get("/q/FRITID")
    assert answer(phone, survey, "en", "?p=FRITID").status_code == 303
    assert phone.get_cookie(DEVICE_COOKIE) is not None
    thanks = phone.get(f"/en/s/{survey.slug}/thanks")
    assert "Refresh" not in thanks.headers and 'id="follow-up"' in thanks.get_data(as_text=True)
    again = phone.get(f"/en/s/{survey.slug}?p=FRITID").get_data(as_text=True)
    assert "You have already answered" in again
    assert answer(client, survey).status_code == 303  # the tablet beside it goes on
    assert len(responses()) == 2
    assert is_normal_device(phone, survey)


def _cookies(app, placement: Placement) -> dict[str, str]:  # type: ignore[no-untyped-def]
    now = int(time.time())
    good = signed(app, {"placement": placement.id, "until": now + 3600})
    return {
        "forged": signed(app, {"placement": placement.id, "until": now + 3600}, key="not-the-secret-key"),
        "tampered": good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        "expired": signed(app, {"placement": placement.id, "until": now - 1}),
        "beyond twelve hours": signed(app, {"placement": placement.id, "until": now + 13 * 3600}),
        "not numbers": signed(app, {"placement": str(placement.id), "until": now + 3600}),
        "garbage": "x" * 500,
    }


@pytest.mark.parametrize(
    "case", ["forged", "tampered", "expired", "beyond twelve hours", "not numbers", "garbage"]
)
def test_a_bad_cookie_gives_an_ordinary_device(app, client, case):
    survey = gen_survey()
    placement = gen_placement(survey)
    client.set_cookie(KIOSK_COOKIE, _cookies(app, placement)[case])
    assert is_normal_device(client, survey)
    assert "kiosk-leave" not in client.get(f"/sv/s/{survey.slug}/thanks").get_data(as_text=True)


def test_a_good_cookie_made_the_same_way_is_a_kiosk(app, client):
    """The control of the cases above: the same cookie, signed right, is honoured."""
    survey = gen_survey()
    placement = gen_placement(survey)
    client.set_cookie(KIOSK_COOKIE, signed(app, {"placement": placement.id, "until": int(time.time()) + 60}))
    assert not is_normal_device(client, survey)
    assert [r.respondent_hash for r in responses()] == [None, None]


def test_a_kiosk_for_one_survey_is_an_ordinary_device_on_another(client):
    one, two = gen_survey("one"), gen_survey("two")
    kiosk_client(client, gen_placement(one, code="ONE"))
    assert is_normal_device(client, two)
    assert not is_normal_device(client, one)


def test_retiring_the_placement_ends_its_kiosk(client):
    survey = gen_survey()
    placement = gen_placement(survey)
    kiosk_client(client, placement)
    placement = db.session.get(Placement, placement.id)
    placement.retired_at = datetime.now(UTC)
    db.session.commit()
    assert is_normal_device(client, survey)


def _leave_form(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get("/staff/placements/kiosk")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/staff/login?next=/staff/placements/"' in html
    return {"csrf_token": csrf_token(client, "/staff/placements/kiosk")}


def test_leaving_kiosk_mode_needs_a_staff_login(client):
    survey = gen_survey()
    placement = gen_placement(survey)
    kiosk_client(client, placement)
    fields = _leave_form(client)
    wrong = client.post(
        "/staff/login?next=/staff/placements/",
        data={**fields, "email": "kiosk-staff@example.se", "password": "not it"},
    )
    assert wrong.status_code == 401
    assert client.get_cookie(KIOSK_COOKIE) is not None
    assert not is_normal_device(client, survey)  # still a kiosk
    analyst = gen_user("analyst", email="analyst@example.se")
    right = client.post(
        "/staff/login?next=/staff/placements/",
        data={**_leave_form(client), "email": analyst.email, "password": PASSWORD},
    )
    assert right.status_code == 302 and right.headers["Location"] == "/staff/placements/"
    assert client.get_cookie(KIOSK_COOKIE) is None
    assert "Kiosk mode has ended on this device." in client.get("/staff/placements/").get_data(as_text=True)
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "kiosk_ended")).all()
    assert (event.user_id, event.object_id) == (analyst.id, placement.id)
    assert is_normal_device(client, survey)


def test_the_leave_page_without_a_kiosk_is_the_login(client):
    assert client.get("/staff/placements/kiosk").headers["Location"].startswith("/staff/login")


def test_staff_navigation_is_hidden_on_a_kiosk_device(app, client):
    placement = gen_placement(gen_survey())
    login(client, gen_user("staff"))
    assert 'class="staff-nav"' in client.get("/staff/placements/").get_data(as_text=True)
    client.set_cookie(KIOSK_COOKIE, signed(app, {"placement": placement.id, "until": int(time.time()) + 60}))
    assert 'class="staff-nav"' not in client.get("/staff/placements/").get_data(as_text=True)
    # Being logged in already is the staff login the leave page asks for.
    left = client.get("/staff/placements/kiosk")
    assert left.status_code == 302 and client.get_cookie(KIOSK_COOKIE) is None
