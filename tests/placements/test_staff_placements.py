"""Staff create placements in bulk, download QR codes, print posters, retire, and read scans per place."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
import zxingcpp
from PIL import Image

from participation.extensions import db
from participation.placements.models import Placement
from tests.factories import csrf_token, gen_placement, gen_survey, gen_theme, gen_user, login

CODE = re.compile(r"^[A-Z]{1,6}[2-9]{2}$")


def test_create_many_placements_at_once(client):
    survey = gen_survey()
    login(client, gen_user("staff"))
    response = client.post(
        "/staff/placements/new",
        data={
            "csrf_token": csrf_token(client, "/staff/placements/new"),
            "survey": survey.id,
            "places": "Fritidsgården entré\nTvättstuga Bäckbyvägen 12\n\nSkolan\n",
            "language": "ar",
        },
    )
    assert response.status_code == 302
    placements = db.session.scalars(sa.select(Placement).order_by(Placement.id)).all()
    assert [p.place for p in placements] == ["Fritidsgården entré", "Tvättstuga Bäckbyvägen 12", "Skolan"]
    assert all(CODE.match(p.code) for p in placements), [p.code for p in placements]
    assert placements[0].code.startswith("FRITID") and placements[1].code.startswith("TVATTS")
    assert all(p.language == "ar" and p.survey_id == survey.id for p in placements)
    assert len({p.code for p in placements}) == 3


def test_bad_placement_form_keeps_input_and_stores_nothing(client):
    survey = gen_survey()
    login(client, gen_user("staff"))
    places = "\n".join(f"Plats {i}" for i in range(51))
    response = client.post(
        "/staff/placements/new",
        data={
            "csrf_token": csrf_token(client, "/staff/placements/new"),
            "survey": survey.id,
            "places": places,
            "language": "",
        },
    )
    assert response.status_code == 422
    assert "Plats 50" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == 0
    tampered = client.post(
        "/staff/placements/new",
        data={
            "csrf_token": csrf_token(client, "/staff/placements/new"),
            "survey": 999999,
            "places": "A",
            "language": "xx",
        },
    )
    assert tampered.status_code == 422


def test_qr_downloads_decode_to_the_public_url(app, client):
    placement = gen_placement(gen_survey(), code="FRITID")
    login(client, gen_user("staff"))
    png = client.get(f"/staff/placements/{placement.id}/qr.png?download=1")
    assert png.headers["Content-Disposition"] == 'attachment; filename="delaktig-FRITID.png"'
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert decoded.text == f"{app.config['PUBLIC_BASE_URL']}/q/FRITID"
    assert decoded.ec_level in ("H", "Q")  # survives a scratched poster
    svg = client.get(f"/staff/placements/{placement.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg") and b"viewBox" in svg.data


def test_poster_has_titles_in_chosen_languages_short_url_and_code(client):
    survey = gen_survey()
    survey.languages = ["sv", "en", "ar", "fi"]
    db.session.commit()
    placement = gen_placement(survey, code="SKOLAN")
    login(client, gen_user("staff"))
    html = client.get(
        f"/staff/placements/{placement.id}/poster?format=a4&lang=sv&lang=en&lang=ar&lang=fi"
    ).get_data(as_text=True)
    assert "Testenkät" in html and "Test survey" in html
    assert '<section class="block" lang="ar" dir="rtl">' in html
    assert 'lang="fi"' not in html.split("</header>", 1)[1]  # at most three languages
    assert "127.0.0.1:5000/q/SKOLAN" in html and "<strong>SKOLAN</strong>" in html
    assert "only works on this computer" in html  # still a localhost address
    assert "2 minutes · anonymous" in html  # the English block is in English
    assert 'name="lang" value="ar" checked' in html and 'name="lang" value="fi">' in html  # the form
    assert "<span>127.0.0.1:5000/</span><wbr><span>q/</span><wbr><span>SKOLAN</span>" in html


def test_sticker_sheet_and_flyer(client):
    placement = gen_placement(gen_survey(), code="TVATT")
    login(client, gen_user("staff"))
    stickers = client.get(f"/staff/placements/{placement.id}/poster?format=stickers").get_data(as_text=True)
    assert stickers.count('class="sticker"') == 18
    assert client.get(f"/staff/placements/{placement.id}/poster?format=a5").status_code == 200
    assert client.get(f"/staff/placements/{placement.id}/poster?format=a0").status_code == 400


def test_localhost_warning_disappears_with_a_public_address(app, client):
    gen_placement(gen_survey())
    login(client, gen_user("staff"))
    assert "Set PARTICIPATION_PUBLIC_BASE_URL" in client.get("/staff/placements/").get_data(as_text=True)
    app.config["PUBLIC_BASE_URL"] = "https://delaktig.vasteras.se"
    try:
        assert "Set PARTICIPATION_PUBLIC_BASE_URL" not in client.get("/staff/placements/").get_data(
            as_text=True
        )
    finally:
        app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"


def test_retire_placement(client):
    placement = gen_placement(gen_survey(), code="OLDONE")
    login(client, gen_user("staff"))
    asked = client.post(
        f"/staff/placements/{placement.id}/retire",
        data={"csrf_token": csrf_token(client, "/staff/placements/")},
    )
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Retire this placement?" in page and "OLDONE" in page
    assert 'name="confirm" value="yes"' in page and 'href="/staff/placements/"' in page  # Cancel
    assert client.get("/q/OLDONE").status_code == 302  # still leads to its survey
    response = client.post(
        f"/staff/placements/{placement.id}/retire",
        data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)[1], "confirm": "yes"},
    )
    assert response.status_code == 302
    assert client.get("/q/OLDONE").status_code == 404
    assert client.get(f"/staff/placements/{placement.id}/poster").status_code == 404


def test_scans_responses_and_conversion_with_small_counts_hidden(client, runner):
    runner.invoke(args=["demo"])
    for _ in range(3):
        client.get("/q/SKOLAN")
    login(client, gen_user("analyst"))
    html = client.get("/staff/placements/").get_data(as_text=True)
    row = html.split("<code>SKOLAN</code>", 1)[1].split("</tr>", 1)[0]
    cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S))
    assert cells["Scans"].strip() == "3"
    assert re.match(r"^\d+$", cells["Responses"].strip())  # the demo has many responses from the school
    # More answers than scans (people typed the address): said in words, never as "782 %".
    assert cells["Conversion"].strip() == "More answers than scans: some typed the address"
    assert "%" not in cells["Conversion"]
    assert "Print and download" not in html  # analysts read, they do not print


def test_placements_are_grouped_by_survey_with_the_language_by_its_name(client):
    first, second = gen_survey("forst"), gen_survey("sedan")
    gen_placement(first, code="TVATT1")
    pinned = gen_placement(second, code="TVATT2")
    pinned.language = "ar"
    db.session.commit()
    login(client, gen_user("staff"))
    html = client.get("/staff/placements/").get_data(as_text=True)
    headings = re.findall(r'<h2 id="group-\d+">(.*?)</h2>', html, re.S)
    assert len(headings) == 2 and "(sedan)" in headings[0] and "(forst)" in headings[1]  # newest first
    assert html.index("TVATT2") < html.index("TVATT1")
    assert '<bdi lang="ar">العربية</bdi>' in html


def test_poster_form_keeps_the_survey_languages_the_line_partners_and_the_theme_colour(client):
    survey = gen_survey()
    theme = gen_theme("leisure")
    theme.colour = "#0a7d3b"
    survey.questions[1].themes = [theme]
    db.session.commit()
    placement = gen_placement(survey, code="BIO")
    login(client, gen_user("staff"))
    html = client.get(
        f"/staff/placements/{placement.id}/poster?format=stickers&lang=en&lang=ar&lang=sv"
        "&line=Vinn+biobiljetter&partners=Fritidsg%C3%A5rden"
    ).get_data(as_text=True)
    assert 'lang="ar"' not in html.split("</header>", 1)[1]  # Arabic is not one of the survey's languages
    assert 'name="lang" value="ar"' not in html
    assert html.count('<p class="title" lang="en"') == 18 and html.count('<p class="title" lang="sv"') == 18
    assert 'fill="#0a7d3b"' in html
    a4 = client.get(
        f"/staff/placements/{placement.id}/poster?format=a4&line=Vinn+biobiljetter&partners=Fritidsg%C3%A5rden"
    ).get_data(as_text=True)
    assert '<p class="line" dir="auto">Vinn biobiljetter</p>' in a4
    assert '<p class="partners" dir="auto">Fritidsgården</p>' in a4
    assert 'src="/static/js/print.js"' in a4 and "<script>" not in a4
