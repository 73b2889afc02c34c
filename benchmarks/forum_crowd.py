"""The room of benchmarks/forum.py: phones joining and voting, projector screens polling, the delays.

Participants run from a fixed pool of client threads, screens from a thread each; every phone has its
own cookie jar and connection. Times are time.perf_counter() values of this process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import queue
import random
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.forum_phones import (
    LANG,
    Phone,
    PhoneRoom,
    PhoneStats,
    Room,
    Schedule,
    choose_items,
    parse_page,
    phone_room,
)
from benchmarks.harness.client import Client, ClientError, cookies_from, form_headers
from benchmarks.harness.cpu import CpuMeter
from participation.privacy import DEVICE_COOKIE

THINK = (0.3, 1.5)  # seconds before each vote; below gunicorn's 2 s keep-alive, so connections stay open
SCREEN_INTERVAL = 1.0  # static/js/live.js: the next poll one second after the last one answered
SCREEN_TAIL = 3.0  # screens go on this long after the last participant finished
GRACE = 60.0  # no participant request starts later than duration + GRACE
REQUEST_JOIN = 35.0  # a screen mid-request answers or times out (30 s) within this


# --------------------------------------------------------------------------- participants


@dataclass
class Stats:
    """What all client threads measured. Times are time.perf_counter() values of this process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    page_latencies: list[float] = field(default_factory=list)
    vote_latencies: list[float] = field(default_factory=list)
    follow_latencies: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)  # when each 303 had arrived
    # How far each acknowledged vote moved the session's version: the first vote of a phone also joins it,
    # and a counted join moves the version too (the projector shows how many take part).
    moves: list[int] = field(default_factory=list)
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
    version0: int  # the session's version before the load: each counted join and vote moves it by one

    @property
    def page_path(self) -> str:
        return f"/{LANG}/f/{self.code}"


def participant(index: int, arrival: float, plan: Plan, stats: Stats) -> None:
    """One phone: load the page, then vote; every request from its own cookie jar and connection."""
    rng = random.Random(plan.seed * 1_000_003 + index)
    if plan.stop.wait(max(0.0, arrival - time.perf_counter())):
        return
    with stats.lock:
        stats.start_lags.append(time.perf_counter() - arrival)
    client = Client(plan.port, keep_alive=True)
    try:
        jar, token, items = _join(client, plan, stats)
        for number, item in enumerate(choose_items(rng, items, plan.mode)):
            if plan.stop.wait(rng.uniform(*THINK)):
                return
            if time.perf_counter() >= plan.hard_deadline:
                with stats.lock:
                    stats.abandoned += 1
                return
            fields = {"csrf_token": token, "item": item, "action": "vote"}
            _vote(client, plan, stats, jar, fields, joins=number == 0)
    except ClientError as exc:
        stats.error(str(exc))
    except Exception as exc:  # a bug in the client must not pass as a fast request
        stats.error(f"client {type(exc).__name__}: {exc}")
    finally:
        client.close()
        with stats.lock:
            stats.last_activity = max(stats.last_activity, time.perf_counter())


def _join(client: Client, plan: Plan, stats: Stats) -> tuple[dict[str, str], str, list[str]]:
    """The first visit: the page with its device cookie; (cookie jar, csrf token, items to vote on)."""
    response, body, elapsed = client.request("GET", plan.page_path)
    if response.status != 200:
        raise ClientError(f"page GET status {response.status}")
    jar = cookies_from(response)
    page = parse_page(body)
    if DEVICE_COOKIE not in jar or not page.csrf_token or not page.items:
        raise ClientError("page without device cookie, csrf_token or items")
    with stats.lock:
        stats.page_latencies.append(elapsed)
        stats.joined += 1
    return jar, page.csrf_token, page.items


def _vote(
    client: Client, plan: Plan, stats: Stats, jar: dict[str, str], fields: dict[str, str], *, joins: bool
) -> None:
    """One vote, expecting 303 back to the page; then the page again if browsers are followed."""
    encoded = urllib.parse.urlencode(fields).encode("ascii")
    headers = form_headers(plan.port, plan.page_path, jar)
    response, _body, elapsed = client.request("POST", f"{plan.page_path}/vote", body=encoded, headers=headers)
    acked = time.perf_counter()
    if response.status != 303:
        raise ClientError(f"vote POST status {response.status}")
    location = urllib.parse.urlsplit(response.headers.get("Location", ""))
    if location.path != plan.page_path:
        raise ClientError("vote POST 303 to an unexpected place")
    jar.update(cookies_from(response))
    with stats.lock:
        stats.vote_latencies.append(elapsed)
        stats.acks.append(acked)
        stats.moves.append(2 if joins else 1)
    if plan.follow_redirects:  # as a browser does: load the page again with the new tally
        target = location.path + (f"?{location.query}" if location.query else "")
        cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
        response, _body, elapsed = client.request("GET", target, headers={"Cookie": cookie})
        if response.status != 200:
            raise ClientError(f"page GET after vote status {response.status}")
        with stats.lock:
            stats.follow_latencies.append(elapsed)


def client_pool(tasks: queue.Queue[tuple[int, float] | None], plan: Plan, stats: Stats) -> None:
    while not plan.stop.is_set():
        task = tasks.get()
        if task is None:
            return
        participant(*task, plan, stats)


# --------------------------------------------------------------------------- projector screens


@dataclass
class Screen:
    bodies: list[tuple[float, int]] = field(default_factory=list)  # (received, version moves seen) per 200
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
                    # Counts below k are hidden (null), so what a screen has seen is read off the
                    # session's version, which every counted join and vote moves by one.
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


# --------------------------------------------------------------------------- run


@dataclass
class Run:
    stats: Stats
    screens: list[Screen]
    wall: float
    client_cpu: float
    phones: list[Phone] = field(default_factory=list)
    phone_stats: PhoneStats = field(default_factory=PhoneStats)
    version0: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # CpuMeter.since: client, server, other (seconds)


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


def _participants(
    args: argparse.Namespace, plan: Plan, stats: Stats, rng: random.Random
) -> list[threading.Thread]:
    """The pool of client threads for the participants that do not poll, their arrivals queued."""
    tasks: queue.Queue[tuple[int, float] | None] = queue.Queue()
    for index, arrival in enumerate(
        sorted(plan.started + rng.uniform(0, args.duration) for _ in range(args.participants))
    ):
        tasks.put((index, arrival))
    pool_size = min(args.client_threads, args.participants)
    for _ in range(pool_size):
        tasks.put(None)
    return [
        threading.Thread(target=client_pool, args=(tasks, plan, stats), daemon=True) for _ in range(pool_size)
    ]


def _phones(args: argparse.Namespace, plan: Plan) -> PhoneRoom:
    """The phones that poll like live.js and vote, arriving over the same duration."""
    room = Room(
        port=plan.port,
        code=plan.code,
        mode=plan.mode,
        think=THINK,
        stop=threading.Event(),
        votes_until=plan.hard_deadline,
        stats=PhoneStats(),
        schedule=Schedule(),
    )
    rng = random.Random(args.seed * 31 + 7)
    arrivals = sorted(plan.started + rng.uniform(0, args.duration) for _ in range(args.phones))
    return phone_room(room, arrivals, args.seed, args.phone_threads)


def run_load(args: argparse.Namespace, port: int, code: str, meter: CpuMeter | None = None) -> Run:
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
    pool = _participants(args, plan, stats, random.Random(args.seed))
    phones = _phones(args, plan)
    screens = [Screen() for _ in range(args.screens)]
    screen_threads = [
        threading.Thread(target=screen, args=(i, plan, screens_stop, screens[i]), daemon=True)
        for i in range(args.screens)
    ]
    cpu_before = time.process_time()
    meter_before = meter.snapshot() if meter else None
    try:
        for thread in screen_threads + pool:
            thread.start()
        phones.start()
        print(
            f"{args.phones} phones polling and {args.participants} participants voting over {args.duration:g} s,"
            f" {args.screens} screens polling …",
            file=sys.stderr,
        )
        for thread in pool:
            while thread.is_alive():
                thread.join(timeout=0.2)
        while phones.voting() and time.perf_counter() < plan.hard_deadline + REQUEST_JOIN:
            time.sleep(0.2)
        # Let the screens and phones catch up with the last votes, as they would: a phone waits as long
        # as the server last told it before it polls again.
        last = max(stats.last_activity, phones.stats.last_vote)
        tail = max(SCREEN_TAIL, phones.longest_interval() + 2.0)
        screens_stop.wait(max(0.0, last + tail - time.perf_counter()))
    finally:
        stop.set()
        screens_stop.set()
        phones.stop(REQUEST_JOIN)
        for thread in screen_threads:
            thread.join(timeout=REQUEST_JOIN)
        cpu = meter.since(meter_before) if meter and meter_before else {}
    wall = time.perf_counter() - started
    return Run(
        stats,
        screens,
        wall,
        time.process_time() - cpu_before,
        phones.phones,
        phones.stats,
        plan.version0,
        cpu,
    )


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
