"""Needs-map exports open right: byte-order mark, the reader's delimiter and decimal mark, a header block,
translated labels, numbers as numbers, hidden cells empty with a flag, and every table of the page."""

from __future__ import annotations

import csv
import io

import pytest

from participation.insights import needs
from participation.insights.models import CodebookVersion, TextCode
from participation.surveys.models import Answer
from tests.factories import gen_placement, gen_survey, gen_user, login
from tests.insights.test_needs_map import SPRING_2026, K, chose, respond, shown, tagged  # noqa: F401
from tests.reports import read_csv, read_xlsx

PRIORITIES = "Needs in order of priority"


@pytest.fixture()
def answered(tagged):  # noqa: F811
    survey, jobs, safety = tagged
    respond(survey, n=14, pick="a", scale=1, age="13_15", gender="girl")
    respond(survey, n=7, pick="b", scale=4, age="16_19", gender="boy", when=SPRING_2026)
    respond(survey, n=2, pick="a", scale=2, age="under_13", gender="rather_not_say")
    return survey, jobs, safety


def number(text: str) -> float:
    return float(text.replace(",", "."))


def test_csv_in_swedish_uses_semicolons_decimal_commas_and_says_what_made_it(client, answered):
    survey, jobs, _safety = answered
    login(client, gen_user("analyst"))
    client.set_cookie("delaktig_lang", "sv")
    response = client.get("/staff/needs/export.csv?by=age_band&source=choices&source=scales")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    report = read_csv(response.data, ";")
    assert report.title == "Behovskarta"
    assert list(report.about.values())[2] == str(K)  # k
    assert len(report.about) == 4 and "UTC" in list(report.about.values())[3]
    assert len(report.tables) == 4  # priorities, breakdown, trend, reach: every table of the page
    header, *rows = report.tables["Behov i prioritetsordning"]
    assert len(header) == 3 + 4 * 2  # theme, key, priority; share, count, n, flag per chosen source
    jobs_row = next(row for row in rows if row[1] == "jobs")
    everyone = shown(chose(survey, "a"))
    assert jobs_row[4] == str(everyone) and jobs_row[6] == "0"
    share = jobs_row[3]
    assert "," in share or share.isdigit()
    assert len(share.partition(",")[2]) <= 1 and 0 <= number(share) <= 100  # per cent, one decimal
    breakdown = next(table for title, table in report.tables.items() if table[0][2] == "Åldersgrupp")
    labels = {row[2] for row in breakdown[1:]}
    assert "Under 13" in labels and "13–15" in labels and "under_13" not in labels
    small = next(row for row in breakdown[1:] if row[1] == "jobs" and row[3] == "under_13")
    assert small[4:] == ["", "1"]  # two people: hidden, empty in the numeric column, and flagged


def test_the_delimiter_is_an_explicit_choice_and_machine_headers_are_plain(client, answered):
    login(client, gen_user("analyst"))
    client.set_cookie("delaktig_lang", "sv")
    comma = read_csv(client.get("/staff/needs/export.csv?delimiter=comma").data, ",")
    assert PRIORITIES not in comma.tables and len(comma.tables) == 3  # no breakdown asked for
    machine = client.get("/staff/needs/export.csv?format=machine&delimiter=semicolon").data
    assert not machine.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(machine.decode())))
    assert rows[0][:4] == ["theme", "theme_key", "priority_pct", "choices_share_pct"]
    assert all("," not in cell or not cell.replace(",", "").isdigit() for row in rows[1:] for cell in row)
    trend = list(
        csv.reader(io.StringIO(client.get("/staff/needs/export.csv?format=machine&table=trend").text))
    )
    assert trend[0] == ["theme", "theme_key", "group", "group_key", "share_pct", "hidden"]
    assert {row[3] for row in trend[1:]} == {str(term) for term in needs.terms()}
    assert client.get("/staff/needs/export.csv?format=machine&table=secrets").status_code == 400
    assert client.get("/staff/needs/export.csv?format=machine&table=breakdown").status_code == 400


def test_xlsx_keeps_numbers_as_numbers_and_has_a_sheet_about_the_view(client, answered):
    survey, _jobs, _safety = answered
    login(client, gen_user("analyst"))
    sheets = read_xlsx(client.get("/staff/needs/export.xlsx?by=gender").data)
    assert list(sheets) == [
        PRIORITIES,
        "Breakdown",
        "Trend across terms",
        "Who we are not hearing from",
        "Needs map",
    ]
    about = dict(row[:2] for row in sheets["Needs map"][1:])
    assert about["Smallest number shown (k)"] == K and "Gender" in about["Filters"]
    jobs_row = next(row for row in sheets[PRIORITIES][1:] if row[1] == "jobs")
    assert isinstance(jobs_row[2], int | float) and jobs_row[4] == shown(chose(survey, "a"))
    genders = {row[2] for row in sheets["Breakdown"][1:]}
    assert {"Girl", "Boy", "Would rather not say", "Not answered"} <= genders
    assert not genders & {"girl", "rather_not_say", "rather not say"}
    hidden = next(row for row in sheets["Breakdown"][1:] if row[3] == "rather_not_say" and row[1] == "jobs")
    assert hidden[4:] == (None, 1)
    reach = sheets["Who we are not hearing from"]
    assert reach[1][0] == "Under 13" and reach[1][1] is None and reach[1][4] == 1
    assert isinstance(reach[2][1], int)


def test_places_with_the_same_name_are_told_apart(client, answered):
    survey, _jobs, _safety = answered
    other = gen_survey("other")
    first, second = gen_placement(survey, code="FRITID1"), gen_placement(other, code="FRITID2")
    first.place = second.place = "Fritidsgården"
    gen_placement(survey, code="TVATT").place = "Tvättstugan"
    from participation.extensions import db

    db.session.commit()
    login(client, gen_user("analyst"))
    page = client.get("/staff/needs?by=placement").get_data(as_text=True)
    assert "Fritidsgården (Test survey · FRITID1)" in page and "Fritidsgården (Test survey · FRITID2)" in page
    assert ">Tvättstugan<" in page


def test_one_quote_per_distinct_text(answered, db):
    survey, jobs, _safety = answered
    respond(survey, n=12, pick="a", scale=3, text="Fler sommarjobb")
    version = CodebookVersion(note="v1")
    db.session.add(version)
    db.session.flush()
    for answer in db.session.query(Answer).filter(Answer.text_value.is_not(None)):
        answer.text_value = "Fler sommarjobb" if answer.id % 2 else "fler  sommarjobb"
        db.session.add(TextCode(answer_id=answer.id, theme_id=jobs.id, codebook_version_id=version.id))
    db.session.commit()
    need = next(n for n in needs.needs_map(needs.Filters(), K).needs if n.theme.id == jobs.id)
    assert len(need.quotes) == 1


def test_the_page_names_profile_values_and_terms_never_by_code(client, answered):
    login(client, gen_user("analyst"))
    for by, labels in [
        ("gender", ("Girl", "Boy", "Would rather not say")),
        ("age_band", ("Under 13", "13–15")),
    ]:
        page = client.get(f"/staff/needs?by={by}").get_data(as_text=True)
        for label in labels:
            assert f">{label}<" in page, label
        for code in ("girl", "rather_not_say", "rather not say", "under_13", "under–13", "over–25"):
            assert f">{code}<" not in page, code
    page = client.get("/staff/needs?by=period").get_data(as_text=True)
    assert ">Spring 2026<" in page and ">20261<" not in page
