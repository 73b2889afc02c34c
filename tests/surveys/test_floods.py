"""Floods are bounded, youth centres are not: responses beyond an address's ceiling are stored but held."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.core.floods import BurstKind, BurstStatus, FloodBurst
from participation.extensions import db
from participation.surveys.models import Response
from tests.factories import gen_survey, hidden_fields, open_form, valid_answers
from tests.floods import SCHOOL, Script, from_address


def counts() -> tuple[int, int]:
    """(counted, held) responses."""
    db.session.rollback()
    rows = dict(
        db.session.execute(
            sa.select(Response.quarantined, sa.func.count()).group_by(Response.quarantined)
        ).all()
    )
    return rows.get(False, 0), rows.get(True, 0)


def test_a_script_on_one_address_ends_up_in_quarantine(client, app, clock):
    survey = gen_survey()
    script = Script(from_address(client), survey)
    statuses = []
    for sent in range(1200):
        statuses.append(script.send())
        if sent % 25 == 24:
            clock.advance(minutes=1)  # 1,200 in 48 minutes, far faster than any school
    # Nothing is refused: every send looks stored to the script.
    assert set(statuses) == {303}
    counted, held = counts()
    assert counted + held == 1200
    # The ceiling is 150 per 10 minutes and 800 per 4 hours: a moving window lets 150 through in the
    # first ten minutes and then one per freed slot, never more than 150 in any ten minutes.
    assert 150 <= counted <= 800
    assert held == 1200 - counted
    [burst] = db.session.scalars(sa.select(FloodBurst))
    assert (burst.kind, burst.scope_id, burst.status) == (BurstKind.SURVEY, survey.id, BurstStatus.OPEN)
    assert burst.count == held
    # Results are made of released responses; no held one is ever released.
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(Response.quarantined, Response.release_id.is_not(None))
        )
        == 0
    )
    assert burst.started_hour.minute == 0 and burst.started_hour.second == 0


def test_the_first_responses_count_and_the_rest_are_held(client):
    survey = gen_survey()
    script = Script(from_address(client), survey)
    for _ in range(160):
        assert script.send() == 303
    db.session.rollback()
    held = db.session.scalars(sa.select(Response.id).where(Response.quarantined).order_by(Response.id)).all()
    first_held = min(held)
    assert len(held) == 10
    # The first 150 counted, in order; everything after them is held.
    assert db.session.scalar(sa.select(sa.func.count()).where(Response.id < first_held)) == 150


def test_thirty_phones_at_a_youth_centre_all_count(app, db, clock):
    survey = gen_survey()
    for _ in range(30):
        phone = from_address(app.test_client())
        fields = open_form(phone, survey)  # its own device cookie
        response = phone.post(f"/sv/s/{survey.slug}", data={**fields, **valid_answers(survey)})
        assert response.status_code == 303
    assert counts() == (30, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FloodBurst)) == 0


def test_a_school_of_600_over_a_morning_all_counts(client, clock):
    """Two classes of 30 at a time, every 24 minutes from 8:00 to noon, all behind the school's one address."""
    survey = gen_survey()
    script = Script(from_address(client), survey)
    for _slot in range(10):
        for _pupil in range(60):
            assert script.send() == 303
        clock.advance(minutes=24)
    assert counts() == (600, 0)


def test_other_addresses_and_other_surveys_have_their_own_ceilings(app, db):
    first, second = gen_survey("first"), gen_survey("second")
    school = Script(from_address(app.test_client()), first)
    for _ in range(150):
        school.send()
    # Same address, another survey; another address, same survey: both still count.
    assert Script(from_address(app.test_client()), second).send() == 303
    assert Script(from_address(app.test_client(), "198.51.100.7"), first).send() == 303
    assert counts() == (152, 0)
    assert school.send() == 303
    assert counts() == (152, 1)


def test_no_address_is_stored(client, app):
    survey = gen_survey()
    script = Script(from_address(client), survey)
    for _ in range(151):
        script.send()
    with db.engine.connect() as connection:
        for table in ("response", "flood_burst", "answer"):
            dump = " ".join(str(row) for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')))
            assert SCHOOL not in dump


def test_ceilings_can_be_switched_off(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "FLOOD_CEILINGS", False)
    survey = gen_survey()
    script = Script(from_address(client), survey)
    for _ in range(160):
        script.send()
    assert counts() == (160, 0)


def test_ceilings_are_configurable(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "FLOOD_RESPONSES", "3 per 10 minutes")
    survey = gen_survey()
    script = Script(from_address(client), survey)
    for _ in range(5):
        script.send()
    assert counts() == (3, 2)


def test_too_many_sends_from_one_phone_keep_the_answers(client):
    """The per-device limit (30 a minute): a 429 in the participant's language, answers kept, Retry-After."""
    survey = gen_survey()
    fields = open_form(client, survey, "en")
    answers = valid_answers(survey)
    text_field = next(name for name, value in answers.items() if value == "Mer läxhjälp på kvällen")
    last = None
    for _ in range(31):
        # Tampered every time (an unknown option), so nothing is stored and the phone keeps trying.
        last = client.post(f"/en/s/{survey.slug}", data={**fields, **answers, "profile_gender": "x"})
    assert last is not None and last.status_code == 429
    retry = int(last.headers["Retry-After"])
    assert 1 <= retry <= 60
    html = last.get_data(as_text=True)
    assert "Everything you wrote is still here" in html
    assert re.search(r"please send it again in \d+ (second|minute)", html)
    assert "Mer läxhjälp på kvällen" in html  # the typed text is back in its box
    assert f'name="{text_field}"' in html
    kept = hidden_fields(html)
    assert kept["submission_key"] == fields["submission_key"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_the_429_speaks_the_participants_language(client):
    survey = gen_survey()
    fields = open_form(client, survey, "sv")
    last = None
    for _ in range(31):
        last = client.post(f"/sv/s/{survey.slug}", data={**fields, "profile_gender": "x"})
    assert last is not None and last.status_code == 429
    html = last.get_data(as_text=True)
    assert 'lang="sv"' in html
    assert re.search(r"om \d+ (sekund|minut)", html)


def test_a_429_on_an_unknown_survey_is_a_404_page_not_an_error(client):
    statuses = {client.post("/en/s/no-such-survey", data={}).status_code for _ in range(32)}
    assert statuses == {404}
