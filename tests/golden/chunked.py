"""Build chunked_mentions.jsonl and chunked_facts.jsonl: the golden mentions as a per-chunk
extraction returns them.

    python tests/golden/chunked.py

The golden mentions are per document: an event an article tells twice is one mention with
quotes in two places. Extraction reads chunks, so it returns such an event once per chunk that
holds a quote, with that chunk's quotes only, and every mention it returns names its chunks;
the findings of two chunks that share a quote (in the sentence they overlap on) it merges into
one. This script makes that from the golden files, mechanically:
- the seeds are chunked as `factbase run` chunks them by default (pipeline.config.Settings'
  defaults, whatever the environment says);
- each quote is found by every chunk that holds it whole, and findings sharing a quote are one
  telling, naming all their chunks;
- a mention told in several places becomes one mention per telling, each keeping only the
  participants, time, amounts and attribution its chunks write (pipeline.ground.ground_fields;
  its summary and type fields stay, as a model writes those in its own words); all but the first
  are perturbed as perturb.py perturbs (names, coarser dates, amounts as words, paraphrased
  summaries), as a second reading by a model would differ;
- chunked_facts.jsonl groups the mentions by their golden fact.
So reconciling chunked_mentions.jsonl must give back the golden facts: the tellings of one event
in one article merged, and the other events of that article, now in chunks of their own, kept
apart.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from perturb import perturb  # noqa: E402

from pipeline.chunk import chunk_document  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.entities import load_registry  # noqa: E402
from pipeline.ground import ground_fields  # noqa: E402
from pipeline.ingest import find_articles, read_document  # noqa: E402
from pipeline.reconcile import facts_from_groups, mention_id, sort_mentions  # noqa: E402
from pipeline.records import Chunk, Document, Evidence, Fact, Mention  # noqa: E402
from pipeline.write import write_jsonl  # noqa: E402


def _read(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines() if line]


def tellings(mention: dict[str, Any], chunks: list[Chunk]) -> list[tuple[list[Chunk], list[dict[str, Any]]]]:
    """Where a per-chunk extraction finds the mention: each chunk holding one of its quotes finds
    it with the quotes that chunk holds, and the findings sharing a quote (a quote in the sentence
    two chunks overlap on) are one, as extraction merges them. In document order."""
    found: list[tuple[set[int], list[dict[str, Any]]]] = []
    for evidence in mention["evidence"]:
        held = {
            c.index for c in chunks if c.char_start <= evidence["char_start"] and evidence["char_end"] <= c.char_end
        }
        touching = [f for f in found if f[0] & held]
        joined = (held.union(*(f[0] for f in touching)), [e for f in touching for e in f[1]] + [evidence])
        found = [f for f in found if f not in touching] + [joined]
    return [([chunks[k] for k in sorted(held)], quotes) for held, quotes in sorted(found, key=lambda f: min(f[0]))]


def chunked(mention: dict[str, Any], chunks: list[Chunk], document: Document) -> list[Mention]:
    """The mention as a per-chunk extraction returns it: once per telling. When there are
    several, each keeps only the participants, time, amounts and attribution its chunks write
    (its summary and type fields stay: a model writes those in its own words), and all but the
    first are perturbed."""
    result = []
    found = tellings(mention, chunks)
    for n, (held, quotes) in enumerate(found):
        told = Mention.model_validate(mention if n == 0 else perturb(mention))
        event = told.event
        if len(found) > 1:
            text = document.text[held[0].char_start : held[-1].char_end]
            written = ground_fields(event, text, document.reference_date.date)
            event = event.model_copy(
                update={k: getattr(written, k) for k in ("participants", "time", "amounts", "attribution")}
            )
        evidence = sorted((Evidence.model_validate(e) for e in quotes), key=lambda e: (e.char_start, e.char_end))
        update = {"id": mention_id(told.doc_id, event, evidence), "event": event, "evidence": evidence,
                  "chunk_ids": sorted(c.id for c in held)}  # fmt: skip
        result.append(told.model_copy(update=update))
    return result


def build() -> tuple[list[Mention], list[Fact]]:
    tokens, overlap = (Settings.model_fields[name].default for name in ("chunk_tokens", "overlap_sentences"))
    documents = {d.doc_id: d for d in map(read_document, find_articles(ROOT / "seeds"))}
    chunks = {k: chunk_document(d, tokens, overlap) for k, d in documents.items()}
    label = {m: fact["id"] for fact in _read("facts.jsonl") for m in fact["mention_ids"]}
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in _read("mentions.jsonl"):
        groups[label[mention["id"]]] += chunked(mention, chunks[mention["doc_id"]], documents[mention["doc_id"]])
    mentions = sort_mentions(m for group in groups.values() for m in group)
    return mentions, facts_from_groups(list(groups.values()), load_registry())


def main() -> None:
    mentions, facts = build()
    write_jsonl(GOLDEN / "chunked_mentions.jsonl", mentions)
    write_jsonl(GOLDEN / "chunked_facts.jsonl", facts)
    print(f"chunked: {len(mentions)} mentions, {len(facts)} facts")


if __name__ == "__main__":
    main()
