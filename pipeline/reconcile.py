"""Reconcile: one fact per real-world event, across documents and languages, never two events
in one fact and never a source lost.

Two merges happen here:
- inside a document, the same event found twice because two chunks overlap
  (`merge_chunk_duplicates`, run by extraction);
- across documents: mentions are normalized, their participants resolved to canonical entities
  (pipeline.entities), candidate pairs scored (pipeline.match) and clustered (pipeline.cluster).
A fact keeps every source with its own modality and attribution, shows canonical values with
the rule that chose them, and lists every field the sources disagree on, with who says what.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipeline import dates
from pipeline.cluster import cluster
from pipeline.entities import EntityIndex, RegistryEntry, Sighting, looks_proper, name_key, resolve_entities
from pipeline.events import EventBase, Role
from pipeline.ids import content_id
from pipeline.match import THRESHOLD, Features, Weights, amounts_agree, candidate_pairs, features, named_entities, score
from pipeline.normalize import normalize_event
from pipeline.records import (
    CanonicalAmount,
    CanonicalValues,
    Conflict,
    ConflictValue,
    Evidence,
    Fact,
    FactEntity,
    Mention,
    Source,
)

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


@dataclass
class Reconciler:
    """The state shared by one reconciliation: entities, match weights and each mention's features."""

    mentions: list[Mention]
    index: EntityIndex
    items: list[Features]
    weights: Weights

    @classmethod
    def prepare(cls, mentions: list[Mention], registry: list[RegistryEntry]) -> Reconciler:
        ordered = sort_mentions(normalized(m) for m in mentions)
        index = resolve_entities(
            (Sighting(m.doc_id, p.name, p.canonical_name, p.kind) for m in ordered for p in m.event.participants),
            registry,
        )
        named = named_entities(index)
        items = [features(m, index, named) for m in ordered]
        return cls(ordered, index, items, Weights(items))

    def score(self, i: int, j: int) -> float:
        return score(self.items[i], self.items[j], self.weights)

    def groups(self) -> list[list[int]]:
        scored = ((self.score(i, j), i, j) for i, j in candidate_pairs(self.items, self.weights))
        return cluster([m.id for m in self.mentions], [m.doc_id for m in self.mentions], scored, self.score, THRESHOLD)

    def fact(self, group: list[int]) -> Fact:
        scores = [self.score(i, j) for n, i in enumerate(group) for j in group[n + 1 :]]
        return make_fact([self.mentions[i] for i in group], self.index, min(scores) if scores else None)


def normalized(mention: Mention) -> Mention:
    """The mention with its values in canonical form (extraction already did this; mentions from
    elsewhere, or from older versions, may not have)."""
    return mention.model_copy(update={"event": normalize_event(mention.event)})


def build_facts(mentions: list[Mention], registry: list[RegistryEntry]) -> list[Fact]:
    """One fact per real-world event: mentions are matched across documents and clustered."""
    reconciler = Reconciler.prepare(mentions, registry)
    return sort_facts(reconciler.fact(group) for group in reconciler.groups())


def facts_from_groups(groups: list[list[Mention]], registry: list[RegistryEntry]) -> list[Fact]:
    """Facts for groups decided elsewhere (the golden fixtures' hand labels)."""
    reconciler = Reconciler.prepare([m for g in groups for m in g], registry)
    position = {m.id: n for n, m in enumerate(reconciler.mentions)}
    return sort_facts(reconciler.fact(sorted(position[m.id] for m in g)) for g in groups)


def sort_facts(facts: Iterable[Fact]) -> list[Fact]:
    return sorted(facts, key=lambda f: (f.sources[0].doc_id, f.sources[0].char_start, f.id))


def make_fact(group: list[Mention], index: EntityIndex, cohesion: float | None) -> Fact:
    members = sort_mentions(group)
    canonical = max(members, key=lambda m: (completeness(m), _reverse_id(m.id)))
    return Fact(
        id=content_id("f", sorted(m.id for m in members)),
        type=canonical.event.type,
        event=canonical.event,
        canonical_mention_id=canonical.id,
        canonical_rule=CANONICAL_RULE,
        canonical=canonical_values(members),
        entities=fact_entities(members, index),
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
        conflicts=find_conflicts(members, index),
        cohesion=cohesion,
    )


def fact_entities(members: list[Mention], index: EntityIndex) -> list[FactEntity]:
    roles: dict[str, set[Role]] = defaultdict(set)
    written: dict[str, set[str]] = defaultdict(set)
    for mention in members:
        for participant in mention.event.participants:
            entity = index.entity_id(mention.doc_id, participant)
            roles[entity].add(participant.role)
            written[entity].add(participant.name)
    return sorted(
        (
            FactEntity(
                id=entity,
                name=index.entities[entity].name,
                kind=index.entities[entity].kind,
                roles=sorted(roles[entity]),
                written_as=sorted(written[entity]),
            )
            for entity in roles
        ),
        key=lambda e: (e.name, e.id),
    )


DATE_RULE = "the most precise date every source's date contains; if the sources disagree, the most common"
AMOUNT_RULE = (
    "values within tolerance are one value: the one given exactly by most sources, approximate only if every "
    "source says so"
)


def canonical_values(members: list[Mention]) -> CanonicalValues:
    return CanonicalValues(
        date=(date := canonical_date(members)),
        date_precision=dates.parse_iso(date) if date else None,
        amounts=canonical_amounts(members),
        rules={"date": DATE_RULE, "amounts": AMOUNT_RULE},
    )


def canonical_date(members: list[Mention]) -> str | None:
    given = [m.event.time.date for m in members if m.event.time and m.event.time.date]
    spans = {d: s for d in given if (s := dates.span(d)) is not None}  # normalized: every date is valid
    agreed = [d for d, s in spans.items() if all(o.contains(s) for o in spans.values())]
    if agreed:
        return min(agreed, key=lambda d: (spans[d].days, d))
    counts = Counter(d for d in given if d in spans)
    return min(counts, key=lambda d: (-counts[d], spans[d].days, d), default=None)


def canonical_amounts(members: list[Mention]) -> list[CanonicalAmount]:
    claims = sorted(
        {(a.value, a.currency, a.approximate, m.id) for m in members for a in m.event.amounts if a.value is not None},
        key=lambda c: (c[1] or "", c[0], c[2], c[3]),
    )
    groups: list[list[tuple[float, str | None, bool, str]]] = []
    for claim in claims:
        home = next((g for g in groups if all(_agree(claim, other) for other in g)), None)
        if home is None:
            groups.append([claim])
        else:
            home.append(claim)
    result = []
    for group in groups:
        exact = Counter(c[0] for c in group if not c[2]) or Counter(c[0] for c in group)
        value = min(exact, key=lambda v: (-exact[v], v))
        result.append(
            CanonicalAmount(
                value=value,
                currency=group[0][1],
                approximate=all(c[2] for c in group),
                mention_ids=sorted({c[3] for c in group}),
            )
        )
    return sorted(result, key=lambda a: (a.currency or "", -a.value))


def _agree(x: tuple[float, str | None, bool, str], y: tuple[float, str | None, bool, str]) -> bool:
    return x[1] == y[1] and amounts_agree((x[0], x[1], x[2]), (y[0], y[1], y[2]))


def _field_values(mention: Mention) -> dict[str, str | None]:
    event = mention.event
    return {
        "time.date": event.time.date if event.time else None,
        "amounts": "; ".join(f"{v:g} {c or ''}".strip() for v, c in sorted(_amount_values(mention), key=str))
        if event.amounts
        else None,
        "modality": event.modality.value,
        "attribution": event.attribution,
    }


def find_conflicts(members: list[Mention], index: EntityIndex) -> list[Conflict]:
    """Fields on which the members disagree, each value with the mentions that give it. Dates
    at different precisions that agree ("2024-03" and "2024-03-23") are not a disagreement;
    neither are names in different scripts (彭博社, Bloomberg) or a surname beside the full name."""
    by_doc = {m.id: m.doc_id for m in members}
    conflicts = []
    for field in ("time.date", "amounts", "modality", "attribution"):
        by_value: dict[str | None, list[str]] = defaultdict(list)
        for mention in members:
            value = _field_values(mention)[field]
            if value is not None or field == "attribution":  # no attribution is a claim too
                by_value[value].append(mention.id)
        if len(by_value) > 1 and not (field == "time.date" and _dates_agree(list(by_value))):
            conflicts.append(_conflict(field, by_value, by_doc))
    for entity, names in _spellings(members, index).items():
        if _misspelled(list(names)):
            conflicts.append(_conflict(f"name:{entity}", names, by_doc))
    return conflicts


def _conflict(field: str, by_value: dict[str | None, list[str]], by_doc: dict[str, str]) -> Conflict:
    values = [
        ConflictValue(value=v, mention_ids=sorted(ids), doc_ids=sorted({by_doc[i] for i in ids}))
        for v, ids in by_value.items()
    ]
    return Conflict(field=field, values=sorted(values, key=lambda c: c.mention_ids))


def _dates_agree(values: list[str | None]) -> bool:
    spans = [dates.span(v) for v in values if v is not None]
    return all(a is not None and b is not None and a.overlaps(b) for a in spans for b in spans)


def _spellings(members: list[Mention], index: EntityIndex) -> dict[str, dict[str | None, list[str]]]:
    names: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for mention in members:
        for participant in mention.event.participants:
            entity = index.entity_id(mention.doc_id, participant)
            if mention.id not in names[entity][participant.name]:
                names[entity][participant.name].append(mention.id)
    return names


def _misspelled(names: list[str | None]) -> bool:
    """Two proper names in Latin script of which neither is a part of the other: "Mostaqu" beside
    "Emad Mostaque" is a typo; "Mostaque" beside it, or 彭博社 beside "Bloomberg", is not."""
    keys = [set(name_key(n).split()) for n in names if n and looks_proper(n)]
    return any(not (a <= b or b <= a) for a in keys for b in keys)
