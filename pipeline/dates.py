"""Dates: reading ISO dates at a precision, and finding absolute dates written in zh, en or fr.

Written by hand: the date libraries we know (dateparser and friends) either guess missing parts
from today's date, which breaks reproducibility, or do not report the precision the text gave.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from pipeline.events import DatePrecision

_ISO = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?|-Q([1-4]))?$")

EN_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
FR_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("janvier",),
            ("février", "fevrier"),
            ("mars",),
            ("avril",),
            ("mai",),
            ("juin",),
            ("juillet",),
            ("août", "aout"),
            ("septembre",),
            ("octobre",),
            ("novembre",),
            ("décembre", "decembre"),
        ]
    )
    for m in names
}
_MONTH_NAMES = "|".join(sorted({*EN_MONTHS, *FR_MONTHS}, key=len, reverse=True))
_YEAR = r"(?P<year>(?:19|20)\d{2})"

# Absolute date patterns, most precise first; each names its groups year, month and maybe day.
_PATTERNS: list[tuple[re.Pattern[str], DatePrecision]] = [
    (re.compile(rf"{_YEAR}-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})\b"), DatePrecision.DAY),
    (re.compile(rf"{_YEAR}\s*年\s*(?P<month>\d{{1,2}})\s*月\s*(?P<day>\d{{1,2}})\s*[日号]"), DatePrecision.DAY),
    (
        re.compile(rf"\b(?P<mname>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.I),
        DatePrecision.DAY,
    ),
    (
        re.compile(rf"\b(?P<day>\d{{1,2}})(?:er)?\s+(?P<mname>{_MONTH_NAMES})\.?,?\s+{_YEAR}\b", re.I),
        DatePrecision.DAY,
    ),
    (re.compile(rf"{_YEAR}\s*年\s*(?P<month>\d{{1,2}})\s*月"), DatePrecision.MONTH),
    (re.compile(rf"\b(?P<mname>{_MONTH_NAMES})\.?,?\s+(?:of\s+|de\s+|d')?{_YEAR}\b", re.I), DatePrecision.MONTH),
    (re.compile(rf"{_YEAR}\s*年"), DatePrecision.YEAR),
    (re.compile(rf"(?<![\d.,$€£¥])\b{_YEAR}\b(?![.,]?\d)"), DatePrecision.YEAR),
]


@dataclass(frozen=True)
class FoundDate:
    date: str
    precision: DatePrecision
    char_start: int
    char_end: int
    text: str


def parse_iso(value: str) -> DatePrecision | None:
    """The precision of an ISO date string (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn), None if invalid."""
    match = _ISO.match(value.strip())
    if not match:
        return None
    year, month, day, quarter = match.groups()
    if day and not _real_day(int(year), int(month), int(day)):
        return None
    if quarter:
        return DatePrecision.QUARTER
    if day:
        return DatePrecision.DAY
    if month:
        return DatePrecision.MONTH
    return DatePrecision.YEAR


def _real_day(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and (month is None or not _real_day(year, month, day)):
        return None
    if day is not None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if month is not None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def find_dates(text: str) -> list[FoundDate]:
    """Every absolute date (one with a year) in the text, at the precision the text gives it."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern, precision in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            groups = match.groupdict()
            month_name = (groups.get("mname") or "").lower()
            month = EN_MONTHS.get(month_name) or FR_MONTHS.get(month_name)
            if groups.get("month"):
                month = int(groups["month"])
            day = int(groups["day"]) if groups.get("day") else None
            iso = _iso(int(groups["year"]), month, day)
            if iso is None:
                continue
            taken.append((start, end))
            found.append(FoundDate(iso, precision, start, end, match.group(0)))
    return sorted(found, key=lambda d: d.char_start)


def latest(dates: list[FoundDate]) -> FoundDate | None:
    """The latest date; of two that agree on their common prefix ("2024", "2024-03"), the more precise."""
    return max(dates, key=lambda d: d.date, default=None)
