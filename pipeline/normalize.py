"""Normalize: deterministic clean-up of what the model returned, before anything is compared.

The model proposes; code decides the format. Dates must be ISO and carry the precision their
format shows, currencies become ISO codes, names are trimmed and participants deduplicated.
"""

from __future__ import annotations

import re

from pipeline import dates
from pipeline.events import Amount, EventBase, Participant, TimeRef

CURRENCY_SYMBOLS = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "美元": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "欧元": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "元": "CNY",
    "人民币": "CNY",
}
_ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")


def normalize_time(time: TimeRef | None) -> TimeRef | None:
    """Keep a date only if it is ISO; its precision is the one its format shows."""
    if time is None:
        return None
    date = (time.date or "").strip() or None
    precision = dates.parse_iso(date) if date else None
    if precision is None:
        date = None
    text = (time.text or "").strip() or None
    if date is None and text is None:
        return None
    return TimeRef(text=text, date=date, precision=precision)


def normalize_currency(currency: str | None) -> str | None:
    if currency is None:
        return None
    cleaned = currency.strip()
    code = CURRENCY_SYMBOLS.get(cleaned.lower(), cleaned.upper())
    return code if _ISO_CURRENCY.match(code) else None


def normalize_amount(amount: Amount) -> Amount:
    return amount.model_copy(
        update={
            "text": (amount.text or "").strip() or None,
            "currency": normalize_currency(amount.currency),
            "measure": (amount.measure or "").strip() or None,
        }
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
        result.append(participant.model_copy(update={"name": name, "canonical_name": canonical}))
    return result


def normalize_event(event: EventBase) -> EventBase:
    return event.model_copy(
        update={
            "summary": event.summary.strip(),
            "participants": normalize_participants(event.participants),
            "time": normalize_time(event.time),
            "amounts": [normalize_amount(a) for a in event.amounts],
            "attribution": (event.attribution or "").strip() or None,
        }
    )
