"""Extraction with the bundled small model's safeguards, against a real scripted HTTP server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from openai_server import serve, statement
from pydantic import SecretStr

from pipeline.cache import ResponseCache
from pipeline.extract import Extractor, ExtractResult
from pipeline.ingest import ingest
from pipeline.llm import BackendConfig, ModelClient
from pipeline.prompts import load_prompt
from pipeline.records import Document

RESIGNED = "Acme Corp said on Monday that its chief executive Jane Roe had resigned."
SUITORS = "Acme Corp still has many suitors."


def resignation(quote: str) -> dict[str, Any]:
    """What the bundled model returns for nearly any sentence: a resignation."""
    return statement(quote, type="resignation", stance=None, position=None) | {"participants": []}


def extract(url: str, documents: list[Document], small_model: bool) -> ExtractResult:
    async def run() -> ExtractResult:
        client = ModelClient(BackendConfig(base_url=url, api_key=SecretStr("sk-test"), model="scripted"))
        try:
            prompt = load_prompt("extract-small-v1")
            extractor = Extractor(client, ResponseCache(None), prompt, 1, small_model=small_model)
            return await extractor.extract_documents(documents, 600, 1)
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_a_small_models_event_whose_quotes_hold_no_word_of_its_type_is_dropped_with_its_reason(
    tmp_path: Path,
) -> None:
    (tmp_path / "news.txt").write_text(f"{RESIGNED} {SUITORS} No.\n", encoding="utf-8")
    documents = [d for d in ingest(tmp_path) if isinstance(d, Document)]
    suitors = resignation(SUITORS) | {"evidence": [SUITORS, "No."]}  # "No.": too short to place
    with serve(lambda request: {"events": [resignation(RESIGNED), suitors]}) as server:
        small = extract(server.url, documents, small_model=True)
        other = extract(server.url, documents, small_model=False)
    assert [m.evidence[0].quote for m in small.mentions] == [RESIGNED]
    assert (small.events_returned, small.events_rejected) == (2, 1)
    [failure] = small.failures  # one record for the event dropped: its quote too short to place is moot
    assert failure.reason == "ungrounded_type" and failure.event is not None
    assert failure.event["type"] == "resignation" and "evidence" not in failure.event  # no quote is written
    assert "news.txt" in failure.message and "type_cues.toml" in failure.message
    assert len(other.mentions) == 2  # other models are trusted with the type
    assert [f.reason for f in other.failures] == ["ungrounded_quote"]
