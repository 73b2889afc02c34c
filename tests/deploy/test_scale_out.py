"""Two app processes on one PostgreSQL database, rate limits in Redis: the README's scale-out recipe, run.

The recipe is deploy/delaktig.service with the settings of deploy/delaktig.env.example (README, "Running
on PostgreSQL with several processes"). systemd cannot run inside a test, so the test reads the unit's
ExecStartPre and ExecStart lines and runs those command lines itself: `flask db upgrade` once, then
gunicorn twice, as process A and process B of two machines, each on a free port with two workers instead
of four. The env file's settings are kept, but for the database (a fresh one on the suite's PostgreSQL
server, dropped afterwards), the secret key (random, the same for both), the instance folder and Redis
(a database number of its own, emptied first). Participants, voters and staff then use both processes,
and the rules hold as if there were one.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import (
    PASSWORD,
    gen_forum_session,
    gen_survey,
    gen_theme,
    gen_user,
    hidden_fields,
    opt,
    q,
    valid_answers,
)
from tests.processes import (
    Client,
    app_environment,
    csrf_from,
    env_file,
    free_port,
    fresh_database,
    gunicorn,
    reachable,
    run_exec_start_pre,
)

REDIS_URL = "redis://127.0.0.1:6379/5"

pytestmark = [
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgres"),
        reason="scale-out runs on PostgreSQL (set PARTICIPATION_TEST_DATABASE_URL); SQLite serves one machine",
    ),
    pytest.mark.skipif(not reachable("127.0.0.1", 6379), reason="no Redis on 127.0.0.1:6379"),
]


@dataclass
class World:
    url: str
    a: int  # process A's port
    b: int  # process B's port
    slug: str
    answers: dict[str, object]
    survey_id: int
    question_id: int
    option_b: int
    theme_id: int
    forum_code: str
    items: dict[str, int]
    email: str
    logs: list[Path]

    def count(self, sql: str) -> int:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(connection.execute(sa.text(sql)).scalar_one())
        finally:
            engine.dispose()


def _seed(url: str, secret: str) -> dict[str, object]:
    """A survey, a theme, a forum poll and a staff account, made in the new database by this process."""
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": secret})
    with app.app_context():
        survey = gen_survey("skala")
        theme = gen_theme("jobs")
        db.session.commit()
        user = gen_user("staff")
        forum = gen_forum_session(items=("Ja", "Nej"))
        seeded = {
            "slug": survey.slug,
            "answers": valid_answers(survey),
            "survey_id": survey.id,
            "question_id": q(survey, "pick").id,
            "option_b": int(opt(survey, "pick", "b")),
            "theme_id": theme.id,
            "forum_code": forum.code,
            "items": {item.text["sv"]: item.id for item in forum.items},
            "email": user.email,
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with fresh_database(TEST_DATABASE_URL, tmp_path) as url:
        settings = env_file()
        settings.update(
            PARTICIPATION_DATABASE_URL=url,
            PARTICIPATION_SECRET_KEY=secrets.token_hex(32),
            PARTICIPATION_INSTANCE_PATH=str(tmp_path / "instance"),
            PARTICIPATION_RATELIMIT_STORAGE_URI=REDIS_URL,
        )
        env = app_environment(settings)
        run_exec_start_pre(env)
        seeded = _seed(url, settings["PARTICIPATION_SECRET_KEY"])
        a, b = free_port(), free_port()
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        with gunicorn(env, a, logs[0]), gunicorn(env, b, logs[1]):
            yield World(url=url, a=a, b=b, logs=logs, **seeded)  # type: ignore[arg-type]
        for log in logs:
            assert "Traceback" not in log.read_text(), log.read_text()


def _on(client: Client, port: int) -> Client:
    """The same browser (its cookies) talking to another process."""
    client.port = port
    return client


def _at_once(*posts: tuple[Client, str, dict[str, object]]) -> list[int]:
    """Send the (client, path, form) posts in parallel threads; their statuses, in order."""
    statuses: list[int] = [0] * len(posts)

    def run(index: int) -> None:
        client, path, form = posts[index]
        statuses[index] = client.post(path, form)[0]

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _submit_responses(world: World) -> None:
    path = f"/sv/s/{world.slug}"
    for number in range(10):  # ten phones, every other one on each process: two releases of five
        phone = Client(world.a if number % 2 else world.b)
        status, _headers, page = phone.get(path)
        assert status == 200
        assert phone.post(path, {**hidden_fields(page), **world.answers})[0] == 303

    # One response per device: answered on A, the same phone is "already answered" on B, even with a new form.
    phone = Client(world.a)
    form = hidden_fields(phone.get(path)[2])
    assert phone.post(path, {**form, **world.answers})[0] == 303
    status, _headers, page = _on(phone, world.b).get(path)
    assert status == 200 and 'name="submission_key"' not in page
    another_form = {**form, "submission_key": secrets.token_urlsafe(32)}  # as a form opened earlier would be
    assert phone.post(path, {**another_form, **world.answers})[0] == 409

    # Exactly once: the same form (one submission key) sent to A and B at the same moment is stored once.
    for _attempt in range(3):
        phone = Client(world.a)
        form = {**hidden_fields(phone.get(path)[2]), **world.answers}
        twin = Client(world.b)
        twin.cookies = dict(phone.cookies)
        statuses = _at_once((phone, path, form), (twin, path, form))
        assert sorted(statuses) in ([303, 303], [303, 409]), statuses
    assert world.count("SELECT count(*) FROM response") == 10 + 1 + 3


def test_two_processes_keep_the_uniqueness_rules(world: World) -> None:
    _submit_responses(world)

    # Forum: a phone's first action, on A and on B at once, is one participant; a poll is one choice, so
    # of "Ja" on A and "Nej" on B at the same moment exactly one is stored.
    path = f"/sv/f/{world.forum_code}"
    phone = Client(world.a)
    token = csrf_from(phone.get(path)[2])
    twin = Client(world.b)
    twin.cookies = dict(phone.cookies)
    yes, no = ({"csrf_token": token, "item": world.items[text]} for text in ("Ja", "Nej"))
    statuses = _at_once((phone, f"{path}/vote", yes), (twin, f"{path}/vote", no))
    assert sorted(statuses) == [303, 409], statuses
    assert world.count("SELECT count(*) FROM forum_participant") == 1
    assert world.count("SELECT count(*) FROM forum_vote") == 1
    assert twin.post(f"{path}/vote", yes)[0] == 409
    assert phone.post(f"{path}/vote", no)[0] == 409
    assert world.count("SELECT count(*) FROM forum_vote") == 1


def _needs_map(staff: Client, port: int) -> str:
    status, _headers, body = _on(staff, port).get("/staff/needs/export.json")
    assert status == 200, body
    return body


def test_a_staff_change_on_one_process_moves_the_needs_map_on_the_other(world: World) -> None:
    _submit_responses(world)
    staff = Client(world.b)
    token = csrf_from(staff.get("/staff/login")[2])
    login = staff.post("/staff/login", {"csrf_token": token, "email": world.email, "password": PASSWORD})
    assert login[0] == 302
    # Both processes (every worker, likely) have counted the needs map and keep its tally.
    before = {_needs_map(staff, port) for port in (world.a, world.b) * 4}
    assert len(before) == 1

    # Signed in on B, the staff member tags option b (which every respondent chose) on A.
    _on(staff, world.a)
    page = staff.get(f"/staff/surveys/{world.survey_id}/questions/{world.question_id}")[2]
    saved = staff.post(
        f"/staff/surveys/{world.survey_id}/options/{world.option_b}",
        {"csrf_token": csrf_from(page), "label": "Val b", "key": "b", "theme_ids": world.theme_id},
    )
    assert saved[0] == 302

    after = {_needs_map(staff, port) for port in (world.b, world.a) * 4}
    assert len(after) == 1 and after != before
    [untagged] = json.loads(before.pop())["themes"]
    needs = json.loads(after.pop())
    [tagged] = needs["themes"]
    assert untagged["theme"] == tagged["theme"] == "jobs"
    assert "choices" not in untagged["components"]
    assert tagged["components"]["choices"]["base"] == needs["respondents"]  # everyone was asked


def test_rate_limits_count_across_processes(world: World) -> None:
    """A phone's 30 sends a minute on a survey, counted once in Redis whichever process answers."""
    path = f"/sv/s/{world.slug}"
    phone = Client(world.a)
    phone.get(path)  # the device cookie
    broken = {"submission_key": "-"}  # refused at once (400), but counted like every send
    statuses = [phone.post(path, broken)[0] for _ in range(15)]
    statuses += [_on(phone, world.b).post(path, broken)[0] for _ in range(15)]
    assert statuses == [400] * 30
    status, headers, _page = phone.post(path, broken)
    assert status == 429 and int(headers["Retry-After"]) > 0
    assert _on(phone, world.a).post(path, broken)[0] == 429
    assert Client(world.a).post(path, broken)[0] == 400  # another phone
