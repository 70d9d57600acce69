"""Benchmark: events that look alike, beyond the seeds. Figures, not assertions: nothing here fails.

    .venv/bin/python bench/lookalike_probes.py [PROBES.jsonl]

Each line of bench/data/lookalike_probes.jsonl is one probe: hand-made mentions, in Chinese,
English and French, of one event told two or three ways or of events that only look alike (two
startups' rounds in one month, a person named in Chinese characters and in Latin script, one
company's two segments' revenue), with the grouping a reader gives them. Two read-only reviews
of the matching wrote them in session 16, several of them failing on purpose; they are kept as
data so that the README's counts can be rerun. Each probe is reconciled on its own
(`build_facts`, the default registry); the script prints every probe grouped otherwise, whether
it merged two events or split one, and the tally.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.entities import RegistryEntry, load_registry
from pipeline.reconcile import build_facts
from pipeline.records import Mention

PROBES = Path(__file__).resolve().parent / "data" / "lookalike_probes.jsonl"


def grouping(mentions: list[Mention], registry: list[RegistryEntry]) -> list[list[int]]:
    """Each fact as the sorted positions of its mentions."""
    position = {m.id: n for n, m in enumerate(mentions)}
    facts = build_facts(mentions, registry)
    return sorted(sorted(position[i] for i in fact.mention_ids) for fact in facts)


def mistakes(got: list[list[int]], expected: list[list[int]]) -> tuple[bool, bool]:
    """Whether a fact mixes two expected events, and whether an expected event is in two facts."""
    return _spread(expected, got), _spread(got, expected)


def _spread(groups: list[list[int]], over: list[list[int]]) -> bool:
    """Whether a group of `over` has members in two groups of `groups`."""
    group_of = {k: n for n, group in enumerate(groups) for k in group}
    return any(len({group_of[k] for k in group}) > 1 for group in over)


def main(path: Path) -> None:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    registry, failing, merges, splits = load_registry(), 0, 0, 0
    for line in lines:
        probe = json.loads(line)
        got = grouping([Mention.model_validate(m) for m in probe["mentions"]], registry)
        if got == probe["expected"]:
            continue
        merged, split = mistakes(got, probe["expected"])
        failing, merges, splits = failing + 1, merges + merged, splits + split
        kind = " and ".join(word for word, wrong in (("merged", merged), ("split", split)) if wrong)
        print(f"{kind:16} {probe['name']}: got {got}, expected {probe['expected']}")
    print(f"{len(lines)} probes, {failing} grouped otherwise: {merges} merge events a reader keeps apart, "
          f"{splits} split an event a reader sees as one")  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROBES)
