"""Load test of a live forum session: a room full of phones voting while projectors poll. Run by hand.

    .venv/bin/python benchmarks/forum.py [--participants 500] [--duration 30] [--screens 5] [--workers 4]
                                         [--threads 4] [--mode topics|poll] [--follow-redirects]
                                         [--database-url postgresql://postgres@127.0.0.1:5432/forumbench]

What it does:

1. Makes a fresh temporary instance folder and SQLite database (or, with --database-url, empties that
   database's `public` schema first), runs `flask --app participation db upgrade`, and creates one forum
   session with services.create_session in an app context of its own: topics mode (8 topics, voting
   opened and proposals closed as a facilitator would) or poll mode (8 options, voting open at once).
2. Starts gunicorn (gthread workers, as benchmarks/submit.py does) on a free port of 127.0.0.1.
3. Simulates --participants phones arriving at random over --duration seconds, each with its own cookie
   jar (its own device): GET /sv/f/<code> (device cookie, session cookie, csrf_token from the page), then,
   after a short think, POST /sv/f/<code>/vote for 2–3 different topics (poll: one option), expecting 303
   each time. A fixed pool of client threads runs them; no request starts after a hard deadline.
4. Meanwhile --screens projector screens poll /sv/f/<code>/results.json the way static/js/live.js does:
   one request, then one second's pause, with If-None-Match set to the last ETag. They go on for a few
   seconds after the last vote, so every vote can reach a screen.
5. Checks that every acknowledged vote is stored (SELECT sum(weight) FROM forum_vote) and nothing else,
   and that every acknowledged vote reached a screen; exits 1 if not. Prints a Markdown table for the README, stops gunicorn (also on Ctrl+C) and removes
   the temporary files.

The projector's update delay is estimated per acknowledged vote: the votes are ranked by the time their
303 arrived, and the k-th vote counts as shown on a screen from the moment that screen received a
results body whose total is at least k (totals only grow here, since nobody takes a vote back). The
delay is that moment minus the 303's arrival, or 0 if the screen had it first. Commit order and 303 order
can differ by a few milliseconds among concurrent votes, so this is an estimate; the report also gives a
bound that is certain: the first answer (200 or 304) to a poll sent after the 303 arrived.

All traffic is loopback: the load client runs on the same machine as the server (and the database), so
on a small machine it competes with them for CPU. Numbers are for comparing, not for promising.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import os
import queue
import random
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.submit import (  # noqa: E402  (needs ROOT on sys.path when run as a script)
    Client,
    ClientError,
    app_environment,
    app_settings,
    cookies_from,
    database_description,
    engine_for,
    flask,
    free_port,
    gunicorn,
    percentile,
    prepare_database,
    run_benchmark,
    server_errors,
    setup_lines,
    stop_on_sigterm,
)

LANG = "sv"
DEVICE_COOKIE = "delaktig_device"  # participation/privacy.py
TITLE = "Ungdomsforum Backby"
ITEMS = [
    "Fler sommarjobb för unga under 16",
    "Fritidsgården öppen på helgerna",
    "Bättre belysning vid gångtunneln",
    "Läxhjälp på biblioteket",
    "En egen tid i sporthallen för tjejer",
    "Billigare busskort för unga",
    "En scen för musik och dans",
    "Fler bänkar och tak vid torget",
]
THINK = (0.3, 1.5)  # seconds before each vote; below gunicorn's 2 s keep-alive, so connections stay open
SCREEN_INTERVAL = 1.0  # static/js/live.js: the next poll one second after the last one answered
SCREEN_TAIL = 3.0  # screens go on this long after the last participant finished
GRACE = 60.0  # no participant request starts later than duration + GRACE
REQUEST_JOIN = 35.0  # a screen mid-request answers or times out (30 s) within this


# --------------------------------------------------------------------------- the forum session


class PageParser(HTMLParser):
    """The participant page as a phone sees it: the csrf token and the items it can vote on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.csrf_token: str | None = None
        self.items: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "input":
            return
        a = {key: value or "" for key, value in attrs}
        if a.get("type") != "hidden":
            return
        if a.get("name") == "csrf_token" and self.csrf_token is None:
            self.csrf_token = a.get("value")
        elif a.get("name") == "item" and a.get("value") and a["value"] not in self.items:
            self.items.append(a["value"])


def create_forum(mode: str) -> tuple[str, list[int]]:
    """One open forum session with voting open, made as the facilitator's page would; (code, item ids).

    Uses the PARTICIPATION_* variables already set in os.environ, like the server will.
    """
    from participation import create_app
    from participation.forum import services
    from participation.forum.models import ForumMode

    app = create_app()
    try:
        with app.app_context():
            session = services.create_session(
                title=TITLE,
                base_language=LANG,
                languages=[LANG, "en"],
                mode=ForumMode(mode),
                dots_per_person=None,
                several_dots_per_item=False,
                requires_approval=True,
                items=ITEMS,
            )
            if session.mode is ForumMode.TOPICS:
                # Topics are proposed first; here the facilitator's own topics are in, so voting starts.
                now = datetime.now(UTC)
                services.control(session, services.Control.CLOSE_PROPOSALS, now)
                services.control(session, services.Control.OPEN_VOTING, now)
            assert session.voting_open, "voting should be open"
            return session.code, [item.id for item in session.items]
    finally:
        app.extensions["database_engine"].dispose()


def stored_counts(url: str) -> tuple[int, int]:
    """(sum of vote weights, participant rows) in the database."""
    import sqlalchemy as sa

    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            votes = connection.scalar(sa.text("SELECT coalesce(sum(weight), 0) FROM forum_vote"))
            participants = connection.scalar(sa.text("SELECT count(*) FROM forum_participant"))
    finally:
        engine.dispose()
    return int(votes or 0), int(participants or 0)


# --------------------------------------------------------------------------- participants


@dataclass
class Stats:
    """What all client threads measured. Times are time.perf_counter() values of this process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    page_latencies: list[float] = field(default_factory=list)
    vote_latencies: list[float] = field(default_factory=list)
    follow_latencies: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)  # when each 303 had arrived
    start_lags: list[float] = field(default_factory=list)  # participant started late: the pool was busy
    joined: int = 0
    abandoned: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    last_activity: float = 0.0

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


@dataclass
class Plan:
    port: int
    code: str
    mode: str
    started: float
    hard_deadline: float
    follow_redirects: bool
    seed: int
    stop: threading.Event
    version0: int  # the session's version before the load: each counted vote moves it by one


def choose_items(rng: random.Random, items: list[str], mode: str) -> list[str]:
    if mode == "poll":
        return [rng.choice(items)]
    return rng.sample(items, min(len(items), rng.choice((2, 3))))


def participant(index: int, arrival: float, plan: Plan, stats: Stats) -> None:
    """One phone: load the page, then vote; every request from its own cookie jar and connection."""
    rng = random.Random(plan.seed * 1_000_003 + index)
    page_path = f"/{LANG}/f/{plan.code}"
    vote_path = f"{page_path}/vote"
    if plan.stop.wait(max(0.0, arrival - time.perf_counter())):
        return
    with stats.lock:
        stats.start_lags.append(time.perf_counter() - arrival)
    client = Client(plan.port, keep_alive=True)
    try:
        response, body, elapsed = client.request("GET", page_path)
        if response.status != 200:
            raise ClientError(f"page GET status {response.status}")
        jar = cookies_from(response)
        page = PageParser()
        page.feed(body.decode("utf-8"))
        page.close()
        if DEVICE_COOKIE not in jar or not page.csrf_token or not page.items:
            raise ClientError("page without device cookie, csrf_token or items")
        with stats.lock:
            stats.page_latencies.append(elapsed)
            stats.joined += 1
        for item in choose_items(rng, page.items, plan.mode):
            if plan.stop.wait(rng.uniform(*THINK)):
                return
            if time.perf_counter() >= plan.hard_deadline:
                with stats.lock:
                    stats.abandoned += 1
                return
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
                "Origin": f"http://127.0.0.1:{plan.port}",
                "Referer": f"http://127.0.0.1:{plan.port}{page_path}",
            }
            fields = {"csrf_token": page.csrf_token, "item": item, "action": "vote"}
            encoded = urllib.parse.urlencode(fields).encode("ascii")
            response, _body, elapsed = client.request("POST", vote_path, body=encoded, headers=headers)
            acked = time.perf_counter()
            if response.status != 303:
                raise ClientError(f"vote POST status {response.status}")
            location = urllib.parse.urlsplit(response.headers.get("Location", ""))
            if location.path != page_path:
                raise ClientError("vote POST 303 to an unexpected place")
            jar.update(cookies_from(response))
            with stats.lock:
                stats.vote_latencies.append(elapsed)
                stats.acks.append(acked)
            if plan.follow_redirects:  # as a browser does: load the page again with the new tally
                target = location.path + (f"?{location.query}" if location.query else "")
                cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
                response, _body, elapsed = client.request("GET", target, headers={"Cookie": cookie})
                if response.status != 200:
                    raise ClientError(f"page GET after vote status {response.status}")
                with stats.lock:
                    stats.follow_latencies.append(elapsed)
    except ClientError as exc:
        stats.error(str(exc))
    except Exception as exc:  # a bug in the client must not pass as a fast request
        stats.error(f"client {type(exc).__name__}: {exc}")
    finally:
        client.close()
        with stats.lock:
            stats.last_activity = max(stats.last_activity, time.perf_counter())


def client_pool(tasks: queue.Queue[tuple[int, float] | None], plan: Plan, stats: Stats) -> None:
    while not plan.stop.is_set():
        task = tasks.get()
        if task is None:
            return
        participant(*task, plan, stats)


# --------------------------------------------------------------------------- projector screens


@dataclass
class Screen:
    bodies: list[tuple[float, int]] = field(default_factory=list)  # (received, total votes) per 200
    answers: list[tuple[float, float]] = field(default_factory=list)  # (sent, received) per 200 or 304
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: dict[int, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)


def screen(index: int, plan: Plan, stop: threading.Event, result: Screen) -> None:
    """A projector running live.js: poll, wait a second after the answer, poll again (backing off on errors)."""
    rng = random.Random(plan.seed * 7919 + index)
    path = f"/{LANG}/f/{plan.code}/results.json"
    client = Client(plan.port, keep_alive=True)
    etag: str | None = None
    delay = SCREEN_INTERVAL
    stop.wait(rng.uniform(0, SCREEN_INTERVAL))  # screens were switched on at different moments
    try:
        while not stop.is_set():
            headers = {"If-None-Match": etag} if etag else {}
            sent = time.perf_counter()
            try:
                response, body, elapsed = client.request("GET", path, headers=headers)
                received = time.perf_counter()
                if response.status == 200:
                    data = json.loads(body)
                    # Counts below k are hidden (null), so the votes a screen has seen are read off the
                    # session's version, which every counted vote moves by one.
                    result.bodies.append((received, int(data["version"]) - plan.version0))
                    etag = response.headers.get("ETag")
                elif response.status != 304:
                    raise ClientError(f"results GET status {response.status}")
                result.statuses[response.status] += 1
                result.latencies.setdefault(response.status, []).append(elapsed)
                result.answers.append((sent, received))
                delay = SCREEN_INTERVAL
            except ClientError as exc:
                result.errors[str(exc)] += 1
                delay = min(delay * 2, 15.0)
            except Exception as exc:
                result.errors[f"client {type(exc).__name__}: {exc}"] += 1
                delay = min(delay * 2, 15.0)
            stop.wait(delay)
    finally:
        client.close()


def shown_delays(acks: list[float], screens: list[Screen]) -> tuple[list[float], list[float], int]:
    """Estimated update delays: (earliest screen per vote, every screen per vote, votes never shown)."""
    earliest: list[float] = []
    per_screen: list[float] = []
    never = 0
    for rank, acked in enumerate(sorted(acks), start=1):
        first: float | None = None
        for result in screens:
            totals = [total for _received, total in result.bodies]
            # Totals only grow, so the first body with at least `rank` votes is a bisection away.
            position = bisect.bisect_left(totals, rank)
            if position == len(totals):
                continue
            delay = max(0.0, result.bodies[position][0] - acked)
            per_screen.append(delay)
            first = delay if first is None else min(first, delay)
        if first is None:
            never += 1
        else:
            earliest.append(first)
    return earliest, per_screen, never


def certain_delays(acks: list[float], screens: list[Screen]) -> list[float]:
    """Upper bounds, per vote and screen: the first answer to a poll sent after the 303 arrived."""
    delays = []
    for result in screens:
        sent = [s for s, _received in result.answers]
        for acked in acks:
            position = bisect.bisect_left(sent, acked)
            if position < len(sent):
                delays.append(result.answers[position][1] - acked)
    return delays


# --------------------------------------------------------------------------- run


@dataclass
class Run:
    stats: Stats
    screens: list[Screen]
    wall: float
    client_cpu: float


def _version(port: int, code: str) -> int:
    """The session's version as the screens see it, before any participant arrives."""
    client = Client(port, keep_alive=False)
    try:
        response, body, _elapsed = client.request("GET", f"/{LANG}/f/{code}/results.json")
        if response.status != 200:
            raise ClientError(f"results GET status {response.status}")
        return int(json.loads(body)["version"])
    finally:
        client.close()


def run_load(args: argparse.Namespace, port: int, code: str) -> Run:
    rng = random.Random(args.seed)
    stats = Stats()
    stop = threading.Event()
    screens_stop = threading.Event()
    started = time.perf_counter() + 0.5  # a moment for the threads to start
    plan = Plan(
        port=port,
        code=code,
        mode=args.mode,
        started=started,
        hard_deadline=started + args.duration + GRACE,
        follow_redirects=args.follow_redirects,
        seed=args.seed,
        stop=stop,
        version0=_version(port, code),
    )
    arrivals = sorted(started + rng.uniform(0, args.duration) for _ in range(args.participants))
    tasks: queue.Queue[tuple[int, float] | None] = queue.Queue()
    for index, arrival in enumerate(arrivals):
        tasks.put((index, arrival))
    pool_size = min(args.client_threads, args.participants)
    for _ in range(pool_size):
        tasks.put(None)
    screens = [Screen() for _ in range(args.screens)]
    screen_threads = [
        threading.Thread(target=screen, args=(i, plan, screens_stop, screens[i]), daemon=True)
        for i in range(args.screens)
    ]
    pool = [
        threading.Thread(target=client_pool, args=(tasks, plan, stats), daemon=True) for _ in range(pool_size)
    ]
    cpu_before = time.process_time()
    try:
        for thread in screen_threads + pool:
            thread.start()
        print(
            f"{args.participants} participants over {args.duration:g} s, {args.screens} screens polling …",
            file=sys.stderr,
        )
        for thread in pool:
            while thread.is_alive():
                thread.join(timeout=0.2)
        # Let the screens catch up with the last votes, as the projector would.
        screens_stop.wait(max(0.0, stats.last_activity + SCREEN_TAIL - time.perf_counter()))
    finally:
        stop.set()
        screens_stop.set()
        for thread in screen_threads:
            thread.join(timeout=REQUEST_JOIN)
    wall = time.perf_counter() - started
    return Run(stats, screens, wall, time.process_time() - cpu_before)


def warm_up(port: int, code: str, rounds: int) -> None:
    """Load the page and the results a few times so every worker has its templates and connections."""
    client = Client(port, keep_alive=False)
    try:
        for _ in range(rounds):
            with contextlib.suppress(ClientError):
                client.request("GET", f"/{LANG}/f/{code}")
                client.request("GET", f"/{LANG}/f/{code}/results.json")
    finally:
        client.close()


# --------------------------------------------------------------------------- report


def ms(values: list[float], *ps: float) -> str:
    ordered = sorted(values)
    if not ordered:
        return "–"
    return " / ".join(f"{percentile(ordered, p) * 1000:.0f}" for p in ps) + " ms"


def machine_lines(args: argparse.Namespace, database: str) -> list[str]:
    votes = "one vote each" if args.mode == "poll" else "2–3 votes each (different topics)"
    return [
        *setup_lines(database, args.workers, args.threads),
        f"- Load: one {args.mode} session with {len(ITEMS)} items; {args.participants} participants (a cookie "
        f"jar each) arriving at random over {args.duration:g} s, {votes}, {THINK[0]:g}–{THINK[1]:g} s "
        f"before each vote{', following each 303' if args.follow_redirects else ''}; "
        f"{args.screens} screens polling `results.json` like live.js; "
        f"at most {min(args.client_threads, args.participants)} client threads, on the same machine",
    ]


def print_report(args: argparse.Namespace, database: str, run: Run, stored: int, rows: int) -> bool:
    stats = run.stats
    acked = len(stats.acks)
    equal = acked == stored
    earliest, per_screen, never = shown_delays(stats.acks, run.screens)
    certain = certain_delays(stats.acks, run.screens)
    statuses: Counter[int] = Counter()
    screen_errors: Counter[str] = Counter()
    latencies: dict[int, list[float]] = {200: [], 304: []}
    for result in run.screens:
        statuses.update(result.statuses)
        screen_errors.update(result.errors)
        for status, values in result.latencies.items():
            latencies.setdefault(status, []).extend(values)
    polls = statuses[200] + statuses[304]
    share = f"{statuses[304] / polls:.0%}" if polls else "–"
    participant_errors = sum(stats.errors.values())
    lines = [
        "| Measure | Result |",
        "|---|---:|",
        f"| Participants joined (page loaded / participant rows stored) | {stats.joined} / {rows}"
        f" of {args.participants} |",
        f"| Votes acknowledged (303) / stored (`sum(weight)`) | {acked} / {stored}"
        f" ({'equal' if equal else '**NOT EQUAL**'}) |",
        f"| Errors: participants / screens | {participant_errors} / {sum(screen_errors.values())} |",
        f"| Vote `POST` latency p50 / p95 / p99 | {ms(stats.vote_latencies, 50, 95, 99)} |",
        f"| Page `GET` latency (first visit) p50 / p95 / p99 | {ms(stats.page_latencies, 50, 95, 99)} |",
    ]
    if args.follow_redirects:
        lines.append(
            f"| Page `GET` after each vote p50 / p95 / p99 | {ms(stats.follow_latencies, 50, 95, 99)} |"
        )
    lines += [
        f"| Projector update delay, earliest of {args.screens} screens, p50 / p95 / max"
        f" | {ms(earliest, 50, 95, 100)} |",
        f"| Projector update delay, one screen, p50 / p95 / max | {ms(per_screen, 50, 95, 100)} |",
        f"| Screen polls answered 304 (of {polls}) | {share} |",
        f"| Screen poll latency p50 / p95: 304 · 200 | {ms(latencies[304], 50, 95)} ·"
        f" {ms(latencies[200], 50, 95)} |",
    ]
    print()
    print(f"### Load test: live forum session on {database.split()[0]}")
    print()
    print(*machine_lines(args, database), sep="\n")
    print()
    print(*lines, sep="\n")
    print()
    print(
        f"Update delay: from a vote's 303 until a screen shows results that include it (estimated from"
        f" the order of the 303s; every acknowledged vote, {len(per_screen)} vote × screen pairs). Certain"
        f" upper bound, one screen, the answer to the first poll sent after the 303:"
        f" {ms(certain, 50, 95, 100)} (p50 / p95 / max).{f' Never shown: {never} votes.' if never else ''}"
    )
    print()
    if stats.errors:
        print(f"Participant errors: {dict(stats.errors)}", file=sys.stderr)
    if screen_errors:
        print(f"Screen errors: {dict(screen_errors)}", file=sys.stderr)
    if stats.abandoned:
        print(f"{stats.abandoned} participants stopped at the hard deadline.", file=sys.stderr)
    lags = sorted(stats.start_lags)
    print(
        f"({run.wall:.1f} s wall; load client used {run.client_cpu / run.wall:.0%} of one CPU;"
        f" participants started late by p95 {percentile(lags, 95) * 1000:.0f} ms,"
        f" max {percentile(lags, 100) * 1000:.0f} ms)",
        file=sys.stderr,
    )
    return equal and never == 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=500, help="simulated phones (default 500)")
    parser.add_argument("--duration", type=float, default=30, help="seconds they arrive over (default 30)")
    parser.add_argument("--screens", type=int, default=5, help="projector screens polling (default 5)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--mode", choices=("topics", "poll"), default="topics", help="(default topics)")
    parser.add_argument(
        "--client-threads", type=int, default=64, help="client threads running participants (default 64)"
    )
    parser.add_argument(
        "--follow-redirects", action="store_true", help="load the page after each vote, as a browser does"
    )
    parser.add_argument(
        "--database-url",
        help="use this database instead of a temporary SQLite file; its public schema is DROPPED first",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if min(args.participants, args.workers, args.threads, args.client_threads) < 1 or args.duration <= 0:
        parser.error("participants, workers, threads, client-threads and duration must be positive")
    if args.screens < 1:
        parser.error("at least one screen is needed to measure the update delay")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    return run_benchmark(lambda temp: _run(args, temp), "delaktig-forum-bench-")


def _run(args: argparse.Namespace, temp: Path) -> int:
    instance = temp / "instance"
    url = prepare_database(args.database_url, temp, "forum.sqlite3")
    port = free_port()
    # Limits are per device here, so every simulated phone has its own; per process is fine.
    settings = {
        **app_settings(url, instance, port),
        "PARTICIPATION_RATELIMIT_STORAGE_URI": "memory://",
        # 500 phones from one address in 30 s is a hall on one Wi-Fi: ceilings raised for the day, as the
        # README's flood limits say, so every vote counts and reaches the projector.
        "PARTICIPATION_FLOOD_JOINS": "2000 per 10 minutes",
        "PARTICIPATION_FLOOD_VOTES": "10000 per 10 minutes",
    }
    env = app_environment(settings)
    # The session is created in this process, so it reads the same settings as the server.
    os.environ.clear()
    os.environ.update(env)
    print("Migrating …", file=sys.stderr)
    flask(env, "db", "upgrade")
    code, item_ids = create_forum(args.mode)
    print(f"Forum session {code} ({args.mode}, items {item_ids}).", file=sys.stderr)
    database = database_description(url)
    log = temp / "gunicorn.log"
    with gunicorn(env, port=port, workers=args.workers, threads=args.threads, log=log):
        warm_up(port, code, rounds=4 * args.workers)
        run = run_load(args, port, code)
    server_errors(log)
    stored, rows = stored_counts(url)
    ok = print_report(args, database, run, stored, rows)
    if not run.stats.acks:
        print("No vote was acknowledged: the benchmark did not work.", file=sys.stderr)
        return 1
    if not ok:
        print("Acknowledged and stored votes differ, or a vote never reached a screen.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
