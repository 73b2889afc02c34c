"""How a forum's public counts read and look: plural forms from the catalogs, and bar lengths.

Everything here starts from `results.public_counts`, never from the true counts: a hidden count reads
"fewer than k", and its bar has no length, so neither the words nor the bars give away what is hidden.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import ngettext

from participation.database import utcnow
from participation.forum.models import ForumItem, ForumMode, ForumSession
from participation.forum.results import PublicCounts
from participation.forum.sessions import time_is_up, voting_is_open
from participation.i18n.languages import content
from participation.suppression import Cell


def count_label(mode: ForumMode, name: str, cell: Cell, k: int) -> str:
    """A count with its noun in the page's plural forms: "1 röst", "2 röster", "färre än 5 röster"."""
    n = cell.count
    if name == "agree":
        if n is None:
            return ngettext("fewer than %(num)d agree", "fewer than %(num)d agree", k)
        return ngettext("%(num)d agrees", "%(num)d agree", n)
    if name == "disagree":
        if n is None:
            return ngettext("fewer than %(num)d disagree", "fewer than %(num)d disagree", k)
        return ngettext("%(num)d disagrees", "%(num)d disagree", n)
    if name == "pass":
        if n is None:
            return ngettext("fewer than %(num)d pass", "fewer than %(num)d pass", k)
        return ngettext("%(num)d passes", "%(num)d pass", n)
    if mode is ForumMode.DOTS:
        if n is None:
            return ngettext("fewer than %(num)d dot", "fewer than %(num)d dots", k)
        return ngettext("%(num)d dot", "%(num)d dots", n)
    if n is None:
        return ngettext("fewer than %(num)d vote", "fewer than %(num)d votes", k)
    return ngettext("%(num)d vote", "%(num)d votes", n)


def participants_label(cell: Cell, k: int) -> str:
    if cell.count is None:
        return ngettext("fewer than %(num)d taking part", "fewer than %(num)d taking part", k)
    return ngettext("%(num)d taking part", "%(num)d taking part", cell.count)


def width_class(part: int, whole: int) -> str:
    """One of the stylesheet's w0…w100 classes (steps of 5 %): CSP allows no inline style."""
    if whole <= 0 or part <= 0:
        return "w0"
    return f"w{min(100, round(part * 20 / whole) * 5)}"


@dataclass(frozen=True)
class Row:
    """One item as the screens show it: its counts' words and the lengths of its bars."""

    item: ForumItem
    labels: dict[str, str]
    widths: dict[str, str]
    counts: dict[str, int | None]


def _shown(cell: Cell | None) -> int:
    return cell.count or 0 if cell is not None else 0


def rows(public: PublicCounts) -> list[Row]:
    """The ranked items with words and bars: ranking bars scale to the top count, a statement's halves
    to its own shown total (agree to one side, disagree to the other)."""
    session: ForumSession = public.session
    mode = session.mode
    top = max((_shown(p.cells.get("votes")) for p in public.items), default=0)
    out = []
    for public_item in public.items:
        cells = public_item.cells
        labels = {name: count_label(mode, name, c, public.k) for name, c in cells.items()}
        if mode is ForumMode.STATEMENTS:
            total = sum(_shown(c) for c in cells.values())
            widths = {name: width_class(_shown(c), total) for name, c in cells.items()}
        else:
            widths = {"votes": width_class(_shown(cells.get("votes")), top)}
        counts = {name: c.count for name, c in cells.items()}
        out.append(Row(public_item.item, labels, widths, counts))
    return out


def state_key(public: PublicCounts, now: datetime | None = None) -> str:
    """What, when it changes, needs the page's regions fetched again rather than numbers updated: the
    switches (voting as it is now: a countdown that has ended closed it), the countdown, the reveal,
    which items are shown and their texts in the page's language."""
    session = public.session
    now = now or utcnow()
    deadline = session.deadline.isoformat() if session.deadline is not None else ""
    voting = voting_is_open(session, now)
    switches = (
        f"{session.status.value}:{voting:d}{session.proposals_open:d}{session.revealed:d}"
        f"{time_is_up(session, now):d}"
    )
    texts = [
        content(session.title, session.base_language).text,
        content(session.prompt, session.base_language).text,
    ]
    texts += [f"{p.item.id}={content(p.item.text, p.item.source_language).text}" for p in public.items]
    return f"{switches}-{zlib.crc32(json.dumps([deadline, sorted(texts)]).encode()):08x}"
