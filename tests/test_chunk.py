"""Sentence segmentation and chunking in Chinese, English and French: exact, lossless, deterministic."""

from __future__ import annotations

from itertools import pairwise

import pytest
from conftest import SEEDS

from pipeline.chunk import chunk_document, estimate_tokens, split_chunk, split_sentences
from pipeline.ingest import find_articles, read_document
from pipeline.records import Document, ReferenceDate


def sentences(text: str, lang: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, lang)]


def document(text: str, lang: str) -> Document:
    none = ReferenceDate(date=None, precision=None, source="none", evidence=None)
    return Document(doc_id="d", path="d.txt", sha256="0", encoding="utf-8", lang=lang, reference_date=none, text=text)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("他辞职了。真的吗？是的！公司；董事会", "zh", ["他辞职了。", "真的吗？", "是的！", "公司；", "董事会"]),
        ("他辞职了.真的吗?是的!", "zh", ["他辞职了.", "真的吗?", "是的!"]),
        ("他说:“我辞职了。”然后离开了。", "zh", ["他说:“我辞职了。”", "然后离开了。"]),
        ("他辞职了。。。真的吗？？是的！！", "zh", ["他辞职了。。。", "真的吗？？", "是的！！"]),
        ("Dr. Smith moved to the U.S. in 2019. He left.", "en", ["Dr. Smith moved to the U.S. in 2019.", "He left."]),
        ("Revenue was US$1.2 million. Mr. Lee said so.", "en", ["Revenue was US$1.2 million.", "Mr. Lee said so."]),
        ("Hmm...... Then. J. R. Smith came.", "en", ["Hmm......", "Then.", "J. R. Smith came."]),
        (
            "M. Mostaque a démissionné. Mme Wong le remplace.",
            "fr",
            ["M. Mostaque a démissionné.", "Mme Wong le remplace."],
        ),
        ("Selon « Forbes », c'est fini ! Vraiment ?", "fr", ["Selon « Forbes », c'est fini !", "Vraiment ?"]),
        ("Title line\nBody sentence one. Body two.", "en", ["Title line", "Body sentence one.", "Body two."]),
    ],
)
def test_sentence_boundaries(text: str, lang: str, expected: list[str]) -> None:
    assert sentences(text, lang) == expected


@pytest.mark.parametrize("path", sorted(SEEDS.iterdir()), ids=lambda p: p.name[:3])
@pytest.mark.parametrize(("budget", "overlap"), [(60, 0), (200, 1), (600, 2)])
def test_chunks_are_exact_lossless_and_overlap_by_whole_sentences(path, budget: int, overlap: int) -> None:  # type: ignore[no-untyped-def]
    [source] = [s for s in find_articles(SEEDS) if s.path == path]
    doc = read_document(source)
    chunks = chunk_document(doc, budget, overlap)
    covered = set()
    for i, chunk in enumerate(chunks):
        assert chunk.index == i and chunk.doc_id == doc.doc_id
        assert chunk.text == doc.text[chunk.char_start : chunk.char_end]
        assert estimate_tokens(chunk.text) <= budget
        covered.update(range(chunk.char_start, chunk.char_end))
    assert all(c.isspace() for i, c in enumerate(doc.text) if i not in covered)  # nothing lost
    for before, after in pairwise(chunks):
        assert after.char_start <= before.char_end or doc.text[before.char_end : after.char_start].isspace()
        shared = sentences(before.text, doc.lang)[-overlap:] if overlap else []
        if overlap and after.char_start < before.char_end:
            assert after.text.startswith(shared[0])
    assert chunk_document(doc, budget, overlap) == chunks  # deterministic


def test_overlap_repeats_exactly_the_last_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    chunks = chunk_document(document(text, "en"), 20, 1)
    for before, after in pairwise(chunks):
        last = sentences(before.text, "en")[-1]
        assert sentences(after.text, "en")[0] == last


def test_a_sentence_longer_than_the_budget_is_split_at_the_best_boundary() -> None:
    clauses = "，".join(["公司宣布了新的首席执行官"] * 12) + "。"
    chunks = chunk_document(document(clauses, "zh"), 40, 0)
    assert len(chunks) > 1
    assert all(c.text.endswith(("，", "。")) for c in chunks)
    words = " ".join(["word"] * 400)
    chunks = chunk_document(document(words, "en"), 30, 0)
    assert all(c.text.startswith("word") and c.text.endswith("word") for c in chunks)
    unbroken = "字" * 100
    chunks = chunk_document(document(unbroken, "zh"), 30, 0)
    assert "".join(c.text for c in chunks) == unbroken


def test_a_long_text_without_a_full_stop_is_chunked_not_a_crash() -> None:
    """300,000 characters with no sentence end, at 50 tokens a chunk, raised RecursionError and
    lost the whole run; split_long now loops."""
    words = " ".join(["word"] * 60_000)
    chunks = chunk_document(document(words, "en"), 50, 0)
    assert len(chunks) > 1000 and all(len(c.text) <= 200 for c in chunks)
    assert " ".join(c.text for c in chunks) == words


def test_split_chunk_halves_at_a_sentence_boundary() -> None:
    text = "One. Two. Three. Four."
    doc = document(text, "en")
    [chunk] = chunk_document(doc, 100, 0)
    first, second = split_chunk(doc, chunk)
    assert (first.text, second.text) == ("One. Two.", "Three. Four.")
    assert first.id != second.id != chunk.id


def test_token_estimate_counts_cjk_per_character() -> None:
    assert estimate_tokens("公司宣布") == 4
    assert estimate_tokens("abcdefgh") == 2
