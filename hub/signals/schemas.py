"""API models of signals. Vocabulary checks read the vocabulary from the validation context."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
)

from hub.agencies.regions import is_municipality
from hub.barriers.schemas import BarrierCode
from hub.covenants.policy import OWN
from hub.kit.text import Name, Prose
from hub.kit.times import Instant
from hub.signals.subjects import Subject

MAX_SUBJECTS = 200
MAX_SUMMARY = 10_000
# Partners' clocks drift and time zones confuse; a day ahead is the most we believe.
FUTURE_TOLERANCE = timedelta(days=1)

Reliability = Literal["A", "B", "C", "X"]
Credibility = Literal["1", "2", "3", "4"]
RetractReason = Literal["error", "duplicate", "withdrawn", "other"]


def _known_indicator(code: str, info: ValidationInfo) -> str:
    vocabulary = (info.context or {}).get("vocabulary")
    if vocabulary is None:
        return code
    try:
        indicator = vocabulary.indicator(code)
    except KeyError:
        raise ValueError(f"unknown indicator {code!r}") from None
    barriers = info.data.get("barriers")
    if barriers is not None and indicator.barrier not in barriers:
        raise ValueError(
            f"indicator {code!r} belongs to barrier {indicator.barrier!r}, "
            f"which the signal does not name"
        )
    return code


def _known_municipality(code: str) -> str:
    if not is_municipality(code):
        raise ValueError(f"unknown municipality code {code!r}: not a Dutch municipality in 2026")
    return code


def _not_far_future(value: datetime) -> datetime:
    if value > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise ValueError("observed_at lies more than a day in the future")
    return value


ExternalRef = Annotated[Name, Field(min_length=1, max_length=200, examples=["KMAR-2026-000123"])]
IndicatorCode = Annotated[
    str,
    Field(pattern=r"^[a-z]+\.[a-z0-9-]+$", max_length=80),
    AfterValidator(_known_indicator),
]
ObservedAt = Annotated[Instant, AfterValidator(_not_far_future)]
Municipality = Annotated[
    str,
    Field(
        pattern=r"^GM[0-9]{4}$",
        examples=["GM0363"],
        description="CBS code of a Dutch municipality of 2026 (the hub ships the list); it "
        "places the signal in a RIEC region. A code of no municipality is a 400.",
    ),
    AfterValidator(_known_municipality),
]
Summary = Annotated[Prose, Field(max_length=MAX_SUMMARY)]
Barriers = Annotated[list[BarrierCode], Field(min_length=1, max_length=5)]
Subjects = Annotated[list[Subject], Field(max_length=MAX_SUBJECTS)]


# Stored subjects are already normalised; re-validating them on every read would only cost time.
# Below full disclosure a subject is its type and pseudonyms only.
SubjectOut = Annotated[
    dict[str, Any],
    WithJsonSchema(
        {
            "anyOf": [
                {"$ref": "#/components/schemas/Subject"},
                {"$ref": "#/components/schemas/RedactedSubject"},
            ]
        }
    ),
]


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("values must be unique")
    return values


EXAMPLE: dict[str, Any] = {
    "external_ref": "SZW-2026-004711",
    "barriers": ["employment", "accommodation", "finance"],
    "indicators": [
        "employment.wages-below-minimum",
        "accommodation.overcrowded-address",
        "finance.many-workers-one-account",
    ],
    "observed_at": "2026-11-20T09:30:00+01:00",
    "municipality": "GM0363",
    "summary": "Inspection at a distribution centre: 14 workers from one employment agency, "
    "all registered at the same address, wages paid into one account.",
    "reliability": "B",
    "credibility": "2",
    "subjects": [
        {
            "type": "person",
            "name": "Ion Popescu",
            "birth_date": "1994-03-02",
            "nationality": "RO",
            "role": "victim",
        },
        # A street address rather than a postcode: the ADR ruleset's /post/ pattern matches a
        # `postcode` key anywhere under a POST operation and flags the example as an operation.
        {
            "type": "address",
            "street": "Damrak",
            "house_number": 12,
            "addition": "A",
            "city": "Amsterdam",
            "country": "NL",
        },
        {"type": "company", "name": "Flex Uitzend B.V.", "kvk_number": "12345678"},
        {"type": "iban", "number": "NL91 ABNA 0417 1643 00"},
        {"type": "phone", "number": "06-12345678"},
    ],
}


class SignalCreate(BaseModel):
    """A new signal. Subjects are normalised on input; the summary is encrypted at rest."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    external_ref: ExternalRef = Field(description="Your own reference; unique per agency.")
    barriers: Annotated[Barriers, AfterValidator(_unique)]
    indicators: Annotated[list[IndicatorCode], Field(max_length=50), AfterValidator(_unique)] = []
    observed_at: ObservedAt
    municipality: Municipality | None = None
    summary: Summary | None = None
    reliability: Reliability | None = Field(None, description="Europol 4x4: source A/B/C/X.")
    credibility: Credibility | None = Field(None, description="Europol 4x4: information 1-4.")
    subjects: Subjects = []


def _left_out_is_not_null(schema: dict[str, Any]) -> None:
    """A field that may be left out but not cleared publishes no `default: null`, which its
    type (holding no null) would contradict."""
    for field in schema.get("properties", {}).values():
        if "default" in field and field["default"] is None and "anyOf" not in field:
            del field["default"]


class SignalUpdate(BaseModel):
    """A correction by the source agency: the fields given replace the current ones."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_left_out_is_not_null)

    # Barriers, indicators, observed_at and subjects may be left out but not cleared (a signal
    # always has them): their type holds no null, the default only marks them as left out.
    barriers: Annotated[Barriers, AfterValidator(_unique)] = None  # type: ignore[assignment]
    indicators: Annotated[list[IndicatorCode], Field(max_length=50), AfterValidator(_unique)] = None  # type: ignore[assignment]
    observed_at: ObservedAt = None  # type: ignore[assignment]
    municipality: Municipality | None = None
    summary: Summary | None = None
    reliability: Reliability | None = None
    credibility: Credibility | None = None
    subjects: Subjects = None  # type: ignore[assignment]


class RetractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: RetractReason = "withdrawn"


class Disclosure(BaseModel):
    """How much of the signal the reader sees, and which covenant rule allowed it."""

    level: Literal["hit", "summary", "pseudonymised", "full"]
    covenant_id: str | None = Field(description="None when you are the source.")
    covenant_version: int | None
    rule_id: str | None = Field(description="`own-signal` when you are the source.")


OWN_DISCLOSURE = Disclosure(level="full", covenant_id=None, covenant_version=None, rule_id=OWN)


class SignalOut(BaseModel):
    """A signal as its reader may see it: what the disclosure level withholds is null or empty.

    hit: id, agency (whom to contact), barriers, status. summary: also dates, version and, as
    the covenant allows, indicators, location and grading. pseudonymised: also subjects as
    stable pseudonyms. full: everything the covenant's data categories allow."""

    id: uuid.UUID
    external_ref: str | None
    agency: str = Field(description="Code of the agency that posted the signal.")
    status: Literal["active", "retracted"]
    version: int | None
    barriers: list[BarrierCode]
    indicators: list[str]
    observed_at: datetime | None
    municipality: str | None
    region: str | None = Field(description="RIEC region of the municipality, when known.")
    summary: str | None
    reliability: Reliability | None
    credibility: Credibility | None
    subjects: list[SubjectOut]
    created_at: datetime | None
    updated_at: datetime | None
    retracted_at: datetime | None
    disclosure: Disclosure


class SignalPage(BaseModel):
    items: list[SignalOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class BatchItemResult(BaseModel):
    """The outcome of one item; `problem` pointers are relative to that item."""

    index: int = Field(description="Position of the item in the batch, from 0.")
    status: Literal["created", "duplicate", "invalid"]
    id: uuid.UUID | None = None
    problem: dict[str, Any] | None = None


class BatchResult(BaseModel):
    created: int
    duplicates: int
    invalid: int
    results: list[BatchItemResult]


def openapi_components(batch_max_items: int = 1000) -> dict[str, Any]:
    """Schemas of the bodies the signal routes read themselves, for the published spec."""
    from pydantic import TypeAdapter
    from pydantic.json_schema import models_json_schema

    from hub.covenants.redact import REDACTED_SUBJECT

    template = "#/components/schemas/{model}"
    _, top = models_json_schema(
        [
            (SignalCreate, "validation"),
            (SignalUpdate, "validation"),
            (RetractRequest, "validation"),
        ],
        ref_template=template,
    )
    components: dict[str, Any] = dict(top["$defs"])
    subject = TypeAdapter(Subject).json_schema(ref_template=template)
    components.update(subject.pop("$defs", {}))
    components["Subject"] = subject
    components["RedactedSubject"] = REDACTED_SUBJECT
    components["SignalBatch"] = {
        "type": "array",
        "description": "Signals to post at once (as a JSON array, or one per line as NDJSON).",
        "items": {"$ref": "#/components/schemas/SignalCreate"},
        "minItems": 1,
        "maxItems": batch_max_items,
    }
    return components
