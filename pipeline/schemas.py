"""The published JSON Schemas of every record the pipeline writes, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from pipeline.diff import DiffReport
from pipeline.records import Fact, Failure, Mention, RunReport
from pipeline.write import atomic_write_bytes

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
PUBLISHED: dict[str, type[BaseModel]] = {
    "mention.schema.json": Mention,
    "fact.schema.json": Fact,
    "failure.schema.json": Failure,
    "run.schema.json": RunReport,
    "diff.schema.json": DiffReport,
}


def render_schema(model: type[BaseModel]) -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    written = []
    for name, model in PUBLISHED.items():
        atomic_write_bytes(directory / name, render_schema(model).encode())
        written.append(directory / name)
    return written
