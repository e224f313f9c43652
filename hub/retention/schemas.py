"""API shapes of retention extensions (WGS art. 1.8(7))."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.kit.text import Prose
from hub.kit.times import Instant


class ExtensionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "case": "RIEC-AA-2026-0001",
                    "until": "2032-06-30T00:00:00Z",
                    "reason": "The criminal case runs; the court asked for the file.",
                }
            ]
        },
    )
    case: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9-]+$",
        description="The accepted case: its case number or its proposal id.",
    )
    signal: uuid.UUID | None = Field(
        None, description="One member only; none: every member the case has now."
    )
    until: Instant = Field(
        description="When the extension ends: at most 1825 days past the WGS cap, counted from "
        "the earliest first processing of the signals it covers."
    )
    reason: Prose = Field(
        min_length=3, max_length=2000, description="Why (required; sealed at rest)."
    )


class ExtensionOut(BaseModel):
    id: uuid.UUID
    proposal: uuid.UUID
    case_number: str | None
    signal: uuid.UUID | None = Field(description="The one member it covers; null: the case's.")
    signals: list[uuid.UUID] = Field(description="The signals it holds (purged ones drop out).")
    until: datetime
    reason: str
    decided_at: datetime
    decided_by: str = Field(description="The client (or, from the CLI, the person) that decided.")
    agency: str
    revoked_at: datetime | None
    revoked_by: str | None
    in_force: bool = Field(description="Not revoked and not yet ended.")


class ExtensionList(BaseModel):
    items: list[ExtensionOut]


def openapi_components() -> dict[str, Any]:
    """The bodies the retention routes read themselves, for the published spec."""
    return {
        "ExtensionIn": ExtensionIn.model_json_schema(ref_template="#/components/schemas/{model}")
    }
