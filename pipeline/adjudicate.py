"""Adjudicate: optionally, a model call for each candidate pair whose match score falls too close
to the threshold to trust (`--adjudicate`, off by default; the deterministic score alone meets
the reconciliation bar).

A verdict settles only a pair in the band THRESHOLD ± band: "same event" lifts its score to the
top of the band; "different events" scores it -inf, which the clustering's coherence check never
lets into one fact. A call that fails leaves the score as it was. The model sees both mentions
with their verbatim quotes; answers go through the response cache like extraction's, so a rerun
makes no calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from pipeline.llm import CachedClient, CallError
from pipeline.prompts import PromptTemplate
from pipeline.records import Mention, Usage

PROMPT = "adjudicate-v1"
BAND = 0.5  # default: a quarter of the threshold either side (README "Reconciliation")
MAX_TOKENS = 256  # a verdict and one sentence; a model that rambles is cut short, not waited for


@dataclass(frozen=True)
class Adjudication:
    """How reconciliation asks: `ask` gives a verdict per pair (None: no answer), for the pairs
    scored within `band` of the threshold."""

    ask: Callable[[list[tuple[Mention, Mention]]], list[bool | None]]
    band: float = BAND


class Verdict(BaseModel):
    """The model's answer for one pair."""

    model_config = ConfigDict(extra="forbid")
    same_event: bool = Field(description="True only when both reports describe the same real-world event.")
    reason: str = Field(description="One short sentence saying why.", max_length=400)


@dataclass
class Tally:
    """What adjudication cost and decided, for run.json and the log."""

    pairs: int = 0
    calls: int = 0
    cache_hits: int = 0
    usage: Usage = field(default_factory=Usage)
    same: int = 0
    different: int = 0
    unanswered: int = 0


def uncertain(pair_scores: NDArray[Any], threshold: float, band: float) -> NDArray[Any]:
    """Indexes of the pairs scored within `band` of the threshold (never the impossible, -inf)."""
    return np.flatnonzero(np.abs(pair_scores - threshold) <= band)


def settled(
    pair_scores: NDArray[Any], which: NDArray[Any], verdicts: list[bool | None], threshold: float, band: float
) -> NDArray[Any]:
    """The scores with each answered pair moved out of the band: above it, or to -inf."""
    result = pair_scores.copy()
    for k, verdict in zip(which.tolist(), verdicts, strict=True):
        if verdict is not None:
            result[k] = threshold + band if verdict else -np.inf
    return result


def describe(mention: Mention) -> str:
    """One side of the question: what the mention says, and the quotes it stands on."""
    event = mention.event
    participants = "; ".join(f"{p.name} ({p.role.value})" for p in event.participants) or "none"
    amounts = "; ".join(a.text or f"{a.value} {a.currency or ''}".strip() for a in event.amounts) or "none"
    lines = [
        f"Language: {mention.lang}",
        f"Type: {event.type}",
        f"Date: {event.time.date if event.time and event.time.date else 'not given'}",
        f"Participants: {participants}",
        f"Amounts: {amounts}",
        f"Machine summary: {event.summary}",
        "Quotes:",
        *(f"- {evidence.quote}" for evidence in mention.evidence),
    ]
    return "\n".join(lines)


class Adjudicator:
    """Asks the model about pairs of mentions, through the response cache."""

    def __init__(self, calls: CachedClient, prompt: PromptTemplate, tally: Tally) -> None:
        self.calls = calls
        self.prompt = prompt
        self.tally = tally

    async def verdicts(self, pairs: list[tuple[Mention, Mention]]) -> list[bool | None]:
        self.tally.pairs += len(pairs)
        return list(await asyncio.gather(*(self.verdict(a, b) for a, b in pairs)))

    async def verdict(self, a: Mention, b: Mention) -> bool | None:
        first, second = sorted((a, b), key=lambda m: m.id)  # the same question whatever the order
        context = {"first": describe(first), "second": describe(second)}
        try:
            answer, hit = await self.calls.answer(self.prompt, context, Verdict)
        except CallError:
            self.tally.unanswered += 1
            return None
        self.tally.cache_hits += hit
        self.tally.usage = self.tally.usage.add(answer.usage if not hit else Usage())
        if answer.status != "ok" or answer.output is None:
            self.tally.unanswered += 1
            return None
        same = Verdict.model_validate_json(answer.output).same_event
        self.tally.same += same
        self.tally.different += not same
        return same
