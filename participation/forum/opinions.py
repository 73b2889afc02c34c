"""Opinion groups in a statements session: who votes alike, what sets each group apart, what all agree on.

As Pol.is does: every participant who voted on at least MIN_VOTES statements is a row of +1 (agree), −1
(disagree) and 0 (pass or not seen); the centred rows are projected on their two principal components
(an SVD) and clustered by k-means for 2 to 5 groups, keeping the number of groups with the best
silhouette. Everything is computed with numpy and is deterministic: k-means++ starts from a fixed seed,
the rows are in participant order and the groups are numbered in the order their first member joined.

Small-cell rules: a grouping is only considered when every group holds at least k participants (the
suppression threshold); a number of groups that leaves a smaller one is skipped rather than merged, since
merging a small cluster into its neighbour makes a group the geometry does not support, and if no number of
groups qualifies nothing is shown. Group sizes are perturbed like every count (participation.suppression)
and never shown below k. Agree shares come from protected counts (`cell`): hidden below k and only on a
base of at least ten. No participant, position or individual vote leaves this module: the result holds
items, protected counts and shares only.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from participation.extensions import db
from participation.forum.models import (
    AGREE,
    ForumItem,
    ForumMode,
    ForumParticipant,
    ForumSession,
    ForumVote,
    ItemStatus,
)
from participation.suppression import SHARE_MIN_BASE, Cell, Count, cell, perturbed, protect, threshold

MIN_VOTES = 3  # a participant is grouped once they voted on this many statements
GROUP_COUNTS = range(2, 6)
SEED = 15
TRIES = 8
ITERATIONS = 100
SILHOUETTE_SAMPLE = 1000  # the silhouette is measured on at most this many rows (every n-th)
REFRESH_SECONDS = 10.0  # while votes come in, a session's groups are found again at most this often
APART_SHOWN = 3
APART_MIN = 0.15  # a difference of agree shares smaller than this sets nothing apart
COMMON_SHARE = 0.6

Array = np.ndarray


# --- the computation on a vote matrix --------------------------------------------------------------


def project(matrix: Array) -> Array:
    """The rows on the first two principal components of the centred matrix."""
    centred = matrix - matrix.mean(axis=0)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    return np.asarray(centred @ vt[:2].T, dtype=float)


def _squared_distances(points: Array, centres: Array) -> Array:
    return np.asarray(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))


def _plus_plus(points: Array, k: int, rng: np.random.Generator) -> Array:
    """k-means++ starting centres: each next one drawn in proportion to its squared distance."""
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        nearest = _squared_distances(points, np.array(centres)).min(axis=1)
        total = nearest.sum()
        weights = nearest / total if total > 0 else np.full(len(points), 1 / len(points))
        centres.append(points[rng.choice(len(points), p=weights)])
    return np.array(centres)


def kmeans(points: Array, k: int) -> Array:
    """Cluster labels for k groups: the best of TRIES k-means++ runs from a fixed seed."""
    rng = np.random.default_rng(SEED)
    best: tuple[float, Array] | None = None
    for _ in range(TRIES):
        centres = _plus_plus(points, k, rng)
        for _ in range(ITERATIONS):
            labels = _squared_distances(points, centres).argmin(axis=1)
            moved = np.array(
                [points[labels == j].mean(axis=0) if (labels == j).any() else centres[j] for j in range(k)]
            )
            if np.allclose(moved, centres):
                break
            centres = moved
        distances = _squared_distances(points, centres)
        labels = distances.argmin(axis=1)
        inertia = float(distances[np.arange(len(points)), labels].sum())
        if best is None or inertia < best[0] - 1e-12:
            best = (inertia, labels)
    assert best is not None
    return best[1]


def silhouette(points: Array, labels: Array) -> float:
    """The mean silhouette of (a regular sample of) the rows; a row alone in its group counts zero."""
    step = max(1, -(-len(points) // SILHOUETTE_SAMPLE))
    sample = np.arange(0, len(points), step)
    distances = np.sqrt(np.maximum(_squared_distances(points[sample], points), 0.0))
    members = labels[:, None] == np.unique(labels)[None, :]  # rows × groups
    sizes = members.sum(axis=0).astype(float)
    means = distances @ members / sizes  # each sampled row's mean distance to each group
    own = members[sample]
    alone = sizes[own.argmax(axis=1)] <= 1
    inside = (distances @ members)[own] / np.maximum(sizes[own.argmax(axis=1)] - 1, 1)
    outside = np.where(own, np.inf, means).min(axis=1)
    spread = np.maximum(inside, outside)
    scores = np.where(alone | (spread == 0), 0.0, (outside - inside) / np.where(spread == 0, 1, spread))
    return float(scores.mean())


def _numbered(labels: Array) -> Array:
    """The same grouping, groups numbered 0, 1, … in the order of their first row."""
    order: dict[int, int] = {}
    for label in labels.tolist():
        order.setdefault(label, len(order))
    return np.array([order[label] for label in labels.tolist()])


_CACHE: OrderedDict[tuple[bytes, tuple[int, ...], int], Array | None] = OrderedDict()
_CACHE_SIZE = 32
_CACHE_LOCK = threading.Lock()


def group_labels(matrix: Array, min_size: int) -> Array | None:
    """Each row's group, or None: 2–5 groups by the best silhouette, every group at least min_size rows.

    Remembered by the matrix's own digest, so the projectors and the facilitator's page asking for the
    same votes cost one computation, and any change of a vote (or a held row) computes anew.
    """
    key = (hashlib.sha256(matrix.tobytes()).digest(), matrix.shape, min_size)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    labels = _group_labels(matrix, min_size)
    with _CACHE_LOCK:
        _CACHE[key] = labels
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return labels


def _group_labels(matrix: Array, min_size: int) -> Array | None:
    rows = matrix.shape[0]
    if rows < 2 * min_size or matrix.shape[1] < 2:
        return None
    points = project(matrix)
    best: tuple[float, Array] | None = None
    for k in GROUP_COUNTS:
        if k * min_size > rows:
            break
        labels = kmeans(points, k)
        if np.bincount(labels, minlength=k).min() < min_size:
            continue
        score = silhouette(points, labels)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    return None if best is None else _numbered(best[1])


# --- from the session's votes, and out as protected figures -------------------------------------------


@dataclass(frozen=True)
class Votes:
    """The vote matrix with each vote's id (0 where none): what the protected counts are keyed on."""

    values: Array  # participants × statements: +1, −1, 0
    vote_ids: Array  # the same shape: the ForumVote id, 0 where the participant did not vote
    participants: list[int]
    items: list[ForumItem]

    def only(self, keep: Array) -> Votes:
        kept = [pid for pid, mine in zip(self.participants, keep.tolist(), strict=True) if mine]
        return Votes(self.values[keep], self.vote_ids[keep], kept, self.items)


def session_votes(session: ForumSession) -> Votes:
    """The approved statements' counted votes (held votes and participants left out, as results.py does)."""
    items = [i for i in session.items if i.status is ItemStatus.APPROVED and not i.quarantined]
    column = {item.id: index for index, item in enumerate(items)}
    rows = db.session.execute(
        sa.select(ForumVote.participant_id, ForumVote.item_id, ForumVote.value, ForumVote.id)
        .join(ForumParticipant, ForumParticipant.id == ForumVote.participant_id)
        .where(ForumVote.session_id == session.id, ~ForumVote.quarantined, ~ForumParticipant.quarantined)
        .order_by(ForumVote.participant_id, ForumVote.id)
    ).all()
    rows = [row for row in rows if row.item_id in column]
    participants = sorted({row.participant_id for row in rows})
    line = {pid: index for index, pid in enumerate(participants)}
    values = np.zeros((len(participants), len(items)))
    vote_ids = np.zeros((len(participants), len(items)), dtype=np.int64)
    for participant_id, item_id, value, vote_id in rows:
        values[line[participant_id], column[item_id]] = max(-1, min(1, value))
        vote_ids[line[participant_id], column[item_id]] = vote_id
    keep = (vote_ids > 0).sum(axis=1) >= MIN_VOTES
    kept = [pid for pid, kept in zip(participants, keep.tolist(), strict=True) if kept]
    return Votes(values[keep], vote_ids[keep], kept, items)


@dataclass(frozen=True)
class Agree:
    """How many agreed (a protected Cell with its share) and the share to compare by.

    `rank` is the shown share, or zero when the agreeing count is hidden on a shown base of ten or more
    (as results.py ranks hidden counts as zero); None when the base itself is too small to say anything.
    """

    cell: Cell
    rank: float | None


@dataclass(frozen=True)
class Statement:
    """A statement's agree share in a group, and among everyone else who was grouped."""

    item: ForumItem
    group: Agree
    rest: Agree

    @property
    def difference(self) -> float:
        assert self.group.rank is not None and self.rest.rank is not None
        return self.group.rank - self.rest.rank


@dataclass(frozen=True)
class Group:
    number: int  # 1, 2, …
    size: int  # perturbed, never below k
    apart: list[Statement]


@dataclass(frozen=True)
class Common:
    item: ForumItem
    shares: list[Cell]  # one per group, in the groups' order


@dataclass(frozen=True)
class OpinionGroups:
    groups: list[Group]
    common: list[Common]
    k: int


def _agree(votes: Votes, rows: Array, column: int, k: int) -> Agree:
    ids = votes.vote_ids[rows, column]
    agreed = votes.values[rows, column] == AGREE
    base = Count.of(ids[ids > 0].tolist())
    shown = cell(Count.of(ids[agreed & (ids > 0)].tolist()), base, k)
    if shown.share is not None:
        return Agree(shown, shown.share)
    base_shown = protect(base, k)
    return Agree(shown, 0.0 if shown.suppressed and (base_shown or 0) >= SHARE_MIN_BASE else None)


def _apart(statements: list[Statement]) -> list[Statement]:
    """The statements whose agree share differs most from everyone else's (both shares shown)."""
    shown = [s for s in statements if s.group.rank is not None and s.rest.rank is not None]
    shown = [s for s in shown if abs(s.difference) >= APART_MIN]
    shown.sort(key=lambda s: (-abs(s.difference), s.item.position, s.item.id))
    return shown[:APART_SHOWN]


_RECENT: dict[tuple[object, ...], tuple[float, dict[int, int] | None]] = {}


def _grouped(session: ForumSession, votes: Votes, k: int) -> tuple[Votes, Array | None]:
    """The votes with each row's group, found anew at most every REFRESH_SECONDS per session.

    In between, the groups found last are kept for the participants still counted (new voters wait for
    the next round; a held one is gone at once) and every figure is computed from the current votes; if
    a group would now be under k, the groups are found anew.
    """
    key = (session.id, session.code, session.created_at, k)
    now = time.monotonic()
    with _CACHE_LOCK:
        recent = _RECENT.get(key)
    if recent is not None and now - recent[0] < REFRESH_SECONDS:
        if recent[1] is None:
            return votes, None
        groups = recent[1]
        kept = votes.only(np.array([pid in groups for pid in votes.participants], dtype=bool))
        labels = np.array([groups[pid] for pid in kept.participants], dtype=np.int64)
        count = max(groups.values()) + 1
        if len(labels) and np.bincount(labels, minlength=count).min() >= k:
            return kept, labels
    found = group_labels(votes.values, k)
    mapping = None if found is None else dict(zip(votes.participants, found.tolist(), strict=True))
    with _CACHE_LOCK:
        _RECENT[key] = (now, mapping)
        for old in [key for key, (at, _) in _RECENT.items() if now - at >= REFRESH_SECONDS]:
            del _RECENT[old]
    return votes, found


def opinion_groups(session: ForumSession, k: int | None = None) -> OpinionGroups | None:
    """The session's opinion groups as they may be shown, or None (not statements, too few, too small)."""
    if session.mode is not ForumMode.STATEMENTS:
        return None
    k = threshold() if k is None else k
    votes, labels = _grouped(session, session_votes(session), k)
    if labels is None:
        return None
    groups: list[Group] = []
    per_group: list[list[Cell]] = []
    for number in range(int(labels.max()) + 1):
        inside, outside = labels == number, labels != number
        members = [pid for pid, mine in zip(votes.participants, inside.tolist(), strict=True) if mine]
        statements = [
            Statement(item, _agree(votes, inside, c, k), _agree(votes, outside, c, k))
            for c, item in enumerate(votes.items)
        ]
        per_group.append([statement.group.cell for statement in statements])
        size = max(perturbed(Count.of(members)), k)
        groups.append(Group(number + 1, size, _apart(statements)))
    common = [
        Common(item, [shares[c] for shares in per_group])
        for c, item in enumerate(votes.items)
        if all((shares[c].share or 0.0) >= COMMON_SHARE for shares in per_group)
    ]
    return OpinionGroups(groups, common, k)
