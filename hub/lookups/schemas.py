"""API models of lookups. An identifier to look up is a signal subject, validated alike."""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from hub.signals.schemas import SignalOut
from hub.signals.subjects import PersonSubject, Subject, identifier_keys

MAX_IDENTIFIERS = 100

EXAMPLE: dict[str, Any] = {
    "identifiers": [
        {"type": "iban", "number": "NL91 ABNA 0417 1643 00"},
        {"type": "phone", "number": "06-12345678"},
        {"type": "person", "name": "Ion Popescu", "birth_date": "1994-03-02"},
    ]
}


def _matchable(subject: Subject) -> Subject:
    # A subject without a match key (a person by name alone) can never hit; answering "no hit"
    # would tell the caller something false, so it is refused instead.
    if isinstance(subject, PersonSubject) and not identifier_keys(subject):
        raise ValueError("a person is looked up by name with birth_date, or by bsn; give one")
    return subject


Identifier = Annotated[Subject, AfterValidator(_matchable)]


class LookupRequest(BaseModel):
    """Identifiers to look up, each with the same types, fields and validation as a subject."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    identifiers: Annotated[list[Identifier], Field(min_length=1, max_length=MAX_IDENTIFIERS)]


class LookupResult(BaseModel):
    """The answer for one identifier: hit or no hit, and the matching signals as far as the
    covenants let the caller see them (at `hit` level: id to quote, agency to contact,
    barriers and status)."""

    index: int = Field(description="Position of the identifier in the request, from 0.")
    type: str = Field(description="The identifier's subject type.", examples=["iban"])
    hit: bool = Field(description="Whether some signal you may see names this identifier.")
    matches: list[SignalOut]


class LookupResponse(BaseModel):
    results: list[LookupResult]


def openapi_components() -> dict[str, Any]:
    """The schema of the body the lookup route reads itself, for the published spec."""
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema(
        [(LookupRequest, "validation")], ref_template="#/components/schemas/{model}"
    )
    # The subject schemas it refers to are published with the signal schemas.
    return {"LookupRequest": top["$defs"]["LookupRequest"]}
