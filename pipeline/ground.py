"""Ground: find each quote the model gave in the source text, at exact code-point offsets.

The model never supplies offsets. A quote is looked up verbatim first; failing that, both sides
are folded character by character (Unicode compatibility forms, so full-width ＡＢ，becomes AB,;
curly and angle quotes to plain ones; dashes; case; whitespace dropped) and the folded quote is
looked up in the folded text, whose every character remembers where it came from. A character
is folded with the combining marks that follow it, so an accent typed as a separate mark (NFD,
as some systems save files) matches the precomposed one and is never cut from its letter.
Because the fold works per character, Chinese grounds exactly like English. Whatever matches,
the quote written out is the source's own text at the offsets found, never the model's string.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pipeline.dates import find_dates, read_time_text
from pipeline.events import EventBase, TimeRef, neutral_summary
from pipeline.records import Evidence

MIN_QUOTE_CHARS = 4  # after folding; shorter quotes ground anywhere and prove nothing
MAX_ELLIPSIS_GAP = 400  # characters a "…" in a quote may stand for

_QUOTE_MARKS = {c: '"' for c in "“”„‟«»〝〞＂″「」『』"} | {c: "'" for c in "‘’‚‛‹›′＇"}
_DASHES = {c: "-" for c in "‐‑‒–—―−－"}
_ELLIPSIS = re.compile(r"\s*(?:\.{3,}|…+|\[\.\.\.\]|\(\.\.\.\))\s*")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character, with any combining marks after it, folded."""
    if char.isspace() or unicodedata.category(char[0]) == "Cf":  # spaces, zero-width marks
        return ""
    char = _QUOTE_MARKS.get(char, char)
    char = _DASHES.get(char, char)
    return unicodedata.normalize("NFKC", char).casefold()


def _characters(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each character of text[start:end] with the combining marks after it."""
    first = start
    for offset in range(start + 1, end):
        if not unicodedata.combining(text[offset]):
            yield first, offset
            first = offset
    if first < end:
        yield first, end


@dataclass(frozen=True)
class FoldedText:
    """A folded copy of a text region and, for each folded character, where the character it
    comes from starts and ends in the source."""

    folded: str
    origin: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str, start: int = 0, end: int | None = None) -> FoldedText:
        folded: list[str] = []
        origin: list[int] = []
        ends: list[int] = []
        for first, last in _characters(text, start, len(text) if end is None else end):
            piece = _fold_char(text[first:last])
            folded.append(piece)
            origin.extend([first] * len(piece))
            ends.extend([last] * len(piece))
        return cls("".join(folded), origin, ends)


def fold(text: str) -> str:
    return FoldedText.of(text).folded


def ground_quote(text: str, quote: str, start: int = 0, end: int | None = None) -> Evidence | None:
    """Locate `quote` inside `text[start:end]`; the first occurrence wins. None if absent."""
    end = len(text) if end is None else end
    if len(fold(quote)) < MIN_QUOTE_CHARS:
        return None
    stripped = quote.strip()
    position = text.find(stripped, start, end)
    while position >= 0 and not _whole_characters(text, position, position + len(stripped)):
        position = text.find(stripped, position + 1, end)
    if position >= 0:
        return Evidence(quote=stripped, char_start=position, char_end=position + len(stripped), match="exact")
    region = FoldedText.of(text, start, end)
    span = _find_folded(region, quote) or _find_with_ellipsis(region, quote)
    if span is None:
        return None
    char_start, char_end = span
    return Evidence(quote=text[char_start:char_end], char_start=char_start, char_end=char_end, match="normalized")


def _whole_characters(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] neither starts with nor stops before a combining mark ("de" is not
    in "dé" written as d, e and an accent)."""
    return not (unicodedata.combining(text[start]) or (end < len(text) and unicodedata.combining(text[end])))


def _find_folded(region: FoldedText, quote: str, from_folded: int = 0) -> tuple[int, int] | None:
    needle = fold(quote)
    if not needle:
        return None
    hit = region.folded.find(needle, from_folded)
    if hit < 0:
        return None
    return region.origin[hit], region.ends[hit + len(needle) - 1]


def _find_with_ellipsis(region: FoldedText, quote: str) -> tuple[int, int] | None:
    """A quote with "..." standing for omitted words grounds as the span from its first piece to
    its last, when the pieces appear in order and close together: the first place where they do,
    trying each place the first piece appears."""
    pieces = [p for p in _ELLIPSIS.split(quote) if fold(p)]
    if len(pieces) < 2:
        return None
    from_folded = 0
    while (first := _find_folded(region, pieces[0], from_folded)) is not None:
        span = _rest_in_order(region, pieces[1:], first)
        if span is not None:
            return span
        from_folded = _folded_index(region, first[0]) + 1
    return None


def _rest_in_order(region: FoldedText, pieces: list[str], first: tuple[int, int]) -> tuple[int, int] | None:
    span_start, previous_end = first
    for piece in pieces:
        found = _find_folded(region, piece, _folded_index(region, previous_end))
        if found is None or found[0] - previous_end > MAX_ELLIPSIS_GAP:
            return None
        previous_end = found[1]
    return span_start, previous_end


def _folded_index(region: FoldedText, source_offset: int) -> int:
    """The first folded position whose source offset is at or after `source_offset`."""
    return bisect_left(region.origin, source_offset)


def ground_fields(event: EventBase, text: str, reference: str | None = None) -> EventBase:
    """Keep only the event details written in `text`: participants by name, the time and amount
    expressions, the attribution, free-text type fields (position, product...). For small models,
    which copy details from the prompt's example or invent them: a detail the text does not hold
    is dropped, the event is kept, and a summary not taken from the text is replaced by a neutral
    one, since nothing can check it."""

    def written(value: str | None) -> bool:
        folded = fold(value or "")
        return len(folded) >= 2 and folded in fold(text)

    def supported_time(time: TimeRef | None) -> TimeRef | None:
        """The time, if its words are in the text and its date is one they state, outright or
        against the document's reference date ("last year", 上季度)."""
        if time is None or not written(time.text):
            return None
        reading = read_time_text(time.text or "", reference)
        written_dates = find_dates(time.text or "", short_years=True)
        stated = {found.date for found in written_dates} | {reading.date if reading else ""}
        return (
            time
            if time.date is None or time.date in stated
            else time.model_copy(update={"date": None, "precision": None})
        )

    own_fields = {
        name: (value if written(value) else None)
        for name, value in event
        if name not in EventBase.model_fields and isinstance(value, str) and name != "label"
    }
    return event.model_copy(
        update={
            "summary": event.summary if written(event.summary) else neutral_summary(event.type),
            "participants": [p for p in event.participants if written(p.name)],
            "time": supported_time(event.time),
            "amounts": [a for a in event.amounts if written(a.text)],
            "attribution": event.attribution if written(event.attribution) else None,
            **own_fields,
        }
    )


TYPE_CUES = Path(__file__).resolve().parent / "data" / "type_cues.toml"
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def type_supported(event_type: str, quotes: Iterable[str]) -> bool:
    """Whether one of the quotes holds a word of the event's type (pipeline/data/type_cues.toml:
    "resign", « démission », 辞职 for a resignation): for the bundled small model, which types
    nearly every event with the first type it knows. A type with no cues listed ("other") is
    always supported."""
    cues = _type_cues().get(event_type)
    return cues is None or any(cues.search(_cue_text(quote)) for quote in quotes)


def type_cues_version() -> str:
    """The cue file's version, which run.json records: other cues keep other events of the same answers."""
    return str(_type_cue_file()["version"])


@cache
def _type_cue_file() -> dict[str, Any]:
    return tomllib.loads(TYPE_CUES.read_text(encoding="utf-8"))


@cache
def _type_cues() -> dict[str, re.Pattern[str]]:
    """One pattern per type: Latin-script cues as whole words (or word starts, ending with *),
    Chinese ones anywhere."""
    cues = _type_cue_file()["cues"]
    return {event_type: re.compile("|".join(map(_cue_pattern, words))) for event_type, words in cues.items()}


def _cue_pattern(word: str) -> str:
    cue = re.escape(_cue_text(word.removesuffix("*")))
    if _HAN.search(word):
        return cue
    return rf"(?<![^\W_]){cue}" + ("" if word.endswith("*") else r"(?![^\W_])")


def _cue_text(text: str) -> str:
    """Case, accents, runs of spaces and typographic apostrophes aside."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'")).casefold()
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
