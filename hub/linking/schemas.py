"""API shapes of the linker's administration: values that link too much, values excluded."""

from datetime import datetime

from pydantic import BaseModel, Field


class OverLinkedValue(BaseModel):
    type: str
    pseudonym: str = Field(description="Keyed for administrators; never the value itself.")
    carriers: int = Field(description="Active signals that carry the value.")
    cap: int = Field(description="The most signals a value of this type may link.")


class ExcludedValue(BaseModel):
    type: str
    pseudonym: str
    reason: str
    created_at: datetime
    created_by: str


class LinkingHubs(BaseModel):
    over_linked: list[OverLinkedValue] = Field(description="Values past their cap: not linking.")
    excluded: list[ExcludedValue] = Field(description="Values excluded from linking, and why.")
