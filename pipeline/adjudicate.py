"""Adjudicate: optionally, a model call for each candidate pair a score cannot settle
(`--adjudicate`, off by default): pairs scored within a band of the threshold, and contested
pairs, where one mention has two or more plausible candidates in another document that cannot
be one event told twice there, of which at most one can be the same event (a strong look-alike
may outscore the true report).

"Same event" lifts a pair's score to at least the top of the band; "different events" scores it
-inf, which the clustering's coherence check never lets into one fact. A call that fails leaves
the score as it was. The model sees both mentions with their verbatim quotes; answers go through
the response cache like extraction's, so a rerun makes no calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from pipeline.cluster import components
from pipeline.llm import CachedClient, CallError
from pipeline.prompts import PromptTemplate
from pipeline.records import Mention, Usage

PROMPT = "adjudicate-v3"
log = logging.getLogger(__name__)
BAND = 0.5  # default: a quarter of the threshold either side (README "Reconciliation")
MAX_BAND = 1000.0  # far past any score: asks about every candidate pair, and stays finite in sums
MAX_TOKENS = 256  # a verdict and one sentence; a model that rambles is cut short, not waited for


@dataclass(frozen=True)
class Adjudication:
    """How reconciliation asks: `ask` gives a verdict per pair (None: no answer), for the pairs
    scored within `band` of the threshold and the contested ones (`uncertain`)."""

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
    first_problem: str | None = None  # why the unanswered pair of the smallest ids got no verdict


def uncertain(
    left: NDArray[Any],
    right: NDArray[Any],
    docs: NDArray[Any],
    pair_scores: NDArray[Any],
    threshold: float,
    band: float,
) -> NDArray[Any]:
    """Indexes of the pairs a score cannot settle: those within `band` of the threshold, and
    those contested, where a mention has two or more candidates in another document scored at
    the bottom of the band or above that cannot be one event told twice there (no possible pair
    joins them), so that at most one of them is the same event, and which one is a question of
    meaning: a strong look-alike may outscore the true report. Never the impossible pairs (-inf)."""
    near = np.abs(pair_scores - threshold) <= band
    rival = (pair_scores >= threshold - band) & (docs[left] != docs[right])
    retold = (docs[left] == docs[right]) & np.isfinite(pair_scores)  # one article's two tellings of an event
    n = len(docs)
    telling, _ = components(n, left[retold], right[retold])
    mention, other = np.r_[left[rival], right[rival]], np.r_[right[rival], left[rival]]
    width = int(docs.max()) + 1 if n else 1  # (mention, document) as one integer
    distinct = np.unique(np.c_[mention * width + docs[other], telling[other]], axis=0)
    keys, counts = np.unique(distinct[:, 0], return_counts=True)  # tellings of other events per document

    def rivals(mention: NDArray[Any], document: NDArray[Any]) -> NDArray[Any]:
        key = mention * width + document
        at = np.minimum(np.searchsorted(keys, key), max(len(keys) - 1, 0))
        return np.where(keys[at] == key, counts[at], 0) if len(keys) else np.zeros(len(key), dtype=np.int64)

    contested = rival & ((rivals(left, docs[right]) > 1) | (rivals(right, docs[left]) > 1))
    return np.flatnonzero(near | contested)


def settled(
    pair_scores: NDArray[Any], which: NDArray[Any], verdicts: list[bool | None], threshold: float, band: float
) -> NDArray[Any]:
    """The scores with each answered pair settled: "same" at least at the top of the band, so
    above the threshold; "different" at -inf."""
    result = pair_scores.copy()
    for k, verdict in zip(which.tolist(), verdicts, strict=True):
        if verdict is not None:
            result[k] = max(result[k], threshold + band) if verdict else -np.inf
    return result


def describe(mention: Mention) -> str:
    """One side of the question, as a JSON object: what the mention says and the quotes it stands
    on. Every text is a JSON string, so a quote (which may hold line breaks, or words shaped like
    the prompt's own) stays inside its report."""
    event = mention.event
    report = {
        "language": mention.lang,
        "type": event.type,
        "date": event.time.date if event.time and event.time.date else None,
        "participants": [f"{p.name} ({p.role.value})" for p in event.participants],
        "amounts": [a.text or f"{a.value} {a.currency or ''}".strip() for a in event.amounts],
        "machine_summary": event.told_summary,  # none for the neutral one, which two reports share
        "quotes": [evidence.quote for evidence in mention.evidence],
    }
    return json.dumps(report, ensure_ascii=False, indent=2)


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
        except CallError as error:
            self._unanswered(first, second, str(error))
            return None
        self.tally.cache_hits += hit
        self.tally.usage = self.tally.usage.add(answer.usage if not hit else Usage())
        if answer.status != "ok" or answer.output is None:
            self._unanswered(first, second, answer.error or answer.status)
            return None
        same = Verdict.model_validate_json(answer.output).same_event
        self.tally.same += same
        self.tally.different += not same
        return same

    def _unanswered(self, a: Mention, b: Mention, why: str) -> None:
        """No verdict: the pair keeps its score; one reason (the same whatever the order the calls
        end in) is kept for the summary."""
        self.tally.unanswered += 1
        problem = f"{a.id} and {b.id}: {' '.join(why.split())}"  # one line: a schema error spans several
        self.tally.first_problem = min(problem, self.tally.first_problem or problem)
        log.warning("no verdict for %s", problem)
