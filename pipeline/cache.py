"""An on-disk cache of model answers, so that a repeated or resumed run makes no calls.

instructor's own disk cache keys on a random per-client namespace and never hits across
processes, so the key here is built from everything that decides the answer: model, prompt
version and text, schema hash, generation settings and the message variables. The API key and
the endpoint are not part of the key and are never stored. Each entry is one file written
atomically, so a run killed mid-way keeps every answer it had already received.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from pipeline.events import Record
from pipeline.records import Usage
from pipeline.write import atomic_write_shared


class ModelAnswer(Record):
    """What one extraction call (with its re-asks) came back with."""

    status: Literal["ok", "exhausted", "truncated"]
    output: str | None  # the final answer's JSON; for "exhausted", the last rejected answer
    usage: Usage
    attempts: int
    error: str | None


def cache_key(parts: dict[str, Any]) -> str:
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ResponseCache:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> ModelAnswer | None:
        if self.directory is None:
            return None
        try:
            return ModelAnswer.model_validate_json(self._path(key).read_bytes())
        except (FileNotFoundError, ValidationError):
            return None  # a missing or unreadable entry is a miss, never an error

    def put(self, key: str, answer: ModelAnswer) -> None:
        if self.directory is not None:
            atomic_write_shared(self._path(key), answer.model_dump_json().encode())
