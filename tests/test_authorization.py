"""Every staff route, requested as anonymous, analyst, staff and admin: only the allowed roles get in."""

from __future__ import annotations

import pytest

from tests.factories import gen_placement, gen_survey, gen_user, login

ALL = {"analyst", "staff", "admin"}
STAFF = {"staff", "admin"}
ADMIN = {"admin"}

# endpoint → roles allowed. A new staff route must be added here, or the completeness test fails.
ALLOWED = {
    "staff.dashboard": ALL,
    "staff.password": ALL,
    "staff.logout": ALL,
    "staff.users": ADMIN,
    "staff.new_user": ADMIN,
    "staff.edit_user": ADMIN,
    "staff.audit": ADMIN,
    "placements_staff.index": ALL,
    "placements_staff.new": STAFF,
    "placements_staff.retire": STAFF,
    "placements_staff.qr": STAFF,
    "placements_staff.poster": STAFF,
    "moderation.queue": STAFF,
    "moderation.decide": STAFF,
    "surveys_staff.index": STAFF,
    "surveys_staff.new": STAFF,
    "surveys_staff.edit": STAFF,
    "surveys_staff.status": STAFF,
    "surveys_staff.duplicate": STAFF,
    "surveys_staff.question": STAFF,
    "surveys_staff.move_question": STAFF,
    "surveys_staff.delete_question": STAFF,
    "surveys_staff.save_option": STAFF,
    "surveys_staff.move_option": STAFF,
    "surveys_staff.delete_option": STAFF,
    "surveys_staff.translate": STAFF,
    "surveys_staff.preview": STAFF,
    "surveys_staff.export_xlsform": STAFF,
    "surveys_staff.import_xlsform": STAFF,
    "forum_staff.index": STAFF,
    "forum_staff.new": STAFF,
    "forum_staff.manage": STAFF,
    "forum_staff.control": STAFF,
    "forum_staff.add_item": STAFF,
    "forum_staff.item": STAFF,
    "forum_staff.printable": STAFF,
    "forum_staff.export": STAFF,
    "insights.needs_map": ALL,
    "insights.code_texts": STAFF,
    "insights.population": ADMIN,
    "actions.staff_index": ALL,
    "actions.edit": ALL,
    "actions.translate": STAFF,
    "insights.export": ALL,
    "api_tokens.manage": ADMIN,
    "api_tokens.revoke": ADMIN,
    "themes.index": ADMIN,
    "themes.goal": ADMIN,
    "themes.theme": ADMIN,
    "measurement.index": ALL,
    "measurement.edit_indicator": STAFF,
    "measurement.indicator": ALL,
    "measurement.enter_point": ALL,
    "measurement.compute": STAFF,
    "measurement.approve": ADMIN,
    "measurement.story": ALL,
    "measurement.new_program": STAFF,
    "measurement.program": ALL,
}
PUBLIC = {"staff.login"}


def _forum_ids() -> dict[str, int]:
    from tests.factories import gen_forum_session

    session = gen_forum_session()
    from datetime import date

    from participation.actions.models import ActionStatus
    from participation.actions.services import save_action

    action = save_action(
        None,
        title="Fler sommarjobb",
        text="",
        reason="",
        status=ActionStatus.DECIDED,
        partner_id=None,
        decided_on=date(2026, 11, 1),
        published=True,
        theme_ids=[],
        base_language="sv",
    )
    from participation.api.services import create_token
    from participation.staff.services import get_or_create_partner
    from tests.factories import gen_theme

    theme = gen_theme("jobs")
    token, _clear = create_token(get_or_create_partner("Västerås stad"), "BI")
    return {
        "forum": session.id,
        "forum_item": session.items[0].id,
        "action": action.id,
        "token": token.id,
        "goal": theme.goal.id,
        "theme": theme.id,
        **_measurement_ids(theme.goal.id),
    }


def _measurement_ids(goal_id: int) -> dict[str, int]:
    from participation.extensions import db
    from participation.measurement.models import DataPoint, Indicator, Program

    indicator = Indicator(goal_id=goal_id, name={"sv": "I"}, definition={})
    program = Program(goal_id=goal_id, name={"sv": "P"})
    point = DataPoint(indicator=indicator, period=20261, value=1.0, story={})
    db.session.add_all([indicator, program, point])
    db.session.commit()
    return {"indicator": indicator.id, "point": point.id, "program": program.id}


def _staff_rules(app):
    # The API has its own bearer-token check (tests/api); here: every staff route behind a login.
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")]
    return sorted(rules, key=lambda rule: rule.endpoint == "staff.logout")  # logging out last


def test_every_staff_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in _staff_rules(app)}
    assert endpoints - PUBLIC == set(ALLOWED)


def _url(rule, ids) -> str:
    values = {
        "placement_id": ids["placement"],
        "user_id": ids["user"],
        "answer_id": 1,
        "kind": "svg",
        "survey_id": ids["survey"],
        "question_id": ids["question"],
        "option_id": ids["option"],
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
    path = rule.rule.replace("<any(csv, xlsx):kind>", "csv").replace("<any(csv, xlsx, json):kind>", "json")
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<any(svg, png):{name}>", str(value))
    return path


@pytest.mark.parametrize("role", [None, "analyst", "staff", "admin"])
def test_each_role_gets_exactly_its_routes(app, client, role):
    survey = gen_survey()
    ids = {
        "placement": gen_placement(survey).id,
        "user": gen_user("staff", email="target@example.se").id,
        "survey": survey.id,
        "question": survey.questions[0].id,
        "option": survey.questions[0].options[0].id,
        **_forum_ids(),
    }
    if role:
        login(client, gen_user(role))
    app.config["WTF_CSRF_ENABLED"] = False  # the role check must hold even for a well-formed POST
    try:
        for rule in _staff_rules(app):
            if rule.endpoint in PUBLIC:
                continue
            method = "GET" if "GET" in rule.methods else "POST"
            status = client.open(_url(rule, ids), method=method).status_code
            allowed = role in ALLOWED[rule.endpoint]
            if role is None:
                assert status == 302, (rule.endpoint, status)  # to the login page
            elif allowed:
                assert status not in (401, 403), (role, rule.endpoint, status)
            else:
                assert status == 403, (role, rule.endpoint, status)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_every_staff_form_refuses_a_post_without_its_csrf_token(app, client):
    """Signed in as admin, every state-changing staff route answers 400 to a POST with no token."""
    survey = gen_survey()
    ids = {
        "placement": gen_placement(survey).id,
        "user": gen_user("staff", email="target@example.se").id,
        "survey": survey.id,
        "question": survey.questions[0].id,
        "option": survey.questions[0].options[0].id,
        **_forum_ids(),
    }
    login(client, gen_user("admin"))
    posts = [rule for rule in _staff_rules(app) if "POST" in rule.methods]
    assert len(posts) > 10
    for rule in posts:
        assert client.post(_url(rule, ids), data={}).status_code == 400, rule.endpoint
    assert client.get("/staff/").status_code == 200  # still logged in: logout refused without a token too
