"""Build chunked_mentions.jsonl and chunked_facts.jsonl: the golden mentions as a per-chunk
extraction returns them.

    python tests/golden/chunked.py

The golden mentions are per document: an event an article tells twice is one mention with
quotes in two places. Extraction reads chunks, so it returns such an event once per chunk, each
time with that chunk's quotes only, and every mention it returns names its chunk. This script
makes that from the golden files, mechanically:
- the seeds are chunked as `factbase run` chunks them by default (pipeline.config.Settings'
  defaults, whatever the environment says);
- each quote goes to the first chunk that holds it whole, and a mention gets that chunk's id;
- a mention with quotes in several chunks becomes one mention per chunk. The first keeps the
  golden fields; the others are perturbed as perturb.py perturbs (names, coarser dates, amounts
  as words, paraphrased summaries), as a second reading by a model would differ;
- chunked_facts.jsonl groups the mentions by their golden fact.
So reconciling chunked_mentions.jsonl must give back the golden facts: the repeats of one event
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
from pipeline.ingest import find_articles, read_document  # noqa: E402
from pipeline.reconcile import facts_from_groups, mention_id, sort_mentions  # noqa: E402
from pipeline.records import Chunk, Evidence, Fact, Mention  # noqa: E402
from pipeline.write import write_jsonl  # noqa: E402


def _read(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines() if line]


def _home(chunks: list[Chunk], evidence: dict[str, Any]) -> Chunk:
    """The first chunk that holds the quote whole."""
    return next(c for c in chunks if c.char_start <= evidence["char_start"] and evidence["char_end"] <= c.char_end)


def chunked(mention: dict[str, Any], chunks: list[Chunk]) -> list[Mention]:
    """The mention as a per-chunk extraction returns it: once per chunk its quotes are in."""
    by_chunk: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for evidence in mention["evidence"]:
        by_chunk[_home(chunks, evidence).index].append(evidence)
    result = []
    for n, index in enumerate(sorted(by_chunk)):
        told = mention if n == 0 else perturb(mention)
        event = Mention.model_validate(told).event
        evidence = [Evidence.model_validate(e) for e in by_chunk[index]]
        result.append(
            Mention.model_validate(
                {
                    **told,
                    "id": mention_id(mention["doc_id"], event, evidence),
                    "evidence": evidence,
                    "chunk_ids": [chunks[index].id],
                }
            )
        )
    return result


def build() -> tuple[list[Mention], list[Fact]]:
    tokens, overlap = (Settings.model_fields[name].default for name in ("chunk_tokens", "overlap_sentences"))
    documents = map(read_document, find_articles(ROOT / "seeds"))
    chunks = {d.doc_id: chunk_document(d, tokens, overlap) for d in documents}
    label = {m: fact["id"] for fact in _read("facts.jsonl") for m in fact["mention_ids"]}
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in _read("mentions.jsonl"):
        groups[label[mention["id"]]] += chunked(mention, chunks[mention["doc_id"]])
    mentions = sort_mentions(m for group in groups.values() for m in group)
    return mentions, facts_from_groups(list(groups.values()), load_registry())


def main() -> None:
    mentions, facts = build()
    write_jsonl(GOLDEN / "chunked_mentions.jsonl", mentions)
    write_jsonl(GOLDEN / "chunked_facts.jsonl", facts)
    print(f"chunked: {len(mentions)} mentions, {len(facts)} facts")


if __name__ == "__main__":
    main()
