"""Normalize: deterministic clean-up of what the model returned, before anything is compared.

The model proposes; code decides the format. Dates must be ISO and carry the precision their
format shows, currencies become ISO codes, names are trimmed and participants deduplicated.
"""

from __future__ import annotations

import pycountry

from pipeline import dates
from pipeline.amounts import CURRENCY_WORDS, read_amount
from pipeline.events import Amount, DatePrecision, EventBase, Participant, TimeRef

_NO_CURRENCY = frozenset({"XXX", "XTS"})  # ISO 4217's codes for "no currency" and for testing
# In the currency field "won" is the currency; in a text it may be the verb (pipeline.amounts)
_FIELD_CURRENCY_WORDS = {**CURRENCY_WORDS, "won": "KRW"}


def normalize_time(time: TimeRef | None, reference: str | None = None) -> TimeRef | None:
    """The date the words support, at the precision they give.

    The words (`time.text`) are read in code, relative ones against the document's reference
    date. A model date they contradict is replaced by their reading, or dropped when they
    cannot place it; a model date more precise than the words ("2024-03-23" for « fin mars »)
    is cut to their precision; a model date with no readable words ("that year", 当时), or with
    relative words and no reference date here to resolve them, is kept: extraction resolved
    them against the document's date, which a later reconciliation of the mentions alone may
    not know. A time already in this form comes back as the same object."""
    if time is None:
        return None
    fields = _time_fields(time.text, time.date, reference)
    if fields is None:
        return None
    text, date = fields
    precision = dates.parse_iso(date) if date else None
    if (text, date, precision) == (time.text, time.date, time.precision):
        return time
    return TimeRef(text=text, date=date, precision=precision)


def _time_fields(
    given_text: str | None, given_date: str | None, reference: str | None
) -> tuple[str | None, str | None] | None:
    """The (text, date) a time normalizes to, None for no time (reading the words is cached in
    pipeline.dates: the same few, "2023年6月", « fin mars », recur across many mentions)."""
    text = (given_text or "").strip() or None
    date = (given_date or "").strip() or None
    if date is not None and dates.parse_iso(date) is None:
        date = None
    reading = dates.read_time_text(text, reference) if text else None
    if reading is not None:
        date = _supported_date(date, reading)
    if date is None and text is None:
        return None
    return text, date


def _supported_date(date: str | None, reading: dates.TimeReading) -> str | None:
    if reading.date is not None:
        return reading.date  # the words resolve on their own: they decide, at their precision
    if date is None or not reading.admits(date):
        return None
    if reading.day is None and dates.parse_iso(date) == DatePrecision.DAY:
        return date[:7]  # « en mars » with a model day: the month the words give, in the model's year
    return date


def normalize_currency(currency: str | None) -> str | None:
    """The ISO 4217 code of what the model put in the currency field ("US$", « euros », "won",
    "jpy"); None for what names no currency ("MLN", "N/A")."""
    if currency is None:
        return None
    cleaned = currency.strip()
    code = _FIELD_CURRENCY_WORDS.get(cleaned.casefold(), cleaned.upper())
    return code if pycountry.currencies.get(alpha_3=code) is not None and code not in _NO_CURRENCY else None


def normalize_amount(amount: Amount) -> Amount:
    """Value, currency and approximation as the words say them ("近1亿美元" is about 100,000,000
    USD); what the words do not say is taken from the model. An amount already in this form
    comes back as the same object."""
    given = (amount.text, amount.value, amount.currency, amount.approximate, amount.measure)
    fields = _amount_fields(*given)
    if fields == given:
        return amount
    text, value, currency, approximate, measure = fields
    return Amount(text=text, value=value, currency=currency, approximate=approximate, measure=measure)


def _amount_fields(
    given_text: str | None, value: float | None, currency: str | None, approximate: bool, measure: str | None
) -> tuple[str | None, float | None, str | None, bool, str | None]:
    """The (text, value, currency, approximate, measure) an amount normalizes to."""
    text = (given_text or "").strip() or None
    reading = read_amount(text) if text else None
    if reading is not None and (reading.value is not None or value is None):
        value = reading.value
    return (
        text,
        value,
        (reading.currency if reading else None) or normalize_currency(currency),
        approximate or bool(reading and reading.approximate),
        (measure or "").strip() or None,
    )


def normalize_participants(participants: list[Participant]) -> list[Participant]:
    seen: set[tuple[str, str | None, str]] = set()
    result = []
    for participant in participants:
        name = participant.name.strip()
        canonical = (participant.canonical_name or "").strip() or None
        key = (name, canonical, participant.role.value)
        if not name or key in seen:
            continue
        seen.add(key)
        if (name, canonical) != (participant.name, participant.canonical_name):
            participant = participant.model_copy(update={"name": name, "canonical_name": canonical})
        result.append(participant)
    return result


def normalize_event(event: EventBase, reference: str | None = None) -> EventBase:
    """The event with every value in its canonical form; idempotent: an event already in that
    form comes back as the same object (so callers can tell with `is`)."""
    update = {
        "summary": event.summary.strip(),
        "participants": normalize_participants(event.participants),
        "time": normalize_time(event.time, reference),
        "amounts": [normalize_amount(a) for a in event.amounts],
        "attribution": (event.attribution or "").strip() or None,
    }
    if all(_same(value, getattr(event, name)) for name, value in update.items()):
        return event
    return event.model_copy(update=update)


def _same(new: object, old: object) -> bool:
    """The normalizers return their input object when it needs no change."""
    if isinstance(new, list) and isinstance(old, list):
        return len(new) == len(old) and all(a is b for a, b in zip(new, old, strict=True))
    return new is old or (isinstance(new, str) and new == old)
