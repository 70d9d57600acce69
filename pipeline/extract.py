"""Extract: one schema-constrained model call per chunk, its answer grounded into mentions.

Answers go through the response cache first, so a repeated or resumed run re-reads them instead
of calling the model; cached and fresh answers then take exactly the same path.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError

from pipeline.cache import ModelAnswer, ResponseCache
from pipeline.chunk import chunk_document, split_chunk, split_sentences
from pipeline.events import first_error
from pipeline.extract_schema import Extraction, sentence_choice_model, to_event
from pipeline.ground import TYPE_CUES, ground_fields, ground_quote, type_supported
from pipeline.llm import CachedClient, CallError, ModelClient
from pipeline.normalize import normalize_event
from pipeline.prompts import PromptTemplate
from pipeline.reconcile import mention_id, merge_chunk_duplicates
from pipeline.records import Chunk, Document, Evidence, Failure, FailureReason, Mention, Usage

MAX_SPLIT_DEPTH = 3
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


@dataclass
class ExtractResult:
    """What extraction produced; its counters add up across chunks and documents."""

    mentions: list[Mention] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    chunks: int = 0
    chunks_failed: int = 0
    events_returned: int = 0
    events_rejected: int = 0
    usage: Usage = field(default_factory=Usage)
    cache_hits: int = 0

    def absorb(self, other: ExtractResult) -> None:
        self.mentions += other.mentions
        self.failures += other.failures
        self.chunks += other.chunks
        self.chunks_failed += other.chunks_failed
        self.events_returned += other.events_returned
        self.events_rejected += other.events_rejected
        self.usage = self.usage.add(other.usage)
        self.cache_hits += other.cache_hits


class Extractor:
    def __init__(
        self,
        client: ModelClient,
        cache: ResponseCache,
        prompt: PromptTemplate,
        concurrency: int,
        small_model: bool = False,
    ) -> None:
        self.calls = CachedClient(client, cache, concurrency)
        self.prompt = prompt
        self.small_model = small_model

    def response_model(self, document: Document, chunk: Chunk) -> type[Extraction]:
        """The answer schema; for a small model, quotes are chosen from the chunk's sentences."""
        if not self.small_model:
            return Extraction
        spans = split_sentences(chunk.text, document.lang)
        return sentence_choice_model(tuple(dict.fromkeys(chunk.text[s.start : s.end] for s in spans)))

    def _context(self, document: Document, chunk: Chunk) -> dict[str, str]:
        reference = document.reference_date
        return {
            "chunk_text": chunk.text,
            "lang": document.lang,
            "reference_date": reference.date or "unknown",
            "examples": self.prompt.rendered_examples(),
        }

    async def answer(self, document: Document, chunk: Chunk) -> tuple[ModelAnswer, bool]:
        """The model's answer for a chunk, and whether it came from the cache."""
        return await self.calls.answer(
            self.prompt, self._context(document, chunk), self.response_model(document, chunk)
        )

    async def extract_chunk(self, document: Document, chunk: Chunk, depth: int = 0) -> ExtractResult:
        result = ExtractResult(chunks=1 if depth == 0 else 0)
        try:
            answer, hit = await self.answer(document, chunk)
        except CallError as exc:
            result.chunks_failed = 1
            result.failures.append(_failure(document, chunk, "extract", "call_failed", str(exc)))
            return result
        result.cache_hits += hit
        if not hit:
            result.usage = answer.usage
        if answer.status == "truncated":
            halves = split_chunk(document, chunk) if depth < MAX_SPLIT_DEPTH else []
            if not halves:
                result.chunks_failed = 1
                result.failures.append(
                    _failure(
                        document, chunk, "extract", "truncated", "answer cut off and chunk cannot be split further"
                    )
                )
                return result
            for part in await asyncio.gather(*(self.extract_chunk(document, half, depth + 1) for half in halves)):
                result.absorb(part)
            result.chunks_failed = min(result.chunks_failed, 1)  # one chunk, however many of its halves failed
            return result
        result.absorb(self.read_answer(document, chunk, answer))
        return result

    def read_answer(self, document: Document, chunk: Chunk, answer: ModelAnswer) -> ExtractResult:
        """Ground every event of an answer; events with no quote in the chunk are dropped, with
        their reason recorded, and so are a small model's events whose quotes hold no word of
        their type. An answer that re-asks could not fix is read the same way."""
        result = ExtractResult()
        try:
            parsed = Extraction.model_validate_json(
                _FENCE.sub("", answer.output or ""), context={"ground": False}, strict=False
            )
        except ValidationError as exc:
            result.chunks_failed = 1
            message = f"answer does not match the schema after {answer.attempts} attempt(s): {first_error(exc)}"
            result.failures.append(_failure(document, chunk, "extract", "invalid_output", message))
            return result
        for item in parsed.events:
            result.events_returned += 1
            mention, ungrounded = self.ground_event(document, chunk, item)
            if mention is not None and self.small_model and not _type_written(mention):
                result.failures.append(_ungrounded_type(document, chunk, item))  # its quotes are moot
                result.events_rejected += 1
                continue
            if mention is None or ungrounded:
                result.failures.append(_ungrounded_quotes(document, chunk, item, mention is not None, ungrounded))
            if mention is None:
                result.events_rejected += 1
            else:
                result.mentions.append(mention)
        return result

    def ground_event(self, document: Document, chunk: Chunk, item: BaseModel) -> tuple[Mention | None, int]:
        """The event as a mention, with only the quotes found in the chunk (None when none is),
        and how many of its quotes were not."""
        spans: dict[tuple[int, int], Evidence] = {}
        ungrounded = 0
        for quote in getattr(item, "evidence", []):
            found = ground_quote(document.text, quote, chunk.char_start, chunk.char_end)
            if found is None:
                ungrounded += 1
            else:
                spans[(found.char_start, found.char_end)] = found
        if not spans:
            return None, ungrounded
        event = normalize_event(to_event(item), document.reference_date.date)
        if self.small_model:
            event = ground_fields(event, chunk.text, document.reference_date.date)
        evidence = [spans[key] for key in sorted(spans)]
        mention = Mention(
            id=mention_id(document.doc_id, event, evidence),
            doc_id=document.doc_id,
            lang=document.lang,
            event=event,
            evidence=evidence,
            chunk_ids=[chunk.id],
            prompt_version=self.prompt.version,
            model=self.calls.client.config.model,
        )
        return mention, ungrounded

    async def extract_documents(
        self,
        documents: list[Document],
        chunk_tokens: int,
        overlap_sentences: int,
        on_chunk_done: Callable[[], None] = lambda: None,
        on_chunks_planned: Callable[[int], None] = lambda n: None,
    ) -> ExtractResult:
        planned = [(doc, chunk) for doc in documents for chunk in chunk_document(doc, chunk_tokens, overlap_sentences)]
        on_chunks_planned(len(planned))

        async def run(document: Document, chunk: Chunk) -> ExtractResult:
            outcome = await self.extract_chunk(document, chunk)
            on_chunk_done()
            return outcome

        total = ExtractResult()
        for outcome in await asyncio.gather(*(run(doc, chunk) for doc, chunk in planned)):
            total.absorb(outcome)
        total.mentions = merge_chunk_duplicates(total.mentions)
        return total


def _failure(document: Document, chunk: Chunk, stage: str, reason: str, message: str) -> Failure:
    return Failure(
        stage=stage,
        path=document.path,
        doc_id=document.doc_id,
        chunk_id=chunk.id,
        char_start=chunk.char_start,
        char_end=chunk.char_end,
        reason=reason,
        message=f"{document.path} [chars {chunk.char_start}-{chunk.char_end}]: {message}",
        event=None,
    )


def _type_written(mention: Mention) -> bool:
    """Whether a quote of the mention holds a word of its type."""
    return type_supported(mention.event.type, [e.quote for e in mention.evidence])


def _ungrounded_type(document: Document, chunk: Chunk, item: BaseModel) -> Failure:
    """A small model's event whose quotes hold no word of its type: it types nearly every event
    with the first type it knows."""
    message = f"{getattr(item, 'type', None)} event dropped: none of its quotes holds a word of that type"
    return _event_failure(document, chunk, item, "ungrounded_type", f"{message} ({TYPE_CUES.name})")


def _ungrounded_quotes(document: Document, chunk: Chunk, item: BaseModel, kept: bool, ungrounded: int) -> Failure:
    """An event with quotes not in the text: dropped when none is, kept without them otherwise."""
    claimed = len(getattr(item, "evidence", []))
    what = (
        f"kept without {ungrounded} of its {claimed} quote(s), not"
        if kept
        else f"dropped: none of its {claimed} quote(s)"
    )
    message = f"{getattr(item, 'type', None)} event {what} found in the text (or too short to place)"
    return _event_failure(document, chunk, item, "ungrounded_quote", message)


def _event_failure(document: Document, chunk: Chunk, item: BaseModel, reason: FailureReason, message: str) -> Failure:
    """A failure recording the event the model returned, without its quotes: only text found in
    the source is ever written."""
    data = item.model_dump(mode="json")
    data.pop("evidence", None)
    failure = _failure(document, chunk, "ground", reason, message)
    return failure.model_copy(update={"event": data})
