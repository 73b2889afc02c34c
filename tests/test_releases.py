"""Results move in releases of k: one child's submission changes no public or partner view at all."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from participation.api.services import create_token
from participation.extensions import db
from participation.measurement.models import Indicator
from participation.measurement.services import computed_points
from participation.placements.services import placement_stats
from participation.staff.models import Partner
from participation.surveys.models import Response, ResultRelease
from participation.surveys.releases import release_if_due, waiting
from tests.factories import gen_placement, gen_survey, gen_theme, gen_user, login, open_form, q, valid_answers

K = 5


def _submit(app, survey, placement, scale: str = "2") -> None:
    phone = app.test_client()
    form = open_form(phone, survey, "sv", f"?p={placement.code}")
    answers = {**valid_answers(survey), f"q{q(survey, 'scale').id}": scale}
    assert phone.post(f"/sv/s/{survey.slug}", data={**form, **answers}).status_code == 303


def _everything_a_partner_and_the_public_see(app, survey, token: str, indicator: Indicator) -> dict:
    public, analyst = app.test_client(), app.test_client()
    login(
        analyst,
        gen_user("analyst", email=f"analyst{len(db.session.scalars(sa.select(Response.id)).all())}@x.se"),
    )
    bearer = {"Authorization": f"Bearer {token}"}
    computed_points(indicator, K)
    db.session.commit()
    db.session.expire_all()
    return {
        "thanks": public.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True),
        "api results": public.get(f"/api/v1/surveys/{survey.slug}/results", headers=bearer).get_json(),
        "api surveys": public.get("/api/v1/surveys", headers=bearer).get_json(),
        "api needs map": public.get("/api/v1/needs-map", headers=bearer).get_json(),
        "api needs map, girls 13-15": public.get(
            "/api/v1/needs-map?age_band=13_15&gender=girl", headers=bearer
        ).get_json(),
        "needs map export": analyst.get("/staff/needs/export.json").get_json(),
        "placements": [(s.placement.id, s.responses, s.conversion) for s in placement_stats(K)],
        "indicator": sorted((p.period, p.value, p.n) for p in indicator.points),
    }


@pytest.fixture()
def running(app, db):
    survey = gen_survey("releases")
    placement = gen_placement(survey, "REL1")
    partner = db.session.get(Partner, survey.partner_id)
    indicator = Indicator(
        goal=gen_theme("safety").goal,
        owner_partner_id=partner.id,
        question_id=q(survey, "scale").id,
        unit="%",
        name={"sv": "Trygghet", "en": "Safety"},
        definition={},
    )
    db.session.add(indicator)
    db.session.commit()
    for number in range(30):
        _submit(app, survey, placement, scale=str(1 + number % 5))
    assert waiting() < K and db.session.scalar(sa.select(sa.func.count(ResultRelease.id))) >= 1
    _token, clear = create_token(partner, "bi")
    return survey, placement, clear, indicator


def test_one_submission_changes_no_view_and_k_of_them_do(app, running):
    survey, placement, token, indicator = running
    release_if_due(K)  # whatever is waiting stays waiting until k are
    waiting_before = waiting()
    before = _everything_a_partner_and_the_public_see(app, survey, token, indicator)
    assert before["api needs map"]["respondents"]["count"] is not None  # there is something to diff
    _submit(app, survey, placement, scale="1")
    assert waiting() == waiting_before + 1
    assert _everything_a_partner_and_the_public_see(app, survey, token, indicator) == before
    while waiting():
        _submit(app, survey, placement, scale="1")
    after = _everything_a_partner_and_the_public_see(app, survey, token, indicator)
    released = db.session.scalars(sa.select(ResultRelease).order_by(ResultRelease.id.desc())).first()
    assert released.responses >= K
    assert after["api needs map"] != before["api needs map"]


def _stored(survey, n: int, **columns) -> None:
    """Responses stored without passing through the form (so no release is tried on the way)."""
    for _ in range(n):
        db.session.add(
            Response(
                survey_id=survey.id,
                idempotency_key=f"direct-{db.session.scalar(sa.select(sa.func.count(Response.id)))}-{_}",
                submitted_hour=db.session.scalar(sa.select(sa.func.max(Response.submitted_hour))),
                language="sv",
                **columns,
            )
        )
    db.session.commit()


def test_a_release_never_holds_fewer_than_k_even_when_two_processes_release_at_once(app, running):
    survey, _placement, _token, _indicator = running
    _stored(survey, K - waiting())
    assert waiting() == K
    results = []

    def release() -> None:
        with app.app_context():
            results.append(release_if_due(K))
            db.session.remove()

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is None for result in results) == [False, True]
    assert all(size >= K for size in db.session.scalars(sa.select(ResultRelease.responses)))
    assert waiting() == 0


def test_quarantined_responses_wait_outside_every_release(app, running):
    survey, _placement, _token, _indicator = running
    before = waiting()
    _stored(survey, K + 2, quarantined=True)
    assert waiting() == before and release_if_due(K) is None
    db.session.execute(sa.update(Response).values(quarantined=False))  # staff let the burst through
    db.session.commit()
    release = release_if_due(K)
    assert release is not None and release.responses == before + K + 2


def test_the_release_command_releases_only_when_k_are_waiting(app, running):
    survey, _placement, _token, _indicator = running
    runner = app.test_cli_runner()
    before = waiting()
    assert "Nothing released" in runner.invoke(args=["release"]).output
    _stored(survey, K - before)
    result = runner.invoke(args=["release"])
    assert result.exit_code == 0 and f"Released {K} responses" in result.output
    assert waiting() == 0
