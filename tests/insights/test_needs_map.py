"""The needs map: components with their n, filters, trend, reach, quotes, and an attacker who gets nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from participation.core.terms import in_term
from participation.extensions import db
from participation.forum import sessions as forum
from participation.forum.models import AGREE, ForumMode, ForumParticipant, ForumVote
from participation.insights import needs
from participation.insights.models import CodebookVersion, PopulationFigure, TextCode
from participation.suppression import Count, protect
from participation.surveys.models import Answer, ModerationStatus, Response
from participation.surveys.releases import release_if_due
from tests.factories import csrf_token, gen_forum_session, gen_survey, gen_theme, gen_user, login, opt, q

K = 5
AUTUMN_2026 = datetime(2026, 9, 15, 17, tzinfo=UTC)
SPRING_2026 = datetime(2026, 3, 15, 17, tzinfo=UTC)


@pytest.fixture()
def tagged(db):
    """A survey whose option 'a' of 'pick' is tagged 'jobs' and whose scale question is tagged 'safety'."""
    survey = gen_survey()
    jobs, safety = gen_theme("jobs"), gen_theme("safety")
    db.session.get(type(q(survey, "pick").options[0]), int(opt(survey, "pick", "a"))).themes.append(jobs)
    q(survey, "scale").themes.append(safety)
    db.session.commit()
    return survey, jobs, safety


def respond(
    survey, *, n: int, pick: str, scale: int, when=AUTUMN_2026, age="13_15", gender="girl", text=None
):
    for i in range(n):
        answers = [
            Answer(question_id=q(survey, "pick").id, option_id=int(opt(survey, "pick", pick))),
            Answer(question_id=q(survey, "scale").id, value_int=scale),
        ]
        if text:
            answers.append(
                Answer(
                    question_id=q(survey, "text").id,
                    text_value=f"{text} {i}",
                    moderation_status=ModerationStatus.APPROVED,
                )
            )
        db.session.add(
            Response(
                survey_id=survey.id,
                idempotency_key=f"{pick}{scale}{age}{gender}{when}{i}{n}{text}",
                submitted_hour=when,
                language="sv",
                age_band=age,
                gender=gender,
                answers=answers,
            )
        )
    db.session.commit()
    release_if_due(1)  # counted at once here; tests/test_releases.py shows how results wait for k


def shown(ids) -> int | None:
    """What disclosure control shows for exactly the records these ids select (perturbed, hidden below k)."""
    return protect(Count.of(db.session.scalars(ids)), K)


def chose(survey, option: str, *conditions):
    return (
        sa.select(Answer.response_id)
        .join(Response)
        .where(Answer.option_id == int(opt(survey, "pick", option)), *conditions)
    )


def answered(survey, key: str, *conditions):
    return (
        sa.select(Answer.response_id)
        .join(Response)
        .where(Answer.question_id == q(survey, key).id, *conditions)
    )


def component(result, theme, name):
    need = next(n for n in result.needs if n.theme.id == theme.id)
    return need.components.get(name)


def test_components_show_count_and_base(tagged):
    survey, jobs, safety = tagged
    respond(survey, n=12, pick="a", scale=1)
    respond(survey, n=8, pick="b", scale=4)
    result = needs.needs_map(needs.Filters(), K)
    choices = component(result, jobs, "choices")
    assert (choices.count.count, choices.base.count) == (
        shown(chose(survey, "a")),
        shown(answered(survey, "pick")),
    )
    assert choices.share == pytest.approx(choices.count.count / choices.base.count)
    scales = component(result, safety, "scales")
    low = sa.select(Answer.response_id).where(
        Answer.question_id == q(survey, "scale").id, Answer.value_int <= 2
    )
    assert (scales.count.count, scales.base.count) == (shown(low), shown(answered(survey, "scale")))
    assert result.respondents.count == shown(sa.select(Response.id))
    # Every figure is off by a little, never by much, and the same request gives the same numbers.
    assert abs(result.respondents.count - 20) <= 25 and needs.needs_map(needs.Filters(), K) == result


def test_forum_votes_of_closed_sessions_count(tagged, db):
    _survey, jobs, _safety = tagged
    session = gen_forum_session(ForumMode.TOPICS, items=("Jobb", "Annat"), requires_approval=False)
    session.items[0].themes.append(jobs)
    for i in range(12):
        participant = ForumParticipant(
            session_id=session.id, participant_hash=f"h{i}", joined_hour=AUTUMN_2026
        )
        db.session.add(participant)
        db.session.flush()
        item = session.items[0] if i < 9 else session.items[1]
        db.session.add(
            ForumVote(session_id=session.id, item_id=item.id, participant_id=participant.id, value=AGREE)
        )
    db.session.commit()
    still_open = next(n for n in needs.needs_map(needs.Filters(), K).needs if n.theme.id == jobs.id)
    assert still_open.components["forum"].count.suppressed  # votes count once the session is closed
    forum.control(session, forum.Control.CLOSE_SESSION, AUTUMN_2026)
    result = needs.needs_map(needs.Filters(), K)
    votes = component(result, jobs, "forum")
    jobs_votes = sa.select(ForumVote.id).where(ForumVote.item_id == session.items[0].id)
    assert (votes.count.count, votes.base.count) == (shown(jobs_votes), shown(sa.select(ForumVote.id)))
    assert not needs.needs_map(needs.Filters(gender="girl"), K).forum_applies


def test_coded_text_and_quotes(tagged, db):
    survey, jobs, _safety = tagged
    respond(survey, n=12, pick="a", scale=3, text="Fler sommarjobb")
    version = CodebookVersion(note="v1")
    db.session.add(version)
    db.session.flush()
    texts = db.session.scalars(sa.select(Answer).where(Answer.text_value.is_not(None))).all()
    for answer in texts[:6]:
        db.session.add(TextCode(answer_id=answer.id, theme_id=jobs.id, codebook_version_id=version.id))
    health = gen_theme("health")
    db.session.flush()
    db.session.add(TextCode(answer_id=texts[6].id, theme_id=health.id, codebook_version_id=version.id))
    db.session.commit()
    result = needs.needs_map(needs.Filters(), K)
    coded = component(result, jobs, "text")
    assert (coded.count.count, coded.base.count) == (
        shown(sa.select(TextCode.answer_id).where(TextCode.theme_id == jobs.id)),
        shown(sa.select(TextCode.answer_id)),
    )
    need = next(n for n in result.needs if n.theme.id == jobs.id)
    assert len(need.quotes) == 3 and all(quote.startswith("Fler sommarjobb") for quote in need.quotes)


def test_quotes_only_from_groups_of_at_least_k(tagged, db):
    survey, jobs, _safety = tagged
    respond(survey, n=12, pick="a", scale=3, age="13_15")
    respond(survey, n=3, pick="a", scale=3, age="20_25", text="Hemlig")
    version = CodebookVersion(note="v1")
    db.session.add(version)
    db.session.flush()
    for answer in db.session.scalars(sa.select(Answer).where(Answer.text_value.is_not(None))):
        db.session.add(TextCode(answer_id=answer.id, theme_id=jobs.id, codebook_version_id=version.id))
    db.session.commit()
    small = needs.needs_map(needs.Filters(age_band="20_25"), K)
    assert small.respondents.suppressed
    assert all(not need.quotes for need in small.needs)


def test_nothing_below_k_is_shown_and_an_empty_group_looks_like_a_small_one(tagged):
    """Three girls of 16–19 chose 'a'; nobody is over 25. Every theme keeps every component either way.

    That no hidden figure comes back from all views together is tests/test_disclosure_attack.py's job.
    """
    survey, jobs, _safety = tagged
    respond(survey, n=20, pick="a", scale=4, age="13_15", gender="girl")
    respond(survey, n=3, pick="a", scale=4, age="16_19", gender="girl")
    respond(survey, n=12, pick="b", scale=4, age="16_19", gender="girl")
    empty = needs.needs_map(needs.Filters(age_band="over_25"), K)
    small = needs.needs_map(needs.Filters(age_band="16_19", gender="girl"), K)
    assert [sorted(n.components) for n in empty.needs] == [sorted(n.components) for n in small.needs]
    assert empty.respondents.suppressed and all(
        c.count.suppressed and c.base.suppressed for n in empty.needs for c in n.components.values()
    )
    for filters in ({"age_band": "16_19"}, {"gender": "girl"}, {"age_band": "16_19", "gender": "girl"}, {}):
        result = needs.needs_map(needs.Filters(**filters), K)
        for need in result.needs:
            for c in need.components.values():
                assert c.count.count is None or c.count.count >= K


def test_trend_and_reach(tagged, db):
    survey, jobs, _safety = tagged
    respond(survey, n=10, pick="a", scale=3, when=SPRING_2026, age="13_15")
    respond(survey, n=14, pick="a", scale=3, when=AUTUMN_2026, age="16_19")
    respond(survey, n=6, pick="b", scale=3, when=AUTUMN_2026, age="16_19")
    trend = needs.trend(needs.Filters(), K)
    spring, autumn = (in_term(Response.submitted_hour, term) for term in (20261, 20262))
    assert trend[jobs.id][20261].count == shown(chose(survey, "a", spring))
    assert trend[jobs.id][20262].count == shown(chose(survey, "a", autumn))
    assert needs.terms() == [20261, 20262]
    db.session.add_all(
        [PopulationFigure(age_band="13_15", count=200), PopulationFigure(age_band="16_19", count=250)]
    )
    db.session.commit()
    reach = {row.age_band: row for row in needs.reach(needs.Filters(), K)}
    young = shown(sa.select(Response.id).where(Response.age_band == "13_15"))
    assert reach["13_15"].respondents.count == young and reach["13_15"].share == pytest.approx(young / 200)
    assert reach["20_25"].respondents.suppressed
    # The same figure as the needs map's respondents under the same filter.
    assert needs.needs_map(needs.Filters(age_band="13_15"), K).respondents.count == young


def test_needs_map_page_with_filters_and_bad_input(client, tagged):
    survey, jobs, _safety = tagged
    respond(survey, n=12, pick="a", scale=1)
    login(client, gen_user("analyst"))
    page = client.get("/staff/needs").get_data(as_text=True)
    everyone = shown(sa.select(Response.id))  # all chose 'a': the same records, so the same figure
    assert "How is this calculated?" in page and "<svg" in page and f"({everyone} / n {everyone})" in page
    assert (
        client.get("/staff/needs?age_band=13_15&gender=girl&period=20262&source=choices").status_code == 200
    )
    for bad in ("period=x", "age_band=99", "gender=robot", "placement=abc", "source=gossip"):
        assert client.get(f"/staff/needs?{bad}").status_code == 400, bad


def test_coding_keeps_coder_date_and_version(app, client, tagged):
    survey, jobs, safety = tagged
    respond(survey, n=1, pick="a", scale=3, text="Läxhjälp")
    answer = db.session.scalar(sa.select(Answer).where(Answer.text_value.is_not(None)))
    staff = gen_user("staff")
    login(client, staff)
    assert "Läxhjälp 0" in client.get("/staff/coding").get_data(as_text=True)
    token = csrf_token(client, "/staff/coding")
    client.post(
        "/staff/coding", data={"csrf_token": token, "answer": answer.id, "theme_ids": [jobs.id, safety.id]}
    )
    codes = db.session.scalars(sa.select(TextCode)).all()
    assert {c.theme_id for c in codes} == {jobs.id, safety.id}
    assert all(c.coder_id == staff.id and c.codebook_version_id for c in codes)
    assert client.post("/staff/coding", data={"csrf_token": token, "answer": 999999}).status_code == 404
    analyst = app.test_client()
    login(analyst, gen_user("analyst", email="analyst2@example.se"))
    assert analyst.get("/staff/coding").status_code == 403  # raw text stays with staff


def test_admin_enters_population_figures(client):
    login(client, gen_user("admin"))
    token = csrf_token(client, "/staff/population")
    bad = client.post("/staff/population", data={"csrf_token": token, "13_15": "many"})
    assert bad.status_code == 422 and 'value="many"' in bad.get_data(as_text=True)
    assert (
        client.post(
            "/staff/population", data={"csrf_token": token, "13_15": "420", "source": "SCB"}
        ).status_code
        == 302
    )
    assert db.session.get(PopulationFigure, "13_15").count == 420


def test_breakdown_by_age_band_hides_small_groups_together(client, tagged):
    survey, jobs, _safety = tagged
    respond(survey, n=20, pick="a", scale=3, age="13_15")
    respond(survey, n=12, pick="a", scale=3, age="16_19")
    respond(survey, n=3, pick="a", scale=3, age="20_25")
    cells = needs.breakdown(needs.Filters(), "age_band", K)[jobs.id]
    for band in ("13_15", "16_19", "20_25"):
        assert cells[band].count == shown(chose(survey, "a", Response.age_band == band)), band
    # Every group is listed, also those nobody is in: an empty group looks like a small one.
    assert set(cells) == {"under_13", "13_15", "16_19", "20_25", "over_25", ""}
    assert cells["over_25"].suppressed and cells["under_13"].suppressed
    login(client, gen_user("analyst"))
    page = client.get("/staff/needs?by=age_band").get_data(as_text=True)
    assert "Breakdown" in page and "13–15" in page
    assert client.get("/staff/needs?by=religion").status_code == 400
