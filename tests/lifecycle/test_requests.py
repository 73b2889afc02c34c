"""Erasure and access on request: the commands and the admins' page do what they say, and nothing else."""

from __future__ import annotations

import json

import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.extensions import db
from participation.followup.models import FollowUp
from participation.insights import tally
from participation.insights.coding import new_version
from participation.insights.models import TextCode
from participation.surveys.models import Answer, Response
from participation.surveys.releases import release_if_due
from tests.factories import csrf_token, gen_placement, gen_survey, gen_theme, gen_user, login
from tests.followup.test_followup import CODE, answer, opt_in


def counts(survey) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    responses = db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(Response.survey_id == survey.id)
    )
    answers = db.session.scalar(
        sa.select(sa.func.count(Answer.id)).join(Response).where(Response.survey_id == survey.id)
    )
    return int(responses or 0), int(answers or 0)


def answered(app, survey, times: int, **overrides) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        assert answer(app.test_client(), survey, **overrides).status_code == 303


def test_erasing_a_survey_removes_its_responses_texts_and_codes_and_only_them(app, db, runner) -> None:  # type: ignore[no-untyped-def]
    erased, kept = gen_survey("erase-me"), gen_survey("keep-me")
    answered(app, erased, 6)
    answered(app, kept, 5)
    text = db.session.scalars(
        sa.select(Answer)
        .join(Response)
        .where(Response.survey_id == erased.id, Answer.text_value.is_not(None))
    ).first()
    theme, version = gen_theme(), new_version("test")
    db.session.flush()
    db.session.add(TextCode(answer_id=text.id, theme_id=theme.id, codebook_version_id=version.id))
    db.session.commit()
    release_if_due(1)
    with app.test_request_context():
        before = tally.current().responses
    kept_counts = counts(kept)

    refused = runner.invoke(args=["erase", "survey", "erase-me"], input="n\n")
    assert refused.exit_code == 1 and counts(erased)[0] == 6  # asked first; "no" erases nothing
    result = runner.invoke(args=["erase", "survey", "erase-me", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased 6 responses" in result.output
    db.session.expire_all()
    assert counts(erased) == (0, 0) and counts(kept) == kept_counts
    assert db.session.scalar(sa.select(sa.func.count(TextCode.id))) == 0
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "erase_responses")).one()
    assert (event.object_type, event.object_id, event.detail["responses"]) == ("survey", erased.id, 6)
    assert "Mer läxhjälp" not in json.dumps(event.detail)  # counts, never content
    with app.test_request_context():
        assert tally.current().responses == before - 6  # the needs map counts without them at once
    assert runner.invoke(args=["erase", "survey", "no-such"]).exit_code == 1


def test_erasing_a_placement_takes_only_what_came_through_it(app, db, runner) -> None:  # type: ignore[no-untyped-def]
    survey = gen_survey()
    poster = gen_placement(survey, code="TVATT12")
    answered(app, survey, 4, placement="TVATT12")
    answered(app, survey, 3)
    result = runner.invoke(args=["erase", "placement", "tvatt12", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert counts(survey)[0] == 3
    assert (
        db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.placement_id == poster.id))
        == 0
    )


def test_a_follow_up_code_holder_gets_everything_and_can_be_unlinked(app, db, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, second = gen_survey("first-term"), gen_survey("second-term")
    client = app.test_client()
    assert answer(client, first).status_code == 303
    code = CODE.search(opt_in(client, first).get_data(as_text=True)).group(0)
    assert answer(client, second, followup_code=code).status_code == 303
    answered(app, second, 2)  # others' answers are not in the export

    output = tmp_path / "access.json"
    result = runner.invoke(args=["access", "follow-up", code.lower(), "--output", str(output)])
    assert result.exit_code == 0, result.output
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [r["survey"]["address"] for r in document["responses"]] == ["first-term", "second-term"]
    one = document["responses"][0]
    assert one["profile"] == {"age_band": "13_15", "gender": "girl", "lives_in_area": "yes"}
    texts = [a for a in one["answers"] if a["kind"] == "free_text"]
    assert texts == [
        {
            "question": "Fråga text",
            "kind": "free_text",
            "answer": "Mer läxhjälp på kvällen",
            "moderation": "pending",
        }
    ]
    assert {a["question"] for a in one["answers"]} >= {"Fråga pick", "Fråga rank", "Fråga scale"}
    assert code.replace("-", "") not in output.read_text()  # the code itself is never stored or written

    result = runner.invoke(args=["erase", "follow-up", code, "--yes"])
    assert result.exit_code == 0 and "2 responses are no longer joined" in result.output
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 0
    assert runner.invoke(args=["access", "follow-up", code]).exit_code == 1


def test_the_admins_page_asks_for_the_address_and_keeps_what_was_typed(app, db) -> None:  # type: ignore[no-untyped-def]
    survey = gen_survey("erase-by-page")
    answered(app, survey, 3)
    client = app.test_client()
    login(client, gen_user("admin", email="dpo@example.se"))
    page = client.get("/staff/data-requests/")
    assert page.status_code == 200 and "Data protection requests" in page.get_data(as_text=True)
    token = csrf_token(client, "/staff/data-requests/")
    wrong = client.post(
        "/staff/data-requests/erase-survey",
        data={"survey-csrf_token": token, "survey-survey": survey.id, "survey-confirm": "erase-by-pag"},
    )
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "This is not the survey&#39;s address." in body
    assert 'value="erase-by-pag"' in body and counts(survey)[0] == 3
    done = client.post(
        "/staff/data-requests/erase-survey",
        data={"survey-csrf_token": token, "survey-survey": survey.id, "survey-confirm": "erase-by-page"},
        follow_redirects=True,
    )
    assert "3 responses were erased." in done.get_data(as_text=True)
    db.session.expire_all()
    assert counts(survey)[0] == 0

    unknown = client.post(
        "/staff/data-requests/access", data={"access-csrf_token": token, "access-code": "ABCD-EFGH-JKLM"}
    )
    assert unknown.status_code == 422 and "We do not know that code" in unknown.get_data(as_text=True)
    holder = app.test_client()
    assert answer(holder, survey).status_code == 303
    code = CODE.search(opt_in(holder, survey).get_data(as_text=True)).group(0)
    export = client.post(
        "/staff/data-requests/access", data={"access-csrf_token": token, "access-code": code}
    )
    assert export.status_code == 200 and export.mimetype == "application/json"
    assert "attachment" in export.headers["Content-Disposition"]
    assert len(export.get_json()["responses"]) == 1
