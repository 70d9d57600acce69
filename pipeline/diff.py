"""Diff: compare a fact base with its golden copy by meaning and by evidence, not by text.

With a model in the loop the same fact comes back with other words, ids and offsets. So facts
are aligned one to one by an optimal assignment (Hungarian algorithm, scipy) on a score built
from overlapping evidence in the same document, type, participants, date and amounts; facts
with no overlapping evidence may still match on type + participants + date ("attributes").
Mentions are aligned the same way inside each document, which gives mention recall and the
B-cubed merge scores.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from pipeline.events import EventBase, Record
from pipeline.reconcile import folded_name, participant_names
from pipeline.records import SCHEMA_VERSION, Fact, Mention

EVIDENCE_WEIGHT, TYPE_WEIGHT, PARTICIPANT_WEIGHT, DATE_WEIGHT, AMOUNT_WEIGHT = 0.45, 0.2, 0.15, 0.1, 0.1
MIN_EVIDENCE_SCORE = 0.4  # a pair sharing evidence must reach this total to match
MIN_ATTRIBUTE_PARTICIPANTS = 0.5  # Jaccard of participants for an evidence-free match
COVERAGE_TIE_BREAK = 0.001  # between scores otherwise equal, the output fact covering more of the golden one
AMOUNT_TOLERANCE = 0.05
FIELDS = ("type", "date", "participants", "amounts", "modality", "languages", "documents")


class DiffError(Exception):
    """Inputs that cannot be compared; the message names the file and line."""


class Scores(Record):
    precision: float
    recall: float
    f1: float
    true_positives: int
    output_total: int
    golden_total: int


class MergeScores(Record):
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    multilang_merged_share: float | None
    multilang_facts: int


class FieldDifference(Record):
    field: str
    output: str | None
    golden: str | None


class MatchedFact(Record):
    output_id: str
    golden_id: str
    score: float
    basis: Literal["evidence", "attributes"]
    differences: list[FieldDifference]


class FactSummary(Record):
    id: str
    type: str
    summary: str
    documents: list[str]


class SplitFact(Record):
    golden_id: str
    output_ids: list[str]


class MergedFact(Record):
    output_id: str
    golden_ids: list[str]


class MentionSummary(Record):
    id: str
    type: str
    doc_id: str
    spans: list[tuple[int, int]]


class LanguageScores(Record):
    facts: Scores
    mentions: Scores


class DiffReport(Record):
    """The result of `factbase diff`, as `--json` prints it."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    kind: Literal["facts", "mentions"]
    output: str
    golden: str
    facts: Scores
    mentions: Scores
    merge: MergeScores | None
    fields: dict[str, float | None]  # share of matched facts whose field agrees; None when none matched
    by_language: dict[str, LanguageScores]
    matched: list[MatchedFact]
    missing: list[FactSummary]
    extra: list[FactSummary]
    split: list[SplitFact]
    merged: list[MergedFact]
    evidence: Scores  # in characters of the aligned mentions' quotes (_evidence_scores)
    missing_mentions: list[MentionSummary]
    extra_mentions: list[MentionSummary]

    def differs(self) -> bool:
        """Whether the two sides differ in anything this report sees (`diff --exit-code`)."""
        return (
            bool(
                self.missing or self.extra or self.split or self.merged or self.missing_mentions or self.extra_mentions
            )
            or any(m.differences for m in self.matched)
            or not self.evidence.true_positives == self.evidence.output_total == self.evidence.golden_total
        )


@dataclass(frozen=True)
class MentionUnit:
    id: str
    doc_id: str
    lang: str
    type: str
    spans: tuple[tuple[int, int], ...]
    fact_id: str


Amounts = tuple[tuple[float, str | None], ...]  # (value, currency), sorted


@dataclass(frozen=True)
class FactUnit:
    """A fact (or a mention standing alone) as compared: its event for type and modality; the
    participants, date and amounts it claims (for a fact, its canonical entities and values,
    which all its sources make, rather than its canonical mention's words); its languages
    (sorted) and its mentions."""

    id: str
    event: EventBase
    participants: frozenset[str]  # folded names
    date: str | None
    amounts: Amounts
    languages: tuple[str, ...]
    mentions: tuple[MentionUnit, ...]

    @property
    def documents(self) -> list[str]:
        return sorted({m.doc_id for m in self.mentions})


def fact_units(facts: Iterable[Fact], path: str = "") -> list[FactUnit]:
    """The facts as units, in id order (so that the alignment does not depend on the order of
    the lines); a fact id listed twice, or a mention in two facts, is an error naming it."""
    units = []
    fact_of: dict[str, str] = {}
    listed: set[str] = set()
    for fact in facts:
        if fact.id in listed:
            raise DiffError(f"{path}: {fact.id} is listed twice")
        listed.add(fact.id)
        for mention_id in dict.fromkeys(s.mention_id for s in fact.sources):
            if mention_id in fact_of:
                raise DiffError(f"{path}: mention {mention_id} is in two facts ({fact_of[mention_id]}, {fact.id})")
            fact_of[mention_id] = fact.id
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        where: dict[str, tuple[str, str]] = {}
        for source in fact.sources:
            spans[source.mention_id].append((source.char_start, source.char_end))
            where[source.mention_id] = (source.doc_id, source.lang)
        mentions = tuple(
            MentionUnit(mid, where[mid][0], where[mid][1], fact.type, tuple(sorted(spans[mid])), fact.id)
            for mid in sorted(spans)
        )
        amounts = tuple(sorted((a.value, a.currency) for a in fact.canonical.amounts))
        entities = frozenset(folded_name(entity.name) for entity in fact.entities)
        languages = tuple(sorted(fact.languages))
        units.append(FactUnit(fact.id, fact.event, entities, fact.canonical.date, amounts, languages, mentions))
    return _in_id_order(units, path)


def mention_units(mentions: Iterable[Mention], path: str = "") -> list[FactUnit]:
    """Each mention as a fact of its own, for scoring extraction alone, in id order."""
    units = [
        FactUnit(
            m.id,
            m.event,
            participant_names(m.event),
            m.event.time.date if m.event.time else None,
            tuple(sorted((a.value, a.currency) for a in m.event.amounts if a.value is not None)),
            (m.lang,),
            (
                MentionUnit(
                    m.id, m.doc_id, m.lang, m.event.type, tuple((e.char_start, e.char_end) for e in m.evidence), m.id
                ),
            ),
        )
        for m in mentions
    ]
    return _in_id_order(units, path)


def _in_id_order(units: list[FactUnit], path: str) -> list[FactUnit]:
    ordered = sorted(units, key=lambda unit: unit.id)
    for a, b in itertools.pairwise(ordered):
        if a.id == b.id:
            raise DiffError(f"{path}: {a.id} is listed twice")
    return ordered


def _overlap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> float:
    """The best overlap of two span lists, as a share of the shorter span (0..1)."""
    best = 0.0
    for a_start, a_end in a:
        for b_start, b_end in b:
            shared = min(a_end, b_end) - max(a_start, b_start)
            if shared > 0:
                best = max(best, shared / max(1, min(a_end - a_start, b_end - b_start)))
    return best


def evidence_similarity(output: FactUnit, golden: FactUnit) -> float:
    return max(
        (_overlap(o.spans, g.spans) for o in output.mentions for g in golden.mentions if o.doc_id == g.doc_id),
        default=0.0,
    )


def evidence_coverage(output: FactUnit, golden: FactUnit) -> float:
    """The share of the golden fact's mentions that some mention of the output fact overlaps:
    between two pieces of a split fact, the one holding more of it matches."""
    covered = sum(
        any(o.doc_id == g.doc_id and _overlap(o.spans, g.spans) > 0 for o in output.mentions) for g in golden.mentions
    )
    return covered / len(golden.mentions) if golden.mentions else 0.0


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def date_similarity(a: str | None, b: str | None) -> float:
    """1 for equal dates, 0.5 when one is a coarser form of the other (2024 and 2024-03)."""
    if a is None or b is None:
        return 0.5 if a == b else 0.0
    if a == b:
        return 1.0
    return 0.5 if a.startswith(b) or b.startswith(a) else 0.0


def amount_similarity(left: Amounts, right: Amounts) -> float:
    """The share of amounts paired one to one with an amount of the other side within tolerance."""
    if not left and not right:
        return 1.0
    unused = list(right)
    for value, currency in left:
        close = next(
            (
                k
                for k, (v, c) in enumerate(unused)
                if c == currency and abs(v - value) <= AMOUNT_TOLERANCE * max(abs(v), abs(value), 1)
            ),
            None,
        )
        if close is not None:
            del unused[close]
    return (len(right) - len(unused)) / max(len(left), len(right))


def pair_score(output: FactUnit, golden: FactUnit) -> tuple[float, Literal["evidence", "attributes"] | None]:
    """The match score of two facts and its basis; basis None means they cannot match."""
    evidence = evidence_similarity(output, golden)
    same_type = output.event.type == golden.event.type
    participants = _jaccard(output.participants, golden.participants)
    dates = date_similarity(output.date, golden.date)
    score = (
        EVIDENCE_WEIGHT * evidence
        + TYPE_WEIGHT * same_type
        + PARTICIPANT_WEIGHT * participants
        + DATE_WEIGHT * dates
        + AMOUNT_WEIGHT * amount_similarity(output.amounts, golden.amounts)
        + COVERAGE_TIE_BREAK * evidence_coverage(output, golden)
    )
    if evidence > 0 and score >= MIN_EVIDENCE_SCORE:
        return score, "evidence"
    exact_date = dates == 1.0 and golden.date is not None
    if same_type and exact_date and participants >= MIN_ATTRIBUTE_PARTICIPANTS:  # a sliver of shared evidence too
        return score, "attributes"
    return score, None


def assign(scores: np.ndarray) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs maximising the total of positive scores."""
    if scores.size == 0:
        return []
    rows, cols = linear_sum_assignment(-scores)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if scores[r, c] > 0]


def align_facts(output: list[FactUnit], golden: list[FactUnit]) -> list[MatchedFact]:
    scores = np.zeros((len(output), len(golden)))
    bases: dict[tuple[int, int], Literal["evidence", "attributes"]] = {}
    for i, out in enumerate(output):
        for j, gold in enumerate(golden):
            score, basis = pair_score(out, gold)
            if basis is not None:
                scores[i, j] = score
                bases[(i, j)] = basis
    return [
        MatchedFact(
            output_id=output[i].id,
            golden_id=golden[j].id,
            score=round(min(float(scores[i, j]), 1.0), 4),  # without the tie-break above a perfect pair
            basis=bases[(i, j)],
            differences=field_differences(output[i], golden[j]),
        )
        for i, j in assign(scores)
    ]


def align_mentions(output: list[MentionUnit], golden: list[MentionUnit]) -> dict[str, str]:
    """Golden mention id -> output mention id: same document, overlapping evidence, the same type
    counting double (a sentence may tell two events of two types). Another type is still the
    same mention told otherwise: a fact given the wrong type, or two facts of two types merged,
    shows as such, not as mentions lost."""
    pairs: dict[str, str] = {}
    by_doc: dict[str, tuple[list[MentionUnit], list[MentionUnit]]] = defaultdict(lambda: ([], []))
    for mention in output:
        by_doc[mention.doc_id][0].append(mention)
    for mention in golden:
        by_doc[mention.doc_id][1].append(mention)
    for outs, golds in by_doc.values():
        scores = np.array(
            [[_overlap(o.spans, g.spans) * (1 + (o.type == g.type)) for g in golds] for o in outs]
        ).reshape(len(outs), len(golds))
        for i, j in assign(scores):
            pairs[golds[j].id] = outs[i].id
    return pairs


def _describe(unit: FactUnit, name: str) -> str | None:
    event = unit.event
    values: dict[str, str | None] = {
        "type": event.type,
        "date": unit.date,
        "participants": ", ".join(sorted(unit.participants)) or None,
        "amounts": ", ".join(f"{v:.15g} {c or ''}".strip() for v, c in unit.amounts) or None,
        "modality": event.modality.value,
        "languages": ", ".join(unit.languages),
        "documents": ", ".join(unit.documents),
    }
    return values[name]


def field_differences(output: FactUnit, golden: FactUnit) -> list[FieldDifference]:
    differences = []
    for name in FIELDS:
        same = (
            amount_similarity(output.amounts, golden.amounts) == 1.0
            if name == "amounts"
            else _describe(output, name) == _describe(golden, name)
        )
        if not same:
            differences.append(
                FieldDifference(field=name, output=_describe(output, name), golden=_describe(golden, name))
            )
    return differences


def scores(true_positives: int, output_total: int, golden_total: int) -> Scores:
    precision = true_positives / output_total if output_total else 0.0
    recall = true_positives / golden_total if golden_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        true_positives=true_positives,
        output_total=output_total,
        golden_total=golden_total,
    )


def bcubed(pairs: dict[str, str], output_fact: dict[str, str], golden_fact: dict[str, str]) -> tuple[float, float]:
    """B-cubed precision and recall over the mentions present in both (aligned) fact bases."""
    if not pairs:
        return 0.0, 0.0
    by_output: dict[str, set[str]] = defaultdict(set)
    by_golden: dict[str, set[str]] = defaultdict(set)
    for gold, out in pairs.items():
        by_output[output_fact[out]].add(gold)
        by_golden[golden_fact[gold]].add(gold)
    precision = recall = 0.0
    for gold, out in pairs.items():
        same_output = by_output[output_fact[out]]
        same_golden = by_golden[golden_fact[gold]]
        shared = len(same_output & same_golden)
        precision += shared / len(same_output)
        recall += shared / len(same_golden)
    return precision / len(pairs), recall / len(pairs)


def _summary(unit: FactUnit) -> FactSummary:
    return FactSummary(id=unit.id, type=unit.event.type, summary=unit.event.summary, documents=unit.documents)


def compare(
    output: list[FactUnit], golden: list[FactUnit], kind: Literal["facts", "mentions"], paths: tuple[str, str]
) -> DiffReport:
    matched = align_facts(output, golden)
    out_mentions = [m for unit in output for m in unit.mentions]
    gold_mentions = [m for unit in golden for m in unit.mentions]
    pairs = align_mentions(out_mentions, gold_mentions)
    output_fact = {m.id: m.fact_id for m in out_mentions}
    golden_fact = {m.id: m.fact_id for m in gold_mentions}

    aligned = set(pairs.values())
    of_facts = kind == "facts"  # for mentions files, the missing and extra units are the mentions
    matched_out = {m.output_id for m in matched}
    matched_gold = {m.golden_id for m in matched}
    split = _split(golden, pairs, output_fact)
    merged = _merged(output, pairs, golden_fact)
    precision, recall = bcubed(pairs, output_fact, golden_fact)
    multilang = [g for g in golden if len(g.languages) > 1]
    whole = [g for g in multilang if _came_out_whole(g, pairs, output_fact)]
    merge = MergeScores(
        bcubed_precision=round(precision, 4),
        bcubed_recall=round(recall, 4),
        bcubed_f1=round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        multilang_merged_share=round(len(whole) / len(multilang), 4) if multilang else None,
        multilang_facts=len(multilang),
    )
    return DiffReport(
        kind=kind,
        output=paths[0],
        golden=paths[1],
        facts=scores(len(matched), len(output), len(golden)),
        mentions=scores(len(pairs), len(out_mentions), len(gold_mentions)),
        merge=merge if kind == "facts" else None,
        fields={
            name: round(sum(all(d.field != name for d in m.differences) for m in matched) / len(matched), 4)
            if matched
            else None
            for name in FIELDS
        },
        by_language=_by_language(output, golden, matched, pairs, out_mentions, gold_mentions),
        matched=matched,
        missing=[_summary(g) for g in golden if g.id not in matched_gold],
        extra=[_summary(o) for o in output if o.id not in matched_out],
        split=split,
        merged=merged,
        evidence=_evidence_scores(pairs, out_mentions, gold_mentions),
        missing_mentions=[_mention_summary(m) for m in gold_mentions if m.id not in pairs] if of_facts else [],
        extra_mentions=[_mention_summary(m) for m in out_mentions if m.id not in aligned] if of_facts else [],
    )


def _mention_summary(mention: MentionUnit) -> MentionSummary:
    return MentionSummary(id=mention.id, type=mention.type, doc_id=mention.doc_id, spans=list(mention.spans))


def _evidence_scores(
    pairs: dict[str, str], out_mentions: list[MentionUnit], gold_mentions: list[MentionUnit]
) -> Scores:
    """Characters quoted by both sides of each aligned pair (true positives), against each
    side's own: a quote that swallows its paragraph (precision), or keeps a few words of the
    golden one (recall), scores below 1."""
    out_spans = {m.id: _disjoint(m.spans) for m in out_mentions}
    gold_spans = {m.id: _disjoint(m.spans) for m in gold_mentions}  # the ids of two runs may be the same
    shared = quoted_output = quoted_golden = 0
    for gold, out in pairs.items():
        shared += sum(max(0, min(a_end, b_end) - max(a_start, b_start)) for a_start, a_end in gold_spans[gold]
                      for b_start, b_end in out_spans[out])  # fmt: skip
        quoted_output += sum(end - start for start, end in out_spans[out])
        quoted_golden += sum(end - start for start, end in gold_spans[gold])
    return scores(shared, quoted_output, quoted_golden)


def _disjoint(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans with overlapping ones joined, so that no character counts twice."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def _came_out_whole(golden: FactUnit, pairs: dict[str, str], output_fact: dict[str, str]) -> bool:
    facts = {output_fact[pairs[m.id]] for m in golden.mentions if m.id in pairs}
    return len(facts) == 1 and all(m.id in pairs for m in golden.mentions)


def _split(golden: list[FactUnit], pairs: dict[str, str], output_fact: dict[str, str]) -> list[SplitFact]:
    result = []
    for unit in golden:
        facts = sorted({output_fact[pairs[m.id]] for m in unit.mentions if m.id in pairs})
        if len(facts) > 1:
            result.append(SplitFact(golden_id=unit.id, output_ids=facts))
    return result


def _merged(output: list[FactUnit], pairs: dict[str, str], golden_fact: dict[str, str]) -> list[MergedFact]:
    golden_of_output: dict[str, set[str]] = defaultdict(set)
    for gold, out in pairs.items():
        golden_of_output[out].add(golden_fact[gold])
    result = []
    for unit in output:
        facts = sorted({g for m in unit.mentions for g in golden_of_output.get(m.id, set())})
        if len(facts) > 1:
            result.append(MergedFact(output_id=unit.id, golden_ids=facts))
    return result


def _by_language(
    output: list[FactUnit],
    golden: list[FactUnit],
    matched: list[MatchedFact],
    pairs: dict[str, str],
    out_mentions: list[MentionUnit],
    gold_mentions: list[MentionUnit],
) -> dict[str, LanguageScores]:
    """Scores per language: a matched pair counts for a language when both sides have it (a
    golden fact reported in English matched by an output fact without its English source is an
    English fact missed), a matched mention when both are in it."""
    languages = sorted({lang for unit in [*output, *golden] for lang in unit.languages})
    golden_langs = {g.id: set(g.languages) for g in golden}
    output_langs = {o.id: set(o.languages) for o in output}
    output_lang = {m.id: m.lang for m in out_mentions}
    result = {}
    for lang in languages:
        fact_tp = sum(lang in golden_langs[m.golden_id] and lang in output_langs[m.output_id] for m in matched)
        mention_tp = sum(
            1 for gold in gold_mentions if gold.lang == lang and output_lang.get(pairs.get(gold.id, "")) == lang
        )
        result[lang] = LanguageScores(
            facts=scores(fact_tp, sum(lang in o.languages for o in output), sum(lang in g.languages for g in golden)),
            mentions=scores(
                mention_tp, sum(m.lang == lang for m in out_mentions), sum(m.lang == lang for m in gold_mentions)
            ),
        )
    return result
