"""Chunk: split a document into sentences, then pack whole sentences into token-budgeted chunks.

The sentence splitter is written by hand: the libraries we measured (pysbd, sentencex, syntok)
either lose exact character offsets, do not know Chinese punctuation, or split « M. Dupont »;
here every sentence is a span of the original text, so offsets can never drift.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline.ids import content_id
from pipeline.records import Chunk, Document

# Abbreviations after which a period does not end a sentence (lower-cased, without the period).
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "mr",
            "mrs",
            "ms",
            "dr",
            "prof",
            "sr",
            "jr",
            "st",
            "vs",
            "etc",
            "inc",
            "ltd",
            "co",
            "corp",
            "no",
            "fig",
            "al",
            "e.g",
            "i.e",
            "u.s",
            "u.k",
            "u.n",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
            "approx",
            "est",
            "dept",
            "gen",
            "gov",
            "sen",
            "rep",
            "mt",
            "ft",
            "lt",
            "col",
            "capt",
            "sgt",
        ]
    ),
    "fr": frozenset(
        [
            "m",
            "mm",
            "mme",
            "mmes",
            "mlle",
            "mlles",
            "dr",
            "pr",
            "me",
            "mgr",
            "st",
            "ste",
            "etc",
            "cf",
            "p",
            "ex",
            "av",
            "apr",
            "j.-c",
            "janv",
            "févr",
            "avr",
            "juil",
            "sept",
            "oct",
            "nov",
            "déc",
            "env",
            "n°",
            "no",
            "vol",
            "chap",
        ]
    ),
}

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
# A sentence ends at a run of terminators, plus any closing quotes or brackets after it.
_TERMINATOR = re.compile(r"[。！？；!?;…]+[」』”’\"'）)】》»]*|\.+[」』”’\"'）)】》»]*")
_CLAUSE_BREAK = re.compile(r"[，,、：:—–]\s*")
_WORD_BREAK = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\n\s*")
_CJK_CHAR = re.compile(f"[{_CJK}]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


CHARS_PER_TOKEN = 4  # at most, in estimate_tokens


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: one token per CJK character, one per four other characters.

    No tokenizer ships offline for every model; this errs on the high side for all three
    languages, so a chunk packed by it fits the model's real budget.
    """
    cjk = len(_CJK_CHAR.findall(text))
    return cjk + -(-(len(text) - cjk) // CHARS_PER_TOKEN)


def _is_abbreviation(text: str, dot: int, lang: str) -> bool:
    """Whether the period at `dot` closes an abbreviation or a number rather than a sentence."""
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in ".-'’"):
        word_start -= 1
    word = text[word_start:dot].lower().strip(".'’")
    after = text[dot + 1 : dot + 2]
    if after.isascii() and after.isalnum():  # 3.5, U.S.A, example.com
        return True
    if not word:
        return False
    known = ABBREVIATIONS.get(lang, frozenset()) | ABBREVIATIONS["en"]
    if word in known or "." in word:  # U.S., e.g., J.-C.
        return True
    # A single capital letter is an initial ("J. Smith"); a single digit list marker is not.
    return len(word) == 1 and text[dot - 1].isupper()


def split_sentences(text: str, lang: str) -> list[Span]:
    """Sentence spans covering every non-space character of `text`, in order.

    Sentences end at terminators (full- and half-width), and at line breaks: news text puts
    headlines, captions and paragraphs on lines of their own.
    """
    spans: list[Span] = []
    start = 0
    for line in _lines(text):
        start = line.start
        for match in _TERMINATOR.finditer(text, line.start, line.end):
            single_period = match.group(0).rstrip("」』”’\"'）)】》»") == "."
            if single_period and _is_abbreviation(text, match.start(), lang):
                continue
            end = match.end()
            # Half-width terminators end a sentence only before a space, a line end or CJK text.
            next_char = text[end : end + 1]
            if match.group(0)[0] in ".!?;" and next_char and not (next_char.isspace() or _CJK_CHAR.match(next_char)):
                continue
            spans.append(Span(start, end))
            start = _skip_space(text, end, line.end)
        if start < line.end:
            spans.append(Span(start, line.end))
    return [span for span in spans if text[span.start : span.end].strip()]


def _lines(text: str) -> list[Span]:
    """Non-blank lines, trimmed of surrounding whitespace."""
    lines = []
    for match in re.finditer(r"[^\r\n]+", text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            lines.append(Span(start, end))
    return lines


def _skip_space(text: str, pos: int, limit: int) -> int:
    while pos < limit and text[pos].isspace():
        pos += 1
    return pos


def split_long(text: str, span: Span, max_tokens: int) -> list[Span]:
    """Split a span longer than the budget at the best boundary available.

    Clause punctuation first, then whitespace, then (for unbroken text) a hard cut. Each cut is
    looked for only as far as a piece within budget can reach (a token is at most
    CHARS_PER_TOKEN characters), so that a megabyte without a full stop costs linear time.
    """
    pieces: list[Span] = []
    while True:
        reach = Span(span.start, min(span.end, span.start + CHARS_PER_TOKEN * (max_tokens + 1)))
        if reach.end == span.end and estimate_tokens(text[span.start : span.end]) <= max_tokens:
            return [*pieces, span]
        cuts = (_best_cut(text, span, reach, boundary, max_tokens) for boundary in (_CLAUSE_BREAK, _WORD_BREAK))
        cut = next((c for c in cuts if c is not None), None)
        if cut is not None:
            pieces.append(Span(span.start, _rstrip(text, Span(span.start, cut))))
            span = Span(_skip_space(text, cut, span.end), span.end)
            continue
        # No boundary at all: cut where the budget runs out (the longest head within it, one character at least).
        ends = range(span.start + 1, reach.end + 1)
        fitting = bisect.bisect_right(ends, max_tokens, key=lambda end: estimate_tokens(text[span.start : end]))
        cut = ends[fitting - 1] if fitting else span.start + 1
        pieces.append(Span(span.start, cut))
        span = Span(cut, span.end)


def _rstrip(text: str, span: Span) -> int:
    end = span.end
    while end > span.start and text[end - 1].isspace():
        end -= 1
    return end


def _best_cut(text: str, span: Span, reach: Span, boundary: re.Pattern[str], max_tokens: int) -> int | None:
    """The last boundary position inside the span, and within reach, that keeps the head within budget."""
    best = None
    for match in boundary.finditer(text, reach.start, reach.end):
        cut = match.end() if boundary is _CLAUSE_BREAK else match.start()
        if cut <= span.start or cut >= span.end:
            continue
        if estimate_tokens(text[span.start : cut]) > max_tokens:
            break
        best = cut
    return best


def make_chunk(document: Document, index: int, char_start: int, char_end: int) -> Chunk:
    text = document.text[char_start:char_end]
    return Chunk(
        id=content_id("c", document.doc_id, char_start, char_end, text),
        doc_id=document.doc_id,
        index=index,
        char_start=char_start,
        char_end=char_end,
        text=text,
    )


def chunk_document(document: Document, max_tokens: int, overlap_sentences: int) -> list[Chunk]:
    """Pack whole sentences into chunks of at most `max_tokens`, each chunk repeating the last
    `overlap_sentences` sentences of the one before it."""
    if max_tokens < 1 or overlap_sentences < 0:
        raise ValueError("chunk budget must be >= 1 and overlap >= 0")
    sentences = [
        piece
        for sentence in split_sentences(document.text, document.lang)
        for piece in split_long(document.text, sentence, max_tokens)
    ]
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first
        while last + 1 < len(sentences) and (
            estimate_tokens(document.text[sentences[first].start : sentences[last + 1].end]) <= max_tokens
        ):
            last += 1
        chunks.append(make_chunk(document, len(chunks), sentences[first].start, sentences[last].end))
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - overlap_sentences)
    return chunks


def split_chunk(document: Document, chunk: Chunk) -> list[Chunk]:
    """Two halves of a chunk at a sentence boundary (or a clause or word boundary), for a model
    whose answer to the whole chunk was cut off. Returns [] when the chunk cannot be split."""
    spans = [
        Span(s.start + chunk.char_start, s.end + chunk.char_start) for s in split_sentences(chunk.text, document.lang)
    ]
    if len(spans) < 2:
        half_budget = max(1, estimate_tokens(chunk.text) // 2)
        spans = split_long(document.text, Span(chunk.char_start, chunk.char_end), half_budget)
    if len(spans) < 2:
        return []
    middle = len(spans) // 2
    return [
        make_chunk(document, chunk.index, spans[0].start, spans[middle - 1].end),
        make_chunk(document, chunk.index, spans[middle].start, spans[-1].end),
    ]
