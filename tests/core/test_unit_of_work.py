"""One unit of work: a request commits once at its end, only when it succeeded; nothing else commits.

A refused edit leaves nothing changed, a later write in the same request cannot carry a half-edit into
the request's commit, an exception rolls the whole request back, and outside a request the outermost
`db.transaction()` is the unit. The last test keeps the rule: only participation/database.py commits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from participation import create_app
from participation.extensions import db
from participation.surveys import questions, settings
from participation.surveys.editing import EditError
from participation.surveys.models import Option, Question, Survey
from participation.themes.models import VisionGoal
from participation.themes.services import save_goal
from tests.conftest import TEST_DATABASE_URL
from tests.factories import csrf_token, gen_survey, gen_user, login, q

PACKAGE = Path(__file__).resolve().parents[2] / "participation"


def _stored(statement: sa.Select[Any]) -> list[Any]:
    """Rows as the database holds them, read on a connection of its own (not the test's session)."""
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(statement)]


def _survey_row(survey_id: int) -> tuple[Any, ...]:
    return _stored(
        sa.select(Survey.slug, Survey.title, Survey.languages, Survey.retention_days).where(
            Survey.id == survey_id
        )
    )[0]


def _settings(survey: Survey, **changes: object) -> dict[str, object]:
    """The settings form as the edit page sends it, with some fields changed."""
    return {
        "slug": survey.slug,
        "base_language": "sv",
        "languages": ["sv", "en"],
        "title": survey.title["sv"],
        "intro": survey.intro["sv"],
        "thanks": survey.thanks["sv"],
        "profile_fields": ["age_band"],
        "opens_at": "",
        "closes_at": "",
        "retention_days": "365",
        **changes,
    }


# (a) Through the real staff pages: a refusal in the middle of an edit changes nothing at all.


def test_a_taken_address_in_the_settings_leaves_the_valid_title_change_unsaved_too(client):
    survey = gen_survey("first")
    gen_survey("taken")
    before = _survey_row(survey.id)
    login(client, gen_user("admin"))
    url = f"/staff/surveys/{survey.id}"
    sent = _settings(survey, slug="taken", title="A new title", retention_days="90")
    refused = client.post(url, data={"csrf_token": csrf_token(client, url), **sent})
    assert refused.status_code == 422
    assert "Another survey already has the address" in refused.get_data(as_text=True)
    assert _survey_row(survey.id) == before
    assert before[1]["sv"] != "A new title" and before[3] != 90


def test_a_refused_question_edit_leaves_its_key_prompt_and_range_as_they_were(client):
    survey = gen_survey()
    number = q(survey, "count")
    columns = (Question.key, Question.prompt, Question.min_value, Question.max_value, Question.required)
    before = _stored(sa.select(*columns).where(Question.id == number.id))
    login(client, gen_user("admin"))
    url = f"/staff/surveys/{survey.id}/questions/{number.id}"
    refused = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "kind": "number",
            "key": "renamed",
            "prompt": "A new prompt",
            "required": "y",
            "min_value": "50",
            "max_value": "10",  # smaller than the smallest: refused
        },
    )
    assert refused.status_code == 422
    assert "The smallest number must not be larger than the largest." in refused.get_data(as_text=True)
    assert _stored(sa.select(*columns).where(Question.id == number.id)) == before
    assert before[0][0] == "count" and before[0][4] is False


def test_a_new_question_with_a_taken_short_name_is_not_added(client):
    survey = gen_survey()
    count = len(_stored(sa.select(Question.id).where(Question.survey_id == survey.id)))
    login(client, gen_user("admin"))
    url = f"/staff/surveys/{survey.id}/questions/new"
    refused = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "kind": "yes_no", "key": "pick", "prompt": "Again?"},
    )
    assert refused.status_code == 422
    assert len(_stored(sa.select(Question.id).where(Question.survey_id == survey.id))) == count


# (b) In one request: a refused call, then a successful write and the request's commit.


def _end_request(app: Flask, status: int = 200) -> None:
    """What the server does once the view has answered: the app's after_request functions."""
    app.process_response(app.response_class(status=status))


def test_a_refused_edit_is_not_saved_by_a_later_write_and_the_requests_commit(app, db):
    survey = gen_survey("first")
    gen_survey("taken")
    pick = q(survey, "pick")
    before = _survey_row(survey.id)
    with app.test_request_context(f"/staff/surveys/{survey.id}", method="POST"):
        values = {
            **_settings(survey, slug="taken", title="Half an edit"),
            "opens_at": None,
            "closes_at": None,
            "retention_days": 90,
        }
        with pytest.raises(EditError):
            settings.update_settings(survey, values)
        questions.save_option(pick, None, "A fourth choice", None, [])
        _end_request(app)
    assert _survey_row(survey.id) == before
    labels = _stored(sa.select(Option.label).where(Option.question_id == pick.id))
    assert {"sv": "A fourth choice"} in [label for (label,) in labels]


def test_a_change_refused_inside_its_block_is_undone_while_the_request_goes_on(app, db):
    """Where a change and its check are interleaved, the savepoint undoes the block, and only it."""
    survey = gen_survey()
    before = _survey_row(survey.id)
    with app.test_request_context("/"):
        with pytest.raises(EditError), db.transaction():
            survey.title["sv"] = "Changed, then refused"
            survey.retention_days = 30
            db.session.flush()  # even written to the database inside the block
            raise EditError("refused")
        with db.transaction():
            survey.languages = ["sv"]
        _end_request(app)
    slug, title, languages, retention = _survey_row(survey.id)
    assert (slug, title, retention) == (before[0], before[1], before[3])
    assert languages == ["sv"]


def test_a_refused_request_keeps_nothing_of_what_succeeded_in_it(app, db):
    survey = gen_survey()
    before = _survey_row(survey.id)
    with app.test_request_context("/"):
        with db.transaction():
            survey.retention_days = 30
        _end_request(app, status=422)
    assert _survey_row(survey.id) == before


# (c) An exception escaping a view rolls everything back.


@pytest.fixture()
def failing_app(db: object) -> Iterator[Flask]:
    """A fresh app on the test database with one extra view: it saves a goal, then fails."""
    fresh = create_app({"TESTING": True, "DATABASE_URL": TEST_DATABASE_URL, "WTF_CSRF_ENABLED": False})

    @fresh.post("/test-only/fails-after-writing")
    def fails_after_writing() -> str:
        save_goal(None, "written_then_failed", {"sv": "Mål"})
        db.session.flush()
        raise RuntimeError("the view fails after its service wrote")

    yield fresh
    with fresh.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("propagate", [True, False], ids=["raised", "error page"])
def test_an_exception_escaping_a_view_rolls_everything_back(failing_app, propagate):
    failing_app.config["PROPAGATE_EXCEPTIONS"] = propagate
    client = failing_app.test_client()
    if propagate:
        with pytest.raises(RuntimeError):
            client.post("/test-only/fails-after-writing")
    else:
        assert client.post("/test-only/fails-after-writing").status_code == 500
    assert _stored(sa.select(VisionGoal.id).where(VisionGoal.slug == "written_then_failed")) == []


# (d) Outside a request the outermost block commits; a failing inner block leaves the outer one's writes.


def test_outside_a_request_the_outermost_block_commits_and_a_failed_inner_block_is_undone(app, db):
    survey = gen_survey()
    before = _survey_row(survey.id)
    with db.transaction():
        survey.retention_days = 45
        with pytest.raises(EditError), db.transaction():
            survey.title["sv"] = "Inner, refused"
            db.session.flush()
            raise EditError("refused")
        assert _survey_row(survey.id) == before  # nothing is committed before the outermost block ends
        save_goal(None, "inside_the_outer_block", {"sv": "Mål"})
    slug, title, _languages, retention = _survey_row(survey.id)
    assert (slug, title, retention) == (before[0], before[1], 45)
    assert len(_stored(sa.select(VisionGoal.id).where(VisionGoal.slug == "inside_the_outer_block"))) == 1


def test_outside_a_request_a_failing_outermost_block_keeps_nothing(app, db):
    survey = gen_survey()
    before = _survey_row(survey.id)
    with pytest.raises(RuntimeError), db.transaction():
        survey.retention_days = 45
        save_goal(None, "never_kept", {"sv": "Mål"})
        raise RuntimeError("fails")
    assert _survey_row(survey.id) == before
    assert _stored(sa.select(VisionGoal.id).where(VisionGoal.slug == "never_kept")) == []


# (e) The rule stays: only participation/database.py ends a transaction.


def _modules() -> list[Any]:
    return [
        pytest.param(path, id=path.relative_to(PACKAGE).as_posix())
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() != "database.py"
    ]


def _ends_a_transaction(path: Path) -> list[str]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"commit", "rollback"}
        ):
            calls.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
    return calls


@pytest.mark.parametrize("path", _modules())
def test_no_module_but_the_database_commits_or_rolls_back(path):
    assert _ends_a_transaction(path) == []


def test_the_check_finds_a_commit():
    assert _ends_a_transaction(PACKAGE / "database.py")
