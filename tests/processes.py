"""Real servers for deployment tests: the systemd unit's command lines, gunicorn, a fresh database, a client.

The deployment files in deploy/ are what the README tells an IT department to install; the tests read
their lines instead of repeating them, so the files and the tests cannot drift apart.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from participation import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
UNIT = DEPLOY / "delaktig.service"
ENV_EXAMPLE = DEPLOY / "delaktig.env.example"
NGINX_SITE = DEPLOY / "delaktig.nginx.conf"
CHECKOUT = "/srv/delaktig"  # where the unit expects the checkout
PUBLIC_HOST = "delaktig.example.se"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reachable(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """An EnvironmentFile's NAME=value lines (comments and blank lines skipped)."""
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _sep, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def unit_line(key: str, path: Path = UNIT) -> str:
    """The value of one `Key=` line of the systemd unit."""
    values = [line.split("=", 1)[1] for line in path.read_text().splitlines() if line.startswith(key + "=")]
    assert len(values) == 1, f"{path.name} should have exactly one {key}= line"
    return values[0]


def unit_command(key: str, **options: str) -> list[str]:
    """The unit's ExecStart/ExecStartPre as this checkout runs it, with `--option value` pairs replaced.

    The checkout's `.venv/bin/<tool>` becomes `python -m <tool>` of the interpreter running the tests, so
    the code served is this working copy's.
    """
    command = shlex.split(unit_line(key))
    tool = command[0]
    assert tool.startswith(f"{CHECKOUT}/.venv/bin/"), tool
    command = [sys.executable, "-m", Path(tool).name, *command[1:]]
    for option, value in options.items():
        flag = "--" + option.replace("_", "-")
        assert flag in command, f"{key} has no {flag}"
        command[command.index(flag) + 1] = value
    return command


def app_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without its PARTICIPATION_* settings, plus the given ones."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PARTICIPATION_")}
    return {**env, **settings, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}


def run_exec_start_pre(env: dict[str, str]) -> None:
    """The unit's ExecStartPre (`flask db upgrade`) in the checkout, as systemd runs it before the app."""
    subprocess.run(unit_command("ExecStartPre"), cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], port: int, log: Path, workers: int = 2
) -> Iterator[subprocess.Popen[bytes]]:
    """The unit's ExecStart on another port (and worker count), until the block ends; then SIGTERM."""
    command = unit_command("ExecStart", bind=f"127.0.0.1:{port}", workers=str(workers))
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(lambda: Client(port).get("/healthz")[0] == 200, process, log)
            yield process
        finally:
            stop(process)


def wait_for(ready, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} stopped with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            if ready():
                return
        time.sleep(0.2)
    raise AssertionError(f"{process.args} did not come up in {timeout:.0f} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def fresh_database(suite_url: str, directory: Path) -> Iterator[str]:
    """A new, empty database of the suite's kind (a SQLite file, or a database on the same PostgreSQL)."""
    if not suite_url.startswith("postgres"):
        yield f"sqlite:///{directory / 'deploy.sqlite3'}"
        return
    server = sa.make_url(suite_url).set(drivername="postgresql+psycopg")
    name = f"deploy_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def csrf_from(html: str) -> str:
    """The CSRF token of a rendered form (whatever the order of the input's attributes)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class Client:
    """A small HTTP(S) client for one server, keeping cookies by name (whatever their Secure flag says).

    `source` is the loopback address it connects from, so that address can be looked for in logs and
    counted by rate limits; `host` is the Host header (the public name behind a proxy).
    """

    def __init__(
        self, port: int, *, tls: bool = False, host: str | None = None, source: str = "127.0.0.1"
    ) -> None:
        self.port, self.tls, self.host, self.source = port, tls, host, source
        self.cookies: dict[str, str] = {}
        self.set_cookies: dict[str, str] = {}  # each cookie's last Set-Cookie line, attributes and all

    def _connection(self) -> http.client.HTTPConnection:
        if not self.tls:
            return http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
            )
        context = ssl.create_default_context()
        context.check_hostname = False  # the test's certificate is self-signed
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0), context=context
        )
        return connection

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Message, str]:
        """Status, headers and the body as text (ungzipped when the server compressed it)."""
        sent = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if self.host:
            sent["Host"] = self.host
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers={**sent, **(headers or {})})
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = line.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
            self.set_cookies[name] = line
        if response.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return response.status, response.headers, raw.decode(errors="replace")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Message, str]:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict[str, object]) -> tuple[int, Message, str]:
        return self.request("POST", path, form)
