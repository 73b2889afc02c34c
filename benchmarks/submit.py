"""Load test of the participant path on a production-style server. Run by hand; not part of the tests.

    .venv/bin/python benchmarks/submit.py [--workers 4] [--threads 4] [--duration 20] [--concurrency 16]
                                          [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

What it does:

1. Makes a fresh temporary instance folder and SQLite database (or, with --database-url, empties that
   database's `public` schema first), runs `flask --app participation db upgrade` and `flask demo`.
2. Starts gunicorn (gthread workers) on a free port of 127.0.0.1 serving benchmarks._bench_app:app: the
   production app from create_app() plus one bare Flask route, /bench/bare, as a reference.
3. Measures three scenarios, one after the other, each bounded by --duration seconds and --max-requests:
   (a) GET /bench/bare, (b) GET of the demo survey page as a first-time visitor, (c) full submissions:
   every simulated participant is a fresh cookie jar that loads the form, reads the hidden fields and the
   questions from the HTML, answers every required question (and most optional ones) and posts the form,
   expecting 303 to the thank-you page (which is not followed).
4. Notes where the CPU time went during each scenario (server and database, load client, anything
   else), so a run disturbed by other work on the machine shows it and warns.
5. Counts the responses in the database afterwards: every acknowledged (303) submission must be stored,
   and nothing else. Exits 1 if the two differ.
6. Prints a Markdown table for the README, stops gunicorn and removes the temporary files.

All traffic is loopback: the load client runs on the same machine as the server (and the database), so
on a small machine it competes with them for CPU. Numbers are for comparing, not for promising.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_MODULE = "benchmarks._bench_app:app"
LANG = "sv"
SLUG = "backby-din-rost"  # the demo survey, see participation/demo/content.py
SURVEY_PATH = f"/{LANG}/s/{SLUG}"
THANKS_PATH = f"{SURVEY_PATH}/thanks"
BARE_PATH = "/bench/bare"
HEALTH_PATH = "/healthz"
REQUEST_TIMEOUT = 30.0
OTHER_LOAD_WARNING = 0.1  # CPUs kept busy by processes other than the server, database and client
FREE_TEXTS = [
    "Fler kvällsaktiviteter på fritidsgården",
    "Bättre belysning vid gångtunneln",
    "More summer jobs for people under 16",
    "Läxhjälp på helgerna också",
    "مكان للشباب مفتوح في عطلة نهاية الأسبوع",
    "Garoon ciyaareed oo gabdhaha u gaar ah",
]

# --------------------------------------------------------------------------- the survey form


@dataclass
class Group:
    """One <fieldset class="question">: a question (q<id>) or a profile field (profile_*)."""

    name: str
    kind: str
    required: bool
    show_if: str | None
    choices: dict[str, list[str]] = field(default_factory=dict)  # radio/checkbox name -> values
    selects: dict[str, list[str]] = field(default_factory=dict)  # ranking <select> name -> option values
    text_fields: list[str] = field(default_factory=list)  # <textarea>, <input type="text">
    hints: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """Reads the survey form as a browser would see it: hidden inputs and every question's fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: dict[str, str] = {}
        self.groups: list[Group] = []
        self._group: Group | None = None
        self._select: str | None = None
        self._hint: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        group = self._group
        if tag == "fieldset" and "question" in a.get("class", "").split():
            self._group = Group(
                name=a.get("id", ""),
                kind=a.get("data-kind", ""),
                required="data-required" in a,
                show_if=a.get("data-show-if") or None,
            )
            self.groups.append(self._group)
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "hidden":
                self.hidden[a["name"]] = a.get("value", "")
            elif group is not None and kind in {"radio", "checkbox"}:
                group.choices.setdefault(a["name"], []).append(a["value"])
            elif group is not None and kind == "text":
                group.text_fields.append(a["name"])
        elif tag == "textarea" and group is not None:
            group.text_fields.append(a["name"])
        elif tag == "select" and group is not None:
            self._select = a["name"]
            group.selects[self._select] = []
        elif tag == "option" and group is not None and self._select and a.get("value"):
            group.selects[self._select].append(a["value"])
        elif tag == "p" and group is not None and "hint" in a.get("class", "").split():
            self._hint = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._group = None
        elif tag == "select":
            self._select = None
        elif tag == "p" and self._hint is not None:
            if self._group is not None:
                self._group.hints.append("".join(self._hint))
            self._hint = None

    def handle_data(self, data: str) -> None:
        if self._hint is not None:
            self._hint.append(data)


def parse_form(page: str) -> FormParser:
    parser = FormParser()
    parser.feed(page)
    parser.close()
    return parser


def _numbers_in_last_hint(group: Group) -> list[int]:
    """Numbers in the question's own hint ("Choose up to 2.", "A whole number from 0 to 80."), which
    comes after the "Answer this only if you chose …" hint of a conditional question."""
    return [int(number) for number in re.findall(r"\d+", group.hints[-1])] if group.hints else []


def answer_form(form: FormParser, rng: random.Random) -> tuple[list[tuple[str, str]], int]:
    """A valid answer set for the parsed form, and how many answer rows it should store.

    Answers every required question, most optional ones, and only questions that are shown (a
    question with data-show-if appears only when that option was chosen earlier in the form).
    """
    fields = [(name, value) for name, value in form.hidden.items()]
    expected_answers = 0
    chosen_options: set[str] = set()
    for group in form.groups:
        if group.show_if is not None and group.show_if not in chosen_options:
            continue
        if group.kind == "profile":
            for name, values in group.choices.items():
                if rng.random() < 0.8:
                    fields.append((name, rng.choice(values)))
            continue
        if not group.required and rng.random() < 0.25:
            continue
        picked: list[str] = []
        if group.kind in {"single_choice", "scale", "yes_no"}:
            values = group.choices[group.name]
            picked = [rng.choice(values)]
        elif group.kind == "multiple_choice":
            values = group.choices[group.name]
            limit = max(1, min([len(values), *_numbers_in_last_hint(group)]))
            picked = rng.sample(values, rng.randint(1, limit))
        elif group.kind == "ranking":
            ranks = list(group.selects)  # q<id>_1, q<id>_2, ...
            options = rng.sample(group.selects[ranks[0]], rng.randint(1, len(ranks)))
            for rank_name, option in zip(ranks, options, strict=False):
                fields.append((rank_name, option))
            chosen_options.update(options)
            expected_answers += len(options)
            continue
        elif group.kind == "number":
            bounds = _numbers_in_last_hint(group)
            low, high = (bounds[0], bounds[1]) if len(bounds) >= 2 else (0, 10)
            picked = [str(rng.randint(low, min(high, low + 40)))]
        elif group.kind == "free_text":
            picked = [rng.choice(FREE_TEXTS)]
        else:
            raise RuntimeError(f"unknown question kind {group.kind!r} in {group.name}")
        name = group.text_fields[0] if group.kind in {"number", "free_text"} else group.name
        fields += [(name, value) for value in picked]
        if group.kind in {"single_choice", "multiple_choice"}:
            chosen_options.update(picked)
        expected_answers += len(picked)
    return fields, expected_answers


# --------------------------------------------------------------------------- HTTP client


class ClientError(Exception):
    """A request that did not give the expected answer; str() is the error category."""


class Client:
    """One simulated browser tab's connection to the server (HTTP/1.1, keep-alive unless told not to)."""

    def __init__(self, port: int, keep_alive: bool) -> None:
        self.port = port
        self.keep_alive = keep_alive
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes, float]:
        headers = dict(headers or {})
        if not self.keep_alive:
            headers["Connection"] = "close"
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except TimeoutError:
            self.close()
            raise ClientError("timeout") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ClientError(type(exc).__name__) from None
        elapsed = time.perf_counter() - started
        if response.will_close:
            self.close()
        return response, data, elapsed


def cookies_from(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: dict[str, str] = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()
    return jar


# --------------------------------------------------------------------------- scenarios


@dataclass
class Result:
    """What one scenario measured. `latencies` are seconds of the measured request kind."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # seconds: "client", "server", "other"
    extra: dict[str, list[float]] = field(default_factory=dict)  # other requests made along the way
    acknowledged: int = 0
    expected_answers: int = 0

    def merge(self, other: Result) -> None:
        self.latencies += other.latencies
        self.errors.update(other.errors)
        for key, values in other.extra.items():
            self.extra.setdefault(key, []).extend(values)
        self.acknowledged += other.acknowledged
        self.expected_answers += other.expected_answers


Operation = Callable[[Client, random.Random, Result], None]


def get_expect(path: str, status: int = 200) -> Operation:
    def operation(client: Client, _rng: random.Random, result: Result) -> None:
        response, _body, elapsed = client.request("GET", path)
        if response.status != status:
            raise ClientError(f"GET status {response.status}")
        result.latencies.append(elapsed)

    return operation


def submit_once(client: Client, rng: random.Random, result: Result) -> None:
    """One participant: a fresh cookie jar loads the form, answers it and posts it once."""
    response, body, elapsed = client.request("GET", SURVEY_PATH)
    if response.status != 200:
        raise ClientError(f"form GET status {response.status}")
    result.extra.setdefault("form", []).append(elapsed)
    jar = cookies_from(response)
    form = parse_form(body.decode("utf-8"))
    if not {"csrf_token", "submission_key"} <= form.hidden.keys():
        raise ClientError("form without csrf_token/submission_key")
    fields, expected_answers = answer_form(form, rng)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
        "Origin": f"http://127.0.0.1:{client.port}",
        "Referer": f"http://127.0.0.1:{client.port}{SURVEY_PATH}",
    }
    encoded = urllib.parse.urlencode(fields).encode("ascii")
    response, _body, elapsed = client.request("POST", SURVEY_PATH, body=encoded, headers=headers)
    if response.status != 303:
        raise ClientError(f"POST status {response.status}")
    if urllib.parse.urlsplit(response.headers.get("Location", "")).path != THANKS_PATH:
        raise ClientError("POST 303 to an unexpected place")
    result.latencies.append(elapsed)
    result.acknowledged += 1
    result.expected_answers += expected_answers


def run_scenario(
    name: str,
    operation: Operation,
    *,
    port: int,
    concurrency: int,
    duration: float,
    max_requests: int,
    keep_alive: bool,
    seed: int,
) -> Result:
    """Run `operation` from `concurrency` threads until the time or the request budget is used up.

    No operation starts after the deadline; operations already running are waited for, and the
    wall time includes them, so the rate is completed operations per second of real time.
    """
    total = Result(name)
    budget = iter(range(max_requests))
    budget_lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + duration
    results: list[Result] = []

    def take_ticket() -> bool:
        if stop.is_set() or time.monotonic() >= deadline:
            return False
        with budget_lock:
            return next(budget, None) is not None

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        client = Client(port, keep_alive)
        mine = Result(name)
        results.append(mine)
        try:
            while take_ticket():
                try:
                    operation(client, rng, mine)
                except ClientError as exc:
                    mine.errors[str(exc)] += 1
                except Exception as exc:  # a bug in the client must not pass as a fast request
                    mine.errors[f"client {type(exc).__name__}: {exc}"] += 1
                    client.close()
        finally:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.2)
    finally:
        stop.set()
    total.wall = time.perf_counter() - started
    for result in results:
        total.merge(result)
    return total


# --------------------------------------------------------------------------- CPU accounting (Linux)


def _stat_fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat from its third field on (state, ppid, …), or [] if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text[text.rindex(")") + 2 :].split()


def _ticks(pid: int | str) -> int:
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0  # utime + stime


def _machine_busy_ticks() -> int:
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]  # all but idle and iowait


class CpuMeter:
    """Where the machine's CPU time went during a scenario: the load client (this process), the server
    (gunicorn's processes and this database's PostgreSQL backends) and everything else. Everything else
    should be close to zero; if it is not, other work on the machine skewed the numbers."""

    def __init__(self, server_pid: int, database_url: str) -> None:
        self.server_pid = server_pid
        self.backend_marker = ""
        if database_url.startswith("postgresql"):
            from sqlalchemy.engine import make_url

            parsed = make_url(database_url)
            self.backend_marker = f" {parsed.username or ''} {parsed.database or ''} "

    def _server_pids(self) -> list[str]:
        pids = [str(self.server_pid)]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = _stat_fields(entry.name)
            if fields and fields[1] == str(self.server_pid):
                pids.append(entry.name)
            elif self.backend_marker:
                with contextlib.suppress(OSError):
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    if command.startswith("postgres:") and self.backend_marker in command:
                        pids.append(entry.name)
        return pids

    def snapshot(self) -> tuple[int, dict[str, int], int]:
        return _ticks("self"), {pid: _ticks(pid) for pid in self._server_pids()}, _machine_busy_ticks()

    def since(self, before: tuple[int, dict[str, int], int]) -> dict[str, float]:
        client0, server0, busy0 = before
        client1, server1, busy1 = self.snapshot()
        per_second = os.sysconf("SC_CLK_TCK")
        client = (client1 - client0) / per_second
        server = sum(ticks - server0.get(pid, 0) for pid, ticks in server1.items()) / per_second
        busy = (busy1 - busy0) / per_second
        return {"client": client, "server": server, "other": max(0.0, busy - client - server)}


# --------------------------------------------------------------------------- database


def normalised(url: str) -> str:
    sys.path.insert(0, str(ROOT))
    from participation.config import normalise_database_url

    return normalise_database_url(url)


def engine_for(url: str):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def reset_schema(url: str) -> None:
    """Empty a PostgreSQL database: DROP SCHEMA public CASCADE; CREATE SCHEMA public."""
    import sqlalchemy as sa

    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            # Fail rather than hang if another session (a test run?) holds locks in this database.
            connection.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def count_rows(url: str) -> tuple[int, int]:
    """(responses, answers) stored in the database."""
    import sqlalchemy as sa

    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            responses = connection.scalar(sa.text("SELECT count(*) FROM response"))
            answers = connection.scalar(sa.text("SELECT count(*) FROM answer"))
    finally:
        engine.dispose()
    return int(responses or 0), int(answers or 0)


def database_description(url: str) -> str:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL), temporary file"
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            version = connection.scalar(sa.text("SHOW server_version"))
    finally:
        engine.dispose()
    host = sa.engine.make_url(url).host or "a local socket"
    where = " (same machine)" if host in {"127.0.0.1", "localhost", "a local socket"} else ""
    return f"PostgreSQL {str(version).split()[0]} on {host}{where}"


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "participation", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, port: int, workers: int, threads: int, log: Path) -> Iterator[int]:
    """Serve APP_MODULE with gunicorn until the block ends; stop it cleanly (SIGTERM) whatever happens."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--no-control-socket",
        "--log-level",
        "warning",
        APP_MODULE,
    ]
    with log.open("wb") as log_file:
        # Its own session: Ctrl+C reaches only this script, which then stops gunicorn in order.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_healthy(process, port, log)
            yield process.pid
        finally:
            stop_server(process)


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", HEALTH_PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {HEALTH_PATH} within {timeout:.0f} s:\n{tail(log)}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of the master and its workers
    try:
        process.wait(timeout=35)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --------------------------------------------------------------------------- report


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def row(label: str, latencies: list[float], wall: float, errors: int) -> str:
    values = sorted(latencies)
    ms = [f"{percentile(values, p) * 1000:.1f}" for p in (50, 95, 99)]
    rate = f"{len(values) / wall:.1f}" if wall else "–"
    return f"| {label} | {len(values)} | {rate} | {ms[0]} | {ms[1]} | {ms[2]} | {errors} |"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def setup_lines(database: str, workers: int, threads: int) -> list[str]:
    """The machine, the versions, the database and the server, as every benchmark's report begins."""
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- Machine: {nproc} CPUs (nproc), {cpu_model()}, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Flask {metadata.version('flask')}, "
        f"SQLAlchemy {metadata.version('sqlalchemy')}, gunicorn {metadata.version('gunicorn')}",
        f"- Database: {database}",
        f"- Server: gunicorn, {workers} workers × {threads} threads (gthread), 127.0.0.1",
    ]


def machine_lines(database: str, args: argparse.Namespace) -> list[str]:
    return [
        *setup_lines(database, args.workers, args.threads),
        f"- Load: {args.concurrency} concurrent clients on the same machine, "
        f"{'keep-alive connections' if args.keep_alive else 'a new connection per request'}, "
        f"{args.duration:g} s per scenario (at most {args.max_requests} operations)",
    ]


def print_report(
    results: list[Result], args: argparse.Namespace, database: str, stored: int, stored_answers: int
) -> bool:
    bare, page, submit = results
    lines = [
        "| Scenario | Requests | Requests/s | p50 ms | p95 ms | p99 ms | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row(
            f"`GET {BARE_PATH}`: bare Flask route, no database",
            bare.latencies,
            bare.wall,
            sum(bare.errors.values()),
        ),
        row(
            f"`GET {SURVEY_PATH}`: survey page, first visit",
            page.latencies,
            page.wall,
            sum(page.errors.values()),
        ),
        row(
            f"`POST {SURVEY_PATH}`: full submit, 303",
            submit.latencies,
            submit.wall,
            sum(submit.errors.values()),
        ),
        row(
            "… the form `GET` before each submit (same run)",
            submit.extra.get("form", []),
            submit.wall,
            0,
        ),
    ]
    equal = submit.acknowledged == stored
    print()
    print(f"### Load test: participant path on {database.split()[0]}")
    print()
    print(*machine_lines(database, args), sep="\n")
    print()
    print(*lines, sep="\n")
    print()
    print(
        f"Submissions acknowledged (303): **{submit.acknowledged}**; stored in the database: **{stored}**"
        f" ({'equal' if equal else 'NOT EQUAL'}). Answer rows stored: {stored_answers}"
        f" of {submit.expected_answers} posted."
    )
    print()
    print(
        "Each submit is a new participant (fresh cookie jar): `GET` the form, parse it, `POST` the answers;"
        " Requests/s of the `POST` row is completed submissions per second."
    )
    print()
    if not all(result.cpu for result in results):  # no /proc: not Linux
        return equal and stored_answers == submit.expected_answers
    usage = "; ".join(
        f"{result.name}: server {result.cpu['server'] / result.wall:.2f}, load client"
        f" {result.cpu['client'] / result.wall:.2f}, other processes {result.cpu['other'] / result.wall:.2f}"
        for result in results
    )
    print(f"CPUs busy on average (1.00 = one CPU), {usage}.")
    print()
    busiest = max(result.cpu["other"] / result.wall for result in results)
    if busiest > OTHER_LOAD_WARNING:
        print(
            f"Warning: other processes kept up to {busiest:.2f} CPUs busy during a scenario;"
            " these numbers understate what this machine can do. Run again on a quiet machine.",
            file=sys.stderr,
        )
    for result in results:
        if result.errors:
            print(f"Errors in {result.name}: {dict(result.errors)}", file=sys.stderr)
    return equal and stored_answers == submit.expected_answers


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per scenario (default 20)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="at most this many operations per scenario"
    )
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured warm-up seconds (default 2)")
    parser.add_argument(
        "--database-url",
        help="use this database instead of a temporary SQLite file; its public schema is DROPPED first",
    )
    parser.add_argument(
        "--no-keep-alive",
        dest="keep_alive",
        action="store_false",
        help="open a new connection for every request (as behind a proxy without upstream keep-alive)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for the answers")
    args = parser.parse_args(argv)
    if min(args.workers, args.threads, args.concurrency, args.max_requests) < 1 or args.duration <= 0:
        parser.error("workers, threads, concurrency, max-requests and duration must be positive")
    return args


def _raise_keyboard_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """Clean up on kill as on Ctrl+C."""
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def prepare_database(database_url: str | None, temp: Path, name: str) -> str:
    """The given database with its public schema emptied, or a new SQLite file in the temp folder."""
    if not database_url:
        return f"sqlite:///{temp / name}"
    url = normalised(database_url)
    if url.startswith("postgresql"):
        print(f"Resetting the public schema of {url} …", file=sys.stderr)
        reset_schema(url)
    return url


def app_settings(url: str, instance: Path, port: int) -> dict[str, str]:
    """The app's PARTICIPATION_* settings for a benchmark run: its own database, instance and secret."""
    return {
        "PARTICIPATION_DATABASE_URL": url,
        "PARTICIPATION_INSTANCE_PATH": str(instance),
        "PARTICIPATION_SECRET_KEY": secrets.token_hex(32),
        "PARTICIPATION_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


def app_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without any other PARTICIPATION_* setting, plus the given ones."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PARTICIPATION_")}
    return {**env, **settings, "PYTHONDONTWRITEBYTECODE": "1"}


def server_errors(log: Path) -> int:
    """How many tracebacks gunicorn logged; prints the log's tail when there are any."""
    count = log.read_text(errors="replace").count("Traceback")
    if count:
        print(f"gunicorn logged {count} tracebacks; the last lines:\n{tail(log)}", file=sys.stderr)
    return count


def run_benchmark(body: Callable[[Path], int], prefix: str, keep: bool = False) -> int:
    """Run one benchmark in a temporary folder and turn the usual failures into an exit code.

    The folder (instance, SQLite file, gunicorn log) is removed afterwards unless `keep` is set.
    """
    temp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return body(temp)
    except subprocess.CalledProcessError as exc:
        print(f"Failed: {' '.join(map(str, exc.cmd))} exited with {exc.returncode}.", file=sys.stderr)
        return 1
    except ClientError as exc:
        print(f"Failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; gunicorn stopped.", file=sys.stderr)
        return 130
    finally:
        if not keep:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    return run_benchmark(lambda temp: _run(args, temp), "delaktig-bench-")


def _run(args: argparse.Namespace, temp: Path) -> int:
    instance = temp / "instance"
    url = prepare_database(args.database_url, temp, "bench.sqlite3")
    port = free_port()
    # Every client is 127.0.0.1: as one school's address, over the flood ceiling in seconds. The run
    # measures answering, not the quarantine, so the ceiling is raised for it (README, "Flood limits").
    settings = {**app_settings(url, instance, port), "PARTICIPATION_FLOOD_RESPONSES": "100000 per 10 minutes"}
    env = app_environment(settings)
    print("Migrating and loading the demo …", file=sys.stderr)
    flask(env, "db", "upgrade")
    flask(env, "demo")
    database = database_description(url)
    before, answers_before = count_rows(url)
    print(f"{before} demo responses before the run.", file=sys.stderr)
    log = temp / "gunicorn.log"
    with gunicorn(env, port=port, workers=args.workers, threads=args.threads, log=log) as server_pid:
        meter = CpuMeter(server_pid, url) if Path("/proc/stat").exists() else None
        common = {
            "port": port,
            "concurrency": args.concurrency,
            "max_requests": args.max_requests,
            "keep_alive": args.keep_alive,
            "seed": args.seed,
        }
        if args.warmup > 0:
            print(f"Warming up for {args.warmup:g} s …", file=sys.stderr)
            for path in (BARE_PATH, SURVEY_PATH):
                run_scenario("warm-up", get_expect(path), duration=args.warmup / 2, **common)
        results = []
        for name, operation in (
            ("bare", get_expect(BARE_PATH)),
            ("survey page", get_expect(SURVEY_PATH)),
            ("submit", submit_once),
        ):
            print(f"Scenario {name}: {args.duration:g} s …", file=sys.stderr)
            cpu_before = meter.snapshot() if meter else None
            result = run_scenario(name, operation, duration=args.duration, **common)
            if meter and cpu_before:
                result.cpu = meter.since(cpu_before)
            results.append(result)
    server_errors(log)
    after, answers_after = count_rows(url)
    ok = print_report(results, args, database, after - before, answers_after - answers_before)
    if not results[2].acknowledged:
        print("No submission was acknowledged: the benchmark did not work.", file=sys.stderr)
        return 1
    if not ok:
        print("Acknowledged and stored submissions differ.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
