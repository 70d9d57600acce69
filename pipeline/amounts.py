"""Amounts: reading "近1亿美元", "approximately US$100 million" or « 100 millions de dollars » as
a value, a currency and an "approximate" flag.

Written by hand: number-parsing libraries we know read one language's digits and words, not
Chinese 万/亿 next to French decimal commas and English scale words in one pass.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

# Where two overlap the longer wins: "US$" over "$", 美元 over 元, "Singapore dollars" over "dollars".
CURRENCY_WORDS = {
    "hk$": "HKD",
    "nz$": "NZD",
    "singapore dollars": "SGD",
    "dollars de singapour": "SGD",
    "taiwan dollars": "TWD",
    "dollars taïwanais": "TWD",
    "dollars taiwanais": "TWD",
    "dollars néo-zélandais": "NZD",
    "dollars singapouriens": "SGD",
    "new zealand dollars": "NZD",
    "swiss francs": "CHF",
    "francs suisses": "CHF",
    "chf": "CHF",
    "新加坡元": "SGD",
    "澳门元": "MOP",
    "加拿大元": "CAD",
    "澳大利亚元": "AUD",
    "新西兰元": "NZD",
    "瑞士法郎": "CHF",
    "台币": "TWD",
    "ca$": "CAD",
    "c$": "CAD",
    "au$": "AUD",
    "a$": "AUD",
    "s$": "SGD",
    "nt$": "TWD",
    "canadian dollars": "CAD",
    "dollars canadiens": "CAD",
    "australian dollars": "AUD",
    "dollars australiens": "AUD",
    "hong kong dollars": "HKD",
    "dollars de hong kong": "HKD",
    "港元": "HKD",
    "港币": "HKD",
    "新台币": "TWD",
    "日元": "JPY",
    "韩元": "KRW",
    "澳元": "AUD",
    "加元": "CAD",
    "yen": "JPY",
    "yens": "JPY",
    "yuan": "CNY",
    "korean won": "KRW",
    "新元": "SGD",
    "新币": "SGD",
    "韩币": "KRW",
    "日币": "JPY",
    "卢布": "RUB",
    "yuans": "CNY",
    "renminbi": "CNY",
    "dollars hk": "HKD",
    "dollars hongkongais": "HKD",
    "₩": "KRW",
    "₹": "INR",
    "rs": "INR",
    "sek": "SEK",
    "rub": "RUB",
    "wons": "KRW",
    "r$": "BRL",
    "jpy": "JPY",
    "krw": "KRW",
    "hkd": "HKD",
    "twd": "TWD",
    "sgd": "SGD",
    "aud": "AUD",
    "cad": "CAD",
    "nzd": "NZD",
    "inr": "INR",
    "brl": "BRL",
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "美元": "USD",
    "美金": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "欧元": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "livres sterling": "GBP",
    "pounds": "GBP",
    "pound": "GBP",
    "英镑": "GBP",
    "镑": "GBP",
    "¥": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "人民币": "CNY",
    "元": "CNY",
}
SCALE_WORDS = {
    "trillion": 1e12,
    "tn": 1e12,
    "bln": 1e9,
    "bil": 1e9,
    "mln": 1e6,
    "crore": 1e7,
    "crores": 1e7,
    "lakh": 1e5,
    "lakhs": 1e5,
    "兆": 1e12,  # Taiwan's and Japan's trillion: 1.2兆新台币
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "md": 1e9,
    "mds": 1e9,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "mille": 1e3,
    "k": 1e3,
    "万亿": 1e12,
    "萬億": 1e12,
    "亿": 1e8,
    "億": 1e8,
    "万": 1e4,
    "萬": 1e4,
    "千": 1e3,
    "百万": 1e6,
    "百萬": 1e6,
}
# Words marking an amount approximate, each right before the number (or its currency) or, for
# 多, 余, 左右 and "-plus", right after it: "over the weekend it raised $200 million" is exact, as
# 纽约 (New York), 近日 (recently), 多家 (several) and 余承东 (a name) are no markers.
_AHEAD = r"(?=\s*(?:US\$|HK\$|[$€£¥₹]|\d|(?:a|an|one|half|un|une|deux|trois|dix|cent|mille)\b))"
_ZH_AHEAD = r"(?=\s*(?:\d|[一二两三四五六七八九十百千万亿]))"
APPROXIMATE_MARKERS = re.compile(
    r"\b(?:about|around|approximately|approx\.?|nearly|almost|roughly|some|over|more than|up to|less than|under|"
    r"close to|at least|as much as|as many as|an estimated|estimated|upwards of|north of|in excess of|environ|"
    r"près de|presque|quelque|plus de|moins de|autour de|au moins|jusqu'à|quasiment)"
    + _AHEAD
    + r"|\b(?:plus|près|moins) d['’]|~|≈|(?<=[0-9A-Za-z])\+(?!\s*\d)|-plus\b"
    r"|(?:近|约合?|大约|将近|接近|超过|超|逾|不到|大概|上)"
    + _ZH_AHEAD
    + r"|(?<=[\d十百千万亿])(?:多|余)|(?<=[\d十百千万亿元币金镑])\s*(?:左右|上下)|数(?=[十百千万亿])",
    re.IGNORECASE,
)
# Vague quantities ("tens of millions", « des centaines de millions », 数百万): no value at all.
VAGUE = re.compile(
    r"\b(?:tens|hundreds|dozens|several|dizaines|centaines|plusieurs|quelques)\b|[数几][十百千万亿萬億]|十几|成千上万"
    r"|\b(?:dizaine|douzaine|vingtaine|trentaine|cinquantaine|centaine)\b",
    re.I,
)
# Scale words with no number: "millions of dollars", « des milliards d'euros » (« 100 millions de
# dollars » has one)
COUNTLESS = re.compile(
    r"\b(?:millions|billions|trillions|milliards)\s+(?:of|de|d['’])|\bdes\s+(?:millions|milliards)\b", re.I
)

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_NUMBER = re.compile(r"[零〇一二两兩三四五六七八九十百千]+")
_EN_NUMBER_WORDS = {  # read only before a scale word: "a million", but not "a record sum"
    "half a": 0.5, "un demi": 0.5,
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100,
    "one and a half": 1.5, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60, "cent": 100, "mille": 1000,
}  # fmt: skip
# A number: 1,000,000 / 1 000 000 (any space) / 1.5 / 1,5 (French decimal comma).
_DIGITS = re.compile(
    r"\d{1,3}(?:(?:,|[ \u00a0\u202f])\d{3})+(?:\.\d+)?(?!\d)|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?(?![\d.])|\d+(?:[.,]\d+)?"
)
_MINUS = re.compile(r"(?:^|\s)[-−]\s*(?:US\$|[$€£¥])?\s*$")  # just before the number, a currency between
# The high end of a range after its low end: "10–20 million", « 10 à 20 millions », 10至20亿.
_RANGE = re.compile(r"\s*(?:-|–|—|~|to|à|au|至|到)\s*(?:US\$|[$€£¥])?\s*\d+(?:[.,]\d+)?", re.I)
_BETWEEN = re.compile(r"\b(?:between|entre)\s+(?:US\$|[$€£¥])?\s*$", re.I)  # "between 10 and 20 million"
_BETWEEN_RANGE = re.compile(r"\s*(?:and|et)\s*(?:US\$|[$€£¥])?\s*\d+(?:[.,]\d+)?", re.I)
# Full-width forms as Chinese text writes them (１２．５万, ＄5, ￥100): read as their ASCII forms.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0xFFE5: "¥", 0xFFE1: "£", 0x3000: " "}
_ZH_LOWER_PARTS = (  # what follows 亿 or 万: so many 万 (五千万, 零500万), else so many 千 (5千)
    re.compile(r"零?(?P<n>\d+(?:\.\d+)?[千百]?|[零〇一二两兩三四五六七八九十百千]+)(?P<scale>万|萬)"),
    re.compile(r"零?(?P<n>\d+(?:\.\d+)?|[零〇一二两兩三四五六七八九十百]+)(?P<scale>千)"),
)
_CURRENCY = re.compile(
    "|".join(
        rf"(?<![a-z]){re.escape(word)}(?![a-z])" if word.isascii() and word[-1].isalpha() else re.escape(word)
        for word in sorted(CURRENCY_WORDS, key=len, reverse=True)  # at one place, the longest word
    )
)
# "won" is the currency only right after a number or a scale word: "1.2 trillion won", "500 won";
# elsewhere it is a verb ("won a $10 million contract")
_WON = re.compile(r"(?:\d|illions?|\btn|\bbn|\bm)\s*won(?![a-z])")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_EN_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)
_AND_A_HALF = re.compile(r"\s*(?:et demi|and a half)\b", re.I)  # « un milliard et demi »
_SCALE = "|".join(sorted((re.escape(w) for w in SCALE_WORDS), key=len, reverse=True))
# A Latin scale letter ends there: "10 m" is ten million, "10 mètres" and "100 m²" are not. Also
# 3个亿 and "$1.5-billion".
_AFTER_NUMBER = re.compile(
    rf"\s*(?:多|余)?个?(?:-(?=[mbt]r?illi)|de\s+|d['’])?(?P<scale>{_SCALE})(?![a-z\u00c0-\u024f²³])", re.I
)  # a hyphen only before a word: "$1.5-billion", not "Form 10-K"


@dataclass(frozen=True)
class AmountReading:
    value: float | None
    currency: str | None
    approximate: bool


@functools.lru_cache(maxsize=1 << 16)
def read_amount(text: str) -> AmountReading | None:
    """The value, currency and approximate flag written in `text`; None when it has neither a
    number nor a currency. "M€" and "k$" read as a scale followed by a currency."""
    text = text.translate(_HALF_WIDTH)
    number = _DIGITS.search(text) or _ZH_NUMBER.search(text)
    currency = find_currency(text, number.span() if number else (0, 0))
    approximate = APPROXIMATE_MARKERS.search(text) is not None
    value, ranged = _read_value(text)
    if VAGUE.search(text) or (value is None and COUNTLESS.search(text)):
        return AmountReading(None, currency, True)
    if value is None and currency is None:
        return None
    return AmountReading(value, currency, approximate or ranged)


def find_currency(text: str, number: tuple[int, int] = (0, 0)) -> str | None:
    """The currency written nearest to the number (its start and end): "1400万美元（约合1亿元人民币）"
    is in dollars, « 92 M€ (100 millions de dollars) » in euros, "the dollar value of 5 million
    euros" in euros."""
    start, end = number
    folded = text.casefold()
    found = [(m.start(), m.end(), CURRENCY_WORDS[m.group()]) for m in _CURRENCY.finditer(folded)]
    found += [(m.end() - 3, m.end(), "KRW") for m in _WON.finditer(folded)]
    nearest = min(found, key=lambda m: (max(m[0] - end, start - m[1], 0), m[0]), default=None)
    return nearest[2] if nearest else None


def _read_value(text: str) -> tuple[float | None, bool]:
    """The value written, and whether it is the low end of a range."""
    ranged = False
    number = _DIGITS.search(text)
    if number is not None:
        value = _parse_digits(number.group(0))
        if _MINUS.search(text[: number.start()]):  # "-$5 million", a loss
            value = -value
        rest = text[number.end() :]
        between = _BETWEEN.search(text[: number.start()])
        upper = _RANGE.match(rest) or (_BETWEEN_RANGE.match(rest) if between else None)
        own = _AFTER_NUMBER.match(rest)
        if upper is not None:  # "$10–20 million": the low end, at the scale written after the high one
            rest, ranged = rest[upper.end() :], True
        elif own is not None and (_RANGE.match(rest, own.end()) or (between and _BETWEEN_RANGE.match(rest, own.end()))):
            ranged = True  # "$1.5 million to $2 million", 5000万-1亿美元: the low end, at its own scale
    else:
        zh = _ZH_NUMBER.search(text)
        words = _NUMBER_WORD.finditer(text)
        word = next((w for w in words if _AFTER_NUMBER.match(text[w.end() :])), None)  # "a round of one billion"
        if zh is not None:
            value, rest = float(chinese_number(zh.group(0))), text[zh.end() :]
        elif word is not None:
            value, rest = float(_EN_NUMBER_WORDS[word.group(1).lower()]), text[word.end() :]
        else:
            return None, False
    scale = _AFTER_NUMBER.match(rest)
    unit = 1.0
    while scale is not None:  # 1.2万亿, "1 billion", 10 millions de, « mille milliards »
        scale_word = scale.group("scale").lower()
        unit = SCALE_WORDS[scale_word]
        value *= unit
        rest = rest[scale.end() :]
        scale = _AFTER_NUMBER.match(rest) if rest[:1] in "万亿萬億" or scale_word == "mille" else None
    if unit > 1 and _AND_A_HALF.match(rest):  # half of the last scale: « deux milliards et demi » is 2.5e9
        value += unit / 2
    lower = next(filter(None, (part.match(rest) for part in _ZH_LOWER_PARTS)), None)
    if lower is not None and SCALE_WORDS[lower.group("scale")] < unit:  # 1亿2000万, 两亿五千万, 2万5千
        value += _parse_mixed(lower.group("n")) * SCALE_WORDS[lower.group("scale")]
    return (value if math.isfinite(value) else None), ranged  # 400 digits are not an amount


def _parse_digits(written: str) -> float:
    compact = re.sub(r"[ \u00a0\u202f]", "", written)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", compact):
        return float(compact.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?", compact):  # 1.234.567,5: dots group thousands
        return float(compact.replace(".", "").replace(",", "."))
    return float(compact.replace(",", "."))


def _parse_mixed(written: str) -> float:
    """5千 → 5000, 2000 → 2000, 五千 → 5000."""
    if not written[0].isdigit():
        return float(chinese_number(written))
    return float(written.rstrip("千百")) * _ZH_UNITS.get(written[-1], 1)


def chinese_number(written: str) -> int:
    """一千二百 → 1200; 十二 → 12; scale words 万/亿 are read by the caller."""
    total, digit = 0, 0
    for char in written:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        else:
            total += (digit or 1) * _ZH_UNITS[char]
            digit = 0
    return total + digit
