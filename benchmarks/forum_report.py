"""The report of benchmarks/forum.py: a Markdown table for the README, and what went wrong on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.forum_crowd import THINK, Run
from benchmarks.forum_delays import certain_delays, phone_delays, shown_delays
from benchmarks.harness.report import cpu_ms_per_request, percentile, setup_lines


def ms(values: list[float], *ps: float) -> str:
    ordered = sorted(values)
    if not ordered:
        return "–"
    return " / ".join(f"{percentile(ordered, p) * 1000:.0f}" for p in ps) + " ms"


def share_304(statuses: Counter[int]) -> str:
    polls = statuses[200] + statuses[304]
    return f"{statuses[304] / polls:.0%}" if polls else "–"


def machine_lines(args: argparse.Namespace, database: str, items: int) -> list[str]:
    votes = "one vote each" if args.mode == "poll" else "2–3 votes each (different topics)"
    crowd = []
    if args.phones:
        crowd.append(
            f"{args.phones} phones (a cookie jar and a keep-alive connection each) that poll `results.json` like"
            f" live.js (If-None-Match, the interval the server asks for, the page again after each vote)"
        )
    if args.participants:
        crowd.append(f"{args.participants} participants that do not poll")
    threads = (
        min(args.phone_threads, args.phones) + min(args.client_threads, args.participants) + args.screens
    )
    return [
        *setup_lines(database, args.workers, args.threads),
        f"- Load: one {args.mode} session with {items} items; {' and '.join(crowd)}, arriving at random"
        f" over {args.duration:g} s, {votes}, {THINK[0]:g}–{THINK[1]:g} s before each vote"
        f"{', following each 303' if args.follow_redirects else ''}; {args.screens} projector screens polling"
        f" `results.json` once a second like live.js; at most {threads} client threads, on the same machine",
    ]


@dataclass
class Screens:
    """What the projector screens saw, summed over the screens."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: dict[int, list[float]] = field(default_factory=lambda: {200: [], 304: []})

    @classmethod
    def of(cls, run: Run) -> Screens:
        summed = cls()
        for result in run.screens:
            summed.statuses.update(result.statuses)
            summed.errors.update(result.errors)
            for status, values in result.latencies.items():
                summed.latencies.setdefault(status, []).extend(values)
        return summed


@dataclass
class Delays:
    earliest: list[float]  # per vote, the first of the screens
    per_screen: list[float]
    never: int  # votes no screen showed
    certain: list[float]
    on_phones: list[float]
    never_on_phones: int

    @classmethod
    def of(cls, run: Run) -> Delays:
        acks = run.stats.acks + run.phone_stats.acks
        moves = run.stats.moves + run.phone_stats.moves
        earliest, per_screen, never = shown_delays(acks, moves, run.screens)
        on_phones, never_on_phones = phone_delays(acks, moves, run.phones, run.version0)
        return cls(earliest, per_screen, never, certain_delays(acks, run.screens), on_phones, never_on_phones)


def requests_of(run: Run, screens: Screens) -> int:
    stats = run.stats
    participants = len(stats.page_latencies) + len(stats.vote_latencies) + len(stats.follow_latencies)
    return participants + run.phone_stats.requests + screens.statuses[200] + screens.statuses[304]


def vote_lines(args: argparse.Namespace, run: Run, screens: Screens, stored: int, rows: int) -> list[str]:
    stats, phones = run.stats, run.phone_stats
    acked = len(stats.acks) + len(phones.acks)
    lines = [
        "| Measure | Result |",
        "|---|---:|",
        f"| Joined (page loaded / participant rows stored) | {stats.joined + phones.joined} / {rows}"
        f" of {args.phones + args.participants} |",
        f"| Votes acknowledged (303) / stored (`sum(weight)`) | {acked} / {stored}"
        f" ({'equal' if acked == stored else '**NOT EQUAL**'}) |",
        f"| Errors: phones / participants / screens | {sum(phones.errors.values())} /"
        f" {sum(stats.errors.values())} / {sum(screens.errors.values())} |",
        f"| Vote `POST` latency p50 / p95 / p99 | {ms(stats.vote_latencies + phones.vote_latencies, 50, 95, 99)} |",
        f"| Page `GET` latency (first visit) p50 / p95 / p99"
        f" | {ms(stats.page_latencies + phones.page_latencies, 50, 95, 99)} |",
    ]
    if args.phones or args.follow_redirects:
        lines.append(
            f"| Page `GET` after each vote p50 / p95 / p99"
            f" | {ms(stats.follow_latencies + phones.follow_latencies, 50, 95, 99)} |"
        )
    return lines


def live_lines(args: argparse.Namespace, run: Run, screens: Screens, delays: Delays) -> list[str]:
    polls = screens.statuses[200] + screens.statuses[304]
    lines = [
        f"| Projector update delay, earliest of {args.screens} screens, p50 / p95 / max"
        f" | {ms(delays.earliest, 50, 95, 100)} |",
        f"| Projector update delay, one screen, p50 / p95 / max | {ms(delays.per_screen, 50, 95, 100)} |",
        f"| Screen polls answered 304 (of {polls}) | {share_304(screens.statuses)} |",
        f"| Screen poll latency p50 / p95: 304 · 200 | {ms(screens.latencies[304], 50, 95)} ·"
        f" {ms(screens.latencies[200], 50, 95)} |",
    ]
    if not args.phones:
        return lines
    phones = run.phone_stats
    told = ", ".join(f"{interval:g} s × {count}" for interval, count in sorted(phones.intervals.items()))
    phone_polls = phones.poll_statuses[200] + phones.poll_statuses[304]
    return [
        *lines,
        f"| Phone update delay (a vote until a phone has seen it), p50 / p95 / max"
        f" | {ms(delays.on_phones, 50, 95, 100)} |",
        f"| Phone polls answered 304 (of {phone_polls}) | {share_304(phones.poll_statuses)} |",
        f"| Phone poll latency p50 / p95: 304 · 200 | {ms(phones.poll_latencies.get(304, []), 50, 95)} ·"
        f" {ms(phones.poll_latencies.get(200, []), 50, 95)} |",
        f"| Interval the server asked for (`poll_after`), per 200 | {told or '–'} |",
    ]


def machine_use_lines(run: Run, requests: int, database: str) -> list[str]:
    lines = [f"| Requests per second (all {requests} over {run.wall:.1f} s) | {requests / run.wall:.0f} |"]
    if run.cpu:
        lines += [
            f"| Server CPU (gunicorn{' and PostgreSQL' if 'PostgreSQL' in database else ''}): CPUs busy,"
            f" per request | {run.cpu['server'] / run.wall:.2f} of {os.cpu_count()},"
            f" {cpu_ms_per_request(run.cpu['server'], requests):.2f} ms |",
            f"| Load client CPU (this script) / everything else on the machine, CPUs busy"
            f" | {run.cpu['client'] / run.wall:.2f} / {run.cpu['other'] / run.wall:.2f} |",
        ]
    lags = sorted(run.stats.start_lags + run.phone_stats.lags)
    lines.append(
        f"| Client moments started late (its pool busy) p95 / max"
        f" | {percentile(lags, 95) * 1000:.0f} / {percentile(lags, 100) * 1000:.0f} ms |"
    )
    return lines


def delay_note(args: argparse.Namespace, delays: Delays) -> str:
    never, never_phones = delays.never, delays.never_on_phones
    note = (
        f"Update delay: from a vote's 303 until a screen shows results that include it (estimated from"
        f" the order of the 303s; every acknowledged vote, {len(delays.per_screen)} vote × screen pairs)."
        f" Certain upper bound, one screen, the answer to the first poll sent after the 303:"
        f" {ms(delays.certain, 50, 95, 100)} (p50 / p95 / max).{f' Never shown: {never} votes.' if never else ''}"
    )
    if args.phones:
        note += (
            f" Phones: every vote acknowledged after a phone's page arrived × that phone"
            f" ({len(delays.on_phones)} pairs; a phone's own vote counts as seen when the page after its 303"
            f" arrived).{f' Never seen: {never_phones} pairs.' if never_phones else ''}"
        )
    return note


def print_problems(run: Run, screens: Screens) -> None:
    for what, errors in (
        ("Participant", run.stats.errors),
        ("Phone", run.phone_stats.errors),
        ("Screen", screens.errors),
    ):
        if errors:
            print(f"{what} errors: {dict(errors)}", file=sys.stderr)
    if run.stats.abandoned:
        print(f"{run.stats.abandoned} participants stopped at the hard deadline.", file=sys.stderr)
    print(
        f"({run.wall:.1f} s wall; load client used {run.client_cpu / run.wall:.0%} of one CPU;"
        f" phones refreshed the page on a new state {run.phone_stats.refreshes} times)",
        file=sys.stderr,
    )


def print_report(
    args: argparse.Namespace, database: str, items: int, run: Run, stored: int, rows: int
) -> bool:
    """The report on stdout; True if every acknowledged vote was stored and reached a screen and the phones."""
    screens = Screens.of(run)
    delays = Delays.of(run)
    lines = [
        *vote_lines(args, run, screens, stored, rows),
        *live_lines(args, run, screens, delays),
        *machine_use_lines(run, requests_of(run, screens), database),
    ]
    print()
    print(f"### Load test: live forum session on {database.split()[0]}")
    print()
    print(*machine_lines(args, database, items), sep="\n")
    print()
    print(*lines, sep="\n")
    print()
    print(delay_note(args, delays))
    print()
    print_problems(run, screens)
    acked = len(run.stats.acks) + len(run.phone_stats.acks)
    return acked == stored and delays.never == 0 and delays.never_on_phones == 0
