"""The golden fixtures themselves: exact quotes at their offsets, valid records, unique ids,
every mention in exactly one fact, and the files in step with annotations.jsonl."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, SEEDS

from pipeline.records import Fact, Mention
from pipeline.schemas import SCHEMA_DIR

GOLDEN = Path(__file__).resolve().parent / "golden"
TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.iterdir()}


def lines(name: str) -> list[str]:
    return (GOLDEN / name).read_text(encoding="utf-8").splitlines()


FIXTURES = pytest.mark.parametrize(
    ("mentions_file", "facts_file"),
    [("mentions.jsonl", "facts.jsonl"), ("chunked_mentions.jsonl", "chunked_facts.jsonl")],
)


@FIXTURES
def test_every_quote_is_exact_at_its_offsets(mentions_file: str, facts_file: str) -> None:
    for line in lines(mentions_file):
        mention = Mention.model_validate_json(line)
        for evidence in mention.evidence:
            assert TEXTS[mention.doc_id][evidence.char_start : evidence.char_end] == evidence.quote
    for line in lines(facts_file):
        for source in Fact.model_validate_json(line).sources:
            assert TEXTS[source.doc_id][source.char_start : source.char_end] == source.quote


@FIXTURES
def test_records_validate_against_the_published_schemas(mentions_file: str, facts_file: str) -> None:
    for name, schema in [(mentions_file, "mention"), (facts_file, "fact")]:
        published = json.loads((SCHEMA_DIR / f"{schema}.schema.json").read_text())
        for line in lines(name):
            jsonschema.validate(json.loads(line), published)


@FIXTURES
def test_ids_are_unique_and_every_mention_is_in_exactly_one_fact(mentions_file: str, facts_file: str) -> None:
    mentions = [Mention.model_validate_json(line) for line in lines(mentions_file)]
    facts = [Fact.model_validate_json(line) for line in lines(facts_file)]
    assert len({m.id for m in mentions}) == len(mentions)
    assert len({f.id for f in facts}) == len(facts)
    membership = Counter(mid for fact in facts for mid in fact.mention_ids)
    assert set(membership) == {m.id for m in mentions}
    assert set(membership.values()) == {1}
    assert {m.doc_id for m in mentions} == set(TEXTS)


def test_cross_language_facts_are_marked() -> None:
    facts = [Fact.model_validate_json(line) for line in lines("facts.jsonl")]
    assert sum(len(f.languages) > 1 for f in facts) >= 3
    assert any(f.languages == ["en", "fr", "zh"] for f in facts)


def test_fixtures_are_in_step_with_the_annotations(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("golden_build", GOLDEN / "build.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    mentions, facts = build.build(build.load_annotations())
    assert [m.model_dump_json() for m in mentions] == [
        Mention.model_validate_json(x).model_dump_json() for x in lines("mentions.jsonl")
    ]
    assert [f.model_dump_json() for f in facts] == lines("facts.jsonl")  # after a scoring change: build.py again


def test_nothing_in_the_pipeline_reads_the_golden_copy() -> None:
    for path in (ROOT / "pipeline").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "tests/golden" not in source and "annotations.jsonl" not in source
