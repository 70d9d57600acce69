"""Ingest: encodings, BOMs, line endings, languages, reference dates and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS

from pipeline.ingest import IngestError, decode, find_articles, ingest, read_document, reference_date
from pipeline.records import Document

ZH = (SEEDS / "000_5a7371e00b5e1f70.txt").read_text(encoding="utf-8")
EN = (SEEDS / "001_35bbcc48e17f0e9c.txt").read_text(encoding="utf-8")
FR = (SEEDS / "002_51e7b881c44715a2.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "codec", "reported"),
    [
        (EN, "utf-8", "utf-8"),
        (ZH, "utf-8-sig", "utf-8-sig"),  # was "utf-8-bom", no codec's name
        (ZH[:200], "utf-16", "utf-16"),
        (FR[:300], "utf-16-le", "utf-16-le"),
        (ZH[:60], "gb18030", "gb18030"),
        (ZH[:400], "gbk", "gb18030"),
        (FR[:150], "cp1252", "cp1252"),
        (FR[:400], "latin-1", "cp1252"),
        (EN[:600].replace("’", "'"), "cp1252", "utf-8"),  # plain ASCII is valid UTF-8
    ],
)
def test_decodes_every_supported_encoding(text: str, codec: str, reported: str) -> None:
    decoded, encoding = decode(text.encode(codec), "f.txt")
    assert decoded == text
    assert encoding == reported and text.encode(codec).decode(encoding) == text  # as README says to read it


def test_crlf_is_kept_so_offsets_match_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Line one.\r\nLigne deux.\r\n")
    [source] = find_articles(tmp_path)
    assert read_document(source).text == "Line one.\r\nLigne deux.\r\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (bytes(range(256)) * 8, "not a text file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "not a text file"),
    ],
)
def test_bad_files_get_one_line_errors_naming_them(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "bad.txt").write_bytes(content)
    [source] = find_articles(tmp_path)
    with pytest.raises(IngestError) as error:
        read_document(source)
    assert str(error.value).startswith(f"{tmp_path / 'bad.txt'}: {message}")
    assert "\n" not in str(error.value)


def test_a_badly_named_file_or_a_dangling_link_fails_alone_in_one_printable_line(tmp_path: Path) -> None:
    """A file named in Latin-1 stopped the run with "'utf-8' codec can't encode character
    '\\udce9'"; a line break in a name split its message in two; a link to nowhere was skipped
    without a word."""
    (tmp_path / "good.txt").write_text("A good text.", encoding="utf-8")
    (tmp_path / "good.txt").with_name("caf\udce9.txt").write_text("Latin-1 name.", encoding="utf-8")
    (tmp_path / "two\nlines.txt").write_text("A name in two lines.", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    results = list(ingest(tmp_path))
    assert [r.doc_id for r in results if isinstance(r, Document)] == ["good"]
    messages = sorted(str(r) for r in results if isinstance(r, IngestError))
    assert messages == [
        f"{tmp_path}/caf\\xe9.txt: the file's name is not UTF-8 text on one line; rename it",
        f"{tmp_path}/gone.txt: cannot read (No such file or directory)",
        f"{tmp_path}/two\\nlines.txt: the file's name is not UTF-8 text on one line; rename it",
    ]
    assert all(m.encode("utf-8").decode("utf-8").isprintable() for m in messages)


def test_two_badly_named_files_of_one_stem_fail_alone_and_a_wide_space_is_a_name(tmp_path: Path) -> None:
    """The duplicate-id message named the other file unescaped and stopped the run; U+3000 (an
    ideographic space, common in Chinese titles) was refused as unprintable."""
    for suffix in (".txt", ".md"):
        (tmp_path / f"caf\udce9{suffix}").write_text("Latin-1 name.", encoding="utf-8")
    (tmp_path / "新闻\u3000报道.txt").write_text("一篇文章。", encoding="utf-8")
    results = list(ingest(tmp_path))
    assert [r.doc_id for r in results if isinstance(r, Document)] == ["新闻\u3000报道"]
    assert all("caf\\xe9" in str(r) and str(r).isprintable() for r in results if isinstance(r, IngestError))


def test_doc_ids_are_relative_paths_without_extension(tmp_path: Path) -> None:
    for name in ["b/2.md", "a.txt", "b/1.txt", "c.pdf", ".hidden/x.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("Text.", encoding="utf-8")
    assert [s.doc_id for s in find_articles(tmp_path)] == ["a", "b/1", "b/2"]


def test_missing_folder() -> None:
    with pytest.raises(IngestError, match="no such folder"):
        find_articles(Path("does-not-exist"))


def test_seed_languages_hashes_and_reference_dates() -> None:
    documents = [read_document(s) for s in find_articles(SEEDS)]
    assert [d.lang for d in documents] == ["zh", "en", "fr"]
    assert all(len(d.sha256) == 64 for d in documents)
    assert [d.reference_date.date for d in documents] == ["2024", "2024", "2024"]
    assert documents[0].reference_date.source == "inferred"


def test_other_languages_are_labelled_not_rejected(tmp_path: Path) -> None:
    (tmp_path / "de.txt").write_text("Die Firma hat gestern einen neuen Vorstand ernannt.", encoding="utf-8")
    [source] = find_articles(tmp_path)
    assert read_document(source).lang == "de"


def test_reference_date_given_written_or_inferred() -> None:
    assert reference_date("anything", "2024-03-25").source == "given"
    written = reference_date("Date: 25 mars 2024\nLe 12 juin 2023, rien.")
    assert (written.date, written.source) == ("2024-03-25", "inferred")
    inferred = reference_date("In October 2023 it raised money; in 2022 it lost some.")
    assert (inferred.date, inferred.precision) == ("2023-10", "month")
    assert reference_date("No dates here.").source == "none"
    history = reference_date("公司成立于68年3月，12年5月上市。")  # two-digit years in an article: history
    assert history.source == "none"  # was inferred as 2068-03
    with pytest.raises(ValueError, match="not an ISO date"):
        reference_date("x", "March 2024")


def test_two_files_with_one_document_id_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("First text.", encoding="utf-8")
    (tmp_path / "a.md").write_text("Second text.", encoding="utf-8")
    results = list(ingest(tmp_path))
    assert isinstance(results[0], Document) and results[0].path.endswith("a.md")
    assert isinstance(results[1], IngestError) and "same document id 'a'" in str(results[1])


def test_impossible_days_are_not_dates() -> None:
    from pipeline.dates import find_dates, parse_iso

    assert parse_iso("2024-02-31") is None and parse_iso("2024-02-29") == "day"
    # an impossible day is dropped; the month the text gives is kept
    assert [d.date for d in find_dates("le 31 février 2023, puis en mars 2023")] == ["2023-02", "2023-03"]


@pytest.mark.parametrize(
    "text",
    [
        "某公司2024年3月25日宣布，计划到2030年实现盈利。",
        "The company said on March 25, 2024 it aims to be profitable by 2027.",
        "La société a annoncé le 25 mars 2024 viser la rentabilité en 2028.",
    ],
)
def test_a_year_planned_after_the_latest_full_date_is_not_the_date_of_writing(text: str) -> None:
    assert reference_date(text).date == "2024-03-25"


def test_a_bad_file_takes_no_document_id_from_the_good_article_of_its_name(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_bytes(b"")  # read first ("story.md" < "story.txt"), and empty
    (tmp_path / "story.txt").write_text("Acme Corp named a new chief executive on Monday.\n", encoding="utf-8")
    read = list(ingest(tmp_path))
    assert [type(item).__name__ for item in read] == ["IngestError", "Document"]
    assert "story.md: empty file" in str(read[0]) and isinstance(read[1], Document)


def test_utf8_damaged_in_one_byte_is_an_error_naming_the_byte_and_line_not_another_encoding() -> None:
    french = (SEEDS / "002_51e7b881c44715a2.txt").read_bytes()
    cut = french.index(b". ", 3000) + 1
    with pytest.raises(IngestError, match=r"fr\.txt: not valid UTF-8 at byte 3052 \(line 19\)"):
        decode(french[:cut] + b"\xff" + french[cut:], "fr.txt")  # read as cp1252, it was garbled throughout


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (
            "日本銀行は本日、金融政策決定会合で大規模な金融緩和策の維持を決めた。植田和男総裁は記者会見で述べた。" * 2,
            "shift_jis",
        ),
        (
            "삼성전자는 오늘 새로운 반도체 공장 건설을 발표했다. 투자 규모는 10조 원이다. 회사 측은 밝혔다." * 3,
            "euc_kr",
        ),
    ],
    ids=["shift_jis", "euc_kr"],
)
def test_japanese_and_korean_files_are_not_read_as_gb18030(text: str, codec: str) -> None:
    assert decode(text.encode(codec), "a.txt") == (text, codec)


def test_english_naming_a_few_chinese_people_in_gb18030_stays_gb18030() -> None:
    text = (
        "Baidu founder Robin Li (李彦宏) unveiled Ernie 4.0 on Tuesday, while Xiaomi's Lei Jun (雷军) "
        "and BYD's Wang Chuanfu (王传福) spoke at the same Beijing conference about electric cars. " * 2
    )
    assert decode(text.encode("gb18030"), "a.txt") == (text, "gb18030")  # read as Big5 or EUC-KR, it was garbled
