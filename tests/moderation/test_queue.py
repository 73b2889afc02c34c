"""The queue at scale: pages, filters, flagged spans marked with their reason, bulk approval, in place."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.textflags import detect_flags, find_spans
from participation.database import utcnow
from participation.extensions import db
from participation.moderation.queue import PAGE_SIZE, Segment, segments
from participation.surveys.models import Answer, ModerationStatus, Response
from tests.factories import csrf_token, gen_survey, gen_user, login, q

QUEUE = "/staff/moderation/"


def add_texts(survey, texts, *, language="sv", hours_ago=0) -> list[Answer]:  # type: ignore[no-untyped-def]
    """Pending free texts, one response each, with the flags the app gives them when they come in."""
    hour = (utcnow() - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
    answers = []
    for text in texts:
        answer = Answer(
            question_id=q(survey, "text").id,
            text_value=text,
            moderation_status=ModerationStatus.PENDING,
            flags=detect_flags(text),
        )
        key = f"{survey.id}-{language}-{hours_ago}-{len(answers)}-{text}"
        db.session.add(Response(survey_id=survey.id, idempotency_key=key[:64], submitted_hour=hour,
                                language=language, answers=[answer]))  # fmt: skip
        answers.append(answer)
    db.session.commit()
    return answers


def status_of(answer: Answer) -> ModerationStatus | None:
    return db.session.scalar(sa.select(Answer.moderation_status).where(Answer.id == answer.id))


def item_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<li id="item-(\d+)"', html)]


@pytest.fixture()
def staff(client):  # type: ignore[no-untyped-def]
    login(client, gen_user("staff"))
    return client


def test_spans_say_where_and_why():
    text = "Ring 070-123 45 67, jag heter Ahmed. Mejla a@b.se, pnr 811218-9876"
    found = {text[span.start : span.end]: span.flag for span in find_spans(text)}
    assert found == {
        "070-123 45 67": "phone",
        "jag heter Ahmed.": "name",
        "a@b.se": "email",
        "811218-9876": "personal_number",
    }
    assert detect_flags(text) == ["email", "personal_number", "phone", "name"]
    assert detect_flags("2026-11-28 kl 18") == []


def test_segments_cover_the_text_and_merge_overlaps():
    text = "jag heter idiot, hej"
    parts = segments(text)
    assert "".join(part.text for part in parts) == text
    assert parts == [Segment("jag heter idiot,", ("abuse", "name")), Segment(" hej")]


def test_pages_of_twenty_with_flagged_first(staff):
    survey = gen_survey()
    calm = add_texts(survey, [f"Mer läxhjälp {n}" for n in range(2 * PAGE_SIZE + 3)])
    flagged = add_texts(survey, ["Ring 070-123 45 67"])
    first = staff.get(QUEUE).get_data(as_text=True)
    assert item_ids(first)[0] == flagged[0].id
    assert len(item_ids(first)) == PAGE_SIZE
    assert "44 texts match." in first and "Page 1 of 3." in first
    last = staff.get(f"{QUEUE}?page=3").get_data(as_text=True)
    assert item_ids(last) == [answer.id for answer in calm[-4:]]
    assert staff.get(f"{QUEUE}?page=99").status_code == 200  # past the end: the last page


def test_filters_by_survey_language_flag_age_and_reader(staff):
    survey, other = gen_survey(), gen_survey("other")
    swedish = add_texts(survey, ["Fler kvällar"])
    arabic = add_texts(survey, ["ملعب جديد"], language="ar", hours_ago=24 * 10)
    flagged = add_texts(other, ["mejla mig på sara@example.se"], hours_ago=30)

    def shown(query: str) -> list[int]:
        return item_ids(staff.get(f"{QUEUE}?{query}").get_data(as_text=True))

    assert shown(f"survey={other.id}") == [flagged[0].id]
    assert shown("language=ar") == [arabic[0].id]
    assert shown("flagged=1") == [flagged[0].id]
    assert shown("age=day") == [swedish[0].id]
    assert shown("age=week") == [flagged[0].id, swedish[0].id]
    assert shown("age=older") == [arabic[0].id]
    assert shown("survey=x&age=bogus&page=-1") == [flagged[0].id, swedish[0].id, arabic[0].id]
    assert shown("needs_reader=1") == []

    token = csrf_token(staff, QUEUE)
    response = staff.post(
        f"{QUEUE}{arabic[0].id}/reader?language=ar", data={"csrf_token": token, "needed": "1"}
    )
    assert response.status_code == 302 and response.location.endswith(
        f"{QUEUE}?language=ar#item-{arabic[0].id}"
    )
    assert shown("needs_reader=1") == [arabic[0].id]
    html = staff.get(f"{QUEUE}?language=ar").get_data(as_text=True)
    assert '<span lang="ar">العربية</span>' in html  # the language by its own name
    assert "Remove the mark" in html
    with_js = staff.post(
        f"{QUEUE}{arabic[0].id}/reader",
        data={"csrf_token": token, "needed": "0"},
        headers={"Accept": "application/json"},
    )
    assert with_js.get_json() == {"ok": True, "needed": False, "message": "Saved."}
    assert shown("needs_reader=1") == []


def test_flagged_spans_are_marked_and_hiding_comes_first(staff):
    survey = gen_survey()
    add_texts(survey, ["Ring 070-123 45 67 eller skriv, jag heter Ahmed"])
    html = staff.get(QUEUE).get_data(as_text=True)
    assert '<mark>070-123 45 67</mark><span class="flag-reason"> (phone number)</span>' in html
    assert '<mark>jag heter Ahmed</mark><span class="flag-reason"> (a name)</span>' in html
    form = html[html.index('class="moderation-actions"') :]
    buttons = re.findall(r'<button type="submit" name="decision" value="(\w+)"([^>]*)>', form)
    assert buttons[0] == ("hide", " data-primary")
    assert buttons[-1] == ("approve", ' class="secondary"')
    assert 'name="selected"' not in form[: form.index("</form>")]  # a flagged text is never ticked


def test_a_decision_without_script_returns_to_the_next_item_with_the_same_filters(staff):
    survey = gen_survey()
    first, second = add_texts(survey, ["Mer läxhjälp", "Fler kvällar"])
    html = staff.get(f"{QUEUE}?language=sv").get_data(as_text=True)
    action = re.search(rf'action="([^"]*/{first.id}\?[^"]*)"', html).group(1).replace("&amp;", "&")
    assert f"next={second.id}" in action and "language=sv" in action
    response = staff.post(action, data={"csrf_token": csrf_token(staff, QUEUE), "decision": "approve"})
    assert response.status_code == 302
    assert response.location.endswith(f"{QUEUE}?language=sv#item-{second.id}")
    assert status_of(first) is ModerationStatus.APPROVED


def test_a_decision_with_script_answers_json(staff):
    survey = gen_survey()
    (answer,) = add_texts(survey, ["jag heter Ahmed"])
    token = csrf_token(staff, QUEUE)
    json = {"Accept": "application/json"}
    refused = staff.post(f"{QUEUE}{answer.id}", data={"csrf_token": token, "decision": "redact",
                                                     "text": "jag heter Ahmed"}, headers=json)  # fmt: skip
    assert refused.status_code == 422 and refused.get_json()["ok"] is False
    done = staff.post(f"{QUEUE}{answer.id}", data={"csrf_token": token, "decision": "hide"}, headers=json)
    assert done.get_json() == {"ok": True, "message": "Hidden."}


def test_bulk_approval_takes_only_unflagged_texts(staff):
    survey = gen_survey()
    calm = add_texts(survey, ["Mer läxhjälp", "Fler kvällar", "Ett café"])
    flagged = add_texts(survey, ["Ring 0701234567"])
    token = csrf_token(staff, QUEUE)
    refused = staff.post(f"{QUEUE}bulk", data={"csrf_token": token, "selected": [calm[0].id, flagged[0].id]})
    assert refused.status_code == 422
    assert "Read it and decide on it alone" in refused.get_data(as_text=True)
    statuses = db.session.scalars(sa.select(Answer.moderation_status).where(Answer.text_value.is_not(None)))
    assert set(statuses) == {ModerationStatus.PENDING}

    assert staff.post(f"{QUEUE}bulk", data={"csrf_token": token}).status_code == 422  # nothing ticked
    assert staff.post(f"{QUEUE}bulk", data={"csrf_token": token, "selected": 999999}).status_code == 404
    done = staff.post(
        f"{QUEUE}bulk?flagged=", data={"csrf_token": token, "selected": [a.id for a in calm[:2]]}
    )
    assert done.status_code == 302 and done.location.endswith(f"{QUEUE}#queue")
    assert [status_of(a) for a in calm] == [
        ModerationStatus.APPROVED,
        ModerationStatus.APPROVED,
        ModerationStatus.PENDING,
    ]
    assert "2 texts approved." in staff.get(QUEUE).get_data(as_text=True)


def test_bulk_approval_refuses_another_partners_texts(client):
    survey = gen_survey(partner="Bostadsbolaget Västerås")
    (answer,) = add_texts(survey, ["Mer läxhjälp"])
    login(client, gen_user("staff"))
    token = csrf_token(client, QUEUE)
    assert client.post(f"{QUEUE}bulk", data={"csrf_token": token, "selected": answer.id}).status_code == 404
    assert status_of(answer) is ModerationStatus.PENDING
