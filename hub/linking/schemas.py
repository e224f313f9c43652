"""API shapes of the linker: the published rules; for administrators, values that link too
much and values excluded."""

from datetime import date, datetime
from typing import Any, Literal

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


class RulesText(BaseModel):
    """The same text in Dutch and English."""

    nl: str
    en: str


class CarrierPoints(BaseModel):
    carriers: int = Field(description="How many active signals carry the same value.")
    points: float = Field(description="What the value counts then (0: past the cap).")


class KeyTypeRule(BaseModel):
    type: str = Field(description="The match-key type, as in a proposal's explanation.")
    base_points: float = Field(description="Points when exactly two signals share a value.")
    frequency_cap: int = Field(description="Past this many carriers a value does not link.")
    points_by_carriers: list[CarrierPoints] = Field(
        description="The credit formula worked out, as the linker computes it."
    )
    label: RulesText


class RuleGroup(BaseModel):
    id: Literal["evidence", "link", "group", "proposal"]
    title: RulesText


class LinkingRule(BaseModel):
    id: str = Field(description="Stable within a major version.")
    group: Literal["evidence", "link", "group", "proposal"] = Field(
        description="The step of linking: what counts as evidence, when a pair links, how "
        "groups are formed and cut, when a group becomes a proposal."
    )
    parameters: dict[str, Any] = Field(description="The rule's values, named in its reason.")
    title: RulesText
    reason: RulesText


class RulesetRelease(BaseModel):
    version: str
    hash: str
    date: date
    changes: RulesText


class LinkingRules(BaseModel):
    """The published linking rules (WGS art. 1.9(3) and (6)). Every proposal, link and
    decision records the `version` and `hash` of the rules it was made under."""

    version: str = Field(description="Semantic version: major for any change in outcome.")
    hash: str = Field(
        description="sha256 over the canonical JSON of the rules (everything but version, "
        "hash and releases); also the ETag."
    )
    summary: RulesText
    unit: RulesText
    groups: list[RuleGroup] = Field(description="The steps of linking, in order.")
    key_types: list[KeyTypeRule]
    rules: list[LinkingRule]
    releases: list[RulesetRelease] = Field(description="Every published version, oldest first.")
