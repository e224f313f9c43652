"""API models of the audit trail."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEventOut(BaseModel):
    seq: int = Field(description="Position in the hash chain (the list holds sealed events).")
    occurred_at: datetime
    agency: str = Field(description="The agency that acted (read, wrote, looked up).")
    client_id: str | None
    action: str = Field(examples=["signal.disclosed"])
    object_type: str
    object_id: str | None
    owner: str | None = Field(description="The agency whose object it is.")
    purpose: str | None
    level: str | None
    covenant_id: str | None
    covenant_version: int | None
    rule_id: str | None
    detail: dict[str, Any] | None
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None


class VerifyOut(BaseModel):
    ok: bool
    checked: int = Field(description="Entries found sound before the first problem.")
    first_bad_seq: int | None
    reason: str
    head_seq: int = Field(description="The newest sealed entry.")
    signed_seq: int | None = Field(description="The newest checkpoint the hub signed.")
    checkpoints_checked: int = Field(description="Signed checkpoints verified against the chain.")
    tail_count: int = Field(description="Events committed but not sealed into the chain yet.")
    tail_oldest: datetime | None = Field(description="When the oldest unsealed event occurred.")
    tail_age_seconds: float = Field(description="Age of the oldest unsealed event.")
    tail_bound_seconds: float = Field(
        description="The age past which the unsealed tail fails verification."
    )


class DisclosureOut(BaseModel):
    agency: str = Field(description="Who was shown the signal.")
    occurred_at: datetime
    purpose: str | None
    level: str | None
    covenant_id: str | None
    covenant_version: int | None
    rule_id: str | None


class DisclosureList(BaseModel):
    items: list[DisclosureOut]
