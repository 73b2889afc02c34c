"""The generated data: responses spread over six school terms, their answers and the free texts' codes.

Deterministic for a seed: the same seed gives the same rows, ids included, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# Term numbers and bounds, which texts are shown and the points of a scale are the app's.
from participation.core.terms import term_bounds
from participation.surveys.models import PUBLISHABLE, SCALE_POINTS

FOLLOW_UP_SHARE = 0.5  # of the generated responses; the rest go to the demo survey

# Six school terms as the app numbers them, later ones with more responses: (term, weight).
TERMS = [(20241, 10), (20242, 12), (20251, 14), (20252, 16), (20261, 18), (20262, 20)]
# When answers come in, by the month a term starts in (spring, autumn): (days from the term's start to
# the first school day, school days).
SCHOOL_DAYS = {1: (14, 140), 8: (19, 115)}
AGE_BANDS = (["under_13", "13_15", "16_19", "20_25", "over_25", None], [2, 5, 6, 3, 1, 1])
GENDERS = (["girl", "boy", "other", "rather_not_say", None], [10, 10, 2, 2, 2])
LIVES = (["yes", "nearby", "no", None], [14, 4, 2, 1])
LANGUAGES = (["sv", "en", "ar", "fa-AF", "so", "ti", "fi"], [10, 2, 4, 3, 3, 2, 1])
FREE_TEXT_SHARE = 0.25
# Free texts and the themes a youth worker would code them with.
TEXTS = [
    ("Fler kvällsaktiviteter på fritidsgården", ["leisure"]),
    ("Bättre belysning vid gångtunneln", ["safety"]),
    ("More summer jobs for people under 16", ["jobs"]),
    ("Läxhjälp på helgerna också", ["school"]),
    ("A place for girls only, one evening a week", ["leisure", "safety"]),
    ("Att någon lyssnar på oss när vi säger något", ["influence"]),
    ("Någon vuxen att prata med när man mår dåligt", ["health"]),
    ("Praktikplatser i centrum och hjälp med CV", ["jobs", "school"]),
]
# Moderation of the free texts: (status, weight); published ones (approved, redacted) are coded.
MODERATION = (["approved", "redacted", "hidden", "pending"], [60, 5, 5, 30])
TEXT_THEMES = dict(TEXTS)


# --------------------------------------------------------------------------- the data


@dataclass
class QuestionMeta:
    id: int
    key: str
    kind: str
    required: bool
    max_choices: int | None
    show_if_option_id: int | None
    option_ids: list[int]
    theme_slugs: list[str]


@dataclass
class SurveyMeta:
    id: int
    slug: str
    questions: list[QuestionMeta]
    better_weights_base: list[int] = field(default_factory=lambda: [3, 3, 2, 2, 2])


@dataclass
class Generated:
    responses: int = 0
    answers: int = 0
    free_texts: int = 0
    text_codes: int = 0
    forum_votes: int = 0
    clamped: int = 0  # responses whose answer quota the survey could not hold
    seconds: float = 0.0
    target_responses: int = 1
    per_term: Counter[int] = field(default_factory=Counter)


AnswerRow = tuple[int, int | None, int | None, int | None, str | None, str | None]


def _scale_value(rng: random.Random, key: str, gender: str | None) -> int:
    weights = [2, 3, 4, 3, 2]
    if key == "safety_evening" and gender == "girl":
        weights = [4, 4, 3, 2, 1]
    elif key == "leisure_feel":
        weights = [3, 4, 3, 2, 2]
    return rng.choices(range(1, SCALE_POINTS + 1), weights)[0]


def plan_answers(
    survey: SurveyMeta,
    quota: int,
    rng: random.Random,
    term_index: int,
    gender: str | None,
) -> list[AnswerRow]:
    """About `quota` answers to one survey: (question_id, option_id, rank, value_int, text, moderation).

    Required questions always get their one answer and conditional questions only appear when their
    option was chosen; the rest of the quota is spread at random over optional questions, further
    choices of multiple-choice questions and further ranks, as far as the survey can hold it.
    """
    single = _single_choices(survey, rng, term_index)
    wants_text = rng.random() < FREE_TEXT_SHARE
    chosen = set(single.values())
    shown = [q for q in survey.questions if q.show_if_option_id is None or q.show_if_option_id in chosen]
    counts: dict[int, int] = {}
    capacity: dict[int, int] = {}
    for q in shown:
        counts[q.id] = int(wants_text) if q.kind == "free_text" else int(q.required)
        capacity[q.id] = _most_answers(q, wants_text) - counts[q.id]
    extra = quota - sum(counts.values())
    pool = [q.id for q in shown if capacity[q.id] > 0]
    while extra > 0 and pool:
        pick = pool[rng.randrange(len(pool))]
        counts[pick] += 1
        capacity[pick] -= 1
        extra -= 1
        if capacity[pick] == 0:
            pool.remove(pick)
    rows: list[AnswerRow] = []
    for q in shown:
        if counts[q.id]:
            rows += _answer_rows(q, counts[q.id], single.get(q.id), rng, term_index, gender)
    return rows


def _single_choices(survey: SurveyMeta, rng: random.Random, term_index: int) -> dict[int, int]:
    """The option chosen for every single-choice question, chosen first: conditional questions follow them."""
    single = {}
    for q in survey.questions:
        if q.kind == "single_choice":
            # Later terms lean more towards jobs (the first option), so the trend has something to show.
            weights = [3 + term_index, 3, 2, 2, 2, 2, 2][: len(q.option_ids)]
            single[q.id] = rng.choices(q.option_ids, weights)[0]
    return single


def _most_answers(q: QuestionMeta, wants_text: bool) -> int:
    """How many answer rows the question can take from one response."""
    if q.kind == "multiple_choice":
        return min(q.max_choices or len(q.option_ids), len(q.option_ids))
    if q.kind == "ranking":
        return min(3, len(q.option_ids))
    if q.kind == "free_text":
        return int(wants_text)
    return 1


def _answer_rows(
    q: QuestionMeta, n: int, single: int | None, rng: random.Random, term_index: int, gender: str | None
) -> list[AnswerRow]:
    """`n` answer rows to one question (`single`: the option already chosen for a single-choice one)."""
    if q.kind == "single_choice":
        return [(q.id, single, None, None, None, None)]
    if q.kind == "multiple_choice":
        return [(q.id, option, None, None, None, None) for option in rng.sample(q.option_ids, n)]
    if q.kind == "ranking":
        picks = rng.sample(q.option_ids, n)
        return [(q.id, option, rank, None, None, None) for rank, option in enumerate(picks, start=1)]
    if q.kind == "scale":
        return [(q.id, None, None, _scale_value(rng, q.key, gender), None, None)]
    if q.kind == "yes_no":
        return [(q.id, None, None, int(rng.random() < 0.35 + 0.05 * term_index), None, None)]
    if q.kind == "number":
        return [(q.id, None, None, rng.randint(0, 12), None, None)]
    if q.kind == "free_text":
        text = rng.choice(TEXTS)[0]
        return [(q.id, None, None, None, text, rng.choices(*MODERATION)[0])]
    return []


def term_moment(rng: random.Random, term: int) -> datetime:
    """An hour on a school day of the term, in the afternoon or evening (UTC)."""
    bounds = term_bounds(term)
    assert bounds is not None, f"no term {term}"
    lead, days = SCHOOL_DAYS[bounds[0].month]
    moment = bounds[0] + timedelta(days=lead + rng.randrange(days), hours=rng.randint(14, 21))
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass
class Chunk:
    responses: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    text_codes: list[dict[str, Any]] = field(default_factory=list)


def generate(
    surveys: list[SurveyMeta],
    placements: list[int],
    theme_ids: dict[str, int],
    codebook_version_id: int,
    *,
    responses: int,
    answers: int,
    first_response_id: int,
    first_answer_id: int,
    first_text_code_id: int,
    batch: int,
    seed: int,
    stats: Generated,
) -> Iterator[Chunk]:
    """Chunks of `batch` responses with their answers and text codes, ids assigned here."""
    rng = random.Random(seed)
    mean = answers / responses
    term_weights = [weight for _term, weight in TERMS]
    coded_at = datetime(2026, 12, 1, tzinfo=UTC)
    response_id, answer_id, code_id = first_response_id, first_answer_id, first_text_code_id
    total = 0
    chunk = Chunk()
    for index in range(responses):
        term_index = rng.choices(range(len(TERMS)), term_weights)[0]
        term, _weight = TERMS[term_index]
        survey = surveys[1] if rng.random() < FOLLOW_UP_SHARE else surveys[0]
        gender = rng.choices(*GENDERS)[0]
        # Aim at the running total, so the sum comes out exact; ±3 of noise per response.
        target = round(mean * (index + 1)) - total
        # No noise for the last few, so they can bring the total to exactly `answers`.
        quota = target if index >= responses - 20 else target + rng.randint(-3, 3)
        rows = plan_answers(survey, max(quota, 0), rng, term_index, gender)
        if len(rows) != quota:
            stats.clamped += 1
        chunk.responses.append(
            {
                "id": response_id,
                "survey_id": survey.id,
                "placement_id": rng.choice(placements) if rng.random() < 0.9 else None,
                "respondent_hash": None,
                "idempotency_key": f"needs-bench-{response_id:052d}",
                "submitted_hour": term_moment(rng, term),
                "language": rng.choices(*LANGUAGES)[0],
                "age_band": rng.choices(*AGE_BANDS)[0],
                "gender": gender,
                "lives_in_area": rng.choices(*LIVES)[0],
            }
        )
        stats.per_term[term] += 1
        for question_id, option_id, rank, value_int, text, status in rows:
            if text is not None:
                stats.free_texts += 1
                if status in PUBLISHABLE:
                    for slug in TEXT_THEMES[text]:
                        chunk.text_codes.append(
                            {
                                "id": code_id,
                                "answer_id": answer_id,
                                "theme_id": theme_ids[slug],
                                "codebook_version_id": codebook_version_id,
                                "coder_id": None,
                                "coded_at": coded_at,
                            }
                        )
                        code_id += 1
            chunk.answers.append(
                {
                    "id": answer_id,
                    "response_id": response_id,
                    "question_id": question_id,
                    "option_id": option_id,
                    "rank": rank,
                    "value_int": value_int,
                    "text_value": text,
                    "moderation_status": status,
                }
            )
            answer_id += 1
        total += len(rows)
        response_id += 1
        if len(chunk.responses) >= batch:
            yield chunk
            chunk = Chunk()
    if chunk.responses:
        yield chunk
