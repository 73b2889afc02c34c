"""Writing the needs map's data: a follow-up survey, a closed forum session and the generated responses."""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from benchmarks.needs.data import Chunk, Generated, QuestionMeta, SurveyMeta, generate
from participation.demo import content

FOLLOW_UP_SLUG = "backby-uppfoljning"
DEMO_SLUG = content.SURVEY["slug"]
INDICATOR_QUESTION = "influence_feel"  # the demo indicator "young people who feel they have a say" uses it

# The follow-up survey: the demo survey's questions plus these, all themed.
EXTRA_QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "free_time",
        "kind": "multiple_choice",
        "required": False,
        "max_choices": 3,
        "prompt": {"sv": "Vad gör du på fritiden?", "en": "What do you do in your free time?"},
        "options": [
            {"key": "sport", "themes": ["health"], "label": {"sv": "Idrott", "en": "Sport"}},
            {"key": "centre", "themes": ["leisure"], "label": {"sv": "Fritidsgården", "en": "Youth centre"}},
            {"key": "homework", "themes": ["school"], "label": {"sv": "Läxhjälp", "en": "Homework club"}},
            {"key": "work", "themes": ["jobs"], "label": {"sv": "Extrajobb", "en": "Part-time job"}},
            {
                "key": "council",
                "themes": ["influence"],
                "label": {"sv": "Ungdomsrådet", "en": "Youth council"},
            },
            {"key": "nothing", "label": {"sv": "Inget särskilt", "en": "Nothing in particular"}},
        ],
    },
    {
        "key": "health_feel",
        "kind": "scale",
        "required": True,
        "themes": ["health"],
        "prompt": {"sv": "Hur mår du för det mesta?", "en": "How are you feeling most of the time?"},
    },
    {
        "key": "school_feel",
        "kind": "scale",
        "required": False,
        "themes": ["school"],
        "prompt": {"sv": "Hur går det i skolan?", "en": "How is school going?"},
    },
    {
        "key": "leisure_feel",
        "kind": "scale",
        "required": False,
        "themes": ["leisure"],
        "prompt": {
            "sv": "Finns det något att göra på kvällarna?",
            "en": "Is there anything to do in the evenings?",
        },
    },
]

RESPONSE_COLUMNS = [
    "id",
    "survey_id",
    "placement_id",
    "respondent_hash",
    "idempotency_key",
    "submitted_hour",
    "language",
    "age_band",
    "gender",
    "lives_in_area",
]
ANSWER_COLUMNS = [
    "id",
    "response_id",
    "question_id",
    "option_id",
    "rank",
    "value_int",
    "text_value",
    "moderation_status",
]
TEXT_CODE_COLUMNS = ["id", "answer_id", "theme_id", "codebook_version_id", "coder_id", "coded_at"]


def write_chunks(engine: Any, chunks: Iterator[Chunk], stats: Generated) -> None:
    """SQLite: Core INSERT executemany per chunk, one transaction each. PostgreSQL: COPY per chunk."""
    import sqlalchemy as sa

    from participation.insights.models import TextCode
    from participation.surveys.models import Answer, Response

    tables = [
        (Response.__table__, RESPONSE_COLUMNS, "responses"),
        (Answer.__table__, ANSWER_COLUMNS, "answers"),
        (TextCode.__table__, TEXT_CODE_COLUMNS, "text_codes"),
    ]
    postgres = engine.dialect.name == "postgresql"
    report_every = max(1, stats.target_responses // 5)
    next_report = report_every
    for chunk in chunks:
        if postgres:
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cursor:
                    for table, columns, attr in tables:
                        rows = getattr(chunk, attr)
                        if not rows:
                            continue
                        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy_:
                            for row in rows:
                                copy_.write_row([row[c] for c in columns])
                raw.commit()
            finally:
                raw.close()
        else:
            with engine.begin() as connection:
                for table, _columns, attr in tables:
                    rows = getattr(chunk, attr)
                    if rows:
                        connection.execute(sa.insert(table), rows)
        stats.responses += len(chunk.responses)
        stats.answers += len(chunk.answers)
        stats.text_codes += len(chunk.text_codes)
        if stats.responses >= next_report:
            print(f"  … {stats.responses} responses, {stats.answers} answers", file=sys.stderr)
            next_report += report_every


def _spec_with_extra_questions() -> dict[str, Any]:
    spec = copy.deepcopy(content.SURVEY)
    spec["title"] = {"sv": "Bäckby – uppföljning", "en": "Bäckby – follow-up"}
    spec["intro"], spec["thanks"] = {}, {}
    spec["questions"] = spec["questions"][:-2] + EXTRA_QUESTIONS + spec["questions"][-2:]
    return spec


def _survey_meta(survey: Any) -> SurveyMeta:
    return SurveyMeta(
        id=survey.id,
        slug=survey.slug,
        questions=[
            QuestionMeta(
                id=q.id,
                key=q.key,
                kind=q.kind.value,
                required=q.required,
                max_choices=q.max_choices,
                show_if_option_id=q.show_if_option_id,
                option_ids=[o.id for o in q.options],
                theme_slugs=[t.slug for t in q.themes],
            )
            for q in survey.questions
        ],
    )


def _forum_session(themes: dict[str, Any], rng: random.Random) -> int:
    """A bigger closed forum session: 240 participants voting on six themed topics."""
    from participation.extensions import db
    from participation.forum.models import (
        ForumItem,
        ForumMode,
        ForumParticipant,
        ForumSession,
        ForumVote,
        SessionStatus,
    )
    from participation.privacy import keyed_hash

    session = ForumSession(
        code="NEEDSB",
        mode=ForumMode.TOPICS,
        status=SessionStatus.CLOSED,
        title={"sv": "Stormöte: vad ska vi jobba med?", "en": "Big meeting: what should we work on?"},
        base_language="sv",
        languages=["sv", "en"],
        proposals_open=False,
        voting_open=False,
        closed_at=datetime(2026, 11, 12, 19, tzinfo=UTC),
    )
    topics = [
        ("jobs", 0.6),
        ("leisure", 0.5),
        ("safety", 0.4),
        ("school", 0.3),
        ("influence", 0.3),
        ("health", 0.2),
    ]
    for position, (slug, _p) in enumerate(topics):
        session.items.append(ForumItem(position=position, text={"sv": slug}, themes=[themes[slug]]))
    db.session.add(session)
    db.session.flush()
    participants = [
        ForumParticipant(
            session_id=session.id,
            participant_hash=keyed_hash("needs-bench-forum", session.id, str(number)),
            joined_hour=datetime(2026, 11, 12, 18, tzinfo=UTC),
        )
        for number in range(240)
    ]
    db.session.add_all(participants)
    db.session.flush()
    votes = [
        ForumVote(session_id=session.id, item_id=item.id, participant_id=participant.id)
        for participant in participants
        for item, (_slug, p) in zip(session.items, topics, strict=True)
        if rng.random() < p
    ]
    db.session.add_all(votes)
    return len(votes)


def load_data(app: Any, args: argparse.Namespace) -> tuple[Generated, dict[str, Any]]:
    """Add the follow-up survey and the forum session, then bulk-generate the responses."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.insights.models import CodebookVersion, TextCode
    from participation.measurement.models import Indicator
    from participation.placements.models import Placement
    from participation.surveys.editing import survey_from_spec
    from participation.surveys.models import Answer, Response, Survey, SurveyStatus
    from participation.themes.models import Theme

    stats = Generated(target_responses=args.responses)
    rng = random.Random(args.seed)
    with app.app_context():
        themes = {t.slug: t for t in db.session.scalars(sa.select(Theme))}
        demo = db.session.scalar(sa.select(Survey).where(Survey.slug == DEMO_SLUG))
        follow_up = survey_from_spec(
            _spec_with_extra_questions(), themes, slug=FOLLOW_UP_SLUG, languages=["sv", "en"]
        )
        follow_up.status = SurveyStatus.PUBLISHED
        stats.forum_votes = _forum_session(themes, rng)
        db.session.commit()
        surveys = [_survey_meta(demo), _survey_meta(follow_up)]
        placements = list(
            db.session.scalars(
                sa.select(Placement.id).where(Placement.survey_id == demo.id).order_by(Placement.id)
            )
        )
        version = db.session.scalar(sa.select(sa.func.max(CodebookVersion.id)))
        first_response = (db.session.scalar(sa.select(sa.func.max(Response.id))) or 0) + 1
        first_answer = (db.session.scalar(sa.select(sa.func.max(Answer.id))) or 0) + 1
        first_code = (db.session.scalar(sa.select(sa.func.max(TextCode.id))) or 0) + 1
        indicator_question = next(q.id for q in surveys[0].questions if q.key == INDICATOR_QUESTION)
        info = {
            "indicator_question_id": indicator_question,
            "indicator_id": db.session.scalar(
                sa.select(Indicator.id).where(Indicator.question_id == indicator_question)
            ),
            "demo_responses": db.session.scalar(sa.select(sa.func.count(Response.id))),
        }
        db.session.remove()
        engine = db.engine
        started = time.perf_counter()
        chunks = generate(
            surveys,
            placements,
            {slug: theme.id for slug, theme in themes.items()},
            version,
            responses=args.responses,
            answers=args.answers,
            first_response_id=first_response,
            first_answer_id=first_answer,
            first_text_code_id=first_code,
            batch=args.batch,
            seed=args.seed,
            stats=stats,
        )
        write_chunks(engine, chunks, stats)
        # Results count released responses only: the generated ones are released at once, as one release.
        from participation.surveys.releases import release_if_due

        release_if_due(1)
        db.session.remove()
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                for table in ("response", "answer", "text_code"):
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
                connection.commit()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        stats.seconds = time.perf_counter() - started
        engine.dispose()
    return stats, info
