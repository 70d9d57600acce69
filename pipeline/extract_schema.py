"""The schema the model answers in: the event classes plus the verbatim quotes that support them.

Each `<Type>Extraction` class is derived from its event class, with `evidence` placed right after
`type` so the model copies its quotes before it interprets them. Grounding is checked inside
validation, so instructor re-asks the model, naming each quote that is not in the text.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Annotated, Any, Literal, Union, cast

from pydantic import BaseModel, Field, ValidationInfo, create_model, model_validator

from pipeline.events import EVENT_CLASSES, EventBase
from pipeline.ground import ground_quote

EVIDENCE_DESCRIPTION = (
    "One or more quotes copied character for character from the text, in its original language, "
    "each a sentence or clause that states the event."
)


def _extraction_class(event_class: type[EventBase], quote: Any = str, max_quotes: int | None = None) -> type[BaseModel]:
    fields: dict[str, Any] = {"type": (event_class.model_fields["type"].annotation, ...)}
    evidence = Field(min_length=1, max_length=max_quotes, description=EVIDENCE_DESCRIPTION)
    fields["evidence"] = (list[quote], evidence)
    for name, info in event_class.model_fields.items():
        if name != "type":
            fields[name] = (info.annotation, info)
    return create_model(
        f"{event_class.__name__}Extraction",
        __base__=BaseModel,
        __doc__=event_class.__doc__,
        **fields,
    )


EXTRACTION_CLASSES: dict[str, type[BaseModel]] = {
    cls.model_fields["type"].annotation.__args__[0]: _extraction_class(cls)  # type: ignore[union-attr]
    for cls in EVENT_CLASSES
}
EVENT_CLASS_BY_TYPE: dict[str, type[EventBase]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in EVENT_CLASSES
}

ExtractedEvent = Annotated[  # type: ignore[valid-type]
    Union[tuple(EXTRACTION_CLASSES.values())],  # noqa: UP007 (a union built from a tuple)
    Field(discriminator="type"),
]


class Extraction(BaseModel):
    """Every business event the text reports, each with verbatim evidence."""

    events: list[ExtractedEvent]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def quotes_are_in_the_text(self, info: ValidationInfo) -> Extraction:
        """Reject the answer when a quote is not in the chunk, so the model is asked again.

        The chunk arrives through the validation context as `chunk_text`; without it (or with
        `ground` set to False, when reading a final answer leniently) nothing is checked here.
        """
        context = info.context or {}
        text = context.get("chunk_text")
        if text is None or not context.get("ground", True):
            return self
        problems = [
            f"events[{i}] ({event.type}): quote {quote!r} is not in the text"
            for i, event in enumerate(cast(list[Any], self.events))
            for quote in event.evidence
            if ground_quote(text, quote) is None
        ]
        if problems:
            raise ValueError(
                "Every evidence quote must be copied exactly from the text, in its original "
                "language, at least a few words long. " + "; ".join(problems)
            )
        return self


SMALL_MODEL_MAX_EVENTS = 3
SMALL_MODEL_MAX_QUOTES = 2
SMALL_MODEL_MAX_STRING = 160  # characters of any free-text field: small models loop otherwise
SMALL_MODEL_MAX_ITEMS = 3  # participants or amounts of one event


def cap_sizes(schema: Any) -> Any:
    """The schema with a maxLength on every free string (not on enums and constants) and a
    maxItems on every list that has none."""
    if isinstance(schema, dict):
        capped = {key: cap_sizes(value) for key, value in schema.items()}
        if capped.get("type") == "string" and "enum" not in capped and "const" not in capped:
            capped["maxLength"] = SMALL_MODEL_MAX_STRING
        if capped.get("type") == "array":
            capped.setdefault("maxItems", SMALL_MODEL_MAX_ITEMS)
        if "properties" in capped:
            capped["additionalProperties"] = False
        return capped
    if isinstance(schema, list):
        return [cap_sizes(item) for item in schema]
    return schema


class SmallModelExtraction(Extraction):
    """Every business event the text reports, each with verbatim evidence."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema = cap_sizes(super().model_json_schema(*args, **kwargs))
        # llama.cpp's LLGuidance: no free whitespace between tokens (small models fill it).
        return {**schema, "x-guidance": {"whitespace_flexible": False}}


@lru_cache(maxsize=256)
def sentence_choice_model(sentences: tuple[str, ...]) -> type[Extraction]:
    """A reduced schema for small models: each quote is one of the chunk's sentences (an enum),
    with at most a few events and quotes per chunk, and short free-text fields.

    With constrained decoding a small model can then only quote the text, never invent a
    quote, and cannot ramble past the token budget; grounding still checks every quote.
    """
    if not sentences:
        return Extraction
    quote = Literal[sentences]  # type: ignore[valid-type]
    classes = tuple(_extraction_class(cls, quote, SMALL_MODEL_MAX_QUOTES) for cls in EVENT_CLASSES)
    events = Annotated[Union[classes], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
    field = (list[events], Field(max_length=SMALL_MODEL_MAX_EVENTS))
    return create_model("Extraction", __base__=SmallModelExtraction, __doc__=Extraction.__doc__, events=field)


def to_event(extracted: BaseModel) -> EventBase:
    """The event an extracted item describes, without its quotes."""
    data = extracted.model_dump(exclude={"evidence"})
    return EVENT_CLASS_BY_TYPE[data["type"]].model_validate(data)


def schema_hash(model: type[BaseModel] = Extraction) -> str:
    canonical = json.dumps(model.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
