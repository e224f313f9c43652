"""API shapes of the analysts' actions on case proposals, and of a proposal's history."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.signals.schemas import SignalOut

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Reason = Field(min_length=3, max_length=2000, description="Why (sealed; your agency reads it).")


class DecisionIn(BaseModel):
    model_config = _STRICT | ConfigDict(
        json_schema_extra={"examples": [{"decision": "accept", "reason": "Entry to finance."}]}
    )
    decision: Literal["accept", "reject"]
    reason: str = Reason


class AssignmentIn(BaseModel):
    model_config = _STRICT
    assignee: str | None = Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9._@-]+$",
        description="An analyst of your agency; null to unassign.",
    )
    reason: str | None = Field(None, max_length=2000)


class MergeIn(BaseModel):
    model_config = _STRICT
    other: uuid.UUID = Field(description="The proposal folded into this one; its id redirects.")
    reason: str = Reason


class SplitIn(BaseModel):
    model_config = _STRICT
    members: list[uuid.UUID] = Field(
        min_length=1, max_length=1000, description="The members to take out, together."
    )
    reason: str = Reason


class UndoIn(BaseModel):
    model_config = _STRICT
    event: int = Field(ge=1, description="The history event (a merge or a split) to undo.")
    reason: str = Reason


class CommentIn(BaseModel):
    model_config = _STRICT
    text: str = Field(min_length=1, max_length=4000)


class HistoryEvent(BaseModel):
    id: int
    at: datetime
    action: str
    agency: str | None = Field(description="The analyst's agency; null for the linker.")
    actor: str = Field(description="The analyst (to your own agency) or the agency's role.")
    detail: dict[str, Any] = Field(description="What changed, as far as you may see it.")
    text: str | None = Field(
        description="The reason or comment; only for analysts of the writer's agency."
    )


class History(BaseModel):
    items: list[HistoryEvent]


class SplitOut(BaseModel):
    proposal: uuid.UUID
    part: uuid.UUID | None = Field(description="The new proposal; null when one signal left.")


def openapi_components() -> dict[str, Any]:
    """The bodies the review routes read themselves, for the published spec."""
    from pydantic.json_schema import models_json_schema

    models = [DecisionIn, AssignmentIn, MergeIn, SplitIn, UndoIn, CommentIn]
    _, top = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    return {m.__name__: top["$defs"][m.__name__] for m in models}


class CaseNotice(BaseModel):
    case_number: str
    accepted_by: str = Field(description="The agency that holds the case: whom to contact.")
    accepted_at: datetime
    members: list[SignalOut] = Field(
        description="The case's other signals, as far as a covenant lets you see them for the "
        "declared purpose (none without one)."
    )


class CaseNotices(BaseModel):
    items: list[CaseNotice]
