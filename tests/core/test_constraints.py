"""The database itself refuses rows that break the rules, whatever writes them (raw SQL, a bulk insert).

Each row goes in with a Core insert, past the models and the services, in a transaction that is then rolled
back; a refusal must name the constraint, so a row refused for another reason (a missing parent, a NOT NULL)
does not pass for a kept rule. Runs on SQLite and on PostgreSQL (PARTICIPATION_TEST_DATABASE_URL).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from participation import create_app
from participation.core.commands import alembic_config
from participation.database import Base
from participation.extensions import db as database
from participation.measurement.models import Indicator, Program
from participation.surveys.models import Response
from tests.factories import gen_forum_session, gen_partner, gen_survey, gen_theme, q

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)
BEFORE_CHECKS = "8b3f5d2e7c41"


def _insert(db: Any, table: str, row: dict[str, Any]) -> None:
    with db.engine.connect() as connection:
        try:
            connection.execute(Base.metadata.tables[table].insert().values(**row))
        finally:
            connection.rollback()


def accepted(db: Any, table: str, **row: Any) -> None:
    _insert(db, table, row)


def refused(db: Any, table: str, constraint: str, **row: Any) -> None:
    with pytest.raises(sa.exc.IntegrityError) as refusal:
        _insert(db, table, row)
    assert f"ck_{table}_{constraint}" in str(refusal.value.orig)


@pytest.fixture()
def world(db: Any) -> dict[str, int]:
    """Committed parents for every row the tests insert: ids by name."""
    survey = gen_survey()
    session = gen_forum_session()
    partner = gen_partner()
    goal = gen_theme().goal
    db.session.flush()
    indicator = Indicator(goal_id=goal.id, owner_partner_id=partner.id, name={}, definition={})
    program = Program(goal_id=goal.id, partner_id=partner.id, name={})
    response = Response(survey_id=survey.id, idempotency_key="k", submitted_hour=NOW, language="sv")
    db.session.add_all([indicator, program, response])
    db.session.commit()
    return {
        "partner": partner.id,
        "survey": survey.id,
        "question": q(survey, "count").id,
        "option": q(survey, "rank").options[0].id,
        "response": response.id,
        "forum_session": session.id,
        "forum_item": session.items[0].id,
        "goal": goal.id,
        "indicator": indicator.id,
        "program": program.id,
    }


def _valid_rows(ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    """One acceptable new row per table that has an enum column; the columns without a default."""
    return {
        "survey": {"slug": "new", "partner_id": ids["partner"]},
        "question": {"survey_id": ids["survey"], "key": "new", "kind": "number"},
        "answer": {
            "response_id": ids["response"],
            "question_id": ids["question"],
            "text_value": "hej",
            "moderation_status": "pending",
        },
        "forum_session": {"code": "NEW1", "mode": "topics", "partner_id": ids["partner"]},
        "forum_item": {"session_id": ids["forum_session"], "status": "approved"},
        "user_account": {"email": "new@example.se", "password_hash": "", "role": "staff"},
        # Decided, so a wrong status breaks only the enum's rule, not "decided when closed" too.
        "flood_burst": {
            "kind": "survey",
            "scope_id": ids["survey"],
            "started_hour": NOW,
            "last_hour": NOW,
            "status": "released",
            "decided_at": NOW,
        },
        "action": {"status": "heard", "partner_id": ids["partner"], "decided_on": date(2026, 12, 1)},
        "indicator": {"goal_id": ids["goal"], "owner_partner_id": ids["partner"], "polarity": "lower"},
        "data_point": {
            "indicator_id": ids["indicator"],
            "period": 20262,
            "value": 1.0,
            "status": "approved",
            "partner_id": ids["partner"],
        },
        "program_measure": {
            "program_id": ids["program"],
            "period": 20262,
            "question": "how_well",
            "label": "x",
            "value": 1.0,
        },
    }


def _enum_columns() -> list[tuple[str, str, str]]:
    return [
        (table.name, column.name, column.type.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.Enum)
    ]


def test_every_enum_column_refuses_a_value_outside_its_enum(db, world):
    rows = _valid_rows(world)
    enums = _enum_columns()
    assert len(enums) >= 13
    for table, column, name in enums:
        assert table in rows, f"add an acceptable {table} row to _valid_rows"
        accepted(db, table, **rows[table])
        # A literal, so the Enum type's own check in Python never sees the value.
        refused(db, table, name, **{**rows[table], column: sa.literal_column("'bogus'")})


def test_every_check_constraint_of_the_models_is_in_the_migrated_database(db):
    """compare_metadata ignores CHECK constraints: the migration must create each one, name for name."""
    inspector = sa.inspect(db.engine)
    for table in Base.metadata.sorted_tables:
        expected = {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        assert all(len(name) <= 63 for name in expected), expected  # PostgreSQL would cut longer names
        assert {c["name"] for c in inspector.get_check_constraints(table.name)} == expected, table.name


def test_an_answer_is_one_option_one_number_or_one_text(db, world):
    base = {"response_id": world["response"], "question_id": world["question"]}
    option, text = world["option"], "hej"
    accepted(db, "answer", **base, option_id=option)
    accepted(db, "answer", **base, option_id=option, rank=1)
    accepted(db, "answer", **base, value_int=0)
    accepted(db, "answer", **base, text_value=text, moderation_status="pending")
    refused(db, "answer", "one_value", **base)
    refused(db, "answer", "one_value", **base, option_id=option, value_int=3)
    refused(db, "answer", "one_value", **base, value_int=3, text_value=text, moderation_status="pending")
    refused(db, "answer", "one_value", **base, option_id=option, text_value=text, moderation_status="pending")
    refused(db, "answer", "rank_with_option", **base, value_int=3, rank=1)
    refused(db, "answer", "moderated_when_text", **base, text_value=text)
    refused(db, "answer", "moderated_when_text", **base, value_int=3, moderation_status="approved")


def test_a_placement_leads_to_a_survey_or_a_forum_session_not_both(db, world):
    base = {"place": "Torget", "partner_id": world["partner"]}
    accepted(db, "placement", **base, code="S1", survey_id=world["survey"])
    accepted(db, "placement", **base, code="F1", forum_session_id=world["forum_session"])
    refused(
        db,
        "placement",
        "at_most_one_target",
        **base,
        code="B1",
        survey_id=world["survey"],
        forum_session_id=world["forum_session"],
    )


def test_a_placement_outlives_its_survey_pointing_nowhere(db, world):
    """Why the rule is "at most one": deleting the target sets it to NULL, as the foreign key says."""
    with db.engine.begin() as connection:
        survey = connection.scalar(
            Base.metadata.tables["survey"]
            .insert()
            .values(slug="gone", partner_id=world["partner"])
            .returning(sa.literal_column("id"))
        )
        connection.execute(
            Base.metadata.tables["placement"]
            .insert()
            .values(code="GONE1", place="Torget", partner_id=world["partner"], survey_id=survey)
        )
        connection.execute(sa.text("DELETE FROM survey WHERE id = :id"), {"id": survey})
        left = connection.execute(
            sa.text("SELECT survey_id, forum_session_id FROM placement WHERE code = 'GONE1'")
        ).one()
    assert tuple(left) == (None, None)


def test_a_survey_closes_after_it_opens_and_keeps_answers_for_some_days(db, world):
    base = {"partner_id": world["partner"]}
    later = NOW + timedelta(days=7)
    accepted(db, "survey", **base, slug="a", opens_at=NOW, closes_at=later)
    accepted(db, "survey", **base, slug="b", opens_at=NOW)
    accepted(db, "survey", **base, slug="c", closes_at=NOW)
    refused(db, "survey", "closes_after_opens", **base, slug="d", opens_at=later, closes_at=NOW)
    refused(db, "survey", "closes_after_opens", **base, slug="e", opens_at=NOW, closes_at=NOW)
    accepted(db, "survey", **base, slug="f", retention_days=30)
    refused(db, "survey", "retention_days_positive", **base, slug="g", retention_days=0)
    refused(db, "survey", "retention_days_positive", **base, slug="h", retention_days=-30)


def test_a_question_s_bounds_and_choice_limit(db, world):
    base = {"survey_id": world["survey"], "kind": "number"}
    accepted(db, "question", **base, key="a", min_value=3, max_value=3)
    accepted(db, "question", **base, key="b", min_value=-5)
    accepted(db, "question", **base, key="c", max_value=-5)
    refused(db, "question", "min_not_above_max", **base, key="d", min_value=4, max_value=3)
    multiple = {**base, "kind": "multiple_choice"}
    accepted(db, "question", **multiple, key="e", max_choices=1)
    refused(db, "question", "max_choices_positive", **multiple, key="f", max_choices=0)


def test_counts_are_never_negative_and_a_dot_budget_is_at_least_one(db, world):
    placement = db.session.scalar(
        sa.text("SELECT id FROM placement WHERE forum_session_id = :id"), {"id": world["forum_session"]}
    )
    accepted(db, "placement_scan", placement_id=placement, day=date(2026, 12, 2), count=0)
    refused(
        db, "placement_scan", "count_not_negative", placement_id=placement, day=date(2026, 12, 2), count=-1
    )
    accepted(db, "population_figure", age_band="13_15", count=0)
    refused(db, "population_figure", "count_not_negative", age_band="13_15", count=-1)
    participant = {"session_id": world["forum_session"], "participant_hash": "h", "joined_hour": NOW}
    accepted(db, "forum_participant", **participant, dots_allowed=1)
    accepted(db, "forum_participant", **participant, dots_allowed=None)
    refused(db, "forum_participant", "dots_allowed_positive", **participant, dots_allowed=0)


def test_the_migration_moderates_stray_texts_and_stops_clearly_on_a_row_it_cannot_mend():
    """Texts without a status wait for a person; a placement with two targets stops the upgrade, named."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{Path(folder) / 'm.sqlite3'}"})
        with app.app_context():
            command.upgrade(alembic_config(), BEFORE_CHECKS)
            tables = Base.metadata.tables
            with database.engine.begin() as connection:
                connection.execute(tables["partner"].insert().values(id=1, name="P"))
                connection.execute(tables["survey"].insert().values(id=1, slug="s", partner_id=1))
                connection.execute(
                    tables["question"].insert().values(id=1, survey_id=1, key="q", kind="free_text")
                )
                connection.execute(
                    tables["response"]
                    .insert()
                    .values(id=1, survey_id=1, idempotency_key="k", submitted_hour=NOW, language="sv")
                )
                answer = tables["answer"].insert().values(response_id=1, question_id=1)
                connection.execute(answer.values(id=1, text_value="hej"))
                connection.execute(answer.values(id=2, value_int=1, moderation_status="approved"))
                connection.execute(
                    tables["forum_session"].insert().values(id=1, code="F", mode="poll", partner_id=1)
                )
                connection.execute(
                    tables["placement"]
                    .insert()
                    .values(code="BOTH", place="Torget", partner_id=1, survey_id=1, forum_session_id=1)
                )
            with pytest.raises(RuntimeError, match=r"ck_placement_at_most_one_target: 1 row"):
                command.upgrade(alembic_config(), "head")
            with database.engine.begin() as connection:
                assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == BEFORE_CHECKS
                connection.execute(sa.text("UPDATE placement SET forum_session_id = NULL"))
            command.upgrade(alembic_config(), "head")
            with database.engine.connect() as connection:
                statuses = connection.execute(sa.text("SELECT id, moderation_status FROM answer ORDER BY id"))
                assert [tuple(row) for row in statuses] == [(1, "pending"), (2, None)]
            database.session.remove()
            database.engine.dispose()
