"""Reconcile (basic): merge mentions of one event into one fact, never two events into one.

Two merges happen here:
- inside a document, the same event found twice because two chunks overlap;
- across documents, mentions whose type, canonical participants and date agree exactly.
Cross-language matching on looser evidence belongs to the full reconciliation stage.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable

from pipeline.events import EventBase
from pipeline.ids import content_id
from pipeline.records import Conflict, ConflictValue, Evidence, Fact, Mention, Source

CANONICAL_RULE = "most complete mention (most filled fields, then most evidence), ties by mention id"


def participant_names(event: EventBase) -> frozenset[str]:
    """The participants' canonical names (the name as written when there is none), folded."""
    return frozenset(" ".join((p.canonical_name or p.name).casefold().split()) for p in event.participants)


def mention_id(doc_id: str, event: EventBase, evidence: list[Evidence]) -> str:
    """An id from what the mention says and where: stable across runs and input order."""
    spans = sorted((e.char_start, e.char_end) for e in evidence)
    amounts = sorted((a.value, a.currency) for a in event.amounts if a.value is not None)
    date = event.time.date if event.time else None
    return content_id("m", doc_id, event.type, spans, sorted(participant_names(event)), amounts, date)


def completeness(mention: Mention) -> tuple[int, int]:
    event = mention.event
    filled = sum(value not in (None, [], "") for key, value in event.model_dump().items() if key != "participants")
    return filled + len(event.participants), len(mention.evidence)


def _groups(items: list[Mention], same: Callable[[Mention, Mention], bool]) -> list[list[Mention]]:
    """Groups in which every pair is `same` (complete linkage, so one mention cannot chain two
    different events together), built in id order; each sorted by id, ordered by first id."""
    groups: list[list[Mention]] = []
    for item in sorted(items, key=lambda m: m.id):
        home = next((g for g in groups if all(same(item, member) for member in g)), None)
        if home is None:
            groups.append([item])
        else:
            home.append(item)
    return sorted(groups, key=lambda g: g[0].id)


def _overlaps(a: Mention, b: Mention) -> bool:
    return any(x.char_start < y.char_end and y.char_start < x.char_end for x in a.evidence for y in b.evidence)


def _amount_values(mention: Mention) -> set[tuple[float, str | None]]:
    return {(a.value, a.currency) for a in mention.event.amounts if a.value is not None}


def same_event_in_overlap(a: Mention, b: Mention) -> bool:
    """Two mentions from different chunks of one document that quote the same words about the same
    type of event with compatible participants and amounts. Two mentions from one chunk are two
    events: the model chose to report them separately (three bills in one sentence), unless
    they are the same to the id, which is one event listed twice."""
    if a.id == b.id:
        return True
    if a.doc_id != b.doc_id or a.event.type != b.event.type or set(a.chunk_ids) & set(b.chunk_ids):
        return False
    names_a, names_b = participant_names(a.event), participant_names(b.event)
    amounts_a, amounts_b = _amount_values(a), _amount_values(b)
    return (
        _overlaps(a, b)
        and (not names_a or not names_b or bool(names_a & names_b))
        and (not amounts_a or not amounts_b or bool(amounts_a & amounts_b))
    )


def merge_chunk_duplicates(mentions: list[Mention]) -> list[Mention]:
    """One mention per event per document, however many overlapping chunks found it."""
    by_doc: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_doc[mention.doc_id].append(mention)
    merged = [
        _merge_mentions(group) for doc_id in sorted(by_doc) for group in _groups(by_doc[doc_id], same_event_in_overlap)
    ]
    return sort_mentions(merged)


def _merge_mentions(group: list[Mention]) -> Mention:
    if len(group) == 1:
        return group[0]
    best = max(group, key=lambda m: (completeness(m), _reverse_id(m.id)))
    spans = {(e.char_start, e.char_end): e for m in group for e in m.evidence}
    evidence = [spans[key] for key in sorted(spans)]
    return best.model_copy(
        update={
            "id": mention_id(best.doc_id, best.event, evidence),
            "evidence": evidence,
            "chunk_ids": sorted({c for m in group for c in m.chunk_ids}),
        }
    )


def _reverse_id(identifier: str) -> tuple[int, ...]:
    """A key under which max() prefers the smallest id."""
    return tuple(-ord(c) for c in identifier)


def sort_mentions(mentions: Iterable[Mention]) -> list[Mention]:
    return sorted(mentions, key=lambda m: (m.doc_id, m.evidence[0].char_start, m.evidence[0].char_end, m.id))


def fact_key(mention: Mention) -> Hashable | None:
    """Mentions with equal keys are one event; None means the mention merges with nothing.

    The key is exact on purpose: type, canonical participants, date and amounts. Looser
    cross-language matching belongs to the full reconciliation stage."""
    event = mention.event
    names = participant_names(event)
    date = event.time.date if event.time else None
    if not names or date is None:
        return None
    return (event.type, names, date, tuple(sorted(_amount_values(mention), key=str)))


def build_facts(mentions: list[Mention]) -> list[Fact]:
    """Group mentions by exact key into facts, at most one mention per document in each: two
    mentions of one document are two events (chunk-overlap duplicates are merged before)."""
    groups: dict[Hashable, list[list[Mention]]] = defaultdict(list)
    for mention in sort_mentions(mentions):
        key = fact_key(mention) or mention.id
        free = next((g for g in groups[key] if all(m.doc_id != mention.doc_id for m in g)), None)
        if free is None:
            groups[key].append([mention])
        else:
            free.append(mention)
    facts = [make_fact(group) for subgroups in groups.values() for group in subgroups]
    return sorted(facts, key=lambda f: (f.sources[0].doc_id, f.sources[0].char_start, f.id))


def make_fact(group: list[Mention]) -> Fact:
    members = sort_mentions(group)
    canonical = max(members, key=lambda m: (completeness(m), _reverse_id(m.id)))
    return Fact(
        id=content_id("f", sorted(m.id for m in members)),
        type=canonical.event.type,
        event=canonical.event,
        canonical_mention_id=canonical.id,
        canonical_rule=CANONICAL_RULE,
        languages=sorted({m.lang for m in members}),
        sources=[
            Source(
                mention_id=m.id,
                doc_id=m.doc_id,
                lang=m.lang,
                char_start=e.char_start,
                char_end=e.char_end,
                quote=e.quote,
                modality=m.event.modality,
                attribution=m.event.attribution,
            )
            for m in members
            for e in m.evidence
        ],
        mention_ids=[m.id for m in members],
        conflicts=find_conflicts(members),
    )


def _field_values(mention: Mention) -> dict[str, str | None]:
    event = mention.event
    return {
        "time.date": event.time.date if event.time else None,
        "amounts": json.dumps(sorted(_amount_values(mention)), default=str) if event.amounts else None,
        "modality": event.modality.value,
        "attribution": event.attribution,
    }


def find_conflicts(members: list[Mention]) -> list[Conflict]:
    """Fields on which the members disagree, each value with the mentions that give it."""
    conflicts = []
    for field in ("time.date", "amounts", "modality", "attribution"):
        by_value: dict[str | None, list[str]] = defaultdict(list)
        for mention in members:
            by_value[_field_values(mention)[field]].append(mention.id)
        if len(by_value) > 1:
            values = [ConflictValue(value=v, mention_ids=ids) for v, ids in by_value.items()]
            conflicts.append(Conflict(field=field, values=sorted(values, key=lambda c: c.mention_ids)))
    return conflicts
