"""The oracle run: a server answering each chunk with the golden mentions whose quotes lie in it.

Whatever the oracle says comes from the golden annotations, so any golden mention missing from
the output, or any quote not exact at its offsets, is a defect of chunking, grounding or
within-document merging.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import SEEDS, run_cli
from openai_server import chunk_text, serve
from test_end_to_end import assert_grounded

GOLDEN = Path(__file__).resolve().parent / "golden"


def annotations() -> list[dict[str, Any]]:
    path = GOLDEN / "annotations.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def oracle(request: dict[str, Any]) -> dict[str, Any]:
    """Golden events with at least one quote in the chunk, quoting only what the chunk holds."""
    text = chunk_text(request)
    events = []
    for annotation in annotations():
        quotes = [q for q in annotation["evidence"] if q in text]
        if quotes:
            event = {k: v for k, v in annotation.items() if k not in {"doc", "fact"}}
            events.append(event | {"evidence": quotes})
    return {"events": events}


def test_oracle_run_keeps_every_golden_mention(tmp_path: Path) -> None:
    with serve(oracle) as server:
        run = run_cli("run", SEEDS, "-o", tmp_path / "out", "--base-url", server.url, "--model", "oracle")
    assert run.exit_code == 0, run.output
    assert_grounded(tmp_path / "out", SEEDS)
    result = run_cli("diff", tmp_path / "out", GOLDEN / "facts.jsonl", "--json")
    report = json.loads(result.output)
    assert report["mentions"]["recall"] == 1.0, report["missing"]
    print(
        "oracle run:",
        json.dumps({k: report[k] for k in ("facts", "mentions", "merge")}, indent=1),
    )
    extract_only = json.loads(
        run_cli("diff", tmp_path / "out" / "mentions.jsonl", GOLDEN / "mentions.jsonl", "--json").output
    )
    assert extract_only["kind"] == "mentions" and extract_only["mentions"]["recall"] == 1.0
