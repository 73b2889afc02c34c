"""`flask backup` and `flask restore` on the configured database (SQLite, or PostgreSQL in CI's second run).

The copy is taken while participants keep sending answers; every answer acknowledged before the backup
began must be in the restored copy. A restore goes only into an empty database, of the same kind, and the
running app's needs-map tally notices it without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from participation import create_app
from participation.core import backup as backup_module
from participation.core.backup import restore_database
from participation.database import Base
from participation.extensions import db
from participation.insights import tally
from participation.privacy import keyed_hash
from participation.surveys.models import Option, Response
from participation.surveys.releases import release_if_due
from tests.conftest import TEST_DATABASE_URL
from tests.factories import gen_survey, gen_theme, hidden_fields, opt, valid_answers
from tests.processes import fresh_database

ON_POSTGRESQL = TEST_DATABASE_URL.startswith("postgres")


@pytest.fixture()
def empty_url(tmp_path: Path) -> Iterator[str]:
    """The address of a new, empty database of the same kind as the test database."""
    with fresh_database(TEST_DATABASE_URL, tmp_path) as url:
        yield url


def other_app(url: str) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": url})


def submitter(
    app: Flask, slug: str, answers: dict[str, object], stop: threading.Event, sent: list[str]
) -> None:
    """A stream of participants, each a new device: load the form, send it; note each acknowledged key."""
    while not stop.is_set():
        client = app.test_client()
        fields = hidden_fields(client.get(f"/sv/s/{slug}").get_data(as_text=True))
        if client.post(f"/sv/s/{slug}", data={**fields, **answers}).status_code == 303:
            sent.append(fields["submission_key"])


def test_a_backup_taken_under_load_holds_every_answer_acknowledged_before_it(
    app: Flask, db: object, runner, tmp_path: Path, empty_url: str
) -> None:
    survey = gen_survey()
    answers = valid_answers(survey)
    stop, sent = threading.Event(), []
    threads = [
        threading.Thread(target=submitter, args=(app, survey.slug, answers, stop, sent)) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    try:
        while len(sent) < 15:
            threading.Event().wait(0.05)
        acknowledged_before = list(sent)  # answers the participants were told were stored
        result = runner.invoke(args=["backup", str(tmp_path / "copy")])
        assert result.exit_code == 0, result.output
        while len(sent) < len(acknowledged_before) + 5:  # and the answers went on during the backup
            threading.Event().wait(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    restored = other_app(empty_url)
    with restored.app_context():  # the command runs in the app whose context is current
        result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "copy")])
        assert result.exit_code == 0, result.output
        stored = set(db.session.scalars(sa.select(Response.idempotency_key)))
        expected = {keyed_hash("submission", survey.id, key) for key in acknowledged_before}
        assert expected <= stored
        assert len(stored) <= len(sent)  # nothing invented, nothing twice
        # The restored copy is a working database: the same survey answers again.
        client = restored.test_client()
        fields = hidden_fields(client.get(f"/sv/s/{survey.slug}").get_data(as_text=True))
        assert client.post(f"/sv/s/{survey.slug}", data={**fields, **answers}).status_code == 303
        assert client.get("/healthz").get_json()["migrations"] == "ok"
        db.engine.dispose()


def test_restore_goes_only_into_an_empty_database_of_its_kind(runner, db: object, tmp_path: Path) -> None:
    gen_survey()
    copy = tmp_path / "copy"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(copy)])  # into the test database, which has tables
    assert refused.exit_code == 1 and "not empty" in refused.output
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a backup")
    refused = runner.invoke(args=["restore", str(garbage)])
    assert refused.exit_code == 1 and "neither a SQLite database nor a pg_dump file" in refused.output
    other = tmp_path / "other-kind"
    other.write_bytes(b"PGDMP" if not ON_POSTGRESQL else b"SQLite format 3\x00")
    refused = runner.invoke(args=["restore", str(other)])
    assert refused.exit_code == 1 and "backup, but the configured database is" in refused.output


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump is used for PostgreSQL only")
def test_without_pg_dump_the_command_says_what_to_install(
    runner, db: object, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: None)
    result = runner.invoke(args=["backup", str(tmp_path / "copy")])
    assert result.exit_code == 1 and "postgresql-client" in result.output
    assert not (tmp_path / "copy").exists()


def _drop_everything() -> None:
    """The test database emptied as a new one would be: no tables at all, not even Alembic's."""
    db.session.remove()
    with db.engine.begin() as connection:
        if ON_POSTGRESQL:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(sa.text(f'DROP TABLE "{table.name}"'))
            connection.execute(sa.text("DROP TABLE alembic_version"))


def test_a_running_app_notices_a_restore_without_a_restart(app: Flask, db: object, tmp_path: Path) -> None:
    survey = gen_survey()
    theme = gen_theme()
    for index in range(12):
        db.session.add(
            Response(survey_id=survey.id, idempotency_key=f"k{index}", submitted_hour=_hour(), language="sv")
        )
    db.session.commit()
    release_if_due(1)
    copy = tmp_path / "copy"
    backup_module.backup_database(db.engine, copy)

    # After the backup a staff member tags an option with a theme; the app's tally counts it.
    option = db.session.get(Option, int(opt(survey, "pick", "a")))
    option.themes.append(theme)
    db.session.commit()
    with app.test_request_context():
        seen = tally.current()
    assert theme.id in seen.tags.options

    _drop_everything()
    with app.app_context():
        restore_database(db.engine, copy)
    with app.test_request_context():
        after = tally.current()  # the same process, no restart: the tag is gone with the restore
    assert theme.id not in after.tags.options and after.responses == 12
    assert after.generation != seen.generation


def _hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
