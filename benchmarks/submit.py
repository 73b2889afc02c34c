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
import random
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# E402: these need ROOT on sys.path when run as a script.
from benchmarks.harness.cli import run_benchmark, stop_on_sigterm  # noqa: E402
from benchmarks.harness.client import Client, ClientError, cookies_from, form_headers  # noqa: E402
from benchmarks.harness.cpu import CpuMeter  # noqa: E402
from benchmarks.harness.database import database_description, engine_for, prepare_database  # noqa: E402
from benchmarks.harness.forms import answer_form, parse_form  # noqa: E402
from benchmarks.harness.report import cpu_ms_per_request, percentile, setup_lines  # noqa: E402
from benchmarks.harness.server import (  # noqa: E402
    app_environment,
    app_settings,
    flask,
    free_port,
    gunicorn,
    server_errors,
)
from participation.demo import content  # noqa: E402

LANG = "sv"
SURVEY_PATH = f"/{LANG}/s/{content.SURVEY['slug']}"  # the demo survey
THANKS_PATH = f"{SURVEY_PATH}/thanks"
BARE_PATH = "/bench/bare"
OTHER_LOAD_WARNING = 0.1  # CPUs kept busy by processes other than the server, database and client

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
    encoded = urllib.parse.urlencode(fields).encode("ascii")
    headers = form_headers(client.port, SURVEY_PATH, jar)
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


# --------------------------------------------------------------------------- report


def row(label: str, latencies: list[float], wall: float, errors: int) -> str:
    values = sorted(latencies)
    ms = [f"{percentile(values, p) * 1000:.1f}" for p in (50, 95, 99)]
    rate = f"{len(values) / wall:.1f}" if wall else "–"
    return f"| {label} | {len(values)} | {rate} | {ms[0]} | {ms[1]} | {ms[2]} | {errors} |"


def machine_lines(database: str, args: argparse.Namespace) -> list[str]:
    return [
        *setup_lines(database, args.workers, args.threads),
        f"- Load: {args.concurrency} concurrent clients on the same machine, "
        f"{'keep-alive connections' if args.keep_alive else 'a new connection per request'}, "
        f"{args.duration:g} s per scenario (at most {args.max_requests} operations)",
    ]


def cpu_per_request_line(bare: Result, page: Result, submit: Result) -> str:
    """The survey page's server CPU (workers and database) next to the bare route's, as the README states it."""
    bare_ms, page_ms, submit_ms = (
        cpu_ms_per_request(result.cpu["server"], len(result.latencies)) for result in (bare, page, submit)
    )
    return (  # a submit scenario's operation is a form GET and a POST: its CPU is per participant
        f"Server CPU per request (workers and database): bare route {bare_ms:.2f} ms, survey page"
        f" {page_ms:.2f} ms ({page_ms / bare_ms:.1f}× the bare route), one participant's form and submit"
        f" {submit_ms:.2f} ms."
    )


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
    print(cpu_per_request_line(bare, page, submit))
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
