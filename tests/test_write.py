"""Writing the fact base's files: whole or not at all, readable like any other file, and no
leftovers from a killed run."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli
from pydantic import BaseModel

from pipeline.write import OutputSet, _signals_ignored, atomic_write_bytes, write_jsonl

GOLDEN_MENTIONS = ROOT / "tests" / "golden" / "mentions.jsonl"
OUTPUT_NAMES = ("mentions.jsonl", "facts.jsonl", "failures.jsonl", "run.json")


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.usefixtures("umask")
def test_written_files_get_the_mode_of_any_new_file(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "facts.jsonl", ['{"a":1}'])
    assert stat.S_IMODE((tmp_path / "facts.jsonl").stat().st_mode) == 0o644  # not mkstemp's 0600
    os.umask(0o077)
    write_jsonl(tmp_path / "private.jsonl", ['{"a":1}'])
    assert stat.S_IMODE((tmp_path / "private.jsonl").stat().st_mode) == 0o600


def test_the_temporary_files_of_a_killed_run_are_removed_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    leftovers = [out / ".facts.jsonl.k1ll3d.tmp", out / ".run.json.k1ll3d.tmp"]
    for leftover in leftovers:
        leftover.write_text("half a file")
    (out / ".notes.k1ll3d.tmp").write_text("not ours")
    assert run_cli("reconcile", GOLDEN_MENTIONS, "-o", out).exit_code == 0
    assert not any(leftover.exists() for leftover in leftovers) and (out / ".notes.k1ll3d.tmp").exists()


def test_a_file_that_cannot_be_written_is_named_and_no_run_report_describes_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text("{}")  # an earlier run's
    (out / "failures.jsonl").mkdir()  # written after facts.jsonl: this one cannot be
    result = run_cli("reconcile", GOLDEN_MENTIONS, "-o", out)
    assert result.exit_code == 3
    assert result.output.strip() == f"factbase: error: {out / 'failures.jsonl'}: Is a directory"
    assert sorted(p.name for p in out.iterdir()) == ["failures.jsonl", "run.json"]  # as it was: no file renamed
    (out / "x.json").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(out / "x.json", b"{}")
    assert not list(out.glob(".*.tmp"))  # a rename that fails leaves no temporary file


def _earlier_run(out: Path) -> dict[str, str]:
    out.mkdir()
    files = {"facts.jsonl": '{"old":1}\n', "failures.jsonl": "", "run.json": "{}\n"}
    for name, text in files.items():
        (out / name).write_text(text)
    return files


def test_an_output_set_stopped_before_it_is_complete_leaves_the_earlier_files_as_they_were(tmp_path: Path) -> None:
    """Ctrl-C while `run` wrote its files left the new mentions.jsonl beside the old facts.jsonl,
    with run.json gone, though the message said nothing was written."""
    out = tmp_path / "out"
    earlier = _earlier_run(out)

    def facts_then_interrupted() -> Iterator[str]:
        yield '{"new":1}'
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), OutputSet(out, OUTPUT_NAMES, marker="run.json") as outputs:
        outputs.write_jsonl("mentions.jsonl", ['{"new":1}'])
        outputs.write_jsonl("facts.jsonl", facts_then_interrupted())
    assert {p.name: p.read_text() for p in out.iterdir()} == earlier  # no temporary file either


def test_an_output_set_replaces_the_earlier_files_together(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _earlier_run(out)
    with OutputSet(out, OUTPUT_NAMES, marker="run.json") as outputs:
        assert outputs.write_jsonl("mentions.jsonl", ['{"new":1}', '{"new":2}']) == 2
        assert (out / "run.json").exists() and not (out / "mentions.jsonl").exists()  # nothing moved yet
        outputs.remove("facts.jsonl")  # not written this time: an earlier run's would not match
        outputs.write_json("run.json", RunReportStub(command="extract"))
    assert sorted(p.name for p in out.iterdir()) == ["failures.jsonl", "mentions.jsonl", "run.json"]
    assert (out / "mentions.jsonl").read_text() == '{"new":1}\n{"new":2}\n'
    assert json.loads((out / "run.json").read_text()) == {"command": "extract"}


class RunReportStub(BaseModel):
    command: str


def test_an_interrupt_during_the_renames_is_ignored() -> None:
    before = signal.getsignal(signal.SIGINT)
    with _signals_ignored():
        os.kill(os.getpid(), signal.SIGINT)  # ignored: the command is done once the files are in place
        time.sleep(0.05)
    assert signal.getsignal(signal.SIGINT) is before


def test_a_second_command_writing_into_a_folder_in_use_stops_and_leaves_it_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "facts.jsonl").write_text("earlier\n", encoding="utf-8")
    mentions = Path(__file__).resolve().parent / "golden" / "mentions.jsonl"
    busy = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(busy, fcntl.LOCK_EX)  # as a run writing its files there holds it
        result = run_cli("reconcile", mentions, "-o", out)
    finally:
        os.close(busy)
    assert result.exit_code == 3 and "another factbase command is writing into this folder" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["facts.jsonl"] and (out / "facts.jsonl").read_text() == "earlier\n"
    assert run_cli("reconcile", mentions, "-o", out).exit_code == 0  # the lock goes with the command holding it


def test_a_cache_entry_written_again_removes_the_temporary_file_a_killed_run_left_not_a_fresh_one(
    tmp_path: Path,
) -> None:
    from pipeline.cache import ModelAnswer, ResponseCache
    from pipeline.records import Usage

    cache = ResponseCache(tmp_path)
    key = "ab" + "0" * 62
    folder = tmp_path / "ab"
    folder.mkdir()
    killed = folder / f".{key}.json.kill9.tmp"  # what SIGKILL during a write leaves
    killed.write_text("{", encoding="utf-8")
    os.utime(killed, (time.time() - 3600, time.time() - 3600))
    writing = folder / f".{key}.json.other.tmp"  # another run's, being written now
    writing.write_text("{", encoding="utf-8")
    cache.put(key, ModelAnswer(status="ok", output="{}", usage=Usage(), attempts=1, error=None))
    assert not killed.exists() and writing.exists()
    assert cache.get(key) is not None


def test_the_folder_lock_is_released_when_entering_fails_and_never_held_by_a_forked_worker(tmp_path: Path) -> None:
    import multiprocessing

    (tmp_path / ".facts.jsonl.left.tmp").mkdir()  # a leftover that cannot be removed as a file
    with pytest.raises(IsADirectoryError):
        OutputSet(tmp_path, ["facts.jsonl"], marker="run.json").__enter__()
    (tmp_path / ".facts.jsonl.left.tmp").rmdir()
    fork = multiprocessing.get_context("fork")
    started = fork.Event()
    worker = fork.Process(target=_signal_then_wait, args=(started,))
    with OutputSet(tmp_path, ["facts.jsonl"], marker="run.json"):
        worker.start()  # forked while the lock is held, as reconcile's workers are
    assert started.wait(timeout=30)
    try:
        with OutputSet(tmp_path, ["facts.jsonl"], marker="run.json"):
            pass  # the worker still runs, and holds no copy of the lock
    finally:
        worker.kill()
        worker.join()


def _signal_then_wait(started: Any) -> None:
    started.set()
    time.sleep(30)
