"""Benchmark of the needs map at scale: the /staff/needs page against the SQL floor. Run by hand.

    .venv/bin/python benchmarks/needs_map.py [--answers 1000000] [--responses 100000] [--repeat 5]
                                             [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/needsbench]
                                             [--filter 'age_band=16_19&gender=girl'] [--workers 2] [--threads 2]
                                             [--timeout 600] [--explain] [--keep] [--seed N]

What it does:

1. Makes a fresh temporary instance folder and SQLite database (or, with --database-url, empties that
   PostgreSQL database's `public` schema first), runs `flask --app participation db upgrade` and
   `flask demo` (themes, the demo survey with themed options and scale questions, placements, a closed
   forum evening).
2. Adds a second, longer survey built from the demo's spec with a few more themed questions (so that
   about ten answers per response is possible), a bigger closed forum session with votes on themed
   items, and then bulk-generates --responses responses with --answers answers in all (default 100,000
   and 1,000,000: ten per response on average, exactly that many in total when the surveys can hold
   them) spread over six school terms, five age bands, four genders and the demo's placements (some
   fields left empty, as respondents may skip them). About a quarter of the responses have a free text;
   most of those are approved and coded with one or two themes (text_code rows). Rows are written with
   SQLAlchemy Core executemany in batches of --batch responses on SQLite and with COPY on PostgreSQL;
   PostgreSQL then gets VACUUM ANALYZE, as autovacuum would do after a bulk load (SQLite gets no
   ANALYZE: the app never runs one).
3. Checks that every shape of the floor query below gives exactly the numbers of the needs map's choices
   component (participation.insights.needs._choices), unfiltered and filtered. Exits 1 if not.
4. Creates a staff member of the youth organisation (`flask users create … --role staff --partner …`, password on standard input), starts
   gunicorn (gthread) on a free port of 127.0.0.1 serving benchmarks._bench_app:app as
   benchmarks/submit.py does, logs in through the form with its CSRF token, and measures, after one
   unmeasured warm-up each, --repeat sequential runs of:
   (a) GET /staff/needs, unfiltered and with two filters (--filter, default age_band=16_19&gender=girl);
   (b) the demo's indicator computed from a scale question (`influence_feel`): POST its "compute"
       button (values per term from the answers, stored) and GET its page (the turn-the-curve chart),
       next to its floor: one hand-written statement giving the same numbers per term, checked equal
       to the stored values afterwards;
   (c) the floor: one hand-written SQL statement giving, for every theme, the respondents who chose an
       option on the theme and the respondents who answered a question with such an option (the bases),
       unfiltered and with the same two filters. It is written in three shapes (see FLOOR_SHAPES), each
       checked to give exactly the app's numbers; the floor is the fastest of them.
   (b) and (c) run directly with the driver (sqlite3 or psycopg) on a connection of their own.
   (d) GET /staff/needs right after a release of k new responses each time (added in this process as the
       survey form stores them, outside the timing): the page while a survey is being answered.
5. Runs the page's work once more in-process (needs_map, trend, reach, terms, as the view calls them),
   timing every SQL statement, and prints where the time goes; with --explain, also the query plans of
   the slowest statements (stderr). Then times bringing the needs map's tally
   (participation.insights.tally) up to date in-process after each kind of change: counted in full (the
   first view after a start), after a release of k new responses, after one moderation decision.
6. Prints a Markdown table for the README with machine info, stops gunicorn and removes the temporary
   files (with --keep the temporary folder and its SQLite file are left for a look afterwards). A
   PostgreSQL database keeps its data until the next run resets it.

Everything runs on the same machine: the client, gunicorn and the database. Numbers are for comparing,
not for promising. The target: the page within 2× of the floor and under one second.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import secrets
import sys
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# E402: these need ROOT on sys.path when run as a script.
from benchmarks.harness.cli import run_benchmark, stop_on_sigterm  # noqa: E402
from benchmarks.harness.database import (  # noqa: E402
    database_description,
    driver_connection,
    normalised,
    prepare_database,
    run_query,
)
from benchmarks.harness.server import (  # noqa: E402
    app_environment,
    app_settings,
    flask,
    free_port,
    gunicorn,
    server_errors,
)
from benchmarks.needs.data import Generated  # noqa: E402
from benchmarks.needs.floor import (  # noqa: E402
    FLOOR_SHAPES,
    check_floor,
    floor_query,
    indicator_sql,
    time_repeated,
)
from benchmarks.needs.inprocess import Breakdown, breakdown, check_indicator, explain, measure_tally  # noqa: E402
from benchmarks.needs.load import load_data  # noqa: E402
from benchmarks.needs.pages import (  # noqa: E402
    INDICATOR_MARKER,
    INDICATOR_PATH,
    NEEDS_PATH,
    Browser,
    measure_compute,
    measure_page,
    measure_page_after_responses,
)
from benchmarks.needs.report import Timings, ms, print_report, table  # noqa: E402
from participation.demo import content  # noqa: E402

STAFF_EMAIL = "staff@needs-bench.example"
# The demo's indicator belongs to the youth organisation: its staff may compute it.
STAFF_PARTNER = next(p["name"] for p in content.PARTNERS if p["kind"] == "youth_organisation")
DEFAULT_FILTER = "age_band=16_19&gender=girl"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--answers", type=int, default=1_000_000, help="answers to generate (default 1,000,000)"
    )
    parser.add_argument(
        "--responses", type=int, help="responses to generate (default: answers / 10, so 100,000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per measurement (default 5)")
    parser.add_argument(
        "--filter",
        default=DEFAULT_FILTER,
        help=f"the filtered view's query string (default {DEFAULT_FILTER})",
    )
    parser.add_argument(
        "--batch", type=int, default=1_000, help="responses per insert batch (default 1000: ~10,000 answers)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker (default 2)")
    parser.add_argument(
        "--database-url",
        help="use this PostgreSQL database instead of a temporary SQLite file; its public schema is DROPPED first",
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds to wait for one page (default 600)"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print plans of the slowest statements (stderr)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (SQLite file) afterwards"
    )
    parser.add_argument("--seed", type=int, default=20261201, help="random seed for the generated data")
    args = parser.parse_args(argv)
    if args.responses is None:
        args.responses = max(1, args.answers // 10)
    if min(args.answers, args.responses, args.repeat, args.batch, args.workers, args.threads) < 1:
        parser.error("answers, responses, repeat, batch, workers and threads must be positive")
    filters = dict(urllib.parse.parse_qsl(args.filter))
    unknown = set(filters) - {"age_band", "gender"}
    if unknown or not filters:
        parser.error("--filter takes age_band and/or gender, e.g. age_band=16_19&gender=girl")
    args.filters = filters
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    if args.database_url and not normalised(args.database_url).startswith("postgresql"):
        print("--database-url must be a PostgreSQL URL", file=sys.stderr)
        return 2
    return run_benchmark(lambda temp: _run(args, temp), "delaktig-needs-", keep=args.keep)


def _run(args: argparse.Namespace, temp: Path) -> int:
    url = prepare_database(args.database_url, temp, "bench.sqlite3")
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    port = free_port()
    env = app_environment(app_settings(url, temp / "instance", port))
    password = _set_up(env)
    app = _app_in_this_process(env)
    stats, info = _load(app, args)
    database = database_description(url)

    problems = check_floor(app, url, dialect, [{}, args.filters])
    if problems:
        print("The floor query does not match the needs map's choices component:", file=sys.stderr)
        print(*problems, sep="\n", file=sys.stderr)
        return 1
    print("Floor shapes checked: same numbers as needs._choices, unfiltered and filtered.", file=sys.stderr)

    args.load_before = os.getloadavg()[0]
    print(
        f"Direct queries, {args.repeat} runs each (load average {args.load_before:.1f}) …",
        file=sys.stderr,
    )
    floors, indicator_floor = _measure_floors(args, url, dialect, info["indicator_question_id"])
    log = temp / "gunicorn.log"
    with gunicorn(env, port=port, workers=args.workers, threads=args.threads, log=log):
        timings = _measure_pages(args, app, port, password, info["indicator_id"], floors, indicator_floor)
    errors = server_errors(log)
    with driver_connection(url) as connection:  # again: responses were added since the timing
        floor_now = run_query(
            connection, indicator_sql(dialect), {"question_id": info["indicator_question_id"]}
        )
    problems = check_indicator(app, info["indicator_id"], floor_now)
    if problems:
        print("The indicator's computed values differ from its floor:", *problems, sep="\n", file=sys.stderr)
        return 1

    print("In-process breakdown …", file=sys.stderr)
    parts = breakdown(app, [("unfiltered", {}), (args.filter, args.filters)])
    print("Bringing the tally up to date after changes …", file=sys.stderr)
    timings.tally = measure_tally(app, args.repeat, random.Random(args.seed + 2))
    rows, verdicts = table(args, timings)
    print_report(args, database, stats, info, rows, verdicts, parts)
    _print_slowest(parts, url, dialect, args.explain)
    if args.keep:
        print(f"Kept {temp} (gunicorn log, instance, SQLite file if any).", file=sys.stderr)
    return 1 if errors else 0


def _set_up(env: dict[str, str]) -> str:
    """Migrate, load the demo and create the staff member; their password."""
    print("Migrating and loading the demo …", file=sys.stderr)
    flask(env, "db", "upgrade")
    flask(env, "demo")
    password = secrets.token_urlsafe(18)
    flask(
        env,
        *("users", "create", STAFF_EMAIL, "--role", "staff", "--partner", STAFF_PARTNER),
        stdin=password + "\n",
    )
    return password


def _app_in_this_process(env: dict[str, str]) -> Any:
    """The same configuration in this process, for loading, checking and the breakdown."""
    for key in [key for key in os.environ if key.startswith("PARTICIPATION_")]:
        del os.environ[key]
    os.environ.update(env)
    from participation import create_app

    return create_app()


def _load(app: Any, args: argparse.Namespace) -> tuple[Generated, dict[str, Any]]:
    print(f"Generating {args.responses} responses with {args.answers} answers …", file=sys.stderr)
    stats, info = load_data(app, args)
    print(
        f"Generated in {stats.seconds:.1f} s ({stats.clamped} responses off their answer quota).",
        file=sys.stderr,
    )
    if stats.answers != args.answers:
        print(
            f"Note: {stats.answers} answers written, not {args.answers}: the two surveys cannot hold "
            f"{args.answers / args.responses:.1f} answers per response on average (about 4 to 14).",
            file=sys.stderr,
        )
    return stats, info


def _measure_floors(
    args: argparse.Namespace, url: str, dialect: str, question_id: int
) -> tuple[dict[tuple[str, bool], list[float]], list[float]]:
    """The floor's statements timed: per (shape, filtered), and the indicator's."""
    floors: dict[tuple[str, bool], list[float]] = {}
    with driver_connection(url) as connection:
        for shape in FLOOR_SHAPES:
            for filtered, params in ((False, {}), (True, args.filters)):
                floors[shape, filtered], _ = time_repeated(
                    functools.partial(floor_query, connection, dialect, params, shape), args.repeat
                )
        indicator, indicator_rows = time_repeated(
            lambda: run_query(connection, indicator_sql(dialect), {"question_id": question_id}),
            args.repeat,
        )
    print(f"Indicator floor: {len(indicator_rows)} terms.", file=sys.stderr)
    return floors, indicator


def _measure_pages(
    args: argparse.Namespace,
    app: Any,
    port: int,
    password: str,
    indicator_id: int,
    floors: dict[tuple[str, bool], list[float]],
    indicator_floor: list[float],
) -> Timings:
    """The pages over HTTP, logged in as the staff member; the tally's times are added later."""
    filtered_path = f"{NEEDS_PATH}?{urllib.parse.urlencode(args.filters)}"
    browser = Browser(port, args.timeout)
    try:
        browser.login(STAFF_EMAIL, password)
        print(f"GET {NEEDS_PATH}, {args.repeat} runs …", file=sys.stderr)
        page_all = measure_page(browser, NEEDS_PATH, args.repeat)
        print(f"GET {filtered_path}, {args.repeat} runs …", file=sys.stderr)
        page_filtered = measure_page(browser, filtered_path, args.repeat)
        print(f"GET {NEEDS_PATH} after a release of k new responses, {args.repeat} runs …", file=sys.stderr)
        page_after = measure_page_after_responses(
            browser, app, NEEDS_PATH, args.repeat, random.Random(args.seed + 1)
        )
        print(f"POST the indicator's compute, then GET its page, {args.repeat} runs …", file=sys.stderr)
        compute = measure_compute(browser, indicator_id, args.repeat)
        indicator_page = measure_page(
            browser, INDICATOR_PATH.format(id=indicator_id), args.repeat, INDICATOR_MARKER
        )
    finally:
        browser.close()
    return Timings(
        floors=floors,
        indicator_floor=indicator_floor,
        page_all=page_all,
        page_filtered=page_filtered,
        page_after=page_after,
        compute=compute,
        indicator_page=indicator_page,
        tally={},
    )


def _print_slowest(parts: list[Breakdown], url: str, dialect: str, plans: bool) -> None:
    """The slowest statements of the page's work (stderr); with `plans`, the plans of the first three."""
    slowest = sorted((s for item in parts for s in item.statements), key=lambda s: -s[0])
    print("Slowest statements of the page's work (in-process):", file=sys.stderr)
    for seconds, statement, _params in slowest[:8]:
        print(f"  {ms(seconds):>9} ms  {' '.join(statement.split())[:160]}", file=sys.stderr)
    if not plans:
        return
    seen: set[str] = set()
    for seconds, statement, params in slowest:
        key = " ".join(statement.split())
        if key in seen:
            continue
        seen.add(key)
        print(f"\n--- {ms(seconds)} ms: {statement}\n    params: {params}", file=sys.stderr)
        print(explain(url, dialect, statement, params), file=sys.stderr)
        if len(seen) >= 3:
            break


if __name__ == "__main__":
    sys.exit(main())
