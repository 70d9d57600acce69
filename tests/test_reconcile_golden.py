"""The reconciliation bar, measured the way a user measures it: `factbase reconcile` on the golden
per-document mentions (and on their perturbed copy, and on their per-chunk copy, where an event
told in two chunks of one article is two mentions), then `factbase diff` against the golden facts.

The thresholds below are the figures this version reaches (README "Reconciliation"), pinned so a
change that loses merges fails: 19 of the 20 multi-language facts whole and one false merge (the
two Forbes investigations, README) on all three sets. The issue's full bar (all 20, no false merge)
is not reached and is not claimed here.
"""

from __future__ import annotations

import json
import logging
import random
import re
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from pipeline.write import to_line

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
import chunked
from perturb import perturb

GOLDEN = Path(__file__).resolve().parent / "golden"


def reconcile_and_diff(mentions: Path, out: Path, golden: Path = GOLDEN / "facts.jsonl") -> dict[str, float]:
    assert run_cli("reconcile", mentions, "-o", out).exit_code == 0
    result = run_cli("diff", out / "facts.jsonl", golden, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["merge"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("mentions", "golden", "min_f1", "min_multilang_whole"),
    [
        ("mentions.jsonl", "facts.jsonl", 0.98, 0.95),
        ("perturbed_mentions.jsonl", "facts.jsonl", 0.98, 0.95),
        ("chunked_mentions.jsonl", "chunked_facts.jsonl", 0.98, 0.95),  # events told twice in one article
    ],
)
def test_merge_quality_on_the_golden_mentions(
    tmp_path: Path, mentions: str, golden: str, min_f1: float, min_multilang_whole: float
) -> None:
    merge = reconcile_and_diff(GOLDEN / mentions, tmp_path / "out", GOLDEN / golden)
    assert merge["bcubed_f1"] >= min_f1
    assert merge["multilang_merged_share"] >= min_multilang_whole
    assert merge["bcubed_precision"] >= 0.985  # at most one false merge (README names it)


@pytest.mark.parametrize("mentions", ["perturbed_mentions.jsonl", "chunked_mentions.jsonl"])
def test_facts_depend_neither_on_the_order_of_the_mentions_nor_on_the_workers(tmp_path: Path, mentions: str) -> None:
    lines = (GOLDEN / mentions).read_text(encoding="utf-8").split("\n")
    shuffled = [line for line in lines if line]
    random.Random(3).shuffle(shuffled)
    (tmp_path / "shuffled.jsonl").write_text("\n".join(shuffled) + "\n", encoding="utf-8")
    one = run_cli("reconcile", GOLDEN / mentions, "-o", tmp_path / "a", "--workers", "1")
    two = run_cli("reconcile", tmp_path / "shuffled.jsonl", "-o", tmp_path / "b", "--workers", "2")
    assert one.exit_code == two.exit_code == 0
    assert (tmp_path / "a" / "facts.jsonl").read_bytes() == (tmp_path / "b" / "facts.jsonl").read_bytes()


def test_the_chunked_set_is_in_step_with_its_recipe() -> None:
    mentions, facts = chunked.build()
    for name, records in [("chunked_mentions.jsonl", mentions), ("chunked_facts.jsonl", facts)]:
        assert (GOLDEN / name).read_text(encoding="utf-8") == "".join(to_line(r) + "\n" for r in records)


def test_the_perturbed_set_is_in_step_with_its_recipe() -> None:
    golden = [json.loads(line) for line in (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").split("\n") if line]
    perturbed = (GOLDEN / "perturbed_mentions.jsonl").read_text(encoding="utf-8").split("\n")
    assert [json.loads(line) for line in perturbed if line] == [perturb(m) for m in golden]


def test_a_user_registry_is_read_and_a_broken_one_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "mine.toml"
    broken.write_text("not toml [", encoding="utf-8")
    result = run_cli("reconcile", GOLDEN / "mentions.jsonl", "-o", tmp_path / "out", "--entities", broken)
    assert result.exit_code == 3 and str(broken) in result.output and len(result.output.strip().splitlines()) == 1


def test_verbose_reconcile_says_what_each_stage_did_and_how_long_it_took(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.reconcile")
    assert run_cli("-v", "reconcile", GOLDEN / "mentions.jsonl", "-o", tmp_path / "out").exit_code == 0
    stages = [record.getMessage() for record in caplog.records if record.name == "pipeline.reconcile"]
    assert [re.sub(r"\d+(\.\d+)?", "N", stage) for stage in stages] == [
        "read and normalized N mentions in N s",
        "resolved N distinct names into N entities in N s",
        "built the match table in N s",
        "blocked N candidate pairs in N s",
        "scored them in N s",
        "clustered them into N groups in N s",
        "read the groups again, built and wrote N facts in N s",
    ]
    assert stages[0].startswith("read and normalized 119 mentions")
