"""Reading the two sides of a diff, and printing its report as text, Markdown or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, NamedTuple

from rich.console import Console
from rich.table import Table

from pipeline.config import ConfigError
from pipeline.diff import DiffError, DiffReport, FactUnit, MentionSummary, Scores, compare, fact_units, mention_units
from pipeline.events import json_error
from pipeline.records import SCHEMA_VERSION, Fact, Mention
from pipeline.runner import read_records

Kind = Literal["facts", "mentions"]


class FirstRecord(NamedTuple):
    where: str  # file:line
    record: dict[str, object]


def _first_record(path: Path) -> FirstRecord | None:
    """The file's first record, to tell what it holds; None when it holds none."""
    if not path.is_file():
        raise DiffError(f"{path}: no such file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # a byte-order mark, if any, is not a record
    except UnicodeDecodeError as exc:
        where = data.count(b"\n", 0, exc.start) + 1
        raise DiffError(f"{path}:{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 may sit in a quote
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DiffError(f"{path}:{number}: {json_error(exc)}") from exc
            if not isinstance(record, dict):
                raise DiffError(f"{path}:{number}: not a JSON object")
            return FirstRecord(f"{path}:{number}", record)
    return None


def _kind(first: FirstRecord) -> Kind:
    if "sources" in first.record:
        return "facts"
    if "evidence" in first.record:
        return "mentions"
    raise DiffError(f"{first.where}: neither a fact nor a mention record")


def load_units(path: Path, kind: Kind) -> list[FactUnit]:
    try:
        if kind == "facts":
            return fact_units(read_records(path, Fact), str(path))
        return mention_units(read_records(path, Mention), str(path))
    except ConfigError as exc:  # the message already names the file and line
        raise DiffError(str(exc)) from exc


def diff_files(output: Path, golden: Path) -> DiffReport:
    """Check that the two files can be compared, read them, and compare them. A run folder
    stands for its facts.jsonl, or for its mentions.jsonl beside a file of mentions."""
    firsts = {path: _first_record(path) for path in (output, golden) if not path.is_dir()}
    given = next((_kind(first) for first in firsts.values() if first), None)
    output, golden = _in_folder(output, given), _in_folder(golden, given)
    out_first, gold_first = (firsts[path] if path in firsts else _first_record(path) for path in (output, golden))
    if out_first is None or gold_first is None:  # a run that found nothing: every unit of the other side differs
        first = out_first or gold_first
        kind = _kind(first) if first else "facts"
        out_units = load_units(output, kind) if out_first else []
        return compare(out_units, load_units(golden, kind) if gold_first else [], kind, (str(output), str(golden)))
    kind, gold_kind = _kind(out_first), _kind(gold_first)
    if kind != gold_kind:
        raise DiffError(f"{output} holds {kind} but {golden} holds {gold_kind}: compare like with like")
    versions = [first.record.get("schema_version", SCHEMA_VERSION) for first in (out_first, gold_first)]
    if versions[0] != versions[1]:
        raise DiffError(f"{output} has schema version {versions[0]} but {golden} has {versions[1]}")
    return compare(load_units(output, kind), load_units(golden, kind), kind, (str(output), str(golden)))


def _in_folder(path: Path, kind: Kind | None) -> Path:
    if not path.is_dir():
        return path
    return path / ("mentions.jsonl" if kind == "mentions" else "facts.jsonl")


def _score_rows(report: DiffReport) -> list[tuple[str, str, str, str]]:
    def row(name: str, s: Scores) -> tuple[str, str, str, str]:
        return name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"

    rows = [row(f"{report.kind} ({report.facts.true_positives}/{report.facts.golden_total} matched)", report.facts)]
    spans = "mentions" if report.kind == "facts" else "mention spans"  # what --min-mention-recall bars
    rows.append(row(f"{spans} ({report.mentions.true_positives}/{report.mentions.golden_total})", report.mentions))
    e = report.evidence
    rows.append(("evidence (characters)", f"{e.precision:.3f}", f"{e.recall:.3f}", f"{e.f1:.3f}"))
    if report.merge:
        m = report.merge
        rows.append(("merge (B-cubed)", f"{m.bcubed_precision:.3f}", f"{m.bcubed_recall:.3f}", f"{m.bcubed_f1:.3f}"))
    for lang, scores in report.by_language.items():
        rows.append(row(f"  {lang} {report.kind}", scores.facts))
    return rows


def _detail_lines(report: DiffReport) -> list[str]:
    lines = []
    if report.merge and report.merge.multilang_merged_share is not None:
        lines.append(
            f"multi-language golden facts that came out as one fact: {report.merge.multilang_merged_share:.3f} "
            f"of {report.merge.multilang_facts}"
        )
    accuracy = ", ".join(f"{k} {v:.3f}" if v is not None else f"{k} -" for k, v in report.fields.items())
    lines.append(f"field accuracy over matched: {accuracy}")
    for m in report.matched:
        for d in m.differences:
            lines.append(f"~ {m.output_id} ~ {m.golden_id} [{m.basis}] {d.field}: {d.output} != golden {d.golden}")
    lines += [f"- missing {f.id} {f.type} ({', '.join(f.documents)}): {f.summary}" for f in report.missing]
    lines += [f"+ extra {f.id} {f.type} ({', '.join(f.documents)}): {f.summary}" for f in report.extra]
    lines += [f"< split {s.golden_id} into {', '.join(s.output_ids)}" for s in report.split]
    lines += [f"> merged {', '.join(m.golden_ids)} into {m.output_id}" for m in report.merged]
    lines += [f"- missing mention {_mention(m)}" for m in report.missing_mentions]
    lines += [f"+ extra mention {_mention(m)}" for m in report.extra_mentions]
    return lines


def _mention(mention: MentionSummary) -> str:
    spans = ", ".join(f"{start}-{end}" for start, end in mention.spans)
    return f"{mention.id} {mention.type} ({mention.doc_id} chars {spans})"


def print_text(report: DiffReport, console: Console) -> None:
    console.print(f"{report.output} vs golden {report.golden}", markup=False, soft_wrap=True)  # paths unbroken
    table = Table()
    for column in ("", "precision", "recall", "F1"):
        table.add_column(column, justify="right" if column else "left")
    for row in _score_rows(report):
        table.add_row(*row)
    console.print(table)
    styles = {"-": "red", "+": "green", "~": "yellow", "<": "magenta", ">": "magenta"}
    for line in _detail_lines(report):
        console.print(line, style=styles.get(line[0]), markup=False, highlight=False, soft_wrap=True)


def markdown(report: DiffReport) -> str:
    lines = [f"### factbase diff: `{report.output}` vs `{report.golden}`", "", "| | precision | recall | F1 |"]
    lines.append("|---|---|---|---|")
    lines += [f"| {' | '.join(row)} |" for row in _score_rows(report)]
    lines += ["", "```diff", *_detail_lines(report), "```", ""]
    return "\n".join(lines)
