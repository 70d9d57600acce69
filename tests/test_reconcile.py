"""Basic reconciliation: chunk-overlap duplicates merge, exact cross-document matches merge,
different types or different events never do."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ROOT, run_cli

from pipeline.cluster import Origins, cluster
from pipeline.entities import EntityIndex, load_registry
from pipeline.events import DatePrecision, neutral_summary
from pipeline.ids import content_id
from pipeline.match import MAX_WIDTH, THRESHOLD
from pipeline.reconcile import (
    MentionList,
    build_facts,
    facts_from_groups,
    find_conflicts,
    match_table,
    mention_id,
    merge_chunk_duplicates,
)
from pipeline.records import Evidence, Failure, InputRecord, Mention, ReferenceDate, RunReport, StageCounts, Usage
from pipeline.write import to_line

REGISTRY = load_registry()
MOSTAQUE = {"name": "Emad Mostaque", "canonical_name": "Emad Mostaque", "kind": "person", "role": "subject"}

GOLDEN = ROOT / "tests" / "golden"


def mention(
    doc: str, lang: str, span: tuple[int, int], chunk: str, event_type: str = "resignation", **fields: Any
) -> Mention:
    event: dict[str, Any] = {
        "type": event_type,
        "summary": "Emad Mostaque resigned as CEO.",
        "participants": [MOSTAQUE],
        "time": {"text": "March 23", "date": "2024-03-23", "precision": "day"},
        "amounts": [],
        "modality": "asserted",
        "attribution": None,
        "position": "CEO",
    } | fields
    if event_type not in ("resignation", "appointment"):
        event.pop("position")
    if event_type == "statement":
        event["stance"] = "denial"
    evidence = [Evidence(quote="x" * (span[1] - span[0]), char_start=span[0], char_end=span[1], match="exact")]
    data = {"doc_id": doc, "lang": lang, "event": event, "evidence": evidence, "chunk_ids": [chunk]}
    parsed = Mention.model_validate({"id": "m_0", "prompt_version": "v", "model": "m", **data})
    return parsed.model_copy(update={"id": mention_id(doc, parsed.event, parsed.evidence)})


def usd(value: float) -> dict[str, Any]:
    return {"text": f"${value:g}", "value": value, "currency": "USD", "approximate": False, "measure": "x"}


def test_the_same_event_from_two_overlapping_chunks_becomes_one_mention() -> None:
    a = mention("zh", "zh", (10, 40), "c1")
    b = mention("zh", "zh", (10, 40), "c2", summary="Mostaque quit.")
    [merged] = merge_chunk_duplicates([a, b])
    assert merged.chunk_ids == ["c1", "c2"]


def test_two_events_in_one_chunk_stay_two_even_with_the_same_quote() -> None:
    """One sentence listing three unpaid bills is three events when the model says so."""
    aws = mention("fr", "fr", (0, 50), "c1", amounts=[usd(1.0)])
    gcp = mention("fr", "fr", (0, 50), "c1", amounts=[usd(2.0)])
    same = mention("fr", "fr", (0, 50), "c1", summary="Again.", amounts=[usd(1.0)])
    assert len(merge_chunk_duplicates([aws, gcp])) == 2
    assert len(merge_chunk_duplicates([aws, same])) == 1  # identical content is one mention


def test_overlap_duplicates_with_different_people_stay_apart() -> None:
    other = {"name": "Robin Rombach", "canonical_name": "Robin Rombach", "kind": "person", "role": "subject"}
    a = mention("en", "en", (0, 50), "c1")
    b = mention("en", "en", (0, 50), "c2", participants=[other])
    assert len(merge_chunk_duplicates([a, b])) == 2


def test_cross_document_merge_when_type_participants_and_date_agree() -> None:
    zh = mention("zh", "zh", (10, 40), "c1")
    en = mention("en", "en", (100, 180), "c2")
    fr = mention("fr", "fr", (5, 60), "c3")
    [fact] = build_facts([fr, en, zh], REGISTRY)
    assert fact.languages == ["en", "fr", "zh"]
    assert [s.doc_id for s in fact.sources] == ["en", "fr", "zh"]
    assert fact.mention_ids == sorted(fact.mention_ids, key=lambda i: [m.id for m in (en, fr, zh)].index(i))


def test_never_merges_different_types_or_dates() -> None:
    """(A day apart in two articles may be one day in two time zones: tests/test_match.py.)"""
    resignation = mention("en", "en", (0, 40), "c1")
    denial = mention("fr", "fr", (0, 40), "c2", event_type="statement")
    other_day = mention("zh", "zh", (0, 40), "c3", time={"text": "3月21日", "date": "2024-03-21", "precision": "day"})
    facts = build_facts([resignation, denial, other_day], REGISTRY)
    assert sorted(len(f.mention_ids) for f in facts) == [1, 1, 1]


def test_a_mention_without_a_date_joins_the_dated_report_of_the_same_event() -> None:
    resignation = mention("en", "en", (0, 40), "c1")
    no_date = mention("zh", "zh", (50, 90), "c4", time=None)
    [fact] = build_facts([resignation, no_date], REGISTRY)
    assert fact.canonical.date == "2024-03-23" and not any(c.field == "time.date" for c in fact.conflicts)


def test_disagreements_are_kept_as_conflicts() -> None:
    reported = mention("en", "en", (0, 40), "c1", modality="reported", attribution="Bloomberg")
    asserted = mention("zh", "zh", (0, 40), "c2")
    [fact] = build_facts([reported, asserted], REGISTRY)
    fields = {c.field: {v.value for v in c.values} for c in fact.conflicts}
    assert fields == {"modality": {"asserted", "reported"}, "attribution": {None, "Bloomberg"}}
    assert {s.modality for s in fact.sources} == {"asserted", "reported"}


def test_a_type_or_a_status_the_sources_disagree_on_is_a_conflict_too() -> None:
    def acquisition(doc: str, status: str) -> Mention:
        return mention(doc, doc, (0, 40), "c1", "acquisition", status=status, summary="Microsoft acquires Activision.",
                       participants=[{**MOSTAQUE, "role": "acquirer"}])  # fmt: skip

    [fact] = build_facts([acquisition("en", "announced"), acquisition("fr", "completed")], REGISTRY)
    assert {c.field: {v.value for v in c.values} for c in fact.conflicts} == {"status": {"announced", "completed"}}
    denial = mention("en", "en", (0, 40), "c1", "statement", summary="Mostaque said he resigned.")
    forecast = mention("zh", "zh", (0, 40), "c2", "prediction", summary="Mostaque said he resigned.")
    [fact] = build_facts([denial, forecast], REGISTRY)
    assert {c.field: {v.value for v in c.values} for c in fact.conflicts} == {"type": {"prediction", "statement"}}


def test_fact_ids_and_order_do_not_depend_on_input_order() -> None:
    mentions = [mention(d, d, (i, i + 30), f"c{i}") for i, d in enumerate(["zh", "en", "fr"])]
    assert build_facts(mentions, REGISTRY) == build_facts(mentions[::-1], REGISTRY)


def test_a_mention_from_a_neighbouring_chunk_does_not_chain_two_events() -> None:
    """c1 reports $5 and $7 rounds; c2 reports one with no amount: three mentions must not become one."""
    five = mention("en", "en", (0, 50), "c1", amounts=[usd(5.0)])
    seven = mention("en", "en", (0, 50), "c1", amounts=[usd(7.0)])
    bare = mention("en", "en", (0, 50), "c2")
    merged = merge_chunk_duplicates([five, seven, bare])
    assert len(merged) == 2
    assert sorted(a.value for m in merged for a in m.event.amounts) == [5.0, 7.0]


def test_mentions_stored_raw_are_normalized_in_the_facts() -> None:
    raw_amount = {"text": " 近1亿美元 ", "value": None, "currency": None, "approximate": False, "measure": "funding"}
    raw = mention("zh", "zh", (0, 40), "c1", amounts=[raw_amount], attribution=" Forbes ")
    [fact] = build_facts([raw], REGISTRY)
    [amount] = fact.event.amounts
    assert (amount.text, amount.value, amount.currency, amount.approximate) == ("近1亿美元", 1e8, "USD", True)
    assert fact.event.attribution == "Forbes" and fact.canonical.amounts[0].value == 1e8


def test_facts_whose_first_sources_start_at_the_same_place_are_ordered_by_fact_id() -> None:
    resignation = mention("en", "en", (0, 40), "c1")
    statement = mention("en", "en", (0, 40), "c1", "statement", summary="Mostaque denied it.", amounts=[usd(1.0)])
    first, second = sorted([resignation.id, statement.id])
    assert content_id("f", [first]) > content_id("f", [second])  # mention-id order is not fact-id order here
    for mentions in ([resignation, statement], [statement, resignation]):
        facts = build_facts(mentions, REGISTRY)
        assert len(facts) == 2 and [f.id for f in facts] == sorted(f.id for f in facts)


def _run_report(reference_dates: dict[str, str]) -> RunReport:
    inputs = [
        InputRecord(doc_id=doc, path=f"{doc}.txt", sha256="0" * 64, encoding="utf-8", lang="en", chars=100,
                    reference_date=ReferenceDate(date=date, precision=DatePrecision.DAY, source="given", evidence=None))
        for doc, date in reference_dates.items()
    ]  # fmt: skip
    return RunReport(factbase_version="test", command="extract", inputs=inputs, backend=None, prompt_version=None,
                     schema_hash=None, chunking={}, counts=StageCounts(), usage=Usage(), calls=0, cache_hits=0,
                     duration_s=0.0)  # fmt: skip


def test_reconcile_resolves_relative_dates_with_the_reference_dates_of_the_run_beside_it(tmp_path: Path) -> None:
    last_month = {"text": "last month", "date": None, "precision": None}
    stored = [mention("en", "en", (0, 40), "c1", time=last_month), mention("fr", "fr", (0, 40), "c2", time=last_month)]
    (tmp_path / "mentions.jsonl").write_text("".join(to_line(m) + "\n" for m in stored), encoding="utf-8")

    assert run_cli("reconcile", tmp_path / "mentions.jsonl", "-o", tmp_path / "alone").exit_code == 0
    alone = [json.loads(line) for line in (tmp_path / "alone" / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert alone and all(fact["canonical"]["date"] is None for fact in alone)  # "last month" of when? no date

    report = _run_report({"en": "2024-04-02", "fr": "2024-04-20"})
    (tmp_path / "run.json").write_text(report.model_dump_json(), encoding="utf-8")
    assert run_cli("reconcile", tmp_path / "mentions.jsonl", "-o", tmp_path / "out").exit_code == 0
    [fact] = [json.loads(line) for line in (tmp_path / "out" / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert fact["canonical"]["date"] == "2024-03" and fact["languages"] == ["en", "fr"]
    written = RunReport.model_validate_json((tmp_path / "out" / "run.json").read_bytes())
    assert written.command == "reconcile" and written.inputs == report.inputs
    data = (tmp_path / "mentions.jsonl").read_bytes()  # and the mentions file read (its lineage was lost)
    assert written.mentions_file is not None and (written.mentions_file.sha256, written.mentions_file.bytes) == (
        hashlib.sha256(data).hexdigest(),
        len(data),
    )
    assert written.mentions_file.path == str((tmp_path / "mentions.jsonl").resolve())


def test_a_broken_run_report_beside_the_mentions_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "mentions.jsonl").write_text(to_line(mention("en", "en", (0, 40), "c1")) + "\n", encoding="utf-8")
    (tmp_path / "run.json").write_text('{"inputs": "not a list"', encoding="utf-8")
    result = run_cli("reconcile", tmp_path / "mentions.jsonl", "-o", tmp_path / "out")
    assert result.exit_code == 3 and str(tmp_path / "run.json") in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_amount_conflicts_read_every_digit_and_an_amount_without_a_value_claims_none() -> None:
    exact = mention("en", "en", (0, 40), "c1", amounts=[usd(1_234_567)])
    other = mention("zh", "zh", (0, 40), "c2", amounts=[usd(1_234_568)])
    unread = mention("fr", "fr", (0, 40), "c3", amounts=[usd(5) | {"text": "quelques dollars", "value": None}])
    [amounts] = [c for c in find_conflicts([exact, other, unread], [], EntityIndex()) if c.field == "amounts"]
    assert {v.value: v.doc_ids for v in amounts.values} == {"1234567 USD": ["en"], "1234568 USD": ["zh"]}


def money(text: str, value: float, approximate: bool = False) -> dict[str, Any]:
    return {"text": text, "value": value, "currency": "USD", "approximate": approximate, "measure": None}


def one_fact(*mentions: Mention) -> Any:
    """The fact of these mentions, grouped by hand."""
    [fact] = facts_from_groups([list(mentions)], load_registry())
    return fact


def test_an_approximate_amount_joins_the_nearest_value_and_one_source_s_two_amounts_stay_two() -> None:
    """约5000万美元 is the French 50 million, not the English 45 (it was filed under 45); revenue of
    $10M and spending of about $11M, both in each of two sources, are two amounts (they were one)."""
    two = [money("$10M", 10e6), money("about $11M", 11e6, True)]
    en = mention("en", "en", (0, 40), "c1", "funding", stage=None, amounts=[money("$45 million", 45e6), *two])
    fr = mention("fr", "fr", (0, 40), "c2", "funding", stage=None, amounts=[money("50 millions", 50e6), *two])
    zh = mention("zh", "zh", (0, 40), "c3", "funding", stage=None, amounts=[money("约5000万美元", 50e6, True)])
    givers = {a.value: a.mention_ids for a in one_fact(en, fr, zh).canonical.amounts}
    both = sorted([en.id, fr.id])
    assert givers == {50e6: sorted([fr.id, zh.id]), 45e6: [en.id], 10e6: both, 11e6: both}


def test_amounts_within_tolerance_are_no_conflict_unless_both_are_exact() -> None:
    about = mention("zh", "zh", (0, 40), "c1", "funding", stage=None, amounts=[money("约5200万美元", 52e6, True)])
    exact = mention("en", "en", (0, 40), "c2", "funding", stage=None, amounts=[money("$50 million", 50e6)])
    assert [c.field for c in one_fact(about, exact).conflicts] == []


def test_a_range_overlapping_a_month_in_part_is_a_date_conflict() -> None:
    """The canonical date rule wants a date every source's date contains: none here."""
    late_march = mention(
        "en", "en", (0, 40), "c1", time={"text": None, "date": "2024-03-25/2024-04-05", "precision": None}
    )
    march = mention("fr", "fr", (0, 40), "c2", time={"text": None, "date": "2024-03", "precision": None})
    assert "time.date" in [c.field for c in one_fact(late_march, march).conflicts]


def test_a_title_before_a_name_and_an_attribution_written_two_ways_are_no_conflict() -> None:
    """« M. Mostaque » is no typo of "Emad Mostaque"; 彭博社 and "Bloomberg News" are Bloomberg
    (the registry), "the Information" is "The Information"."""
    titled = {"name": "M. Mostaque", "canonical_name": None, "kind": "person", "role": "subject"}
    en = mention("en", "en", (0, 40), "c1", attribution="Bloomberg News")
    zh = mention("zh", "zh", (0, 40), "c2", attribution="彭博社")
    fr = mention("fr", "fr", (0, 40), "c3", attribution="Bloomberg", participants=[titled])
    assert [c.field for c in one_fact(en, zh, fr).conflicts] == []
    lower = mention("en", "en", (0, 40), "c1", attribution="the Information")
    upper = mention("fr", "fr", (0, 40), "c2", attribution="The Information")
    assert [c.field for c in one_fact(lower, upper).conflicts] == []


def test_canonical_values_say_what_each_amount_measures_and_which_days_the_date_covers() -> None:
    """For downstream queries: the amounts had no measure (telling funding from a valuation took
    a join), the date had to be parsed from five formats, and a conflict wrote 1e+15."""
    invested = usd(50e6) | {"text": "$50 million", "measure": "investment"}
    valued = usd(1e15) | {"text": "$1,000 trillion", "measure": "valuation"}
    investi = usd(50e6) | {"text": "50 millions de dollars", "measure": "investissement"}
    quarter = {"text": "Q4", "date": "2023-Q4", "precision": "quarter"}
    october = {"text": "octobre", "date": "2023-10", "precision": "month"}
    en = mention("en", "en", (0, 40), "c1", "funding", stage=None, time=quarter, amounts=[invested, valued])
    fr = mention("fr", "fr", (0, 40), "c2", "funding", stage=None, time=october, amounts=[investi])
    zh = mention("zh", "zh", (0, 40), "c3", "funding", stage=None, time=None, amounts=[invested])
    fact = one_fact(en, fr, zh)
    assert [(a.value, a.measure) for a in fact.canonical.amounts] == [(1e15, "valuation"), (50e6, "investment")]
    assert (fact.canonical.date, fact.canonical.date_start, fact.canonical.date_end) == (
        "2023-10",
        "2023-10-01",
        "2023-10-31",
    )
    [amounts] = [c for c in fact.conflicts if c.field == "amounts"]
    assert "50000000 USD; 1000000000000000 USD" in [v.value for v in amounts.values]  # was 1e+15 USD


def test_an_amount_s_measure_is_what_most_sources_say_each_counted_once() -> None:
    """One source giving $10M "revenue" three times outvoted two saying "funding"."""
    revenue = usd(10e6) | {"text": "$10 million", "measure": "revenue"}
    funding = usd(10e6) | {"text": "$10 million", "measure": "funding"}
    thrice = mention("en", "en", (0, 40), "c1", "funding", stage=None, amounts=[revenue, revenue, revenue])
    others = [
        mention(d, d, (0, 40), f"c{k}", "funding", stage=None, amounts=[funding]) for k, d in ((2, "fr"), (3, "zh"))
    ]
    [amount] = one_fact(thrice, *others).canonical.amounts
    assert amount.measure == "funding"


def test_a_name_conflict_lists_the_spellings_of_a_name_not_its_descriptions_nor_its_initials() -> None:
    """ "technology officer" was listed beside "Christian Laforte" and the typo "Chtistian
    Laforte"; "SD" beside "Stable Diffusion" was reported as a misspelling."""

    def person(name: str, canonical: str | None) -> dict[str, Any]:
        return {"name": name, "canonical_name": canonical, "kind": "person", "role": "subject"}

    written = [("technology officer", "Christian Laforte"), ("Christian Laforte", None), ("Chtistian Laforte", None)]
    tellings = [mention(lang, lang, (0, 40), f"c{k}", participants=[person(*names)])
                for k, (lang, names) in enumerate(zip(("en", "fr", "zh"), written, strict=True))]  # fmt: skip
    [conflict] = one_fact(*tellings).conflicts
    assert [v.value for v in conflict.values] == ["Christian Laforte", "Chtistian Laforte"]
    model = {"name": "Stable Diffusion", "canonical_name": None, "kind": "product", "role": "product"}
    short = model | {"name": "SD"}
    released = [mention(lang, lang, (0, 40), f"c{k}", "product_release", participants=[p], product=None)
                for k, (lang, p) in enumerate((("fr", model), ("zh", short)))]  # fmt: skip
    assert one_fact(*released).conflicts == []


@pytest.mark.parametrize(
    ("kind", "field", "first", "second", "conflict"),
    [
        ("resignation", "position", "CEO", "CTO", True),  # was dropped silently
        ("resignation", "position", "CEO", "PDG", False),  # one title in two languages
        ("resignation", "position", "CEO", "chief executive officer", False),
        ("funding", "stage", "Series A", "seed round", True),
        ("funding", "stage", "Series B", "Series B round", False),
    ],
)
def test_two_free_text_values_sharing_no_word_are_a_conflict(
    kind: str, field: str, first: str, second: str, conflict: bool
) -> None:
    extra = {"stage": None} if kind == "funding" else {}
    en = mention("en", "en", (0, 40), "c1", kind, **extra | {field: first})
    fr = mention("fr", "fr", (0, 40), "c2", kind, **extra | {field: second})
    assert (field in [c.field for c in one_fact(en, fr).conflicts]) is conflict


@pytest.mark.parametrize("order", ["ABCD", "DCBA", "DCAB", "BADC"])
def test_a_group_mean_exactly_at_the_threshold_does_not_depend_on_order(order: str) -> None:
    """A, B and C are one event; D scores 2.05, 1.13 and 2.07 against them: a mean of exactly 1.75,
    which a plain float sum makes 5.249999… in some orders and 5.25 in others."""
    strong = {frozenset(pair): 9.0 for pair in itertools.combinations("ABC", 2)}
    scored = strong | {frozenset((name, "D")): value for name, value in zip("ABC", [2.05, 1.13, 2.07], strict=True)}
    at = {name: k for k, name in enumerate(order)}
    pairs = list(itertools.combinations(order, 2))
    left, right = np.array([at[a] for a, _ in pairs]), np.array([at[b] for _, b in pairs])
    values = np.array([scored[frozenset(pair)] for pair in pairs])

    def score(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.array([scored[frozenset((order[i], order[j]))] for i, j in zip(a, b, strict=True)])

    origins, id_rank = Origins(np.arange(4), np.full(4, -1), []), np.array(["ABCD".index(name) for name in order])
    groups = cluster(origins, id_rank, (left, right, values), score, lambda a, b: np.zeros(len(a), bool), THRESHOLD)
    assert sorted("".join(sorted(order[k] for k in g.members)) for g in groups) == ["ABCD"]


def test_a_mention_without_an_amount_does_not_join_two_rounds_that_disagree_on_it() -> None:
    """The French report names no amount and matches both; the $5M and $70M rounds score below
    the threshold against each other, with the amounts against them: one of them, not both."""

    def round_of(doc: str, amount: float | None, stage: str | None, summary: str) -> Mention:
        participants = [
            {"name": "Acme Robotics", "canonical_name": None, "kind": "organization", "role": "recipient"},
            {"name": "Sequoia Capital", "canonical_name": None, "kind": "organization", "role": "investor"},
        ]
        amounts = [usd(amount) | {"measure": None}] if amount else []
        fields = {"summary": summary, "participants": participants, "amounts": amounts, "time": None, "stage": stage}
        return mention(doc, doc, (0, 40), "c1", event_type="funding", **fields)

    seed = round_of(
        "en", 5e6, "seed", "Acme Robotics raised $5 million led by Sequoia Capital for its warehouse robots."
    )
    unknown = round_of("fr", None, None, "Acme Robotics raised funds from Sequoia Capital.")
    series_c = round_of("zh", 7e7, "Series C", "Acme Robotics raised $70 million from Sequoia Capital.")
    facts = build_facts([seed, unknown, series_c], REGISTRY)
    assert not any({seed.id, series_c.id} <= set(f.mention_ids) for f in facts)


def test_an_event_reported_by_hundreds_of_articles_is_one_fact_in_any_order() -> None:
    """Groups past JUDGED_MEMBERS are judged on a sample spread in id order: still one fact, and
    the same one whatever order the mentions come in."""
    reports = [mention(f"d{k:03d}", "en", (0, 40), "c1") for k in range(150)]
    facts = build_facts(reports, REGISTRY)
    shuffled = build_facts(reports[::-1][75:] + reports[::-1][:75], REGISTRY)
    assert [len(f.mention_ids) for f in facts] == [150]
    assert [f.model_dump_json() for f in shuffled] == [f.model_dump_json() for f in facts]


def test_a_mention_listing_hundreds_of_amounts_is_compared_on_the_first_few() -> None:
    many = [usd(float(k + 1) * 1e6) for k in range(300)]
    listed = mention("en", "en", (0, 40), "c1", amounts=many)
    other = mention("fr", "fr", (0, 40), "c1", amounts=[usd(1e6)])
    table = match_table(MentionList([listed, other]), REGISTRY)[1]
    assert table.amount.shape == (2, MAX_WIDTH)
    [fact] = build_facts([listed, other], REGISTRY)
    assert set(fact.mention_ids) == {listed.id, other.id}


def test_a_broken_line_of_the_failures_beside_the_mentions_is_reported_and_costs_no_fact(tmp_path: Path) -> None:
    (tmp_path / "mentions.jsonl").write_bytes((GOLDEN / "mentions.jsonl").read_bytes())
    earlier = Failure(stage="ground", path="seeds/a.md", doc_id="a", chunk_id="c1", reason="ungrounded_quote",
                      message="a quote not in the text", event=None)  # fmt: skip
    (tmp_path / "failures.jsonl").write_text(to_line(earlier) + '\n{"trunc\n', encoding="utf-8")
    result = run_cli("reconcile", tmp_path / "mentions.jsonl", "-o", tmp_path / "out")
    assert result.exit_code == 1 and f"{tmp_path / 'failures.jsonl'}:2: not a JSON line" in result.output
    assert f"1 line(s) of {tmp_path / 'failures.jsonl'} are no failure records" in result.output
    assert "left out" not in result.output  # no mention was (it said "1 line(s) left out")
    assert run_cli("reconcile", GOLDEN / "mentions.jsonl", "-o", tmp_path / "alone").exit_code == 0
    assert (tmp_path / "out" / "facts.jsonl").read_bytes() == (tmp_path / "alone" / "facts.jsonl").read_bytes()
    written = (tmp_path / "out" / "failures.jsonl").read_bytes().splitlines()
    assert sorted(Failure.model_validate_json(line).reason for line in written) == [
        "ungrounded_quote",
        "unreadable_failure",
    ]


def test_the_extraction_failures_carried_by_a_reconciliation_come_in_document_order(tmp_path: Path) -> None:
    (tmp_path / "mentions.jsonl").write_bytes((GOLDEN / "mentions.jsonl").read_bytes())
    carried = [Failure(stage="extract", path="seeds/a.md", doc_id="a", chunk_id=chunk, char_start=start,
                       char_end=start + 100, reason="call_failed", message="no answer", event=None)
               for chunk, start in (("c_0", 900), ("c_1", 0))]  # fmt: skip
    (tmp_path / "failures.jsonl").write_text("".join(to_line(f) + "\n" for f in carried), encoding="utf-8")
    run_cli("reconcile", tmp_path / "mentions.jsonl", "-o", tmp_path / "out")
    written = (tmp_path / "out" / "failures.jsonl").read_bytes().splitlines()
    assert [Failure.model_validate_json(line).char_start for line in written] == [0, 900]


def test_facts_written_beside_another_runs_mentions_say_so(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mentions.jsonl").write_bytes((GOLDEN / "mentions.jsonl").read_bytes())
    (tmp_path / "three.jsonl").write_text("".join((GOLDEN / "mentions.jsonl").open().readlines()[:3]))
    result = run_cli("reconcile", tmp_path / "three.jsonl", "-o", tmp_path / "out")
    assert result.exit_code == 0 and f"warning: {tmp_path / 'out' / 'mentions.jsonl'} is another run's" in result.output
    in_place = run_cli("reconcile", tmp_path / "out" / "mentions.jsonl", "-o", tmp_path / "out")
    assert in_place.exit_code == 0 and "warning" not in in_place.output


def test_a_neutral_summary_does_not_count_as_a_filled_field_for_the_canonical_mention() -> None:
    """The fact shows the mention that says what happened, not "A resignation event.", even when
    the neutral one has more evidence."""
    told = mention("en", "en", (0, 40), "c1")
    neutral = mention("zh", "zh", (0, 40), "c2", summary=neutral_summary("resignation"))
    more = Evidence(quote="y", char_start=50, char_end=51, match="exact")
    neutral = neutral.model_copy(update={"evidence": [*neutral.evidence, more]})
    [fact] = build_facts([told, neutral], REGISTRY)
    assert fact.event.summary == told.event.summary
