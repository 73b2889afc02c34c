"""Which language a participant gets, and pages that say which language and direction they are in."""

from __future__ import annotations

import pytest

from tests.factories import gen_placement, gen_survey

SHIPPED = {"sv": "ltr", "en": "ltr", "ar": "rtl", "fa-AF": "rtl", "so": "ltr", "ti": "ltr", "fi": "ltr"}


@pytest.mark.parametrize("lang, direction", SHIPPED.items())
def test_every_page_has_lang_and_dir(client, lang, direction):
    survey = gen_survey()
    for url in [
        f"/{lang}/",
        f"/{lang}/s/{survey.slug}",
        f"/{lang}/s/{survey.slug}/thanks",
        f"/{lang}/accessibility",
    ]:
        html = client.get(url).get_data(as_text=True)
        assert f'<html lang="{lang}" dir="{direction}">' in html, url


def test_ui_is_translated(client):
    survey = gen_survey()
    assert "Skicka mina svar" in client.get(f"/sv/s/{survey.slug}").get_data(as_text=True)
    assert "Lähetä vastaukseni" in client.get(f"/fi/s/{survey.slug}").get_data(as_text=True)
    assert "أرسل إجاباتي" in client.get(f"/ar/s/{survey.slug}").get_data(as_text=True)


def test_missing_content_falls_back_to_the_base_language_with_its_own_lang(client):
    survey = gen_survey()  # content in sv and en only
    html = client.get(f"/ar/s/{survey.slug}").get_data(as_text=True)
    assert '<h1><span lang="sv" dir="ltr">Testenkät</span></h1>' in html
    english = client.get(f"/en/s/{survey.slug}").get_data(as_text=True)
    assert "<h1>Test survey</h1>" in english


def test_language_order(client):
    survey = gen_survey()
    gen_placement(survey, code="PINNED", language="so")
    gen_placement(survey, code="FREE")
    # Accept-Language beats the default; a pinned placement beats Accept-Language.
    assert client.get("/q/FREE", headers={"Accept-Language": "ti"}).headers["Location"].startswith("/ti/")
    assert client.get("/q/FREE", headers={"Accept-Language": "de"}).headers["Location"].startswith("/sv/")
    assert client.get("/q/PINNED", headers={"Accept-Language": "ti"}).headers["Location"].startswith("/so/")
    # The participant's explicit choice beats both, and is remembered.
    choice = client.get(f"/fi/language?next=/sv/s/{survey.slug}")
    assert choice.headers["Location"] == f"/fi/s/{survey.slug}"
    assert client.get("/q/PINNED", headers={"Accept-Language": "ti"}).headers["Location"].startswith("/fi/")
    assert client.get("/").headers["Location"] == "/fi/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_language_choice_never_redirects_off_site(client, target):
    location = client.get(f"/en/language?next={target}").headers["Location"]
    assert location == "/en/"


def test_switcher_shows_native_names(client):
    html = client.get("/sv/").get_data(as_text=True)
    for name in ["Svenska", "English", "العربية", "دری", "Soomaali", "ትግርኛ", "Suomi"]:
        assert name in html


def test_switching_language_on_a_survey_keeps_every_answer(client):
    from tests.factories import open_form, opt, valid_answers

    survey = gen_survey()
    html = client.get(f"/sv/s/{survey.slug}").get_data(as_text=True)
    assert f'formaction="/ar/s/{survey.slug}/language"' in html and 'form="survey-form"' in html
    data = {**open_form(client, survey), **valid_answers(survey)}
    switched = client.post(f"/ar/s/{survey.slug}/language", data=data)
    page = switched.get_data(as_text=True)
    assert switched.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page
    assert f'value="{opt(survey, "pick", "b")}" checked' in page and "Mer läxhjälp på kvällen" in page
    assert f'value="{data["submission_key"]}"' in page  # the same form: still exactly one response
    assert client.get("/").headers["Location"] == "/ar/"  # the choice is remembered
    # And the answers can be sent from the Arabic form.
    sent = client.post(
        f"/ar/s/{survey.slug}", data={**data, "csrf_token": open_form(client, survey, "ar")["csrf_token"]}
    )
    assert sent.status_code == 303


def test_a_language_the_survey_does_not_offer_says_so(client):
    survey = gen_survey()  # offers sv and en
    assert 'class="hint not-offered"' not in client.get(f"/en/s/{survey.slug}").get_data(as_text=True)
    html = client.get(f"/fi/s/{survey.slug}").get_data(as_text=True)
    notice = html.split('class="hint not-offered"', 1)[1].split("</p>", 1)[0]
    assert "Suomi" in notice and "Svenska" in notice
