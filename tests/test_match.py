"""Matching across languages: the look-alike events named in the reconciliation issue stay apart,
the same event told differently merges, and disagreements are kept as conflicts."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ROOT

from pipeline.entities import load_registry
from pipeline.match import THRESHOLD, candidate_pairs, position_words, scores, version_number
from pipeline.reconcile import MentionList, build_facts, match_table, mention_id
from pipeline.records import Evidence, Fact, Mention

REGISTRY = load_registry()
STABILITY = {"name": "Stability AI", "canonical_name": "Stability AI", "kind": "organization"}


def party(name: str, role: str, kind: str = "organization", canonical: str | None = None) -> dict[str, Any]:
    return {"name": name, "canonical_name": canonical, "kind": kind, "role": role}


def money(text: str, measure: str | None = None) -> dict[str, Any]:
    return {"text": text, "value": None, "currency": None, "approximate": False, "measure": measure}


def when(text: str | None, date: str | None) -> dict[str, Any]:
    return {"text": text, "date": date, "precision": None}


def mention(doc: str, start: int, event: dict[str, Any], chunk: str | None = None) -> Mention:
    """A mention of `doc` found in `chunk`; with no chunk, the whole document (hand-made)."""
    event = {"time": None, "amounts": [], "modality": "asserted", "attribution": None} | event
    evidence = [Evidence(quote="x" * 10, char_start=start, char_end=start + 10, match="exact")]
    data = {"doc_id": doc, "lang": doc[:2], "event": event, "evidence": evidence, "chunk_ids": [chunk] if chunk else []}
    parsed = Mention.model_validate({"id": "m", "prompt_version": "v", "model": "m", **data})
    return parsed.model_copy(update={"id": mention_id(doc, parsed.event, parsed.evidence)})


def groups(facts: list[Fact], *mentions: Mention) -> list[list[int]]:
    """Each fact as the positions of its mentions in `mentions`."""
    position = {m.id: n for n, m in enumerate(mentions)}
    return sorted(sorted(position[i] for i in f.mention_ids) for f in facts)


def debt(doc: str, start: int, creditor: str, amount: str, date: str | None, summary: str) -> Mention:
    return mention(doc, start, {
        "type": "debt", "status": "unpaid", "summary": summary, "time": when(None, date),
        "participants": [party("Stability AI", "debtor"), party(creditor, "creditor")], "amounts": [money(amount)],
    })  # fmt: skip


def test_three_unpaid_cloud_bills_in_one_french_paragraph_stay_three_and_each_finds_its_match() -> None:
    aws = debt("fr", 0, "AWS", "1 million de dollars", "2023-07", "Stability underpaid AWS by $1 million in July.")
    google = debt("fr", 20, "Google Cloud", "un million de dollars", None, "Stability owed Google Cloud $1 million.")
    coreweave = debt("fr", 40, "CoreWeave", "600 000 dollars", None, "Stability owed CoreWeave $600,000.")
    english = debt("en", 0, "Google Cloud", "$1 million", None, "Stability had an unpaid $1 million Google Cloud bill.")
    facts = build_facts([aws, google, coreweave, english], REGISTRY)
    assert groups(facts, aws, google, coreweave, english) == [[0], [1, 3], [2]]


def funding(doc: str, investor: str | None, amount: str, date: str | None, summary: str) -> Mention:
    participants = [party("Stability AI", "recipient")] + ([party(investor, "investor")] if investor else [])
    return mention(doc, 0, {
        "type": "funding", "stage": None, "summary": summary, "participants": participants,
        "amounts": [money(amount, "investment")], "time": when(None, date),
    })  # fmt: skip


def test_the_100m_round_of_2022_and_intels_50m_of_2023_stay_apart() -> None:
    round_2022 = funding("zh", None, "近1亿美元", "2022-10", "Stability AI raised nearly $100 million.")
    intel = funding(
        "en", "Intel", "$50 million", "2023-10", "In October 2023 Stability received $50 million from Intel."
    )
    assert len(build_facts([round_2022, intel], REGISTRY)) == 2


def test_intels_50m_and_only_20m_disbursed_merge_with_the_disagreement_kept() -> None:
    english = funding(
        "en", "Intel", "$50 million", "2023-10", "In October 2023 Intel invested $50 million in Stability."
    )
    french = mention("fr", 0, {
        "type": "funding", "stage": None, "time": when("à la fin de l'année dernière", "2023-Q4"),
        "summary": "Intel invested $50 million in Stability late last year but only $20 million was disbursed.",
        "participants": [party("Stability AI", "recipient"), party("Intel", "investor")],
        "amounts": [money("50 millions de dollars", "investment"), money("20 millions de dollars", "disbursed")],
        "modality": "reported", "attribution": "Forbes",
    })  # fmt: skip
    [fact] = build_facts([english, french], REGISTRY)
    conflicts = {c.field: c for c in fact.conflicts}
    assert {v.value for v in conflicts["amounts"].values} == {"50000000 USD", "20000000 USD; 50000000 USD"}
    assert {d for v in conflicts["amounts"].values for d in v.doc_ids} == {"en", "fr"}
    assert [(a.value, a.mention_ids) for a in fact.canonical.amounts] == [
        (50_000_000, sorted([english.id, french.id])),
        (20_000_000, [french.id]),
    ]
    assert fact.canonical.date == "2023-10" and "time.date" not in conflicts
    assert {(s.doc_id, s.modality, s.attribution) for s in fact.sources} == {
        ("en", "asserted", None),
        ("fr", "reported", "Forbes"),
    }


def resignation(
    doc: str, name: str, position: str, summary: str, start: int = 0, chunk: str | None = None, date: str = "2024-03"
) -> Mention:
    person = party(name, "subject", "person")
    return mention(doc, start, {
        "type": "resignation", "position": position, "summary": summary, "time": when(None, date),
        "participants": [person, party("Stability AI", "organization")],
    }, chunk)  # fmt: skip


def test_the_ceos_resignation_and_a_researchers_in_the_same_month_stay_apart() -> None:
    ceo = resignation("en", "Emad Mostaque", "CEO", "Emad Mostaque resigned as CEO of Stability AI.")
    researcher = resignation("fr", "Robin Rombach", "researcher", "Robin Rombach left Stability AI.")
    ceo_in_chinese = resignation("zh", "Mostaqu", "CEO", "Stability AI CEO Mostaque resigned.")
    facts = build_facts([ceo, researcher, ceo_in_chinese], REGISTRY)
    assert groups(facts, ceo, researcher, ceo_in_chinese) == [[0, 2], [1]]
    [merged] = [f for f in facts if len(f.mention_ids) == 2]
    assert any(c.field.startswith("name:") for c in merged.conflicts)  # the typo is shown, not hidden


def test_a_buyer_being_sought_and_a_rival_considering_a_purchase_stay_apart() -> None:
    sought = mention("zh", 0, {
        "type": "acquisition", "status": "sought", "time": when("去年12月", "2023-12"), "modality": "reported",
        "summary": "Stability AI was seeking a buyer.", "participants": [party("Stability AI", "target")],
    })  # fmt: skip
    considered = mention("en", 0, {
        "type": "acquisition", "status": "considered", "modality": "planned",
        "summary": "Hugging Face's CEO said he was considering buying Stability.",
        "participants": [party("Stability AI", "target"), party("Hugging Face", "acquirer")],
    })  # fmt: skip
    assert len(build_facts([sought, considered], REGISTRY)) == 2


def test_bloomberg_and_its_chinese_name_are_one_source_of_one_figure() -> None:
    def spending(doc: str, name: str, amount: str, summary: str) -> Mention:
        return mention(doc, 0, {
            "type": "financial_metric", "metric": "spending", "summary": summary, "modality": "reported",
            "participants": [party("Stability AI", "subject"), party(name, "other")],
            "amounts": [money(amount, "monthly spending")], "attribution": name,
        })  # fmt: skip

    zh = spending("zh", "彭博社", "约800万美元", "Bloomberg estimated Stability spends about $8 million a month.")
    en = spending("en", "Bloomberg", "approximately US$8 million", "Stability spent about $8 million a month.")
    [fact] = build_facts([zh, en], REGISTRY)
    [bloomberg] = [e for e in fact.entities if e.name == "Bloomberg"]
    assert bloomberg.written_as == ["Bloomberg", "彭博社"]
    assert fact.canonical.amounts[0].value == 8_000_000 and fact.canonical.amounts[0].approximate
    assert not any(c.field == "attribution" for c in fact.conflicts)  # one source, written two ways


def statement(doc: str, start: int, speaker: str, summary: str) -> Mention:
    return mention(doc, start, {
        "type": "statement", "stance": "claim", "summary": summary,
        "participants": [party(speaker, "speaker")],
    })  # fmt: skip


def test_blocking_pairs_a_rare_shared_word_without_a_shared_entity_but_not_a_common_word() -> None:
    zh = statement("zh", 0, "Mostaque", "Mostaque said the Latent Diffusion team got compute.")
    en = statement("en", 0, "Stability AI", "Stability said it funded Latent Diffusion.")
    crowd = [statement(f"d{n:02d}", 0, f"Speaker {n}", f"Speaker {n} said the weather was mild.") for n in range(20)]
    mentions = [zh, en, *crowd]
    _, table, _ = match_table(MentionList(mentions), REGISTRY)
    left, right = candidate_pairs(table)
    pairs = {frozenset((table.ids[a], table.ids[b])) for a, b in zip(left.tolist(), right.tolist(), strict=True)}
    assert frozenset((zh.id, en.id)) in pairs  # "latent", "diffusion": shared by two mentions only
    crowd_ids = {m.id for m in crowd}
    assert not any(pair <= crowd_ids for pair in pairs)  # "weather", "mild": 20 mentions, too common


def test_a_mention_with_two_amounts_in_one_bucket_counts_once_in_that_amount_block() -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]

    def raised(doc: str, n: int) -> Mention:  # nothing in common but the two amounts
        return mention(doc, 0, {
            "type": "funding", "stage": None, "summary": words[n].title(),
            "participants": [party(f"Company {n}", "recipient")], "amounts": [money("$5,000"), money("$5,001")],
        })  # fmt: skip

    mentions = [raised(f"d{n:02d}", n) for n in range(10)]  # 10 mentions a block: under the cap of 16
    _, table, _ = match_table(MentionList(mentions), REGISTRY)
    left, _ = candidate_pairs(table)
    assert len(left) == 10 * 9 // 2


def test_blocking_pairs_mentions_near_in_time_or_undated_but_not_dated_more_than_a_day_apart() -> None:
    dated = [
        funding("zh", "Intel", "$5 million", "2023-10-02", "Stability raised money."),
        funding("en", "Intel", "$5 million", "2023-10-03", "Stability raised money."),  # the next day: near
        funding("fr", "Intel", "$5 million", "2023-10", "Stability raised money."),  # the month: overlaps
        funding("de", "Intel", "$5 million", "2023-10-05", "Stability raised money."),  # 3 days after the first
        funding("es", "Intel", "$5 million", None, "Stability raised money."),  # undated: near all
    ]
    _, table, _ = match_table(MentionList(dated), REGISTRY)
    left, right = candidate_pairs(table)
    position = {m.id: n for n, m in enumerate(dated)}
    pairs = {tuple(sorted((position[table.ids[a]], position[table.ids[b]]))) for a, b in zip(left, right, strict=True)}
    assert pairs == {(0, 1), (0, 2), (1, 2), (2, 3), (0, 4), (1, 4), (2, 4), (3, 4)}  # not (0, 3) nor (1, 3)


def test_mentions_dated_a_week_apart_are_two_events_whatever_else_agrees_or_joins_them() -> None:
    def round_b(doc: str, date: str | None) -> Mention:
        return mention(doc, 0, {
            "type": "funding", "stage": "Series B", "summary": "Intel led a $5 million Series B in Stability.",
            "participants": [party("Stability AI", "recipient"), party("Intel", "investor")],
            "amounts": [money("$5 million", "investment")], "time": when(None, date),
        })  # fmt: skip

    first, week_later, undated = round_b("en", "2023-10-02"), round_b("fr", "2023-10-09"), round_b("zh", None)
    assert len(build_facts([first, week_later], REGISTRY)) == 2
    facts = build_facts(
        [first, week_later, undated], REGISTRY
    )  # an undated report near both joins neither to the other
    assert not any({first.id, week_later.id} <= set(f.mention_ids) for f in facts)


def test_a_large_entity_block_pairs_each_mention_with_its_next_neighbours_by_date_when_near_in_time() -> None:
    from pipeline.match import MAX_BLOCK, WINDOW

    first = datetime.date(2023, 1, 1)
    days = [(first + datetime.timedelta(days=k)).isoformat() for k in range(MAX_BLOCK + 36)]  # one report a day
    reports = [
        funding(f"d{k:03d}", "Intel", "$5 million", day, "Stability raised money.") for k, day in enumerate(days)
    ]
    _, table, _ = match_table(MentionList(reports), REGISTRY)
    left, right = candidate_pairs(table)
    position = {m.id: k for k, m in enumerate(reports)}
    pairs = {tuple(sorted((position[table.ids[a]], position[table.ids[b]]))) for a, b in zip(left, right, strict=True)}
    assert pairs == {(k, k + 1) for k in range(len(days) - 1)}  # the next day only: 2 days apart is another event
    assert len(days) > MAX_BLOCK and WINDOW > 1  # a block windowed by date, wider than what time allows


@pytest.mark.parametrize(
    "probe",
    [
        "DS4 Musk v OpenAI lawsuit(en) vs dispute(zh) same day",
        "S4 same Musk remark: prediction(en) vs statement(zh), next day",
    ],
)
def test_one_event_told_as_kindred_types_in_two_articles_merges(probe: str) -> None:
    """A suit is a dispute taken to court and a prediction a statement: two articles may type one
    event either way (bench/data/lookalike_probes.jsonl; both were split until session 20)."""
    probes = ROOT / "bench" / "data" / "lookalike_probes.jsonl"
    found = next(json.loads(line) for line in probes.read_text(encoding="utf-8").splitlines() if probe in line)
    mentions = [Mention.model_validate(m) for m in found["mentions"]]
    assert groups(build_facts(mentions, REGISTRY), *mentions) == found["expected"]


def release(doc: str, product: str, summary: str, date: str | None = None) -> Mention:
    return mention(doc, 0, {
        "type": "product_release", "product": product, "summary": summary, "time": when(None, date),
        "participants": [party("Meta", "subject", canonical="Meta"), party(product, "product", "product", product)],
    })  # fmt: skip


def test_releases_of_two_versions_of_a_product_stay_apart_and_one_version_merges() -> None:
    llama2 = release("en", "Llama 2", "Meta released Llama 2, its open-source large language model.")
    llama3 = release("fr", "Llama 3", "Meta released Llama 3, its open-source large language model.")
    llama3_in_chinese = release("zh", "Llama 3", "Meta launched Llama 3, an open-source large language model.")
    facts = build_facts([llama2, llama3, llama3_in_chinese], REGISTRY)
    assert groups(facts, llama2, llama3, llama3_in_chinese) == [[0], [1, 2]]  # merged at 5.1 before
    video = release("en", "Stable Video Diffusion", "Stability AI released Stable Video Diffusion.", "2024-04")
    audio = release("fr", "Stable Audio 2", "Stability AI released Stable Audio 2.", "2024-04")
    assert len(build_facts([video, audio], REGISTRY)) == 2  # two products of one maker, in one month
    family = release("zh", "Stable Diffusion", "Stability AI released Stable Diffusion.", "2024-04")
    assert len(build_facts([video, family], REGISTRY)) == 2  # a name's words inside another's: not its family
    iphone15 = release("en", "iPhone 15", "Apple released the iPhone 15.", "2024-09")
    iphone16 = release("fr", "iPhone 16", "Apple released the iPhone 16.", "2024-09")
    assert len(build_facts([iphone15, iphone16], REGISTRY)) == 2  # "iPhone" is a name too
    gpt4 = release("en", "GPT-4", "OpenAI released GPT-4.", "2024-05")
    gpt4o = release("fr", "GPT-4o", "OpenAI released GPT-4o.", "2024-05")
    assert len(build_facts([gpt4, gpt4o], REGISTRY)) == 2  # the letter stuck to the number is the version's
    sd3 = release("en", "Stable Diffusion 3 Medium", "Stability AI released Stable Diffusion 3 Medium.", "2024-06")
    sd35 = release("fr", "Stable Diffusion 3.5 Medium", "Stability AI released Stable Diffusion 3.5 Medium.", "2024")
    assert len(build_facts([sd3, sd35], REGISTRY)) == 2


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("Llama 3 8B", "3"), ("Llama3", "3"), ("SD3.5", "3.5"), ("GPT-4o", "4o"), ("A100", "a100"), ("H100s", "h100"),
        ("DeepSeek-R1", "r1"), ("DeepSeek-V3", "3"), ("Stable Diffusion v1.5", "1.5"), ("iPhone 6s", "6"),
        ("H-100", "h100"), ("DALL-E 3", "e3"), ("DALL-E3", "e3"), ("Stable Video Diffusion", None),
    ],
)  # fmt: skip
def test_a_product_s_version_is_its_first_number_with_the_letters_stuck_to_it(name: str, version: str | None) -> None:
    assert version_number(name) == version


@pytest.mark.parametrize(
    ("written", "other"),
    [
        ("Meta Llama 3", "Llama 3"), ("Llama3", "Llama 3"), ("Llama 3 8B", "Llama 3"), ("SD3 Medium", "SD 3 Medium"),
        ("Stable Diffusion XL 1.0", "Stable Diffusion XL"),  # a name without a number may be the family's
        ("H100s", "H100"),  # an s after the number is a plural, not another version
        ("Llama 3 70B", "Llama 3 8B"),  # two sizes of one release
        ("Meta Llama 3", "Llama 3 Models"), ("Samsung Galaxy S24", "Galaxy S24 Series"),  # words any line uses
        ("Stable Diffusion v1.5", "Stable Diffusion 1.5"), ("DeepSeek-V3", "DeepSeek V3"),  # v is "version"
    ],
)  # fmt: skip
def test_one_release_naming_its_product_two_ways_is_one_fact(written: str, other: str) -> None:
    first = release("en", written, f"Meta released {written}, its open-source model.", "2024-04-18")
    second = release("fr", other, f"Meta released {other}, its open-source model.", "2024-04-18")
    assert len(build_facts([first, second], REGISTRY)) == 1  # same version number: not two releases


def test_a_resignation_told_with_a_listed_synonym_in_any_inflection_merges() -> None:
    stepped = mention("zh", 0, {
        "type": "resignation", "position": "chief executive officer", "time": when("3月下旬", "2024-03-21/2024-03-31"),
        "summary": "Mostaque stepped down as chief executive of Stability AI.",
        "participants": [party("莫斯塔克", "subject", "person"), party("Stability AI", "organization")],
    })  # fmt: skip
    resigned = mention("en", 0, {
        "type": "resignation", "position": "CEO", "time": when(None, "2024-03-23"),
        "summary": "Emad Mostaque resigned as CEO of Stability AI.",
        "participants": [party("Emad Mostaque", "subject", "person", "Emad Mostaque"),
                         party("Stability AI", "organization")],
    })  # fmt: skip
    assert len(build_facts([stepped, resigned], REGISTRY)) == 1  # "stepped" was never read as "resigned"


def test_the_cfos_of_two_companies_resigning_the_same_month_stay_apart() -> None:
    def cfo_left(doc: str, company: str, summary: str) -> Mention:
        return mention(doc, 0, {
            "type": "resignation", "position": "CFO", "summary": summary, "time": when(None, "2024-03"),
            "participants": [party(company, "organization")],
        })  # fmt: skip

    mistral = cfo_left("en", "Mistral AI", "The chief financial officer of Mistral AI resigned.")
    hugging_face = cfo_left("fr", "Hugging Face", "The chief financial officer of Hugging Face resigned.")
    mistral_in_chinese = cfo_left("zh", "Mistral AI", "Mistral AI's CFO resigned.")
    facts = build_facts([mistral, hugging_face, mistral_in_chinese], REGISTRY)
    assert groups(facts, mistral, hugging_face, mistral_in_chinese) == [[0, 2], [1]]  # one fact at 3.6 before


def test_an_article_telling_its_main_event_in_two_chunks_gives_one_fact_with_both_places() -> None:
    """Extraction reads an article chunk by chunk: the resignation told in the lead and again
    further down comes back twice, from two chunks, and is one event."""
    lead = resignation("fr", "Emad Mostaque", "PDG", "Emad Mostaque resigned as CEO of Stability AI.", 0, "c1")
    again = resignation("fr", "Mostaque", "PDG", "Mostaque resigned as chief executive of Stability AI.", 900, "c4")
    english = resignation("en", "Emad Mostaque", "CEO", "Emad Mostaque stepped down as CEO of Stability AI.")
    [fact] = build_facts([lead, again, english], REGISTRY)
    assert [(s.doc_id, s.char_start) for s in fact.sources] == [("en", 0), ("fr", 0), ("fr", 900)]


def researchers_leaving(doc: str, start: int, chunk: str) -> Mention:
    unnamed = party("plusieurs chercheurs clés", "subject", "person")
    return mention(doc, start, {
        "type": "resignation", "position": None, "time": when("le mois dernier", "2024-03"),
        "summary": "Several key researchers left Stability AI last month.",
        "participants": [unnamed, party("Stability AI", "organization")],
    }, chunk)  # fmt: skip


def test_two_look_alike_events_in_two_chunks_of_one_article_stay_apart() -> None:
    """The researchers' departure matches the English CEO's resignation across documents (same
    month, company and type); in its own article it is told beside the CEO's, far below what a
    retelling scores, so neither that article nor the English one joins them."""
    ceo = resignation("fr", "Emad Mostaque", "PDG", "Emad Mostaque resigned as CEO of Stability AI.", 0, "c1")
    researchers = researchers_leaving("fr", 900, "c4")
    english = resignation("en", "Emad Mostaque", "CEO", "Emad Mostaque resigned as CEO of Stability AI.")
    _, table, _ = match_table(MentionList([ceo, researchers, english]), REGISTRY)
    [across] = scores(table, np.array([1]), np.array([2]))
    assert across >= THRESHOLD  # only the article's own telling keeps them apart
    assert groups(build_facts([ceo, researchers, english], REGISTRY), ceo, researchers, english) == [[0, 2], [1]]


def test_an_article_s_two_events_stay_apart_in_an_event_reported_by_many_articles() -> None:
    """Past 64 mentions a group is judged on a sample of its members; the article's CEO
    resignation, outside the sample (its id sorts last), still keeps its researchers out."""
    summary = "Emad Mostaque resigned as CEO of Stability AI."
    reports = [resignation(f"en{k:02d}", "Emad Mostaque", "CEO", summary) for k in range(70)]
    last = max(r.id for r in reports)
    tellings = (resignation("fr", "Emad Mostaque", "PDG", summary, start, "c1") for start in range(0, 10_000, 10))
    ceo = next(m for m in tellings if m.id > last)
    researchers = researchers_leaving("fr", 20_000, "c4")
    facts = build_facts([*reports, ceo, researchers], REGISTRY)
    assert sorted(len(f.mention_ids) for f in facts) == [1, 71]
    assert [f.mention_ids for f in facts if len(f.mention_ids) == 1] == [[researchers.id]]


@pytest.mark.parametrize(("first", "second"), [("c1", "c1"), (None, None), ("c1", None)])
def test_two_mentions_of_one_chunk_or_of_an_article_not_told_by_chunk_are_two_events(
    first: str | None, second: str | None
) -> None:
    """The events of one chunk are the ones the model told apart; hand-made mentions of a whole
    article (no chunk) are each an event of their own."""
    one = resignation("fr", "Emad Mostaque", "PDG", "Emad Mostaque resigned as CEO of Stability AI.", 0, first)
    other = resignation("fr", "Emad Mostaque", "PDG", "Emad Mostaque resigned as CEO of Stability AI.", 900, second)
    english = resignation("en", "Emad Mostaque", "CEO", "Emad Mostaque resigned as CEO of Stability AI.")
    assert groups(build_facts([one, other, english], REGISTRY), one, other, english) == [[0, 2], [1]]


def test_an_artist_suing_and_a_company_suing_the_same_defendant_are_two_lawsuits() -> None:
    """Two named plaintiffs are two lawsuits whether each is a person or an organization."""

    def lawsuit(doc: str, plaintiff: dict[str, Any], summary: str) -> Mention:
        return mention(doc, 0, {
            "type": "lawsuit", "claim": "copyright infringement", "summary": summary, "time": when(None, "2023"),
            "participants": [plaintiff, party("Stability AI", "defendant")],
        })  # fmt: skip

    artist = lawsuit("en", party("Sarah Andersen", "plaintiff", "person"), "Sarah Andersen sued Stability AI.")
    getty = lawsuit("fr", party("Getty Images", "plaintiff"), "Getty Images sued Stability AI.")
    getty_in_chinese = lawsuit(
        "zh", party("盖蒂图片社", "plaintiff", canonical="Getty Images"), "Getty sued Stability."
    )
    facts = build_facts([artist, getty, getty_in_chinese], REGISTRY)
    assert groups(facts, artist, getty, getty_in_chinese) == [[0], [1, 2]]


def test_two_things_one_speaker_says_in_two_chunks_of_an_article_are_two_statements() -> None:
    """A speaker says many things in one article, told apart only by what the summary says:
    statements are never merged inside one article, however alike."""

    def said(start: int, chunk: str, summary: str) -> Mention:
        return mention("en", start, {
            "type": "statement", "stance": "claim", "summary": summary, "time": when(None, "2024-03-25"),
            "participants": [party("Emad Mostaque", "speaker", "person"), party("Stability AI", "subject")],
        }, chunk)  # fmt: skip

    decentralized = said(0, "c1", "Emad Mostaque said he resigned from Stability AI to pursue decentralized AI.")
    not_for_sale = said(900, "c4", "Emad Mostaque said Stability AI was not for sale after he resigned.")
    assert len(build_facts([decentralized, not_for_sale], REGISTRY)) == 2


def keynote(doc: str, summary: str, speaker: str = "Jensen Huang") -> Mention:
    return mention(doc, 0, {
        "type": "statement", "stance": "claim", "summary": summary, "time": when(None, "2024-03-18"),
        "participants": [party(speaker, "speaker", "person"), party("Nvidia", "subject")],
    })  # fmt: skip


def test_two_things_one_speaker_said_on_one_day_in_two_articles_are_two_statements() -> None:
    """Speaker, subject and day agree; what was said shares no word besides their names and the
    words of speaking: two statements (the paraphrase of one of them, in a third article, joins it)."""
    ship = keynote("en_a", "Jensen Huang said Blackwell chips would ship later this year.")
    robots = keynote("fr_b", "Huang believes humanoid robots will be the next frontier of artificial intelligence.")
    shipped = keynote("zh_c", "Huang announced that Blackwell will be delivered before the end of the year.")
    assert groups(build_facts([ship, robots, shipped], REGISTRY), ship, robots, shipped) == [[0, 2], [1]]


def test_two_banks_raising_one_price_target_on_one_day_are_two_predictions() -> None:
    """ "Bank of America" is a name (its "of" joins two capitalized words), so it clashes with
    "Morgan Stanley" as the speaker, and who speaks is what a prediction is about."""

    def target(doc: str, bank: str, summary: str) -> Mention:
        return told(doc, "prediction", summary, [(bank, "speaker"), ("Nvidia", "subject")], "$200")

    bofa = target(
        "en_a", "Bank of America", "Bank of America raised its price target on Nvidia to $200, citing AI demand."
    )
    morgan = target("fr_b", "Morgan Stanley", "Morgan Stanley raised its price target on Nvidia to 200 dollars.")
    assert len(build_facts([bofa, morgan], REGISTRY)) == 2


@pytest.mark.parametrize(
    "summaries",
    [
        ("Honda said no merger with Nissan had been announced.", "Honda denied it is merging with Nissan."),
        ("A statement event.", "Honda believes humanoid robots will be the next frontier of AI."),  # no summary
    ],
)
def test_one_statement_told_with_other_words_or_with_no_summary_is_one_fact(summaries: tuple[str, str]) -> None:
    """ "merger" and "merging" are one word; a summary grounding replaced says nothing either way."""
    first, second = (
        told(doc, "statement", summary, [("Honda", "speaker"), ("Nissan", "other")], None, stance="denial")
        for doc, summary in zip(("en_a", "fr_b"), summaries, strict=True)
    )
    assert len(build_facts([first, second], REGISTRY)) == 1


@pytest.mark.parametrize(
    "parties", [[], [party("an executive", "subject", "person"), party("the board", "organization")]]
)
def test_two_mentions_of_an_article_naming_nobody_are_not_one_event_told_twice(parties: list[dict[str, Any]]) -> None:
    """A small model's mentions left with nothing but their type (names, dates and summary
    dropped by field grounding), or naming only "an executive", look the same: a retelling must
    name someone again."""

    def blank(start: int, chunk: str) -> Mention:
        return mention("en", start, {"type": "resignation", "position": None, "summary": "A resignation event.",
                                     "participants": parties}, chunk)  # fmt: skip

    assert len(build_facts([blank(0, "c1"), blank(900, "c4")], REGISTRY)) == 2


def resigned_on(
    doc: str, date: str, start: int = 0, chunk: str | None = None, person: str = "Emad Mostaque", position: str = "CEO"
) -> Mention:
    return resignation(doc, person, position, f"{person} resigned as {position} of Stability AI.", start, chunk, date)


def test_a_report_dated_the_next_day_in_another_time_zone_merges_with_both_dates_kept() -> None:
    """Friday evening in New York is Saturday morning in Beijing: 3月23日上午 and "March 22" can
    be one resignation. The fact keeps the disagreement."""
    new_york, beijing = resigned_on("en", "2024-03-22"), resigned_on("zh", "2024-03-23")
    facts = build_facts([new_york, beijing], REGISTRY)
    assert len(facts) == 1
    (dates,) = [c.values for c in facts[0].conflicts if c.field == "time.date"]
    assert sorted(v.value or "" for v in dates) == ["2024-03-22", "2024-03-23"]


@pytest.mark.parametrize(
    ("first", "second", "same_article"),
    [("2024-03-22", "2024-03-24", False), ("2024-03-22", "2024-03-23", True)],
)
def test_days_further_apart_or_a_day_apart_in_one_article_are_two_events(
    first: str, second: str, same_article: bool
) -> None:
    """Two days apart no time zone explains; one article dating two mentions a day apart means two days."""
    one = resigned_on("en", first, 0, "c1")
    other = resigned_on("en" if same_article else "zh", second, 900, "c4")
    assert len(build_facts([one, other], REGISTRY)) == 2


def test_the_ceos_resignation_and_the_interim_ceos_appointment_the_next_day_stay_apart() -> None:
    resigned = resigned_on("en", "2024-03-22")
    appointed = mention("zh", 0, {
        "type": "appointment", "position": "interim co-CEO", "time": when(None, "2024-03-23"),
        "summary": "Stability AI named Shan Shan Wong and Christian Laforte interim co-CEOs after Mostaque resigned.",
        "participants": [party("Shan Shan Wong", "subject", "person"), party("Christian Laforte", "subject", "person"),
                         party("Emad Mostaque", "predecessor", "person"), party("Stability AI", "organization")],
    })  # fmt: skip
    assert len(build_facts([resigned, appointed], REGISTRY)) == 2


def test_one_buyer_s_two_acquisitions_reported_a_day_apart_stay_apart() -> None:
    """Two targets are two deals (the target is a key role)."""

    def bought(doc: str, target: str, date: str) -> Mention:
        return mention(doc, 0, {
            "type": "acquisition", "status": "completed", "time": when(None, date),
            "summary": f"Nelode Ikviel agreed to buy {target}.",
            "participants": [party("Nelode Ikviel", "acquirer", "person"), party(target, "target")],
        })  # fmt: skip

    suloto, amusus = bought("en", "Suloto Labs", "2020-04-18"), bought("zh", "Amusus Labs", "2020-04-17")
    assert len(build_facts([suloto, amusus], REGISTRY)) == 2


def test_two_investments_a_day_apart_with_amounts_that_disagree_stay_apart() -> None:
    """A day apart is forgiven only when nothing else disagrees: Intel's $50 million and $20
    million reported a day apart are two investments."""
    fifty = funding("en", "Intel", "$50 million", "2023-10-10", "Intel invested $50 million in Stability AI.")
    twenty = funding("zh", "Intel", "2000万美元", "2023-10-11", "Intel invested $20 million in Stability AI.")
    assert len(build_facts([fifty, twenty], REGISTRY)) == 2


def test_two_people_resigning_from_one_company_a_day_apart_stay_apart() -> None:
    """A day apart is forgiven only when nothing else disagrees: two people are two resignations."""
    rombach = resigned_on("en", "2024-03-22", person="Robin Rombach", position="research scientist")
    blattmann = resigned_on("zh", "2024-03-23", person="Andreas Blattmann", position="research scientist")
    assert len(build_facts([rombach, blattmann], REGISTRY)) == 2


def test_mentions_left_with_only_their_type_are_not_one_event_across_articles() -> None:
    """A small model's mentions whose names, dates and summary grounding dropped all read "A
    resignation event.": the same words, but not the article's, so no evidence of one event.
    With a named participant and a date in common they still merge."""

    def grounded(doc: str, participants: list[dict[str, Any]], date: str | None) -> Mention:
        return mention(doc, 0, {"type": "resignation", "position": None, "summary": "A resignation event.",
                                "participants": participants, "time": when(None, date)})  # fmt: skip

    assert (
        len(build_facts([grounded("en", [], None), grounded("fr", [], None), grounded("zh", [], None)], REGISTRY)) == 3
    )
    mostaque = [party("Emad Mostaque", "subject", "person")]
    assert (
        len(build_facts([grounded("en", mostaque, "2024-03-23"), grounded("fr", mostaque, "2024-03")], REGISTRY)) == 1
    )


def stepped_down(doc: str, person: str, company: str, summary: str) -> Mention:
    return mention(doc, 0, {
        "type": "resignation", "position": "chairman", "summary": summary, "time": when(None, "2023-09"),
        "participants": [party(person, "subject", "person"), party(company, "organization")],
    })  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second"),
    [("Zhang Yong", "Joe Tsai"), ("张勇", "蔡崇信")],
)
def test_two_people_stepping_down_as_chairman_of_one_company_in_one_month_stay_apart(first: str, second: str) -> None:
    """Same position, company and month: only the person differs, which makes two events, in
    Latin script or in Chinese characters (which used to count as no name at all)."""
    company = "Alibaba" if first.isascii() else "阿里巴巴"
    one = stepped_down("en", first, company, "The chairman of Alibaba stepped down.")
    other = stepped_down("fr", second, company, "The chairman of Alibaba stepped down.")
    assert len(build_facts([one, other], REGISTRY)) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Joe Tsai", "Joseph Tsai"),  # another form of the first name
        ("Zhang Yong", "Daniel Zhang"),  # family name first, and an English name
        ("Anoro Miamor", "Amorto Miamor"),  # two typing errors
        ("Yevgeny Prigozhin", "Evgueni Prigojine"),  # the English and French transliterations
        ("张勇", "Zhang Yong"),  # Chinese characters and Latin script: maybe one name, written two ways
    ],
)
def test_one_person_named_two_ways_stepping_down_is_one_event(first: str, second: str) -> None:
    one = stepped_down("en", first, "Alibaba", "The chairman of Alibaba stepped down.")
    other = stepped_down("fr", second, "Alibaba", "The chairman of Alibaba stepped down.")
    assert len(build_facts([one, other], REGISTRY)) == 1


def test_a_person_most_sources_name_in_chinese_characters_still_clashes_with_one_named_in_latin_script() -> None:
    """张勇, written so twice, is "Zhang Yong" once: the entity is named in both scripts and
    clashes with Joe Tsai, whatever name it goes by."""
    english = stepped_down("en", "Zhang Yong", "Alibaba", "The chairman of Alibaba stepped down.")
    chinese = [
        stepped_down(doc, "张勇", "阿里巴巴", "The chairman of Alibaba stepped down.") for doc in ("zh_a", "zh_b")
    ]
    other = stepped_down("fr", "Joe Tsai", "Alibaba", "The chairman of Alibaba stepped down.")
    facts = build_facts([english, *chinese, other], REGISTRY)
    assert groups(facts, english, *chinese, other) == [[0, 1, 2], [3]]


def test_a_person_named_in_both_scripts_still_clashes_with_another_named_in_chinese_characters() -> None:
    """张勇 is "Zhang Yong" (pinyin), an entity named in Latin script; 蔡崇信 is another person,
    named in Chinese characters only: the two still clash, as 张勇 and 蔡崇信 would."""
    english = stepped_down("en", "Zhang Yong", "Alibaba", "The chairman of Alibaba stepped down.")
    chinese = stepped_down("zh_a", "张勇", "阿里巴巴", "The chairman of Alibaba stepped down.")
    other = stepped_down("zh_b", "蔡崇信", "阿里巴巴", "The chairman of Alibaba stepped down.")
    facts = build_facts([english, chinese, other], REGISTRY)
    assert groups(facts, english, chinese, other) == [[0, 1], [2]]


def told(
    doc: str, kind: str, summary: str, parties: list[tuple[str, ...]], amount: str | None, **fields: Any
) -> Mention:
    """A mention of an event of `kind` in April 2024, its parties (name, role[, kind]), organizations by default."""
    return mention(doc, 0, {
        "type": kind, "summary": summary, "participants": [party(*written) for written in parties],
        "amounts": [money(amount)] if amount else [], "time": when(None, "2024-04"), **fields,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # the one raising differs
            told("en", "funding", "AI startup Perplexity raised $100 million.", [("Perplexity AI", "recipient")],
                 "$100 million", stage=None),
            told("fr", "funding", "The AI startup Poolside raised $100 million.", [("Poolside", "recipient")],
                 "100 millions de dollars", stage=None),
        ),
        (  # the one sued differs
            told("en", "lawsuit", "Record labels sued Suno for copyright infringement.",
                 [("RIAA", "plaintiff"), ("Suno", "defendant")], None, claim="copyright infringement"),
            told("fr", "lawsuit", "Record labels sued Udio for copyright infringement.",
                 [("RIAA", "plaintiff"), ("Udio", "defendant")], None, claim="copyright infringement"),
        ),
        (  # the one owing differs
            told("en", "debt", "Stability AI owed AWS $1 million.", [("Stability AI", "debtor"), ("AWS", "creditor")],
                 "$1 million", status="unpaid"),
            told("fr", "debt", "Inflection owed AWS $1 million.", [("Inflection AI", "debtor"), ("AWS", "creditor")],
                 "1 million de dollars", status="unpaid"),
        ),
        (  # the one bought differs
            told("en", "acquisition", "Nvidia agreed to acquire Israeli AI startup Run:ai.",
                 [("Nvidia", "acquirer"), ("Run:ai", "target")], None, status="announced"),
            told("fr", "acquisition", "Nvidia agreed to acquire Israeli AI startup Deci.",
                 [("Nvidia", "acquirer"), ("Deci", "target")], None, status="announced"),
        ),
        (  # the one partnered with differs
            told("en", "partnership", "OpenAI signed a deal with the Financial Times.",
                 [("OpenAI", "subject"), ("Financial Times", "partner")], None),
            told("fr", "partnership", "OpenAI signed a deal with Moderna.",
                 [("OpenAI", "subject"), ("Moderna", "partner")], None),
        ),
        (  # one party in common, in another role: not two parties swapped, two deals
            told("en", "partnership", "OpenAI signed a deal with the Financial Times.",
                 [("OpenAI", "subject"), ("Financial Times", "partner")], None),
            told("fr", "partnership", "The Financial Times signed a deal with Moderna.",
                 [("Financial Times", "subject"), ("Moderna", "partner")], None),
        ),
        (  # organizations whose names merely look alike (rapidfuzz 93)
            told("en", "funding", "Cohere raised $500 million.", [("Cohere", "recipient")], "$500 million", stage=None),
            told("fr", "funding", "Coherent raised $500 million.", [("Coherent", "recipient")],
                 "500 millions de dollars", stage=None),
        ),
        (  # "Eltoor Labs" and "Loiklo Labs" score 73 by rapidfuzz, most of it " Labs"
            told("en", "lawsuit", "Deneto Amsuam sued Eltoor Labs.", [("Eltoor Labs", "defendant")], None, claim=None),
            told("fr", "lawsuit", "Deneto Amsuam sued Loiklo Labs.", [("Loiklo Labs", "defendant")], None, claim=None),
        ),
    ],
)  # fmt: skip
def test_events_about_two_different_parties_in_one_month_stay_apart(first: Mention, second: Mention) -> None:
    """The same type, month, wording and amount, but about another company: another event."""
    assert len(build_facts([first, second], REGISTRY)) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # "Activision" is in "Activision Blizzard" (and looks too little like it for likeness alone)
            told("en", "acquisition", "Microsoft completed its $68.7 billion acquisition of Activision Blizzard.",
                 [("Microsoft", "acquirer"), ("Activision Blizzard", "target")], "$68.7 billion", status="completed"),
            told("fr", "acquisition", "Microsoft completed its $68.7 billion acquisition of Activision.",
                 [("Microsoft", "acquirer"), ("Activision", "target")], "68,7 milliards de dollars",
                 status="completed"),
        ),
        (  # an acronym
            told("en", "investigation", "The Federal Trade Commission opened an investigation into OpenAI.",
                 [("Federal Trade Commission", "authority"), ("OpenAI", "subject")], None),
            told("fr", "investigation", "The FTC is investigating OpenAI.",
                 [("FTC", "authority"), ("OpenAI", "subject")], None),
        ),
        (  # the product a participant in one, only in the product field in the other
            told("en", "product_release", "Apple unveiled the iPhone 15.",
                 [("Apple", "subject"), ("iPhone 15", "product", "product")], None, product="iPhone 15"),
            told("zh", "product_release", "Apple released the iPhone 15.", [("苹果", "subject")], None,
                 product="iPhone 15"),
        ),
        (  # a weak model's roles swapped: the same two parties, so no party against
            told("fr", "funding", "Microsoft invested $10 billion in OpenAI.",
                 [("Microsoft", "subject"), ("OpenAI", "recipient")], "10 milliards de dollars", stage=None),
            told("zh", "funding", "OpenAI received a $10 billion investment from Microsoft.",
                 [("OpenAI", "subject"), ("微软", "investor")], "100亿美元", stage=None),
        ),
    ],
)  # fmt: skip
def test_one_event_whose_parties_are_named_or_placed_two_ways_is_one_fact(first: Mention, second: Mention) -> None:
    assert len(build_facts([first, second], REGISTRY)) == 1


@pytest.mark.parametrize(
    ("kind", "first", "second", "fields"),
    [
        ("partnership", ("百度", "partner"), ("百度公司", "partner"), {}),  # one within the other
        ("appointment", ("梁文锋", "subject", "person"), ("梁文峰", "subject", "person"),
         {"position": "CEO"}),  # the same in pinyin: an input-method slip
        ("appointment", ("穆拉蒂", "subject", "person"), ("穆拉提", "subject", "person"),
         {"position": "CEO"}),  # Murati transliterated twice
    ],
)  # fmt: skip
def test_one_party_named_two_ways_in_chinese_characters_is_one_event(
    kind: str, first: tuple[str, ...], second: tuple[str, ...], fields: dict[str, Any]
) -> None:
    one = told("zh_a", kind, "Apple's partner, or its new CEO.", [("苹果", "subject"), first], None, **fields)
    other = told("zh_b", kind, "Apple's partner, or its new CEO.", [("苹果", "subject"), second], None, **fields)
    assert len(build_facts([one, other], REGISTRY)) == 1


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        ("刘强", "刘强东", "person"),
        ("张一鸣", "张一山", "person"),
        ("张勇", "蒋勇", "person"),
        ("华夏", "华谊", "organization"),
    ],
)
def test_two_parties_whose_chinese_names_only_look_alike_stay_apart(first: str, second: str, kind: str) -> None:
    """One within the other is one organization, not one person (刘强, 刘强东); alike in sound
    is one name only when the same in pinyin (张一鸣, 张一山; 华夏, 华谊)."""
    one = told("zh_a", "appointment", "A new CEO.", [(first, "subject", kind)], None, position="CEO")
    other = told("zh_b", "appointment", "A new CEO.", [(second, "subject", kind)], None, position="CEO")
    assert len(build_facts([one, other], REGISTRY)) == 2


def weekly_users(doc: str, amount: str, metric: str) -> Mention:
    return told(doc, "financial_metric", f"ChatGPT has {amount} weekly active users.",
                [("OpenAI", "subject"), ("ChatGPT", "product", "product")], None, metric=metric,
                amounts=[money(amount, "weekly active users")])  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # two models of one line, the same version number: Opus is not Haiku
            told("en", "product_release", "Anthropic released Claude 3 Opus, its most capable model.",
                 [("Anthropic", "subject"), ("Claude 3 Opus", "product", "product")], None, product="Claude 3 Opus"),
            told("fr", "product_release", "Anthropic released Claude 3 Haiku, its fastest model.",
                 [("Anthropic", "subject"), ("Claude 3 Haiku", "product", "product")], None,
                 product="Claude 3 Haiku"),
        ),
        (weekly_users("en", "100 million", "users"), weekly_users("fr", "200 millions", "users")),  # another figure
        (weekly_users("en", "100 million", "users"), weekly_users("fr", "200 millions", "other")),  # metric told twice
        (  # two segments' revenue in one quarter
            told("en", "financial_metric", "Nvidia's data center revenue was $22.6 billion in the quarter.",
                 [("Nvidia", "subject")], None, metric="revenue",
                 amounts=[money("$22.6 billion", "data center revenue")]),
            told("zh", "financial_metric", "Nvidia's gaming revenue was $2.6 billion in the quarter.",
                 [("英伟达", "subject")], None, metric="revenue", amounts=[money("26亿美元", "gaming revenue")]),
        ),
        (  # two products, each named only in the release's product field (a weak model's omission)
            told("en", "product_release", "Apple unveiled the iPhone 15.", [("Apple", "subject")], None,
                 product="iPhone 15"),
            told("fr", "product_release", "Apple unveiled the Apple Watch Series 9.", [("Apple", "subject")], None,
                 product="Apple Watch Series 9"),
        ),
        (  # two kinds of "other" event, by their labels
            told("en", "other", "Nvidia announced a ten-for-one stock split.", [("Nvidia", "subject")], None,
                 label="stock split"),
            told("fr", "other", "Nvidia raised its quarterly dividend by 150 percent.", [("Nvidia", "subject")], None,
                 label="dividend increase"),
        ),
    ],
)  # fmt: skip
def test_two_look_alike_events_of_one_company_in_one_month_stay_apart(first: Mention, second: Mention) -> None:
    """The same company, type and month, and summaries alike: another model, another figure of
    one metric, another kind of event."""
    assert len(build_facts([first, second], REGISTRY)) == 2


def revenue(doc: str, amount: str, billions: int) -> Mention:
    return mention(doc, 0, {
        "type": "financial_metric", "metric": "revenue", "time": when(None, "2024-05-22"),
        "summary": f"Nvidia reported record quarterly revenue of ${billions} billion, up 262 percent from a year ago.",
        "participants": [party("Nvidia", "subject")], "amounts": [money(amount, "quarterly revenue")],
    })  # fmt: skip


def test_one_figure_told_alike_with_two_numbers_is_one_fact_with_the_numbers_in_conflict() -> None:
    """Two numbers for one metric are two figures unless all else says one report: the same
    words, the same day, the same measure; then a source's slip is kept as a conflict."""
    [fact] = build_facts([revenue("en", "$26 billion", 26), revenue("fr", "28 milliards de dollars", 28)], REGISTRY)
    assert [c.field for c in fact.conflicts] == ["amounts"]


def test_a_suit_by_many_named_plaintiffs_still_tells_its_defendant() -> None:
    """Matching compares MAX_WIDTH parties of a mention: 20 authors suing must not crowd out the
    one sued, or the suits against OpenAI and against Meta would be one."""
    authors = [(f"Author {chr(65 + n)}{chr(97 + n)}lson", "plaintiff", "person") for n in range(20)]
    openai, meta = (
        told(doc, "lawsuit", "Twenty authors sued for copyright infringement.", [*authors, (sued, "defendant")],
             None, claim="copyright infringement")
        for doc, sued in (("en", "OpenAI"), ("fr", "Meta"))
    )  # fmt: skip
    assert len(build_facts([openai, meta], REGISTRY)) == 2


def test_a_description_among_a_company_s_names_is_not_within_another_company_s_name() -> None:
    """公司 ("the company"), written for Qiyun, which another article names 启云科技, is no name of
    Qiyun's to find within 华为公司: their two rounds stay two."""
    named = told(
        "zh_a",
        "appointment",
        "Qiyun named a new CEO.",
        [("启云科技", "organization", "organization", "Qiyun Tech")],
        None,
        position="CEO",
    )
    qiyun = told(
        "zh_b",
        "funding",
        "The company raised 10 billion yuan.",
        [("公司", "recipient", "organization", "Qiyun Tech")],
        "100亿元",
        stage=None,
    )
    huawei = told(
        "zh_c", "funding", "The company raised 10 billion yuan.", [("华为公司", "recipient")], "100亿元", stage=None
    )
    assert groups(build_facts([named, qiyun, huawei], REGISTRY), named, qiyun, huawei) == [[0], [1], [2]]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("CFO", "cfo"), ("Chief Financial Officer", "cfo"), ("directeur financier", "cfo"), ("首席财务官", "cfo"),
        ("PDG par intérim", "ceo interim"), ("临时首席执行官", "interim ceo"), ("research director", "researchhead"),
        ("研究主管", "researchhead"), ("director of product", "director of product"),  # "cto" is not in "director"
        ("副董事长", "vicechairman"), ("vice président", "vicepresident"), ("directeur général adjoint", "deputyceo"),
        ("directeur des systèmes d’information", "cio"),  # a typographic apostrophe
    ],
)  # fmt: skip
def test_a_job_title_reads_the_same_in_every_language(written: str, read: str) -> None:
    assert position_words(written).split() == read.split()


def test_the_ceos_resignation_and_a_researchers_told_in_chinese_in_the_same_month_stay_apart() -> None:
    """A weak model copies the article's words: 研究主管 (head of research) is not CEO, and
    罗宾·隆巴赫, in Chinese characters, may be anyone's name in Latin script."""
    ceo = resignation("en", "Emad Mostaque", "CEO", "Emad Mostaque resigned as CEO of Stability AI.", date="2024-03-23")
    researcher = resignation("zh", "罗宾·隆巴赫", "研究主管", "Stability AI's head of research left the company.")
    assert len(build_facts([ceo, researcher], REGISTRY)) == 2


def test_the_look_alike_probes_of_the_benchmark_are_mentions_grouped_into_a_partition() -> None:
    """bench/lookalike_probes.py measures with these: each probe's mentions validate, and its
    expected groups take each of them exactly once."""
    path = Path(__file__).resolve().parent.parent / "bench" / "data" / "lookalike_probes.jsonl"
    probes = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len({p["name"] for p in probes}) == len(probes) > 100
    for probe in probes:
        mentions = [Mention.model_validate(m) for m in probe["mentions"]]
        assert sorted(k for group in probe["expected"] for k in group) == list(range(len(mentions)))


def test_a_claim_a_weak_model_copied_in_french_does_not_count_against_the_english_one() -> None:
    """« violation du droit d'auteur » shares no word with "copyright infringement": words of
    another language say nothing, as Chinese ones never did."""
    english = told(
        "en",
        "lawsuit",
        "The New York Times sued OpenAI and Microsoft for copyright infringement.",
        [("The New York Times", "plaintiff"), ("OpenAI", "defendant"), ("Microsoft", "defendant")],
        None,
        claim="copyright infringement",
        time=when(None, "2023-12-27"),
    )
    french = told("fr", "lawsuit", "The newspaper took the ChatGPT maker to court over its articles.",
                  [("New York Times", "plaintiff"), ("OpenAI", "defendant")], None,
                  claim="violation du droit d'auteur", time=when(None, "2023-12"))  # fmt: skip
    assert len(build_facts([english, french], REGISTRY)) == 1


def test_two_other_events_of_two_subjects_stay_apart() -> None:
    """Layoffs at Amazon's Prime Video and at Twitch, the same day, under one label: an "other"
    event is about its subject, as a resignation is about the one resigning."""
    amazon = told(
        "en",
        "other",
        "Amazon is cutting several hundred jobs in its Prime Video and MGM Studios units.",
        [("Amazon", "subject")],
        None,
        label="layoffs",
    )
    twitch = told("fr", "other", "Twitch, owned by Amazon, is cutting 500 jobs, about 35% of its staff.",
                  [("Twitch", "subject"), ("Amazon", "organization")], None, label="layoffs")  # fmt: skip
    assert len(build_facts([amazon, twitch], REGISTRY)) == 2
