"""Disclosure control: perturbed figures, fixed per set of records, nothing below k, shares on a base of ten."""

from __future__ import annotations

import random
import statistics

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.suppression import (
    NOISE_BOUND,
    Count,
    cell,
    perturbed,
    protect,
    record_key,
    record_key_sql,
    share,
    threshold,
)
from participation.surveys.models import Answer, Response
from participation.surveys.releases import release_if_due
from tests.factories import gen_survey, opt, q

K = 5


def test_nothing_below_k_is_shown_and_zero_looks_like_a_small_count(app):
    with app.app_context():
        for n in range(K):
            for key in range(300):
                assert protect(Count(n, key), K) is None
        assert protect(Count(), K) is None and perturbed(Count()) == 0
        for n in range(K, 60):
            value = protect(Count(n, 12345), K)
            assert value is None or (value >= K and abs(value - n) <= NOISE_BOUND)


def test_the_same_records_always_give_the_same_figure_and_other_records_another(app):
    with app.app_context():
        ids = list(range(100, 160))
        first = protect(Count.of(ids), K)
        shuffled = ids[:]
        random.Random(1).shuffle(shuffled)
        assert protect(Count.of(shuffled), K) == first  # however the view was asked for
        assert {protect(Count.of(ids[:-1] + [999 + i]), K) for i in range(30)} != {first}


def test_the_noise_is_centred_and_pins_a_value_no_more_often_than_guessing_among_five(app):
    with app.app_context():
        rng = random.Random(3)
        noises = [perturbed(Count(40, rng.randrange(2**31))) - 40 for _ in range(20_000)]
    assert abs(statistics.fmean(noises)) < 0.1
    assert 0.18 < noises.count(0) / len(noises) < 0.22
    assert 3.0 < statistics.pstdev(noises) < 4.0 and max(map(abs, noises)) <= NOISE_BOUND


def test_the_noise_depends_on_the_secret(app):
    with app.app_context():
        before = [perturbed(Count(30, key)) for key in range(200)]
        secret = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "another-secret"
        try:
            after = [perturbed(Count(30, key)) for key in range(200)]
        finally:
            app.config["SECRET_KEY"] = secret
    assert before != after


def test_record_keys_are_the_same_in_python_and_in_sql(db):
    for record_id in (1, 2, 3, 77, 2**31 - 1):
        assert db.session.scalar(sa.select(record_key_sql(sa.literal(record_id)))) == record_key(record_id)


def test_shares_only_on_a_shown_base_of_at_least_ten(app):
    assert share(5, 9) is None and share(6, 12) == pytest.approx(0.5) and share(None, 40) is None
    assert share(13, 12) == 1.0  # two perturbed figures never make more than everyone
    with app.app_context():
        small_base = cell(Count(6, 1), Count(7, 2), K)
        assert small_base.share is None or small_base.count is not None


def test_k_can_be_raised_but_never_lowered(app):
    with app.app_context():
        app.config["SUPPRESSION_K"] = 3
        try:
            assert threshold() == 5
            app.config["SUPPRESSION_K"] = 8
            assert threshold() == 8
        finally:
            app.config["SUPPRESSION_K"] = 5


def _respond(survey, n: int, choice: str, scale: int) -> None:
    for i in range(n):
        db.session.add(
            Response(
                survey_id=survey.id,
                idempotency_key=f"{choice}-{scale}-{i}-{n}",
                submitted_hour=sa.func.now(),
                language="sv",
                answers=[
                    Answer(question_id=q(survey, "pick").id, option_id=int(opt(survey, "pick", choice))),
                    Answer(question_id=q(survey, "scale").id, value_int=scale),
                ],
            )
        )
    db.session.commit()
    release_if_due(1)


def test_thank_you_page_waits_for_k_respondents(client):
    survey = gen_survey()
    _respond(survey, 4, "a", 3)
    page = client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True)
    assert "Results appear when more people have answered." in page
    assert "Choice a" not in page


def test_thank_you_page_shows_protected_figures_only(client):
    survey = gen_survey()
    _respond(survey, 30, "a", 4)
    _respond(survey, 2, "b", 4)
    _respond(survey, 12, "c", 4)
    page = client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True)
    pick_table = page.split("Question pick", 1)[1].split("</table>", 1)[0]
    for key in "abc":
        ids = db.session.scalars(
            sa.select(Answer.response_id).where(Answer.option_id == int(opt(survey, "pick", key)))
        )
        figure = protect(Count.of(ids), K)
        assert (f">{figure}<" in pick_table) if figure is not None else True
    assert ">2<" not in pick_table and "fewer than 5" in pick_table
