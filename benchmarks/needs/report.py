"""The needs map's report: the Markdown table for the README, the targets met or not, the breakdown."""

from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import dataclass
from typing import Any

from benchmarks.harness.report import percentile, setup_lines
from benchmarks.needs.data import Generated
from benchmarks.needs.floor import FLOOR_SHAPES
from benchmarks.needs.inprocess import TALLY_CASES, Breakdown
from benchmarks.needs.load import INDICATOR_QUESTION
from benchmarks.needs.pages import NEEDS_PATH

Row = tuple[str, list[float], float | None]  # label, seconds per run, the floor's median to compare with


@dataclass
class Timings:
    """Seconds per measured run of everything in the table."""

    floors: dict[tuple[str, bool], list[float]]  # (shape, filtered)
    indicator_floor: list[float]
    page_all: list[float]
    page_filtered: list[float]
    page_after: list[float]
    compute: list[float]
    indicator_page: list[float]
    tally: dict[str, list[float]]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}".replace(",", " ")


def num(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def summary(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), percentile(sorted(times), 95)


def machine_lines(database: str, args: argparse.Namespace) -> list[str]:
    return [
        *setup_lines(database, args.workers, args.threads),
        "- Client: one logged-in staff member, one request at a time on a keep-alive connection",
        f"- Load average (1 min) when the measurements started and ended: {args.load_before:.1f} and "
        f"{os.getloadavg()[0]:.1f} (other processes on the machine compete for the same CPUs)",
    ]


def print_report(
    args: argparse.Namespace,
    database: str,
    stats: Generated,
    info: dict[str, Any],
    rows: list[Row],
    verdicts: list[str],
    parts: list[Breakdown],
) -> None:
    out = [
        f"### Needs map: {num(stats.responses)} responses, {num(stats.answers)} answers on {database.split()[0]}",
        "",
        *machine_lines(database, args),
        f"- Data: {info['demo_responses']} demo responses plus {num(stats.responses)} generated ones with "
        f"{num(stats.answers)} answers over {len(stats.per_term)} terms "
        f"({', '.join(f'{term}: {num(n)}' for term, n in sorted(stats.per_term.items()))}), two surveys; "
        f"{num(stats.free_texts)} free texts, {num(stats.text_codes)} text codes, {stats.forum_votes} forum votes "
        f"in a closed session; generated and written in {stats.seconds:.1f} s",
        f"- Each row: one unmeasured warm-up, then {args.repeat} runs one after the other; p95 is the "
        f"nearest rank{' (with so few runs, the slowest)' if args.repeat < 20 else ''}",
        "- Floor: one hand-written SQL statement giving the needs map's choices component for every theme "
        "(respondents choosing an option on the theme, and the bases), run with the driver; every shape "
        "is checked equal to `needs._choices`. × floor: median over the fastest shape's median for the "
        "same view",
        "",
        "| Measurement | median ms | p95 ms | × floor |",
        "|---|---:|---:|---:|",
    ]
    for label, times, floor in rows:
        median, p95 = summary(times)
        ratio = f"{median / floor:.1f}×" if floor else "–"
        out.append(f"| {label} | {ms(median)} | {ms(p95)} | {ratio} |")
    out += ["", *verdicts, ""]
    if parts:
        out += [
            "Where the page's time goes (in-process, one run after a warm-up, no HTTP and no template; SQL "
            "statements counted and their `cursor.execute` timed with SQLAlchemy events, so fetching the "
            "rows afterwards is not in the last column):",
            "",
            "| View | needs_map() | trend() | reach() | terms() | SQL statements | time in execute |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for item in parts:
            total_queries = sum(item.queries.values())
            cells = " | ".join(
                f"{ms(item.parts[name])} ms ({item.queries[name]} q)"
                for name in ("needs_map", "trend", "reach", "terms")
            )
            out.append(f"| {item.label} | {cells} | {total_queries} | {ms(item.sql_seconds)} ms |")
        out.append("")
    print(*out, sep="\n")


def table(args: argparse.Namespace, timings: Timings) -> tuple[list[Row], list[str]]:
    """The table's rows, each with the floor it is compared with, and the verdicts on the targets."""
    # The floor is the fastest of the hand-written shapes (by median), per view.
    floor_all = min(statistics.median(timings.floors[shape, False]) for shape in FLOOR_SHAPES)
    floor_filtered = min(statistics.median(timings.floors[shape, True]) for shape in FLOOR_SHAPES)
    filter_label = " & ".join(f"{k}={v}" for k, v in args.filters.items())
    rows: list[Row] = [
        (f"`GET {NEEDS_PATH}`: needs map page, unfiltered", timings.page_all, floor_all),
        (f"`GET {NEEDS_PATH}?{args.filter}`", timings.page_filtered, floor_filtered),
        (
            f"`GET {NEEDS_PATH}` right after a release of k new responses, each time",
            timings.page_after,
            floor_all,
        ),
    ]
    for shape, description in FLOOR_SHAPES.items():
        rows += [
            (f"Floor SQL, {shape} ({description}), unfiltered", timings.floors[shape, False], floor_all),
            (f"Floor SQL, {shape}, {filter_label}", timings.floors[shape, True], floor_filtered),
        ]
    indicator_floor = statistics.median(timings.indicator_floor)
    rows += [
        (
            "`POST …/compute`: the indicator's values per term computed from the answers and stored",
            timings.compute,
            indicator_floor,
        ),
        (
            "`GET /staff/measurement/indicators/<id>`: the indicator page",
            timings.indicator_page,
            indicator_floor,
        ),
        (
            f"Floor SQL for the indicator (`{INDICATOR_QUESTION}`, top of the scale and base per term, "
            "one statement; checked equal to the stored values)",
            timings.indicator_floor,
            indicator_floor,
        ),
    ]
    rows += [
        (f"In-process: the tally {TALLY_CASES[case]}", times, None) for case, times in timings.tally.items()
    ]
    verdicts = []
    for label, page, floor in (
        ("the unfiltered page", timings.page_all, floor_all),
        ("the filtered page", timings.page_filtered, floor_filtered),
        ("the unfiltered page right after a release of k new responses", timings.page_after, floor_all),
        ("the indicator page", timings.indicator_page, indicator_floor),
        ("the indicator's computation (POST)", timings.compute, indicator_floor),
    ):
        median = statistics.median(page)
        met = median <= 2 * floor and median < 1.0
        verdicts.append(
            f"Target for {label} (within 2× of the floor and under 1 s): "
            f"**{'met' if met else 'not met'}** ({ms(median)} ms = {median / floor:.1f}× the floor's "
            f"{ms(floor)} ms)."
        )
    return rows, verdicts
