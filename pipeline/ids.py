"""Ids from content: a short hash of what a record says, never of run order or randomness."""

from __future__ import annotations

import hashlib
import json


def content_id(prefix: str, *parts: object) -> str:
    canonical = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return f"{prefix}_{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"
