"""The phones of benchmarks/forum.py: every participant's phone polls results.json as static/js/live.js does.

A phone loads the session's page (its device cookie, the csrf token, the items), then polls
`results.json` with If-None-Match set to its last ETag, waiting after each answer as long as the server
asked (`poll_after`, in milliseconds; one second if it does not say), and loads the page again when the
state word changes, as live.js does. It votes 2–3 times (poll: once) after a think each; each vote is a
POST whose 303 is followed by the page, as live.js's fetch does, and that page is a moment the phone has
seen the session (its `data-version`).

A thousand phones are not a thousand threads: one heap holds every phone's next moment (a poll or a
vote), and a small pool of threads takes whatever is due, one phone at a time on its own keep-alive
connection. How late a phone's moment started (the pool was busy) is measured, so a client that is the
bottleneck shows itself. Times are time.perf_counter() values of this process.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import json
import random
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from benchmarks.harness.client import Client, ClientError, cookies_from, form_headers
from participation.privacy import DEVICE_COOKIE

LANG = "sv"
DEFAULT_INTERVAL = 1.0  # live.js without poll_after
# gunicorn closes a keep-alive connection idle for 2 s; a phone whose connection idled longer opens a
# new one, as a browser does, instead of writing into a socket the server is closing.
KEEP_ALIVE = 1.5


class PhonePage(HTMLParser):
    """The participant page: csrf token, the items, the live root's data-version and data-state."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.csrf_token: str | None = None
        self.items: list[str] = []
        self.version: int | None = None
        self.state: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if "data-live" in a and self.version is None:
            self.version = int(a.get("data-version") or 0)
            self.state = a.get("data-state", "")
        if tag != "input" or a.get("type") != "hidden":
            return
        if a.get("name") == "csrf_token" and self.csrf_token is None:
            self.csrf_token = a.get("value")
        elif a.get("name") == "item" and a.get("value") and a["value"] not in self.items:
            self.items.append(a["value"])


def parse_page(body: bytes) -> PhonePage:
    page = PhonePage()
    page.feed(body.decode("utf-8"))
    page.close()
    return page


class Connection(Client):
    """One phone's keep-alive connection; reopened after KEEP_ALIVE idle seconds or when the server closed it."""

    def __init__(self, port: int) -> None:
        super().__init__(port, keep_alive=True)
        self.last_used = 0.0

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes, float]:
        if self.connection is not None and time.perf_counter() - self.last_used > KEEP_ALIVE:
            self.close()
        answer = super().request(method, path, body, headers)
        self.last_used = time.perf_counter()
        return answer


@dataclass
class Phone:
    index: int
    arrival: float
    rng: random.Random
    connection: Connection
    jar: dict[str, str] = field(default_factory=dict)
    token: str = ""
    state: str = ""
    etag: str | None = None
    interval: float = DEFAULT_INTERVAL
    joined_at: float | None = None  # when its first page arrived
    next_poll: float = 0.0
    votes_left: list[str] = field(default_factory=list)
    next_vote: float = float("inf")
    first_vote: bool = True
    # (received, session version) whenever this phone learnt the session's state: poll 200s and pages.
    seen: list[tuple[float, int]] = field(default_factory=list)
    done: bool = False


@dataclass
class PhoneStats:
    """What the phones measured; appended to under `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    page_latencies: list[float] = field(default_factory=list)
    vote_latencies: list[float] = field(default_factory=list)
    follow_latencies: list[float] = field(default_factory=list)
    poll_latencies: dict[int, list[float]] = field(default_factory=dict)
    poll_statuses: Counter[int] = field(default_factory=Counter)
    intervals: Counter[float] = field(default_factory=Counter)  # poll_after seen in 200s, seconds
    refreshes: int = 0  # pages loaded because the state word changed
    acks: list[float] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)  # how late each phone moment started
    joined: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    last_vote: float = 0.0
    requests: int = 0


class Schedule:
    """Every phone's next moment in one heap; pool threads take whatever is due."""

    def __init__(self) -> None:
        self.heap: list[tuple[float, int, Phone]] = []
        self.condition = threading.Condition()
        self.order = itertools.count()

    def put(self, due: float, phone: Phone) -> None:
        with self.condition:
            heapq.heappush(self.heap, (due, next(self.order), phone))
            if self.heap[0][2] is phone:
                self.condition.notify()

    def take(self, stop: threading.Event) -> tuple[float, Phone] | None:
        with self.condition:
            while not stop.is_set():
                if self.heap:
                    wait = self.heap[0][0] - time.perf_counter()
                    if wait <= 0:
                        due, _order, phone = heapq.heappop(self.heap)
                        if self.heap and self.heap[0][0] <= time.perf_counter():
                            self.condition.notify()  # more is due: wake another thread
                        return due, phone
                    self.condition.wait(min(wait, 0.05))
                else:
                    self.condition.wait(0.05)
        return None


@dataclass
class Room:
    port: int
    code: str
    mode: str
    think: tuple[float, float]
    stop: threading.Event  # no phone moment starts after this is set
    votes_until: float  # no vote starts after this (the hard deadline)
    stats: PhoneStats
    schedule: Schedule

    @property
    def page_path(self) -> str:
        return f"/{LANG}/f/{self.code}"


def choose_items(rng: random.Random, items: list[str], mode: str) -> list[str]:
    if mode == "poll":
        return [rng.choice(items)]
    return rng.sample(items, min(len(items), rng.choice((2, 3))))


def _cookie(jar: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in jar.items())} if jar else {}


def moment(room: Room, phone: Phone, due: float) -> None:
    """Whatever this phone does now: arrive, vote or poll; then its next moment goes back on the heap."""
    stats = room.stats
    with stats.lock:
        stats.lags.append(time.perf_counter() - due)
    try:
        if phone.joined_at is None:
            _arrive(room, phone)
        elif phone.next_vote <= phone.next_poll:
            _vote(room, phone)
        else:
            _poll(room, phone)
    except ClientError as exc:
        with stats.lock:
            stats.errors[str(exc)] += 1
        if phone.joined_at is None:  # a phone that could not load the page gives up, like a person would
            phone.done = True
            phone.connection.close()
            return
        phone.next_poll = time.perf_counter() + min(phone.interval * 2, 15.0)  # live.js backs off
        if phone.next_vote <= time.perf_counter():
            phone.votes_left.clear()
            phone.next_vote = float("inf")
    except Exception as exc:  # a bug in the client must not pass as a fast request
        with stats.lock:
            stats.errors[f"client {type(exc).__name__}: {exc}"] += 1
        phone.done = True
        phone.connection.close()
        return
    room.schedule.put(min(phone.next_poll, phone.next_vote), phone)


def _counted(stats: PhoneStats, n: int = 1) -> None:
    with stats.lock:
        stats.requests += n


def _arrive(room: Room, phone: Phone) -> None:
    response, body, elapsed = phone.connection.request("GET", room.page_path)
    _counted(room.stats)
    received = time.perf_counter()
    if response.status != 200:
        raise ClientError(f"page GET status {response.status}")
    phone.jar = cookies_from(response)
    page = parse_page(body)
    if DEVICE_COOKIE not in phone.jar or not page.csrf_token or not page.items or page.version is None:
        raise ClientError("page without device cookie, csrf_token, items or data-version")
    phone.token = page.csrf_token
    phone.state = page.state or ""
    phone.joined_at = received
    phone.seen.append((received, page.version))
    phone.next_poll = received + DEFAULT_INTERVAL  # live.js: the first poll a second after the page
    phone.votes_left = choose_items(phone.rng, page.items, room.mode)
    phone.next_vote = received + phone.rng.uniform(*room.think)
    with room.stats.lock:
        room.stats.page_latencies.append(elapsed)
        room.stats.joined += 1


def _vote(room: Room, phone: Phone) -> None:
    item = phone.votes_left.pop(0)
    if time.perf_counter() >= room.votes_until:
        phone.votes_left.clear()
        phone.next_vote = float("inf")
        return
    fields = {"csrf_token": phone.token, "item": item, "action": "vote"}
    encoded = urllib.parse.urlencode(fields).encode("ascii")
    headers = form_headers(room.port, room.page_path, phone.jar)
    response, _body, elapsed = phone.connection.request(
        "POST", f"{room.page_path}/vote", body=encoded, headers=headers
    )
    acked = time.perf_counter()
    _counted(room.stats)
    if response.status != 303:
        raise ClientError(f"vote POST status {response.status}")
    location = urllib.parse.urlsplit(response.headers.get("Location", ""))
    if location.path != room.page_path:
        raise ClientError("vote POST 303 to an unexpected place")
    phone.jar.update(cookies_from(response))
    with room.stats.lock:
        room.stats.vote_latencies.append(elapsed)
        room.stats.acks.append(acked)
        room.stats.moves.append(2 if phone.first_vote else 1)  # the first vote also joins: two moves
        room.stats.last_vote = max(room.stats.last_vote, acked)
    phone.first_vote = False
    # live.js's fetch follows the 303: the page with the item's new state, and the session's version.
    target = location.path + (f"?{location.query}" if location.query else "")
    response, body, elapsed = phone.connection.request("GET", target, headers=_cookie(phone.jar))
    _counted(room.stats)
    if response.status != 200:
        raise ClientError(f"page GET after vote status {response.status}")
    page = parse_page(body)
    if page.version is not None:
        phone.seen.append((time.perf_counter(), page.version))
    with room.stats.lock:
        room.stats.follow_latencies.append(elapsed)
    phone.next_vote = (
        time.perf_counter() + phone.rng.uniform(*room.think) if phone.votes_left else float("inf")
    )


def _poll(room: Room, phone: Phone) -> None:
    headers = {**_cookie(phone.jar), **({"If-None-Match": phone.etag} if phone.etag else {})}
    response, body, elapsed = phone.connection.request(
        "GET", f"{room.page_path}/results.json", headers=headers
    )
    received = time.perf_counter()
    _counted(room.stats)
    if response.status not in (200, 304):
        raise ClientError(f"results GET status {response.status}")
    with room.stats.lock:
        room.stats.poll_statuses[response.status] += 1
        room.stats.poll_latencies.setdefault(response.status, []).append(elapsed)
    if response.status == 200:
        data = json.loads(body)
        phone.etag = response.headers.get("ETag")
        phone.seen.append((received, int(data["version"])))
        after = data.get("poll_after")
        phone.interval = after / 1000 if isinstance(after, int | float) and after > 0 else DEFAULT_INTERVAL
        with room.stats.lock:
            room.stats.intervals[phone.interval] += 1
        if data.get("state") != phone.state:  # live.js fetches the page when the state word changes
            response, body, _elapsed = phone.connection.request(
                "GET", room.page_path, headers=_cookie(phone.jar)
            )
            _counted(room.stats)
            if response.status != 200:
                raise ClientError(f"page GET on a new state status {response.status}")
            phone.state = parse_page(body).state or ""
            with room.stats.lock:
                room.stats.refreshes += 1
    phone.next_poll = time.perf_counter() + phone.interval


def pool_thread(room: Room) -> None:
    while True:
        taken = room.schedule.take(room.stop)
        if taken is None:
            return
        due, phone = taken
        moment(room, phone, due)


@dataclass
class PhoneRoom:
    """The phones of one run, their schedule and the pool of threads that runs them."""

    room: Room
    phones: list[Phone]
    threads: list[threading.Thread]

    @property
    def stats(self) -> PhoneStats:
        return self.room.stats

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def voting(self) -> bool:
        """Whether a phone is still to arrive or to vote."""
        return any(not phone.done and (phone.joined_at is None or phone.votes_left) for phone in self.phones)

    def longest_interval(self) -> float:
        """The longest a phone was told to wait between polls, in seconds (at least one)."""
        return max([DEFAULT_INTERVAL, *self.room.stats.intervals])

    def stop(self, timeout: float) -> None:
        self.room.stop.set()
        for thread in self.threads:
            thread.join(timeout=timeout)
        for phone in self.phones:
            phone.connection.close()


def phone_room(room: Room, arrivals: list[float], seed: int, threads: int) -> PhoneRoom:
    """Every phone on the heap at its arrival, and `threads` pool threads (not started) to run them."""
    phones = [
        Phone(index, arrival, random.Random(seed * 1_000_033 + index), Connection(room.port))
        for index, arrival in enumerate(arrivals)
    ]
    for phone in phones:
        room.schedule.put(phone.arrival, phone)
    pool = [
        threading.Thread(target=pool_thread, args=(room,), daemon=True)
        for _ in range(min(threads, len(phones)))
    ]
    return PhoneRoom(room, phones, pool)
