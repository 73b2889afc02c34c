"""Small-cell suppression: the one place that decides which counts and shares may leave the database."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app

from participation.config import MIN_SUPPRESSION_K

SHARE_MIN_BASE = 10
K = TypeVar("K", bound=Hashable)


def threshold() -> int:
    """The k in force: configured, never below the minimum."""
    return max(int(current_app.config.get("SUPPRESSION_K", MIN_SUPPRESSION_K)), MIN_SUPPRESSION_K)


@dataclass(frozen=True)
class Cell:
    """A count that may be shown, or None when it is hidden; a share only on a large enough base."""

    count: int | None
    share: float | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


def suppress(counts: Mapping[K, int], base: int, k: int, additive: bool) -> dict[K, Cell]:
    """Hide counts below k; when cells add up to the base, hide a second cell so no hidden one is recoverable.

    `additive` is true when every respondent falls in exactly one cell (single choice, scale, yes/no):
    then a lone hidden cell equals the base minus the others, so the next smallest is hidden as well.
    """
    hidden = {key for key, count in counts.items() if count < k}
    if additive and len(hidden) == 1:
        visible = sorted((count, str(key), key) for key, count in counts.items() if key not in hidden)
        if visible:
            hidden.add(visible[0][2])
    show_shares = base >= SHARE_MIN_BASE
    return {
        key: Cell(None, None)
        if key in hidden
        else Cell(count, count / base if show_shares and base else None)
        for key, count in counts.items()
    }
