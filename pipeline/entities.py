"""Entities: one canonical record per real person, organization or product, with every name the
sources gave it, so that "Mostaqu", "Mostaque" and "Emad Mostaque", or 彭博社 and "Bloomberg",
compare equal across languages.

How a participant is resolved, in order:
1. its `canonical_name`, else its name as written, is looked up in the curated alias registry
   (pipeline/data/entities.toml, plus the user's own file);
2. names that are the same letters spaced otherwise ("X.AI", "xAI") are one; names with the
   same words but one, that one a typing error away (a letter wrong, missing or
   extra; two neighbours swapped in words of 9 letters or more; never a digit: "Llama2" is not
   "Llama3"; never a first name's final vowel: Louis is not Louise), are the same entity
   ("Chtistian Laforte" = "Christian Laforte"), each variant
   joining the spelling most documents use (no chains); a lone surname the registry does not
   place joins the one full name it ends in, first within its document, then in the whole
   input, and joins nothing when two people share it or its document names someone whose name
   starts with it (family name first: "Ma" beside "Ma Huateng");
3. a name written without a canonical name that the sources only ever gave one canonical name
   for ("HuggingFace" → "Hugging Face") is an alias of that entity; descriptions such as
   « l'entreprise » that several entities were called never become aliases;
4. a name in Chinese characters still alone joins the one Latin-script name spelling its pinyin
   (雷军 = "Lei Jun"), with pypinyin for the readings.

Hand-written: record-linkage libraries (Splink, dedupe) link rows of tables with trained
weights; what is needed here is a few deterministic naming rules over at most millions of names,
with rapidfuzz for the edit distances.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import Field, ValidationError
from rapidfuzz.distance import Levenshtein

from pipeline.events import EntityKind, Participant, Record, first_error
from pipeline.ids import content_id

DEFAULT_REGISTRY = Path(__file__).resolve().parent / "data" / "entities.toml"
CHINESE_DESCRIPTIONS = Path(__file__).resolve().parent / "data" / "zh_descriptions.toml"
POSITIONS = Path(__file__).resolve().parent / "data" / "positions.toml"
_LEGAL_SUFFIXES = {"inc", "ltd", "llc", "corp", "corporation", "co", "plc", "sa", "sas", "gmbh", "ag", "limited"}
_ARTICLES = {"the", "le", "la", "les"}
# A title before a person's name ("Mr.", « Mme », "Dr" or "Prof" with or without a period; « M. »
# with one: "M Altman" may be an initial) or a Chinese one after it (先生, 女士).
_TITLE_BEFORE = re.compile(r"\s*(?:(?:mr|mrs|ms|mme|mlle|sir|dr|prof)\b\.?|m\.)\s*(?=\w)")
_TITLES_AFTER = ("先生", "女士")
_VERSION_AFTER_LETTERS = re.compile(r"(?<=[a-z])(?=\d)")
_ELIDED_ARTICLE = re.compile(r"^l['’]\s*")  # « l'Entreprise »; "L Brands" keeps its L
# Letters that carry no combining mark to drop (ø, ł...), and invisible characters that stand
# between words ("Emad\u200bMostaque").
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
    | dict.fromkeys(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"], " ")
)
MAX_FUZZY_WORD = 40  # longer words are matched exactly: their one-letter deletions would fill memory
_PUNCTUATION = re.compile(r"[\s\-_.,;:'’\"“”«»()《》「」·・/&]+")
_LATIN = re.compile(r"^[a-z0-9 ]+$")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Chinese characters
_CHINESE_NAME = re.compile(rf"[{_HAN}]+(?:[·・‧•][{_HAN}]+)*")  # 阿里巴巴, 埃马德·莫斯塔克
MAX_FUZZY_BLOCK = 200  # names sharing a block key beyond this are compared with their neighbours only


class RegistryEntry(Record):
    id: str
    name: str
    kind: EntityKind
    aliases: list[str]


class RegistryFile(Record):
    version: str
    entity: list[RegistryEntry]


class RegistryError(Exception):
    """An alias registry that cannot be read; the message names the file."""


class Entity(Record):
    """A real-world entity as the fact base names it."""

    id: str
    name: str
    kind: EntityKind
    aliases: list[str]
    registered: bool = Field(description="Whether the curated alias registry lists it.")


@functools.lru_cache(maxsize=1 << 20)
def name_key(name: str, person: bool = False) -> str:
    """A name folded for comparison: width, case, accents, punctuation, articles and legal
    suffixes do not matter ("Stability.ai" = "stability ai", « l'Entreprise » = "entreprise"; a
    person's name keeps them: "Les Moonves", "Li Sa"), nor
    a person's title ("Mr. Mostaque" = « M. Mostaque » = 莫斯塔克先生 without 先生 = "Mostaque"; a
    company keeps it: "Dr. Martens", "Mr. Cooper Group")."""
    if name.isascii():  # what the Unicode folding below leaves of ASCII, at a fraction of the cost
        folded = name.lower()
    else:
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
        folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(_UNDECOMPOSED)
    folded = _without_title(folded) if person else folded
    tokens = [t for t in _PUNCTUATION.split(_ELIDED_ARTICLE.sub("", folded)) if t]
    while len(tokens) > 1 and tokens[0] in _ARTICLES and not person:  # "Les Moonves", "Le Yucheng"
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _LEGAL_SUFFIXES and not person:  # "Li Sa"
        tokens = tokens[:-1]
    joined = _VERSION_AFTER_LETTERS.sub(" ", " ".join(tokens))  # "Llama3" = "Llama 3", "GPT4o" = "GPT-4o"
    return joined or folded.strip() or name  # punctuation only is itself: 《》 is not «»


def _without_title(folded: str) -> str:
    """The name without a title before it, or a Chinese one after a name (莫斯塔克先生); a surname
    keeps its title, which tells Mr from Ms Zhang (张先生, 张女士; 欧阳先生, 欧阳女士)."""
    title = _TITLE_BEFORE.match(folded)
    name = (folded[title.end() :] if title else folded).rstrip()
    return name[:-2] if name.endswith(_TITLES_AFTER) and not _surname(name[:-2].rstrip()) else name


def _surname(name: str) -> bool:
    """Whether a name is a surname alone in Chinese characters: one character, or a compound
    surname (欧阳)."""
    return bool(_CHINESE_NAME.fullmatch(name)) and (len(name) == 1 or name in chinese_descriptions().compound_surnames)


def load_registry(paths: Iterable[Path] = (DEFAULT_REGISTRY,)) -> list[RegistryEntry]:
    """Registry entries from each file in turn; a later entry replaces an earlier one by id."""
    entries: dict[str, RegistryEntry] = {}
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            parsed = RegistryFile.model_validate(data)
        except OSError as exc:
            raise RegistryError(f"{path}: cannot read the entity registry ({exc.strerror})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{path}: not valid TOML ({exc})") from exc
        except ValidationError as exc:
            raise RegistryError(f"{path}: not an entity registry: {first_error(exc)}") from exc
        entries.update((entry.id, entry) for entry in parsed.entity)
    return [entries[key] for key in sorted(entries)]


class Sighting(NamedTuple):
    """A participant's name as the sources write it (a tuple: cheap to hash, store and send
    between processes). Which entity it is does not depend on the document that writes it."""

    name: str
    canonical_name: str | None
    kind: EntityKind


@dataclass(frozen=True)
class Sightings:
    """What entity resolution reads: each distinct name once, how many documents write it, and,
    asked only for the few names that need it (lone surnames and the full names they may
    belong to), which documents. A million mentions write a few hundred thousand names."""

    names: list[Sighting]
    doc_counts: list[int]
    documents: Callable[[list[int]], list[set[int]]]  # the documents of names[k], for each k asked

    @classmethod
    def of(cls, written: Iterable[tuple[str, Sighting]]) -> Sightings:
        """From (document, name) pairs held in memory."""
        docs: dict[Sighting, set[str]] = defaultdict(set)
        for doc_id, sighting in written:
            docs[sighting].add(doc_id)
        names = list(docs)
        code = {doc_id: n for n, doc_id in enumerate(sorted(set().union(*docs.values())))}
        return cls(names, [len(docs[s]) for s in names], lambda ks: [{code[d] for d in docs[names[k]]} for k in ks])


class _Components:
    """Union-find over name keys; the smallest key of a component is its root, so the result
    does not depend on the order of the unions."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def find(self, key: str) -> str:
        if key not in self.parent:
            self.parent[key], self.size[key] = key, 1
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = min(ra, rb), max(ra, rb)
            self.parent[high] = low
            self.size[low] += self.size.pop(high)

    def alone(self, key: str) -> bool:
        """Whether no other name (nor a registry entry) has joined this one."""
        return self.size[self.find(key)] == 1


@dataclass
class EntityIndex:
    """Every participant's entity, and the entity records."""

    entities: dict[str, Entity] = field(default_factory=dict)
    by_sighting: dict[Sighting, str] = field(default_factory=dict)
    registered_names: dict[str, str] = field(default_factory=dict)  # each registry alias's key: its entry's name

    def entity_id(self, participant: Participant) -> str:
        return self.by_sighting[Sighting(participant.name, participant.canonical_name, participant.kind)]


def _allowed_edits(token: str) -> int:
    """Typing errors a word may carry: none in short words, in words with digits ("Llama2" and
    "Llama3" are two models) or in very long ones."""
    if len(token) < 5 or len(token) > MAX_FUZZY_WORD or any(c.isdigit() for c in token):
        return 0
    return 1 if len(token) < 9 else 2


def _near(a: str, b: str) -> bool:
    """Two tokens within the typing errors their length allows; not two words of five letters a
    letter apart, often two names (Chang and Chung, Huang and Hoang, Friar and Frier: a letter
    missing, "Altmn", is still a typo), nor two words of pinyin however close (Zhilin and Zhiling,
    Xiaoming and Xiaoping)."""
    allowed = min(_allowed_edits(a), _allowed_edits(b))
    if a == b or allowed == 0 or len(a) == len(b) < 6 or (_in_pinyin(a) and _in_pinyin(b)):
        return a == b
    return Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


@functools.lru_cache(maxsize=1 << 16)
def _in_pinyin(word: str) -> bool:
    """Whether the word is a run of pinyin syllables ("jianlin" = jian lin), as a Chinese given
    name or place written in Latin script is."""
    ends = {0}
    for end in range(1, len(word) + 1):
        if any(start in ends and word[start:end] in _pinyin_syllables() for start in range(max(0, end - 6), end)):
            ends.add(end)
    return len(word) in ends


@functools.cache
def _pinyin_syllables() -> frozenset[str]:
    """Every syllable of pypinyin's readings, without tones; not those of a lone consonant (m, ng)."""
    from pypinyin import Style
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    readings = (convert(r, Style.NORMAL, strict=False) for value in pinyin_dict.values() for r in value.split(","))
    return frozenset(r for r in readings if r.isascii() and any(v in r for v in "aeiouv"))


def _same_full_name(a: str, b: str) -> bool:
    """ "Chtistian Laforte" = "Christian Laforte": same number of words, one word identical and
    the others within typing distance. "Robin Rombach" ≠ "Robin Li": a shared word is not enough;
    "Louis Martin" ≠ "Louise Martin": first names differing only in a final vowel are two names."""
    ta, tb = a.split(), b.split()
    if len(ta) != len(tb) or not _LATIN.match(a) or not _LATIN.match(b):
        return False
    pairs = list(zip(ta, tb, strict=True))
    return (
        any(x == y for x, y in pairs)
        and all(_near(x, y) for x, y in pairs)
        and not any(x != y and x.rstrip("aeo") == y.rstrip("aeo") for x, y in pairs[:-1])
    )


def _one_deletion_variants(word: str) -> set[str]:
    """The word and the word less one letter: two words a letter wrong, missing, extra or swapped
    apart share one, so blocking on them finds typing errors without comparing every pair."""
    if _allowed_edits(word) == 0:
        return {word}
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _fuzzy_pairs(keys: list[str]) -> Iterable[tuple[str, str]]:
    """Candidate pairs of multi-word names that may differ by typing errors in one word: blocked on
    the other words, exactly, and on one deletion of the differing word (a word and its one-edit
    variants share a deletion), so the work grows with the number of names, not its square."""
    blocks: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for key in keys:
        tokens = key.split()
        for position, token in enumerate(tokens):
            if _allowed_edits(token) == 0:
                continue
            rest = (*tokens[:position], "", *tokens[position + 1 :])
            for variant in _one_deletion_variants(token):
                blocks[(*rest, variant)].append(key)
    for members in blocks.values():
        if len(members) < 2:
            continue
        members = sorted(set(members))
        window = len(members) if len(members) <= MAX_FUZZY_BLOCK else 20
        for i, a in enumerate(members):
            for b in members[i + 1 : i + 1 + window]:
                yield a, b


def _by_letters(keys: list[str], kind_of: Callable[[str], EntityKind]) -> dict[tuple[str, EntityKind], list[str]]:
    """Names in Latin script by their letters without spaces, and kind: names of one kind that
    are the same letters spaced otherwise ("X.AI" and "xAI", "Hugging Face" and "HuggingFace",
    "Deep Mind" and "DeepMind") are one; a pinyin spelling is looked up there ("leijun"). The
    spaces between two numbers stay: Qwen2.5-7B is not Qwen2-57B."""
    groups: dict[tuple[str, EntityKind], list[str]] = defaultdict(list)
    for key in keys:
        if _LATIN.match(key):
            groups[(_SPACE_OUTSIDE_NUMBERS.sub("", key), kind_of(key))].append(key)
    return groups


_SPACE_OUTSIDE_NUMBERS = re.compile(r"(?<!\d) | (?!\d)")


def _typo_groups(near: set[tuple[str, str]], weight: Callable[[str], int]) -> list[list[str]]:
    """Names grouped around the spelling most documents use: each name joins the heaviest name a
    typing error away (ties by name) when that one is its own heaviest, so "Satya Nadela" and
    "Satya Naddella" both join "Satya Nadella". A group is one spelling and its one-error
    variants, never a chain: its names are at most two errors apart, through that spelling
    ("Anna Larsen" and "Anna Carson" join "Anna Larson" only if it is the usual spelling)."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in near:
        neighbours[a].add(b)
        neighbours[b].add(a)

    def heaviest(key: str) -> str:
        return min([key, *neighbours[key]], key=lambda name: (-weight(name), name))

    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(neighbours):
        hub = heaviest(key)
        groups[hub if heaviest(hub) == hub else key].append(key)
    return list(groups.values())


def resolve_entities(sightings: Sightings, registry: list[RegistryEntry]) -> EntityIndex:
    """Group every participant name into entities (see the module docstring for the rules). A
    name counts once per document that writes it."""
    components = _Components()
    registry_names: dict[str, RegistryEntry] = {}
    for entry in registry:
        node = f"registry:{entry.id}"
        for alias in (entry.name, *entry.aliases):
            components.union(node, name_key(alias))
        registry_names[node] = entry

    seen, counts = sightings.names, sightings.doc_counts  # every step below is order-free or sorts
    keys = [name_key(s.canonical_name or s.name, s.kind == EntityKind.PERSON) for s in seen]  # what each goes by
    kinds: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    for sighting, key, count in zip(seen, keys, counts, strict=True):
        kinds[key][sighting.kind] += count

    usual_kind = {key: max(sorted(counts.items()), key=lambda item: item[1])[0] for key, counts in kinds.items()}
    kind_of = usual_kind.__getitem__

    proper = {key for s, key in zip(seen, keys, strict=True) if looks_proper(s.canonical_name or s.name)}
    primary = sorted(k for k in kinds if k)
    by_letters = _by_letters(primary, kind_of)
    for spaced in by_letters.values():
        for key in spaced[1:]:
            components.union(spaced[0], key)
    multi_word = [k for k in primary if " " in k]
    near = {(a, b) for a, b in _fuzzy_pairs(multi_word) if kind_of(a) == kind_of(b) and _same_full_name(a, b)}
    for spellings in _typo_groups(near, lambda key: kinds[key].total()):
        for key in spellings[1:]:
            components.union(spellings[0], key)
    _attach_surnames(sightings, keys, [k for k in primary if k in proper], kind_of, components)
    _attach_aliases(seen, components)
    placed = {(name_key(s.name), s.kind) for s in seen if s.canonical_name}  # written so, gone by another name
    _attach_transliterations(primary, placed, by_letters, kind_of, components)

    registered = {components.find(node): entry for node, entry in sorted(registry_names.items(), reverse=True)}
    index = EntityIndex(registered_names={name_key(a): e.name for e in registry for a in (e.name, *e.aliases)})
    members: dict[str, list[int]] = defaultdict(list)
    for k, key in enumerate(keys):
        members[components.find(key)].append(k)
    for root in sorted(members):
        group, listed = [seen[k] for k in members[root]], registered.get(root)
        names: Counter[str] = Counter()
        written_kinds: Counter[EntityKind] = Counter()
        for k in members[root]:
            names[seen[k].canonical_name or seen[k].name] += counts[k]
            written_kinds[seen[k].kind] += counts[k]
        name = listed.name if listed else max(sorted(names), key=lambda n: names[n])
        kind = listed.kind if listed else max(sorted(written_kinds.items()), key=lambda i: i[1])[0]
        entity = Entity(
            id=content_id("e", name_key(name), kind.value),
            name=name,
            kind=kind,
            registered=listed is not None,
            aliases=sorted({s.name for s in group} | {s.canonical_name for s in group if s.canonical_name} - {name}),
        )
        index.entities[entity.id] = entity
        index.by_sighting.update(dict.fromkeys(group, entity.id))
    return index


@functools.lru_cache(maxsize=1 << 20)
def looks_proper(name: str) -> bool:
    """A name written like a person's: Latin words each starting with a capital ("Emad Mostaque",
    "Mostaqu"), not a description ("artists", « d'autres artistes »)."""
    words = _PUNCTUATION.split(name.strip())
    return all(w[:1].isupper() and w.isalpha() for w in words if w) and bool(_LATIN.match(name_key(name, True)))


def looks_named(name: str) -> bool:
    """A name, not a description: Latin words each capitalized (first, or after small letters:
    "iPhone", "eBay", "macOS") or starting with a digit, the first capitalized ("Llama 2", "Stable
    Diffusion 3.5", "GPT-4o", "iPhone 15", "Getty Images"; not "artists", « des auteurs », "the
    board"); small words may join capitalized ones ("Bank of America", « Banque de France »,
    "Procter & Gamble", "Ursula von der Leyen") unless what comes before them is a title or starts
    with an article: "The CEO of Hugging Face", "Minister of Industry" and « PDG de Mistral AI »
    describe a person, as "Hugging Face's CEO" does."""
    words = name.split()
    if not words or not _capitalized(words[0]) or not _LATIN.match(name_key(name)):
        return False
    if any(_POSSESSIVE.search(w) and after.casefold() in title_words() for w, after in itertools.pairwise(words)):
        return False  # "Hugging Face's CEO" describes a person; "Moody's Investors Service" is a name
    lower = [k for k, w in enumerate(words) if not (_capitalized(w) or w[:1].isdigit())]
    if not lower:
        return True
    if lower[-1] == len(words) - 1 or any(words[k].casefold() not in _NAME_JOINERS for k in lower):
        return False
    lead = {w.casefold() for w in words[: lower[0]]}
    return words[0].casefold() not in _DETERMINERS and not lead & title_words()


# Small words that may join the capitalized words of a name ("Bank of America", "Procter &
# Gamble", "Ursula von der Leyen"); not "and": "Mistral AI and Microsoft" are two names
_NAME_JOINERS = frozenset({
    "of", "&", "for", "the", "de", "du", "des", "la", "le",
    "von", "van", "der", "den", "da", "di", "del", "dos", "bin",
})  # fmt: skip
_POSSESSIVE = re.compile(r"['’]s$")
_DETERMINERS = frozenset(_ARTICLES | {"a", "an", "un", "une"})  # "The Bank of Japan" is a description


@functools.cache
def _positions() -> dict[str, Any]:
    return tomllib.loads(POSITIONS.read_text(encoding="utf-8"))


@functools.cache
def title_words() -> frozenset[str]:
    """The words that head a description of a person ("CEO", "Minister"; `name_heads` in
    pipeline/data/positions.toml)."""
    return frozenset(_positions()["name_heads"])


@functools.cache
def _titles() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every job title of pipeline/data/positions.toml as one pattern, longest first, Latin-script
    ones as whole words; and each title's group."""
    group_of = {title.casefold(): name for name, titles in _positions()["titles"].items() for title in titles}
    whole_word = r"(?<!\w){}(?!\w)"  # for titles in Latin script: every character before the CJK blocks
    pattern = "|".join(
        (whole_word if max(title) < "\u2e80" else "{}").format(re.escape(title))
        for title in sorted(group_of, key=len, reverse=True)
    )
    return re.compile(pattern), group_of


@functools.lru_cache(maxsize=1 << 16)
def position_words(position: str) -> str:
    """A position with each job title in it, in English, French or Chinese, as one word: "CFO",
    "chief financial officer", « directeur financier » and 首席财务官 are all "cfo" (cached: a
    corpus names a few positions again and again)."""
    pattern, group_of = _titles()
    return pattern.sub(lambda title: f" {group_of[title.group()]} ", position.casefold().replace("’", "'"))


class ChineseDescriptions(Record):
    """The words that make a name in Chinese characters a description (pipeline/data/zh_descriptions.toml)."""

    version: str
    particles: list[str]
    determiners: list[str]
    numerals: str
    measure_words: str
    name_starts: list[str]
    determined: list[str]
    heads: list[str]
    nouns: list[str]
    qualifiers: list[str]
    familiar_prefixes: list[str]
    short_titles: list[str]
    surname_mark: str
    compound_surnames: list[str]


@functools.cache
def chinese_descriptions() -> ChineseDescriptions:
    return ChineseDescriptions.model_validate(tomllib.loads(CHINESE_DESCRIPTIONS.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=1 << 16)
def looks_named_in_chinese(name: str, person: bool = False) -> bool:
    """A name written in Chinese characters (张勇, 阿里巴巴, 埃马德·莫斯塔克, 本田), not a description
    (该公司, 三名作者, 来自德国的学者, 谷歌员工, 前首席执行官, 李姓男子: the words that make one are
    in pipeline/data/zh_descriptions.toml), nor a person's surname with a title or a familiar
    prefix (张先生, 张总, 小张)."""
    written = name.strip()
    words = chinese_descriptions()
    if not _CHINESE_NAME.fullmatch(written) or (person and len(name_key(written, True)) < 2):
        return False
    surname_only = len(written) == 2 and (written[0] in words.familiar_prefixes or written[1] in words.short_titles)
    surname_only |= _surname(written) or (written.endswith(_TITLES_AFTER) and _surname(written[:-2]))  # 欧阳, 欧阳女士
    surname_only |= written[1:2] == words.surname_mark  # 李姓男子: a man surnamed Li
    bare = next((written[len(q) :] for q in words.qualifiers if written.startswith(q)), written)
    return not (
        any(particle in written for particle in words.particles)
        or _determined(written, words)
        or re.match(f"[{words.numerals}]+[{words.measure_words}]", written)
        or written.endswith(tuple(words.heads))
        or written in words.nouns
        or bare in words.nouns
        or (person and surname_only)
    )


def _determined(written: str, words: ChineseDescriptions) -> bool:
    """Whether the name starts with a determiner: 该公司, 这家初创公司, 此人, 部分员工; one names
    start with too (本, 那, 诸) only before a description's words, as 本田, 那英 and 诸葛亮 are
    names."""
    determiner = next((d for d in words.determiners if written.startswith(d)), None)
    if determiner not in words.name_starts:
        return determiner is not None
    rest = written[len(determiner) :]
    return (
        not rest
        or rest[0] in words.measure_words  # 那位高管
        or rest.endswith((*words.nouns, *words.heads, *words.determined))  # 本公司, 本行
    )


def _capitalized(word: str) -> bool:
    """ "Getty", "iPhone", "eBay", "macOS": a capital first, or after small letters only (not
    « l'Entreprise », whose capital follows an article)."""
    capital = next((k for k, c in enumerate(word) if c.isupper()), None)
    return capital == 0 or (capital is not None and word[:capital].isalpha() and word[:capital].islower())


def _attach_surnames(
    sightings: Sightings,
    seen_keys: list[str],
    keys: list[str],
    kind_of: Callable[[str], EntityKind],
    components: _Components,
) -> None:
    """A one-word person name joins the single full name ending in it (or in a near spelling of
    it): first among its document's names, then among all; with two candidates it joins none,
    nor when its document names someone whose name starts with it ("Ma Huateng" beside "Ma":
    family name first, so maybe not Jack Ma)."""
    full_by_surname: dict[str, set[str]] = defaultdict(set)  # by the last word's deletion variants
    full_by_first: dict[str, set[str]] = defaultdict(set)
    persons = [k for k in keys if " " in k and _LATIN.match(k) and kind_of(k) == EntityKind.PERSON]
    for key in persons:
        full_by_first[key.split()[0]].add(key)
        for variant in _one_deletion_variants(key.split()[-1]):
            full_by_surname[variant].add(key)
    surnames = [k for k in keys if " " not in k and _LATIN.match(k) and kind_of(k) == EntityKind.PERSON]
    candidates_of = {
        key: {
            full
            for variant in _one_deletion_variants(key)
            for full in full_by_surname.get(variant, ())
            if _near(key, full.split()[-1])
        }
        for key in surnames
    }
    starting_with = {key: full_by_first.get(key, set()) for key in surnames}
    involved = set(candidates_of).union(*candidates_of.values(), *starting_with.values())
    asked = [k for k, key in enumerate(seen_keys) if key in involved]
    docs_of: dict[str, set[int]] = defaultdict(set)
    for k, documents in zip(asked, sightings.documents(asked), strict=True):
        docs_of[seen_keys[k]] |= documents
    for key, candidates in candidates_of.items():
        if not components.alone(key):
            continue  # the registry already says what it is: "Bloomberg" is not Michael Bloomberg
        if any(docs_of[full] & docs_of[key] for full in starting_with[key]):
            continue
        roots = {components.find(full) for full in candidates}
        local = {components.find(full) for full in candidates if docs_of[full] & docs_of[key]}
        chosen = local if len(local) == 1 else roots
        if len(chosen) == 1:
            components.union(key, next(iter(chosen)))


def _attach_transliterations(
    keys: list[str],
    placed: set[tuple[str, EntityKind]],
    by_letters: dict[tuple[str, EntityKind], list[str]],
    kind_of: Callable[[str], EntityKind],
    components: _Components,
) -> None:
    """A name in Chinese characters joins the one name in Latin script of its kind that spells
    its pinyin (雷军 = "Lei Jun", or "Jun Lei" for a person; 小米 = "Xiaomi"), when neither the
    registry nor a canonical name has placed it, and no other name in Chinese characters spells
    the same (王伟 and 王薇 beside "Wang Wei": which one?), written alone or with a canonical name
    (`placed`). Names the sources romanize otherwise (蔡崇信, "Joe Tsai") or translate (腾讯,
    "Tencent") are the registry's to join."""

    def spells(key: str) -> bool:
        return bool(_CHINESE_NAME.fullmatch(key)) and len(key) > 1

    chinese = [(k, kind_of(k)) for k in keys if spells(k)]
    unplaced = {k for k, _ in chinese if components.alone(k)}
    if not unplaced:
        return
    chinese += sorted((k, kind) for k, kind in placed if spells(k))
    spelled_by: dict[str, set[str]] = defaultdict(set)  # a Latin name's entity, the names spelling it
    for key, kind in chinese:
        spellings = _pinyin_spellings(key, kind)
        roots = {components.find(latin) for spelling in spellings for latin in by_letters.get((spelling, kind), ())}
        if len(roots) == 1:
            spelled_by[roots.pop()].add(key)
    for root, spellers in sorted(spelled_by.items()):
        if len(spellers) == 1 and (speller := spellers.pop()) in unplaced:
            components.union(speller, root)


@functools.lru_cache(maxsize=1 << 16)
def pinyin_of(name: str) -> str:
    """The name in pinyin, each character's usual reading, without tones or spaces."""
    from pypinyin import lazy_pinyin  # its dictionaries load only for names in Chinese characters

    return "".join(lazy_pinyin(name)).replace("v", "u")


MAX_READINGS = 16  # readings of a name tried, at most (each with the family name first and last)


def _pinyin_spellings(name: str, kind: EntityKind) -> set[str]:
    """The name in pinyin without tones or spaces, for every reading of its characters (曾 is
    zeng as a family name, ceng otherwise); a person's also with the family name last."""
    from pypinyin import Style, pinyin  # its dictionaries load only for names in Chinese characters

    readings = [[r.replace("v", "u") for r in options] for options in pinyin(name, style=Style.NORMAL, heteronym=True)]
    spellings: set[str] = set()
    for syllables in itertools.islice(itertools.product(*readings), MAX_READINGS):
        spellings.add("".join(syllables))
        if kind == EntityKind.PERSON and len(syllables) > 1:
            spellings.add("".join(syllables[1:]) + syllables[0])
    return spellings


def _attach_aliases(seen: list[Sighting], components: _Components) -> None:
    """A name given with a canonical name is an alias of that entity when the sources never gave
    it another one; names written without a canonical name resolve through these aliases."""
    written = sorted({(s.name, s.canonical_name or "") for s in seen})  # once each, in a fixed order
    targets: dict[str, set[str]] = defaultdict(set)
    for name, canonical in written:
        if canonical:
            targets[name_key(name)].add(components.find(name_key(canonical)))
    for name, canonical in written:
        key = name_key(name)
        if not canonical and len(targets.get(key, ())) == 1 and components.alone(key):
            components.union(key, next(iter(targets[key])))
