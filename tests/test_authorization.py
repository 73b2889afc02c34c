"""Every staff and API route × every role × two partners: only the allowed get in, nobody acts on another's data.

The world: partner A owns a survey (with a free text to moderate), a placement, a forum session, an action,
an indicator with a data point, and a program. It is requested by anonymous, analyst A, analyst B, staff A,
staff B and an admin of the backbone. A role that may never do a thing gets 403; someone whose role could,
but whose partner does not own the object, gets 404 (see participation.staff.ownership).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from participation.extensions import db
from tests.factories import csrf_token, gen_forum_session, gen_placement, gen_survey, gen_user, login, q

A, B, BACKBONE = "Bäckby Ungdomsförening", "Bostadsbolaget Västerås", "Backbone Bäckby"
ACTORS = ["analyst_a", "analyst_b", "staff_a", "staff_b", "admin"]

EVERYONE = set(ACTORS)
STAFF = {"staff_a", "staff_b", "admin"}
OWN_STAFF = {"staff_a", "admin"}  # staff of the owning partner, and admins
OWN_ALL = {"analyst_a", "staff_a", "admin"}  # also the owning partner's analysts
ADMIN = {"admin"}

# endpoint → who may use it on partner A's objects. A dict splits GET and POST, and "new" is the rule of
# the same endpoint without an object id. A new staff route must be added here, or the completeness test fails.
ALLOWED: dict[str, set[str] | dict[str, set[str]]] = {
    "staff.dashboard": EVERYONE,
    "staff.password": EVERYONE,
    "staff.logout": EVERYONE,
    "staff.users": ADMIN,
    "staff.new_user": ADMIN,
    "staff.edit_user": ADMIN,
    "staff.audit": ADMIN,
    "placements_staff.index": EVERYONE,
    "placements_staff.new": STAFF,
    "placements_staff.retire": OWN_STAFF,
    "placements_staff.qr": OWN_STAFF,
    "placements_staff.poster": OWN_STAFF,
    "placements_staff.placement": OWN_STAFF,
    "placements_staff.start_kiosk": OWN_STAFF,
    "moderation.queue": STAFF,
    "moderation.decide": OWN_STAFF,
    "moderation.decide_other": OWN_STAFF,  # a proposed forum topic, decided in the queue
    "moderation.needs_reader_other": OWN_STAFF,  # a proposed forum topic left for a reader
    "moderation.bulk": OWN_STAFF,
    "moderation.needs_reader": OWN_STAFF,
    "quarantine.decide": STAFF,
    "surveys_staff.index": STAFF,
    "surveys_staff.new": STAFF,
    "surveys_staff.edit": OWN_STAFF,
    "surveys_staff.status": OWN_STAFF,
    "surveys_staff.duplicate": OWN_STAFF,
    "surveys_staff.question": OWN_STAFF,
    "surveys_staff.move_question": OWN_STAFF,
    "surveys_staff.delete_question": OWN_STAFF,
    "surveys_staff.save_option": OWN_STAFF,
    "surveys_staff.move_option": OWN_STAFF,
    "surveys_staff.delete_option": OWN_STAFF,
    "surveys_staff.translate": OWN_STAFF,
    "surveys_staff.preview": OWN_STAFF,
    "surveys_staff.preview_frame": OWN_STAFF,
    "surveys_staff.export_xlsform": OWN_STAFF,
    "surveys_staff.import_xlsform": STAFF,
    "forum_staff.index": STAFF,
    "forum_staff.new": STAFF,
    "forum_staff.manage": OWN_STAFF,
    "forum_staff.reopen": ADMIN,
    "forum_staff.control": OWN_STAFF,
    "forum_staff.close": OWN_STAFF,
    "forum_staff.timer": OWN_STAFF,
    "forum_staff.translate": OWN_STAFF,
    "forum_staff.add_item": OWN_STAFF,
    "forum_staff.item": OWN_STAFF,
    "forum_staff.proposal_cap": OWN_STAFF,
    "forum_staff.printable": OWN_STAFF,
    "forum_staff.export": OWN_ALL,
    "insights.needs_map": EVERYONE,
    "insights.export": EVERYONE,
    "insights.code_texts": {"GET": STAFF, "POST": OWN_STAFF},
    "insights.population": ADMIN,
    "insights.activity_page": ADMIN,
    "lifecycle.index": ADMIN,
    "lifecycle.erase_survey": ADMIN,
    "lifecycle.erase_placement": ADMIN,
    "lifecycle.unlink": ADMIN,
    "lifecycle.access": ADMIN,
    "actions.staff_index": EVERYONE,
    "actions.edit": {"new": EVERYONE, "GET": OWN_ALL, "POST": OWN_ALL},
    "actions.translate": OWN_STAFF,
    "api_tokens.manage": ADMIN,
    "api_tokens.revoke": ADMIN,
    "themes.index": ADMIN,
    "themes.goal": ADMIN,
    "themes.theme": ADMIN,
    "measurement.index": EVERYONE,
    "measurement.edit_indicator": {"new": STAFF, "GET": OWN_STAFF, "POST": OWN_STAFF},
    "measurement.indicator": EVERYONE,
    "measurement.enter_point": OWN_ALL,
    "measurement.compute": OWN_STAFF,
    "measurement.approve": ADMIN,
    "measurement.story": OWN_ALL,
    "measurement.new_program": STAFF,
    "measurement.program": {"GET": EVERYONE, "POST": OWN_STAFF},
}
# The way out of kiosk mode is a login form itself (it only sends to staff.login).
PUBLIC = {"staff.login", "placements_staff.leave_kiosk"}
# Routes whose object the world does not hold (a flood burst): an allowed role may get 404 there.
NO_OBJECT = {"quarantine.decide"}
# Run last, in this order: they take away what other routes are asked about.
LAST = [
    "placements_staff.retire",
    "surveys_staff.delete_option",
    "surveys_staff.delete_question",
    "staff.logout",
]
# The form a POST needs before the ownership check can be reached.
POST_DATA = {
    "insights.code_texts": lambda ids: {"answer": ids["answer"]},
    "moderation.bulk": lambda ids: {"selected": ids["pending_answer"]},
}


def _world() -> dict[str, int]:
    """Partner A's objects, and ids for every URL parameter."""
    from participation.actions.models import ActionStatus
    from participation.actions.services import save_action
    from participation.api.services import create_token
    from participation.measurement.models import DataPoint, Indicator, Program
    from participation.staff.ownership import new_objects_belong_to
    from participation.staff.services import get_or_create_partner
    from participation.surveys.models import Answer, ModerationStatus, Response
    from tests.factories import gen_theme

    survey = gen_survey(partner=A)
    partner_a = survey.partner
    response = Response(
        survey_id=survey.id,
        idempotency_key="world",
        submitted_hour=survey.created_at.replace(minute=0, second=0, microsecond=0),
        language="sv",
        answers=[
            Answer(
                question_id=q(survey, "text").id,
                text_value="Mer läxhjälp",
                moderation_status=ModerationStatus.APPROVED,
            ),
            Answer(
                question_id=q(survey, "text").id,
                text_value="Fler kvällar",
                moderation_status=ModerationStatus.PENDING,
            ),
        ],
    )
    db.session.add(response)
    db.session.commit()
    approved, pending = sorted(response.answers, key=lambda answer: answer.id)
    session = gen_forum_session(partner=A)
    theme = gen_theme("jobs")
    action = save_action(
        None,
        title="Fler sommarjobb",
        text="",
        reason="",
        status=ActionStatus.DECIDED,
        partner_id=partner_a.id,
        decided_on=date(2026, 11, 1),
        published=True,
        theme_ids=[],
        base_language="sv",
    )
    with new_objects_belong_to(partner_a.id):
        indicator = Indicator(goal=theme.goal, name={"sv": "Sommarjobb"}, definition={})
        program = Program(goal=theme.goal, name={"sv": "Tjejforum"})
        point = DataPoint(indicator=indicator, period=20261, value=1.0, story={"sv": "A:s berättelse"})
        db.session.add_all([indicator, program, point])
        db.session.commit()
    token, _clear = create_token(get_or_create_partner(B), "BI")
    last_question = survey.questions[-1]
    return {
        "survey": survey.id,
        "question": q(survey, "pick").id,
        "option": q(survey, "pick").options[0].id,
        "last_question": last_question.id,
        "last_option": q(survey, "rank").options[-1].id,
        "placement": gen_placement(survey).id,
        "user": gen_user("staff", email="target@example.se", partner=A).id,
        "forum": session.id,
        "forum_item": session.items[0].id,
        "answer": approved.id,
        "pending_answer": pending.id,
        "action": action.id,
        "token": token.id,
        "goal": theme.goal.id,
        "theme": theme.id,
        "indicator": indicator.id,
        "point": point.id,
        "program": program.id,
    }


def _actor(name: str):  # type: ignore[no-untyped-def]
    role, _, partner = name.partition("_")
    return gen_user(role, email=f"{name}@example.se", partner={"a": A, "b": B}.get(partner, BACKBONE))


def _staff_rules(app):  # type: ignore[no-untyped-def]
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")]
    return sorted(rules, key=lambda rule: LAST.index(rule.endpoint) if rule.endpoint in LAST else -1)


def _url(rule, ids) -> str:  # type: ignore[no-untyped-def]
    values = {
        "placement_id": ids["placement"],
        "user_id": ids["user"],
        "answer_id": ids["pending_answer"],
        "burst_id": 1,
        "kind": "svg",
        "survey_id": ids["survey"],
        "question_id": ids["last_question"]
        if rule.endpoint == "surveys_staff.delete_question"
        else ids["question"],
        "option_id": ids["last_option"] if rule.endpoint == "surveys_staff.delete_option" else ids["option"],
        "session_id": ids["forum"],
        "item_id": ids["forum_item"],
        "action_id": ids["action"],
        "token_id": ids["token"],
        "goal_id": ids["goal"],
        "theme_id": ids["theme"],
        "indicator_id": ids["indicator"],
        "point_id": ids["point"],
        "program_id": ids["program"],
    }
    path = (
        rule.rule.replace("<source_key>", "forum")
        .replace("<any(csv, xlsx):kind>", "csv")
        .replace("<any(csv, xlsx, json):kind>", "json")
    )
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<any(svg, png):{name}>", str(value))
    assert "<" not in path, path
    return path


def allowed(rule, method: str) -> set[str]:  # type: ignore[no-untyped-def]
    entry = ALLOWED[rule.endpoint]
    if isinstance(entry, set):
        return entry
    if "<int:" not in rule.rule and "new" in entry:
        return entry["new"]
    return entry[method]


def expected_refusal(actor: str, permitted: set[str]) -> int:
    """404 when the same role at the owning partner may (the object is someone else's), else 403."""
    role, _, _partner = actor.partition("_")
    return 404 if f"{role}_a" in permitted else 403


def test_every_staff_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in _staff_rules(app)}
    assert endpoints - PUBLIC == set(ALLOWED)


@pytest.mark.parametrize("actor", [None, *ACTORS])
def test_each_role_and_partner_gets_exactly_its_routes(app, client, actor):
    ids = _world()
    if actor:
        login(client, _actor(actor))
    app.config["WTF_CSRF_ENABLED"] = False  # the checks must hold even for a well-formed POST
    try:
        for rule in _staff_rules(app):
            if rule.endpoint in PUBLIC:
                continue
            for method in ("GET", "POST"):
                if method not in rule.methods:
                    continue
                data = (
                    POST_DATA[rule.endpoint](ids) if method == "POST" and rule.endpoint in POST_DATA else {}
                )
                status = client.open(_url(rule, ids), method=method, data=data).status_code
                permitted = allowed(rule, method)
                where = (actor, method, rule.rule, status)
                assert status < 500, where
                if actor is None:
                    assert status == 302, where  # to the login page
                elif actor in permitted:
                    refused = (401, 403) if rule.endpoint in NO_OBJECT else (401, 403, 404)
                    assert status not in refused, where
                else:
                    assert status == expected_refusal(actor, permitted), where
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_every_staff_form_refuses_a_post_without_its_csrf_token(app, client):
    """Signed in as admin, every state-changing staff route answers 400 to a POST with no token."""
    ids = _world()
    login(client, _actor("admin"))
    posts = [rule for rule in _staff_rules(app) if "POST" in rule.methods and rule.endpoint not in NO_OBJECT]
    assert len(posts) > 10
    for rule in posts:
        assert client.post(_url(rule, ids), data={}).status_code == 400, rule.endpoint
    assert client.get("/staff/").status_code == 200  # still logged in: logout refused without a token too


# The API: partners' BI tools read aggregates; a survey's results are only its own partner's.
API_ALLOWED = {
    "api.openapi": {None, "a", "b"},
    "api.surveys": {"a", "b"},
    "api.survey_results": {"a"},
    "api.needs_map": {"a", "b"},
    "api.actions": {"a", "b"},
    "api.indicators": {"a", "b"},  # shared measurement, as on the staff pages
    "api.placements": {"a", "b"},  # each lists its own partner's only
    "api.placement": {"a"},
    "api.forum_sessions": {"a", "b"},  # each lists its own partner's only
    "api.forum_results": {"a"},
}


def test_every_api_route_is_in_the_table(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")} == set(
        API_ALLOWED
    )


def test_each_partner_token_gets_exactly_its_api_routes(app, client):
    from participation.api.services import create_token
    from participation.staff.services import get_or_create_partner

    survey = gen_survey(partner=A)
    values = {
        "slug": survey.slug,
        "placement_id": str(gen_placement(survey).id),
        "session_id": str(gen_forum_session(partner=A).id),
    }
    headers = {None: {}}
    for name, partner in (("a", A), ("b", B)):
        _token, clear = create_token(get_or_create_partner(partner), "BI")
        headers[name] = {"Authorization": f"Bearer {clear}"}
    db.session.commit()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", lambda m: values[m.group(1)], rule.rule)
        for who, sent in headers.items():
            status = client.get(url, headers=sent).status_code
            if who in API_ALLOWED[rule.endpoint]:
                assert status == 200, (who, url, status)
            else:
                assert status == (401 if who is None else 404), (who, url, status)
    listed = {
        who: [
            row["slug"] for row in client.get("/api/v1/surveys", headers=headers[who]).get_json()["surveys"]
        ]
        for who in ("a", "b")
    }
    assert listed == {"a": [survey.slug], "b": []}


# Finding 4 of issue 10, replayed: every one of these writes and reads is refused.


def _signed_in(client, actor: str):  # type: ignore[no-untyped-def]
    login(client, _actor(actor))
    return csrf_token(client)


def _action_form(token: str, partner_id: int, title: str) -> dict[str, object]:
    return {
        "csrf_token": token,
        "title": title,
        "text": "",
        "status": "done",
        "reason": "",
        "partner_id": partner_id,
        "decided_on": "2026-11-20",
        "published": "y",
    }


def test_analyst_b_cannot_retitle_partner_a_s_published_action(client):
    from participation.actions.models import Action

    ids = _world()
    action = db.session.get(Action, ids["action"])
    token = _signed_in(client, "analyst_b")
    response = client.post(
        f"/staff/actions/{action.id}", data=_action_form(token, action.partner_id, "Hackad")
    )
    assert response.status_code == 404
    feed = client.get("/sv/actions").get_data(as_text=True)
    assert "Fler sommarjobb" in feed and "Hackad" not in feed
    page = client.get("/staff/actions/").get_data(as_text=True)
    assert f'href="/staff/actions/{action.id}"' not in page  # listed read-only, without the edit link


def test_analyst_a_may_retitle_their_own_partner_s_action_but_not_hand_it_to_b(client):
    from participation.actions.models import Action
    from participation.staff.services import get_or_create_partner

    ids = _world()
    partner_b = get_or_create_partner(B)
    db.session.commit()
    token = _signed_in(client, "analyst_a")
    action = db.session.get(Action, ids["action"])
    refused = client.post(f"/staff/actions/{action.id}", data=_action_form(token, partner_b.id, "Till B"))
    assert refused.status_code == 422  # B is not a partner an analyst of A can choose
    done = client.post(
        f"/staff/actions/{action.id}", data=_action_form(token, action.partner_id, "Sommarjobb klart")
    )
    assert done.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Action, ids["action"])
    assert saved.title["sv"] == "Sommarjobb klart" and saved.partner.name == A


def test_new_things_belong_to_their_creator_s_partner_whatever_the_form_says(client):
    from participation.actions.models import Action
    from participation.measurement.models import Indicator
    from participation.staff.services import get_or_create_partner

    ids = _world()
    partner_a = get_or_create_partner(A)
    token = _signed_in(client, "staff_b")
    goal = str(ids["goal"])
    response = client.post(
        "/staff/measurement/indicators/new",
        data={
            "csrf_token": token,
            "name": "B:s",
            "goal_id": goal,
            "polarity": "higher",
            "owner_partner_id": partner_a.id,
        },
    )
    assert response.status_code == 302
    created = db.session.query(Indicator).filter(Indicator.id != ids["indicator"]).one()
    assert created.owner.name == B
    assert (
        client.post("/staff/actions/new", data=_action_form(token, partner_a.id, "Som A")).status_code == 422
    )
    assert db.session.query(Action).count() == 1


def test_staff_b_cannot_take_over_partner_a_s_indicator(client):
    from participation.measurement.models import Indicator
    from participation.staff.services import get_or_create_partner

    ids = _world()
    partner_b = get_or_create_partner(B)
    db.session.commit()
    token = _signed_in(client, "staff_b")
    form = {
        "csrf_token": token,
        "name": "Nu B:s",
        "goal_id": str(ids["goal"]),
        "polarity": "higher",
        "owner_partner_id": partner_b.id,
    }
    assert client.post(f"/staff/measurement/indicators/{ids['indicator']}/edit", data=form).status_code == 404
    assert client.get(f"/staff/measurement/indicators/{ids['indicator']}/edit").status_code == 404
    page = client.get(f"/staff/measurement/indicators/{ids['indicator']}").get_data(as_text=True)
    assert "/edit" not in page and 'name="story"' not in page  # readable, but no edit forms
    db.session.expire_all()
    indicator = db.session.get(Indicator, ids["indicator"])
    assert indicator.owner.name == A and indicator.name["sv"] == "Sommarjobb"


def test_analyst_b_cannot_rewrite_a_s_story_or_add_to_a_s_program(client):
    from participation.measurement.models import DataPoint, Program

    ids = _world()
    token = _signed_in(client, "analyst_b")
    story = client.post(
        f"/staff/measurement/points/{ids['point']}/story", data={"csrf_token": token, "story": "B"}
    )
    assert story.status_code == 404
    entered = client.post(
        f"/staff/measurement/indicators/{ids['indicator']}/points",
        data={"csrf_token": token, "period": "20262", "value": "99"},
    )
    assert entered.status_code == 404
    measure = {
        "csrf_token": token,
        "question": "how_much",
        "period": "20262",
        "label": "Kvällar",
        "value": "3",
    }
    assert client.post(f"/staff/measurement/programs/{ids['program']}", data=measure).status_code == 403
    db.session.expire_all()
    assert db.session.get(DataPoint, ids["point"]).story == {"sv": "A:s berättelse"}
    assert db.session.get(Program, ids["program"]).measures == []
    assert len(db.session.get(DataPoint, ids["point"]).indicator.points) == 1


def test_staff_b_cannot_add_to_a_s_program_and_analyst_a_writes_a_s_story(client, app):
    from participation.measurement.models import DataPoint, Program

    ids = _world()
    token = _signed_in(client, "staff_b")
    measure = {
        "csrf_token": token,
        "question": "how_much",
        "period": "20262",
        "label": "Kvällar",
        "value": "3",
    }
    assert client.post(f"/staff/measurement/programs/{ids['program']}", data=measure).status_code == 404
    own = app.test_client()
    token = _signed_in(own, "analyst_a")
    saved = own.post(
        f"/staff/measurement/points/{ids['point']}/story", data={"csrf_token": token, "story": "Ny"}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(DataPoint, ids["point"]).story["en"] == "Ny"  # the workspace is in English
    assert db.session.get(Program, ids["program"]).measures == []


def test_staff_b_cannot_export_or_read_a_s_forum_results(client):
    ids = _world()
    _signed_in(client, "staff_b")
    for url in (
        f"/staff/forum/{ids['forum']}/results.csv",
        f"/staff/forum/{ids['forum']}/results.xlsx",
        f"/staff/forum/{ids['forum']}/results",
        f"/staff/forum/{ids['forum']}",
    ):
        assert client.get(url).status_code == 404, url
    from participation.forum.models import ForumSession

    code = db.session.get(ForumSession, ids["forum"]).code
    assert code not in client.get("/staff/forum/").get_data(as_text=True)


def test_staff_b_sees_neither_a_s_placement_scans_nor_a_s_texts(client):
    ids = _world()
    _signed_in(client, "staff_b")
    assert "TEST1" not in client.get("/staff/placements/").get_data(as_text=True)
    assert "Fler kvällar" not in client.get("/staff/moderation/").get_data(as_text=True)
    assert "Mer läxhjälp" not in client.get("/staff/coding?show=all").get_data(as_text=True)
    assert client.get(f"/staff/surveys/{ids['survey']}/xlsform.xlsx").status_code == 404
