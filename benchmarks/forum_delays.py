"""The delays benchmarks/forum.py reports: from a vote's 303 until a projector screen or a phone had it.

The k-th acknowledged vote (ranked by when its 303 arrived) counts as in once the session's version
reached the sum of the version moves so far: every counted join and every counted vote moves it by one.
Commit order and 303 order can differ by a few milliseconds among concurrent votes, so these are
estimates; certain_delays gives a bound that is certain.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.forum_crowd import Screen
    from benchmarks.forum_phones import Phone


def shown_delays(
    acks: list[float], moves: list[int], screens: list[Screen]
) -> tuple[list[float], list[float], int]:
    """Estimated update delays: (earliest screen per vote, every screen per vote, votes never shown)."""
    earliest: list[float] = []
    per_screen: list[float] = []
    never = 0
    reached = 0
    for acked, moved in sorted(zip(acks, moves, strict=True)):
        reached += moved  # the version the session has once this vote (and its join) counted
        first: float | None = None
        for result in screens:
            totals = [total for _received, total in result.bodies]
            # Versions only grow, so the first body at least this far is a bisection away.
            position = bisect.bisect_left(totals, reached)
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


def phone_delays(
    acks: list[float], moves: list[int], phones: list[Phone], version0: int
) -> tuple[list[float], int]:
    """Per phone and vote acknowledged after that phone's page arrived: how long until the phone had seen
    a version including it (0 if it had first; the k-th vote counts as in once the version reached the
    sum of the moves so far, as for the screens). Returns (delays, vote × phone pairs never seen)."""
    import numpy as np

    order = sorted(zip(acks, moves, strict=True))
    ack_times = np.array([acked for acked, _moved in order])
    reached = np.cumsum([moved for _acked, moved in order]) + version0
    delays: list[np.ndarray] = []
    never = 0
    for phone in phones:
        if phone.joined_at is None or not phone.seen:
            continue
        times = np.array([received for received, _version in phone.seen])
        versions = np.maximum.accumulate(np.array([version for _received, version in phone.seen]))
        after = ack_times >= phone.joined_at
        positions = np.searchsorted(versions, reached[after], side="left")
        shown = positions < len(versions)
        never += int((~shown).sum())
        delays.append(np.maximum(0.0, times[positions[shown]] - ack_times[after][shown]))
    flat = np.concatenate(delays) if delays else np.array([])
    return [float(value) for value in flat], never
