"""Many phones submitting at the same moment: exactly as many responses stored as acknowledged."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from participation.surveys.models import Response
from tests.factories import gen_survey, open_form, valid_answers

PHONES = 24


def test_simultaneous_submissions_from_many_devices(app, db):
    survey = gen_survey()
    clients = [app.test_client() for _ in range(PHONES)]
    forms = [open_form(c, survey) for c in clients]
    barrier = threading.Barrier(PHONES)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(index: int) -> None:
        barrier.wait()
        result = clients[index].post(f"/sv/s/{survey.slug}", data={**forms[index], **valid_answers(survey)})
        with lock:
            statuses.append(result.status_code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(PHONES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    acknowledged = statuses.count(303)
    stored = db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.survey_id == survey.id))
    assert set(statuses) == {303}
    assert stored == acknowledged == PHONES


def test_simultaneous_double_taps_store_one(app, db):
    survey = gen_survey()
    client = app.test_client()
    data = {**open_form(client, survey), **valid_answers(survey)}
    taps = 8
    barrier = threading.Barrier(taps)
    statuses: list[int] = []

    def tap() -> None:
        barrier.wait()
        statuses.append(client.post(f"/sv/s/{survey.slug}", data=data).status_code)

    threads = [threading.Thread(target=tap) for _ in range(taps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(statuses) == {303}
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
