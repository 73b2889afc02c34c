"""Disclosure control: the one place that decides which counts and shares may leave the database.

Delaktig is a free table builder: an analyst, a partner's token and the public can ask for any filter
combination (term × age band × gender × place), breakdowns, trends, reach, and per-survey results. Every
number shown is a sum of the same underlying cells, so an attacker who collects many views can treat them
as linear equations. Hiding small cells one table at a time (what this module did before) does not
survive that: two- and three-dimensional margins rebuilt the hidden cells, and adding 14 known responses
pushed a hidden group over k so that its answers came out by subtraction.

The method is cell-key perturbation, as in the Australian Bureau of Statistics' TableBuilder and the UK's
2021 census tables:
- Every counted record (a response, a free-text answer, a forum participant) has a record key, a
  pseudo-random number derived from its id (`record_key`). A count travels with the sum of its records'
  keys (`Count`); the cell key is that sum modulo 2^31. The same set of records always has the same cell
  key, however the view was asked for (a filter, a breakdown, a different page), and different sets have
  unrelated keys.
- The shown value is the true count plus a noise drawn from the cell key and the count through an HMAC
  under the app's secret. No noise is fresh per request (the same request always gets the same numbers),
  and nobody without the secret can predict it. The noise is two-sided geometric (the discrete Laplace
  distribution of differential privacy) with P(0) = 1/5, so that one figure pins a small group no more
  often than guessing among five values; its standard deviation is 3.5 and it is cut at ±NOISE_BOUND.
  A bounded uniform noise (±2) was tried first: an attacker who knows the bound solved the views as
  linear programs and pinned hidden zeros wherever four or five noises happened to sit at the bound.
- A figure is shown only when both its true count and its perturbed value reach k; otherwise it is
  "fewer than k". So a true 0, a true 1…k−1 and a perturbed small value look exactly alike, and no
  number below k is ever printed.
- A share is the perturbed count over the perturbed base, and only on a perturbed base of at least 10.

Why not consistent cell suppression: it shows exact figures, so it can never beat the active attack
(add 20 known responses to a hidden group of 3 and subtract), and a suppression pattern that holds over
the whole hierarchy of a four-dimensional table with several measures per theme, plus the per-survey
result tables that share their records, is an NP-hard problem to get right on every release. Why not
random rounding to base 3: it is noise too, but tied to the true value's remainder, with larger errors for
the same protection; cell keys also give consistency across tables for free. The price of perturbation is
that margins do not add up exactly (each figure is off by at most NOISE_BOUND), which the needs map's
"how is this calculated" note says.

The attacker tests in tests/test_disclosure_attack.py solve every collected view as linear programs
(scipy's HiGHS) and must do no better than guessing, also after adding 20 known responses. Results also
move in releases (participation.surveys.releases), so a single submission cannot be diffed out.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from participation.config import MIN_SUPPRESSION_K

SHARE_MIN_BASE = 10
NOISE_RATIO = 2 / 3  # P(|noise| = m + 1) / P(|noise| = m): P(0) = (1 - r) / (1 + r) = 1/5
NOISE_BOUND = 25  # never further off than this (reached about once in 20,000 figures)
KEY_MODULUS = 2**31
_MULTIPLIER = 2654435761  # Knuth's multiplicative hash: consecutive ids get unrelated keys


def threshold() -> int:
    """The k in force: configured, never below the minimum."""
    return max(int(current_app.config.get("SUPPRESSION_K", MIN_SUPPRESSION_K)), MIN_SUPPRESSION_K)


def record_key(record_id: int) -> int:
    """A record's key from its id, in Python; `record_key_sql` is the same in SQL."""
    return (int(record_id) * _MULTIPLIER) % KEY_MODULUS


def record_key_sql(column: Any) -> Any:
    """The record key of an integer id column, as SQL (SQLite and PostgreSQL compute it alike)."""
    return (sa.cast(column, sa.BigInteger) * sa.literal(_MULTIPLIER, sa.BigInteger)) % sa.literal(
        KEY_MODULUS, sa.BigInteger
    )


def counted_sql(record_id: Any) -> tuple[Any, Any]:
    """The SQL for a Count of the rows a query groups: how many, and the sum of their record keys.

    `record_id` names one record per row (a response id, an answer id); read the two back with
    `Count(int(n), int(key))`.
    """
    return sa.func.count(record_id), sa.func.coalesce(sa.func.sum(record_key_sql(record_id)), 0)


@dataclass(frozen=True)
class Count:
    """A true count with the sum of its records' keys: what perturbation needs, never shown as it is."""

    n: int = 0
    key: int = 0

    @classmethod
    def of(cls, record_ids: Any) -> Count:
        """The count of a set of records known by id in Python."""
        ids = list(record_ids)
        return cls(len(ids), sum(record_key(i) for i in ids))


def _noise(count: Count) -> int:
    """The count's own noise: two-sided geometric, drawn from an HMAC of the count and its cell key."""
    secret = current_app.config["SECRET_KEY"].encode()
    cell_key = count.key % KEY_MODULUS
    digest = hmac.new(secret, f"cell-key:v2:{count.n}:{cell_key}".encode(), hashlib.sha256).digest()
    uniform = (int.from_bytes(digest[:7], "big") >> 3) / 2**53  # in [0, 1)
    zero = (1 - NOISE_RATIO) / (1 + NOISE_RATIO)
    if uniform < zero:
        return 0
    rest = (uniform - zero) / (1 - zero)  # the magnitude is 1 + a geometric number of further steps
    magnitude = min(1 + int(math.log1p(-rest) / math.log(NOISE_RATIO)), NOISE_BOUND)
    return magnitude if digest[7] & 1 else -magnitude


def perturbed(count: Count) -> int:
    """The count as it may be shown before the threshold: true count plus its own fixed noise."""
    if count.n <= 0:
        return 0
    return max(0, count.n + _noise(count))


def protect(count: Count, k: int) -> int | None:
    """The perturbed count, or None ("fewer than k") when the true or the perturbed count is below k."""
    if count.n < k:
        return None
    value = perturbed(count)
    return value if value >= k else None


@dataclass(frozen=True)
class Cell:
    """A count that may be shown, or None when it is hidden; a share only on a large enough base."""

    count: int | None
    share: float | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


HIDDEN = Cell(None, None)


def cell(count: Count, base: Count | None, k: int) -> Cell:
    """A protected count, with its share of the protected base when that base is at least 10."""
    shown = protect(count, k)
    if shown is None:
        return HIDDEN
    return Cell(shown, share(shown, protect(base, k) if base is not None else None))


def exact_at_least(count: int, k: int) -> Cell:
    """A count shown as it is from k up, hidden below: only for counts that say nothing about a person.

    Used for how many votes a topic proposed in a forum got and how many joined, where a meeting must see
    which topic won; answers about oneself (statements, polls, surveys) always go through `cell`.
    """
    return Cell(count, None) if count >= k else HIDDEN


def share(count: int | None, base: int | None) -> float | None:
    """A share of two protected figures: only on a base of at least 10, never above one."""
    if count is None or base is None or base < SHARE_MIN_BASE:
        return None
    return min(count / base, 1.0)
