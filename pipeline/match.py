"""Match: which mentions from different documents may report the same event, and how strongly.

Blocking keeps the work near-linear: two mentions are compared only when they share a type
family and a canonical entity (or, with no entity, a year); a block larger than MAX_BLOCK is
sorted by date and each mention compared with its WINDOW nearest neighbours only.

The pairwise score adds evidence for and against (weights in WEIGHTS, set on the golden
fixtures, see README "Reconciliation"):
- type: same type, or only the same family;
- type detail: an acquisition "sought" is not one "considered", a denial is not an explanation;
- participants: shared entities weighted by rarity, more when in the same role; two different
  named people (or organizations) in the same key role count against;
- date: overlapping days at each side's precision for, disjoint days strongly against;
- amounts: a value within tolerance on both sides for, only different values against;
- summaries: cosine of the English summaries' TF-IDF word vectors.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import dates
from pipeline.entities import EntityIndex, looks_proper
from pipeline.events import EntityKind, EventBase, Role
from pipeline.records import Mention

FAMILIES = {
    "resignation": "people",
    "appointment": "people",
    "funding": "money",
    "financial_metric": "money",
    "debt": "money",
    "acquisition": "deal",
    "partnership": "deal",
    "lawsuit": "conflict",
    "dispute": "conflict",
    "investigation": "conflict",
    "statement": "speech",
    "prediction": "speech",
    "product_release": "release",
    "other": "other",
}
DETAIL_FIELDS = ("status", "metric", "stance")
# Roles in which two different named parties mean two different events.
KEY_ROLES = {
    Role.SUBJECT,
    Role.SUCCESSOR,
    Role.SPEAKER,
    Role.ACQUIRER,
    Role.INVESTOR,
    Role.CREDITOR,
    Role.PLAINTIFF,
    Role.AUTHORITY,
    Role.PARTNER,
}
WEIGHTS = {
    "same_type": 1.0,
    "same_family": -0.5,
    "detail_differs": -0.8,
    "participants": 1.5,
    "participant_conflict": -1.5,
    "same_date": 0.5,
    "nested_date": 0.3,
    "disjoint_date": -5.0,
    "amount_match": 1.0,
    "amount_mismatch": -1.5,
    "summary": 2.5,
    "details_text": 1.0,
    "details_differ": -1.0,
}
THRESHOLD = 1.75  # set on the golden fixtures: best merge F1 with the fewest false merges (README)
AMOUNT_TOLERANCE = 0.02  # relative; values marked approximate get APPROXIMATE_TOLERANCE
APPROXIMATE_TOLERANCE = 0.12
MAX_BLOCK = 64
WINDOW = 24

_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "it",
        "its",
        "its'",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "he",
        "she",
        "they",
        "them",
        "who",
        "which",
        "what",
        "when",
        "after",
        "before",
        "about",
        "into",
        "over",
        "than",
        "also",
        "said",
        "says",
        "say",
        "would",
        "will",
        "could",
        "can",
        "not",
        "no",
        "but",
        "if",
        "so",
        "such",
        "per",
        "up",
        "out",
        "one",
    ]
)


@dataclass(frozen=True, slots=True)
class Features:
    """What the score compares, computed once per mention."""

    id: str
    doc_id: str
    type: str
    family: str
    detail: str | None
    roles: frozenset[tuple[str, str]]  # (role, entity id)
    named: frozenset[tuple[str, str, str]]  # (role, kind, entity id) of named parties in key roles
    span: tuple[int, int] | None  # first and last day (ordinals)
    amounts: tuple[tuple[float, str | None, bool], ...]  # value, currency, approximate
    words: frozenset[str]  # of the summary
    detail_words: frozenset[str]  # of the type's own fields: position, product, stage, what amounts measure

    @property
    def entities(self) -> frozenset[str]:
        return frozenset(entity for _, entity in self.roles)


SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.toml"


@functools.cache
def synonyms() -> dict[str, str]:
    """Word → the name of its group of synonyms (pipeline/data/synonyms.toml)."""
    groups = tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))["groups"]
    return {word: name for name, words in groups.items() for word in words}


def summary_words(summary: str) -> frozenset[str]:
    """Content words of an English summary, crudely stemmed ("resigned" = "resigns" = "resign")
    and read through the synonym groups ("left" = "quit" = "resign")."""
    words = set()
    groups = synonyms()
    for word in _WORD.findall(summary.casefold()):
        if word in STOPWORDS or len(word) < 2:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        words.add(groups.get(word, word))
    return frozenset(words)


def _english_fields(event: EventBase) -> list[str]:
    """The free-text English fields besides the summary: position, stage, product, claim, label,
    what each amount measures."""
    texts = [str(getattr(event, name)) for name in ("position", "stage", "product", "claim", "issue", "label")
             if getattr(event, name, None)]  # fmt: skip
    return texts + [a.measure for a in event.amounts if a.measure]


def features(mention: Mention, index: EntityIndex, named: frozenset[str]) -> Features:
    event = mention.event
    roles, key_parties = set(), set()
    for participant in event.participants:
        entity = index.entity_id(mention.doc_id, participant)
        roles.add((participant.role.value, entity))
        if participant.role in KEY_ROLES and entity in named:
            key_parties.add((participant.role.value, index.entities[entity].kind.value, entity))
    day_span = dates.span(event.time.date) if event.time and event.time.date else None
    detail = next((str(getattr(event, name)) for name in DETAIL_FIELDS if hasattr(event, name)), None)
    return Features(
        id=mention.id,
        doc_id=mention.doc_id,
        type=event.type,
        family=FAMILIES[event.type],
        detail=detail,
        roles=frozenset(roles),
        named=frozenset(key_parties),
        span=(day_span.start.toordinal(), day_span.end.toordinal()) if day_span else None,
        amounts=tuple(sorted((a.value, a.currency, a.approximate) for a in event.amounts if a.value is not None)),
        words=summary_words(event.summary),
        detail_words=summary_words(" ".join(_english_fields(event))),
    )


def named_entities(index: EntityIndex) -> frozenset[str]:
    """Entities with a proper name, as opposed to descriptions ("three core authors")."""
    return frozenset(
        entity.id
        for entity in index.entities.values()
        if entity.kind != EntityKind.OTHER and (entity.registered or looks_proper(entity.name))
    )


class Weights:
    """Inverse document frequencies of entities and summary words over the mentions compared, so
    that "Stability AI" in a corpus about Stability AI says little, and "Intel" says much."""

    def __init__(self, items: list[Features]) -> None:
        total = max(len(items), 1)
        entity_counts = Counter(e for f in items for e in f.entities)
        word_counts = Counter(w for f in items for w in f.words | f.detail_words)
        self.entity = {e: math.log(1 + total / n) for e, n in entity_counts.items()}
        self.word = {w: math.log(1 + total / n) for w, n in word_counts.items()}
        self.unique = math.log(1 + total)  # the weight of a word only one mention uses

    def similarity(self, a: frozenset[str], b: frozenset[str]) -> float:
        """Cosine of two bags of words under TF-IDF weights."""
        shared = sum(self.word[w] ** 2 for w in a & b)
        if not shared:
            return 0.0
        norm_a = math.sqrt(sum(self.word[w] ** 2 for w in a))
        norm_b = math.sqrt(sum(self.word[w] ** 2 for w in b))
        return shared / (norm_a * norm_b)

    def participant_overlap(self, a: Features, b: Features) -> float:
        shared = a.entities & b.entities
        if not shared:
            return 0.0
        credit = sum(self.entity[e] * (1.0 if _roles_of(a, e) & _roles_of(b, e) else 0.6) for e in shared)
        mass_a = sum(self.entity[e] for e in a.entities)
        mass_b = sum(self.entity[e] for e in b.entities)
        return 2 * credit / (mass_a + mass_b)


def _roles_of(item: Features, entity: str) -> set[str]:
    return {role for role, e in item.roles if e == entity}


def _participant_conflict(a: Features, b: Features) -> bool:
    """Both name parties in the same key role and kind, and each names one the other does not:
    {Wong, Laforte} and {Wong} agree, {Stability, Intel} and {Stability, AWS} do not."""
    slots_a = {(role, kind) for role, kind, _ in a.named}
    for role, kind in slots_a & {(role, kind) for role, kind, _ in b.named}:
        left = {e for r, k, e in a.named if (r, k) == (role, kind)}
        right = {e for r, k, e in b.named if (r, k) == (role, kind)}
        if left - right and right - left:
            return True
    return False


def amounts_agree(x: tuple[float, str | None, bool], y: tuple[float, str | None, bool]) -> bool:
    if x[1] != y[1] and x[1] is not None and y[1] is not None:
        return False
    tolerance = APPROXIMATE_TOLERANCE if x[2] or y[2] else AMOUNT_TOLERANCE
    return abs(x[0] - y[0]) <= tolerance * max(abs(x[0]), abs(y[0]))


FEATURE_NAMES = (
    "same_type",
    "same_family",
    "detail_differs",
    "participants",
    "participant_conflict",
    "same_date",
    "nested_date",
    "disjoint_date",
    "amount_match",
    "amount_mismatch",
    "summary",
    "details_text",
    "details_differ",
)


def feature_values(a: Features, b: Features, weights: Weights) -> dict[str, float]:
    """The evidence about a pair, each in [0, 1], by name (WEIGHTS says how much each counts)."""
    values = dict.fromkeys(FEATURE_NAMES, 0.0)
    values["same_type" if a.type == b.type else "same_family"] = 1.0
    values["detail_differs"] = float(a.detail is not None and b.detail is not None and a.detail != b.detail)
    values["participants"] = weights.participant_overlap(a, b)
    values["participant_conflict"] = float(_participant_conflict(a, b))
    if a.span is not None and b.span is not None:
        if a.span == b.span:
            values["same_date"] = 1.0
        elif a.span[0] <= b.span[1] and b.span[0] <= a.span[1]:
            values["nested_date"] = 1.0
        else:
            values["disjoint_date"] = 1.0
    if a.amounts and b.amounts:
        fewer, more = (a.amounts, b.amounts) if len(a.amounts) <= len(b.amounts) else (b.amounts, a.amounts)
        values["amount_match"] = sum(any(amounts_agree(x, y) for y in more) for x in fewer) / len(fewer)
        values["amount_mismatch"] = float(
            not values["amount_match"] and bool({x[1] for x in fewer} & {y[1] for y in more})
        )
    values["summary"] = weights.similarity(a.words, b.words)
    values["details_text"] = weights.similarity(a.detail_words, b.detail_words)
    values["details_differ"] = float(bool(a.detail_words and b.detail_words) and not values["details_text"])
    return values


def score_parts(a: Features, b: Features, weights: Weights) -> dict[str, float]:
    """What each piece of evidence adds to the score (for reports and tuning)."""
    return {name: WEIGHTS[name] * value for name, value in feature_values(a, b, weights).items() if value}


def score(a: Features, b: Features, weights: Weights) -> float:
    """How strongly two mentions of different documents look like one event; -inf when they
    cannot be (same document, or types of different families)."""
    if a.doc_id == b.doc_id or a.family != b.family:
        return -math.inf
    return round(sum(score_parts(a, b, weights).values()), 9)


BLOCK_WORDS = 3


def block_keys(item: Features, weights: Weights) -> Iterator[str]:
    for entity in sorted(item.entities):
        yield f"{item.family}|{entity}"
    if not item.entities:
        year = dates.ordinal_year(item.span[0]) if item.span else "undated"
        yield f"{item.family}|{year}"
    shared = [w for w in item.words if weights.word[w] < weights.unique]
    for word in sorted(shared, key=lambda w: (-weights.word[w], w))[:BLOCK_WORDS]:
        yield f"{item.family}|w:{word}"
    for value, _, _ in item.amounts:
        if value > 0:  # values within tolerance land in the same bucket or the next: emit both
            bucket = math.floor(math.log(value) / math.log(1 + 2 * APPROXIMATE_TOLERANCE))
            yield f"{item.family}|a:{bucket}"
            yield f"{item.family}|a:{bucket + 1}"


def candidate_pairs(items: list[Features], weights: Weights) -> Iterable[tuple[int, int]]:
    """Pairs (i < j) of mentions from different documents that share a block; each pair once."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        for key in block_keys(item, weights):
            blocks[key].append(i)
    seen: set[tuple[int, int]] = set()
    for key in sorted(blocks):
        members = sorted(blocks[key], key=lambda i: (items[i].span or (math.inf, math.inf), items[i].id))
        window = len(members) if len(members) <= MAX_BLOCK else WINDOW
        for position, i in enumerate(members):
            for j in members[position + 1 : position + 1 + window]:
                if items[i].doc_id == items[j].doc_id:
                    continue
                pair = (min(i, j), max(i, j))
                if pair not in seen:
                    seen.add(pair)
                    yield pair
