"""Load test of a live forum session: a room full of phones voting while projectors poll. Run by hand.

    .venv/bin/python benchmarks/forum.py [--phones 1000] [--participants 0] [--duration 30] [--screens 5]
                                         [--workers 4] [--threads 4] [--mode topics|poll]
                                         [--phone-threads 128] [--phone-polls N] [--follow-redirects]
                                         [--database-url postgresql://postgres@127.0.0.1:5432/forumbench]

What it does:

1. Makes a fresh temporary instance folder and SQLite database (or, with --database-url, empties that
   database's `public` schema first), runs `flask --app participation db upgrade`, and creates one forum
   session with services.create_session in an app context of its own: topics mode (8 topics, voting
   opened and proposals closed as a facilitator would) or poll mode (8 options, voting open at once).
2. Starts gunicorn (gthread workers, as benchmarks/submit.py does) on a free port of 127.0.0.1.
3. Simulates --phones phones arriving at random over --duration seconds, each with its own cookie jar
   (its own device) and keep-alive connection, as static/js/live.js runs on them
   (benchmarks/forum_phones.py): GET /sv/f/<code> (device cookie, csrf_token, the items), then polls
   /sv/f/<code>/results.json with If-None-Match, waiting as long as the body's `poll_after` says; after a
   short think it votes for 2–3 different topics (poll: one option), each a POST expecting 303 followed
   by the page, as live.js's fetch does. A pool of --phone-threads threads runs every phone's next moment
   by time. --participants more phones only vote, without polling (the run before issue 15: 500 of them).
4. Meanwhile --screens projector screens poll results.json the way live.js does on the projector: one
   request, then one second's pause, with If-None-Match set to the last ETag. Screens and phones go on
   after the last vote for longer than the longest interval a phone was given, so every vote can reach
   them.
5. Checks that every acknowledged vote is stored (SELECT sum(weight) FROM forum_vote) and nothing else,
   and that every acknowledged vote reached a screen and every phone there when it was acknowledged;
   exits 1 if not. Prints a Markdown table for the README (benchmarks/forum_report.py) with the server's
   and the load client's CPU read from /proc, stops gunicorn (also on Ctrl+C) and removes the temporary
   files.

The update delays are estimated per acknowledged vote (benchmarks/forum_delays.py): the votes are ranked
by the time their 303 arrived, and the k-th vote counts as shown on a screen or a phone from the moment it
received a results body (or, for a phone, a page) whose version includes it. The delay is that moment
minus the 303's arrival, or 0 if it had it first. Commit order and 303 order can differ by a few
milliseconds among concurrent votes, so this is an estimate; the report also gives a bound that is
certain for the screens: the first answer (200 or 304) to a poll sent after the 303 arrived.

All traffic is loopback: the load client runs on the same machine as the server (and the database), so
on a small machine it competes with them for CPU; the report says how much it used, and how late the
client started what it meant to do (a busy client would show there). Numbers are for comparing, not for
promising.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# E402: these need ROOT on sys.path when run as a script.
from benchmarks.forum_crowd import LANG, run_load, warm_up  # noqa: E402
from benchmarks.forum_report import print_report  # noqa: E402
from benchmarks.harness.cli import run_benchmark, stop_on_sigterm  # noqa: E402
from benchmarks.harness.cpu import CpuMeter  # noqa: E402
from benchmarks.harness.database import database_description, engine_for, prepare_database  # noqa: E402
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--phones", type=int, default=1000, help="phones that vote and poll results.json (default 1000)"
    )
    parser.add_argument(
        "--participants", type=int, default=0, help="participants that vote but do not poll (default 0)"
    )
    parser.add_argument("--duration", type=float, default=30, help="seconds they arrive over (default 30)")
    parser.add_argument("--screens", type=int, default=5, help="projector screens polling (default 5)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--mode", choices=("topics", "poll"), default="topics", help="(default topics)")
    parser.add_argument(
        "--client-threads", type=int, default=64, help="client threads running participants (default 64)"
    )
    parser.add_argument(
        "--phone-threads",
        type=int,
        default=128,
        help="client threads running the phones by time (default 128)",
    )
    parser.add_argument(
        "--phone-polls",
        type=int,
        help="PARTICIPATION_FORUM_PHONE_POLLS for the server: polls a second before phones wait longer",
    )
    parser.add_argument(
        "--follow-redirects",
        action="store_true",
        help="participants load the page after each vote, as a browser does (phones always do)",
    )
    parser.add_argument(
        "--database-url",
        help="use this database instead of a temporary SQLite file; its public schema is DROPPED first",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if min(args.workers, args.threads, args.client_threads, args.phone_threads) < 1 or args.duration <= 0:
        parser.error("workers, threads, client-threads, phone-threads and duration must be positive")
    if min(args.phones, args.participants) < 0 or args.phones + args.participants < 1:
        parser.error("phones and participants cannot be negative, and someone must vote")
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
        **({"PARTICIPATION_FORUM_PHONE_POLLS": str(args.phone_polls)} if args.phone_polls else {}),
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
    with gunicorn(env, port=port, workers=args.workers, threads=args.threads, log=log) as server_pid:
        warm_up(port, code, rounds=4 * args.workers)
        meter = CpuMeter(server_pid, url) if Path("/proc/stat").exists() else None
        run = run_load(args, port, code, meter)
    server_errors(log)
    stored, rows = stored_counts(url)
    ok = print_report(args, database, len(ITEMS), run, stored, rows)
    if not run.stats.acks and not run.phone_stats.acks:
        print("No vote was acknowledged: the benchmark did not work.", file=sys.stderr)
        return 1
    if not ok:
        print(
            "Acknowledged and stored votes differ, or a vote never reached a screen or a phone.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
