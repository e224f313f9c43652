"""API shapes of data-subject requests and the corrections routed to sources."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from hub.kit.i18n import N_
from hub.kit.text import Prose
from hub.signals.subjects import DocumentSubject, PersonSubject, identifier_keys
from hub.subjects.grounds import ALL_GROUNDS, REFUSAL_GROUNDS

Kind = Literal["access", "rectify", "erase", "restrict"]
Status = Literal["open", "done", "refused", "lifted"]
RestrictionGround = Literal[tuple(ALL_GROUNDS)]  # type: ignore[valid-type]
RefusalGround = Literal[tuple(REFUSAL_GROUNDS)]  # type: ignore[valid-type]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
MAX_IDENTIFIERS = 10

EXAMPLE: dict[str, Any] = {
    "kind": "access",
    "identifiers": [
        {"type": "person", "name": "Ion Popescu", "birth_date": "1994-03-02"},
        {"type": "person", "name": "Ion Popescu", "bsn": "111222333"},
        {"type": "document", "kind": "passport", "number": "XR1234567", "issuing_country": "RO"},
    ],
    "notes": "Letter of 2 December 2026; identity checked at the desk.",
}


def _findable(subject: PersonSubject | DocumentSubject) -> PersonSubject | DocumentSubject:
    # A person by name alone has no match key: a find for one would answer "nothing held".
    if isinstance(subject, PersonSubject) and not identifier_keys(subject):
        raise ValueError(N_("a person is found by name with birth_date, or by bsn; give one"))
    return subject


Identifier = Annotated[
    PersonSubject | DocumentSubject, Field(discriminator="type"), AfterValidator(_findable)
]


class SubjectRequestCreate(BaseModel):
    """A data subject's request: what they ask for, and how to find them (never stored)."""

    model_config = _STRICT | ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    kind: Kind = Field(description="access, rectify, erase or restrict (AVG art. 15-18).")
    identifiers: list[Identifier] = Field(
        min_length=1,
        max_length=MAX_IDENTIFIERS,
        description="The person by name with birth date, by BSN, or by an identity document "
        "(every document kind is searched for the number and country). Only their "
        "blind-index tokens are kept.",
    )
    notes: Prose | None = Field(
        None, min_length=3, max_length=2000, description="Your notes (sealed at rest)."
    )


class CompletionIn(BaseModel):
    """Carry the request out. `ground` is needed to restrict; `note` says what to correct."""

    model_config = _STRICT | ConfigDict(
        json_schema_extra={"examples": [{"ground": "avg-18-1-a"}, {"note": "Born 1994-03-12."}]}
    )

    ground: RestrictionGround | None = Field(
        None, description="A restriction's ground (AVG art. 18(1) or UAVG art. 41(1))."
    )
    note: Prose | None = Field(
        None,
        min_length=3,
        max_length=2000,
        description="For rectify: what each source is asked to correct (sealed; sources read it).",
    )


class RefusalIn(BaseModel):
    """Refuse the request, on a ground of UAVG art. 41(1) or AVG art. 12(5)."""

    model_config = _STRICT | ConfigDict(
        json_schema_extra={"examples": [{"ground": "uavg-41-1-d", "note": "Ongoing case."}]}
    )

    ground: RefusalGround
    note: Prose | None = Field(None, min_length=3, max_length=2000)


class FoundSignal(BaseModel):
    id: uuid.UUID
    agency: str = Field(description="The source agency.")
    subject_positions: list[int] = Field(description="Which of its subjects hold the person.")
    restricted: bool


class FoundProposal(BaseModel):
    id: uuid.UUID
    status: str
    case_number: str | None = Field(description="Set when the proposal became a case.")
    members: list[uuid.UUID] = Field(description="Its members that hold the person.")


class SubjectRequestOut(BaseModel):
    """A request as the contact point sees it: ids and counts, never the search itself."""

    id: uuid.UUID
    kind: Kind
    status: Status
    agency: str
    opened_by: str
    opened_at: datetime
    notes: str | None
    ground: str | None
    decided_at: datetime | None
    decided_by: str | None
    outcome: dict[str, Any] | None
    lifted_at: datetime | None
    signals: list[FoundSignal] = Field(description="What holds the person now.")
    proposals: list[FoundProposal] = Field(description="Proposals and cases holding them now.")


class SubjectRequestPage(BaseModel):
    items: list[SubjectRequestOut]


class CorrectionOut(BaseModel):
    """A correction the contact point routed to your agency: correct the signal with PATCH."""

    id: uuid.UUID
    request_id: uuid.UUID
    signal_id: uuid.UUID
    subject_positions: list[int]
    note: str
    routed_at: datetime
    signal_version: int = Field(description="The signal's version when the request was routed.")
    status: Literal["open", "corrected"] = Field(
        description="corrected once the signal is at a later version (corrected or retracted)."
    )


class CorrectionPage(BaseModel):
    items: list[CorrectionOut]


def openapi_components() -> dict[str, Any]:
    """The schemas of the bodies the routes read themselves, for the published spec."""
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema(
        [(m, "validation") for m in (SubjectRequestCreate, CompletionIn, RefusalIn)],
        ref_template="#/components/schemas/{model}",
    )
    # The subject schemas they refer to are published with the signal schemas.
    return {
        name: top["$defs"][name] for name in ("SubjectRequestCreate", "CompletionIn", "RefusalIn")
    }
