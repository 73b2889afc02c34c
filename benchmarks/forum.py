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
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# E402: these need ROOT on sys.path when run as a script.
from benchmarks.forum_crowd import (  # noqa: E402
    LANG,
    THINK,
    Run,
    certain_delays,
    run_load,
    shown_delays,
    warm_up,
)
from benchmarks.harness.cli import run_benchmark, stop_on_sigterm  # noqa: E402
from benchmarks.harness.database import database_description, engine_for, prepare_database  # noqa: E402
from benchmarks.harness.report import percentile, setup_lines  # noqa: E402
from benchmarks.harness.server import (  # noqa: E402
    app_environment,
    app_settings,
    flask,
    free_port,
    gunicorn,
    server_errors,
)

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


# --------------------------------------------------------------------------- the forum session


def create_forum(mode: str) -> tuple[str, list[int]]:
    """One open forum session with voting open, made as the facilitator's page would; (code, item ids).

    Uses the PARTICIPATION_* variables already set in os.environ, like the server will.
    """
    from participation import create_app
    from participation.forum import sessions as services
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
    earliest, per_screen, never = shown_delays(stats.acks, stats.moves, run.screens)
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
