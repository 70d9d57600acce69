"""Write: the fact base's files, each written whole to a temporary file and renamed into place.

A reader (or a killed run) therefore sees either the old file or the new one, never half of one;
the files of one command are renamed together (OutputSet), so that a command stopped early
leaves the folder's earlier files as they were.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import io
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import jsonlines
from pydantic import BaseModel


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside `path`, renamed into place when the block ends without an error
    and removed when it does not."""
    with _temporary_file(path) as (temp, temp_path):
        yield temp
    try:
        os.replace(temp_path, path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


@contextmanager
def _temporary_file(path: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """A new file beside `path` (hidden, named after it), written to disk when the block ends
    and removed if the block fails. It gets the mode any new file gets (0644 under the usual
    umask), not mkstemp's owner-only 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:  # named after the file being written, not its temporary name
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as temp:
            yield temp, Path(temp_name)
            temp.flush()
            os.fsync(temp.fileno())
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class OutputSet:
    """The files one command writes into a folder, as one: each is written whole to a temporary
    file beside its place, and `commit` puts them all in place at once (removing the earlier
    files `remove` names), with `marker` (run.json, which says the folder holds a finished run)
    removed first and put back last. Until then the folder keeps its earlier files. SIGINT and
    SIGTERM are ignored during the renames, which take milliseconds: the command is done by then.
    Used as a context manager: entered, it locks the folder against another command writing
    into it at the same time (whose files would be mixed with these, or whose temporary files
    this one would take for a killed run's) and removes the temporary files a killed run left
    beside `names`, the files the command may write; committed when the block ends, its own
    temporary files removed in any case."""

    def __init__(self, directory: Path, names: Iterable[str], marker: str) -> None:
        self.directory = directory
        self.names = tuple(names)
        self.marker = marker
        self._staged: dict[str, Path] = {}  # file name: its temporary file
        self._removed: list[str] = []
        self._lock: int | None = None

    def __enter__(self) -> OutputSet:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = _locked_folder(self.directory)
        try:
            _remove_leftovers(self.directory, self.names)
        except BaseException:
            _unlock(self._lock)
            raise
        return self

    def __exit__(self, failure: type[BaseException] | None, *_: object) -> None:
        try:
            if failure is None:
                self.commit()
        finally:
            try:
                for temp in self._staged.values():
                    temp.unlink(missing_ok=True)
            finally:
                if self._lock is not None:
                    _unlock(self._lock)

    def write_jsonl(self, name: str, records: Iterable[BaseModel | str]) -> int:
        """Records (or lines from `to_line`) one per line, streamed: a million facts never sit in memory at once."""
        with _temporary_file(self.directory / name) as (file, temp):
            count = _write_lines(file, records)
        self._staged[name] = temp
        return count

    def write_json(self, name: str, record: BaseModel) -> None:
        with _temporary_file(self.directory / name) as (file, temp):
            file.write(_json_text(record))
        self._staged[name] = temp

    def remove(self, name: str) -> None:
        """An earlier run's file this command does not write, and whose content would not match the new files."""
        self._removed.append(name)

    def commit(self) -> None:
        for name in self._staged:  # what would stop a rename, found before any is made
            if (self.directory / name).is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(self.directory / name))
        with _signals_ignored():
            (self.directory / self.marker).unlink(missing_ok=True)
            for name in self._removed:
                (self.directory / name).unlink(missing_ok=True)
            for name, temp in sorted(self._staged.items(), key=lambda item: item[0] == self.marker):
                os.replace(temp, self.directory / name)
            self._staged.clear()


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """SIGINT and SIGTERM ignored for the block (only the main thread may set handlers; signals
    go to it alone)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _locked_folder(directory: Path) -> int:
    """A descriptor of the folder holding an exclusive lock on it (released when the process
    ends, however it ends, and never held by the worker processes it forks); an error naming it
    when another command holds it."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(handle)
        if isinstance(exc, BlockingIOError):
            raise OSError(errno.EBUSY, "another factbase command is writing into this folder", str(directory)) from None
        raise
    _HELD_LOCKS.add(handle)
    return handle


def _unlock(handle: int) -> None:
    _HELD_LOCKS.discard(handle)
    os.close(handle)  # the last descriptor of the lock: it goes


def _close_locks_in_child() -> None:
    """In a forked worker: its copies of the folder locks closed, so that a worker outliving a
    failed command holds none."""
    for handle in _HELD_LOCKS:
        os.close(handle)
    _HELD_LOCKS.clear()


_HELD_LOCKS: set[int] = set()
os.register_at_fork(after_in_child=_close_locks_in_child)


def _umask() -> int:
    mask = os.umask(0o022)  # reading the mask means setting it: put it back at once
    os.umask(mask)
    return mask


def _remove_leftovers(directory: Path, names: Iterable[str], older_than_s: float = 0.0) -> None:
    """The temporary files a killed run left beside these files (kill -9 skips the clean-up of
    atomic_file and OutputSet): the next run into the folder removes them; with `older_than_s`,
    only those not written for that long (a file shared by concurrent runs: another run's
    temporary file lives milliseconds)."""
    now = time.time()
    for name in names:
        for leftover in directory.glob(f".{glob.escape(name)}.*.tmp"):
            try:
                if now - leftover.stat().st_mtime >= older_than_s:
                    leftover.unlink()
            except FileNotFoundError:  # gone meanwhile: another run's, renamed or cleaned
                pass


def atomic_write_shared(path: Path, data: bytes) -> None:
    """atomic_write_bytes for a file other runs may write too (a cache entry), removing first
    the temporary files of it that a killed run left (older than a minute)."""
    _remove_leftovers(path.parent, [path.name], older_than_s=60.0)
    atomic_write_bytes(path, data)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_file(path) as file:
        file.write(data)


def write_jsonl(path: Path, records: Iterable[BaseModel | str]) -> int:
    """One file of records, one per line, replaced whole."""
    with atomic_file(path) as file:
        return _write_lines(file, records)


def _write_lines(file: BinaryIO, records: Iterable[BaseModel | str]) -> int:
    count = 0
    text = io.TextIOWrapper(file, encoding="utf-8", newline="\n")
    with jsonlines.Writer(text, dumps=to_line) as writer:
        for record in records:
            writer.write(record)
            count += 1
    text.detach()  # flushes; the binary file stays open, to be synced and renamed
    return count


def to_line(record: object) -> str:
    """A record as one compact JSON line: keys in field order, non-ASCII text as is. A string is
    taken as a line serialized already."""
    if isinstance(record, str):
        return record
    if isinstance(record, BaseModel):
        return record.model_dump_json()
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _json_text(record: BaseModel) -> bytes:
    return (json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
