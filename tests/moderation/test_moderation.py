"""Free text waits for a person: flags for personal data and abuse, approve, hide, redact."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.textflags import detect_flags
from participation.extensions import db
from participation.moderation.services import publishable_texts
from participation.surveys.models import Answer, ModerationStatus
from tests.factories import csrf_token, gen_survey, gen_user, login, open_form, q, valid_answers


@pytest.mark.parametrize(
    "text, flag",
    [
        ("Ring mig på 070-123 45 67", "phone"),
        ("+46 70 123 45 67", "phone"),
        ("skriv till sara.k@example.se", "email"),
        ("mitt personnummer är 811218-9876", "personal_number"),
        ("19811218-9876", "personal_number"),
        ("Jag heter Sara och går i 8B", "name"),
        ("Hi, my name is Tom", "name"),
        ("det här är jävla dåligt", "abuse"),
        ("what an idiot", "abuse"),
    ],
)
def test_likely_personal_data_and_abuse_are_flagged(text, flag):
    assert flag in detect_flags(text)


@pytest.mark.parametrize(
    "text", ["Fler aktiviteter på kvällen!", "Vi var 20 personer 2025", "Öppet till 22", "2026-11-28"]
)
def test_ordinary_answers_are_not_flagged(text):
    assert detect_flags(text) == []


def _submit_text(client, survey, text: str) -> Answer:
    answers = {**valid_answers(survey), f"q{q(survey, 'text').id}": text}
    assert (
        client.post(f"/sv/s/{survey.slug}", data={**open_form(client, survey), **answers}).status_code == 303
    )
    return db.session.scalar(
        sa.select(Answer).where(Answer.text_value.is_not(None)).order_by(Answer.id.desc())
    )


def test_submitted_text_is_pending_and_flagged(client):
    survey = gen_survey()
    answer = _submit_text(client, survey, "Ring mig 0701234567")
    assert answer.moderation_status is ModerationStatus.PENDING
    assert answer.flags == ["phone"]
    assert publishable_texts(q(survey, "text").id) == []


def test_queue_shows_flagged_first_and_staff_decide(app, client):
    survey = gen_survey()
    calm = _submit_text(client, survey, "Mer läxhjälp")
    flagged = _submit_text(app.test_client(), survey, "Jag heter Sara, ring 0701234567")
    hidden = _submit_text(app.test_client(), survey, "något dumt")
    login(client, gen_user("staff"))
    html = client.get("/staff/moderation/").get_data(as_text=True)
    assert html.index("Jag heter Sara") < html.index("Mer läxhjälp")
    assert "phone number" in html and "a name" in html

    def decide(answer, **data):
        return client.post(
            f"/staff/moderation/{answer.id}",
            data={"csrf_token": csrf_token(client, "/staff/moderation/"), **data},
        )

    assert decide(calm, decision="approve").status_code == 302
    assert decide(hidden, decision="hide").status_code == 302
    assert decide(flagged, decision="redact", text="Jag heter Sara, ring 0701234567").status_code == 422
    assert (
        decide(flagged, decision="redact", text="Jag heter [borttaget], ring [borttaget]").status_code == 302
    )
    assert decide(flagged, decision="bogus").status_code == 400
    assert (
        client.post(f"/staff/moderation/{flagged.id}", data={"decision": "approve"}).status_code == 400
    )  # no CSRF
    assert decide(type("A", (), {"id": 999999})(), decision="approve").status_code == 404

    texts = publishable_texts(q(survey, "text").id)
    assert texts == ["Mer läxhjälp", "Jag heter [borttaget], ring [borttaget]"]
    raw = db.session.scalars(sa.select(Answer.text_value).where(Answer.text_value.is_not(None))).all()
    assert not any("0701234567" in text for text in raw)  # redaction removes it for good


def test_analysts_never_see_raw_free_text(client):
    survey = gen_survey()
    _submit_text(client, survey, "Hemlig text")
    login(client, gen_user("analyst"))
    assert client.get("/staff/moderation/").status_code == 403


def test_queue_filters_too_long_for_a_number_are_ignored_not_a_500(client):
    login(client, gen_user("staff"))
    huge = "9" * 5000
    response = client.get(f"/staff/moderation/?survey={huge}&page={huge}&age=x&language={huge}")
    assert response.status_code == 200
