"""Cluster: mentions into events, without chaining two events through one ambiguous link.

Best-first merging with a coherence check: candidate pairs are taken from the strongest down
(ties broken by mention ids, so the input order never matters), and two groups join only when
(1) they share no document (one article reports one event once: its duplicates were merged
before), (2) no pair across them is impossible (score -inf) or clearly against (below FLOOR),
and (3) the mean score over every pair across them reaches the threshold. Pairs that blocking did
not propose are scored on demand, so a group is judged on all its pairs, not on one link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

FLOOR = 0.0


def cluster(
    ids: list[str],
    docs: list[str],
    scored_pairs: Iterable[tuple[float, int, int]],
    pair_score: Callable[[int, int], float],
    threshold: float,
) -> list[list[int]]:
    """Groups of item indexes; every item is in exactly one group, groups sorted by first id."""
    group_of = list(range(len(ids)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(ids))}
    known: dict[tuple[int, int], float] = {}
    ordered = sorted(
        ((s, i, j) for s, i, j in scored_pairs if s >= threshold), key=lambda t: (-t[0], ids[t[1]], ids[t[2]])
    )
    for s, i, j in ordered:
        known[(i, j) if i < j else (j, i)] = s
    for _, i, j in ordered:
        left, right = group_of[i], group_of[j]
        if left == right:
            continue
        a, b = members[left], members[right]
        if {docs[x] for x in a} & {docs[y] for y in b}:
            continue
        cross = []
        for x in a:
            for y in b:
                key = (x, y) if x < y else (y, x)
                value = known.get(key)
                if value is None:
                    value = known[key] = pair_score(*key)
                cross.append(value)
        if min(cross) < FLOOR or sum(cross) / len(cross) < threshold:
            continue
        keep, gone = min(left, right), max(left, right)
        members[keep] = sorted(a + b, key=lambda k: ids[k])
        for k in members.pop(gone):
            group_of[k] = keep
    return sorted(members.values(), key=lambda group: ids[group[0]])
