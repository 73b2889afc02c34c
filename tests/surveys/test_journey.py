"""The server side of the survey stepper: numbers in any digits a phone offers, the screen a language switch
keeps, and the client-side checks carrying the server's own rules and words."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from participation.surveys import answering
from participation.surveys.models import NUMBER_LIMIT
from participation.surveys.routes import _form_messages, client_checks, requested_screen
from tests.factories import gen_survey, open_form, opt, q, valid_answers


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("4", 4),
        (" 42 ", 42),
        ("٤", 4),  # Arabic-Indic
        ("٤٢", 42),
        ("۴۲", 42),  # Persian, as Dari and Pashto keyboards type
        ("۱٠", 10),  # mixed, as a pasted answer may be
        ("-3", -3),
        ("\u22123", -3),  # the typographic minus
        ("-٣", -3),
        ("+7", 7),
        ("1 000", 1000),
        ("1\u00a0000", 1000),
        ("1\u202f000", 1000),
    ],
)
def test_whole_numbers_in_every_digit_a_phone_offers(typed: str, value: int) -> None:
    assert answering.whole_number(typed) == value


@pytest.mark.parametrize(
    "typed", ["", " ", "3.5", "3,5", "1_000", "--3", "3-", "tre", "١.٥", "४", "٣e2", "0x10"]
)
def test_what_is_not_a_whole_number(typed: str) -> None:
    # Devanagari digits (४) and underscores were taken by Python's int() before; the rule is now the one the
    # stepper applies (static/js/survey.js whole()), so both say the same.
    assert answering.whole_number(typed) is None


def _parse(survey, **changes: object) -> answering.ParsedSubmission:  # type: ignore[no-untyped-def]
    answers = {**valid_answers(survey), **changes}
    form: MultiDict[str, str] = MultiDict()
    for key, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            form.add(key, str(item))
    return answering.parse_submission(survey, form)


def test_an_arabic_indic_number_is_stored_as_its_value(db: object) -> None:
    survey = gen_survey()
    parsed = _parse(survey, **{f"q{q(survey, 'count').id}": "٧٩"})
    assert parsed.valid
    [answer] = [a for a in parsed.answers if a.question_id == q(survey, "count").id]
    assert answer.value_int == 79


def test_a_persian_number_out_of_range_is_refused_with_the_range(db: object) -> None:
    survey = gen_survey()
    name = f"q{q(survey, 'count').id}"
    parsed = _parse(survey, **{name: "۸۱"})  # 81, the question allows 0-80
    assert parsed.errors[name] == client_checks(survey)[name]["data-error-range"]
    assert "80" in parsed.errors[name]


def test_the_stepper_carries_the_servers_own_messages_and_limits(app, db: object) -> None:  # type: ignore[no-untyped-def]
    survey = gen_survey()
    many = f"q{q(survey, 'many').id}"
    count = f"q{q(survey, 'count').id}"
    with app.test_request_context("/sv/s/x"):
        checks = client_checks(survey)
        too_many = _parse(survey, **{many: [opt(survey, "many", key) for key in "xyz"]})
        assert checks[many]["data-max-choices"] == "2"
        assert checks[many]["data-error-max"] == too_many.errors[many]
        assert (checks[count]["data-min"], checks[count]["data-max"]) == ("0", "80")
        not_a_number = _parse(survey, **{count: "fyra"})
        assert not_a_number.errors[count] == _form_messages()["data-error-number"]
    # A number question without its own range takes the survey-wide limit, as the server does.
    q(survey, "count").min_value = None
    q(survey, "count").max_value = None
    assert client_checks(survey)[count]["data-min"] == str(-NUMBER_LIMIT)
    assert client_checks(survey)[count]["data-max"] == str(NUMBER_LIMIT)


@pytest.mark.parametrize(
    ("raw", "screen"),
    [
        ("0", 0),
        ("3", 3),
        ("8", 8),
        (None, None),
        ("", None),
        ("9", None),
        ("-1", None),
        ("+1", None),
        (" 2", None),
        ("٣", None),
        ("2.0", None),
        ("0003", None),
        ("99999999999999999999", None),
        ("<script>", None),
    ],
)
def test_the_screen_a_language_switch_keeps_is_a_small_number_of_this_survey(
    db: object, raw: str | None, screen: int | None
) -> None:
    survey = gen_survey()  # eight questions, then the profile: screens 0-8
    assert requested_screen(raw, survey) == screen


def _data_screen(html: str) -> str | None:
    form = re.search(r'<form[^>]*class="survey"[^>]*>', html, re.S)
    assert form is not None
    found = re.search(r'data-screen="([^"]*)"', form.group(0))
    return found.group(1) if found else None


def test_a_language_switch_opens_at_the_screen_it_was_on_with_the_answers(client) -> None:  # type: ignore[no-untyped-def]
    survey = gen_survey()
    fields = open_form(client, survey)
    text = f"q{q(survey, 'text').id}"
    switched = client.post(
        f"/ar/s/{survey.slug}/language", data={**fields, text: "أكثر من المساعدة", "screen": "5"}
    )
    html = switched.get_data(as_text=True)
    assert switched.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert _data_screen(html) == "5"
    assert "أكثر من المساعدة" in html
    assert "None" not in re.findall(r'aria-describedby="([^"]*)"', html)


@pytest.mark.parametrize("screen", ["12", "x", "-2", '1" onload="x'])
def test_a_screen_that_is_no_screen_is_dropped_not_echoed(client, screen: str) -> None:  # type: ignore[no-untyped-def]
    survey = gen_survey()
    switched = client.post(
        f"/sv/s/{survey.slug}/language", data={**open_form(client, survey), "screen": screen}
    )
    assert switched.status_code == 200
    assert _data_screen(switched.get_data(as_text=True)) is None


def test_the_first_load_carries_no_screen_and_a_refused_send_keeps_its_own(client) -> None:  # type: ignore[no-untyped-def]
    survey = gen_survey()
    first = client.get(f"/sv/s/{survey.slug}")
    assert _data_screen(first.get_data(as_text=True)) is None
    answers = {**valid_answers(survey), f"q{q(survey, 'count').id}": "۹۰", "screen": "8"}
    refused = client.post(f"/sv/s/{survey.slug}", data={**open_form(client, survey), **answers})
    assert refused.status_code == 422
    # The stepper opens at the first screen with a problem; the screen it was sent from is only a fallback.
    assert _data_screen(refused.get_data(as_text=True)) == "8"
    assert 'class="question invalid"' in refused.get_data(as_text=True)
