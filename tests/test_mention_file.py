"""Reading a mentions file in parts: the parts cover every line once, whatever their size, and
the facts do not depend on where the parts were cut or on how many processes read them."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipeline.config import ConfigError
from pipeline.entities import load_registry
from pipeline.reconcile import MentionList, reconcile
from pipeline.records import Mention
from pipeline.runner import MentionFile, collector_paused, read_records
from pipeline.write import to_line

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("part_bytes", [1, 700, 5000, 1 << 22])
def test_parts_start_at_line_starts_and_cover_every_record_once(part_bytes: int) -> None:
    source = MentionFile(GOLDEN / "mentions.jsonl", part_bytes)
    parts = source.parts()
    assert parts[0][0] == 0 and parts[-1][1] == (GOLDEN / "mentions.jsonl").stat().st_size
    assert all(end == next_start for (_, end), (next_start, _) in itertools.pairwise(parts))
    text = (GOLDEN / "mentions.jsonl").read_bytes()
    assert all(start == 0 or text[start - 1 : start] == b"\n" for start, _ in parts)
    read = [mention for part in parts for _, mention in source.read(part)]
    assert read == read_records(GOLDEN / "mentions.jsonl", Mention)


def test_facts_do_not_depend_on_the_parts_or_the_workers() -> None:
    registry = load_registry()
    _, expected = reconcile(MentionList(read_records(GOLDEN / "perturbed_mentions.jsonl", Mention)), registry, to_line)
    with collector_paused():
        _, small_parts = reconcile(MentionFile(GOLDEN / "perturbed_mentions.jsonl", 3000), registry, to_line, 2)
        assert list(small_parts) == list(expected)


def test_a_bad_record_in_a_later_part_names_its_line(tmp_path: Path) -> None:
    lines = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").split("\n")
    lines[41] = '{"id": "half a mention"}'
    bad = tmp_path / "mentions.jsonl"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{bad}:42: not a valid mention"):
        source = MentionFile(bad, 2000)
        [m for part in source.parts() for m in source.read(part)]


def test_a_file_of_blank_lines_is_empty(tmp_path: Path) -> None:
    blank = tmp_path / "mentions.jsonl"
    blank.write_text("\n  \n\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="empty file"):
        MentionFile(blank).parts()
