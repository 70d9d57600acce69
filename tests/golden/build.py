"""Build the golden mentions.jsonl and facts.jsonl from the hand-written annotations.jsonl.

    python tests/golden/build.py        (or: make golden)

annotations.jsonl is the curated data: one event mention per line, in the extraction schema
(type, evidence quotes, summary, participants, time, amounts, modality, attribution...), plus
`doc` (the seed file's stem) and `fact` (a label shared by every mention of one real-world
event, across languages). This script only does the mechanical part: it finds each quote in its
article (exactly, or it fails), and writes the records in the pipeline's own formats, with ids
computed from content like the pipeline's. It never decides what is an event or what merges.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.entities import load_registry  # noqa: E402
from pipeline.extract_schema import EXTRACTION_CLASSES, to_event  # noqa: E402
from pipeline.ingest import find_articles, read_document  # noqa: E402
from pipeline.reconcile import facts_from_groups, mention_id, sort_mentions  # noqa: E402
from pipeline.records import Evidence, Fact, Mention  # noqa: E402
from pipeline.write import write_jsonl  # noqa: E402

GOLDEN = Path(__file__).resolve().parent
PROMPT_VERSION = "golden"
ANNOTATOR = "human"


class AnnotationError(Exception):
    pass


def load_annotations(path: Path = GOLDEN / "annotations.jsonl") -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build(annotations: list[dict]) -> tuple[list[Mention], list[Fact]]:  # type: ignore[type-arg]
    documents = {d.doc_id: d for d in map(read_document, find_articles(ROOT / "seeds"))}
    mentions: list[Mention] = []
    labels: dict[str, str] = {}
    for number, annotation in enumerate(annotations, 1):
        data = dict(annotation)
        doc, label = data.pop("doc"), data.pop("fact")
        document = documents[doc]
        item = EXTRACTION_CLASSES[data["type"]].model_validate(data)
        evidence = []
        for quote in data["evidence"]:
            start = document.text.find(quote)
            if start < 0:
                raise AnnotationError(f"annotations.jsonl:{number}: quote not in {doc}: {quote!r}")
            evidence.append(Evidence(quote=quote, char_start=start, char_end=start + len(quote), match="exact"))
        event = to_event(item)
        evidence.sort(key=lambda e: (e.char_start, e.char_end))
        mention = Mention(
            id=mention_id(doc, event, evidence),
            doc_id=doc,
            lang=document.lang,
            event=event,
            evidence=evidence,
            chunk_ids=[],
            prompt_version=PROMPT_VERSION,
            model=ANNOTATOR,
        )
        if mention.id in labels:
            raise AnnotationError(f"annotations.jsonl:{number}: duplicate of an earlier mention")
        labels[mention.id] = label
        mentions.append(mention)
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        groups[labels[mention.id]].append(mention)
    return sort_mentions(mentions), facts_from_groups(list(groups.values()), load_registry())


def main() -> None:
    mentions, facts = build(load_annotations())
    write_jsonl(GOLDEN / "mentions.jsonl", mentions)
    write_jsonl(GOLDEN / "facts.jsonl", facts)
    print(f"golden: {len(mentions)} mentions, {len(facts)} facts")


if __name__ == "__main__":
    main()
