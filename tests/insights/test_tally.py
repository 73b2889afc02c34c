"""The needs map's kept tally gives exactly what counting the answers directly in SQL gives, and follows
every kind of change: new responses, moderation, coding, a theme tag, a deleted response."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from participation.core.changes import DataChange, execute_counted, record_change
from participation.extensions import db
from participation.insights import needs, tally
from participation.insights.models import CodebookVersion, TextCode
from participation.placements.models import Placement
from participation.suppression import Count, protect
from participation.surveys.models import (
    PUBLISHABLE,
    Answer,
    ModerationStatus,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    option_theme,
    question_theme,
)
from participation.surveys.releases import release_if_due
from participation.themes.models import Theme
from tests.factories import (
    csrf_token,
    gen_survey,
    gen_theme,
    gen_user,
    login,
    open_form,
    opt,
    q,
    valid_answers,
)

MOMENTS = [
    datetime(2025, 3, 3, 9, tzinfo=UTC),
    datetime(2025, 10, 1, 18, tzinfo=UTC),
    datetime(2026, 2, 2, tzinfo=UTC),
]
AGES = ["13_15", "16_19", "20_25", None]
GENDERS = ["girl", "boy", None]
STATUSES = list(ModerationStatus)
K = 5

# --- the reference: the same counts straight from the answers, one SQL statement per view --------------


def _where(filters: needs.Filters) -> list[Any]:
    """Released responses only, as every result counts them, under the view's filters."""
    released = Response.release_id.is_not(None)
    return [released, *(tally.dimension(name) == value for name, value in filters.conditions())]


def _grouped(query: Any, by: str | None) -> Any:
    if by is None:
        return query.add_columns(sa.literal(None).label("grp"))
    return query.add_columns(tally.dimension(by).label("grp")).group_by(sa.literal_column("grp"))


def reference_choices(filters: needs.Filters, by: str | None) -> dict[tuple[int, Any], tuple[int, int]]:
    themed_question = (
        sa.select(Option.question_id, option_theme.c.theme_id)
        .join(option_theme, option_theme.c.option_id == Option.id)
        .distinct()
        .subquery()
    )
    chosen = sa.orm.aliased(option_theme)
    chose = sa.func.count(sa.distinct(sa.case((chosen.c.option_id.is_not(None), Answer.response_id))))
    query = _grouped(
        sa.select(themed_question.c.theme_id, chose, sa.func.count(sa.distinct(Answer.response_id)))
        .select_from(Answer)
        .join(themed_question, themed_question.c.question_id == Answer.question_id)
        .outerjoin(
            chosen,
            sa.and_(chosen.c.option_id == Answer.option_id, chosen.c.theme_id == themed_question.c.theme_id),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(*_where(filters))
        .group_by(themed_question.c.theme_id),
        by,
    )
    return {(theme, grp): (count, base) for theme, count, base, grp in db.session.execute(query)}


def reference_scales(filters: needs.Filters, by: str | None) -> dict[tuple[int, Any], tuple[int, int]]:
    low = sa.func.count(sa.distinct(sa.case((Answer.value_int <= 2, Answer.response_id))))
    query = _grouped(
        sa.select(question_theme.c.theme_id, low, sa.func.count(sa.distinct(Answer.response_id)))
        .select_from(Answer)
        .join(question_theme, question_theme.c.question_id == Answer.question_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Question.kind == QuestionKind.SCALE, *_where(filters))
        .group_by(question_theme.c.theme_id),
        by,
    )
    return {(theme, grp): (count, base) for theme, count, base, grp in db.session.execute(query)}


def reference_text(filters: needs.Filters, by: str | None) -> dict[tuple[int, Any], tuple[int, int]]:
    published = Answer.moderation_status.in_(PUBLISHABLE)

    def coded(*columns: Any) -> Any:
        return (
            sa.select(*columns)
            .select_from(TextCode)
            .join(Answer, Answer.id == TextCode.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(published, *_where(filters))
        )

    counts = _grouped(
        coded(TextCode.theme_id, sa.func.count(sa.distinct(TextCode.answer_id))).group_by(TextCode.theme_id),
        by,
    )
    totals = _grouped(coded(sa.func.count(sa.distinct(TextCode.answer_id))), by)
    base = {grp: n for n, grp in db.session.execute(totals)}
    return {(theme, grp): (n, base[grp]) for theme, n, grp in db.session.execute(counts)}


def reference_respondents(filters: needs.Filters, by: str | None) -> dict[Any, int]:
    query = _grouped(sa.select(sa.func.count(Response.id)).where(*_where(filters)), by)
    return {grp: n for n, grp in db.session.execute(query) if n}


# --- data --------------------------------------------------------------------------------------------


def _theme(slug: str) -> Theme:
    return db.session.scalars(sa.select(Theme).where(Theme.slug == slug)).one()


@pytest.fixture()
def world(db):
    """Two places, three themes on options and scale questions (one option with two), and a codebook."""
    survey = gen_survey()
    jobs, safety, leisure = gen_theme("jobs"), gen_theme("safety"), gen_theme("leisure")
    for option_key, themes in (("a", [jobs]), ("b", [jobs, safety])):
        db.session.get(Option, int(opt(survey, "pick", option_key))).themes.extend(themes)
    db.session.get(Option, int(opt(survey, "many", "y"))).themes.append(leisure)
    q(survey, "scale").themes.extend([safety, leisure])
    places = [Placement(code=f"P{i}", place=f"Plats {i}", survey=survey) for i in range(2)]
    db.session.add_all([*places, CodebookVersion(note="v1")])
    db.session.commit()
    return survey, [p.id for p in places]


def add_responses(survey: Any, places: list[int], n: int, rng: random.Random, coded: bool = True) -> None:
    """Responses as the survey form stores them, each with its answers; with `coded`, texts get themes."""
    themes = db.session.scalars(sa.select(Theme.id)).all()
    version = db.session.scalars(sa.select(CodebookVersion.id)).first()
    for _ in range(n):
        answers = []
        if rng.random() < 0.9:
            answers.append(
                Answer(
                    question_id=q(survey, "pick").id, option_id=int(opt(survey, "pick", rng.choice("abc")))
                )
            )
        for key in rng.sample("xyz", rng.randint(0, 2)):
            answers.append(Answer(question_id=q(survey, "many").id, option_id=int(opt(survey, "many", key))))
        if rng.random() < 0.8:
            answers.append(Answer(question_id=q(survey, "scale").id, value_int=rng.randint(1, 5)))
        text = None
        if rng.random() < 0.5:
            text = Answer(
                question_id=q(survey, "text").id,
                text_value=f"text {rng.random()}",
                moderation_status=rng.choice(STATUSES),
            )
            answers.append(text)
        response = Response(
            survey_id=survey.id,
            idempotency_key=f"{rng.random()}",
            submitted_hour=rng.choice(MOMENTS),
            language="sv",
            age_band=rng.choice(AGES),
            gender=rng.choice(GENDERS),
            placement_id=rng.choice([*places, None]),
            answers=answers,
        )
        db.session.add(response)
        if coded and text is not None and rng.random() < 0.7:
            db.session.flush()
            for theme in rng.sample(themes, rng.randint(1, 2)):
                db.session.add(TextCode(answer_id=text.id, theme_id=theme, codebook_version_id=version))
    db.session.commit()
    release_if_due(1)  # every one counts at once here; how releases wait for k is tested on its own


def views(places: list[int]) -> list[tuple[needs.Filters, str | None]]:
    """Every filter on one or two dimensions (including values nobody has) with every grouping."""
    values = {
        "period": [20251, 20252, 20261, 20262],
        "age_band": ["13_15", "16_19", "20_25", ""],
        "gender": ["girl", "boy", ""],
        "placement": [*places, 0],
    }
    filter_sets = [needs.Filters()]
    for name, options in values.items():
        filter_sets += [needs.Filters(**{name: value}) for value in options]
    for first, second in itertools.combinations(values, 2):
        filter_sets.append(needs.Filters(**{first: values[first][0], second: values[second][1]}))
    return [(f, by) for f in filter_sets for by in (None, *tally.DIMENSIONS)]


def assert_same_as_reference(places: list[int]) -> None:
    for filters, by in views(places):
        assert needs._choices(filters, by) == reference_choices(filters, by), (filters, by)
        assert needs._scales(filters, by) == reference_scales(filters, by), (filters, by)
        assert needs._text(filters, by) == reference_text(filters, by), (filters, by)
        assert needs._respondents(filters, by) == reference_respondents(filters, by), (filters, by)


def changes() -> list[str]:
    return list(db.session.scalars(sa.select(DataChange.scope).order_by(DataChange.id)))


# --- tests -------------------------------------------------------------------------------------------


def test_tally_equals_counting_the_answers_directly(world):
    survey, places = world
    add_responses(survey, places, 160, random.Random(1))
    assert_same_as_reference(places)
    assert needs.terms() == [20251, 20252, 20261]


def test_new_responses_are_added_without_counting_again(world):
    survey, places = world
    rng = random.Random(2)
    add_responses(survey, places, 60, rng)
    before = changes()
    first = tally.current()
    add_responses(survey, places, 40, rng, coded=False)
    assert changes() == before  # a submission writes no change row: its responses are read by id
    second = tally.current()
    assert second is not first and second.responses == first.responses + 40
    assert second.generation == first.generation
    assert tally.current() is second  # nothing changed: nothing is read again
    assert_same_as_reference(places)


def test_moderation_and_coding_recount_the_texts(world):
    survey, places = world
    add_responses(survey, places, 80, random.Random(3))
    first = tally.current()
    pending = db.session.scalars(
        sa.select(Answer).where(Answer.moderation_status == ModerationStatus.PENDING)
    ).all()
    for answer in pending:
        answer.moderation_status = ModerationStatus.APPROVED
    db.session.commit()
    assert changes()[-1] == tally.TEXT
    assert_same_as_reference(places)
    assert tally.current().generation == first.generation  # the answers' other counts were kept
    uncoded = db.session.scalars(
        sa.select(Answer.id).where(
            Answer.moderation_status == ModerationStatus.APPROVED,
            Answer.id.not_in(sa.select(TextCode.answer_id)),
        )
    ).first()
    version = db.session.scalars(sa.select(CodebookVersion.id)).first()
    db.session.add(TextCode(answer_id=uncoded, theme_id=_theme("safety").id, codebook_version_id=version))
    for code in db.session.scalars(sa.select(TextCode).where(TextCode.theme_id == _theme("jobs").id)).all()[
        :5
    ]:
        db.session.delete(code)
    db.session.commit()
    assert changes()[-1] == tally.TEXT
    assert_same_as_reference(places)


def test_a_new_theme_tag_or_a_deleted_response_recounts_everything(world):
    survey, places = world
    add_responses(survey, places, 80, random.Random(4))
    first = tally.current()
    db.session.get(Option, int(opt(survey, "pick", "c"))).themes.append(_theme("leisure"))
    db.session.commit()
    assert changes()[-1] == tally.ALL
    assert tally.current().generation > first.generation
    assert_same_as_reference(places)
    db.session.delete(db.session.scalars(sa.select(Response).limit(1)).one())
    db.session.commit()
    assert_same_as_reference(places)
    db.session.delete(db.session.get(Placement, places[0]))  # its responses lose their place
    db.session.commit()
    assert_same_as_reference(places)


def test_counts_that_do_not_add_up_are_recounted(world):
    """A response missing from the count (a late commit of a lower id, a change behind the app's back)."""
    survey, places = world
    add_responses(survey, places, 50, random.Random(5))
    tally.current()
    last = db.session.scalar(sa.select(sa.func.max(Response.id)))
    db.session.execute(sa.delete(Answer).where(Answer.response_id == last - 1))
    db.session.execute(sa.delete(Response).where(Response.id == last - 1))  # no ORM, no change row
    db.session.commit()
    assert_same_as_reference(places)
    add_responses(survey, places, 5, random.Random(6))
    db.session.execute(sa.delete(Answer).where(Answer.response_id == last))
    db.session.execute(sa.delete(Response).where(Response.id == last))
    db.session.commit()
    assert_same_as_reference(places)


def test_bulk_statements_and_raw_sql_recorded_through_core_changes(world):
    """Bulk updates and deletes through execute_counted, raw SQL with record_change: the views follow."""
    survey, places = world
    add_responses(survey, places, 80, random.Random(10))
    first = tally.current()
    execute_counted(
        sa.update(Response)
        .where(Response.id % 3 == 0)
        .values(age_band="20_25", placement_id=places[1])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert changes()[-1] == tally.ALL
    assert_same_as_reference(places)
    assert tally.current().generation > first.generation
    second = tally.current()
    execute_counted(
        sa.update(Answer)
        .where(Answer.moderation_status == ModerationStatus.HIDDEN)
        .values(moderation_status=ModerationStatus.APPROVED)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert changes()[-1] == tally.TEXT
    assert_same_as_reference(places)
    assert tally.current().generation == second.generation  # the free text only was counted again
    execute_counted(sa.delete(option_theme).where(option_theme.c.theme_id == _theme("jobs").id))
    execute_counted(
        sa.insert(question_theme).values(question_id=q(survey, "scale").id, theme_id=_theme("jobs").id)
    )
    execute_counted(
        sa.delete(Response).where(Response.id % 5 == 0).execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert_same_as_reference(places)
    # Raw SQL says what it did.
    db.session.execute(sa.text("DELETE FROM text_code WHERE id % 2 = 0"))
    record_change(tally.TEXT)
    db.session.commit()
    assert changes()[-1] == tally.TEXT
    db.session.execute(sa.text("UPDATE response SET gender = 'boy' WHERE gender IS NULL"))
    record_change(tally.ALL)
    db.session.commit()
    assert_same_as_reference(places)


def test_a_new_survey_with_only_a_tagged_scale_question_is_counted(world):
    """A new question's tag writes a change though no option is new: its answers count from the first."""
    survey, places = world
    add_responses(survey, places, 20, random.Random(11))
    tally.current()
    scale = Question(key="feel", kind=QuestionKind.SCALE, prompt={"sv": "Hur?"}, themes=[_theme("jobs")])
    other = Survey(slug="only-a-scale", base_language="sv", languages=["sv"], questions=[scale])
    db.session.add(other)
    db.session.commit()
    for number in range(K):
        db.session.add(
            Response(
                survey_id=other.id,
                idempotency_key=f"other-{number}",
                submitted_hour=MOMENTS[0],
                language="sv",
                answers=[Answer(question_id=scale.id, value_int=1 + number % 5)],
            )
        )
    db.session.commit()
    release_if_due(1)
    assert_same_as_reference(places)


def test_a_question_becoming_a_scale_or_an_option_moving_recounts(world):
    survey, places = world
    add_responses(survey, places, 40, random.Random(12))
    first = tally.current()
    q(survey, "many").themes.append(_theme("safety"))
    db.session.commit()
    assert_same_as_reference(places)
    q(survey, "many").kind = QuestionKind.SCALE  # answers without values: no one at the low end
    db.session.commit()
    assert changes()[-1] == tally.ALL
    assert_same_as_reference(places)
    db.session.get(Option, int(opt(survey, "pick", "c"))).question_id = q(survey, "many").id
    db.session.commit()
    assert_same_as_reference(places)
    assert tally.current().generation > first.generation


def test_survey_status_and_follow_up_edits_write_no_change(world):
    survey, places = world
    add_responses(survey, places, 5, random.Random(7))
    before = changes()
    survey.title = {"sv": "Ny titel", "en": "New title"}
    db.session.commit()
    assert changes() == before


def test_the_page_follows_submissions_moderation_and_coding(app, client, world):
    """Through the real forms: a phone submits, a moderator approves, a youth worker codes; the map moves."""
    survey, places = world
    add_responses(survey, places, 150, random.Random(8))
    login(client, gen_user("staff"))

    def text_component() -> dict[str, Any]:
        themes = client.get("/staff/needs/export.json").get_json()["themes"]
        return next(t for t in themes if t["theme"] == "jobs")["components"].get("text", {})

    before = client.get("/staff/needs/export.json").get_json()["respondents"]
    coded_before = text_component()["count"]
    assert coded_before >= 5  # shown, not suppressed
    answers = {**valid_answers(survey), f"q{q(survey, 'text').id}": "Fler sommarjobb åt oss"}
    for number in range(K):
        phone = app.test_client()
        assert (
            phone.post(f"/sv/s/{survey.slug}", data={**open_form(phone, survey), **answers}).status_code
            == 303
        )
        if number < K - 1:  # results move only in releases of k
            assert client.get("/staff/needs/export.json").get_json()["respondents"] == before
    assert client.get("/staff/needs/export.json").get_json()["respondents"] == protected(
        sa.select(Response.id).where(Response.release_id.is_not(None))
    )
    text = db.session.scalars(
        sa.select(Answer.id).where(Answer.text_value == "Fler sommarjobb åt oss")
    ).first()
    token = csrf_token(client, "/staff/moderation/")
    assert (
        client.post(
            f"/staff/moderation/{text}", data={"csrf_token": token, "decision": "approve"}
        ).status_code
        == 302
    )
    token = csrf_token(client, "/staff/coding")
    client.post("/staff/coding", data={"csrf_token": token, "answer": text, "theme_ids": [_theme("jobs").id]})
    coded_jobs = (
        sa.select(TextCode.answer_id)
        .join(Answer, Answer.id == TextCode.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(
            TextCode.theme_id == _theme("jobs").id,
            Answer.moderation_status.in_(PUBLISHABLE),
            Response.release_id.is_not(None),
        )
    )
    assert text_component()["count"] == protected(coded_jobs)
    assert_same_as_reference(places)


def protected(ids: Any) -> int | None:
    """What disclosure control shows for the records these ids select."""
    return protect(Count.of(db.session.scalars(ids)), K)


def reference_quotes(theme_ids: list[int], filters: needs.Filters) -> dict[int, list[str]]:
    """The latest texts whose author's own cell (term × age band × gender × place) holds k respondents."""
    cell = [tally.dimension(name) for name in tally.DIMENSIONS]
    sizes = dict(
        ((int(t), str(a), str(g), int(p)), n)
        for t, a, g, p, n in db.session.execute(
            sa.select(*cell, sa.func.count()).where(Response.release_id.is_not(None)).group_by(*cell)
        )
    )
    quotes: dict[int, list[str]] = {}
    for theme_id in theme_ids:
        rows = db.session.execute(
            sa.select(Answer.text_value, *cell)
            .join(TextCode, TextCode.answer_id == Answer.id)
            .join(Response, Response.id == Answer.response_id)
            .where(TextCode.theme_id == theme_id, Answer.moderation_status.in_(PUBLISHABLE), *_where(filters))
            .order_by(Answer.id.desc())
        ).all()
        texts = [row[0] for row in rows if sizes[(int(row[1]), str(row[2]), str(row[3]), int(row[4]))] >= K]
        if texts:
            quotes[theme_id] = texts[: needs.QUOTES_PER_THEME]
    return quotes


def test_quotes_are_filtered_like_the_counts(world, client):
    """Quotes filter on the response's columns (so indexes help); they pick the same responses as the cells."""
    survey, places = world
    add_responses(survey, places, 160, random.Random(9))
    themes = list(db.session.scalars(sa.select(Theme.id)))
    odd_terms = [needs.Filters(period=20253), needs.Filters(period=99999), needs.Filters(period=-5)]
    for filters in [f for f, by in views(places) if by is None] + odd_terms:
        assert needs._quotes(themes, filters, K) == reference_quotes(themes, filters), filters
    login(client, gen_user("analyst"))
    for bad in ("period=20253", "period=99999999999", "placement=99999999999", "placement=-1"):
        assert client.get(f"/staff/needs?{bad}").status_code == 400, bad
    assert client.get("/staff/needs?period=20262&placement=0").status_code == 200
