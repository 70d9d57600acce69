"""Reconcile: one fact per real-world event, across documents and languages, never two events
in one fact and never a source lost.

Two merges happen here:
- inside a document, the same event found twice because two chunks overlap and both quote it
  (`merge_chunk_duplicates`, run by extraction);
- across documents, and across the chunks of one document that tells an event twice: mentions
  are normalized, their participants resolved to canonical entities (pipeline.entities),
  candidate pairs scored (pipeline.match) and clustered (pipeline.cluster).
A fact keeps every source with its own modality and attribution, shows canonical values with
the rule that chose them, and lists every field the sources disagree on, with who says what.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import numpy as np

from pipeline import dates
from pipeline.adjudicate import Adjudication, settled, uncertain
from pipeline.cluster import Group, cluster
from pipeline.entities import EntityIndex, RegistryEntry, looks_proper, name_key, resolve_entities
from pipeline.events import EntityKind, EventBase, Participant, Role
from pipeline.ids import content_id
from pipeline.match import (
    DETAIL_FIELDS,
    THRESHOLD,
    Columns,
    MatchTable,
    candidate_pairs,
    contradicted,
    field_words,
    initials,
    mention_row,
    scores,
    within_tolerance,
)
from pipeline.normalize import normalize_event
from pipeline.parallel import ordered_map
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

Rendered = TypeVar("Rendered")
Item = TypeVar("Item")
log = logging.getLogger(__name__)
NO_REFERENCES: Mapping[str, str | None] = {}  # no document's reference date known
CANONICAL_RULE = "most complete mention (most filled fields, then most evidence), ties by mention id"


def folded_name(name: str) -> str:
    """A name for comparing as a whole: case and runs of spaces do not matter."""
    return " ".join(name.casefold().split())


def participant_names(event: EventBase) -> frozenset[str]:
    """The participants' canonical names (the name as written when there is none), folded."""
    return frozenset(folded_name(p.canonical_name or p.name) for p in event.participants)


def mention_id(doc_id: str, event: EventBase, evidence: list[Evidence]) -> str:
    """An id from what the mention says and where: stable across runs and input order."""
    spans = sorted((e.char_start, e.char_end) for e in evidence)
    amounts = sorted((a.value, a.currency) for a in event.amounts if a.value is not None)
    date = event.time.date if event.time else None
    return content_id("m", doc_id, event.type, spans, sorted(participant_names(event)), amounts, date)


def completeness(mention: Mention) -> tuple[int, int]:
    """Filled fields (each participant one, a neutral summary none), then pieces of evidence."""
    fields = mention.event.__dict__  # the event's fields by name (extra keys are forbidden)
    filled = sum(_filled(value) for key, value in fields.items() if key not in ("participants", "summary"))
    told = mention.event.told_summary is not None
    return filled + told + len(fields["participants"]), len(mention.evidence)


def _filled(value: object) -> bool:
    """Not None, "" or []: by type, since comparing a record with [] goes through its __eq__."""
    return value is not None and (bool(value) or not isinstance(value, str | list))


def most_complete(mentions: list[Mention]) -> Mention:
    """The mention with the most filled fields, then the most evidence; ties go to the smallest id."""
    return min(mentions, key=lambda m: (*(-n for n in completeness(m)), m.id))


def complete_linkage(
    items: Iterable[Item], same: Callable[[Item, Item], bool], distance: Callable[[Item, Item], float] | None = None
) -> list[list[Item]]:
    """Groups in which every pair is `same`, so one item cannot chain two different things
    together: each item, in the order given, joins the first group it fits entirely, or with
    `distance` the one whose first item is nearest."""
    groups: list[list[Item]] = []
    for item in items:
        fitting = (g for g in groups if all(same(item, member) for member in g))
        if distance is None:
            home = next(fitting, None)
        else:
            home = min(fitting, key=lambda g: distance(item, g[0]), default=None)
        if home is None:
            groups.append([item])
        else:
            home.append(item)
    return groups


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
    """One mention per event per place in a document, however many overlapping chunks found it
    there (an event told again elsewhere in the document is matched later, with the others)."""
    by_doc: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_doc[mention.doc_id].append(mention)
    merged = [
        _merge_mentions(group)
        for doc_id in sorted(by_doc)
        for group in complete_linkage(sorted(by_doc[doc_id], key=lambda m: m.id), same_event_in_overlap)
    ]
    return sort_mentions(merged)


def _merge_mentions(group: list[Mention]) -> Mention:
    if len(group) == 1:
        return group[0]
    best = most_complete(group)
    spans = {(e.char_start, e.char_end): e for m in group for e in m.evidence}
    evidence = [spans[key] for key in sorted(spans)]
    return best.model_copy(
        update={
            "id": mention_id(best.doc_id, best.event, evidence),
            "evidence": evidence,
            "chunk_ids": sorted({c for m in group for c in m.chunk_ids}),
        }
    )


def sort_mentions(mentions: Iterable[Mention]) -> list[Mention]:
    return sorted(mentions, key=lambda m: (m.doc_id, m.evidence[0].char_start, m.evidence[0].char_end, m.id))


class MentionSource(Protocol):
    """Mentions read twice: once in full to match them, then group by group to write the facts,
    so that a large input is never held in memory as objects. The first reading goes by parts
    (ranges of lines of a file, slices of a list) that can be read in other processes."""

    def parts(self) -> Sequence[Any]: ...

    def read(self, part: Any) -> Iterator[tuple[int, Mention | Unreadable]]:
        """The part's records in order, each with where to find it again."""
        ...

    def load(self, wheres: Iterable[int]) -> list[Mention]: ...


class Unreadable(NamedTuple):
    """A record of the source that is not a mention, and what is wrong with it."""

    problem: str


class Intake(NamedTuple):
    """What the first reading set aside, by where it is in the source: records that are not
    mentions, with what is wrong with each; records repeating a mention read before them (a file
    concatenated twice, say), each mention being matched once; and records giving another
    mention under an id read before, with where the first one is (the first one is used)."""

    unreadable: list[tuple[int, str]]
    repeated: list[int]
    conflicting: list[tuple[int, int]]


class MentionList(list[Mention]):
    """Mentions already in memory, as a MentionSource."""

    PART = 4096

    def parts(self) -> Sequence[range]:
        return [range(start, min(start + self.PART, len(self))) for start in range(0, len(self), self.PART)]

    def read(self, part: range) -> Iterator[tuple[int, Mention]]:
        return ((k, self[k]) for k in part)

    def load(self, wheres: Iterable[int]) -> list[Mention]:
        return [self[k] for k in wheres]


def normalized(mention: Mention, references: Mapping[str, str | None] = NO_REFERENCES) -> Mention:
    """The mention with its values in canonical form, relative dates against its document's
    reference date when known (extraction already did this; mentions from elsewhere, or from
    older versions, may not have); the same object when already so."""
    event = normalize_event(mention.event, references.get(mention.doc_id))
    return mention if event is mention.event else mention.model_copy(update={"event": event})


def match_table(
    source: MentionSource,
    registry: list[RegistryEntry],
    workers: int = 1,
    references: Mapping[str, str | None] = NO_REFERENCES,
) -> tuple[EntityIndex, MatchTable, Intake]:
    """Pass one: every mention normalized into the match table, and the entities it names; what
    is not a mention, or a mention already read, is set aside."""
    lap = Stopwatch()
    columns, unreadable = Columns(), []
    reading = functools.partial(_columns, source, references)
    for part, part_unreadable in ordered_map(reading, source.parts(), workers, per_task=1):
        columns.extend(part)
        unreadable += part_unreadable
    intake = Intake(unreadable, *_drop_repeats(source, columns, references))
    lap("read and normalized %d mentions", len(columns.ids))
    index = resolve_entities(columns.written_names(), registry)
    lap("resolved %d distinct names into %d entities", len(columns.sightings.values), len(index.entities))
    table = MatchTable(columns, index)
    lap("built the match table")
    return index, table, intake


def _drop_repeats(
    source: MentionSource, columns: Columns, references: Mapping[str, str | None]
) -> tuple[list[int], list[tuple[int, int]]]:
    """Rows under a mention id read before leave the columns: where each repeats the mention
    used, and where each gives another one under that id, with where the one used is. The one
    used does not depend on the order of the lines: the one its content gives that id to, else
    the first in content order."""
    where = columns.scalar("where").tolist()
    rows_of: dict[int, list[int]] = defaultdict(list)
    for row, first in columns.repeated():
        rows_of[first].append(row)
    repeated, conflicting, dropped = [], [], []
    for first, later in rows_of.items():
        rows = [first, *later]
        loaded = source.load(where[row] for row in rows)
        mentions = [normalized(m, references) for m in loaded]  # the id was made from the mention as stored
        used = min(range(len(rows)), key=lambda k: (not _genuine(loaded[k]), mentions[k].model_dump_json()))
        for k, row in enumerate(rows):
            if k == used:
                continue
            dropped.append(row)
            if mentions[k] == mentions[used]:
                repeated.append(where[row])
            else:
                conflicting.append((where[row], where[rows[used]]))
    columns.drop(sorted(dropped))
    return sorted(repeated), sorted(conflicting)


def _genuine(mention: Mention) -> bool:
    """Whether the mention's id is the one its content gives (not edited, not another's)."""
    return mention.id == mention_id(mention.doc_id, mention.event, mention.evidence)


def _columns(
    source: MentionSource, references: Mapping[str, str | None], part: Any
) -> tuple[Columns, list[tuple[int, str]]]:
    columns, unreadable = Columns(), []
    for where, mention in source.read(part):
        if isinstance(mention, Unreadable):
            unreadable.append((where, mention.problem))
            continue
        clean = normalized(mention, references)
        columns.add(mention_row(clean), where, raw=clean is not mention)
    return columns, unreadable


def reconcile(
    source: MentionSource,
    registry: list[RegistryEntry],
    render: Callable[[Fact], Rendered],
    workers: int = 1,
    references: Mapping[str, str | None] = NO_REFERENCES,
    adjudication: Adjudication | None = None,
) -> Reconciled[Rendered]:
    """One fact per real-world event, in fact-base order, each passed through `render`: mentions
    are matched across documents (pipeline.match), clustered (pipeline.cluster), then read again
    group by group. With several workers, parsing, pair scoring and fact building run in parallel.
    `references`: each document's reference date, for mentions stored with relative dates not yet
    resolved; `adjudication`: how to ask a model about the pairs a score cannot settle
    (pipeline.adjudicate)."""
    index, table, intake = match_table(source, registry, workers, references)
    lap = Stopwatch()
    left, right = candidate_pairs(table)
    lap("blocked %d candidate pairs", len(left))
    pair_scores = scores(table, left, right, workers)
    lap("scored them")
    stored = _Stored.of(table, references)
    if adjudication is not None:
        which = uncertain(left, right, table.doc, pair_scores, THRESHOLD, adjudication.band)
        pair_mentions = [_loaded(source, stored, [int(left[k]), int(right[k])]) for k in which]
        verdicts = adjudication.ask([(a, b) for a, b in pair_mentions])
        pair_scores = settled(pair_scores, which, verdicts, THRESHOLD, adjudication.band)
        lap("adjudicated %d pairs near the threshold or contested", len(which))
    pairs = (left, right, pair_scores)
    judges = functools.partial(scores, table), functools.partial(contradicted, table)
    groups = cluster(table.origins, table.id_rank, pairs, *judges, THRESHOLD)
    lap("clustered them into %d groups", len(groups))
    return Reconciled(table.n, intake, _facts(source, index, table, stored, groups, render, workers))


class Reconciled(NamedTuple, Generic[Rendered]):
    """The number of mentions matched, what the first reading set aside, and the facts (built
    as they are read)."""

    mentions: int
    intake: Intake
    facts: Iterator[Rendered]


class Stopwatch:
    """Logs what a stage did and how long it took since the last call (`factbase -v reconcile`
    prints them)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, done: str, *numbers: int) -> None:
        now = time.perf_counter()
        log.info(f"{done} in %.1f s", *numbers, now - self.last)
        self.last = now


def build_facts(
    mentions: list[Mention], registry: list[RegistryEntry], adjudication: Adjudication | None = None
) -> list[Fact]:
    """One fact per real-world event among mentions held in memory."""
    return list(reconcile(MentionList(mentions), registry, _as_is, adjudication=adjudication).facts)


def _as_is(fact: Fact) -> Fact:
    return fact


def facts_from_groups(groups: list[list[Mention]], registry: list[RegistryEntry]) -> list[Fact]:
    """Facts for groups decided elsewhere (the golden fixtures' hand labels)."""
    source = MentionList(m for g in groups for m in g)
    index, table, intake = match_table(source, registry)
    if intake.repeated or intake.conflicting:
        raise ValueError("a mention is in two groups")
    decided, start = [], 0
    for group in groups:
        members = np.arange(start, start + len(group))
        start += len(group)
        left, right = (a.ravel() for a in np.triu_indices(len(members), k=1))
        cohesion = float(scores(table, members[left], members[right]).min()) if len(group) > 1 else None
        decided.append(Group(sorted(members.tolist(), key=lambda k: int(table.id_rank[k])), cohesion))
    stored = _Stored.of(table, NO_REFERENCES)
    return list(_facts(source, index, table, stored, decided, _as_is, workers=1))


def _facts(
    source: MentionSource,
    index: EntityIndex,
    table: MatchTable,
    stored: _Stored,
    groups: list[Group],
    render: Callable[[Fact], Rendered],
    workers: int,
) -> Iterator[Rendered]:
    """Pass two: each group's mentions read again and made into a fact, in fact-base order."""
    ordered = _in_fact_order(table, groups)
    return ordered_map(functools.partial(_fact, source, index, stored, render), ordered, workers)


class _Stored(NamedTuple):
    """Where the source keeps each mention, whether it is stored not yet normalized, and the
    reference dates to normalize it with."""

    where: list[int]
    raw: list[bool]
    references: Mapping[str, str | None]

    @classmethod
    def of(cls, table: MatchTable, references: Mapping[str, str | None]) -> _Stored:
        return cls(table.where.tolist(), table.raw.tolist(), references)  # lists: read item by item


def _fact(
    source: MentionSource, index: EntityIndex, stored: _Stored, render: Callable[[Fact], Rendered], group: Group
) -> Rendered:
    return render(make_fact(_loaded(source, stored, group.members), index, group.cohesion))


def _loaded(source: MentionSource, stored: _Stored, members: list[int]) -> list[Mention]:
    """Mentions read again from the source by their rows in the match table, normalized."""
    mentions = source.load(stored.where[k] for k in members)
    return [normalized(m, stored.references) if stored.raw[k] else m for m, k in zip(mentions, members, strict=True)]


def _in_fact_order(table: MatchTable, groups: list[Group]) -> list[Group]:
    """Groups by their first source's document and offset, then by fact id (hashed only for the
    few groups whose first sources share both)."""
    first_sources = [table.sort_key(min(g.members, key=table.sort_key))[:2] for g in groups]
    shared = {source for source, count in Counter(first_sources).items() if count > 1}

    def order(item: tuple[tuple[str, int], Group]) -> tuple[str, int, str]:
        (document, start), group = item
        fact_id = content_id("f", sorted(table.ids[k] for k in group.members)) if (document, start) in shared else ""
        return document, start, fact_id

    return [group for _, group in sorted(zip(first_sources, groups, strict=True), key=order)]


def make_fact(group: list[Mention], index: EntityIndex, cohesion: float | None) -> Fact:
    members = sort_mentions(group)
    canonical = most_complete(members)
    named = [Named(m.id, p, index.entity_id(p)) for m in members for p in m.event.participants]
    values = canonical_values(members)
    return Fact(
        id=content_id("f", sorted(m.id for m in members)),
        type=canonical.event.type,
        event=canonical.event,
        canonical_mention_id=canonical.id,
        canonical_rule=CANONICAL_RULE,
        canonical=values,
        entities=fact_entities(named, index),
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
        conflicts=find_conflicts(members, named, index, values.amounts),
        cohesion=cohesion,
    )


class Named(NamedTuple):
    """A participant of one of the fact's mentions, and the entity it resolved to."""

    mention_id: str
    participant: Participant
    entity: str


def fact_entities(named: list[Named], index: EntityIndex) -> list[FactEntity]:
    roles: dict[str, set[Role]] = defaultdict(set)
    written: dict[str, set[str]] = defaultdict(set)
    for name in named:
        roles[name.entity].add(name.participant.role)
        written[name.entity].add(name.participant.name)
    records = {entity: index.entities[entity] for entity in roles}
    return [
        FactEntity(id=entity, name=record.name, kind=record.kind, roles=sorted(roles[entity]),
                   written_as=sorted(written[entity]))
        for entity, record in sorted(records.items(), key=lambda item: (item[1].name, item[0]))
    ]  # fmt: skip


DATE_RULE = (
    "the most precise date every source's date contains; if the sources disagree, the most common, then the most "
    "precise, then the earliest"
)
AMOUNT_RULE = (
    "values within tolerance are one value: the one given exactly by most sources, approximate only if every "
    "source says so"
)


def canonical_values(members: list[Mention]) -> CanonicalValues:
    date = canonical_date(members)
    days = dates.span(date) if date else None
    return CanonicalValues(
        date=date,
        date_precision=dates.parse_iso(date) if date else None,
        date_start=days.start.isoformat() if days else None,
        date_end=days.end.isoformat() if days else None,
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
    """Each distinct (value, currency, approximate) is compared once, however many mentions give
    it: a fact with thousands of sources of one figure stays cheap."""
    givers: dict[tuple[float, str | None, bool], set[str]] = defaultdict(set)
    measures: dict[tuple[float, str | None, bool], dict[str, str]] = defaultdict(dict)  # by mention: one say each
    for mention in members:
        for amount in mention.event.amounts:
            if amount.value is not None:
                claim = (amount.value, amount.currency, amount.approximate)
                givers[claim].add(mention.id)
                if amount.measure:
                    measures[claim].setdefault(mention.id, amount.measure)
    result = []
    for group in _amount_groups(givers):
        given = Counter({c[0]: len(givers[c]) for c in group if not c[2]})  # by how many mentions, exactly
        exact = given or Counter({c[0]: len(givers[c]) for c in group})
        value = min(exact, key=lambda v: (-exact[v], v))
        said = Counter(measure for claim in group for measure in measures[claim].values())
        result.append(
            CanonicalAmount(
                value=value,
                currency=group[0][1],
                approximate=all(c[2] for c in group),
                measure=min(said, key=lambda m: (-said[m], m), default=None),
                mention_ids=sorted(set().union(*(givers[c] for c in group))),
            )
        )
    return sorted(result, key=lambda a: (a.currency or "", -a.value))


Claim = tuple[float, str | None, bool]  # value, currency, approximate


def _amount_groups(givers: dict[Claim, set[str]]) -> list[list[Claim]]:
    """The claims grouped into amounts: each joins the group whose first value is nearest among
    those whose every member it agrees with and shares no mention with (two amounts one source
    gives are two amounts: revenue of $10M and spending of about $11M); exact values first, the
    most given first, so that "about $50M" joins 50M, not 45M."""
    claims = sorted(givers, key=lambda c: (c[2], -len(givers[c]), c[1] or "", c[0]))
    return complete_linkage(
        claims, lambda x, y: _agree(x, y) and not givers[x] & givers[y], lambda x, first: abs(x[0] - first[0])
    )


def _agree(x: Claim, y: Claim) -> bool:
    return x[1] == y[1] and bool(within_tolerance(x[0], y[0], x[2] or y[2]))


def _claimed_amounts(mention: Mention, its_amounts: list[CanonicalAmount]) -> set[tuple[float, str | None]]:
    """The amounts a mention claims: exact ones as given (1,234,567 and 1,234,568 disagree),
    approximate ones as the canonical amount they are part of ("$50 million" and 约5200万美元
    agree), among `its_amounts`, the canonical amounts the mention is a source of."""
    claimed = set()
    for amount in mention.event.amounts:
        if amount.value is None:
            continue
        canonical = (
            c.value for c in its_amounts
            if amount.approximate and c.currency == amount.currency and within_tolerance(c.value, amount.value, True)
        )  # fmt: skip
        claimed.add((next(canonical, amount.value), amount.currency))
    return claimed


def _field_values(mention: Mention, amounts_claimed: set[tuple[float, str | None]]) -> dict[str, str | None]:
    event = mention.event
    amounts = sorted(amounts_claimed, key=lambda a: (a[1] or "", a[0]))  # by currency, then value
    fields = event.__dict__  # the event's fields by name (extra keys are forbidden)
    return {
        "type": event.type,
        **{name: str(fields[name]) for name in DETAIL_FIELDS if name in fields},
        "time.date": event.time.date if event.time else None,
        "amounts": "; ".join(f"{_plain(v)} {c or ''}".strip() for v, c in amounts) if amounts else None,
        "modality": str(event.modality),  # its value (a StrEnum), without the slower .value
        "attribution": event.attribution,
    }


def _plain(value: float) -> str:
    """A whole number as digits, never in exponent form (1e+15 won is 1000000000000000 KRW)."""
    return str(int(value)) if value.is_integer() else f"{value:.15g}"


def find_conflicts(
    members: list[Mention], named: list[Named], index: EntityIndex, amounts: list[CanonicalAmount] | None = None
) -> list[Conflict]:
    """Fields on which the members disagree, each value with the mentions that give it. Dates
    at different precisions that agree ("2024-03" and "2024-03-23") are not a disagreement, nor
    are amounts within tolerance (one canonical amount, `amounts`); neither are names in
    different scripts (彭博社, Bloomberg), a surname or a title beside the full name ("M.
    Mostaque"), nor attributions to one source written two ways (彭博社, "Bloomberg News",
    "Bloomberg"; "The Information", "the Information")."""
    by_doc = {m.id: m.doc_id for m in members}
    part_of: dict[str, list[CanonicalAmount]] = defaultdict(list)  # each mention's canonical amounts
    for amount in canonical_amounts(members) if amounts is None else amounts:
        for mention_id in amount.mention_ids:
            part_of[mention_id].append(amount)
    values = {m.id: _field_values(m, _claimed_amounts(m, part_of[m.id])) for m in members}
    attributions = {a for v in values.values() if (a := v["attribution"]) is not None}
    if len(attributions) > 1:  # one source written two ways?
        named_as = {a: _source_named(a, named, index) for a in sorted(attributions)}
        shown = {name_key(a): a for a in sorted(set(named_as.values()), reverse=True)}  # alike folded: the first
        for mention_values in values.values():
            attribution = mention_values["attribution"]
            mention_values["attribution"] = shown[name_key(named_as[attribution])] if attribution else None
    conflicts = []
    for field in ("type", *DETAIL_FIELDS, "time.date", "amounts", "modality", "attribution"):
        by_value: dict[str | None, list[str]] = defaultdict(list)
        for mention in members:
            value = values[mention.id].get(field)
            if value is not None or field == "attribution":  # no attribution is a claim too
                by_value[value].append(mention.id)
        if len(by_value) > 1 and not (field == "time.date" and _dates_agree(list(by_value))):
            conflicts.append(_conflict(field, by_value, by_doc))
    for field in TEXT_FIELDS:
        written = _text_disagreement(members, field)
        if written:
            conflicts.append(_conflict(field, written, by_doc))
    for entity, names in _spellings(named).items():
        if len(names) < 2:
            continue
        proper = [name for name in names if name is not None and looks_proper(name)]  # not "technology officer"
        if _misspelled(proper, index.entities[entity].kind == EntityKind.PERSON):
            spellings: dict[str | None, list[str]] = {name: names[name] for name in proper}
            conflicts.append(_conflict(f"name:{entity}", spellings, by_doc))
    return conflicts


TEXT_FIELDS = ("position", "stage", "claim", "product", "issue", "label")


def _text_disagreement(members: list[Mention], field: str) -> dict[str | None, list[str]]:
    """A free-text field's values with the mentions that write them, when two of them share no
    word ("Series A", "seed"; "CEO", "CTO"; not "CEO", « PDG », "chief executive"); else none."""
    written: dict[str | None, list[str]] = defaultdict(list)
    for mention in members:
        value = mention.event.__dict__.get(field)
        if value:
            written[str(value)].append(mention.id)
    words = [w for text in written if text is not None and (w := field_words(field, text))]
    return written if any(not a & b for a in words for b in words) else {}


def _source_named(attribution: str, named: list[Named], index: EntityIndex) -> str:
    """The attribution as the entity it names: a participant of the fact written that way, else
    the registry's entry ("Bloomberg News", 彭博社: Bloomberg), else as written."""
    key = name_key(attribution)
    written = ((n.entity, name) for n in named for name in (n.participant.name, n.participant.canonical_name))
    entity = next((entity for entity, name in written if name and name_key(name) == key), None)
    return index.entities[entity].name if entity else index.registered_names.get(key, attribution)


def _conflict(field: str, by_value: dict[str | None, list[str]], by_doc: dict[str, str]) -> Conflict:
    values = [
        ConflictValue(value=v, mention_ids=sorted(ids), doc_ids=sorted({by_doc[i] for i in ids}))
        for v, ids in by_value.items()
    ]
    return Conflict(field=field, values=sorted(values, key=lambda c: c.mention_ids))


def _dates_agree(values: list[str | None]) -> bool:
    """Dates each within the other or containing it, as DATE_RULE needs: "2024-03" and
    "2024-03-23" agree; a range overlapping a month only in part does not."""
    spans = [dates.span(v) for v in values if v is not None]
    return all(a is not None and b is not None and (a.contains(b) or b.contains(a)) for a in spans for b in spans)


def _spellings(named: list[Named]) -> dict[str, dict[str | None, list[str]]]:
    """Each entity's spellings, each with the mentions that write it (once each, in order)."""
    names: dict[str, dict[str | None, dict[str, None]]] = defaultdict(lambda: defaultdict(dict))
    for name in named:
        names[name.entity][name.participant.name][name.mention_id] = None
    return {entity: {written: list(ids) for written, ids in by_name.items()} for entity, by_name in names.items()}


def _misspelled(names: list[str], person: bool) -> bool:
    """Two proper names (looks_proper) of which neither is a part, nor the initials, of the
    other: "Mostaqu" beside "Emad Mostaque" is a typo; "Mostaque" or "M. Mostaque" beside it,
    or "SD" beside "Stable Diffusion", is not."""
    keys = [name_key(n, person) for n in names]
    return any(not _within(a, b) for a in keys for b in keys)


def _within(a: str, b: str) -> bool:
    """Whether one folded name is a part, or the initials, of the other."""
    words_a, words_b = set(a.split()), set(b.split())
    return (
        words_a <= words_b
        or words_b <= words_a
        or a.replace(" ", "") in initials(b)
        or b.replace(" ", "") in initials(a)
    )
