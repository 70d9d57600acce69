"""Grounding: exact first, then tolerant alignment; Chinese as reliably as English; rejection."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import SEEDS

from pipeline.events import Modality, Prediction, TimeRef
from pipeline.ground import ground_fields, ground_quote, type_supported

ZH = (SEEDS / "000_5a7371e00b5e1f70.txt").read_text(encoding="utf-8")
FR = (SEEDS / "002_51e7b881c44715a2.txt").read_text(encoding="utf-8")


def test_exact_match_gives_exact_offsets() -> None:
    quote = "宣布公司CEO Emad Mostaque 辞职"
    evidence = ground_quote(ZH, quote)
    assert evidence is not None and evidence.match == "exact"
    assert ZH[evidence.char_start : evidence.char_end] == evidence.quote == quote


@pytest.mark.parametrize(
    "model_quote",
    [
        "宣布公司 CEO Emad Mostaque辞职",  # spaces added and removed around Latin words
        "3月23日上午，Stability AI突然发布一项公告",  # full-width comma where the text has ","
        "ＣＥＯ Emad Mostaque 辞职",  # full-width Latin letters
        "宣布公司ceo emad mostaque 辞职",  # case
    ],
)
def test_tolerant_match_in_chinese_returns_the_source_text(model_quote: str) -> None:
    evidence = ground_quote(ZH, model_quote)
    assert evidence is not None and evidence.match == "normalized"
    assert ZH[evidence.char_start : evidence.char_end] == evidence.quote
    assert "Mostaque" in evidence.quote or "Stability" in evidence.quote


def test_tolerant_match_for_quote_marks_dashes_and_line_breaks() -> None:
    text = "Il a dit : « Nous avons levé 100 millions » — selon Forbes,\n  la société a refusé."
    for quote in ['Il a dit : "Nous avons levé 100 millions" - selon Forbes', "selon Forbes, la société a refusé"]:
        evidence = ground_quote(text, quote)
        assert evidence is not None and text[evidence.char_start : evidence.char_end] == evidence.quote


def test_ellipsis_grounds_as_the_span_from_first_to_last_piece() -> None:
    text = "Emad Mostaque, qui était alors PDG de Stability AI, a annoncé sa démission de son poste."
    evidence = ground_quote(text, "Emad Mostaque ... a annoncé sa démission")
    assert evidence is not None
    assert evidence.quote == "Emad Mostaque, qui était alors PDG de Stability AI, a annoncé sa démission"


def test_search_is_limited_to_the_chunk_and_first_occurrence_wins() -> None:
    text = "Acme rose. Acme rose. Beta fell."
    assert ground_quote(text, "Acme rose").char_start == 0  # type: ignore[union-attr]
    assert ground_quote(text, "Acme rose", start=5).char_start == 11  # type: ignore[union-attr]
    assert ground_quote(text, "Beta fell", end=20) is None


@pytest.mark.parametrize("quote", ["Stability AI a été rachetée par Google", "", "  ", "AI", "Emad Mostaque resigned"])
def test_rejects_quotes_not_in_the_text_or_too_short(quote: str) -> None:
    assert ground_quote(FR, quote) is None


def test_every_seed_sentence_grounds_exactly_after_reformatting() -> None:
    """Re-spaced and width-shifted copies of real Chinese sentences all come back to the source."""
    sentences = [s for s in ZH.replace("。", "。\n").splitlines() if len(s.strip()) > 8][:40]
    for sentence in sentences:
        garbled = sentence.replace(",", "，").replace(" ", "").replace(":", "：")
        evidence = ground_quote(ZH, garbled)
        assert evidence is not None, sentence
        assert ZH[evidence.char_start : evidence.char_end] == evidence.quote


@pytest.mark.parametrize(("text_form", "quote_form"), [("NFD", "NFC"), ("NFC", "NFD"), ("NFD", "NFD")])
def test_accents_ground_whether_precomposed_or_written_as_combining_marks(text_form: str, quote_form: str) -> None:
    text = unicodedata.normalize(text_form, "Le PDG a démissionné hier. Le PDG a de la chance.")
    evidence = ground_quote(text, unicodedata.normalize(quote_form, "a démissionné hier"))
    assert evidence is not None and text[evidence.char_start : evidence.char_end] == evidence.quote
    assert unicodedata.normalize("NFC", evidence.quote) == "a démissionné hier"
    cut = ground_quote(text, "Le PDG a de")  # never the first 'e' of 'dé' without its accent
    assert cut is not None and cut.char_start == text.index("Le PDG a de la")


def test_an_ellipsis_quote_tries_every_place_its_first_piece_appears() -> None:
    text = "Alpha beta gamma. " + "x" * 600 + " Alpha beta delta epsilon."
    evidence = ground_quote(text, "Alpha beta … epsilon")
    assert evidence is not None and evidence.quote == "Alpha beta delta epsilon"


@pytest.mark.parametrize(
    ("words", "model_date", "kept"),
    [
        ("去年第四季度", "2023-Q4", "2023-Q4"),  # stated against the reference date: kept
        ("2023年6月", "2023-06", "2023-06"),  # stated outright: kept
        ("去年", "2021", None),  # not what the words say: dropped, the words stay
    ],
)
def test_a_small_models_date_is_kept_only_when_its_words_state_it(
    words: str, model_date: str, kept: str | None
) -> None:
    text = f"{words},Stability AI的收入下降了。"
    event = Prediction(
        type="prediction",
        summary="Revenue fell.",
        participants=[],
        time=TimeRef(text=words, date=model_date, precision=None),
        amounts=[],
        modality=Modality.ASSERTED,
        attribution=None,
    )
    time = ground_fields(event, text, reference="2024-03-25").time
    assert time is not None and time.text == words and time.date == kept


@pytest.mark.parametrize(
    ("event_type", "quote", "supported"),
    [
        ("resignation", "3月23日上午,Stability AI突然发布一项公告,宣布公司CEO Emad Mostaque 辞职。", True),
        ("resignation", "Stability AI依然不乏追求者。", False),  # "still has suitors": no resignation
        ("resignation", "il a volontairement démissionné pour consacrer ses efforts", True),  # a word's start
        ("resignation", "Emad Mostaque RESIGNED as chief executive", True),  # case
        ("resignation", "After many talents have left, Stability's own capabilities are in question.", True),
        ("resignation", "The leftover budget was spent on compute.", False),  # "left" is a whole word
        ("funding", "Stability a levé 100 millions de dollars", True),  # accents aside
        ("funding", "the level of the stock", False),
        ("acquisition", "vendredi dernier, la société a publié", False),  # « vend » is not « vendredi »
        ("statement", "l’entreprise a déclaré qu’elle", True),  # a typographic apostrophe
        ("investigation", "《福布斯》在采访了30多人后了解到", True),
        ("other", "Anything at all.", True),  # no cue needed
    ],
)
def test_a_small_models_event_type_must_be_written_in_its_quotes(event_type: str, quote: str, supported: bool) -> None:
    assert type_supported(event_type, [quote]) is supported


def test_every_event_type_but_other_has_cue_words_and_every_cue_names_a_type() -> None:
    from pipeline.events import EVENT_CLASSES
    from pipeline.ground import _type_cue_file

    types = {cls.model_fields["type"].annotation.__args__[0] for cls in EVENT_CLASSES}  # type: ignore[union-attr]
    assert set(_type_cue_file()["cues"]) == types - {"other"}
