"""Dates: reading ISO dates at a precision, and finding absolute dates written in zh, en or fr.

Written by hand: the date libraries we know (dateparser and friends) either guess missing parts
from today's date, which breaks reproducibility, or do not report the precision the text gave.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.amounts import chinese_number
from pipeline.events import DatePrecision

_ISO = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?|-Q([1-4]))?$")
_INTERVAL_SEPARATOR = "/"

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
            ("janvier", "janv"),
            ("février", "fevrier", "févr", "fevr"),
            ("mars",),
            ("avril", "avr"),
            ("mai",),
            ("juin",),
            ("juillet", "juil", "juill"),
            ("août", "aout"),
            ("septembre",),
            ("octobre",),
            ("novembre",),
            ("décembre", "decembre", "déc"),
        ]
    )
    for m in names
}
_MONTH_NAMES = "|".join(sorted({*EN_MONTHS, *FR_MONTHS}, key=len, reverse=True))
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_SHORT_YEAR = r"(?<!\d)(?P<short>\d{2})"  # 23年3月, "March '23": 00–68 are 20xx, 69–99 19xx (as POSIX %y)
_ORDINAL = r"(?:er|st|nd|rd|th)?"  # 1er mars, 4th March
_ORDINAL_OF = r"(?:(?:st|nd|rd|th)(?:\s+of)?|er)?"  # "the 4th of March", never "Top 10 of March"

# Absolute date patterns, most precise first; each names its groups year, month and maybe day.
_PATTERNS: list[tuple[re.Pattern[str], DatePrecision]] = [
    (re.compile(rf"{_YEAR}-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?!\d)"), DatePrecision.DAY),  # also 2024-03-10T14:00
    (re.compile(rf"{_YEAR}/(?P<month>\d{{1,2}})/(?P<day>\d{{1,2}})(?!\d)"), DatePrecision.DAY),  # 2024/3/20
    (re.compile(rf"{_YEAR}\s*年\s*(?P<month>\d{{1,2}})\s*月\s*(?P<day>\d{{1,2}})\s*[日号]"), DatePrecision.DAY),
    (
        re.compile(rf"\b(?P<mname>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.I),
        DatePrecision.DAY,
    ),
    (
        re.compile(rf"\b(?P<day>\d{{1,2}}){_ORDINAL_OF}\s+(?P<mname>{_MONTH_NAMES})\.?,?\s+{_YEAR}\b", re.I),
        DatePrecision.DAY,
    ),
    (re.compile(rf"{_SHORT_YEAR}\s*年\s*(?P<month>\d{{1,2}})\s*月\s*(?P<day>\d{{1,2}})\s*[日号]"), DatePrecision.DAY),
    (re.compile(rf"{_YEAR}\s*年\s*(?P<month>\d{{1,2}})\s*月"), DatePrecision.MONTH),
    (re.compile(rf"{_SHORT_YEAR}\s*年\s*(?P<month>\d{{1,2}})\s*月"), DatePrecision.MONTH),
    (re.compile(rf"\b(?P<mname>{_MONTH_NAMES})\.?\s+['’]{_SHORT_YEAR}\b", re.I), DatePrecision.MONTH),
    (re.compile(rf"\b(?P<mname>{_MONTH_NAMES})\.?,?\s+(?:of\s+|de\s+|d')?{_YEAR}\b", re.I), DatePrecision.MONTH),
    (re.compile(rf"{_YEAR}\s*年"), DatePrecision.YEAR),
    (re.compile(rf"(?<![\d.,$€£¥])\b{_YEAR}\b(?![.,]?\d)"), DatePrecision.YEAR),
]


# Words before a year that make it one whatever follows ("in 2023 people said")
_YEAR_LEAD = re.compile(r"\b(?:in|since|until|during|en|depuis|dès|année|year)\s+$", re.I)
# What a number counts when it is no year: "2000 employees in March", « en mars, 2000 salariés »
_COUNTED = re.compile(
    r"\s*(?:of\s+(?:its|their|the)\s+)?(?:(?:new|more|additional|extra|nouveaux|\w+-\w+)\s+)?"  # "2000 new employees"
    r"(?:people|persons|employees|staff(?:ers)?|workers|jobs|positions|roles|users|customers|clients|members|"
    r"students|units|shares|stores|vehicles|cars|personnes|salariés|employés|postes|emplois|utilisateurs|membres|magasins|véhicules|actions)\b",
    re.I,
)


@dataclass(frozen=True)
class FoundDate:
    date: str
    precision: DatePrecision
    char_start: int
    char_end: int
    text: str


def parse_iso(value: str) -> DatePrecision | None:
    """The precision of an ISO date string (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, or an interval
    START/END of two of those, START not after END), None if invalid."""
    if _INTERVAL_SEPARATOR in value:
        first, _, last = value.strip().partition(_INTERVAL_SEPARATOR)
        start, end = span(first), span(last)
        if start is None or end is None or _INTERVAL_SEPARATOR in last or start.start > end.end:
            return None
        return DatePrecision.RANGE
    match = _ISO.match(value.strip())
    if not match or span(value) is None:  # February 30th, year 0, past 9999
        return None
    _, month, day, quarter = match.groups()
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


def find_dates(text: str, short_years: bool = False) -> list[FoundDate]:
    """Every absolute date (one with a year) in the text, at the precision the text gives it;
    with `short_years`, two-digit ones too (23年3月: for a time expression, not a whole article,
    where 成立于68年3月 is history, not a date to date it by)."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern, precision in _PATTERNS:
        if "short" in pattern.groupindex and not short_years:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            year_at = match.span("year" if "year" in pattern.groupindex else "short")
            if year_at[1] == end and _COUNTED.match(text, end) and not _YEAR_LEAD.search(text[: year_at[0]]):
                continue  # a count of people or things, not a year
            groups = match.groupdict()
            month_name = (groups.get("mname") or "").lower()
            month = EN_MONTHS.get(month_name) or FR_MONTHS.get(month_name)
            if groups.get("month"):
                month = int(groups["month"])
            day = int(groups["day"]) if groups.get("day") else None
            short = int(groups["short"]) if groups.get("short") else None
            year = int(groups["year"]) if short is None else short + (2000 if short < 69 else 1900)
            iso = _iso(year, month, day)
            if iso is None:
                continue
            taken.append((start, end))
            found.append(FoundDate(iso, precision, start, end, match.group(0)))
    return sorted(found, key=lambda d: d.char_start)


def latest(dates: list[FoundDate]) -> FoundDate | None:
    """The latest date; of two that agree on their common prefix ("2024", "2024-03"), the more
    precise. A coarser date after the latest full day ("announced on 25 March 2024 … by 2030")
    is a plan or a forecast, not when the text was written: it does not count."""
    days = [d.date for d in dates if d.precision == DatePrecision.DAY]
    written_by = max(days, default=None)
    counted = [d for d in dates if written_by is None or d.precision == DatePrecision.DAY or d.date <= written_by]
    return max(counted, key=lambda d: d.date, default=None)


@dataclass(frozen=True)
class Span:
    """The calendar days a date covers, both ends included: "2024-03" is March 1 to March 31."""

    start: datetime.date
    end: datetime.date

    def overlaps(self, other: Span) -> bool:
        return self.start <= other.end and other.start <= self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@functools.lru_cache(maxsize=1 << 16)
def span(value: str) -> Span | None:
    """The days an ISO date (any precision, or an interval) covers; None if it is not one.
    Cached: a large reconciliation asks for the same few thousand dates again and again."""
    value = value.strip()
    if _INTERVAL_SEPARATOR in value:
        first, _, last = value.partition(_INTERVAL_SEPARATOR)
        start, end = span(first), span(last)
        return Span(start.start, end.end) if start and end and start.start <= end.end else None
    match = _ISO.match(value)
    if not match:
        return None
    year, month, day, quarter = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:  # datetime covers the years 1 to 9999: year 0, or the end of 9999, is no date
        if day is not None and month is not None:
            return Span(datetime.date(year, month, day), datetime.date(year, month, day))
        if month is not None:
            return Span(datetime.date(year, month, 1), _month_end(year, month))
        if quarter is not None:
            return Span(datetime.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
        return Span(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    except ValueError:
        return None


def _months(days: Span) -> set[int]:
    """The months of the year a span touches (all twelve for a year or more)."""
    first, last = days.start.year * 12 + days.start.month - 1, days.end.year * 12 + days.end.month - 1
    return {index % 12 + 1 for index in range(first, min(last, first + 11) + 1)}


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _shift_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


# --- Reading the words of a time expression -------------------------------------------------

_SMALL_NUMBERS = {
    **{
        w: i
        for i, w in enumerate(
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
        )
    },
    **{
        w: i
        for i, w in enumerate(
            ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze"]
        )
    },
    "une": 1,
    "a": 1,
    **{c: i for i, c in enumerate("零一二三四五六七八九十")},
    "两": 2,
}
_NUMBER = r"(?P<n>\d{1,2}|" + "|".join(sorted(_SMALL_NUMBERS, key=len, reverse=True)) + ")"


def _ago(en_unit: str, zh_word: str, fr_unit: str) -> re.Pattern[str]:
    """ "3 days ago", 3天前, « il y a 3 jours » (each alternative names its own number group)."""
    return re.compile(
        rf"\b{_NUMBER}\s+{en_unit}\s+ago\b|{_ZH_COUNT}\s*{zh_word}"
        rf"|\bil y a\s+{_NUMBER.replace('n>', 'n3>')}\s+{fr_unit}\b",
        re.I,
    )


# A whole Chinese count, never the tail of one: 十二个月前 is twelve months, not two.
_ZH_COUNT = r"(?<![\d零〇一二两三四五六七八九十百千])(?P<n2>\d+|[零〇一二两三四五六七八九十百千]+)"


# (pattern, unit, step): a relative expression is `step` units from the reference, or, with a
# group n, n units back. Units: day, week, month, year, quarter. Searched in this order: years
# before quarters, so "the fourth quarter of last year" is read through "last year".
_RELATIVE: list[tuple[re.Pattern[str], str, int]] = [
    (re.compile(r"\b(?:today|this morning)\b|今天|今日|aujourd'hui|ce matin", re.I), "day", 0),
    (re.compile(r"\bthe day before yesterday\b|前天|\bavant-hier\b", re.I), "day", -2),
    (re.compile(r"\byesterday\b|昨天|昨日|(?<![-\w])hier\b", re.I), "day", -1),
    (_ago("days?", "天前", "jours?"), "day", -1),
    (_ago("weeks?", "(?:周|个?星期|个?礼拜)前", "semaines?"), "week", -1),
    (re.compile(r"\blast week\b|上周|上星期|上个星期|la semaine (?:dernière|passée)", re.I), "week", -1),
    (re.compile(r"\bthis week\b|本周|这周|cette semaine", re.I), "week", 0),
    (_ago("months?", "个月前", "mois"), "month", -1),
    (re.compile(r"\blast month\b|上个月|上月|le mois (?:dernier|passé)", re.I), "month", -1),
    (re.compile(r"\bthis month\b|本月|这个月|ce mois(?:-ci)?\b", re.I), "month", 0),
    (re.compile(r"\bnext month\b|下个月|下月|le mois prochain", re.I), "month", 1),
    (_ago("years?", "年前", "ans?"), "year", -1),
    (re.compile(r"前年|the year before last|il y a deux ans", re.I), "year", -2),
    (re.compile(r"\blast year\b|去年|l'an (?:dernier|passé)|l'année (?:dernière|passée)", re.I), "year", -1),
    (re.compile(r"\bthis year\b|今年|cette année(?!-là)", re.I), "year", 0),
    (re.compile(r"\bnext year\b|明年|l'an prochain|l'année prochaine", re.I), "year", 1),
    (
        re.compile(r"\b(?:last|previous) quarter\b|上一?个?季度|le trimestre (?:dernier|précédent|passé)", re.I),
        "quarter",
        -1,
    ),
    (re.compile(r"\b(?:this|current) quarter\b|本季度|这个季度|ce trimestre", re.I), "quarter", 0),
    (re.compile(r"\bnext quarter\b|下一?个?季度|le (?:trimestre prochain|prochain trimestre)", re.I), "quarter", 1),
]
_RANGE_JOIN_WORDS = r"\s*(?:-|–|—|至|到|~|to|through|until|au|à|jusqu'(?:à|en|au))\s*"
_EN_MONTH_COUNT = "two|three|four|five|six|seven|eight|nine|ten|eleven"  # "the first nine months"
_FR_MONTH_COUNT = "deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze"  # « les neuf premiers mois »
_ANAPHORIC = re.compile(r"that year|same year|当年|同年|当时|cette année-là|la même année", re.I)
_PART_NUMBERS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "last": 4,
    "premier": 1, "deuxième": 2, "troisième": 3, "quatrième": 4, "dernier": 4, "1er": 1, "2e": 2, "3e": 3, "4e": 4,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "首": 1, "上": 1, "下": 2,
}  # fmt: skip
# A part of a year, its year written elsewhere: a quarter (q: Q1, T1 for « trimestre », 第一季度,
# "the first quarter", « le premier trimestre »), a half (h: H1, 上半年, "the first half",
# « le premier semestre »), the first n quarters (f: 前三季度, "the first three quarters") or the
# first n months (m: 前9个月, "the first nine months", « les neuf premiers mois »).
_ALONE = r"(?![0-9A-Za-z])"  # not H1N1, not Q10
_YEAR_PART = re.compile(
    rf"(?<![A-Za-z])[QT](?P<q1>[1-4]){_ALONE}|(?<!前)第?(?P<q2>[一二三四首1-4])\s*季度?"
    r"|\b(?P<q3>first|second|third|fourth|1st|2nd|3rd|4th|last)\s+quarters?\b"  # "first to third quarters"
    r"|\b(?P<q4>premier|deuxième|second|troisième|quatrième|dernier|1er|2e|3e|4e)\s+trimestres?\b"
    rf"|(?<![A-Za-z])H(?P<h1>[12]){_ALONE}|(?P<h2>[上下])半年"
    r"|\b(?P<h3>first|second|2nd)\s+half\b|\b(?P<h4>premier|second|deuxième|1er|2e)\s+semestre\b"
    r"|前(?P<f1>[两二三2-3])个?季度?|\bfirst\s+(?P<f2>two|three|2|3)\s+quarters\b"
    r"|\b(?P<f3>deux|trois|2|3)\s+premiers\s+trimestres\b"
    r"|前(?P<m1>\d{1,2}|[一二两三四五六七八九十]{1,2})个月|\bfirst\s+(?P<m2>\d{1,2}|"
    + _EN_MONTH_COUNT
    + r")\s+months\b"
    r"|\b(?P<m3>\d{1,2}|" + _FR_MONTH_COUNT + r")\s+premiers\s+mois\b",
    re.I,
)
# The year written just before or after a part of it: "2024 Q1", 2024年第一季度, "Q1-2024",
# "the first quarter of 2023", « le premier semestre de 2024 ».
_YEAR_BEFORE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*年?\s*[-/]?\s*$")
_YEAR_AFTER = re.compile(r"^\s*(?:of\s+|de\s+|d'|en\s+)?[-/,]?\s*(?P<year>(?:19|20)\d{2})(?!\d)", re.I)
# The first end of a range of quarters written as its number alone: « du premier au troisième
# trimestre », 一至三季度, "from the first to the third quarter"; and what may stand between the two
# ends of such a range: a joiner, with the first end's year before it or the last's after it.
_PART_LEAD = re.compile(
    r"(?:\b(?P<word>first|second|third|1st|2nd|3rd|premier|deuxième|troisième|1er|2e|3e)|(?<!\d)第?(?P<word_zh>[一二三])"
    r"|(?<!\d)第?(?P<digit>[1-3]))"
    rf"(?P<join>{_RANGE_JOIN_WORDS})(?:(?:the|le)\s+)?$",
    re.I,
)
_PART_JOIN = re.compile(
    rf"(?:\s*(?:[-/,]\s*)?(?P<y1>(?:19|20)\d{{2}})\s*年?)?{_RANGE_JOIN_WORDS}(?:(?:the|le)\s+)?"
    rf"(?:(?P<y2>(?:19|20)\d{{2}})\s*年?\s*)?",  # no two \s* side by side: quadratic on long runs of spaces
    re.I,
)
# 1Q24, Q1'24: a quarter of a year written by its last two digits
_SHORT_QUARTER = re.compile(r"(?<![A-Za-z0-9])(?:(?P<q1>[1-4])Q(?P<y1>\d{2})|Q(?P<q2>[1-4])\s*'(?P<y2>\d{2}))(?!\d)")
# "2023-24", "2023/24": two years, the second written by its last two digits (not "2011-12",
# which may as well be December 2011)
_YEAR_SPAN = re.compile(r"(?<!\d)(?P<first>(?:19|20)\d{2})\s*[-–/]\s*(?P<last>\d{2})(?![\d/-])")
# Fiscal years start in any month: they, their quarters and their halves are not the calendar's.
_FISCAL = re.compile(r"fiscal|(?<![A-Za-z])FY|财年|财政年度|exercice", re.I)
_YEAR_END = re.compile(
    r"\b(?:fin|end of|late|à la fin de)\s+(?P<y1>(?:19|20)\d{2})\b|(?P<y2>(?:19|20)\d{2})\s*年\s*[底末]", re.I
)
_MONTH_DAY = re.compile(
    rf"(?P<m1>\d{{1,2}})\s*月\s*(?P<d1>\d{{1,2}})\s*[日号]"
    rf"|\b(?P<mn1>{_MONTH_NAMES})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(?P<d3>\d{{1,2}}){_ORDINAL_OF}\s+(?P<mn2>{_MONTH_NAMES})\b",
    re.I,
)
# A month alone: "sept" is French for seven ("sept mois plus tard"), September only as "Sept."
_LONE_MONTH_NAMES = "|".join(sorted({*EN_MONTHS, *FR_MONTHS} - {"sept"}, key=len, reverse=True))
_MONTH_ONLY = re.compile(rf"(?<!\d)(?P<m1>\d{{1,2}})\s*月(?!\s*\d)|\b(?P<mn1>{_LONE_MONTH_NAMES}|sept(?=\.))\b", re.I)
# "next March", « en mars prochain »: the word next to the month says which March.
_DIRECTION_BEFORE = re.compile(r"\b(?P<word>next|last)\s+$", re.I)
_DIRECTION_AFTER = re.compile(r"^\s*(?P<word>prochain|dernier|passé)\b", re.I)
_DIRECTIONS = {"next": 1, "prochain": 1, "last": -1, "dernier": -1, "passé": -1}
# Words saying a date without a year is ahead: the first such date not before the reference.
_FUTURE = re.compile(
    r"将[于在]|预计|计划|拟于|即将|\bwill\b|\b(?:expected|scheduled|planned|set) (?:in|on|by|for|to)\b"
    r"|\bplans? to\b|\bintends? to\b|\bdue (?:in|on|by)\b|\bprévue?s? (?:en|le|pour|au|à|début|fin|mi)\b"
    r"|\bdevrait\b|\bprévoit de\b|\bcompte \w+(?:er|ir|re)\b",
    re.I,
)
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
}  # fmt: skip
_WEEKDAY = re.compile(
    r"\b(?P<word>[a-z]+day|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b"
    r"|(?:星期|礼拜|(?<![\d一二两三四五六七八九十几每])周)(?P<zh>[一二三四五六日天])",  # not 一周三次: thrice a week
    re.I,
)
_WEEKDAY_AND_COMMA = re.compile(rf"(?:{_WEEKDAY.pattern})(?:\s*,)?", re.I)
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[)）]")


def _without_weekdays(text: str) -> str:
    """The text without its weekday names, the comma after them and the brackets they leave
    empty ("Monday, March 25", 25日（周一）)."""
    weekday = _WEEKDAY_AND_COMMA.sub(
        lambda day: "" if _WEEKDAYS.get((day["word"] or day["zh"]).lower()) is not None else day.group(), text
    )
    return _EMPTY_BRACKETS.sub("", weekday)


_LATE_IN_YEAR = re.compile(r"\b(?:fin|end|late)\b|年底|年末", re.I)
_RANGE_JOIN = re.compile(_RANGE_JOIN_WORDS, re.I)
# Two ends of a range, either of them maybe incomplete: a day, month or year, a joiner, another
# ("du 3 au 5 mars 2024", "January to March 2024", 2023年10月-12月); not a place or an hour
# after « à » (« le 5 mars 2024 à Paris », « à 14h »), nor the Q1 of "Q1-2024"; ISO dates are
# taken out first. "between 2020 and 2023", « entre janvier et mars 2024 » too.
_HOUR_AFTER = r"(?![\d:]|\s*(?:h(?![a-z])|heures?\b|[ap]\.?m\b|o'clock|点|时))"
_END = rf"(?:(?:(?:the|le)\s+)?(?<![A-Za-z])\d{{1,4}}{_ORDINAL}{_HOUR_AFTER}\s*[年月日号]?|\b(?:{_MONTH_NAMES})\b\.?)"
_RANGE_SHAPE = re.compile(rf"{_END}(?P<join>{_RANGE_JOIN.pattern}){_END}", re.I)
# Two days of one month listed: « les 3 et 4 avril », "April 3 and 4", 4月3日和4日 (read as the days
# from the first to the last)
_DAY_LIST = re.compile(
    rf"(?<![A-Za-z\d])\d{{1,2}}{_ORDINAL}\s*[日号]?(?P<join>\s*(?:et|and|&|和|、)\s*(?:le\s+|the\s+)?)\d{{1,2}}{_ORDINAL}(?!\d)",
    re.I,
)
_BETWEEN = re.compile(rf"\b(?:between|entre)\s+(?P<first>{_END}.*?)\s+(?:and|et)\s+(?P<last>{_END}.*)", re.I)
_ISO_IN_TEXT = re.compile(r"\d{4}-\d{1,2}(?:-\d{1,2})?(?!\d)")  # 2024-03-10, 2024-3-10
# The date words next to a range's joiner: numbers, month names, 年月日号, "of", « de », commas.
# Numbers are whole (?!\d): a long run of digits split every way would take exponential time.
_DATE_WORD = rf"(?:\b(?:{_MONTH_NAMES})\b\.?|\d{{1,4}}(?!\d){_ORDINAL}|[年月日号]|\b(?:of|de|the|le)\b|,)"
_RUN_BEFORE = re.compile(rf"(?:{_DATE_WORD}\s*)+$", re.I)
_RUN_AFTER = re.compile(rf"^\s*(?:{_DATE_WORD}\s*)+", re.I)
_BARE_NUMBER = re.compile(r"(?:the\s+|le\s+)?\d{1,2}(?:er|st|nd|rd|th)?", re.I)  # a day or month, not a year
# The parts one end of a range writes: a year, a month (by number before 月, or by name), a day
# (before 日), or a number alone (3 in « du 3 au 5 mars », 2024年3-5月).
_DATE_PART = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)\s*年?|(?<!\d)(?P<zh_month>\d{1,2})\s*月|(?<!\d)(?P<zh_day>\d{1,2})\s*[日号]"
    rf"|\b(?P<month_name>{_MONTH_NAMES})\b\.?|(?<![A-Za-z0-9])(?P<number>\d{{1,2}}){_ORDINAL}{_ALONE}",
    re.I,
)


@dataclass(frozen=True)
class TimeReading:
    """What the words of a time expression say: a resolved ISO date, or only a month (and day)
    whose year the words leave open ("in March", « le mois de juillet », "3月23日")."""

    date: str | None
    precision: DatePrecision | None
    month: int | None = None
    day: int | None = None

    def admits(self, value: str) -> bool:
        """Whether an ISO date agrees with what the words say."""
        date_span = span(value)
        if date_span is None:
            return False
        if self.date is not None:
            own = span(self.date)
            return own is not None and own.overlaps(date_span)
        if self.month is None:
            return True
        if self.month not in _months(date_span):
            return False  # "in March" and 2024-Q2
        return self.day is None or date_span.days > 1 or date_span.start.day == self.day


@functools.lru_cache(maxsize=1 << 16)
def read_time_text(text: str, reference: str | None) -> TimeReading | None:
    """Read a time expression in zh, en or fr. Absolute dates are read as written; relative ones
    ("last month", 去年12月, « le mois dernier ») are resolved against the reference date, when
    it is precise enough; a month without a year stays a partial reading. None: no date in it,
    or a fiscal year or part of one ("fiscal 2025", 2025财年 Q1), which is not the calendar's
    (Nvidia's fiscal 2025 ended in January 2025, Microsoft's in June). Full-width digits
    (２０２２年) are read as digits."""
    text = _with_digits(unicodedata.normalize("NFKC", text).replace("’", "'"))
    text = _MAY_THE_VERB.sub("", text)
    reading = _read_time(text, reference)
    if reading is not None and reading.precision == DatePrecision.YEAR and _FISCAL.search(text):
        return None
    return reading


# "may" in lower case is the verb ("regulators may rule by June"), May the month is capitalized
_MAY_THE_VERB = re.compile(r"\bmay\b")
# Chinese numerals in a date: 二〇二三年三月十五日 is 2023年3月15日 (not 两: 两月 is two months)
_ZH_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=\s*年)")
_ZH_MONTH = re.compile(r"(?<![一二三四五六七八九十两几数])(?:十[一二]?|[一二三四五六七八九])(?=\s*月)")
_ZH_DAY = re.compile(r"(?<=月)\s*(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?=\s*[日号])")
_ZH_DIGIT = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _with_digits(text: str) -> str:
    """The text with the Chinese numerals of its years, months and days as digits."""
    text = _ZH_YEAR.sub(lambda m: m.group().translate(_ZH_DIGIT), text)
    text = _ZH_MONTH.sub(lambda m: str(chinese_number(m.group())), text)
    return _ZH_DAY.sub(lambda m: str(chinese_number(m.group().strip())), text)


def _read_time(text: str, reference: str | None) -> TimeReading | None:
    reference_span = span(reference) if reference else None
    precision = parse_iso(reference) if reference else None
    parts = list(_YEAR_PART.finditer(text))
    if parts and _FISCAL.search(text):
        return None  # a fiscal year's quarters and halves are not the calendar's
    lead = _range_lead(text, parts[0]) if len(parts) == 1 else None
    if len(parts) > 1 or lead:
        return _read_part_range(text, parts, lead, reference_span)
    absolute = _read_absolute(text)
    if absolute is not None and absolute.precision == DatePrecision.RANGE:
        return absolute
    ends = _range_ends(_without_weekdays(text))  # « du lundi 25 au mercredi 27 »; they still pick the year
    if ends is not None:  # None when it cannot be completed: never one of its ends
        return _read_range(*ends, lambda end: _year_of(text, end.month, end.day, 0, reference_span, precision))
    if absolute is not None:
        return absolute
    relative = _read_relative(text, reference_span, precision)
    if relative is not None:
        return relative
    return _read_partial(text, reference_span, precision)


def _read_absolute(text: str) -> TimeReading | None:
    part = _YEAR_PART.search(text)
    if part:
        year = _YEAR_BEFORE.search(text[: part.start()]) or _YEAR_AFTER.search(text[part.end() :])
        if year:
            return _part_of_year(part, int(year.group("year")))
    short = _SHORT_QUARTER.search(text)
    if short:  # 1Q24, Q1'24: the analysts' quarter of a two-digit year
        return TimeReading(f"20{short['y1'] or short['y2']}-Q{short['q1'] or short['q2']}", DatePrecision.QUARTER)
    years = _YEAR_SPAN.search(text)
    if years and int(years["last"]) > 12 and (int(years["first"]) + 1) % 100 == int(years["last"]):  # a season
        return TimeReading(f"{years['first']}/{int(years['first']) + 1}", DatePrecision.RANGE)
    year_end = _YEAR_END.search(text)
    if year_end:
        return TimeReading(f"{year_end.group('y1') or year_end.group('y2')}-Q4", DatePrecision.QUARTER)
    found = find_dates(text, short_years=True)
    if not found:
        return None
    if len(found) >= 2 and _RANGE_JOIN.fullmatch(text[found[0].char_end : found[1].char_start]):
        interval = f"{found[0].date}/{found[1].date}"
        if parse_iso(interval) is not None:
            return TimeReading(interval, DatePrecision.RANGE)
    return TimeReading(found[0].date, found[0].precision)


def _part_of_year(part: re.Match[str], year: int) -> TimeReading | None:
    """The part of `year` a match of _YEAR_PART names: a quarter, or a range of months; None for
    one longer than the year ("the first 18 months")."""
    kind, number = _kind_and_number(part)
    months = _months_of_part(kind, number)
    if months is None:
        return None
    if kind == "q":
        return TimeReading(f"{year:04d}-Q{number}", DatePrecision.QUARTER)
    first, last = months
    return TimeReading(f"{year:04d}-{first:02d}/{year:04d}-{last:02d}", DatePrecision.RANGE)


def _range_lead(text: str, part: re.Match[str]) -> re.Match[str] | None:
    """The first end of a range of quarters written before `part` as its number alone (see
    _PART_LEAD); a bare digit only before a quarter in Chinese (1-3季度, not "top 3 - Q3 2024")."""
    lead = _PART_LEAD.search(text[: part.start()])
    return None if lead is None or (lead.group("digit") and part.group("q2") is None) else lead


def _kind_and_number(part: re.Match[str]) -> tuple[str, int]:
    """What a match of _YEAR_PART names: its kind (q, h, f or m) and its number."""
    group, word = next((k, v) for k, v in part.groupdict().items() if v)
    return group[0], _part_number(word)


def _months_of_part(kind: str, number: int) -> tuple[int, int] | None:
    """The first and last month of a quarter, a half, the first n quarters or the first n months;
    None past the year."""
    first, last = {"q": (3 * number - 2, 3 * number), "h": (6 * number - 5, 6 * number), "f": (1, 3 * number),
                   "m": (1, number)}[kind]  # fmt: skip
    return (first, last) if 1 <= first <= last <= 12 else None


def _read_part_range(
    text: str, parts: list[re.Match[str]], lead: re.Match[str] | None, reference: Span | None
) -> TimeReading | None:
    """A range of quarters or of halves: "Q3 2023 to Q1 2024", 2023年Q1至Q3, "H2 2023 - H1 2024",
    « du premier au troisième trimestre 2023 », « du premier au second semestre » and 今年一至三季度
    (the first end a number alone, in `lead`). A year written at one end only is both's; with
    none, a relative year word gives it, as for one quarter. None for two parts of years that are
    not one range."""
    if lead:  # a number alone: of the kind the other end names (trimestre, semestre, 季度)
        first_kind, _ = _kind_and_number(parts[0])
        first_number = _part_number(lead.group("word") or lead.group("word_zh") or lead.group("digit"))
        first_start, first_end, last = lead.start(), lead.start("join"), parts[0]
    elif len(parts) == 2:
        first_kind, first_number = _kind_and_number(parts[0])
        first_start, first_end, last = parts[0].start(), parts[0].end(), parts[1]
    else:
        return None
    last_kind, last_number = _kind_and_number(last)
    between = _PART_JOIN.fullmatch(text[first_end : last.start()])
    first_months, last_months = _months_of_part(first_kind, first_number), _months_of_part(last_kind, last_number)
    if between is None or first_kind != last_kind or first_kind not in "qh" or not first_months or not last_months:
        return None
    before, after = _YEAR_BEFORE.search(text[:first_start]), _YEAR_AFTER.search(text[last.end() :])
    written_first = between.group("y1") or (before.group("year") if before else None)
    written_last = between.group("y2") or (after.group("year") if after else None)
    first_year = int(written_first) if written_first else None
    last_year = int(written_last) if written_last else first_year or _relative_year(text, reference)
    if last_year is None:
        return None
    if first_year is None:  # "Q4 to Q1 2024" starts the year before
        first_year = last_year - 1 if first_months[0] > last_months[0] else last_year
    if (first_year, first_months[0]) > (last_year, last_months[0]):
        return None
    return TimeReading(
        f"{first_year:04d}-{first_months[0]:02d}/{last_year:04d}-{last_months[1]:02d}", DatePrecision.RANGE
    )


def _part_number(word: str) -> int:
    if word.isdigit():
        return int(word)
    lowered = word.lower()
    return _PART_NUMBERS.get(lowered) or _SMALL_NUMBERS.get(lowered) or chinese_number(lowered) or 0


def _range_ends(text: str) -> tuple[str, str] | None:
    """The date words of each end, when the text writes a range: the run of date words before
    the joiner and the run after it ("10 employees in March 2024" ends at "10"). Two bare numbers
    ("between 5 and 10 employees", "up 10-15%") are no range."""
    between = _BETWEEN.search(text)
    if between:
        first, last = between.group("first"), between.group("last")
    else:
        without_iso = _ISO_IN_TEXT.sub(lambda iso: " " * len(iso.group()), text)
        shape = _RANGE_SHAPE.search(without_iso) or _DAY_LIST.search(without_iso)
        if shape is None:
            return None
        first, last = text[: shape.start("join")], text[shape.end("join") :]
    before, after = _RUN_BEFORE.search(first), _RUN_AFTER.search(last)
    ends = before.group() if before else "", after.group() if after else ""
    if all(_BARE_NUMBER.fullmatch(end.strip()) for end in ends):
        return None
    return ends


def _read_range(first: str, last: str, year_of: Callable[[_Parts], int | None]) -> TimeReading | None:
    """A range whose ends share what one of them leaves out: « du 3 au 5 mars 2024 » is March 3
    to 5, 2024; "December to February 2024" starts in 2023. With no year written, the range
    ends in the year `year_of` gives its end (from the reference date, as for a lone month).
    None when an end is unreadable or no year can be found."""
    written_first, written_last = _date_parts(first), _date_parts(last)
    if written_first is None or written_last is None:
        return None
    start, end = written_first.typed_like(written_last), written_last.typed_like(written_first)
    if start is None or end is None:
        return None
    month_shared = start.month is None or end.month is None
    start = start if start.month is not None else start._replace(month=end.month)  # du 3 au 5 mars
    end = end if end.month is not None else end._replace(month=start.month)  # March 3-5, 2024
    if start.year is None and end.year is None:
        end = end._replace(year=year_of(end) if end.month is not None else None)
        if end.year is None:
            return None
    first_iso, last_iso = start.filled(end).iso(), end.filled(start).iso()
    reversed_ = first_iso is not None and last_iso is not None and first_iso > last_iso and not month_shared
    if reversed_ and start.year is None:
        first_iso = start.filled(end, years_later=-1).iso()  # "December to February 2024"
    elif reversed_ and end.year is None:
        last_iso = end.filled(start, years_later=1).iso()  # 2023年11月-2月
    interval = f"{first_iso}/{last_iso}"
    if first_iso is None or last_iso is None or parse_iso(interval) is None:
        return None
    return TimeReading(interval, DatePrecision.RANGE)


class _Parts(NamedTuple):
    """The parts one end of a range writes; `number` is a number written without its unit."""

    year: int | None
    month: int | None
    day: int | None
    number: int | None = None

    def typed_like(self, other: _Parts) -> _Parts | None:
        """A number without its unit is the day of a month written beside it, else the same unit
        as the other end's finest part (« du 3 au 5 mars »: a day; 2024年3-5月: a month)."""
        if self.number is None:
            return self
        if self.month is not None or other.day is not None or (other.number is not None and other.month is not None):
            return None if self.day is not None else self._replace(day=self.number, number=None)
        if other.month is not None:
            return None if self.month is not None else self._replace(month=self.number, number=None)
        return None

    def filled(self, other: _Parts, years_later: int = 0) -> _Parts:
        """This end with the other's year when it writes none (that many years later)."""
        return self if self.year is not None else self._replace(year=(other.year or 0) + years_later)

    def iso(self) -> str | None:
        return _iso(self.year, self.month, self.day) if self.year else None


def _date_parts(words: str) -> _Parts | None:
    """The parts one end of a range writes; None if it writes none, or one twice."""
    parts: dict[str, int] = {}
    for match in _DATE_PART.finditer(words):
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        field = {"zh_month": "month", "month_name": "month", "zh_day": "day"}.get(kind, kind)
        if field in parts:
            return None
        is_name = kind == "month_name"
        parts[field] = (EN_MONTHS.get(value.lower()) or FR_MONTHS[value.lower()]) if is_name else int(value)
    if not parts:
        return None
    return _Parts(parts.get("year"), parts.get("month"), parts.get("day"), parts.get("number"))


def _count(match: re.Match[str]) -> int:
    word = next((v for k, v in match.groupdict().items() if k.startswith("n") and v), None)
    if word is None:
        return 1
    if word.isdigit():
        return int(word)
    return _SMALL_NUMBERS.get(word.lower()) or chinese_number(word)


def _read_relative(text: str, reference: Span | None, precision: DatePrecision | None) -> TimeReading | None:
    for pattern, unit, step in _RELATIVE:
        match = pattern.search(text)
        if not match:
            continue
        if reference is None or precision is None:
            return None  # relative, but nothing to resolve it against: no date rather than a guess
        offset = step * _count(match)  # "3 days ago": three steps back
        try:
            reading = _resolve(text, unit, offset, reference, precision)
        except (OverflowError, ValueError):  # "99999999天前": before the calendar
            return None
        return reading if reading is None or reading.date is None or parse_iso(reading.date) else None
    return None


_UNIT_PRECISION = {"day": 0, "week": 1, "month": 2, "quarter": 3, "year": 4}
_PRECISION_RANK = {DatePrecision.DAY: 0, DatePrecision.MONTH: 2, DatePrecision.QUARTER: 3, DatePrecision.YEAR: 4}


def _resolve(text: str, unit: str, offset: int, reference: Span, precision: DatePrecision) -> TimeReading | None:
    if _PRECISION_RANK.get(precision, 4) > _UNIT_PRECISION[unit]:
        return None  # "yesterday" against a reference known only to the month: cannot tell
    ref = reference.start
    if unit == "day":
        day = ref + datetime.timedelta(days=offset)
        return TimeReading(day.isoformat(), DatePrecision.DAY)
    if unit == "week":
        monday = ref - datetime.timedelta(days=ref.weekday()) + datetime.timedelta(weeks=offset)
        sunday = monday + datetime.timedelta(days=6)
        return TimeReading(f"{monday.isoformat()}/{sunday.isoformat()}", DatePrecision.RANGE)
    if unit == "month":
        year, month = _shift_months(ref.year, ref.month, offset)
        return TimeReading(f"{year:04d}-{month:02d}", DatePrecision.MONTH)
    if unit == "quarter":
        year, quarter = divmod(ref.year * 4 + (ref.month - 1) // 3 + offset, 4)
        return TimeReading(f"{year:04d}-Q{quarter + 1}", DatePrecision.QUARTER)
    year = ref.year + offset
    partial = _read_partial(text, None, None)
    if partial is not None and partial.month is not None:  # 去年12月, "in October last year"
        iso = _iso(year, partial.month, partial.day)
        return TimeReading(iso, DatePrecision.DAY if partial.day else DatePrecision.MONTH) if iso else None
    part = _YEAR_PART.search(text)
    if part:  # 去年第四季度, "the first half of last year"
        return _part_of_year(part, year)
    if _LATE_IN_YEAR.search(text):  # « à la fin de l'année dernière », 去年年底
        return TimeReading(f"{year:04d}-Q4", DatePrecision.QUARTER)
    return TimeReading(f"{year:04d}", DatePrecision.YEAR)


def _read_partial(text: str, reference: Span | None, precision: DatePrecision | None) -> TimeReading | None:
    """A month (and day) without a year; resolved to the latest such date not after the reference
    when the words do not point elsewhere ("that year", 当时; "next March" is the first March
    after the reference's month, "last March" the last one before it)."""
    month_day = _MONTH_DAY.search(text)
    match = month_day or _MONTH_ONLY.search(text)
    if match is None:
        return None
    groups = {k: v for k, v in match.groupdict().items() if v}
    name = next((v for k, v in groups.items() if k.startswith("mn")), None)
    month = EN_MONTHS.get(name.lower()) or FR_MONTHS.get(name.lower()) if name else int(groups["m1"])
    if month is None or not 1 <= month <= 12:
        return None
    day_text = next((v for k, v in groups.items() if k.startswith("d")), None)
    day = int(day_text) if day_text else None
    partial = TimeReading(None, None, month, day)
    direction = _DIRECTION_BEFORE.search(text[: match.start()]) or _DIRECTION_AFTER.search(text[match.end() :])
    year = _year_of(text, month, day, _DIRECTIONS[direction["word"].lower()] if direction else 0, reference, precision)
    iso = _iso(year, month, day) if year is not None else None
    if iso is None:
        return partial
    return TimeReading(iso, DatePrecision.DAY if day else DatePrecision.MONTH, month, day)


def _year_of(
    text: str,
    month: int | None,
    day: int | None,
    direction: int,
    reference: Span | None,
    precision: DatePrecision | None,
) -> int | None:
    """The year of a month (and day) written without one: the year a relative word gives (去年1月
    至3月), else the one its weekday fits ("Friday, March 29"), else the latest such date not after
    the reference — the first not before it after a future word (将于4月, "expected in May") — or
    with `direction` +1 the first after it, -1 the last before it ("next March", « le 20 mars
    dernier »). None when the reference is not precise enough or the words point elsewhere ("that
    year", 当时)."""
    if reference is None or month is None or _ANAPHORIC.search(text):
        return None
    offsets = _year_offsets(text)
    if offsets:
        return _shifted_year(reference, offsets)
    ref = reference.start
    weekdays = (_WEEKDAYS.get((m.group("word") or m.group("zh")).lower()) for m in _WEEKDAY.finditer(text))
    named_days = {d for d in weekdays if d is not None}  # "birthday" is no weekday
    if named_days and day is not None:  # "Friday, March 29": the year it is a Friday in
        fitting = [y for y in (ref.year - 1, ref.year, ref.year + 1) if _iso(y, month, day) and
                   datetime.date(y, month, day).weekday() in named_days]  # fmt: skip
        if fitting:  # « du lundi 25 au mercredi 27 mars »: the nearest year either weekday fits
            return min(fitting, key=lambda y: abs((datetime.date(y, month, day) - ref).days))
    if precision not in (DatePrecision.DAY, DatePrecision.MONTH):
        return None
    known_day = day is not None and precision == DatePrecision.DAY
    if not direction and _FUTURE.search(text):
        ahead = (month, day) >= (ref.month, ref.day) if known_day else month >= ref.month
        return ref.year if ahead else ref.year + 1
    if direction and (known_day or month != ref.month or day is None):
        later = (month, day) > (ref.month, ref.day) if known_day else month > ref.month
        earlier = (month, day) < (ref.month, ref.day) if known_day else month < ref.month
        if direction > 0:
            return ref.year if later else ref.year + 1
        return ref.year if earlier else ref.year - 1
    reference_day = ref.day if precision == DatePrecision.DAY else 31
    return ref.year if (month, day or 1) <= (ref.month, reference_day) else ref.year - 1


def _relative_year(text: str, reference: Span | None) -> int | None:
    """The year one relative word gives (去年 → the reference's year - 1); None with several, or
    words pointing elsewhere ("that year", 当时), or past the calendar ("3000年前3月")."""
    if reference is None or _ANAPHORIC.search(text):
        return None
    return _shifted_year(reference, _year_offsets(text))


def _shifted_year(reference: Span, offsets: list[int]) -> int | None:
    """The reference's year moved by the one relative year word's offset; None for none or several."""
    if len(offsets) != 1:
        return None
    year = reference.start.year + offsets[0]
    return year if 1 <= year <= 9999 else None


def _year_offsets(text: str) -> list[int]:
    """What each relative year word in the text counts from the reference's year (去年: -1)."""
    return [step * _count(m) for pattern, unit, step in _RELATIVE if unit == "year" for m in pattern.finditer(text)]


def ordinal_year(ordinal: int) -> int:
    return datetime.date.fromordinal(ordinal).year
