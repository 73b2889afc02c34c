"""A small line per theme beside the needs map's trend table: the shares shown, across the terms.

Only the shares the table shows are drawn (a hidden cell leaves a gap, never a guess), at time-proportional
places, on a fixed 0–100 % scale so that two themes' lines compare. The numbers are in the table beside
it, so the picture is hidden from screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from participation.core.terms import term_index
from participation.suppression import Cell

WIDTH, HEIGHT, PAD = 120, 32, 4


@dataclass(frozen=True)
class Spark:
    lines: list[str]  # polyline points, one per run of shown terms
    dots: list[tuple[float, float]]


def spark(terms: list[int], cells: dict[int, Cell]) -> Spark | None:
    """The line through the shown shares of `terms` (oldest first); None with fewer than two."""
    if len(terms) < 2:
        return None
    first, last = term_index(terms[0]), term_index(terms[-1])
    runs: list[list[tuple[float, float]]] = [[]]
    shown = 0
    for term in terms:
        cell = cells.get(term)
        if cell is None or cell.share is None:
            if runs[-1]:
                runs.append([])
            continue
        x = PAD + (WIDTH - 2 * PAD) * (term_index(term) - first) / max(last - first, 1)
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * min(max(cell.share, 0.0), 1.0)
        runs[-1].append((round(x, 1), round(y, 1)))
        shown += 1
    if shown < 2:
        return None
    points = [point for run in runs for point in run]
    return Spark([" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1], points)
