"""Language: the language of a document, as an ISO 639-1 code ('und' when undetermined).

Uses lingua, restricted to the languages business news comes in; it is deterministic, works
offline and, measured on lines of the seed articles, beat langdetect and fastText-lite on
short mixed Chinese/Latin text. Languages outside the set are labelled 'und', never rejected.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = (
    Language.CHINESE,
    Language.ENGLISH,
    Language.FRENCH,
    Language.GERMAN,
    Language.SPANISH,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
    Language.RUSSIAN,
    Language.JAPANESE,
    Language.KOREAN,
    Language.ARABIC,
)
SAMPLE_CHARS = 5000  # enough to decide; keeps detection fast on long files


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


def detect(text: str) -> str:
    language = _detector().detect_language_of(text[:SAMPLE_CHARS])
    return language.iso_code_639_1.name.lower() if language else "und"
