"""What results.json costs a room full of phones: how often they poll, and bodies they share.

Every phone of a session polls `results.json` (static/js/live.js). In a room of 30 that is 30 polls a
second, and each is a bodiless 304 until something changes. In a hall of 1 000 that votes, the session
changes with nearly every request, so nearly every poll would count the votes again. Two things keep that
within what a small server gives:

- The body says when to poll next (`poll_after`, milliseconds): one second while the room's phones poll
  at most PARTICIPATION_FORUM_PHONE_POLLS times a second together, longer beyond, in half-second steps,
  at most ten seconds. Phones follow it; the projector and the facilitator's page keep one second, and a
  phone sees its own vote at once in the page its vote answers with.
- In a room of SHARED_FROM participants or more a worker counts a session's results at most once per
  SHARE_SECONDS and language: the phones polling in between get that body with its own ETag, at most
  SHARE_SECONDS behind. A smaller room (a class, a youth council) always gets the counts of the moment.

The cache is per process and holds one body per session and language; a conditional poll that has seen
the current version never reaches it.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app

POLL_MS = 1000  # the interval of a room that is not paced, and of projectors and facilitators always
POLL_MS_MAX = 10_000
POLL_STEP_MS = 500
SHARE_SECONDS = 0.25
SHARED_FROM = 100  # participants
_EXTENSION = "forum_live_bodies"


def now() -> float:
    """The clock bodies are dated by (time.monotonic())."""
    return time.monotonic()


def poll_after_ms(participants: int, polls_per_second: int) -> int:
    """How long a phone waits before its next poll, so the room's phones together poll about
    `polls_per_second` times a second: 1 s for a small room, longer in half-second steps, at most 10 s."""
    if participants <= polls_per_second:
        return POLL_MS
    steps = math.ceil(participants * 1000 / polls_per_second / POLL_STEP_MS)
    return min(POLL_MS_MAX, steps * POLL_STEP_MS)


def room_poll_after_ms(participants: int) -> int:
    return poll_after_ms(participants, current_app.config["FORUM_PHONE_POLLS"])


@dataclass(frozen=True)
class Body:
    """One results.json body as counted at `made` (now()) for a session's `version`."""

    code: str
    version: int
    up: bool  # the countdown had closed voting (sessions.time_is_up)
    data: bytes
    participants: int  # counted ones, as results.py counts them
    made: float

    @property
    def shareable(self) -> bool:
        return self.participants >= SHARED_FROM


class Bodies:
    """The last body per (session id, language) in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: dict[tuple[int, str], Body] = {}

    def shared(self, session_id: int, code: str, lang: str, version: int, up: bool) -> Body | None:
        """The last body, if the room is big enough and it was counted less than SHARE_SECONDS ago for this
        session (a restored database may reuse ids: the code must match too) at this version or before,
        and on the same side of a countdown's end."""
        with self._lock:
            body = self._bodies.get((session_id, lang))
        if body is None or not body.shareable or body.code != code or body.version > version or body.up != up:
            return None
        return body if now() - body.made < SHARE_SECONDS else None

    def keep(self, session_id: int, lang: str, body: Body) -> None:
        with self._lock:
            self._bodies[(session_id, lang)] = body


def bodies(app: Flask | None = None) -> Bodies:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_EXTENSION)
    if found is None:
        found = app.extensions.setdefault(_EXTENSION, Bodies())
    return found
