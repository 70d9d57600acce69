"""`factbase diff`: each kind of change is reported exactly, scores and bars, clear errors."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from pipeline.diff import Amounts, FactUnit, MentionUnit, amount_similarity, pair_score
from pipeline.events import DatePrecision
from pipeline.records import Fact

GOLDEN_FACTS = Path(__file__).resolve().parent / "golden" / "facts.jsonl"


def golden() -> list[Fact]:
    return [Fact.model_validate_json(line) for line in GOLDEN_FACTS.read_text(encoding="utf-8").splitlines()]


def write(path: Path, facts: list[Fact]) -> Path:
    path.write_text("".join(f.model_dump_json() + "\n" for f in facts), encoding="utf-8")
    return path


def diff(output: Path, *options: str) -> dict:  # type: ignore[type-arg]
    result = run_cli("diff", output, GOLDEN_FACTS, "--json", *options)
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_identical_fact_bases_score_one(tmp_path: Path) -> None:
    report = diff(GOLDEN_FACTS)
    assert report["facts"]["f1"] == report["mentions"]["f1"] == report["merge"]["bcubed_f1"] == 1.0
    assert report["merge"]["multilang_merged_share"] == 1.0
    assert report["missing"] == report["extra"] == report["split"] == report["merged"] == []
    assert all(value == 1.0 for value in report["fields"].values())


def test_a_dropped_fact_is_reported_missing(tmp_path: Path) -> None:
    facts = golden()
    dropped = facts.pop(3)
    report = diff(write(tmp_path / "out.jsonl", facts))
    assert [m["id"] for m in report["missing"]] == [dropped.id]
    assert report["extra"] == report["split"] == report["merged"] == []
    assert report["facts"]["recall"] == round((len(facts)) / (len(facts) + 1), 4)
    assert report["facts"]["precision"] == 1.0


def test_a_changed_date_is_one_field_difference_judged_on_the_facts_canonical_date(tmp_path: Path) -> None:
    facts = golden()
    index = next(i for i, f in enumerate(facts) if f.canonical.date)
    canonical = facts[index].canonical.model_copy(update={"date": "1999-01-01", "date_precision": DatePrecision.DAY})
    facts[index] = facts[index].model_copy(update={"canonical": canonical})
    report = diff(write(tmp_path / "out.jsonl", facts))
    differences = [(m["golden_id"], d["field"], d["output"]) for m in report["matched"] for d in m["differences"]]
    assert differences == [(facts[index].id, "date", "1999-01-01")]
    assert report["facts"]["f1"] == 1.0 and report["fields"]["date"] < 1.0
    event = facts[index].event  # the canonical mention's own date is that mention's, not the fact's
    assert event.time is not None
    changed = event.model_copy(update={"time": event.time.model_copy(update={"date": "1998"})})
    facts[index] = golden()[index].model_copy(update={"event": changed})
    assert diff(write(tmp_path / "out.jsonl", facts))["fields"]["date"] == 1.0


def test_a_split_fact_is_reported_split(tmp_path: Path) -> None:
    facts = golden()
    index = next(i for i, f in enumerate(facts) if len(f.mention_ids) > 1)
    whole = facts[index]
    first_id = whole.mention_ids[0]
    part_a = whole.model_copy(
        update={
            "id": "f_part_a",
            "mention_ids": [first_id],
            "sources": [s for s in whole.sources if s.mention_id == first_id],
        }
    )
    part_b = whole.model_copy(
        update={
            "id": "f_part_b",
            "mention_ids": whole.mention_ids[1:],
            "sources": [s for s in whole.sources if s.mention_id != first_id],
        }
    )
    facts[index : index + 1] = [part_a, part_b]
    report = diff(write(tmp_path / "out.jsonl", facts))
    assert report["split"] == [{"golden_id": whole.id, "output_ids": ["f_part_a", "f_part_b"]}]
    assert report["merged"] == [] and report["mentions"]["recall"] == 1.0
    assert report["merge"]["bcubed_recall"] < 1.0 and report["merge"]["bcubed_precision"] == 1.0
    assert len(report["extra"]) == 1


def test_bars_gate_the_exit_code(tmp_path: Path) -> None:
    facts = golden()[: len(golden()) // 2]
    out = write(tmp_path / "out.jsonl", facts)
    assert run_cli("diff", out, GOLDEN_FACTS, "--min-f1", "0.9").exit_code == 1
    assert run_cli("diff", out, GOLDEN_FACTS, "--min-f1", "0.1").exit_code == 0
    markdown = run_cli("diff", out, GOLDEN_FACTS, "--markdown").output
    assert markdown.startswith("### factbase diff") and "| facts" in markdown and "- missing" in markdown


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("not json\n", ":1: not a JSON line"),
        ('{"schema_version": "2", "sources": []}\n', ":1: not a valid fact"),
        ('{"schema_version": "1", "sources": []}\n', "has schema version 1 but"),
    ],
)
def test_clear_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "out.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_cli("diff", path, GOLDEN_FACTS)
    assert result.exit_code == 3
    assert message in result.output and str(path) in result.output


def test_facts_and_mentions_do_not_mix() -> None:
    mentions = GOLDEN_FACTS.with_name("mentions.jsonl")
    result = run_cli("diff", mentions, GOLDEN_FACTS)
    assert result.exit_code == 3 and "compare like with like" in result.output


def test_an_empty_file_on_either_side_is_a_run_that_found_nothing(tmp_path: Path) -> None:
    empty = write(tmp_path / "out.jsonl", [])
    assert run_cli("diff", empty, GOLDEN_FACTS, "--min-f1", "0.1").exit_code == 1
    report = diff(empty)
    assert (report["facts"]["recall"], report["facts"]["golden_total"]) == (0.0, len(golden()))
    assert set(report["fields"].values()) == {None}  # no matched fact to be right or wrong about
    assert "field accuracy over matched: type -, date -" in run_cli("diff", empty, GOLDEN_FACTS).output
    against_empty = json.loads(run_cli("diff", GOLDEN_FACTS, empty, "--json").output)  # an earlier run found nothing
    assert len(against_empty["extra"]) == len(golden()) and against_empty["missing"] == []
    assert run_cli("diff", GOLDEN_FACTS, empty, "--exit-code").exit_code == 1
    assert run_cli("diff", empty, empty, "--exit-code").exit_code == 0  # nothing either side: no difference


def piece(fact: Fact, mention_ids: set[str], new_id: str) -> Fact:
    """Part of a fact: the sources of some of its mentions, under another id."""
    sources = [s for s in fact.sources if s.mention_id in mention_ids]
    return fact.model_copy(
        update={
            "id": new_id,
            "sources": sources,
            "mention_ids": sorted(mention_ids),
            "languages": sorted({s.lang for s in sources}),
        }
    )


def test_scores_per_language_count_a_match_only_where_both_sides_have_the_language(tmp_path: Path) -> None:
    facts = golden()
    index = next(i for i, f in enumerate(facts) if f.languages == ["en", "fr", "zh"])
    zh = {s.mention_id for s in facts[index].sources if s.lang == "zh"}
    facts[index] = piece(facts[index], zh, facts[index].id)  # its English and French reports lost
    by_language = diff(write(tmp_path / "out.jsonl", facts))["by_language"]
    english, chinese = by_language["en"]["facts"], by_language["zh"]["facts"]
    assert english["true_positives"] == english["golden_total"] - 1 == english["output_total"]
    assert (english["precision"], chinese["precision"], chinese["recall"]) == (1.0, 1.0, 1.0)
    assert english["recall"] < 1.0
    assert by_language["en"]["mentions"]["precision"] <= 1.0


def test_the_alignment_does_not_depend_on_the_order_of_the_lines(tmp_path: Path) -> None:
    facts = golden()
    whole = next(f for f in facts if len(f.mention_ids) >= 3)
    small = piece(whole, set(whole.mention_ids[:1]), "f_small_piece")
    large = piece(whole, set(whole.mention_ids[1:]), "f_large_piece")
    rest = [f for f in facts if f.id != whole.id]
    for order in ([small, large], [large, small]):
        report = diff(write(tmp_path / "out.jsonl", [*order, *rest]))
        assert {m["golden_id"]: m["output_id"] for m in report["matched"]}[whole.id] == "f_large_piece"
        assert [e["id"] for e in report["extra"]] == ["f_small_piece"]


def test_a_fact_listed_twice_or_a_mention_in_two_facts_is_an_error(tmp_path: Path) -> None:
    facts = golden()
    result = run_cli("diff", write(tmp_path / "twice.jsonl", [*facts, facts[0]]), GOLDEN_FACTS)
    assert result.exit_code == 3 and f"{facts[0].id} is listed twice" in result.output
    shared = piece(facts[0], set(facts[0].mention_ids[:1]), "f_another")
    result = run_cli("diff", write(tmp_path / "shared.jsonl", [*facts, shared]), GOLDEN_FACTS)
    assert result.exit_code == 3 and f"mention {facts[0].mention_ids[0]} is in two facts" in result.output


def test_a_merge_bar_on_mentions_or_two_report_formats_are_usage_errors() -> None:
    mentions = GOLDEN_FACTS.with_name("mentions.jsonl")
    result = run_cli("diff", mentions, mentions, "--min-merge-f1", "0.5")
    assert result.exit_code == 2 and "--min-merge-f1" in result.output and "Traceback" not in result.output
    result = run_cli("diff", GOLDEN_FACTS, GOLDEN_FACTS, "--json", "--markdown")
    assert (
        result.exit_code == 2
        and result.output == "factbase: error: --json and --markdown: one report format at a time\n"
    )


def test_amounts_are_paired_one_to_one() -> None:
    assert amount_similarity(((1e8, "USD"), (1e8, "USD")), ((1e8, "USD"), (1e9, "USD"))) == 0.5
    assert amount_similarity(((1e8, "USD"),), ((1.01e8, "USD"),)) == 1.0


def test_languages_are_compared_as_a_set(tmp_path: Path) -> None:
    facts = [f.model_copy(update={"languages": f.languages[::-1]}) for f in golden()]
    assert diff(write(tmp_path / "out.jsonl", facts))["fields"]["languages"] == 1.0


def test_a_sliver_of_shared_evidence_does_not_stop_a_match_on_attributes() -> None:
    event = golden()[0].event

    def unit(fact_id: str, start: int, participants: set[str], amounts: Amounts = ()) -> FactUnit:
        mention = MentionUnit(fact_id, "doc", "en", event.type, ((start, start + 100),), fact_id)
        return FactUnit(fact_id, event, frozenset(participants), "2024-03-23", amounts, ("en",), (mention,))

    golden_unit = unit("g", 0, {"a", "b"}, ((5.0, "USD"),))  # the same type and day, half the people, no amount
    assert pair_score(unit("apart", 200, {"a", "b", "c", "d"}), golden_unit)[1] == "attributes"
    assert pair_score(unit("sliver", 99, {"a", "b", "c", "d"}), golden_unit)[1] == "attributes"


def test_a_byte_order_mark_is_not_a_record(tmp_path: Path) -> None:
    marked = tmp_path / "out.jsonl"
    marked.write_bytes(codecs.BOM_UTF8 + GOLDEN_FACTS.read_bytes())
    assert diff(marked)["facts"]["f1"] == 1.0


def test_two_facts_of_two_types_merged_show_as_a_merge_not_as_mentions_lost(tmp_path: Path) -> None:
    facts = golden()
    resignation = next(i for i, f in enumerate(facts) if f.type == "resignation" and len(f.mention_ids) > 1)
    appointment = next(i for i, f in enumerate(facts) if f.type == "appointment" and len(f.mention_ids) > 1)
    kept, gone = facts[resignation], facts[appointment]
    facts[resignation] = kept.model_copy(
        update={"sources": kept.sources + gone.sources, "mention_ids": kept.mention_ids + gone.mention_ids}
    )
    del facts[appointment]
    report = diff(write(tmp_path / "out.jsonl", facts))
    assert report["merged"] == [{"output_id": kept.id, "golden_ids": sorted([kept.id, gone.id])}]
    assert report["mentions"]["recall"] == 1.0 and report["missing_mentions"] == []
    assert report["merge"]["bcubed_precision"] < 1.0


def test_a_fact_given_another_type_is_one_field_difference_with_every_mention_aligned(tmp_path: Path) -> None:
    facts = golden()
    index = next(i for i, f in enumerate(facts) if f.type == "resignation")
    record = json.loads(facts[index].model_dump_json())
    record["type"] = record["event"]["type"] = "appointment"
    facts[index] = Fact.model_validate(record)
    report = diff(write(tmp_path / "out.jsonl", facts))
    differences = [(d["field"], d["output"]) for m in report["matched"] for d in m["differences"]]
    assert differences == [("type", "appointment")]
    assert report["mentions"]["recall"] == report["merge"]["bcubed_f1"] == 1.0


def test_evidence_is_scored_in_characters_and_mentions_missing_or_extra_are_named(tmp_path: Path) -> None:
    facts = golden()
    first = facts[0].sources[0]
    document = next((GOLDEN_FACTS.parents[2] / "seeds").glob(f"{first.doc_id}*")).read_text(encoding="utf-8")
    end = first.char_end + 50  # a quote that swallows the sentence after it
    wider = first.model_copy(update={"char_end": end, "quote": document[first.char_start : end]})
    facts[0] = facts[0].model_copy(update={"sources": [wider, *facts[0].sources[1:]]})
    index = next(i for i, f in enumerate(facts) if i and len(f.mention_ids) > 1)
    dropped = facts[index].mention_ids[0]
    sources = [s for s in facts[index].sources if s.mention_id != dropped]
    facts[index] = facts[index].model_copy(update={"sources": sources, "mention_ids": facts[index].mention_ids[1:]})
    report = diff(write(tmp_path / "out.jsonl", facts))
    assert report["evidence"]["recall"] == 1.0 and report["evidence"]["precision"] < 1.0
    assert [m["id"] for m in report["missing_mentions"]] == [dropped] and report["extra_mentions"] == []
    same = diff(GOLDEN_FACTS)["evidence"]
    assert same["precision"] == same["recall"] == 1.0 and same["true_positives"] == same["golden_total"] > 0


def test_a_source_whose_offsets_are_not_its_quotes_length_is_refused(tmp_path: Path) -> None:
    line = GOLDEN_FACTS.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(line)
    record["sources"][0]["quote"] = "x" * 3
    (tmp_path / "out.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_cli("diff", tmp_path / "out.jsonl", GOLDEN_FACTS)
    assert result.exit_code == 3 and "out.jsonl:1" in result.output and "is not the quote's length" in result.output


def test_exit_code_says_whether_the_two_sides_differ(tmp_path: Path) -> None:
    assert run_cli("diff", GOLDEN_FACTS, GOLDEN_FACTS, "--exit-code").exit_code == 0
    facts = golden()
    index = next(i for i, f in enumerate(facts) if f.canonical.date)
    facts[index] = facts[index].model_copy(
        update={"canonical": facts[index].canonical.model_copy(update={"date": "1999"})}
    )
    changed = write(tmp_path / "out.jsonl", facts)
    assert run_cli("diff", changed, GOLDEN_FACTS).exit_code == 0  # a report, not a verdict, by default
    assert run_cli("diff", changed, GOLDEN_FACTS, "--exit-code").exit_code == 1


@pytest.mark.parametrize("bar", ["nan", "1.5", "-0.1"])
def test_a_bar_outside_0_to_1_is_a_usage_error(bar: str) -> None:
    result = run_cli("diff", GOLDEN_FACTS, GOLDEN_FACTS, "--min-f1", bar)
    assert result.exit_code == 2 and "from 0 to 1" in result.output


def test_a_reader_closing_the_pipe_early_ends_the_diff_quietly(tmp_path: Path) -> None:
    factbase = Path(sys.executable).with_name("factbase")
    command = [str(factbase), "diff", str(write(tmp_path / "out.jsonl", [])), str(GOLDEN_FACTS), "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head` does once it has its lines
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


def test_a_run_folder_stands_for_the_file_of_the_kind_it_is_compared_with(tmp_path: Path) -> None:
    mentions = GOLDEN_FACTS.with_name("mentions.jsonl")
    (tmp_path / "mentions.jsonl").write_bytes(mentions.read_bytes())
    result = run_cli("diff", tmp_path, mentions, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["kind"] == "mentions"


def test_text_that_is_not_utf8_is_an_error_naming_its_line(tmp_path: Path) -> None:
    lines = GOLDEN_FACTS.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Stability", b"Stabilit\xe9", 1)
    (tmp_path / "out.jsonl").write_bytes(b"\n".join(lines))
    result = run_cli("diff", tmp_path / "out.jsonl", GOLDEN_FACTS)
    assert result.exit_code == 3 and "out.jsonl:3: not UTF-8 text" in result.output


def test_bars_on_mentions_files_are_named_as_their_rows_and_scores_stay_within_1(tmp_path: Path) -> None:
    mentions = GOLDEN_FACTS.with_name("mentions.jsonl")
    half = tmp_path / "half.jsonl"
    half.write_text("".join(mentions.read_text(encoding="utf-8").splitlines(keepends=True)[:60]), encoding="utf-8")
    result = run_cli("diff", half, mentions, "--min-f1", "0.9", "--min-mention-recall", "0.9")
    assert result.exit_code == 1 and "mention F1" in result.output and "mention span recall" in result.output
    assert all(m["score"] <= 1.0 for m in diff(GOLDEN_FACTS)["matched"])


def test_a_quote_one_character_shorter_is_a_difference_counted_in_characters(tmp_path: Path) -> None:
    facts = golden()
    source = facts[0].sources[0]
    shorter = source.model_copy(update={"char_end": source.char_end - 1, "quote": source.quote[:-1]})
    facts[0] = facts[0].model_copy(update={"sources": [shorter, *facts[0].sources[1:]]})
    out = write(tmp_path / "out.jsonl", facts)
    evidence = diff(out)["evidence"]
    assert evidence["true_positives"] == evidence["output_total"] == evidence["golden_total"] - 1
    assert run_cli("diff", out, GOLDEN_FACTS, "--exit-code").exit_code == 1


def test_on_mentions_files_a_missing_mention_is_listed_once(tmp_path: Path) -> None:
    mentions = GOLDEN_FACTS.with_name("mentions.jsonl")
    lines = mentions.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "out.jsonl").write_text("".join(lines[1:]), encoding="utf-8")
    report = json.loads(run_cli("diff", tmp_path / "out.jsonl", mentions, "--json").output)
    assert len(report["missing"]) == 1 and report["missing_mentions"] == []
