"""Text a participant typed never becomes a live formula in a CSV or XLSX export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from participation.exports import csv_response, safe_cell, xlsx_response
from participation.forum.models import ForumMode
from participation.surveys.models import Survey
from tests.factories import csrf_token, gen_forum_session, gen_survey, gen_theme, gen_user, login
from tests.reports import read_csv

ATTACKS = ['=HYPERLINK("http://evil.example","klicka")', "=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0"]
ATTACKS += ["-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(data: bytes) -> None:
    cells = xlsx_cells(data)
    assert cells
    assert [cell.value for cell in cells if cell.data_type == "f"] == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+46 70", "'+46 70"),
        ("-", "'-"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Mer sommarjobb", "Mer sommarjobb"),
        ("-3", "-3"),
        ("+4.5", "+4.5"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (-3, -3),
        (0.25, 0.25),
    ],
)
def test_safe_cell_quotes_formula_starts_and_leaves_numbers(value, expected):
    assert safe_cell(value) == expected


def test_forum_topics_that_look_like_formulas_export_as_text(app, client):
    session = gen_forum_session(ForumMode.TOPICS, items=(), requires_approval=False)
    for text in ATTACKS:  # one phone each: a participant may propose only a few topics
        participant = app.test_client()
        token = csrf_token(participant, "/en/f")
        response = participant.post(f"/en/f/{session.code}/propose", data={"csrf_token": token, "text": text})
        assert response.status_code == 303, text
    login(client, gen_user("staff"))
    exported = read_csv(client.get(f"/staff/forum/{session.id}/results.csv?delimiter=comma").data, ",")
    topics = [row[0] for row in exported.tables["Results"][1:]]
    assert len(topics) == len(ATTACKS)
    assert all(topic.startswith("'") for topic in topics), topics
    assert '\'=HYPERLINK("http://evil.example","klicka")' in topics
    assert "'=cmd|' /C calc'!A0" in topics
    workbook = client.get(f"/staff/forum/{session.id}/results.xlsx").get_data()
    assert_no_formula(workbook)
    values = [cell.value for cell in xlsx_cells(workbook)]
    assert "'=cmd|' /C calc'!A0" in values


def test_needs_map_exports_quote_formula_names_and_keep_numbers(client, db):
    theme = gen_theme("formula")
    theme.name = {"sv": "=cmd|' /C calc'!A0", "en": '=HYPERLINK("x")'}
    db.session.commit()
    login(client, gen_user("analyst"))
    report = read_csv(client.get("/staff/needs/export.csv").data, ",")  # in English: commas
    names = [row[0] for row in report.tables["Needs in order of priority"][1:]]
    assert names and all(name.startswith("'=") for name in names), names
    workbook = client.get("/staff/needs/export.xlsx").get_data()
    assert_no_formula(workbook)


def test_numbers_stay_numbers_in_both_formats(app):
    table = [["Tema", "n"], ["=SUM(A1)", 12], ["-3", -2.5]]
    with app.test_request_context():
        cells = xlsx_cells(xlsx_response(table, "t").get_data())
        text = csv_response(table).get_data(as_text=True)
    assert [(cell.value, cell.data_type) for cell in cells] == [
        ("Tema", "s"),
        ("n", "s"),
        ("'=SUM(A1)", "s"),
        (12, "n"),
        ("-3", "s"),
        (-2.5, "n"),
    ]
    assert text.splitlines() == ["Tema,n", "'=SUM(A1),12", "-3,-2.5"]


def test_the_xlsform_export_keeps_formula_like_labels_as_plain_text(client, db):
    survey = gen_survey()
    survey.title = {"sv": "=cmd|' /C calc'!A0", "en": '=HYPERLINK("x")'}
    survey.questions[0].prompt = {"sv": "=1+1", "en": "-2+3"}
    db.session.commit()
    login(client, gen_user("staff"))
    workbook = client.get(f"/staff/surveys/{survey.id}/xlsform.xlsx").get_data()
    assert_no_formula(workbook)
    values = [cell.value for cell in xlsx_cells(workbook)]
    # Not quoted: the workbook goes back into KoboToolbox or Delaktig and must keep each text exactly.
    assert "=1+1" in values and "=cmd|' /C calc'!A0" in values
    assert db.session.get(Survey, survey.id) is not None
