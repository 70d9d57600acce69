"""Writing the fact base's files: whole or not at all, readable like any other file, and no
leftovers from a killed run."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from pipeline.write import write_jsonl

GOLDEN_MENTIONS = ROOT / "tests" / "golden" / "mentions.jsonl"


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
    assert (out / "facts.jsonl").stat().st_size > 0 and not (out / "run.json").exists()
