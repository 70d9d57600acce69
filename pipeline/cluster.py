"""Cluster: mentions into events, without chaining two events through one ambiguous link.

Best-first merging with a coherence check: pairs at or above the threshold are taken from the
strongest down (ties broken by mention ids, so the input order never matters), and two groups
join only when (1) no item of one was told where an item of the other was (in the same chunk of
an article, or in an article one of them does not name the chunks of: see Origins), (2) no pair
across them is impossible (score -inf), clearly against (below FLOOR), or weak and contradicted
(below the threshold with a detail, party, date or amount that disagrees: a mention that leaves
the amount out must not join a $5M seed round to a $70M Series C), and (3) the mean score over
every pair across them reaches the threshold. A group is judged on all its pairs, not on one
link: groups can only form inside a connected component of the strong pairs: a component of two
mentions is one group at once (its one pair is strong), every pair inside a component of 3 to
COMPONENT_BATCH mentions is scored up front in one batch, and larger components have their
missing pairs scored at each merge. A group of more than JUDGED_MEMBERS mentions (an event a
thousand articles report) is judged on the JUDGED_MEMBERS of them first in id order (ids are
content hashes: a sample unrelated to what the mentions say), so that the work per merge stays
bounded and a big event does not cost the square of its size; (1), and (2) for the pairs of
one article's two tellings, are checked on every member.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph

FLOOR = 0.0
COMPONENT_BATCH = 64
JUDGED_MEMBERS = 64

Array = NDArray[Any]
PairScorer = Callable[[Array, Array], Array]


@dataclass(frozen=True)
class Origins:
    """Where each item was told: its document, and which chunks of it (a code into `chunk_sets`,
    -1 when the item does not say: the whole document). Two items of one document may be one
    event only when both name their chunks and share none: an article may tell an event twice, in
    two places, while the items of one chunk are the events a model told apart (and items that
    do not name their chunks, hand-made per document, are each an event of their own)."""

    doc: Array
    chunks: Array
    chunk_sets: list[frozenset[int]]

    def apart(self, a: Array, b: Array) -> Array:
        """Whether items a[k] and b[k] were told in different places (each distinct pair of
        chunk sets compared once)."""
        result: Array = self.doc[a] != self.doc[b]
        one_document = ~result & (self.chunks[a] >= 0) & (self.chunks[b] >= 0)
        if one_document.any():
            width = len(self.chunk_sets)
            keys = self.chunks[a[one_document]] * width + self.chunks[b[one_document]]
            distinct, position = np.unique(keys, return_inverse=True)
            sets = self.chunk_sets
            disjoint = np.array([sets[k // width].isdisjoint(sets[k % width]) for k in distinct.tolist()], dtype=bool)
            result[one_document] = disjoint[position]
        return result


class _Reach:
    """The places a group's items were told in: documents whole (items that do not name their
    chunks), documents by chunk with the items told in each, and those chunks."""

    __slots__ = ("chunks", "partly", "whole")

    def __init__(self, origins: Origins, items: list[int]) -> None:
        self.whole: set[int] = set()
        self.partly: dict[int, list[int]] = {}
        self.chunks: set[int] = set()
        for item in items:
            doc, code = int(origins.doc[item]), int(origins.chunks[item])
            if code < 0:
                self.whole.add(doc)
            else:
                self.partly.setdefault(doc, []).append(item)
                self.chunks |= origins.chunk_sets[code]

    def meets(self, other: _Reach) -> bool:
        """Whether an item of each was told in one place."""
        return bool(
            self.chunks & other.chunks
            or self.whole & (other.whole | other.partly.keys())
            or other.whole & self.partly.keys()
        )

    def retellings(self, other: _Reach) -> list[tuple[int, int]]:
        """The pairs of items, one of each, told in one document (in different chunks)."""
        shared = self.partly.keys() & other.partly.keys()
        return [(x, y) for doc in shared for x in self.partly[doc] for y in other.partly[doc]]

    def take(self, other: _Reach) -> None:
        self.whole |= other.whole
        for doc, items in other.partly.items():
            self.partly.setdefault(doc, []).extend(items)
        self.chunks |= other.chunks


@dataclass(frozen=True)
class Group:
    members: list[int]  # item indexes, in id order
    cohesion: float | None  # the weakest score between two members; None for one member


def cluster(
    origins: Origins,
    id_rank: Array,
    pairs: tuple[Array, Array, Array],
    score: PairScorer,
    contradicted: PairScorer,
    threshold: float,
) -> list[Group]:
    """Groups of item indexes; every item is in exactly one group, groups in order of first id.
    `pairs` are the candidate pairs and their scores, which stand over `score`'s (a model's
    verdict may have moved them); `score` scores the other pairs a group needs; `contradicted`
    says which pairs have evidence against them."""
    n = len(origins.doc)
    rank = id_rank.tolist().__getitem__
    given_left, given_right, given_values = pairs
    strong = given_values >= threshold
    left, right, values = given_left[strong], given_right[strong], given_values[strong]
    label, size = components(n, left, right)
    pair_of_two = size[left] == 2  # a component of two mentions is one group: its pair is strong
    group_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    weakest: dict[int, float] = {}
    two = (left[pair_of_two].tolist(), right[pair_of_two].tolist(), values[pair_of_two].tolist())
    for i, j, value in zip(*two, strict=True):
        keep, gone = min(i, j), max(i, j)
        members[keep] += members.pop(gone)
        group_of[gone], weakest[keep] = keep, value
    judged_on = {root: sorted(group, key=rank) for root, group in members.items()}  # at most JUDGED_MEMBERS
    left, right, values = left[~pair_of_two], right[~pair_of_two], values[~pair_of_two]
    inside = (label[given_left] == label[given_right]) & (size[given_left] > 2)
    given_keys = _pair_keys(n, given_left[inside], given_right[inside])
    known = dict(zip(given_keys.tolist(), given_values[inside].tolist(), strict=True))  # the given scores stand
    known.update(_component_scores(n, label, size, score, given_keys))
    first = np.where(id_rank[left] < id_rank[right], left, right)
    second = np.where(id_rank[left] < id_rank[right], right, left)
    order = np.lexsort((id_rank[second], id_rank[first], -values))
    reach: dict[int, _Reach] = {}  # by group, made when first needed
    refused: set[tuple[int, int, int, int]] = set()  # groups (root, size) judged apart: groups only grow
    against: dict[int, bool] = {}  # contradicted(), by pair key
    for i, j in zip(first[order].tolist(), second[order].tolist(), strict=True):
        a, b = group_of[i], group_of[j]
        judged = (min(a, b), len(members[min(a, b)]), max(a, b), len(members[max(a, b)]))
        if a == b or judged in refused:
            continue
        for g in (a, b):
            if g not in reach:
                reach[g] = _Reach(origins, members[g])
        if reach[a].meets(reach[b]):
            continue
        keys = [min(x, y) * n + max(x, y) for x in judged_on[a] for y in judged_on[b]]  # _pair_keys, one by one
        cross = _looked_up(keys, n, known, score)
        retold = _looked_up([min(x, y) * n + max(x, y) for x, y in reach[a].retellings(reach[b])], n, known, score)
        if min(retold, default=FLOOR) < FLOOR:  # one article's two tellings, judged whatever the sample
            refused.add(judged)
            continue
        weak = [key for key, value in zip(keys, cross, strict=True) if value < threshold]
        if (
            min(cross) < FLOOR
            or math.fsum(cross) / len(cross) < threshold  # fsum: exact, in any order
            or any(_looked_up(weak, n, against, contradicted))  # weak and with evidence against it
        ):
            refused.add(judged)
            continue
        keep, gone = (a, b) if (len(members[a]), -a) >= (len(members[b]), -b) else (b, a)  # relabel the smaller
        weakest[keep] = min([*cross, *retold, *(weakest.pop(g) for g in (a, b) if g in weakest)])
        moved = members.pop(gone)
        for k in moved:
            group_of[k] = keep
        members[keep] += moved
        judged_on[keep] = sorted(judged_on[keep] + judged_on.pop(gone), key=rank)[:JUDGED_MEMBERS]
        reach[keep].take(reach.pop(gone))
    groups = [Group(sorted(m, key=rank), weakest.get(root)) for root, m in members.items()]
    return sorted(groups, key=lambda g: rank(g.members[0]))


def components(n: int, left: Array, right: Array) -> tuple[Array, Array]:
    """Each item's connected component of the pairs (left[k], right[k]), and the size of that component."""
    graph = sparse.coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, label = csgraph.connected_components(graph, directed=False)
    return label, np.bincount(label)[label]


def _pair_keys(n: int, a: Array, b: Array) -> Array:
    """One integer per unordered pair of item indexes: low * n + high."""
    return np.minimum(a, b) * n + np.maximum(a, b)


def _component_scores(n: int, label: Array, size: Array, score: PairScorer, given: Array) -> dict[int, float]:
    """The score of every pair inside each connected component of 3 to COMPONENT_BATCH items whose
    key is not among the `given` ones, keyed by _pair_keys."""
    inside = np.flatnonzero((size > 2) & (size <= COMPONENT_BATCH))
    inside = inside[np.argsort(label[inside], kind="stable")]
    lows, highs = [], []
    for distance in range(1, COMPONENT_BATCH):
        same = label[inside[:-distance]] == label[inside[distance:]]
        if not same.any():
            break
        lows.append(inside[:-distance][same])
        highs.append(inside[distance:][same])
    keys = _pair_keys(n, np.concatenate(lows or [inside[:0]]), np.concatenate(highs or [inside[:0]]))
    keys = keys[~np.isin(keys, given)]
    return dict(zip(keys.tolist(), score(keys // n, keys % n).tolist(), strict=True))


def _looked_up(keys: list[int], n: int, known: dict[int, Any], judge: PairScorer) -> list[Any]:
    """`judge`'s answer for each pair key, asking it only about the pairs `known` lacks."""
    missing = [key for key in keys if key not in known]
    if missing:
        codes = np.array(missing, dtype=np.int64)
        known.update(zip(missing, judge(codes // n, codes % n).tolist(), strict=True))
    return [known[key] for key in keys]
