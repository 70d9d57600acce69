"""Write: the fact base's files, each written whole to a temporary file and renamed into place.

A reader (or a killed run) therefore sees either the old file or the new one, never half of one.
"""

from __future__ import annotations

import glob
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import jsonlines
from pydantic import BaseModel


@contextmanager
def atomic_file(path: Path, before_replace: Callable[[], None] = lambda: None) -> Iterator[BinaryIO]:
    """A temporary file beside `path`, renamed into place (after `before_replace`) when the block
    ends without an error and removed when it does not. It gets the mode any new file gets (0644
    under the usual umask), not mkstemp's owner-only 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:  # named after the file being written, not its temporary name
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as temp:
            yield temp
            temp.flush()
            os.fsync(temp.fileno())
        before_replace()
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # reading the mask means setting it: put it back at once
    os.umask(mask)
    return mask


def remove_leftovers(directory: Path, names: Iterable[str]) -> None:
    """The temporary files a killed run left beside these files (kill -9 skips atomic_file's
    clean-up): the next run into the folder removes them."""
    for name in names:
        for leftover in directory.glob(f".{glob.escape(name)}.*.tmp"):
            leftover.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_file(path) as file:
        file.write(data)


def write_jsonl(
    path: Path, records: Iterable[BaseModel | str], before_replace: Callable[[], None] = lambda: None
) -> int:
    """Records (or records already serialized by `to_line`) streamed one per line: a million
    facts never sit in memory at once."""
    count = 0
    with atomic_file(path, before_replace) as file:
        text = io.TextIOWrapper(file, encoding="utf-8", newline="\n")
        with jsonlines.Writer(text, dumps=to_line) as writer:
            for record in records:
                writer.write(record)
                count += 1
        text.detach()  # flushes; the binary file stays open for atomic_file to sync and rename
    return count


def to_line(record: object) -> str:
    """A record as one compact JSON line: keys in field order, non-ASCII text as is. A string is
    taken as a line serialized already."""
    if isinstance(record, str):
        return record
    if isinstance(record, BaseModel):
        return record.model_dump_json()
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_json(path: Path, record: BaseModel) -> None:
    text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))
