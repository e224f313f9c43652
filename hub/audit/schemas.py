"""API models of the audit trail."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEventOut(BaseModel):
    seq: int = Field(description="Position in the hash chain.")
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
    head_seq: int
    signed_seq: int | None = Field(description="The last head the hub signed.")


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
