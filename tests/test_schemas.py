"""The published JSON Schemas match the models, and written records validate against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from conftest import ROOT, SEEDS, run_cli
from openai_server import quote_first_sentence, serve

from pipeline.records import Fact
from pipeline.schemas import PUBLISHED, SCHEMA_DIR, render_schema


def test_published_schemas_have_not_drifted_from_the_models() -> None:
    for name, model in PUBLISHED.items():
        published = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert published == render_schema(model), f"schemas/{name} is stale: run `factbase schema -o schemas`"


def test_schema_command_writes_the_same_files(tmp_path: Path) -> None:
    assert run_cli("schema", "-o", tmp_path).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(PUBLISHED)


def test_a_folder_the_schemas_cannot_go_into_is_one_line_naming_it(tmp_path: Path) -> None:
    """It was a traceback (FileExistsError here; PermissionError for a read-only folder)."""
    (tmp_path / "taken").write_text("a file, not a folder")
    result = run_cli("schema", "-o", tmp_path / "taken")
    assert result.exit_code == 3
    assert result.output.startswith(f"factbase: error: {tmp_path / 'taken'}") and len(result.output.splitlines()) == 1


def test_a_fact_written_before_the_canonical_fields_were_added_still_reads() -> None:
    """`factbase diff` against a fact base of an earlier version refused every line."""
    line = json.loads((ROOT / "tests" / "golden" / "facts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    for name in ("date_start", "date_end"):
        del line["canonical"][name]
    for amount in line["canonical"]["amounts"]:
        del amount["measure"]
    assert Fact.model_validate(line).canonical.date_start is None


def test_written_records_validate_against_the_schemas(tmp_path: Path) -> None:
    with serve(quote_first_sentence) as server:
        run_cli("run", SEEDS, "-o", tmp_path, "--base-url", server.url, "--model", "m")
    schemas = {name: json.loads((SCHEMA_DIR / name).read_text()) for name in PUBLISHED}
    for file, schema in [("mentions.jsonl", "mention"), ("facts.jsonl", "fact"), ("failures.jsonl", "failure")]:
        for line in (tmp_path / file).read_text(encoding="utf-8").splitlines():
            jsonschema.validate(json.loads(line), schemas[f"{schema}.schema.json"])
    jsonschema.validate(json.loads((tmp_path / "run.json").read_text()), schemas["run.schema.json"])
