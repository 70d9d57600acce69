"""The records the stages pass to each other and the pipeline writes.

Offsets are Unicode code-point offsets into the decoded document text, end exclusive, so that
`document.text[char_start:char_end] == quote` holds in Python for every evidence span written.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal, Self

from pydantic import Field, model_validator

from pipeline.events import DatePrecision, EntityKind, Event, Modality, Record, Role

SCHEMA_VERSION: Final = "2"
Offset = Annotated[int, Field(ge=0)]
Id = Annotated[str, Field(min_length=1)]


class ReferenceDate(Record):
    """The date relative expressions ("last year", « le mois dernier ») are resolved against."""

    date: str | None
    precision: DatePrecision | None
    source: Literal["given", "inferred", "none"]
    evidence: str | None = Field(description="The words the date was taken from, when inferred.")


class Document(Record):
    doc_id: str = Field(description="Path relative to the input folder, without extension.")
    path: str
    sha256: str = Field(description="Hash of the file's bytes.")
    encoding: str
    lang: str = Field(description="ISO 639-1 code, or 'und' when undetermined.")
    reference_date: ReferenceDate
    text: str = Field(exclude=True, repr=False)

    @property
    def n_chars(self) -> int:
        return len(self.text)


class Chunk(Record):
    id: str
    doc_id: str
    index: int
    char_start: int
    char_end: int
    text: str = Field(exclude=True, repr=False)


class Evidence(Record):
    quote: str
    char_start: Offset
    char_end: int
    match: Literal["exact", "normalized"] = Field(
        description="'exact' when the model's quote was found as is; 'normalized' when found after "
        "folding whitespace, width, quote marks and case. The quote written is always the source text."
    )

    @model_validator(mode="after")
    def _spans_its_quote(self) -> Self:
        _check_span(self.quote, self.char_start, self.char_end)
        return self


def _check_span(quote: str, char_start: int, char_end: int) -> None:
    """Offsets as far apart as the quote is long: offsets edited by hand, or out of another text,
    are refused (whether the quote is at them in its document is for grounding, which has the text)."""
    if char_end - char_start != len(quote):
        raise ValueError(f"char_start {char_start} to char_end {char_end} is not the quote's length")


class Mention(Record):
    """One event as one document reports it, grounded in that document."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    id: Id
    doc_id: Id
    lang: str
    event: Event
    evidence: list[Evidence] = Field(min_length=1)
    chunk_ids: list[str] = Field(
        description="The chunks of its document it was found in. Mentions of one document found in chunks that "
        "share none may be one event told twice; empty for mentions of a whole document (made by hand)."
    )
    prompt_version: str
    model: str


class Source(Record):
    mention_id: str
    doc_id: str
    lang: str
    char_start: Offset
    char_end: int
    quote: str
    modality: Modality
    attribution: str | None

    @model_validator(mode="after")
    def _spans_its_quote(self) -> Self:
        _check_span(self.quote, self.char_start, self.char_end)
        return self


class ConflictValue(Record):
    value: str | None
    mention_ids: list[str]
    doc_ids: list[str]


class Conflict(Record):
    """Sources of one fact that disagree on a field; every value is kept with who said it."""

    field: str = Field(
        description="'type', 'status', 'metric', 'stance', 'time.date', 'amounts', 'modality', 'attribution', "
        "a free-text field ('position', 'stage', 'claim', 'product', 'issue', 'label') or 'name:<entity id>'."
    )
    values: list[ConflictValue]


class FactEntity(Record):
    """A participant of the fact as one canonical entity, with the names the sources wrote."""

    id: str
    name: str
    kind: EntityKind
    roles: list[Role]
    written_as: list[str]


class CanonicalAmount(Record):
    value: float
    currency: str | None
    approximate: bool = Field(description="True when every source giving this value marks it approximate.")
    measure: str | None = Field(default=None, description="What it measures, as most of the sources giving it say.")
    mention_ids: list[str]


class CanonicalValues(Record):
    """The values the fact base shows for the event, and the rule that chose each."""

    date: str | None
    date_precision: DatePrecision | None
    date_start: str | None = Field(default=None, description="The first day the date covers (YYYY-MM-DD), to sort by.")
    date_end: str | None = Field(default=None, description="The last day the date covers (YYYY-MM-DD).")
    amounts: list[CanonicalAmount]
    rules: dict[str, str]


class Fact(Record):
    """One real-world event, merged across every mention that reports it."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    id: str
    type: str
    event: Event
    canonical_mention_id: str = Field(description="The mention whose event fields are shown.")
    canonical_rule: str = Field(description="How the canonical mention was chosen.")
    canonical: CanonicalValues
    entities: list[FactEntity]
    languages: list[str]
    sources: list[Source]
    mention_ids: list[str]
    conflicts: list[Conflict]
    cohesion: float | None = Field(
        description=(
            "The weakest pairwise match score between the fact's mentions (over the pairs clustering"
            " judged: for more than 64 mentions, a sample of them); null for one mention."
        )
    )


FailureReason = Literal[
    "unreadable_input",  # ingest: a file that is no article (empty, binary, undecodable, badly named)
    "call_failed",  # extract: no answer for a chunk (the endpoint's error, after retries)
    "invalid_output",  # extract: an answer that does not match the schema, after re-asks
    "truncated",  # extract: an answer cut off, its chunk too small to split again
    "ungrounded_quote",  # ground: an event with quotes not in the text (dropped, or kept without them)
    "ungrounded_type",  # ground: a small model's event whose quotes hold no word of its type (dropped)
    "unreadable_mention",  # reconcile: a line of the mentions file that is no mention
    "conflicting_mention",  # reconcile: another mention under the id of one read before
    "unreadable_failure",  # reconcile: a line of the failures.jsonl beside the mentions that is no failure
]
INPUT_LOST: Final = frozenset(  # reasons
    {"call_failed", "invalid_output", "truncated", "unreadable_mention", "conflicting_mention", "unreadable_failure"}
)


class Failure(Record):
    """Something that did not make it into the fact base, and why."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    stage: Literal["ingest", "extract", "ground", "reconcile"]
    path: str
    doc_id: str | None
    chunk_id: str | None
    char_start: int | None = Field(default=None, description="The chunk's span in its document, when a chunk failed.")
    char_end: int | None = None
    reason: FailureReason
    message: str
    event: dict[str, object] | None = Field(description="The rejected event, when one was returned.")

    @property
    def loses_input(self) -> bool:
        """Whether part of an input went unread (a file, a chunk no answer came back for, a line
        of a mentions file), as opposed to one event dropped from an answer."""
        return self.stage == "ingest" or self.reason in INPUT_LOST


class Usage(Record):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def add(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class InputRecord(Record):
    doc_id: str
    path: str
    sha256: str
    encoding: str
    lang: str
    chars: int
    reference_date: ReferenceDate


class MentionsFileRecord(Record):
    """The mentions file a reconciliation read."""

    path: str
    sha256: str
    bytes: int


class BackendRecord(Record):
    kind: Literal["remote", "local", "none"]
    base_url: str | None
    model: str
    mode: str
    temperature: float
    seed: int | None
    max_tokens: int
    details: dict[str, str] = Field(description="Backend-specific settings (model file, hash...).")


class StageCounts(Record):
    """What this command itself did at each stage (`reconcile` reads mentions, no document: 0 documents)."""

    documents: int = 0
    documents_failed: int = 0
    chunks: int = 0
    chunks_failed: int = 0
    events_returned: int = 0
    events_rejected: int = 0
    mentions: int = 0
    mentions_unreadable: int = Field(0, description="Lines of a mentions file that are not mentions (failures.jsonl).")
    mentions_repeated: int = Field(0, description="Lines repeating a mention read before; each mention is used once.")
    mentions_conflicting: int = Field(
        0, description="Lines giving another mention under an id read before (failures.jsonl); the first is used."
    )
    facts: int = 0
    pairs_adjudicated: int = Field(0, description="Mention pairs near the threshold put to the model.")
    pairs_unanswered: int = Field(0, description="Of those, pairs it gave no verdict for (their scores stand).")


class RunReport(Record):
    """What a run read, how it talked to the model and what it produced (run.json)."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    factbase_version: str
    command: str
    inputs: list[InputRecord]
    mentions_file: MentionsFileRecord | None = Field(
        default=None, description="For `reconcile`: the mentions file it read (`inputs`: the documents behind it)."
    )
    backend: BackendRecord | None
    prompt_version: str | None
    adjudication_prompt_version: str | None = Field(
        default=None, description="The prompt pairs were adjudicated with (--adjudicate), if any."
    )
    schema_hash: str | None
    chunking: dict[str, int]
    counts: StageCounts
    usage: Usage
    calls: int
    cache_hits: int
    duration_s: float
    extraction: RunReport | None = Field(
        default=None,
        description="For `reconcile`: the run.json of the run that wrote the mentions file, when one is "
        "beside it (its backend, prompt, chunking and counts), which reconciling into that folder replaces.",
    )
