"""Reading a mentions file in parts: the parts cover every line once, whatever their size, and
the facts do not depend on where the parts were cut or on how many processes read them. A line
that is not a mention, or repeats one, costs nothing of the others."""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.entities import load_registry
from pipeline.reconcile import MentionList, Reconciled, Unreadable, facts_from_groups, reconcile
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
    expected = reconcile(MentionList(read_records(GOLDEN / "perturbed_mentions.jsonl", Mention)), registry, to_line)
    with collector_paused():
        small_parts = reconcile(MentionFile(GOLDEN / "perturbed_mentions.jsonl", 3000), registry, to_line, 2)
        assert list(small_parts.facts) == list(expected.facts)


def test_a_bad_record_in_a_later_part_is_set_aside_with_its_line(tmp_path: Path) -> None:
    lines = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").split("\n")
    lines[41] = '{"id": "half a mention"}'
    lines[87] = "{oops"
    lines[100] = '{"schema_version":"2","id":"m_'  # a line cut short
    bad = tmp_path / "mentions.jsonl"
    bad.write_text("\n".join(lines), encoding="utf-8")
    source = MentionFile(bad, 2000)
    read = [record for part in source.parts() for record in source.read(part)]
    unreadable = [(where, record.problem) for where, record in read if isinstance(record, Unreadable)]
    assert [problem.split(":")[0] for _, problem in unreadable] == [
        "not a valid mention",
        "not a JSON line (Expecting property name enclosed in double quotes at column 2)",
        "not a JSON line (Unterminated string starting at column 28)",
    ]
    assert list(source.locations(where for where, _ in unreadable).values()) == [f"{bad}:42", f"{bad}:88", f"{bad}:101"]
    assert len(read) - len(unreadable) == len(lines) - 4  # the three bad lines and the final blank one


def test_facts_of_the_good_lines_are_those_of_a_file_without_the_bad_ones(tmp_path: Path) -> None:
    lines = (GOLDEN / "perturbed_mentions.jsonl").read_text(encoding="utf-8").splitlines()
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(lines[:50] + lines[51:]) + "\n", encoding="utf-8")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([*lines[:50], '{"half": "a mention"}', *lines[51:]]) + "\n", encoding="utf-8")
    registry = load_registry()
    with collector_paused():
        result = reconcile(MentionFile(mixed, 3000), registry, to_line, 2)
        assert list(result.facts) == list(reconcile(MentionFile(good), registry, to_line).facts)
    assert [where for where, _ in result.intake.unreadable] == [len("\n".join(lines[:50]).encode()) + 1]  # bytes
    assert result.intake.repeated == []


def test_a_file_read_twice_over_gives_the_facts_of_reading_it_once(tmp_path: Path) -> None:
    text = (GOLDEN / "perturbed_mentions.jsonl").read_bytes()
    twice = tmp_path / "twice.jsonl"
    twice.write_bytes(text + text)
    registry = load_registry()
    once = reconcile(MentionFile(GOLDEN / "perturbed_mentions.jsonl"), registry, to_line)
    with collector_paused():
        result = reconcile(MentionFile(twice, 3000), registry, to_line, 2)
        assert list(result.facts) == list(once.facts)
    assert result.mentions == once.mentions and len(result.intake.repeated) == once.mentions
    assert min(result.intake.repeated) == len(text)


def test_an_empty_file_or_one_of_blank_lines_holds_no_mention_and_makes_no_fact(tmp_path: Path) -> None:
    registry = load_registry()
    for text in ("", "\n  \n\n"):
        empty = tmp_path / "mentions.jsonl"
        empty.write_text(text, encoding="utf-8")
        result = reconcile(MentionFile(empty), registry, to_line)
        assert (result.mentions, result.intake, list(result.facts)) == (0, ([], [], []), [])


def _facts_with_line_replaced(tmp_path: Path, number: int, line: str) -> tuple[Reconciled[str], list[str]]:
    """Reconcile the golden mentions with one line replaced, and without that line at all."""
    lines = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").splitlines()
    changed, without = tmp_path / "changed.jsonl", tmp_path / "without.jsonl"
    changed.write_text("\n".join([*lines[:number], line, *lines[number + 1 :]]) + "\n", encoding="utf-8")
    without.write_text("\n".join([*lines[:number], *lines[number + 1 :]]) + "\n", encoding="utf-8")
    registry = load_registry()
    with collector_paused():
        result = reconcile(MentionFile(changed, 3000), registry, to_line, 2)
        facts = list(result.facts)
    return result._replace(facts=iter(facts)), list(reconcile(MentionFile(without), registry, to_line).facts)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda line: line.replace('"summary":"', '"summary":"\\ud800', 1), "not a valid mention: Invalid JSON"),
        (lambda line: "[" * 100_000 + "]" * 100_000, "not a JSON line (nested too deeply)"),
        (lambda line: re.sub(r'"value":[^,]+', '"value":Infinity', line, count=1), "Input should be a finite number"),
        (lambda line: re.sub(r'"char_start":\d+', '"char_start":-5', line, count=1), "greater than or equal to 0"),
        (lambda line: re.sub(r'"char_end":\d+', '"char_end":10', line, count=1), "is not the quote's length"),
        (lambda line: re.sub(r'"id":"m_\w+"', '"id":""', line, count=1), "id: String should have at least 1"),
    ],
    ids=["lone surrogate", "deep nesting", "infinite amount", "negative offset", "offsets off the quote", "no id"],
)
def test_a_line_the_fast_reader_refuses_is_set_aside_whatever_a_slower_reader_makes_of_it(
    tmp_path: Path, edit: Callable[[str], str], problem: str
) -> None:
    lines = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if '"value":' in line and '"value":null' not in line)
    result, without = _facts_with_line_replaced(tmp_path, number, edit(lines[number]))
    assert [problem in text for _, text in result.intake.unreadable] == [True]
    assert list(result.facts) == without


def test_another_mention_under_an_id_read_before_is_set_aside_and_its_names_leave_no_trace(tmp_path: Path) -> None:
    lines = (GOLDEN / "mentions.jsonl").read_text(encoding="utf-8").splitlines()

    def renamed(line: str, n: int) -> str:  # the same id, other canonical names
        first = Mention.model_validate_json(line)
        parties = [p.model_copy(update={"canonical_name": f"Other {n}"}) for p in first.event.participants]
        return first.model_copy(
            update={"event": first.event.model_copy(update={"participants": parties})}
        ).model_dump_json()

    others = [renamed(line, n) for n, line in enumerate(lines)]
    registry = load_registry()
    once = list(reconcile(MentionFile(GOLDEN / "mentions.jsonl"), registry, to_line).facts)
    for order, text in [("after", [*lines, *others]), ("before", [*others, *lines])]:
        (tmp_path / f"{order}.jsonl").write_text("\n".join(text) + "\n", encoding="utf-8")
        result = reconcile(MentionFile(tmp_path / f"{order}.jsonl"), registry, to_line)
        assert list(result.facts) == once  # the mention its id was made from is used, wherever it is
        assert result.intake.repeated == [] and len(result.intake.conflicting) == len(lines)


def test_golden_groups_that_list_a_mention_twice_are_refused() -> None:
    mentions = read_records(GOLDEN / "mentions.jsonl", Mention)[:3]
    with pytest.raises(ValueError, match="a mention is in two groups"):
        facts_from_groups([[mentions[0]], [mentions[1], mentions[0]], [mentions[2]]], load_registry())


def test_a_byte_order_mark_and_windows_line_ends_change_nothing(tmp_path: Path) -> None:
    text = (GOLDEN / "perturbed_mentions.jsonl").read_bytes()
    windows = tmp_path / "windows.jsonl"
    windows.write_bytes(codecs.BOM_UTF8 + text.replace(b"\n", b"\r\n"))
    registry = load_registry()
    with collector_paused():
        result = reconcile(MentionFile(windows, 3000), registry, to_line, 2)
        assert list(result.facts) == list(
            reconcile(MentionFile(GOLDEN / "perturbed_mentions.jsonl"), registry, to_line).facts
        )
    assert result.intake == ([], [], [])
