"""Ids from content: a short hash of what a record says, never of run order or randomness."""

from __future__ import annotations

import hashlib
import json

# one encoder for every id: json.dumps with options builds a new one per call, which costs more than the hash
_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def content_id(prefix: str, *parts: object) -> str:
    canonical = _CANONICAL_JSON.encode(parts)
    return f"{prefix}_{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"
