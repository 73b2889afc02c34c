"""The needs map: components with their n, filters, trend, reach, quotes, and an attacker who gets nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.forum import services as forum
from participation.forum.models import AGREE, ForumMode, ForumParticipant, ForumVote
from participation.insights import needs
from participation.insights.models import CodebookVersion, PopulationFigure, TextCode
from participation.surveys.models import Answer, ModerationStatus, Response
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


def component(result, theme, name):
    need = next(n for n in result.needs if n.theme.id == theme.id)
    return need.components.get(name)


def test_components_show_count_and_base(tagged):
    survey, jobs, safety = tagged
    respond(survey, n=12, pick="a", scale=1)
    respond(survey, n=8, pick="b", scale=4)
    result = needs.needs_map(needs.Filters(), K)
    choices = component(result, jobs, "choices")
    assert (choices.count.count, choices.base.count, choices.share) == (12, 20, 0.6)
    scales = component(result, safety, "scales")
    assert (scales.count.count, scales.base.count) == (12, 20)
    assert result.needs[0].theme.id in (jobs.id, safety.id) and result.needs[0].priority == pytest.approx(0.6)
    assert result.respondents.count == 20


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
    assert "forum" not in component_names(needs.needs_map(needs.Filters(), K), jobs)  # still open
    forum.control(session, forum.Control.CLOSE_SESSION, AUTUMN_2026)
    result = needs.needs_map(needs.Filters(), K)
    votes = component(result, jobs, "forum")
    assert (votes.count.count, votes.base.count, votes.share) == (9, 12, 0.75)
    assert not needs.needs_map(needs.Filters(gender="girl"), K).forum_applies


def component_names(result, theme):
    return set(next(n for n in result.needs if n.theme.id == theme.id).components)


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
    assert (coded.count.count, coded.base.count) == (6, 7)
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


def test_attacker_cannot_recover_a_hidden_cell(tagged):
    """Three girls of 16–19 chose 'a'. Neither subtraction nor overlapping filters may reveal the 3."""
    survey, jobs, _safety = tagged
    respond(survey, n=20, pick="a", scale=4, age="13_15", gender="girl")
    respond(survey, n=3, pick="a", scale=4, age="16_19", gender="girl")
    respond(survey, n=12, pick="b", scale=4, age="16_19", gender="girl")
    respond(survey, n=15, pick="a", scale=4, age="16_19", gender="boy")
    respond(survey, n=6, pick="b", scale=4, age="20_25", gender="girl")

    def jobs_count(**filters) -> int | None:
        c = component(needs.needs_map(needs.Filters(**filters), K), jobs, "choices")
        return None if c is None else c.count.count

    girls = jobs_count(gender="girl")
    girls_by_age = {band: jobs_count(gender="girl", age_band=band) for band in ("13_15", "16_19", "20_25")}
    # The target cell is hidden…
    assert girls_by_age["16_19"] is None
    # …and so is a complementary one, so the girls' total minus the visible siblings is not the target.
    visible = [v for v in girls_by_age.values() if v is not None]
    assert girls is None or len(girls_by_age) - len(visible) >= 2 or (girls - sum(visible)) != 3
    # Overlapping filters: 16–19 (all genders) minus 16–19 boys must not give the girls' 3 either.
    all_16_19, boys_16_19 = jobs_count(age_band="16_19"), jobs_count(age_band="16_19", gender="boy")
    assert all_16_19 is None or boys_16_19 is None or all_16_19 - boys_16_19 != 3
    # Nor does the page show it anywhere.
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
    assert trend[jobs.id][20261].count == 10 and trend[jobs.id][20262].count == 14
    assert needs.terms() == [20261, 20262]
    db.session.add_all(
        [PopulationFigure(age_band="13_15", count=200), PopulationFigure(age_band="16_19", count=250)]
    )
    db.session.commit()
    reach = {row.age_band: row for row in needs.reach(needs.Filters(), K)}
    assert reach["13_15"].respondents.count == 10 and reach["13_15"].share == pytest.approx(0.05)
    assert reach["20_25"].respondents.suppressed


def test_needs_map_page_with_filters_and_bad_input(client, tagged):
    survey, jobs, _safety = tagged
    respond(survey, n=12, pick="a", scale=1)
    login(client, gen_user("analyst"))
    page = client.get("/staff/needs").get_data(as_text=True)
    assert "How is this calculated?" in page and "<svg" in page and "(12 / n 12)" in page
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
    assert cells["13_15"].count == 20 and cells["20_25"].suppressed
    assert cells["16_19"].suppressed  # the complementary cell: 35 - 20 would otherwise give the 3 away
    login(client, gen_user("analyst"))
    page = client.get("/staff/needs?by=age_band").get_data(as_text=True)
    assert "Breakdown" in page and "13–15" in page
    assert client.get("/staff/needs?by=religion").status_code == 400
