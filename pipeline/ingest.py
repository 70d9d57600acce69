"""Ingest: find the article files under a folder, decode them and tell their language.

Decoding keeps the text exactly as the file has it (CRLF stays CRLF), so that offsets point
into what the user sees when they open the file.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from pipeline import dates, language
from pipeline.records import Document, ReferenceDate

ARTICLE_SUFFIXES = (".txt", ".md")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CANDIDATES = ["gb18030", "cp1252", "utf_16", "latin_1"]
# Encodings whose bytes GB18030 also decodes, into nonsense (Japanese Shift-JIS, Korean EUC-KR):
# asked only of text GB18030 won with at least MIN_EAST_ASIAN_BYTES bytes outside ASCII, and
# preferred only when charset-normalizer finds them strictly less chaotic. Below that, or on a
# tie, it takes Chinese for Korean: 5 of 16 slices of 20 and 40 characters of the Chinese seed;
# English naming a few Chinese people, 李彦宏, scores all three alike.
_EAST_ASIAN = ["gb18030", "shift_jis", "euc_kr"]
MIN_EAST_ASIAN_BYTES = 160
MIN_DAMAGED_UTF8_CHARACTERS = 20  # valid UTF-8 characters beyond ASCII that make a file UTF-8 damaged
_DATE_LINE = re.compile(r"^(?:date|published|发布时间|日期|publié le)\s*[:：]\s*(?P<value>.+)$", re.I | re.M)


class IngestError(Exception):
    """A file that cannot be read as an article; the message names the file (as shown_path does)."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{shown_path(path)}: {problem}")
        self.path = shown_path(path)
        self.doc_id: str | None = None  # the document id the file would have had, when known


def shown_path(path: object) -> str:
    """A path as one printable line of text: the bytes of a name that is not UTF-8 (a file named in
    Latin-1) and control characters (a line break in a name) written as escapes."""
    text = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c.encode("unicode_escape").decode("ascii") if _breaks_a_line(c) else c for c in text)


def _breaks_a_line(character: str) -> bool:
    """A control character (a line break, a tab) or a line or paragraph separator; not a space
    of another width (the ideographic space of a Chinese title)."""
    return unicodedata.category(character) in ("Cc", "Zl", "Zp")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    doc_id: str


def find_articles(input_dir: Path) -> list[SourceFile]:
    """Every .txt/.md file under `input_dir`, in a stable order."""
    if not input_dir.exists():
        raise IngestError(input_dir, "no such folder")
    if not input_dir.is_dir():
        raise IngestError(input_dir, "not a folder")
    files = [
        p
        for p in input_dir.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.suffix.lower() in ARTICLE_SUFFIXES and not _hidden(p, input_dir)
    ]  # a link to nowhere is listed, to be reported as unreadable
    return [SourceFile(p, p.relative_to(input_dir).with_suffix("").as_posix()) for p in sorted(files)]


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes to text: a BOM wins, then strict UTF-8 (UTF-8 damaged in a few bytes is an
    error), then detection among the encodings news files come in (GB18030 covers GBK and
    GB2312; what it wins is checked against Shift-JIS and EUC-KR). Returns (text, encoding).

    charset-normalizer alone misreads short GB18030 as Thai and cp1252 as cp1250; limiting its
    candidates fixed every case we measured.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(name, f"invalid {encoding} after its byte-order mark ({exc.reason})") from exc
            return text, encoding  # a Python codec's name: decoding with it gives this text again
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        _refuse_damaged_utf8(data, name, exc)
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise IngestError(name, "not a text file (binary content)")
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError as exc:
            raise IngestError(name, "not a text file (binary content)") from exc
    best = from_bytes(data, cp_isolation=_CANDIDATES, threshold=0.5).best()
    if best is not None and best.encoding == "gb18030" and sum(b > 0x7F for b in data) >= MIN_EAST_ASIAN_BYTES:
        rivals = sorted(from_bytes(data, cp_isolation=_EAST_ASIAN, threshold=0.5), key=lambda m: m.chaos)
        chinese = next((m for m in rivals if m.encoding == "gb18030"), None)
        if rivals and (chinese is None or rivals[0].chaos < chinese.chaos):
            best = rivals[0]
    if best is None:
        raise IngestError(name, "cannot decode: not UTF-8, GB18030, UTF-16 or cp1252 text")
    text = str(best)
    if _control_share(text) > 0.02:
        raise IngestError(name, "not a text file (decodes to control characters)")
    return text, best.encoding


def _refuse_damaged_utf8(data: bytes, name: str, error: UnicodeDecodeError) -> None:
    """UTF-8 with a few bytes UTF-8 cannot hold (a file cut or edited in another encoding) is
    damaged UTF-8, not text in another encoding: read as cp1252 it would be garbled throughout
    (« prioritÃ© »), silently. A file in cp1252 or GB18030 holds few or no UTF-8 sequences of
    more than one byte."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    multibyte = sum(1 for c in text if ord(c) > 0x7F) - damaged
    if multibyte >= max(4 * damaged, MIN_DAMAGED_UTF8_CHARACTERS):
        line = data.count(b"\n", 0, error.start) + 1
        problem = f"not valid UTF-8 at byte {error.start} (line {line}), though the rest is: repair or re-save it"
        raise IngestError(name, f"{problem} ({damaged} byte(s) UTF-8 cannot hold)")


def _control_share(text: str) -> float:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    return controls / max(1, len(text))


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as text whose every other byte is mostly NUL."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if len(data) % 2 or max(even, odd) <= len(data) // 4:
        return None
    return "utf-16-be" if even > odd else "utf-16-le"


def reference_date(text: str, given: str | None = None) -> ReferenceDate:
    """The date to resolve relative expressions against: given, written in a date line, or the
    latest absolute date the text mentions (recorded as inferred)."""
    if given:
        precision = dates.parse_iso(given)
        if precision is None:
            raise ValueError(f"reference date {given!r} is not an ISO date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Qn)")
        return ReferenceDate(date=given, precision=precision, source="given", evidence=None)
    line = _DATE_LINE.search(text[:2000])
    candidates = dates.find_dates(line.group("value")) if line else []
    if not candidates:
        candidates = dates.find_dates(text)
    found = dates.latest(candidates)
    if found is None:
        return ReferenceDate(date=None, precision=None, source="none", evidence=None)
    return ReferenceDate(date=found.date, precision=found.precision, source="inferred", evidence=found.text)


def read_document(source: SourceFile, given_reference_date: str | None = None) -> Document:
    """Read one article file into a Document, or raise IngestError naming the file."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise IngestError(source.path, f"cannot read ({exc.strerror})") from exc
    text, encoding = decode(data, str(source.path))
    if "\x00" in text:
        raise IngestError(source.path, "not a text file (NUL characters)")
    if not text.strip():
        raise IngestError(source.path, "empty file")
    return Document(
        doc_id=source.doc_id,
        path=shown_path(source.path),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        lang=language.detect(text),
        reference_date=reference_date(text, given_reference_date),
        text=text,
    )


def ingest(input_dir: Path, given_reference_date: str | None = None) -> Iterator[Document | IngestError]:
    """Documents in order; a file that fails yields its error and the others go on. Two files
    whose ids would be equal (a.txt and a.md) cannot both be read: the second one read is
    refused."""
    taken: dict[str, Path] = {}
    for source in find_articles(input_dir):
        if shown_path(source.doc_id) != source.doc_id:
            yield IngestError(source.path, "the file's name is not UTF-8 text on one line; rename it")
            continue
        if source.doc_id in taken:
            yield IngestError(source.path, f"same document id {source.doc_id!r} as {taken[source.doc_id]}; rename one")
            continue
        try:
            document = read_document(source, given_reference_date)
        except IngestError as exc:  # takes no id: an empty a.md beside a good a.txt costs it nothing
            exc.doc_id = source.doc_id
            yield exc
            continue
        taken[source.doc_id] = source.path
        yield document
