"""The typed event vocabulary: what an article can report, as a discriminated union on `type`.

These classes describe *what happened*; where the text says so (evidence spans) lives on the
records in `pipeline.records`. The LLM-facing variants, which add verbatim quotes, are derived
from these classes in `pipeline.extract_schema` so the two never drift apart.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Record(BaseModel):
    """Base of every record: unknown keys are errors, so a typo in a fixture never passes silently."""

    model_config = ConfigDict(extra="forbid")


def first_error(exc: ValidationError) -> str:
    """What is wrong with a record, for a one-line message: the first error, as "where: what"."""
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    return f"{location}: {error['msg']}" if location else error["msg"]


def json_error(exc: json.JSONDecodeError) -> str:
    """Why a line is not JSON, with where: "not a JSON line (Unterminated string starting at column 30)"."""
    return f"not a JSON line ({exc.msg.removesuffix(' at')} at column {exc.colno})"


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    PRODUCT = "product"
    PLACE = "place"
    OTHER = "other"


class Role(StrEnum):
    """A closed set of roles, so that participants can be compared by role across languages."""

    SUBJECT = "subject"  # the one the event is about: who resigns, who is appointed, who releases
    ORGANIZATION = "organization"  # the employer / company the event happens in
    SUCCESSOR = "successor"
    PREDECESSOR = "predecessor"
    INVESTOR = "investor"
    RECIPIENT = "recipient"  # who receives money
    ACQUIRER = "acquirer"
    TARGET = "target"
    PLAINTIFF = "plaintiff"
    DEFENDANT = "defendant"
    CREDITOR = "creditor"
    DEBTOR = "debtor"
    PARTNER = "partner"
    AUTHORITY = "authority"  # regulator, court, investigator
    PRODUCT = "product"
    SPEAKER = "speaker"  # who makes a statement or prediction
    OTHER = "other"


class Modality(StrEnum):
    ASSERTED = "asserted"  # the article states it as fact
    REPORTED = "reported"  # the article attributes it to a source
    ALLEGED = "alleged"  # claimed by a party, disputed or unproven
    DENIED = "denied"  # a party denies it
    PLANNED = "planned"  # intended, considered, sought
    PREDICTED = "predicted"  # forecast about the future


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"  # an ISO interval START/END: "2024-03-11/2024-03-17"


class Participant(Record):
    name: str = Field(description="The name exactly as written in the text.")
    canonical_name: str | None = Field(
        description="Canonical English name (e.g. 'Emad Mostaque', 'Stability AI'); null if unknown."
    )
    kind: EntityKind
    role: Role


class TimeRef(Record):
    text: str | None = Field(description="The words of the text that give the time, verbatim.")
    date: str | None = Field(
        description="ISO date at its precision: YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY or an interval "
        "START/END; null if unknown."
    )
    precision: DatePrecision | None


class Amount(Record):
    text: str | None = Field(description="The amount as written in the text, verbatim.")
    value: float | None = Field(description="The number in units (100 million = 100000000).", allow_inf_nan=False)
    currency: str | None = Field(description="ISO 4217 code such as USD, EUR, CNY; null for counts.")
    approximate: bool = Field(description="True when the text says about, nearly, over, 近, 约, environ...")
    measure: str | None = Field(description="What the amount measures, e.g. 'funding', 'monthly revenue'.")


class EventBase(Record):
    type: str  # narrowed to one literal by each subclass; declared here so it comes first
    summary: str = Field(description="One English sentence saying what happened.")
    participants: list[Participant]
    time: TimeRef | None
    amounts: list[Amount]
    modality: Modality
    attribution: str | None = Field(
        description="Who says so (a newspaper, a person, a company), if the text attributes it."
    )

    @property
    def told_summary(self) -> str | None:
        """The summary, unless it is the neutral one grounding put in place of one it could not
        check ("A resignation event."): two unrelated events share that one, so it is no evidence."""
        return None if self.summary == neutral_summary(self.type) else self.summary


def neutral_summary(event_type: str) -> str:
    """The summary of an event whose own was not taken from its text (pipeline.ground): it names
    the type and nothing else, so it says nothing about which event this is."""
    return f"A {event_type.replace('_', ' ')} event."


class Resignation(EventBase):
    """Someone leaves a position or a company (resignation, departure, firing)."""

    type: Literal["resignation"]
    position: str | None


class Appointment(EventBase):
    """Someone takes a position (appointment, hiring, interim role)."""

    type: Literal["appointment"]
    position: str | None


class Funding(EventBase):
    """Money raised or invested: funding rounds, investments, grants."""

    type: Literal["funding"]
    stage: str | None = Field(description="Round or instrument, e.g. 'Series A', 'convertible note'.")


class Acquisition(EventBase):
    """A purchase of a company or asset, including one considered, sought, rumoured or denied."""

    type: Literal["acquisition"]
    status: Literal["completed", "announced", "considered", "sought", "rumoured", "denied"]


class Lawsuit(EventBase):
    """A legal action between parties."""

    type: Literal["lawsuit"]
    claim: str | None


class ProductRelease(EventBase):
    """A product, model, plan or service launched or released."""

    type: Literal["product_release"]
    product: str | None


class FinancialMetric(EventBase):
    """A reported figure: revenue, spending, cash, users, valuation, losses..."""

    type: Literal["financial_metric"]
    metric: Literal["revenue", "spending", "cash", "users", "valuation", "profit", "loss", "headcount", "other"]


class Debt(EventBase):
    """Money owed: unpaid bills, overdue payments, debts."""

    type: Literal["debt"]
    status: Literal["unpaid", "overdue", "paid", "disputed", "other"]


class Dispute(EventBase):
    """A conflict between parties short of a lawsuit: bans, blocks, threats, public rows."""

    type: Literal["dispute"]
    issue: str | None


class Prediction(EventBase):
    """Someone forecasts what will happen."""

    type: Literal["prediction"]


class Statement(EventBase):
    """Someone says something newsworthy: a claim, explanation, confirmation or denial."""

    type: Literal["statement"]
    stance: Literal["claim", "denial", "confirmation", "explanation"]


class Investigation(EventBase):
    """An investigation, inquiry, audit or published report about a party."""

    type: Literal["investigation"]


class Partnership(EventBase):
    """A partnership, contract, licence or supply agreement."""

    type: Literal["partnership"]


class Other(EventBase):
    """A business event none of the other types fits."""

    type: Literal["other"]
    label: str = Field(description="A short English label for the kind of event.")


EVENT_CLASSES: tuple[type[EventBase], ...] = (
    Resignation,
    Appointment,
    Funding,
    Acquisition,
    Lawsuit,
    ProductRelease,
    FinancialMetric,
    Debt,
    Dispute,
    Prediction,
    Statement,
    Investigation,
    Partnership,
    Other,
)

Event = Annotated[
    Resignation
    | Appointment
    | Funding
    | Acquisition
    | Lawsuit
    | ProductRelease
    | FinancialMetric
    | Debt
    | Dispute
    | Prediction
    | Statement
    | Investigation
    | Partnership
    | Other,
    Field(discriminator="type"),
]
