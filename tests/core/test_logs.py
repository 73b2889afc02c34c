"""No personal data in logs: a scripted session leaves neither the client's address nor what it typed."""

from __future__ import annotations

import http.client
import json
import logging
import os
import shlex
import socket
import subprocess
import time
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from participation import PROJECT_ROOT, create_app
from participation.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import (
    csrf_token,
    gen_forum_session,
    gen_placement,
    gen_survey,
    gen_user,
    hidden_fields,
    q,
    valid_answers,
)

ADDRESS = "203.0.113.77"
ANSWER = "Zebrakaka vid tvättstugan 7731"
TOPIC = "Pingisbord i källaren 4410"
EMAIL = "okand.person@example.se"
CODE = "LOGS1"


def _secrets(survey_slug: str, forum_code: str) -> list[str]:
    """What must never be written down: the address, typed text, an e-mail, codes and slugs from paths."""
    return [ADDRESS, ANSWER, TOPIC, EMAIL, CODE, survey_slug, forum_code]


def request_lines(logged: str) -> list[dict[str, object]]:
    """The request log's JSON lines, each without its duration (which varies)."""
    lines = []
    for line in logged.splitlines():
        start = line.find('{"event": "request"')
        if start >= 0:
            fields = json.loads(line[start:])
            assert isinstance(fields.pop("duration_ms"), int)
            lines.append(fields)
    return lines


def test_a_scripted_session_logs_routes_but_no_address_or_answer(app, client, db, caplog):
    caplog.set_level(logging.DEBUG)
    survey = gen_survey("loggad-enkat")
    gen_placement(survey, CODE)
    forum = gen_forum_session(items=())
    gen_user("staff")
    client.environ_base["REMOTE_ADDR"] = ADDRESS

    assert client.get(f"/q/{CODE}").status_code == 302
    form = hidden_fields(client.get(f"/sv/s/{survey.slug}?p={CODE}").get_data(as_text=True))
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'text').id}"] = ANSWER
    submitted = client.post(f"/sv/s/{survey.slug}", data={**form, **answers})
    assert submitted.status_code == 303
    assert client.get(submitted.headers["Location"]).status_code == 200
    client.post(
        f"/sv/f/{forum.code}/propose", data={"csrf_token": csrf_token(client, "/sv/f"), "text": TOPIC}
    )
    token = csrf_token(client, "/staff/login")
    client.post("/staff/login", data={"csrf_token": token, "email": EMAIL, "password": "fel lösenord"})
    client.get(f"/sv/s/{survey.slug}%00")

    logged = caplog.text
    requests = request_lines(logged)
    assert {"event": "request", "method": "POST", "route": "/<lang>/s/<slug>", "status": 303} in requests
    assert {"event": "request", "method": "GET", "route": "/q/<code>", "status": 302} in requests
    assert {"event": "request", "method": "GET", "route": "/<lang>/s/<slug>", "status": 400} in requests
    assert [secret for secret in _secrets(survey.slug, forum.code) if secret in logged] == []


def test_an_error_is_logged_by_route_with_sql_parameters_hidden(caplog):
    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    def broken(code: str) -> str:
        db.session.execute(sa.text("SELECT answer FROM no_such_table WHERE text = :text"), {"text": ANSWER})
        return "never"

    app.add_url_rule("/broken/<code>", "broken", broken)
    caplog.set_level(logging.DEBUG)
    response = app.test_client().get(f"/broken/{CODE}", environ_base={"REMOTE_ADDR": ADDRESS})
    assert response.status_code == 500
    logged = caplog.text
    assert "Exception on /broken/<code> [GET]" in logged
    assert "no_such_table" in logged  # the traceback is there, for whoever must fix it
    assert "SQL parameters hidden" in logged
    assert [secret for secret in (ADDRESS, ANSWER, CODE) if secret in logged] == []


# --- The real servers, started the way `make run` and `make serve` start them -------------------------

# The client connects from its own loopback address, so that address can be looked for in the output.
CLIENT_ADDRESS = "127.0.0.77"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_command(target: str, port: int) -> list[str]:
    """The server line of `make <target>`, as make would run it (make -n prints without running)."""
    printed = subprocess.run(
        ["make", "-n", target, f"PORT={port}"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in printed.splitlines() if " run " in line or "gunicorn" in line)
    # One worker is enough to show what a worker logs, and boots faster on a small test machine.
    return shlex.split(line.replace("--workers 4", "--workers 1"))


class Browser:
    """A minimal HTTP client with cookies, connecting from CLIENT_ADDRESS."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=20, source_address=(CLIENT_ADDRESS, 0)
        )
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.headers), text


def _wait_until_up(browser: Browser, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the server stopped: " + (process.stdout.read() if process.stdout else ""))
        try:
            if browser.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_run_and_serve_log_no_address_and_no_answer(db, target):
    survey = gen_survey("loggad-enkat")
    gen_placement(survey, CODE)
    port = _free_port()
    environment = {
        **os.environ,
        "PARTICIPATION_DATABASE_URL": TEST_DATABASE_URL,
        # Even an access log switched on by hand must not carry the address.
        "GUNICORN_CMD_ARGS": "--access-logfile -",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        _server_command(target, port),
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        browser = Browser(port)
        _wait_until_up(browser, process)
        status, headers, _page = browser.request("GET", f"/q/{CODE}")
        assert status == 302
        status, _headers, page = browser.request("GET", headers["Location"])
        assert status == 200
        answers = valid_answers(survey)
        answers[f"q{q(survey, 'text').id}"] = ANSWER
        status, _headers, _page = browser.request(
            "POST", f"/sv/s/{survey.slug}", {**hidden_fields(page), **answers}
        )
        assert status == 303
        browser.request("GET", "/sv/s/no-such-survey")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert {
        "event": "request",
        "method": "POST",
        "route": "/<lang>/s/<slug>",
        "status": 303,
    } in request_lines(output), output
    leaked = [
        secret for secret in (CLIENT_ADDRESS, ANSWER, CODE, survey.slug, "no-such-survey") if secret in output
    ]
    assert leaked == [], output


def test_a_database_error_s_key_values_stay_out_of_the_log(caplog):
    """PostgreSQL's DETAIL names the key's value ("Key (email)=(…)"); the log keeps only the column."""
    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    def broken() -> str:
        raise RuntimeError(f"duplicate key value\nDETAIL:  Key (email)=({ANSWER}@example.se) already exists.")

    app.add_url_rule("/duplicate", "duplicate", broken)
    caplog.set_level(logging.DEBUG)
    assert app.test_client().get("/duplicate").status_code == 500
    assert "Key (email)=(…) already exists" in caplog.text
    assert ANSWER not in caplog.text
