"""API models of agencies."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AgencyKind = Literal["emm", "riec", "liec", "kmar", "ind", "szw", "police", "municipality", "other"]


class AgencyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z][A-Z0-9-]{1,31}$", examples=["KMAR"])
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyKind
    region: str | None = None


class AgencyOut(BaseModel):
    code: str = Field(examples=["KMAR"])
    name: str = Field(examples=["Koninklijke Marechaussee"])
    kind: AgencyKind
    region: str | None = Field(None, examples=["amsterdam-amstelland"])


class AgencyList(BaseModel):
    items: list[AgencyOut]
