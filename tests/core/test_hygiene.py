"""Input hygiene: control characters stop at the edge with a 400, ids out of range are 404s, never a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.hygiene import MAX_ID, has_visible_text, parse_id
from participation.extensions import db
from participation.forum.models import ForumItem, ForumMode
from participation.surveys.models import Answer, Response
from tests.api.test_api import new_token
from tests.factories import (
    csrf_token,
    gen_forum_session,
    gen_placement,
    gen_survey,
    gen_user,
    login,
    open_form,
    q,
    valid_answers,
)

HUGE = [str(2**63), str(10**30)]


@pytest.fixture()
def world(db):
    survey = gen_survey()
    gen_placement(survey, "POST1")
    session = gen_forum_session(ForumMode.POLL)
    return survey, session


def stored() -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(sa.select(sa.func.count(Response.id))),
        db.session.scalar(sa.select(sa.func.count(Answer.id))),
    )


# The endpoints where a NUL byte used to reach PostgreSQL, and their neighbours.
NUL_GETS = [
    "/en/s/test-survey%00",
    "/en/s/test%00survey/thanks",
    "/en/s/test-survey?p=POST1%00",
    "/en/s/test-survey?p%00=POST1",
    "/q/POST1%00",
    "/q/%00",
    "/en/f/ABC%00",
    "/en/f/ABC%00/results.json",
    "/en/f/ABC%00/screen",
    "/en/f/ABC%00/qr.svg",
    "/en/f?code=AB%00C",
    "/en/actions?lang=sv%00",
    "/healthz?x=%7F",
    "/staff/login?n%00ext=/staff/",
    "/staff/needs?term=%00",
]


@pytest.mark.parametrize("url", NUL_GETS)
def test_a_control_character_in_a_url_is_a_400_page_in_the_users_language(client, world, url):
    client.set_cookie("delaktig_lang", "en")
    response = client.get(url)
    assert response.status_code == 400
    assert "Something in the request was not right." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/en/language?next=/en/s/%00", "/staff/login?next=/staff/%0A/x"])
def test_a_next_target_is_left_to_the_safe_next_check(client, world, url):
    """participation.security strips control characters from `next` and keeps the participant on the site."""
    response = client.get(url)
    assert response.status_code in (200, 302, 303)
    assert not any(ord(char) < 32 for char in response.headers.get("Location", ""))


def test_the_400_page_follows_the_language_in_the_url(client, world):
    response = client.get("/sv/s/test-survey%00")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'lang="sv"' in html
    assert "Något i förfrågan stämde inte." in html


@pytest.mark.parametrize(
    "url",
    [
        "/en/s/test%00survey",
        "/en/s/test%00survey/language",
        "/en/s/test%00survey/follow-up",
        "/en/f/A%00/vote",
    ],
)
def test_a_control_character_in_a_posted_path_is_a_400(client, world, url):
    assert client.post(url, data={"x": "1"}).status_code == 400
    assert stored() == (0, 0)


def test_a_nul_in_the_login_email_is_a_400_not_a_database_error(client, world):
    gen_user("staff")
    token = csrf_token(client, "/staff/login")
    response = client.post(
        "/staff/login", data={"csrf_token": token, "email": "staff\x00@example.se", "password": "x"}
    )
    assert response.status_code == 400


def test_a_control_character_in_a_form_key_is_a_400(client, world):
    survey, _session = world
    fields = open_form(client, survey, "en")
    response = client.post(f"/en/s/{survey.slug}", data={**fields, **valid_answers(survey), "q\x001": "x"})
    assert response.status_code == 400
    assert stored() == (0, 0)


def test_staff_forms_refuse_control_characters_in_values(client, world):
    login(client, gen_user("staff"))
    token = csrf_token(client, "/staff/forum/new")
    response = client.post(
        "/staff/forum/new",
        data={"csrf_token": token, "title": "Forum\x00", "mode": "poll", "base_language": "sv"},
    )
    assert response.status_code == 400


def test_tabs_and_newlines_in_staff_text_are_ordinary(client, world):
    login(client, gen_user("staff"))
    token = csrf_token(client, "/staff/forum/new")
    response = client.post(
        "/staff/forum/new",
        data={
            "csrf_token": token,
            "title": "Forum\tkväll",
            "mode": "poll",
            "base_language": "sv",
            "languages": ["sv"],
            "items": "Ja\r\nNej\n",
        },
    )
    assert response.status_code in (200, 302, 303)


def test_a_participant_keeps_their_answers_when_a_control_character_slips_in(client, world):
    """A paste from another app may carry one; it is dropped and the response is stored as typed."""
    survey, _session = world
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'text').id}"] = "Mer\x00 läxhjälp\x0b på\x7f kvällen\r\nTack"
    answers["placement"] = "POST1\x00"
    response = client.post(f"/en/s/{survey.slug}", data={**open_form(client, survey, "en"), **answers})
    assert response.status_code == 303
    text = db.session.scalar(sa.select(Answer.text_value).where(Answer.text_value.is_not(None)))
    assert text == "Mer läxhjälp på kvällen\r\nTack"
    assert db.session.scalar(sa.select(Response.placement_id)) is not None


@pytest.mark.parametrize(
    "url, data",
    [
        ("/en/f", {"code": "AB\x00C"}),
        ("/en/follow-up/withdraw", {"code": "\x00\x00"}),
        ("/en/s/test-survey/language", {"placement": "\x00", "submission_key": "\x00"}),
    ],
)
def test_participant_forms_with_control_characters_never_fail(client, world, url, data):
    assert client.post(url, data=data).status_code < 500


def test_a_nul_in_a_json_body_is_a_400(client, world):
    assert client.post("/en/f", json={"code": "A\x00"}).status_code == 400
    assert client.post("/en/f", json={"deep": [[[[{"x\x7f": 1}]]]]}).status_code == 400


def test_json_nested_too_deep_to_parse_is_a_400(client, world):
    deep = "[" * 100_000 + "]" * 100_000
    assert client.post("/en/f", data=deep, content_type="application/json").status_code == 400
    nested = '{"a": ' * 900 + '"ok"' + "}" * 900  # parses, and is checked without recursion
    assert client.post("/en/f", data=nested, content_type="application/json").status_code < 500


def test_a_nul_reaches_no_api_query(client, world):
    token = new_token()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/surveys/test%00survey/results", headers=headers).status_code == 400
    assert client.get("/api/v1/needs-map?term=%00", headers=headers).status_code == 400
    assert client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {token}\x00"}).status_code == 401


@pytest.mark.parametrize("number", HUGE + [str(MAX_ID + 1), "0" * 40 + "1"])
def test_ids_beyond_the_database_in_urls_are_404(client, world, number):
    login(client, gen_user("admin"))
    for url in (
        f"/staff/surveys/{number}",
        f"/staff/forum/{number}",
        f"/staff/forum/1/items/{number}",
        f"/staff/placements/{number}/poster",
        f"/staff/users/{number}",
        f"/staff/measurement/indicators/{number}",
    ):
        assert client.get(url).status_code in (404, 405), url


def test_an_id_that_fits_still_matches(client, world):
    login(client, gen_user("admin"))
    survey, _session = world
    assert client.get(f"/staff/surveys/{survey.id}").status_code == 200
    assert client.get(f"/staff/surveys/{MAX_ID}").status_code == 404


@pytest.mark.parametrize("number", HUGE + ["-1", "١٢", "1e3", ""])
def test_a_forum_item_id_out_of_range_is_refused_without_a_500(client, world, number):
    _survey, session = world
    session.voting_open = True
    db.session.commit()
    token = csrf_token(client, "/en/f")
    response = client.post(f"/en/f/{session.code}/vote", data={"csrf_token": token, "item": number})
    assert response.status_code in (400, 404)
    assert "That is not something you can vote on" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", HUGE)
def test_staff_forms_with_ids_out_of_range_are_refused(client, world, number):
    _survey, session = world
    login(client, gen_user("admin"))
    item = db.session.scalars(sa.select(ForumItem)).first()
    token = csrf_token(client, "/staff/api-tokens/")
    assert client.post("/staff/api-tokens/", data={"csrf_token": token, "partner": number}).status_code == 422
    response = client.post(
        f"/staff/forum/{session.id}/items/{item.id}",
        data={"csrf_token": token, "action": "themes", "theme_ids": number},
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "text, visible",
    [
        ("Mer sommarjobb", True),
        ("?", True),
        ("7", True),
        ("💬", True),
        ("ሰላም", True),
        ("سلام", True),
        ("", False),
        ("   \t\r\n", False),
        ("\x00\x00", False),
        ("\x7f", False),
        ("\u200b\u200c\u200d\u2060\ufeff", False),
        ("\u00a0\u3000\u2028", False),
        ("\u3164\u115f\u2800", False),
        ("\u0301\u0301", False),
        ("\u200f\u202e", False),
    ],
)
def test_visible_text(text, visible):
    assert has_visible_text(text) is visible


@pytest.mark.parametrize(
    "value, expected",
    [("12", 12), (" 7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("-3", None)]
    + [("١٢", None), ("1_000", None), ("", None), (None, None), (str(10**30), None)],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


BLANK_TEXTS = [
    "\x00\x00\x00",
    "\x7f\x7f",
    "\u200b\u200b",
    "\u200d\ufeff\u2060",
    "   ",
    "\u3164",
    "\u00a0\t\r\n",
]


@pytest.mark.parametrize("text", BLANK_TEXTS)
def test_a_topic_without_a_visible_character_is_refused_with_a_message(client, db, text):
    session = gen_forum_session(ForumMode.TOPICS, items=(), requires_approval=False)
    token = csrf_token(client, "/en/f")
    response = client.post(f"/en/f/{session.code}/propose", data={"csrf_token": token, "text": text})
    assert response.status_code == 422
    assert "Write your topic first." in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ForumItem.id))) == 0


@pytest.mark.parametrize(
    "text", [t for t in BLANK_TEXTS if t.strip() and "\x00" not in t and "\x7f" not in t]
)
def test_a_free_text_without_a_visible_character_is_refused_and_the_answers_kept(client, world, text):
    survey, _session = world
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'text').id}"] = text
    response = client.post(f"/en/s/{survey.slug}", data={**open_form(client, survey, "en"), **answers})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Your answer looks empty. Write something, or leave the box empty." in html
    assert 'value="2" checked' in html  # the scale answer is still there
    assert stored() == (0, 0)


@pytest.mark.parametrize("text", ["\x00", "\x7f", "  ", ""])
def test_a_free_text_of_control_characters_or_blanks_counts_as_not_answered(client, world, text):
    survey, _session = world
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'text').id}"] = text
    response = client.post(f"/en/s/{survey.slug}", data={**open_form(client, survey, "en"), **answers})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.text_value.is_not(None))) == 0


def test_facilitator_items_and_titles_need_visible_text(client, world):
    _survey, session = world
    login(client, gen_user("staff"))
    token = csrf_token(client, "/staff/forum/new")
    before = db.session.scalar(sa.select(sa.func.count(ForumItem.id)))
    client.post(f"/staff/forum/{session.id}/items", data={"csrf_token": token, "text": "\u200b\u200b"})
    response = client.post(
        "/staff/forum/new",
        data={
            "csrf_token": token,
            "title": "\u200b",
            "mode": "poll",
            "base_language": "sv",
            "languages": ["sv"],
        },
    )
    assert response.status_code == 422
    assert "Write some text that can be seen." in response.get_data(as_text=True)
    response = client.post(
        "/staff/forum/new",
        data={
            "csrf_token": token,
            "title": "Forum",
            "mode": "poll",
            "base_language": "sv",
            "languages": ["sv"],
            "items": "Ja\n\u200b\nNej",
        },
    )
    assert response.status_code == 422
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ForumItem.id))) == before


def test_trailing_blanks_in_the_api_header_buy_no_fresh_rate_limit(client, db):
    """The limit counts per token id: 61 calls spelled 61 ways still meet the 60-per-minute limit."""
    token = new_token()
    statuses = [
        client.get("/api/v1/needs-map", headers={"Authorization": f"Bearer {token}{' ' * n}"}).status_code
        for n in range(61)
    ]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    other = new_token()
    assert client.get("/api/v1/needs-map", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_unknown_api_tokens_share_their_address_bucket(client, db):
    statuses = {
        client.get("/api/v1/needs-map", headers={"Authorization": f"Bearer guess{n}"}).status_code
        for n in range(61)
    }
    assert statuses == {401, 429}


@pytest.mark.parametrize(
    "url, data, fields",
    [
        # Found by probing staff forms: the owner field and the indicator's goal took any integer.
        (
            "/staff/forum/new",
            {"title": "F", "mode": "poll", "base_language": "sv", "languages": ["sv"]},
            ("partner_id",),
        ),
        (
            "/staff/measurement/indicators/new",
            {"name": "I", "goal_id": "1"},
            ("goal_id", "owner_partner_id", "baseline_period", "baseline_value"),
        ),
    ],
)
def test_a_number_beyond_the_database_is_the_form_s_own_message_never_a_500(client, db, url, data, fields):
    """Read where it is read: the form comes back with its message (422), no statement runs with it."""
    login(client, gen_user("admin"))
    token = csrf_token(client, "/staff/")
    for field in fields:
        response = client.post(url, data={"csrf_token": token, **data, field: str(10**30)})
        assert response.status_code == 422, (field, response.status_code)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ForumItem.id))) == 0


def test_the_last_net_turns_an_overflow_into_a_400_page():
    from participation import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    def overflow() -> str:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    app.add_url_rule("/overflow", "overflow", overflow)
    response = app.test_client().get("/overflow", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Something in the request was not right." in response.get_data(as_text=True)
