"""What moves the needs map's counts is read off declarations next to the columns, by one listener the app
factory installs; bulk statements and raw SQL are recorded through one function; old change rows go."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from participation.core import changes
from participation.core.changes import ALL, KEEP, TEXT, DataChange, counted, execute_counted, record_change
from participation.database import Base
from participation.extensions import db
from participation.insights import tally
from participation.placements.models import Placement
from participation.surveys.models import Answer, ModerationStatus, Option, Response, Survey, option_theme
from participation.themes.models import Theme
from tests.factories import gen_survey, gen_theme, opt, q


def rows() -> list[tuple[int, str]]:
    return [
        tuple(row)
        for row in db.session.execute(sa.select(DataChange.id, DataChange.scope).order_by(DataChange.id))
    ]


def scopes() -> list[str]:
    return [scope for _id, scope in rows()]


# --- a model the needs map has never heard of --------------------------------------------------------


class Elsewhere(DeclarativeBase):
    """Its own metadata, so the tables exist only in these tests."""


class Shelf(Elsewhere):
    __tablename__ = "test_shelf"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(20), default="")
    books: Mapped[list[Book]] = relationship(back_populates="shelf")


class Book(Elsewhere):
    __tablename__ = "test_book"

    id: Mapped[int] = mapped_column(primary_key=True, info=counted(TEXT))  # a new or deleted book
    shelf_id: Mapped[int] = mapped_column(sa.ForeignKey("test_shelf.id", ondelete="CASCADE"))
    pages: Mapped[int] = mapped_column(default=0, info=counted())
    title: Mapped[str] = mapped_column(sa.String(20), default="")

    shelf: Mapped[Shelf] = relationship(back_populates="books")


@pytest.fixture()
def shelves(db) -> Iterator[None]:
    Elsewhere.metadata.create_all(db.engine)
    try:
        yield
    finally:
        db.session.rollback()
        Elsewhere.metadata.drop_all(db.engine)


def test_a_declaration_next_to_a_column_is_all_it_takes(shelves):
    """Nothing in insights or in the listener names these models: the `info=counted(...)` lines decide."""
    shelf = Shelf(name="a")
    db.session.add(shelf)
    db.session.commit()
    assert scopes() == []  # an undeclared row
    book = Book(shelf=shelf, pages=10)
    db.session.add(book)
    db.session.commit()
    assert scopes() == [TEXT]  # the declared row: its insert's scope
    book.title = "new title"
    db.session.commit()
    assert scopes() == [TEXT]  # an undeclared column
    book.pages = 11
    db.session.commit()
    assert scopes() == [TEXT, ALL]  # a declared column
    execute_counted(sa.update(Book).where(Book.id == book.id).values(title="bulk"))
    db.session.commit()
    assert scopes() == [TEXT, ALL]
    execute_counted(sa.update(Book).where(Book.id == book.id).values(pages=Book.pages + 1))
    db.session.commit()
    assert scopes() == [TEXT, ALL, ALL]
    execute_counted(sa.update(Book).where(Book.id == -1).values(pages=0))  # no row changed
    db.session.commit()
    assert scopes() == [TEXT, ALL, ALL]
    # The shelf declares nothing, but its books go with it (ON DELETE CASCADE): as deleting a book counts.
    assert changes.deletion_scope(Shelf.__table__) == TEXT
    db.session.execute(sa.delete(Shelf).execution_options(synchronize_session=False))  # not recorded
    db.session.commit()
    assert scopes() == [TEXT, ALL, ALL]
    assert changes.statement_scope(sa.delete(Shelf)) == TEXT


def test_the_models_declarations_and_what_follows_from_the_foreign_keys():
    assert changes.column_scope(Response.__table__.c.age_band) == ALL
    assert changes.column_scope(Response.__table__.c.language) is None
    assert (
        changes.column_scope(Response.__table__.c.release_id) == changes.RELEASED
    )  # seen by the release's number
    assert changes.column_scope(Answer.__table__.c.moderation_status) == TEXT
    assert changes.column_scope(option_theme.c.theme_id) == ALL  # the table counts, all its columns
    # Surveys, places and themes declare nothing; what hangs on them does.
    assert changes.deletion_scope(Survey.__table__) == ALL  # questions, answers, responses (CASCADE)
    assert changes.deletion_scope(Placement.__table__) == ALL  # responses lose their place (SET NULL)
    assert changes.deletion_scope(Theme.__table__) == ALL  # tags (CASCADE)
    assert changes.statement_scope(sa.update(Response).values(follow_up_id=None)) is None
    assert changes.statement_scope(sa.update(Response).values(quarantined=False)) is None
    assert changes.statement_scope(sa.update(Response).values(release_id=1)) is None
    assert changes.statement_scope(sa.update(Answer).values(moderation_status="approved")) == TEXT
    assert changes.statement_scope(sa.insert(option_theme)) == ALL
    assert changes.statement_scope(sa.insert(Response)) is None  # counted at its release


def test_every_column_the_tally_reads_is_declared(app, db):
    """Whatever the tally's SQL reads is declared on its model (or is a primary key, which never changes)."""
    survey = gen_survey()
    db.session.get(Option, int(opt(survey, "pick", "a"))).themes.append(gen_theme("jobs"))
    q(survey, "scale").themes.append(gen_theme("safety"))
    db.session.commit()
    read: set[sa.Column[object]] = set()

    def collect(_connection: object, statement: object, *_args: object) -> None:
        if isinstance(statement, sa.ClauseElement):
            read.update(
                element
                for element in sa.sql.visitors.iterate(statement)
                if isinstance(element, sa.Column) and isinstance(element.table, sa.Table)
            )

    sa.event.listen(db.engine, "before_execute", collect)
    try:
        tally.forget(app)
        tally.current()
    finally:
        sa.event.remove(db.engine, "before_execute", collect)
    names = {f"{column.table.name}.{column.name}" for column in read}
    assert {"response.age_band", "answer.option_id", "option_theme.theme_id", "text_code.theme_id"} <= names
    undeclared = {
        f"{column.table.name}.{column.name}"
        for column in read
        if changes.column_scope(column) is None
        and not column.primary_key
        and column.table is not DataChange.__table__
    }
    assert undeclared == set()


def test_old_change_rows_are_pruned_and_ids_keep_growing(db):
    record_change(TEXT)
    db.session.commit()
    [(first, _scope)] = rows()
    for _ in range(KEEP + 30):
        record_change(TEXT)
        db.session.commit()
    kept = rows()
    newest = kept[-1][0]
    assert newest == first + KEEP + 30 and len(kept) <= KEEP + 2  # each write drops those KEEP older
    assert newest - kept[0][0] <= KEEP + 1
    record_change(ALL)
    db.session.commit()
    assert rows()[-1] == (newest + 1, ALL)  # SQLite numbers max(id) + 1: the newest row is never deleted
    with pytest.raises(ValueError):
        record_change("everything")


def test_a_tally_that_may_have_missed_pruned_changes_counts_in_full(db):
    survey = gen_survey()
    db.session.get(Option, int(opt(survey, "pick", "a"))).themes.append(gen_theme("jobs"))
    db.session.commit()
    first = tally.current()
    for _ in range(KEEP - 5):
        record_change(TEXT)
    db.session.commit()
    seen = tally.current()
    assert seen.generation == first.generation  # text changes it has all seen: the texts are counted again
    for _ in range(
        KEEP + 5
    ):  # more than are kept: some it never saw are gone, and it cannot know their scope
        record_change(TEXT)
    db.session.commit()
    assert min(number for number, _scope in rows()) > max(number for number, _scope in seen.changes) + 1
    assert tally.current().generation > seen.generation


def test_a_change_committed_late_under_a_lower_id_is_seen(db):
    gen_survey()
    for _ in range(3):
        record_change(TEXT)
    db.session.commit()
    first = tally.current()
    lowest = min(number for number, _scope in rows())
    # As when another process's transaction took an id before the newest one but committed after it.
    db.session.execute(sa.insert(DataChange).values(id=lowest - 1, scope=ALL))
    db.session.commit()
    assert tally.current().generation > first.generation


def test_answers_of_a_new_response_write_no_change_but_a_late_answer_does(db):
    survey = gen_survey()
    response = Response(
        survey_id=survey.id,
        idempotency_key="k1",
        submitted_hour=survey.created_at.replace(minute=0, second=0, microsecond=0),
        language="sv",
        answers=[Answer(question_id=q(survey, "scale").id, value_int=3)],
    )
    db.session.add(response)
    db.session.commit()
    assert scopes() == []
    db.session.add(
        Answer(
            response=response,
            question_id=q(survey, "text").id,
            text_value="hej",
            moderation_status=ModerationStatus.PENDING,
        )
    )
    db.session.commit()
    assert scopes() == [ALL]
    text = db.session.scalars(sa.select(Answer).where(Answer.text_value == "hej")).one()
    text.moderation_status = ModerationStatus.APPROVED
    text.flags = ["checked"]
    db.session.commit()
    assert scopes() == [ALL, TEXT]


def test_the_listeners_are_installed_by_the_app_factory_not_by_an_import():
    script = textwrap.dedent(
        """
        import sqlalchemy as sa
        from sqlalchemy.orm import Session
        import participation.models  # every model, so every module that once installed a listener
        assert not list(Session().dispatch.before_flush)
        from participation import create_app
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
        names = sorted(listener.__name__ for listener in Session().dispatch.before_flush)
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})  # a second app adds none
        assert len(list(Session().dispatch.before_flush)) == len(names), names
        print(" ".join(names))
        """
    )
    found = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == ["_give_new_objects_an_owner", "_note_changes"]


# --- every bulk statement on counted data is recorded ---------------------------------------------------

PACKAGE = Path(__file__).resolve().parents[2] / "participation"


def _tables_by_name() -> dict[str, sa.Table]:
    """What a name in the code stands for: a model class or a table variable (named like its table)."""
    import participation.models  # noqa: F401 - every model, so the registry is complete

    found: dict[str, sa.Table] = dict(Base.metadata.tables)
    for mapper in Base.registry.mappers:
        found[mapper.class_.__name__] = mapper.local_table  # type: ignore[assignment]
    return found


def _statement_base(node: ast.expr) -> ast.Call | None:
    """`sa.update(Model)` under `.where(...).values(...)...`, or None."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if isinstance(node.func.value, ast.Name) and node.func.value.id == "sa":
            return node if node.func.attr in ("update", "delete", "insert") else None
        node = node.func.value
    return None


def _moves_counts(kind: str, table: sa.Table) -> bool:
    if kind == "delete":
        return changes.deletion_scope(table) is not None
    if kind == "insert":
        return changes.statement_scope(sa.insert(table)) is not None
    return any(changes.column_scope(column) is not None for column in table.columns)


def test_every_bulk_statement_on_counted_data_goes_through_execute_counted():
    """`session.execute(sa.update(Response)...)` would bypass the listener: the needs map would not know."""
    tables = _tables_by_name()
    bypassing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "execute" or not node.args:
                continue
            base = _statement_base(node.args[0])
            if base is None or not base.args or not isinstance(base.args[0], ast.Name):
                continue
            table = tables.get(base.args[0].id)
            assert isinstance(base.func, ast.Attribute)
            if table is not None and _moves_counts(base.func.attr, table):
                bypassing.append(
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno} sa.{base.func.attr}({base.args[0].id})"
                )
    assert bypassing == []
