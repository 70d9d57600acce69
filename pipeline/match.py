"""Match: which mentions may report the same event, and how strongly: mentions of different
documents, or of different chunks of one (an article may tell an event twice).

Each mention's features are kept as columns of arrays (MatchTable), so that blocking and scoring
run as array operations over millions of pairs; the per-mention work is only reading its row.

Blocking keeps the work near-linear: two mentions of one type family are compared only when they
share a block: a canonical entity (or, with no entity, a year), one of their BLOCK_WORDS rarest
summary words that some other mention also uses ("Latent Diffusion" when one article names
Mostaque and the other Stability), or an amount's value bucket. A word or amount block of more
than MAX_WORD_BLOCK mentions is dropped (too common to say which event); an entity block of more
than MAX_BLOCK is sorted by date and each mention compared with its WINDOW next neighbours. Two
mentions dated more than a day apart are two events, never a candidate pair (compatible time
windows).

The pairwise score adds evidence for and against (weights in WEIGHTS, set on the golden
fixtures, see README "Reconciliation"):
- type: same type (or kindred types: KINDRED_TYPES), or only the same family;
- type detail: an acquisition "sought" is not one "considered", a denial is not an explanation;
- participants: shared entities weighted by rarity, more when in the same role; two different
  named people (or organizations) in the same key role count against, and strongly when they
  are the ones the events are about (who resigns, raises, owes, is bought or sued), unless
  their names may be one party's;
- date: overlapping days at each side's precision for; two days that follow each other strongly
  against (but in two articles, all else agreeing, only weakly: time zones); days further apart
  make two events;
- amounts: a value within tolerance on both sides for, only different values against;
- summaries: cosine of the English summaries' TF-IDF word vectors.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from array import array
from collections import defaultdict
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from scipy import sparse

from pipeline import dates
from pipeline.cluster import Origins
from pipeline.entities import (
    Entity,
    EntityIndex,
    Sighting,
    Sightings,
    looks_named,
    looks_named_in_chinese,
    name_key,
    pinyin_of,
    position_words,
)
from pipeline.events import EntityKind, EventBase, Role
from pipeline.parallel import ordered_map
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
# Types one event is told as in two articles: a suit is a dispute in court, a prediction a statement.
KINDRED_TYPES = {frozenset(("lawsuit", "dispute")), frozenset(("prediction", "statement"))}
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
    Role.PRODUCT,
    Role.TARGET,
    Role.ORGANIZATION,
    Role.RECIPIENT,
    Role.DEBTOR,
    Role.DEFENDANT,
}
# The key roles of the parties an event is about, by family: another one is another event, as
# another date is (Zhang Yong stepping down is not Joe Tsai; Perplexity's $100M round is not
# Poolside's; the labels' suit against Suno is not the one against Udio; AWS owed by Stability
# is not AWS owed by Inflection; Nvidia buying Run:ai is not Nvidia buying Deci).
ABOUT_ROLES = {
    "people": {Role.SUBJECT},
    "money": {Role.SUBJECT, Role.RECIPIENT, Role.DEBTOR, Role.ORGANIZATION},
    "deal": {Role.TARGET, Role.PARTNER},
    "conflict": {Role.SUBJECT, Role.DEFENDANT},
    "speech": {Role.SPEAKER},
    "other": {Role.SUBJECT},
}
# Key roles in which a person and an organization are two parties too: an author suing is not
# Getty Images suing, money owed to a person is not money owed to a company. (A person speaking
# may speak for the company; one buying may buy through it.)
ANY_KIND_ROLES = {Role.PLAINTIFF, Role.CREDITOR}
WEIGHTS = {
    "same_type": 1.0,
    "same_family": -0.5,
    "detail_differs": -0.8,
    "participants": 1.5,
    "participant_conflict": -1.5,
    "other_party": -2.0,  # a resignation or appointment at another organization, a lawsuit by another plaintiff
    "other_product": -5.0,  # another version number, or another product released: another event, as disjoint dates are
    "other_protagonist": -5.0,  # another one resigning, raising, owing, sued, bought or partnered with (ABOUT)
    "same_date": 0.5,
    "nested_date": 0.3,
    "disjoint_date": -5.0,
    "next_day_elsewhere": -0.5,  # the next day in another article, all else agreeing: maybe one day in two time zones
    "amount_match": 1.0,
    "amount_mismatch": -1.5,
    "other_figure": -2.5,  # two financial figures whose amounts disagree: another period or segment, not a typo
    "summary": 2.5,
    "other_thing_said": -2.0,  # statements or predictions sharing no word of what was said (_said_words)
    "details_text": 1.0,
    "details_differ": -1.0,
}
THRESHOLD = 1.75  # set on the golden fixtures: best merge F1 with the fewest false merges (README)
# An article telling an event twice (in two chunks) says it again with the same names and words,
# while its other events share its names and words too: two mentions of one document are one
# event only from this score up. Set on the golden mentions split by chunk (README
# "Reconciliation"): retellings score 4.15 and up, an article's other events 2.4 at most; nearer
# the retellings, since a retelling missed is a duplicate fact, while two events merged mix one.
SAME_DOCUMENT_THRESHOLD = 3.5
# Families whose events an article may tell twice and be merged: not what people say (one speaker
# says many things in one article, told apart only by the summary), nor events of no known type.
RETOLD_FAMILIES = ("people", "money", "deal", "conflict", "release")
# Words after a product's name that make a version of it, not another product ("XL", "Pro").
VARIANT_WORDS = frozenset(
    {"xl", "xxl", "pro", "max", "mini", "lite", "plus", "turbo", "ultra", "base", "large", "medium", "small", "tiny",
     "instruct", "chat", "preview", "beta"}
)  # fmt: skip
LINE_WORDS = frozenset({"model", "models", "llm", "llms", "series", "family", "lineup", "line", "edition", "version"})
AMOUNT_TOLERANCE = 0.02  # relative; values marked approximate get APPROXIMATE_TOLERANCE
APPROXIMATE_TOLERANCE = 0.12
CHINESE_NAME_SIMILARITY = 80  # ratio of two people's names in pinyin: 83 穆拉蒂, 穆拉提; 73 张一鸣, 张一山
NAME_SIMILARITY = 70  # rapidfuzz ratio from which two people's names may be one person's: 76 for Prigozhin, Prigojine
SMALL_WORDS = frozenset({"of", "and", "for", "the", "de", "du", "des", "et", "la", "le"})  # not in acronyms
MAX_BLOCK = 64
MAX_DAYS_APART = 1  # days between two mentions' dates beyond which they are two events (time zones: one)
MAX_WIDTH = 16  # entities, key-role parties or amounts of one mention that matching compares
WINDOW = 24
BLOCK_WORDS = 3  # a mention's rarest shared summary words that are also block keys
MAX_WORD_BLOCK = 16  # a word or amount shared by more mentions says too little to pair them all

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


SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.toml"


@functools.cache
def _vocabulary() -> dict[str, Any]:
    return tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))


@functools.cache
def synonyms() -> dict[str, str]:
    """Stem → the name of its group of synonyms (pipeline/data/synonyms.toml): each word listed
    is stemmed as summaries are ("released" → "releas"), or it would never be found."""
    return {_stem(word): name for name, words in _vocabulary()["groups"].items() for word in words}


@functools.cache
def speech_words() -> frozenset[str]:
    """The words that say someone spoke ("stated", "predicted", "according"), as summary_words
    reads them."""
    return frozenset(filter(None, map(_content_word, _vocabulary()["speech"])))


def summary_words(summary: str) -> frozenset[str]:
    """Content words of an English summary, crudely stemmed ("resigned" = "resigns" = "resign")
    and read through the synonym groups ("left" = "quit" = "resign")."""
    return frozenset(filter(None, map(_content_word, _WORD.findall(summary.casefold()))))


@functools.lru_cache(maxsize=1 << 18)
def _content_word(word: str) -> str | None:
    """A word's stem read through the synonym groups; None for a stop word (cached: summaries
    reuse a small vocabulary)."""
    if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):  # "Llama 2" is not "Llama 3"
        return None
    stem = _stem(word)
    return synonyms().get(stem, stem)


def _stem(word: str) -> str:
    """A crude stem: one trailing -ing, -ed, -es or -s off a word that keeps 4 letters."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _english_fields(event: EventBase) -> list[str]:
    """The free-text English fields besides the summary: position (its job titles read in any of
    the three languages), product, and stage, claim, issue, label and what each amount measures
    when written in English: a weak model copies « contrefaçon » or « objectif de cours » from a
    French article, whose words share none with "copyright infringement" and would count against
    the pair (as words in Chinese characters, which summary_words never reads, do not)."""
    fields = event.__dict__  # the event's fields by name (extra keys are forbidden)
    position = [position_words(fields["position"])] if fields.get("position") else []
    product = [str(fields["product"])] if fields.get("product") else []
    free = [str(fields[name]) for name in ("stage", "claim", "issue", "label") if fields.get(name)]
    free += [a.measure for a in event.amounts if a.measure]
    return position + product + [text for text in free if not _FRENCH.search(text)]


def field_words(name: str, text: str) -> frozenset[str]:
    """The words a free-text field says, as matching compares them (a position's job titles read
    in any language; nothing for text that looks French, whose words share none with English)."""
    if name == "position":
        return summary_words(position_words(text))
    return frozenset() if _FRENCH.search(text) else summary_words(text)


# accented letters, or the small words of French ("l'", "d'" included): no English field has them
_FRENCH = re.compile(r"[àâçéèêëîïôûùüÿœ]|\b(?:de|du|des|la|le|les|un|une|et|pour|sur|aux?|dans|par)\b|\b[ld]'", re.I)


T = TypeVar("T", bound=Hashable)
Array = NDArray[Any]  # numpy's element types are checked at run time, not by mypy


ROLE_CODES = {role: n for n, role in enumerate(Role)}
KIND_CODES = {kind: n for n, kind in enumerate(EntityKind)}
SLOT_KINDS = 2 * len(KIND_CODES)  # a party's kind, named in Latin script (or the registry), or in Chinese characters
FAMILY_CODES = {family: n for n, family in enumerate(sorted(set(FAMILIES.values())))}
RETOLD_FAMILY_CODES = [FAMILY_CODES[family] for family in RETOLD_FAMILIES]
ABOUT = np.array([[role in ABOUT_ROLES.get(family, ()) for role in ROLE_CODES] for family in FAMILY_CODES])  # by codes
NO_DAY = np.iinfo(np.int64).max  # sorts undated mentions after dated ones
SMALL_ARRAY = 512  # elements up to which numpy's own any() is faster than _any_along's loop (crossover ~800)
PAIR_CHUNK = 200_000  # pairs scored per batch, at most: bounds the size of the temporary arrays
PAIR_CELLS = 3_200_000  # pairs × width² per batch: fewer pairs when some mention names many parties


class Codes(Generic[T]):
    """Values → dense integer codes, in order of first sight, and back."""

    def __init__(self) -> None:
        self.code: dict[T, int] = {}
        self.values: list[T] = []

    def __call__(self, value: T) -> int:
        code = self.code.get(value)
        if code is None:
            code = self.code[value] = len(self.values)
            self.values.append(value)
        return code

    def many(self, values: Iterable[T]) -> list[int]:
        """The codes of several values, a new one for each value not seen before (a dictionary
        lookup each: most values are seen before)."""
        code = self.code
        return [code[value] if value in code else self(value) for value in values]

    def recode(self, other: Codes[T]) -> Array:
        """For each of `other`'s codes, the code of the same value here (added if new)."""
        return np.array([self(value) for value in other.values], dtype=np.int64)

    def __getstate__(self) -> list[T]:
        return self.values  # the dict is rebuilt on arrival: half the bytes to send

    def __setstate__(self, values: list[T]) -> None:
        self.values = values
        self.code = {value: n for n, value in enumerate(values)}


class Ragged:
    """Rows of different lengths stored as parallel flat columns and row ends (the CSR layout)."""

    def __init__(self, *typecodes: str) -> None:
        self.ends = array("q")
        self.columns: tuple[array[Any], ...] = tuple(array(code) for code in typecodes)  # ints, floats or flags

    def add_row(self, *values: Iterable[float]) -> None:
        """One row: the values of each column, as many in each."""
        for column, column_values in zip(self.columns, values, strict=True):
            column.extend(column_values)
        self.ends.append(len(self.columns[0]))

    def rows(self) -> Array:
        """The row of each flat entry."""
        counts: Array = np.diff(np.frombuffer(self.ends, dtype=np.int64), prepend=0)
        return np.repeat(np.arange(len(counts), dtype=np.int64), counts)

    def column(self, n: int) -> Array:
        return np.frombuffer(self.columns[n], dtype=self.columns[n].typecode)

    def keep(self, kept: Array) -> None:
        """Only the rows marked True in the mask `kept`, in order."""
        counts = np.diff(np.frombuffer(self.ends, dtype=np.int64), prepend=0)[kept]
        entries = kept[self.rows()]
        self.ends = _array("q", np.cumsum(counts))
        self.columns = tuple(_array(column.typecode, self.column(n)[entries]) for n, column in enumerate(self.columns))

    def translate(self, n: int, codes: Array) -> None:
        """Column n's values v replaced by codes[v]."""
        self.columns = tuple(
            _array(column.typecode, codes[self.column(k)]) if k == n else column
            for k, column in enumerate(self.columns)
        )

    def extend(self, other: Ragged, recode: dict[int, Array]) -> None:
        """Append `other`'s rows, column n's values translated through recode[n] when given."""
        self.ends.frombytes((np.frombuffer(other.ends, dtype=np.int64) + len(self.columns[0])).tobytes())
        for n, (column, values) in enumerate(zip(self.columns, other.columns, strict=True)):
            if n in recode:
                column.frombytes(recode[n][other.column(n)].astype(column.typecode).tobytes())
            else:
                column.extend(values)


def _array(typecode: str, values: Array) -> array[Any]:
    flat = array(typecode)
    flat.frombytes(values.astype(typecode).tobytes())
    return flat


class MentionRow(NamedTuple):
    """What matching reads from one normalized mention, in plain values."""

    id: str
    doc_id: str
    chunks: tuple[str, ...]  # the chunks of the document it was found in; none when not said
    type: str
    detail: str | None
    first: int  # where the mention sorts within its document: its first evidence's offsets
    last: int
    start: int  # first and last day of its date (ordinals), -1 when undated
    end: int
    parties: tuple[tuple[int, Sighting], ...]  # role code, the participant as written
    amounts: tuple[tuple[float, str | None, bool], ...]  # value, currency, approximate
    summary_words: tuple[str, ...]
    said_words: tuple[str, ...]  # a statement's or prediction's: what was said (_said_words)
    detail_words: tuple[str, ...]


def mention_row(mention: Mention) -> MentionRow:
    event = mention.event
    day_span = dates.span(event.time.date) if event.time and event.time.date else None
    fields = event.__dict__  # the event's fields by name (extra keys are forbidden)
    words = summary_words(event.told_summary or "")
    return MentionRow(
        id=mention.id,
        doc_id=mention.doc_id,
        chunks=tuple(sorted(mention.chunk_ids)),
        type=event.type,
        detail=next((str(fields[name]) for name in DETAIL_FIELDS if name in fields), None),
        first=mention.evidence[0].char_start,
        last=mention.evidence[0].char_end,
        start=day_span.start.toordinal() if day_span else -1,
        end=day_span.end.toordinal() if day_span else -1,
        parties=_parties(event),
        amounts=tuple((a.value, a.currency, a.approximate) for a in event.amounts if a.value is not None),
        summary_words=tuple(sorted(words)),
        said_words=_said_words(event, words) if FAMILIES[event.type] == "speech" else (),
        detail_words=tuple(sorted(summary_words(" ".join(_english_fields(event))))),
    )


def _said_words(event: EventBase, words: frozenset[str]) -> tuple[str, ...]:
    """The summary's words besides its parties' names and the words of speaking: what was said,
    which alone tells apart two things one speaker said on one day."""
    names = summary_words(" ".join(f"{p.name} {p.canonical_name or ''}" for p in event.participants))
    return tuple(sorted(words - names - speech_words()))


def _parties(event: EventBase) -> tuple[tuple[int, Sighting], ...]:
    """Each participant's role code and name as written; a release naming its product only in
    its `product` field (weak models leave it out of the participants) names it as a party too,
    so that Apple's iPhone 15 and its Apple Watch released on one day still clash."""
    parties = tuple((ROLE_CODES[p.role], Sighting(p.name, p.canonical_name, p.kind)) for p in event.participants)
    product = event.__dict__.get("product")
    if product and not any(p.role == Role.PRODUCT for p in event.participants):
        parties += ((ROLE_CODES[Role.PRODUCT], Sighting(product, None, EntityKind.PRODUCT)),)
    return parties


SCALARS = ("where", "raw", "doc", "chunks", "type", "detail", "first", "last", "start", "end")  # one number per mention


class Columns:
    """What matching needs from each mention, appended as codes and numbers to flat columns, so
    that a million mentions take tens of bytes each instead of a million objects. Filled in one
    pass over the mentions' rows, in parts (one per worker task) joined with `extend`; entities
    are resolved afterwards from `sightings`. `where` is how the mention source finds a mention
    again (a line's byte offset, a list index); `raw` whether it is stored not yet normalized."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.docs: Codes[str] = Codes()
        self.chunk_sets: Codes[tuple[str, tuple[str, ...]]] = Codes()  # document, its chunks
        self.types: Codes[str] = Codes()
        self.details: Codes[str] = Codes()
        self.sightings: Codes[Sighting] = Codes()
        self.words: Codes[str] = Codes()
        self.currencies: Codes[str | None] = Codes()
        self.currencies(None)  # code 0: a count, not money
        self.scalars = {name: array("q") for name in SCALARS}
        self.scalar_columns = tuple(self.scalars.values())
        self.parties = Ragged("q", "q")  # role code, sighting code
        self.amounts = Ragged("d", "q", "b")  # value, currency code, approximate
        self.summary_words = Ragged("q")
        self.said_words = Ragged("q")
        self.detail_words = Ragged("q")

    def add(self, row: MentionRow, where: int, raw: bool) -> None:
        self.ids.append(row.id)
        detail = self.details(row.detail) if row.detail is not None else -1
        values = (
            where,
            raw,
            self.docs(row.doc_id),
            self.chunk_sets((row.doc_id, row.chunks)) if row.chunks else -1,
            self.types(row.type),
            detail,
            row.first,
            row.last,
            row.start,
            row.end,
        )
        for column, value in zip(self.scalar_columns, values, strict=True):
            column.append(value)
        self.parties.add_row([role for role, _ in row.parties], self.sightings.many(name for _, name in row.parties))
        self.amounts.add_row(
            [value for value, _, _ in row.amounts],
            self.currencies.many(currency for _, currency, _ in row.amounts),
            [approximate for _, _, approximate in row.amounts],
        )
        self.summary_words.add_row(self.words.many(row.summary_words))
        self.said_words.add_row(self.words.many(row.said_words))
        self.detail_words.add_row(self.words.many(row.detail_words))

    def extend(self, other: Columns) -> None:
        """Append another part's mentions, its codes translated to this one's."""
        self.ids += other.ids
        recode = {name: codes.recode(other._codes()[name]) for name, codes in self._codes().items()}
        for name, column in self.scalars.items():
            values = other.scalar(name)
            if name in recode:
                values = np.append(recode[name], -1)[values]  # -1 (no value) stays -1
            column.frombytes(values.tobytes())
        self.parties.extend(other.parties, {1: recode["sightings"]})
        self.amounts.extend(other.amounts, {1: recode["currencies"]})
        self.summary_words.extend(other.summary_words, {0: recode["words"]})
        self.said_words.extend(other.said_words, {0: recode["words"]})
        self.detail_words.extend(other.detail_words, {0: recode["words"]})

    def repeated(self) -> list[tuple[int, int]]:
        """Rows whose mention id an earlier row has, each with the first row that has it."""
        first: dict[str, int] = {}
        return [(row, first[i]) for row, i in enumerate(self.ids) if first.setdefault(i, row) != row]

    def drop(self, rows: list[int]) -> None:
        """Remove these rows. The names only they wrote go too (entity resolution reads every
        name); other codes they used stay, unused, which changes nothing downstream."""
        if not rows:
            return
        kept = np.ones(len(self.ids), dtype=bool)
        kept[rows] = False
        self.ids = [mention_id for mention_id, keep in zip(self.ids, kept.tolist(), strict=True) if keep]
        self.scalars = {name: _array("q", self.scalar(name)[kept]) for name in SCALARS}
        self.scalar_columns = tuple(self.scalars.values())
        for ragged in (self.parties, self.amounts, self.summary_words, self.said_words, self.detail_words):
            ragged.keep(kept)
        used = _distinct(self.parties.column(1).astype(np.int64))  # in order of first sight, as before
        names: Codes[Sighting] = Codes()
        for code in used.tolist():
            names(self.sightings.values[code])
        new_code = np.full(len(self.sightings.values), -1, dtype=np.int64)
        new_code[used] = np.arange(len(used))
        self.parties.translate(1, new_code)
        self.sightings = names

    def written_names(self) -> Sightings:
        """The distinct names the mentions write, with the documents that write each, for entity
        resolution (pipeline.entities)."""
        n = max(len(self.sightings.values), 1)
        pairs = _distinct(self.scalar("doc")[self.parties.rows()] * n + self.parties.column(1))
        name_of, doc_of = pairs % n, pairs // n

        def documents(asked: list[int]) -> list[set[int]]:
            wanted = np.isin(name_of, asked)
            found: dict[int, set[int]] = defaultdict(set)
            for name, doc in zip(name_of[wanted].tolist(), doc_of[wanted].tolist(), strict=True):
                found[name].add(doc)
            return [found[k] for k in asked]

        counts = np.bincount(name_of, minlength=len(self.sightings.values))
        return Sightings(self.sightings.values, counts.tolist(), documents)

    def _codes(self) -> dict[str, Codes[Any]]:
        return {"doc": self.docs, "chunks": self.chunk_sets, "type": self.types, "detail": self.details,
                "sightings": self.sightings, "words": self.words, "currencies": self.currencies}  # fmt: skip

    def scalar(self, name: str) -> Array:
        return np.frombuffer(self.scalars[name], dtype=np.int64)


def _first_of_runs(sorted_keys: Array) -> Array:
    """Indexes where a new value starts in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _distinct(values: Array) -> Array:
    """The distinct values, sorted. (np.unique hashes integers, twenty times slower here on
    millions of pair codes than sorting them.)"""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _position_in_row(rows: Array) -> Array:
    """For entries sorted by row: 0 for the first entry of each row, 1 for the next..."""
    starts = _first_of_runs(rows)
    lengths = np.diff(np.r_[starts, len(rows)])
    position: Array = np.arange(len(rows)) - np.repeat(starts, lengths)
    return position


def _padded(rows: Array, n: int, fill: float, values: Array) -> Array:
    """Entries sorted by row as an n × (longest row, at most MAX_WIDTH) array, short rows filled
    with `fill`. Pairs are scored with arrays of pairs × width × width, so one mention
    listing 300 amounts or 80 plaintiffs would make every batch that wide: it is compared on its
    first MAX_WIDTH (its facts keep them all)."""
    position = _position_in_row(rows)
    kept = position < MAX_WIDTH
    width = max(1, min(MAX_WIDTH, int(np.bincount(rows, minlength=1).max(initial=0))))
    table = np.full((n, width), fill, dtype=values.dtype)
    table[rows[kept], position[kept]] = values[kept]
    return table


def _idf(counts: Array, n: int) -> Array:
    """Inverse document frequency: a name or word few mentions use says more than a common one."""
    return np.log1p(n / np.maximum(counts, 1))


def _unit_rows(rows: Array, cols: Array, weights: Array, n: int, width: int) -> sparse.csr_matrix:
    """Bag-of-words rows weighted by IDF and scaled to length one, so a dot product is a cosine."""
    matrix = sparse.csr_matrix((weights[cols], (rows, cols)), shape=(n, width))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.diags(1 / np.where(norms > 0, norms, 1)) @ matrix


class MatchTable:
    """Every mention's features as arrays (one row per mention), so that millions of pairs are
    scored with array operations. Entity and word weights are inverse frequencies over the
    mentions compared: "Stability AI" in a corpus about Stability AI says little, "Intel" much."""

    def __init__(self, columns: Columns, index: EntityIndex) -> None:
        n = self.n = len(columns.ids)
        self.ids = columns.ids
        self.where, self.raw = columns.scalar("where"), columns.scalar("raw").astype(bool)
        self.doc_names = columns.docs.values
        self.first, self.last = columns.scalar("first"), columns.scalar("last")
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[np.argsort(np.array(columns.ids, dtype=object), kind="stable")] = np.arange(n)
        self.doc = columns.scalar("doc")
        chunk_codes = Codes[tuple[str, str]]()  # chunk ids are hashes of their text, but test data may reuse them
        chunk_sets = [frozenset(chunk_codes((doc, c)) for c in chunks) for doc, chunks in columns.chunk_sets.values]
        self.origins = Origins(self.doc, columns.scalar("chunks"), chunk_sets)
        self.type = columns.scalar("type")
        names = columns.types.values
        self.kindred_types = np.array([[frozenset((a, b)) in KINDRED_TYPES for b in names] for a in names], dtype=bool)
        self.family = np.array([FAMILY_CODES[FAMILIES[t]] for t in columns.types.values], dtype=np.int64)[self.type]
        self.detail = columns.scalar("detail")
        self.figure = self._of_type(columns, "financial_metric")  # a figure: one value of one metric at one time
        self.labelled = self._of_type(columns, "other")  # its label says what kind of event it is
        self.start, self.end = columns.scalar("start"), columns.scalar("end")
        self._entities(columns, index)
        self._amounts(columns)
        self._words(columns)

    def _of_type(self, columns: Columns, name: str) -> Array:
        return np.array([type_name == name for type_name in columns.types.values], dtype=bool)[self.type]

    def sort_key(self, k: int) -> tuple[str, int, int, str]:
        """Where mention k sorts in the fact base: document, offset of its first evidence, id."""
        return self.doc_names[self.doc[k]], int(self.first[k]), int(self.last[k]), self.ids[k]

    def _entities(self, columns: Columns, index: EntityIndex) -> None:
        entity_ids = sorted(index.entities)
        entity_code = {entity: n for n, entity in enumerate(entity_ids)}
        of_sighting = np.array(
            [entity_code[index.by_sighting[s]] for s in columns.sightings.values],
            dtype=np.int64,
        )
        entities = [index.entities[e] for e in entity_ids]
        kind = np.array([KIND_CODES[e.kind] for e in entities], dtype=np.int64)
        # named in Latin script (or placed by the registry), and in Chinese characters: a name in
        # Chinese characters that the registry does not place may be a Latin-script name's
        # (莫斯塔克, "Mostaque"), so it clashes only with another such name, in slots of its own
        latin = np.array([_named_in_latin(e) for e in entities], dtype=bool)
        self.chinese_forms = [_chinese_names(e) for e in entities]
        chinese = np.array(
            [e.kind != EntityKind.OTHER and not e.registered and bool(forms)
             for e, forms in zip(entities, self.chinese_forms, strict=True)], dtype=bool
        )  # fmt: skip
        named = latin | chinese
        self.entity_named = np.r_[named, False]  # by entity code; -1 (no entity) picks the last
        rows = columns.parties.rows()
        role = columns.parties.column(0).astype(np.int64)
        entity = of_sighting[columns.parties.column(1).astype(np.int64)]
        count = max(len(entity_ids), 1)
        # one entry per (mention, entity), its roles as a bit mask
        keys = rows * count + entity
        order = np.argsort(keys, kind="stable")
        starts = _first_of_runs(keys[order])
        mention_of, entity_of = rows[order][starts], entity[order][starts]
        role_bits = np.bitwise_or.reduceat(np.left_shift(1, role[order]), starts) if len(starts) else starts
        weight = _idf(np.bincount(entity_of, minlength=count), self.n)
        self.entity = _padded(mention_of, self.n, -1, entity_of)
        self.entity_roles = _padded(mention_of, self.n, 0, role_bits)
        self.entity_weight = _padded(mention_of, self.n, 0.0, weight[entity_of])
        self.entity_of, self.mention_of = entity_of, mention_of
        # named parties in key roles, by slot (role, kind, script): two different ones in a slot
        # conflict; a party named in both scripts (张勇, "Zhang Yong") takes a slot in each
        key_role = np.isin(role, [ROLE_CODES[r] for r in KEY_ROLES])
        slot = role * SLOT_KINDS + np.where(np.isin(role, [ROLE_CODES[r] for r in ANY_KIND_ROLES]), 0, kind[entity])
        slot_keys = np.concatenate([
            ((rows * len(ROLE_CODES) * SLOT_KINDS + slot + offset) * count + entity)[key_role & in_script[entity]]
            for offset, in_script in ((0, latin), (len(KIND_CODES), chinese))
        ])  # fmt: skip
        slot_keys = _distinct(slot_keys)
        slot_rows, slots = slot_keys // (len(ROLE_CODES) * SLOT_KINDS * count), slot_keys // count
        # a mention is compared on MAX_WIDTH of its parties: one of each slot first, so that 20
        # plaintiffs do not crowd out the defendant
        if len(slot_rows) and np.bincount(slot_rows).max() > MAX_WIDTH:
            order = np.lexsort((slot_keys, _position_in_row(slots), slot_rows))
            slot_keys, slot_rows, slots = slot_keys[order], slot_rows[order], slots[order]
        self.slot = _padded(slot_rows, self.n, -1, slots % (len(ROLE_CODES) * SLOT_KINDS))
        self.slot_entity = _padded(slot_rows, self.n, -1, slot_keys % count)
        versions = Codes[str]()
        version = np.array([versions(v) if (v := version_number(e.name)) else -1 for e in entities] + [-1])
        self.slot_version = version[self.slot_entity]  # -1 (no entity) picks the last: none
        self.product_words = {code: tuple(name_key(e.name).split()) for code, e in enumerate(entities)
                              if e.kind == EntityKind.PRODUCT}  # fmt: skip
        self.party_person = np.array([e.kind == EntityKind.PERSON for e in entities] + [False])
        self.party_keys = np.array(
            [name_key(e.name, e.kind == EntityKind.PERSON) for e in entities] + [""], dtype=object
        )
        self.has_chinese = np.array([bool(forms) for forms in self.chinese_forms] + [False])
        self.party_ascii = np.array([key.isascii() for key in self.party_keys])  # folded Latin script
        self.party_letters = np.array([key.replace(" ", "") for key in self.party_keys], dtype=object)
        self.party_initials = np.array([initials(key) for key in self.party_keys], dtype=object)  # (n, 2)
        words = Codes[str]()
        party_words = [words.many(key.split()[:MAX_WIDTH]) for key in self.party_keys]
        self.party_words = np.full((len(party_words), max(map(len, party_words))), -1, dtype=np.int64)
        for code, row in enumerate(party_words):
            self.party_words[code, : len(row)] = row

    def _amounts(self, columns: Columns) -> None:
        rows = columns.amounts.rows()
        self.amount = _padded(rows, self.n, np.nan, columns.amounts.column(0).astype(np.float64))
        self.currency = _padded(rows, self.n, -1, columns.amounts.column(1).astype(np.int64))
        self.approximate = _padded(rows, self.n, False, columns.amounts.column(2).astype(bool))

    def _words(self, columns: Columns) -> None:
        vocabulary = len(columns.words.values)
        summary_rows, summary_cols = columns.summary_words.rows(), columns.summary_words.column(0).astype(np.int64)
        detail_rows, detail_cols = columns.detail_words.rows(), columns.detail_words.column(0).astype(np.int64)
        used = _distinct(np.r_[summary_rows, detail_rows] * max(vocabulary, 1) + np.r_[summary_cols, detail_cols])
        self.word_count = np.bincount(used % max(vocabulary, 1), minlength=vocabulary)
        weight = _idf(self.word_count, self.n)
        self.summary = _unit_rows(summary_rows, summary_cols, weight, self.n, vocabulary)
        self.details = _unit_rows(detail_rows, detail_cols, weight, self.n, vocabulary)
        self.has_details = np.bincount(detail_rows, minlength=self.n) > 0
        said_rows, said_cols = columns.said_words.rows(), columns.said_words.column(0).astype(np.int64)
        self.said = sparse.csr_matrix((np.ones(len(said_cols)), (said_rows, said_cols)), shape=(self.n, vocabulary))
        self.has_said = np.bincount(said_rows, minlength=self.n) > 0
        self.summary_rows, self.summary_cols = summary_rows, summary_cols
        self.word_rank = np.empty(vocabulary, dtype=np.int64)
        self.word_rank[np.argsort(np.array(columns.words.values, dtype=object), kind="stable")] = np.arange(vocabulary)


FEATURE_NAMES = tuple(WEIGHTS)
WEIGHT_VECTOR = np.array([WEIGHTS[name] for name in FEATURE_NAMES])


def _row_cosine(matrix: sparse.csr_matrix, left: Array, right: Array) -> Array:
    return np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1)).ravel()


def _any_along(x: Array, axis: int) -> Array:
    """x.any(axis), as a loop over that axis: matching's arrays are a few entities, parties or
    amounts wide, and numpy reduces so short an axis ten to thirty times slower than it combines
    whole slices (an empty axis: all False). A small array (clustering scores a few pairs at a
    time, again and again) is reduced by numpy: the loop's overhead would outweigh it."""
    if x.size <= SMALL_ARRAY:
        return np.asarray(x.any(axis=axis))
    nothing = np.zeros(x.shape[:axis] + x.shape[axis + 1 :], dtype=bool)
    found: Array = functools.reduce(np.logical_or, np.moveaxis(x, axis, 0), nothing)
    return found


def _named_in_latin(entity: Entity) -> bool:
    """Whether the registry places the entity or the sources name it in Latin script (a person
    most sources write 张勇 is "Zhang Yong" too)."""
    names = (entity.name, *entity.aliases)
    return entity.kind != EntityKind.OTHER and (entity.registered or any(looks_named(name) for name in names))


def _chinese_names(entity: Entity) -> tuple[str, ...]:
    """The entity's names in Chinese characters that are names, not descriptions (公司)."""
    person = entity.kind == EntityKind.PERSON
    return tuple(name for name in (entity.name, *entity.aliases) if looks_named_in_chinese(name, person))


def _participants(t: MatchTable, left: Array, right: Array) -> Array:
    """Shared entities' weight over both sides' weight; an entity shared in another role counts 0.6."""
    a, b = t.entity[left], t.entity[right]
    same = (a[:, :, None] == b[:, None, :]) & (a[:, :, None] >= 0)
    same_role = same & ((t.entity_roles[left][:, :, None] & t.entity_roles[right][:, None, :]) != 0)
    credit = np.where(_any_along(same_role, 2), 1.0, 0.6) * _any_along(same, 2)
    weight = t.entity_weight[left]
    mass = weight.sum(axis=1) + t.entity_weight[right].sum(axis=1)
    return np.where(mass > 0, 2 * (credit * weight).sum(axis=1) / np.where(mass > 0, mass, 1), 0.0)


def _participant_conflicts(t: MatchTable, left: Array, right: Array) -> tuple[Array, Array, Array, Array]:
    """Both name parties in one key role and kind (any kind for ANY_KIND_ROLES), and each names
    one the other does not: {Wong, Laforte} and {Wong} agree, {Stability, Intel} and {Stability,
    AWS} do not. Second: whether two such products are two products: their names carry different
    version numbers (a release of Llama 2 is not one of Llama 3), or, in a release, do not carry
    the same one and neither is a part of the other (a release of Stable Video Diffusion is not
    one of Stable Audio 2; "Llama 3" and "Meta Llama 3 8B" may well be one, as may "Stable
    Diffusion XL" and "Stable Diffusion XL 1.0"), or carry the same one in the names of two models
    of one line (`_two_models`: Claude 3 Opus, Claude 3 Haiku). Third: whether the events are about two
    different parties (ABOUT_ROLES: Zhang Yong stepping down as chairman of Alibaba is not Joe
    Tsai; Perplexity's round is not Poolside's). Fourth: whether a resignation or an appointment
    happens at two different organizations (the CFO of Mistral AI is not the CFO of Hugging
    Face), or a lawsuit is brought by two different plaintiffs (an artist's suit against
    Stability AI is not Getty Images'). Parties each named by the other mention in another role
    (roles swapped) never clash; names that may be one party's (`_may_be_one`) count for none of
    these but the second, and two people sharing a word are not surely two for the third."""
    slot_a, slot_b = t.slot[left], t.slot[right]
    party_a, party_b = t.slot_entity[left], t.slot_entity[right]
    same_slot = (slot_a[:, :, None] == slot_b[:, None, :]) & (slot_a[:, :, None] >= 0)
    same_party = same_slot & (party_a[:, :, None] == party_b[:, None, :])
    lonely_a = np.where(_any_along(same_slot, 2) & ~_any_along(same_party, 2), slot_a, -1)
    lonely_b = np.where(_any_along(same_slot, 1) & ~_any_along(same_party, 1), slot_b, -1)
    clashes = (lonely_a[:, :, None] == lonely_b[:, None, :]) & (lonely_a[:, :, None] >= 0)
    clashed = np.flatnonzero(_any_along(_any_along(clashes, 2), 1))  # the other pairs name no party against
    # a party the other mention names in another role is no other party: roles swapped (who
    # invested in whom, which of two partners is the subject) are one event told two ways
    named_by_b = _any_along(party_a[clashed][:, :, None] == t.entity[right[clashed]][:, None, :], 2)
    named_by_a = _any_along(party_b[clashed][:, :, None] == t.entity[left[clashed]][:, None, :], 2)
    clashes[clashed] &= ~(named_by_b[:, :, None] & named_by_a[:, None, :])  # each named by the other: swapped
    role = lonely_a // SLOT_KINDS
    family = t.family[left]
    alike, kin = _may_be_one(t, party_a[clashed], party_b[clashed], clashes[clashed])
    surely = clashes.copy()
    surely[clashed] &= ~alike  # names that may be one party's are no evidence of two
    clashing = _any_along(surely, 2)  # each of a's parties: does b name another in its slot?
    conflict = _any_along(clashing, 1)
    people = family == FAMILY_CODES["people"]
    employers_differ = _any_along(clashing & (role == ROLE_CODES[Role.ORGANIZATION]), 1)
    plaintiffs_differ = _any_along(clashing & (role == ROLE_CODES[Role.PLAINTIFF]), 1)
    parties_differ: Array = (employers_differ & people) | (plaintiffs_differ & (family == FAMILY_CODES["conflict"]))
    about = ABOUT[family[clashed, None], np.maximum(role[clashed], 0)][:, :, None]
    other_protagonist = np.zeros(len(left), dtype=bool)
    other_protagonist[clashed] = np.any(surely[clashed] & about & ~kin, axis=(1, 2))
    products_differ = np.zeros(len(left), dtype=bool)  # from every clash: names alike may be two versions
    products = np.flatnonzero(_any_along(_any_along(clashes, 2) & (role == ROLE_CODES[Role.PRODUCT]), 1))  # few
    version_a, version_b = t.slot_version[left[products]][:, :, None], t.slot_version[right[products]][:, None, :]
    numbered = (version_a >= 0) & (version_b >= 0)
    release = (family[products] == FAMILY_CODES["release"])[:, None, None]
    in_product_role = (role[products] == ROLE_CODES[Role.PRODUCT])[:, :, None]
    other_release = clashes[products] & in_product_role & release & ~(numbered & (version_a == version_b))
    entity_a, entity_b = t.slot_entity[left[products]], t.slot_entity[right[products]]
    for pair, i, j in np.argwhere(other_release & ~numbered).tolist():  # a name without a number: a family?
        other_release[pair, i, j] = not _nested(t, entity_a[pair, i], entity_b[pair, j])
    one_number = clashes[products] & in_product_role & release & numbered & (version_a == version_b)
    for pair, i, j in np.argwhere(one_number).tolist():  # one number in two names: two models of one line?
        other_release[pair, i, j] = _two_models(t, entity_a[pair, i], entity_b[pair, j])
    other = (numbered & (version_a != version_b)) | other_release
    products_differ[products] = np.any(clashes[products] & other & in_product_role, axis=(1, 2))
    return conflict, products_differ, other_protagonist, parties_differ


def _may_be_one(t: MatchTable, party_a: Array, party_b: Array, clashes: Array) -> tuple[Array, Array]:
    """For each clashing pairing of two parties (`clashes`: slot against slot, of the pairs'
    parties by slot `party_a` and `party_b`), whether their names may still be one party's,
    which entity resolution kept apart: two people's names that look alike and share no word
    (rapidfuzz: another language's transliteration, "Yevgeny Prigozhin" and « Evgueni
    Prigojine »; typing errors in every word, "Viusa Rausor" and "Viusam Rauor"); an
    organization's or product's words all within the other's ("Activision", "Activision
    Blizzard"; not "Mistral AI" and "Stability AI"), or the other's acronym ("FTC", "Federal
    Trade Commission"); names in Chinese characters the same in pinyin, or, for organizations,
    one within the other (梁文锋, 梁文峰; 百度, 百度公司). Organizations' names that merely look
    alike are not (Cohere, Coherent; Groq, Grok). Second, whether two people's names share a
    word: another form of one name ("Joe Tsai", "Joseph Tsai"; "Zhang Yong", "Daniel Zhang") as
    often as two people of one family or one first name. Each pairing of two parties is compared
    once, all at once: words by their codes, likeness by rapidfuzz."""
    pair, i, j = np.nonzero(clashes)
    maybe, kin = np.zeros(clashes.shape, dtype=bool), np.zeros(clashes.shape, dtype=bool)
    if not len(pair):
        return maybe, kin
    codes = party_a[pair, i] * len(t.party_keys) + party_b[pair, j]
    distinct, where = np.unique(codes, return_inverse=True)
    entity_a, entity_b = distinct // len(t.party_keys), distinct % len(t.party_keys)
    words_a, words_b = t.party_words[entity_a][:, :, None], t.party_words[entity_b][:, None, :]
    found_a, found_b = words_a == words_b, words_b >= 0
    share_a_word = _any_along(_any_along(found_a & (words_a >= 0), 2), 1)
    a_within_b = np.all(_any_along(found_a, 2) | (words_a[:, :, 0] < 0), axis=1)
    b_within_a = np.all(_any_along(found_a, 1) | ~found_b[:, 0, :], axis=1)
    person = t.party_person[entity_a] & t.party_person[entity_b]
    alike = ~person & (a_within_b | b_within_a)
    latin = t.party_ascii[entity_a] & t.party_ascii[entity_b]  # names in Chinese characters: below
    people = np.flatnonzero(person & ~share_a_word & latin)
    keys_a, keys_b = t.party_keys[entity_a[people]], t.party_keys[entity_b[people]]
    alike[people] = process.cpdist(keys_a, keys_b, scorer=fuzz.ratio) >= NAME_SIMILARITY
    others = np.flatnonzero(~alike & ~person)
    letters_a, letters_b = t.party_letters[entity_a[others]], t.party_letters[entity_b[others]]
    initials_a, initials_b = t.party_initials[entity_a[others]], t.party_initials[entity_b[others]]
    alike[others] = (
        (letters_a == initials_b[:, 0])
        | (letters_a == initials_b[:, 1])
        | ((letters_b == initials_a[:, 0]) | (letters_b == initials_a[:, 1]))
    )  # an acronym: "FTC", "Federal Trade Commission"; "DOJ", "Department of Justice"
    for k in np.flatnonzero(~alike & t.has_chinese[entity_a] & t.has_chinese[entity_b]).tolist():  # few
        alike[k] = _one_in_chinese(t.chinese_forms[entity_a[k]], t.chinese_forms[entity_b[k]], bool(person[k]))
    maybe[pair, i, j], kin[pair, i, j] = alike[where], (person & share_a_word)[where]
    return maybe, kin


def initials(key: str) -> tuple[str, str]:
    """A name's initials, with and without its small words ("Department of Justice": doj, dj);
    none for a name of one word, whose initial is no acronym."""
    words = key.split()
    if len(words) < 2:
        return "\0", "\0"
    return "".join(w[0] for w in words), "".join(w[0] for w in words if w not in SMALL_WORDS)


def _one_in_chinese(names_a: tuple[str, ...], names_b: tuple[str, ...], person: bool) -> bool:
    """Whether two parties' names in Chinese characters may be one party's: the same in pinyin
    (梁文锋, 梁文峰: a slip of the input method); for people, as many characters alike in pinyin
    (穆拉蒂, 穆拉提: Murati transliterated twice; not 张一鸣 and 张一山, nor 刘强 and 刘强东); for
    organizations, one within the other (百度, 百度公司; 恒大, 中国恒大)."""
    return any(_one_name_in_chinese(a, b, person) for a in names_a for b in names_b)


def _one_name_in_chinese(a: str, b: str, person: bool) -> bool:
    if pinyin_of(a) == pinyin_of(b):
        return True
    if person:
        return len(a) == len(b) and fuzz.ratio(pinyin_of(a), pinyin_of(b)) >= CHINESE_NAME_SIMILARITY
    return a in b or b in a


def _nested(t: MatchTable, a: int, b: int) -> bool:
    """Whether one product's name is the other's with a version after it: "Stable Diffusion XL"
    of "Stable Diffusion XL 1.0", a family of one of its versions; not "Stable Diffusion" of
    "Stable Video Diffusion", nor "Llama" of "Code Llama", nor "GPT" of "GPT Store"."""
    short, long = sorted((t.product_words.get(a, ()), t.product_words.get(b, ())), key=len)
    after = long[len(short) :]
    return bool(short) and long[: len(short)] == short and all(_version_like(w) for w in after)


def _two_models(t: MatchTable, a: int, b: int) -> bool:
    """Whether two products' names carrying one version number name two models of one line: each
    has a word after the number the other lacks, no size, variant or word any line uses ("Claude
    3 Opus" and "Claude 3 Haiku"; not "Meta Llama 3" and "Llama 3 Models", "Llama 3 8B" and "Llama
    3 70B", "Gemini 1.5" and "Gemini 1.5 Pro", "Samsung Galaxy S24" and "Galaxy S24 Series")."""
    model_a, model_b = _model_words(t, a), _model_words(t, b)
    return bool(model_a) and bool(model_b) and not model_a & model_b


def _model_words(t: MatchTable, code: int) -> frozenset[str]:
    words = t.product_words.get(code, ())
    number = next((k for k, word in enumerate(words) if any(c.isdigit() for c in word)), len(words))
    return frozenset(w for w in words[number + 1 :] if not _version_like(w) and w not in LINE_WORDS)


def _version_like(word: str) -> bool:
    return any(c.isdigit() for c in word) or word in VARIANT_WORDS


# a lone letter before the number (not v, "version"), stuck or not, and one after it (not a plural s: "H100s")
_VERSION = re.compile(r"(?:\b[a-uw-z][\s-]?(?=\d))?\d+(?:\.\d+)*(?:[a-rt-z](?![a-z]))?", re.I)
_SEPARATOR = re.compile(r"[\s-]")


def version_number(name: str) -> str | None:
    """The first number in a product's name, with the letters stuck to it, its version: "Llama 3
    8B" → 3, "SD3.5" → 3.5, "GPT-4o" → 4o (not GPT-4's), "H100" → h100 (not the A100's), as are
    "H-100" and "H 100", "DALL-E 3" → e3 as "DALL-E3"; not a v, "Stable Diffusion v1.5" being its
    1.5, nor the letters of a word ("Llama3" → 3), nor an s after it, which is a plural more
    often than a model ("H100s" → h100, and so "iPhone 6s" → 6)."""
    found = _VERSION.search(name)
    return _SEPARATOR.sub("", found.group()).casefold() if found else None


def within_tolerance(a: Array | float, b: Array | float, approximate: Array | bool) -> Array:
    """Two values that are one amount: within AMOUNT_TOLERANCE of each other, APPROXIMATE_TOLERANCE
    when either is approximate (numbers or arrays of them)."""
    tolerance = np.where(approximate, APPROXIMATE_TOLERANCE, AMOUNT_TOLERANCE)
    return np.abs(np.subtract(a, b)) <= tolerance * np.maximum(np.abs(a), np.abs(b))


def _amounts(t: MatchTable, left: Array, right: Array) -> tuple[Array, Array]:
    """The share of the side with fewer amounts that the other side agrees with (within tolerance,
    same currency or none); and whether they only disagree, in a currency both use."""
    value_a, value_b = t.amount[left][:, :, None], t.amount[right][:, None, :]
    currency_a, currency_b = t.currency[left][:, :, None], t.currency[right][:, None, :]
    valid = (currency_a >= 0) & (currency_b >= 0)
    with np.errstate(invalid="ignore"):
        close = within_tolerance(value_a, value_b, t.approximate[left][:, :, None] | t.approximate[right][:, None, :])
    agree = valid & close & ((currency_a == currency_b) | (currency_a == 0) | (currency_b == 0))
    count_a, count_b = (t.currency[left] >= 0).sum(axis=1), (t.currency[right] >= 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_a, share_b = _any_along(agree, 2).sum(axis=1) / count_a, _any_along(agree, 1).sum(axis=1) / count_b
    both = (count_a > 0) & (count_b > 0)
    share = np.where(count_a < count_b, share_a, np.where(count_b < count_a, share_b, np.minimum(share_a, share_b)))
    share = np.where(both, share, 0.0)
    same_currency = _any_along(_any_along(valid & (currency_a == currency_b), 2), 1)
    return share, both & (share == 0) & same_currency


def feature_values(t: MatchTable, left: Array, right: Array) -> Array:
    """The evidence about each pair, one column per name in FEATURE_NAMES, each in [0, 1]."""
    values = np.zeros((len(left), len(FEATURE_NAMES)))
    column = {name: n for n, name in enumerate(FEATURE_NAMES)}
    details = _row_cosine(t.details, left, right)
    details_differ = t.has_details[left] & t.has_details[right] & (details == 0)
    one_type = t.type[left] == t.type[right]
    if t.kindred_types.any():
        one_type |= t.kindred_types[t.type[left], t.type[right]]
    # "other" events whose English labels (and what their amounts measure) share no word are two
    # kinds of event ("stock split", "dividend increase"): not of one type, beside the details
    # that differ (a label in Chinese characters says nothing here)
    same_type = one_type & ~(t.labelled[left] & details_differ)
    values[:, column["same_type"]] = same_type
    values[:, column["same_family"]] = ~one_type
    detail_a, detail_b = t.detail[left], t.detail[right]
    detail_differs = (detail_a >= 0) & (detail_b >= 0) & (detail_a != detail_b)
    values[:, column["detail_differs"]] = detail_differs
    values[:, column["participants"]] = _participants(t, left, right)
    party_conflict, other_product, other_protagonist, other_party = _participant_conflicts(t, left, right)
    values[:, column["participant_conflict"]] = party_conflict
    values[:, column["other_product"]] = other_product
    values[:, column["other_protagonist"]] = other_protagonist
    values[:, column["other_party"]] = other_party
    start_a, end_a, start_b, end_b = t.start[left], t.end[left], t.start[right], t.end[right]
    dated = (start_a >= 0) & (start_b >= 0)
    same_days = dated & (start_a == start_b) & (end_a == end_b)
    overlap = dated & (start_a <= end_b) & (start_b <= end_a)
    values[:, column["same_date"]] = same_days
    values[:, column["nested_date"]] = overlap & ~same_days
    match, mismatch = _amounts(t, left, right)
    # two days that follow each other in two articles, all else agreeing: maybe one day in two time
    # zones (an evening in New York is the next morning in Beijing); in one article, two days
    next_day = (start_a == end_a) & (start_b == end_b) & (np.abs(start_a - start_b) == 1)  # undated: -1
    agreeing = same_type & ~detail_differs & ~party_conflict & ~mismatch
    time_zones = next_day & (t.doc[left] != t.doc[right]) & agreeing
    values[:, column["disjoint_date"]] = dated & ~overlap & ~time_zones
    values[:, column["next_day_elsewhere"]] = time_zones
    values[:, column["amount_match"]] = match
    values[:, column["amount_mismatch"]] = mismatch
    values[:, column["other_figure"]] = mismatch & t.figure[left] & t.figure[right]
    values[:, column["summary"]] = _row_cosine(t.summary, left, right)
    # one speaker says many things on one day: two statements or predictions whose summaries share
    # no word of what was said (Huang on Blackwell's shipping date, and on humanoid robots)
    said = np.flatnonzero(t.has_said[left] & t.has_said[right])
    values[said, column["other_thing_said"]] = _row_cosine(t.said, left[said], right[said]) == 0
    values[:, column["details_text"]] = details
    values[:, column["details_differ"]] = details_differ
    return values


def scores(t: MatchTable, left: Array, right: Array, workers: int = 1) -> Array:
    """How strongly each pair of mentions looks like one event; -inf when it cannot be (told in
    one place, types of different families, dated more than a day apart, or one document and
    below SAME_DOCUMENT_THRESHOLD,
    outside RETOLD_FAMILIES or with no named participant in common). Pairs are scored in batches of at
    most PAIR_CHUNK (fewer when the table is wide), in `workers` processes."""
    size = _batch_size(t)
    batches = ordered_map(functools.partial(_batch_scores, t, left, right, size), range(0, len(left), size), workers, 1)
    return np.concatenate([np.empty(0), *batches])


def _batch_size(t: MatchTable) -> int:
    width = int(max(t.entity.shape[1], t.slot.shape[1], t.amount.shape[1]))
    return max(1, min(PAIR_CHUNK, PAIR_CELLS // (width * width)))


AGAINST = np.array([WEIGHTS[name] < 0 for name in FEATURE_NAMES])  # the features that count against


def contradicted(t: MatchTable, left: Array, right: Array) -> Array:
    """Whether each pair has evidence against it: a type, detail, party, date or amount that disagrees."""
    against: Array = (feature_values(t, left, right)[:, AGAINST] > 0).sum(axis=1) > 0
    return against


def _share_named(t: MatchTable, a: Array, b: Array) -> Array:
    """Whether each pair names one named entity ("Emad Mostaque", not "the board") in common."""
    named_a = np.where(t.entity_named[t.entity[a]], t.entity[a], -1)
    shared = _any_along(_any_along((named_a[:, :, None] == t.entity[b][:, None, :]) & (named_a[:, :, None] >= 0), 2), 1)
    return shared


def _batch_scores(t: MatchTable, left: Array, right: Array, size: int, begin: int) -> Array:
    a, b = left[begin : begin + size], right[begin : begin + size]
    total = np.round(feature_values(t, a, b) @ WEIGHT_VECTOR, 9)
    possible = t.origins.apart(a, b) & (t.family[a] == t.family[b]) & _near_in_time(t, a, b)
    one_document = np.flatnonzero(possible & (t.doc[a] == t.doc[b]))  # few pairs: an article's other chunks
    retold = np.isin(t.family[a[one_document]], RETOLD_FAMILY_CODES)
    retold &= total[one_document] >= SAME_DOCUMENT_THRESHOLD
    retold &= _share_named(t, a[one_document], b[one_document])  # a retelling names someone it is about again
    possible[one_document] = retold
    result: Array = np.where(possible, total, -np.inf)
    return result


def _near_in_time(t: MatchTable, a: Array, b: Array) -> Array:
    """Whether each pair's dates leave it possible: either undated, or days that overlap or
    follow each other (two days apart or more is two events, MAX_DAYS_APART)."""
    start_a, end_a, start_b, end_b = t.start[a], t.end[a], t.start[b], t.end[b]
    near: Array = (
        (start_a < 0) | (start_b < 0) | ((start_a - MAX_DAYS_APART <= end_b) & (start_b - MAX_DAYS_APART <= end_a))
    )
    return near


def _block_entries(t: MatchTable) -> tuple[Array, Array]:
    """(block key, mention) for every block a mention belongs to: each canonical entity it
    names, or its year when it names none; its BLOCK_WORDS rarest summary words that another
    mention also uses; each amount's value bucket (values within tolerance share a bucket or
    neighbour ones, so both are keys)."""
    keys, members = [], []

    def add(tag: int, mentions: Array, values: Array) -> None:
        keys.append(((t.family[mentions] * 4 + tag) << 40) + values + (1 << 30))
        members.append(mentions)

    add(0, t.mention_of, t.entity_of)
    alone = np.flatnonzero(t.entity[:, 0] < 0)
    dated = t.start[alone] >= 0
    years = np.zeros(len(alone), dtype=np.int64)
    years[dated] = np.array([dates.ordinal_year(int(o)) for o in t.start[alone][dated]], dtype=np.int64)
    add(1, alone, years)
    count = t.word_count[t.summary_cols]
    shared = count >= 2
    rows, cols = t.summary_rows[shared], t.summary_cols[shared]
    order = np.lexsort((t.word_rank[cols], count[shared], rows))
    rarest = _position_in_row(rows[order]) < BLOCK_WORDS
    add(2, rows[order][rarest], cols[order][rarest])
    amount_rows, amount_slots = np.nonzero(t.amount > 0)
    buckets = np.floor(np.log(t.amount[amount_rows, amount_slots]) / math.log(1 + 2 * APPROXIMATE_TOLERANCE))
    buckets = buckets.astype(np.int64)
    add(3, *_distinct_pairs(np.r_[amount_rows, amount_rows], np.r_[buckets, buckets + 1]))  # a mention once a block
    return np.concatenate(keys), np.concatenate(members)


def _distinct_pairs(a: Array, b: Array) -> tuple[Array, Array]:
    """The distinct pairs (a[k], b[k])."""
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    new = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])][: len(a)]
    return a[new], b[new]


def _purge_common(keys: Array, members: Array) -> tuple[Array, Array]:
    """Without the word and amount blocks of more than MAX_WORD_BLOCK mentions: a word or a value
    that common says little about which event it is (entity blocks stay, windowed by date)."""
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    tag = (unique >> 40) % 4
    keep = ((tag < 2) | (counts <= MAX_WORD_BLOCK))[inverse]
    return keys[keep], members[keep]


def candidate_pairs(t: MatchTable) -> tuple[Array, Array]:
    """Pairs (left < right) of mentions told apart (Origins.apart) that share a block and may be
    one event by their dates (_near_in_time), each once. A block of more than MAX_BLOCK mentions
    is sorted by date and each mention paired with its WINDOW next neighbours only.

    Leaving out the pairs dated apart leaves most pairs of a large input unscored (1M
    synthetic mentions: 23.5M pairs sharing a block, 1.4M of them near in time)."""
    keys, members = _block_entries(t)
    keys, members = _purge_common(keys, members)
    start = np.where(t.start >= 0, t.start, NO_DAY)[members]
    end = np.where(t.end >= 0, t.end, NO_DAY)[members]
    order = np.lexsort((t.id_rank[members], end, start, keys))
    keys, members = keys[order], members[order]
    starts = _first_of_runs(keys)
    sizes = np.diff(np.r_[starts, len(keys)])
    small = np.repeat(sizes <= MAX_BLOCK, sizes)
    lefts, rights = [], []
    for distance in range(1, MAX_BLOCK):
        if distance == WINDOW + 1:
            keys, members = keys[small], members[small]
        same = np.flatnonzero(keys[:-distance] == keys[distance:])
        if not len(same):
            break
        left, right = members[same], members[same + distance]
        near = _near_in_time(t, left, right)
        lefts.append(left[near])
        rights.append(right[near])
    left, right = np.concatenate(lefts or [members[:0]]), np.concatenate(rights or [members[:0]])
    apart = t.origins.apart(left, right)
    low, high = np.minimum(left, right)[apart], np.maximum(left, right)[apart]
    pairs = _distinct(low * t.n + high)
    return pairs // t.n, pairs % t.n
