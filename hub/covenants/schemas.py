"""API models of covenants: the documents in covenants/*.yaml as a partner reads them."""

from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from hub.agencies.schemas import AgencyKind
from hub.barriers.schemas import BarrierCode
from hub.covenants.model import DATA_CATEGORIES, PURPOSES, Covenant, Party, Rule

# Spelled out so the spec lists the values; tests hold them equal to hub.covenants.model.
Purpose = Literal["case-proposal", "hit-lookup", "trend-report", "investigation"]
LevelName = Literal["none", "hit", "summary", "pseudonymised", "full"]
DataCategory = Literal[DATA_CATEGORIES]  # type: ignore[valid-type]
RuleScope = Literal["all", "own-region", "accepted-cases"]


class PartySelector(BaseModel):
    """Every agency of one kind, optionally only those of one RIEC region."""

    kind: AgencyKind
    region: str | None = Field(None, examples=["amsterdam-amstelland"])


# An agency code, or a selector: the same shapes as in the covenant document.
PartyOut = str | PartySelector


class RuleOut(BaseModel):
    # `from` is a Python keyword: the attribute is `sources`, the JSON name is `from`.
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(examples=["riec-region-pseudonymised"])
    sources: list[PartyOut] = Field(
        alias="from", description="Whose signals the rule shares.", examples=[["KMAR", "IND"]]
    )
    to: list[PartyOut] = Field(description="Who may see them.", examples=[[{"kind": "riec"}]])
    purposes: list[Purpose]
    level: LevelName = Field(description="The disclosure level the rule grants.")
    categories: list[DataCategory] = Field(
        description="The data categories shown; `all` in the document is listed in full."
    )
    barriers: list[BarrierCode] | None = Field(
        description="The barriers the rule covers (`all` in the document): null means every "
        "barrier, including any the vocabulary adds later.",
        examples=[["employment", "finance"]],
    )
    scope: RuleScope = Field(
        description="Which of the sources' signals: all, those about the viewer's own region, "
        "or those in case proposals the viewer's analysts accepted."
    )
    aggregates_only: bool = Field(
        description="Counts for trend reports only; the rule shows no individual signal."
    )
    reviews: bool = Field(
        description="The viewers decide on case proposals of which the rule covers at least two "
        "members; other agencies that see a proposal may read and comment on it."
    )


class CovenantOut(BaseModel):
    id: str = Field(examples=["riec-liec"])
    version: int = Field(ge=1, examples=[1])
    title: str
    legal_basis: list[str] = Field(examples=[["AVG art. 6(1)(e)", "Wpg art. 20"]])
    parties: list[PartyOut] = Field(examples=[[{"kind": "riec"}, "KMAR"]])
    purposes: list[Purpose]
    valid_from: date
    valid_until: date | None = Field(description="Last day in force; null: open-ended.")
    withdrawn_on: date | None = Field(description="Withdrawn from this day on; null: not.")
    retention_days: int = Field(ge=1, examples=[730])
    onward_sharing: bool = Field(description="Whether a recipient may share the data onwards.")
    rules: list[RuleOut]


class CovenantList(BaseModel):
    items: list[CovenantOut]


def _party_out(party: Party) -> PartyOut:
    if party.code is not None:
        return party.code
    return PartySelector(kind=party.kind, region=party.region)  # type: ignore[arg-type]


def _in_order(values: frozenset[str], order: tuple[str, ...]) -> list[str]:
    """The model keeps sets; list them in the vocabulary's order so answers are stable."""
    return [v for v in order if v in values]


def _rule_out(rule: Rule) -> RuleOut:
    return RuleOut(
        id=rule.id,
        sources=[_party_out(p) for p in rule.sources],
        to=[_party_out(p) for p in rule.viewers],
        purposes=_in_order(rule.purposes, PURPOSES),  # type: ignore[arg-type]
        level=rule.level.label,  # type: ignore[arg-type]
        categories=_in_order(rule.categories, DATA_CATEGORIES),  # type: ignore[arg-type]
        barriers=None if rule.barriers is None else _in_order(rule.barriers, get_args(BarrierCode)),  # type: ignore[arg-type]
        scope=rule.scope,
        aggregates_only=rule.aggregates_only,
        reviews=rule.reviews,
    )


def covenant_out(covenant: Covenant) -> CovenantOut:
    return CovenantOut(
        id=covenant.id,
        version=covenant.version,
        title=covenant.title,
        legal_basis=list(covenant.legal_basis),
        parties=[_party_out(p) for p in covenant.parties],
        purposes=_in_order(covenant.purposes, PURPOSES),  # type: ignore[arg-type]
        valid_from=covenant.valid_from,
        valid_until=covenant.valid_until,
        withdrawn_on=covenant.withdrawn_on,
        retention_days=covenant.retention_days,
        onward_sharing=covenant.onward_sharing,
        rules=[_rule_out(r) for r in covenant.rules],
    )


# --- the covenant simulator ----------------------------------------------------------------------


class DraftDocument(BaseModel):
    """One covenant document of the draft, as its file in covenants/ would hold it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.yaml$",
        description="The file name, which errors name.",
        examples=["riec-liec.yaml"],
    )
    text: str = Field(
        max_length=200_000,
        description="The document as YAML (JSON is YAML too), checked as `hub covenants check` "
        "checks a file.",
    )


class SimulationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[DraftDocument] = Field(
        min_length=1,
        max_length=100,
        description="The whole draft: every covenant document it would put in force.",
    )


class LevelCounts(BaseModel):
    """A count per disclosure level (`none`: not seen at all)."""

    none: int
    hit: int
    summary: int
    pseudonymised: int
    full: int


class Comparison(BaseModel):
    now: LevelCounts = Field(description="Under the covenants in force.")
    draft: LevelCounts = Field(description="Under the draft.")
    change: LevelCounts = Field(description="Draft minus now, per level.")
    raised: int = Field(description="How many would be seen at a higher level under the draft.")
    lowered: int = Field(description="How many would be seen at a lower level (or not at all).")


class SimulationRow(BaseModel):
    agency: str = Field(examples=["RIEC-AA"])
    purpose: Literal["case-proposal", "hit-lookup", "investigation"]
    signals: Comparison = Field(description="Other agencies' signals, by the level it sees them.")
    proposals: Comparison = Field(
        description="Proposals (merged ones aside), by the highest level at which it sees two "
        "members; below two it does not see the proposal (`none`)."
    )


class SimulationOut(BaseModel):
    """What each agency would see under a draft, against the covenants in force: counts only."""

    on: date = Field(description="The day the covenants in force were taken on.")
    against: list[str] = Field(
        description="The covenant versions in force.", examples=[["riec-liec v1"]]
    )
    draft: list[str] = Field(
        description="The draft's covenant versions in force on that day.",
        examples=[["riec-liec v2"]],
    )
    signals: int = Field(description="Signals stored, each judged as if shared today.")
    proposals: int = Field(description="Proposals stored (merged ones aside).")
    changed: int = Field(description="Rows whose counts change under the draft.")
    rows: list[SimulationRow] = Field(description="One per agency and purpose.")
