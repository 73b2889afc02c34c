"""XLSForm against the outside world: real forms come in or are refused with a reason, and pyxform judges exports."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.i18n.languages import shipped_languages
from participation.surveys.editing import survey_from_spec
from participation.surveys.models import QuestionKind, Survey
from participation.surveys.starters import STARTERS
from participation.surveys.xlsform import export_xlsform, import_xlsform
from participation.surveys.xlsform.workbook import open_workbook, read_sheet
from tests.factories import csrf_token, gen_partner, gen_survey, gen_user, login, q
from tests.surveys.test_xlsform import said, shape

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Beside the clone; a git worktree elsewhere names the folder in XLSFORMS_DIR.
SHARED = Path(os.environ.get("XLSFORMS_DIR") or PROJECT_ROOT.parent / "shared" / "xlsforms")
REAL_FORMS = sorted(SHARED.rglob("*.xls*")) if SHARED.is_dir() else []


def _shared_or_skip() -> None:
    if not REAL_FORMS:
        if os.environ.get("REQUIRE_SHARED") == "1":
            pytest.fail(f"the real-world XLSForms are missing from {SHARED}")
        pytest.skip(f"the real-world XLSForms are not beside the clone ({SHARED})")


@pytest.mark.parametrize("path", REAL_FORMS or [None], ids=lambda path: path.name if path else "missing")
def test_every_real_form_is_imported_with_every_left_out_row_said_or_refused_with_a_reason(app, db, path):
    _shared_or_skip()
    with app.test_request_context():
        result = import_xlsform(path.read_bytes())
    if result.survey is None:
        assert said(result.errors), "a refusal says why"
        return
    problems = said(result.problems)
    read = {question.key for question in result.survey.questions}
    book, _error = open_workbook(path.read_bytes())
    assert book is not None
    name = next(
        (ws.title for ws in book.worksheets if ws.title.strip().lower() == "survey"), book.worksheets[0].title
    )
    sheet = read_sheet(book, name.strip().lower())
    said_rows = {int(m.group(1)) for p in problems if (m := re.match(r"Survey sheet, row (\d+):", p))}
    for number, row in sheet.rows:
        kind = " ".join(row.get("type", "").lower().split())
        if kind.startswith("end") and kind != "end":  # end group / end repeat close what their begin row said
            continue
        key = row.get("name", "")
        came_over = (
            key in read or key in result.survey.profile_fields or (kind == "note" and number not in said_rows)
        )
        assert came_over or number in said_rows, f"row {number} ({kind} {key}) neither imported nor said"
    db.session.rollback()


def test_a_form_whose_only_sheet_has_another_name_is_read_as_the_survey(db):
    result = import_xlsform(_lone_sheet())
    assert said(result.errors) == [] and [q.key for q in result.survey.questions] == ["state"]


def _lone_sheet() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "state", "The State"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pyxform_check(tmp_path, data: bytes) -> str:  # type: ignore[no-untyped-def]
    """The XForm pyxform makes of a workbook; an error or a warning fails the test."""
    pyxform = pytest.importorskip("pyxform")
    from pyxform.xls2xform import convert

    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = convert(xlsform=str(path), validate=False, pretty_print=False, warnings=found)
    assert found == [], found
    assert pyxform.__version__
    return result.xform


def _every_language(survey: Survey) -> Survey:
    survey.languages = list(shipped_languages())
    db.session.commit()
    return survey


def test_pyxform_converts_the_every_kind_survey_in_every_language_without_a_warning(db, tmp_path):
    survey = _every_language(gen_survey())
    q(survey, "scale").scale_low = {"sv": "Inte alls", "en": "Not at all"}
    q(survey, "scale").scale_high = {"sv": "Helt", "en": "Fully"}
    q(survey, "pick").options[0].label = {"sv": "=1+1", "en": "=SUM(A1)"}  # text, never a formula
    db.session.commit()
    xform = _pyxform_check(tmp_path, export_xlsform(survey))
    assert 'lang="دری (prs)"' in xform and "=SUM(A1)" in xform
    assert {kind for kind in QuestionKind} == {question.kind for question in survey.questions}


@pytest.mark.parametrize("starter", [key for key in STARTERS if key != "blank"])
def test_pyxform_converts_every_template_in_every_language_and_it_comes_back_the_same(
    app, db, tmp_path, starter
):
    _name, spec = STARTERS[starter]
    with app.app_context():
        languages = shipped_languages()
    survey = survey_from_spec(spec, {}, slug=f"t-{starter}".replace("_", "-")[:60], languages=languages)
    survey.partner = gen_partner()
    db.session.flush()
    data = export_xlsform(survey)
    _pyxform_check(tmp_path, data)
    copy = import_xlsform(data, slug="copy-of-template")
    assert said(copy.errors) == []
    assert said(copy.problems) == []
    assert shape(copy.survey) == shape(survey) and copy.survey.languages == survey.languages
    assert (copy.survey.title, copy.survey.intro, copy.survey.thanks) == (
        survey.title,
        survey.intro,
        survey.thanks,
    )
    assert copy.survey.profile_fields == survey.profile_fields


def test_pyxform_converts_the_demo_and_it_comes_back_the_same(runner, tmp_path):
    runner.invoke(args=["demo"])
    for survey in db.session.scalars(sa.select(Survey)).all():
        data = export_xlsform(survey)
        _pyxform_check(tmp_path, data)
        copy = import_xlsform(data, slug=f"copy-{survey.id}")
        assert said(copy.errors) == [] and shape(copy.survey) == shape(survey)
        assert [p for p in said(copy.problems) if "theme" not in p] == []


def _post_form(client, data: bytes, filename: str):  # type: ignore[no-untyped-def]
    from io import BytesIO

    return client.post(
        "/staff/surveys/import",
        data={"csrf_token": csrf_token(client, "/staff/surveys/import"), "file": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_an_old_excel_form_comes_in_through_the_workspace_as_its_xlsx_would(client):
    xls = SHARED / "other" / "hotosm_health.xls"
    if not xls.is_file():
        _shared_or_skip()
        pytest.skip(f"{xls} is missing")
    import xlrd

    login(client, gen_user("staff"))
    page = _post_form(client, xls.read_bytes(), "health.xls")

    assert page.status_code == 201, page.get_data(as_text=True)
    (survey,) = db.session.scalars(sa.select(Survey)).all()
    # What the file says, read cell by cell with xlrd itself, is what came over.
    book = xlrd.open_workbook(str(xls))
    choices = book.sheet_by_name("choices")
    header = [str(value) for value in choices.row_values(0)]
    healthcare = [
        (row[header.index("name")], row[header.index("label")])
        for row in (choices.row_values(number) for number in range(1, choices.nrows))
        if row[header.index("list_name")] == "healthcare"
    ]
    question = next(question for question in survey.questions if question.key == "healthcare_type")
    assert question.kind is QuestionKind.MULTIPLE_CHOICE and question.required
    assert question.prompt["en"] == "What type of healthcare is provided ?"
    assert [(option.key, option.label["en"]) for option in question.options] == healthcare
    assert survey.base_language == "en" and survey.title == {"en": "healthcare"}
    text = page.get_data(as_text=True)
    assert "label::Swahili(sw)" in text  # each language Delaktig does not offer is said


def test_an_old_excel_file_that_cannot_be_read_is_refused_with_a_reason_and_nothing_is_kept(client):
    login(client, gen_user("staff"))
    damaged = [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)]
    xls = SHARED / "other" / "hotosm_health.xls"
    if xls.is_file():
        data = xls.read_bytes()
        damaged += [data[: len(data) // 2], data[:512] + bytes(len(data) - 512)]
    for data in damaged:
        page = _post_form(client, data, "form.xls")
        assert page.status_code == 422
        assert "The file is in the old Excel format (.xls) but cannot be read" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Survey.id))) == 0
