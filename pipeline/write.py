"""Write: the fact base's files, each written whole to a temporary file and renamed into place.

A reader (or a killed run) therefore sees either the old file or the new one, never half of one.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jsonlines
from pydantic import BaseModel


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_jsonl(path: Path, records: Iterable[BaseModel]) -> int:
    buffer = io.StringIO()
    count = 0
    with jsonlines.Writer(buffer, compact=True, sort_keys=False, dumps=_dumps) as writer:
        for record in records:
            writer.write(record.model_dump(mode="json"))
            count += 1
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))
    return count


def write_json(path: Path, record: BaseModel) -> None:
    text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
