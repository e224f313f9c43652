"""API shapes of case proposals as one viewer sees them, of the analysts' actions on them, and
of a proposal's history."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from hub.kit.i18n import N_
from hub.kit.text import Prose
from hub.signals.schemas import SignalOut

ProposalStatus = Literal["new", "in_review", "accepted", "rejected", "merged", "closed"]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Reason = Field(min_length=3, max_length=2000, description="Why (sealed; your agency reads it).")


def _criterion(description: str) -> Any:
    return Field(min_length=1, max_length=4000, description=description)


class Assessment(BaseModel):
    """The signal assessment WGS art. 2.23 asks of an acceptance: four criteria, each required
    (sealed at rest; your agency reads it, in the history and the case file)."""

    model_config = _STRICT
    kinds_of_signals: Prose = _criterion("The kind of signals.")
    number_nature_and_size: Prose = _criterion("Their number, nature and size.")
    weight_and_earlier_interventions: Prose = _criterion(
        "Their weight, and the interventions made on them before."
    )
    participants_and_connections: Prose = _criterion(
        "The participants involved, and how they connect."
    )


# The criteria in the order of WGS art. 2.23, with the labels the UI and the case file show.
ASSESSMENT_CRITERIA = (
    ("kinds_of_signals", N_("Kind of signals")),
    ("number_nature_and_size", N_("Number, nature and size")),
    ("weight_and_earlier_interventions", N_("Weight and earlier interventions")),
    ("participants_and_connections", N_("Participants involved and how they connect")),
)

ASSESSMENT_EXAMPLE = {
    "kinds_of_signals": "Labour exploitation: entry, housing and wages.",
    "number_nature_and_size": "Three signals from three agencies over two months; one employer.",
    "weight_and_earlier_interventions": "Reliability B; one earlier labour inspection, no fine.",
    "participants_and_connections": "One employer, one recruiter; shared phone and address.",
}


class DecisionIn(BaseModel):
    model_config = _STRICT | ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision": "accept",
                    "reason": "Entry to finance.",
                    "assessment": ASSESSMENT_EXAMPLE,
                },
                {"decision": "reject", "reason": "Two different people."},
            ]
        }
    )
    decision: Literal["accept", "reject"]
    reason: Prose = Reason
    assessment: Assessment | None = Field(
        None,
        description="Required to accept (WGS art. 2.23); a rejection records none.",
        validate_default=True,
    )

    @field_validator("assessment")
    @classmethod
    def _assessed_when_accepted(
        cls, value: Assessment | None, info: ValidationInfo
    ) -> Assessment | None:
        decision = info.data.get("decision")
        if decision == "accept" and value is None:
            raise ValueError(
                N_("accepting a proposal records the signal assessment (WGS art. 2.23)")
            )
        if decision == "reject" and value is not None:
            raise ValueError(N_("a rejection records no signal assessment"))
        return value


class AssignmentIn(BaseModel):
    model_config = _STRICT
    assignee: str | None = Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9._@-]+$",
        description="An analyst of your agency; null to unassign.",
    )
    reason: Prose | None = Field(None, max_length=2000)


class MergeIn(BaseModel):
    model_config = _STRICT
    other: uuid.UUID = Field(description="The proposal folded into this one; its id redirects.")
    reason: Prose = Reason


class SplitIn(BaseModel):
    model_config = _STRICT
    members: list[uuid.UUID] = Field(
        min_length=1, max_length=1000, description="The members to take out, together."
    )
    reason: Prose = Reason


class UndoIn(BaseModel):
    model_config = _STRICT
    event: int = Field(ge=1, description="The history event (a merge or a split) to undo.")
    reason: Prose = Reason


class CommentIn(BaseModel):
    model_config = _STRICT
    text: Prose = Field(min_length=1, max_length=4000)


class HistoryEvent(BaseModel):
    id: int
    at: datetime
    action: str
    agency: str | None = Field(description="The analyst's agency; null for the linker.")
    actor: str = Field(description="The analyst (to your own agency) or the agency's role.")
    detail: dict[str, Any] = Field(
        description="What changed, as far as you may see it; `ruleset` names the version and "
        "hash of the linking rules the step was made or decided under."
    )
    text: str | None = Field(
        description="The reason or comment; only for analysts of the writer's agency."
    )
    assessment: Assessment | None = Field(
        None,
        description="An acceptance's signal assessment (WGS art. 2.23); only for analysts of "
        "the accepting agency.",
    )


class History(BaseModel):
    items: list[HistoryEvent]


class SplitOut(BaseModel):
    proposal: uuid.UUID
    part: uuid.UUID | None = Field(description="The new proposal; null when one signal left.")


class DisclosureRequestIn(BaseModel):
    model_config = _STRICT | ConfigDict(
        json_schema_extra={"examples": [{"reason": "The case meeting needs the employer."}]}
    )
    reason: Prose = Field(
        min_length=3,
        max_length=2000,
        description="Why (sealed; the sources of the members asked for read it).",
    )


class DisclosureDecisionIn(BaseModel):
    model_config = _STRICT | ConfigDict(
        json_schema_extra={"examples": [{"decision": "grant", "reason": "Within the covenant."}]}
    )
    decision: Literal["grant", "refuse"]
    reason: Prose = Reason


class RevocationIn(BaseModel):
    model_config = _STRICT
    reason: Prose = Reason


class DisclosureRequestOut(BaseModel):
    """A request as its requester sees it: never how many members it asked for, nor whose."""

    id: uuid.UUID
    proposal: uuid.UUID
    status: Literal["filed"] = Field(
        description="Always `filed`: the hub addressed the request to the sources it concerns."
    )
    created_at: datetime


class DisclosureRequestView(DisclosureRequestOut):
    granted: list[uuid.UUID] = Field(
        description="Members whose source granted them and has not revoked: readable for "
        "`investigation` at `full`."
    )


class DisclosureRequestPage(BaseModel):
    items: list[DisclosureRequestView]
    next_cursor: str | None = None


DisclosureItemStatus = Literal["pending", "granted", "refused", "revoked"]


class DisclosureItemOut(BaseModel):
    """One member asked for, as its source sees it."""

    request: uuid.UUID
    signal_id: uuid.UUID = Field(description="Your signal that was asked for.")
    requested_by: str = Field(description="The agency that asks, having accepted the case.")
    case_number: str | None
    reason: str = Field(description="The requester's reason.")
    status: DisclosureItemStatus
    requested_at: datetime
    decided_at: datetime | None = Field(description="When you granted or refused it.")
    revoked_at: datetime | None


class DisclosureItemPage(BaseModel):
    items: list[DisclosureItemOut]
    next_cursor: str | None = None


def openapi_components() -> dict[str, Any]:
    """The bodies the review routes read themselves, for the published spec."""
    from pydantic.json_schema import models_json_schema

    models = [
        DecisionIn,
        Assessment,
        AssignmentIn,
        MergeIn,
        SplitIn,
        UndoIn,
        CommentIn,
        DisclosureRequestIn,
        DisclosureDecisionIn,
        RevocationIn,
    ]
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


class ScoreParts(BaseModel):
    """The parts of the score (see the README's formula), over the members you may see."""

    barriers: float = Field(description="10 per barrier of the model spanned.")
    agencies: float = Field(description="4 per independent agency beyond the first, at most 20.")
    indicators: float = Field(description="Sum of the indicators' weights, at most 5.")
    links: float = Field(description="Mean points of the links, divided by 3, at most 5.")
    grading: float = Field(description="Europol 4x4 grading of the members, 0 to 4.")
    recency: float = Field(description="0.5 ^ (days since the newest member / 90).")


class ProposalSummary(BaseModel):
    id: uuid.UUID
    status: ProposalStatus
    score: float = Field(
        description="recency * (barriers + agencies + indicators + links + grading)"
    )
    score_parts: ScoreParts
    barriers: list[str] = Field(description="Barriers the members you may see span.")
    agencies: list[str] = Field(description="Agencies of the members you may see.")
    size: int = Field(description="Members you may see (at least two).")
    created_at: datetime
    updated_at: datetime
    closed_reason: str | None
    assigned_to: str | None = Field(description="The analyst the proposal is assigned to.")
    case_number: str | None = Field(description="Once accepted: the case's number.")
    decided_at: datetime | None = Field(description="When it was accepted or rejected.")


class SharedValue(BaseModel):
    type: str = Field(
        description="The match-key type: phone, iban, person, address, ...; or evidence "
        "against the pair: bsn-conflict, document-conflict, nationality-conflict, "
        "birth-year-conflict."
    )
    points: float = Field(
        description="What this shared value counts, after its frequency (and the name's, "
        "for a person); negative for evidence against; 0 for a person on a partial birth "
        "date that no document, phone, IBAN or address corroborates."
    )
    pseudonym: str | None = Field(
        None,
        description="From pseudonymised level up on both members: the same pseudonym their "
        "subjects carry, so you can see which identifier it is without its value.",
    )


class LinkExplanation(BaseModel):
    kind: Literal["link", "shared", "analyst"] = Field(
        description="link: a link the linker kept; shared: values two members share that the "
        "linker did not keep as a link (too weak alone); analyst: members an analyst's merge or "
        "split holds together (see `event`)."
    )
    signals: list[uuid.UUID] = Field(
        min_length=1, description="Two members; for `analyst`, the members it holds."
    )
    points: float
    bridge: bool = Field(description="This link held an oversized group together and was cut.")
    shared: list[SharedValue]
    event: int | None = Field(
        None, description="For `analyst`: the history event (the id `POST /undos` takes)."
    )
    action: Literal["merged", "split"] | None = Field(
        None, description="For `analyst`: what the analyst did."
    )


class GraphNode(BaseModel):
    id: str = Field(description="A signal id, or an identifier's pseudonym.")
    kind: Literal["signal", "identifier", "event"]
    label: str
    agency: str | None = None
    barriers: list[str] = []
    level: str | None = Field(None, description="Your disclosure level of a signal.")
    type: str | None = Field(None, description="An identifier's type.")
    event: int | None = Field(None, description="An analyst's merge or split: its event id.")


class GraphEdge(BaseModel):
    source: str
    target: str
    kind: Literal["carries", "link", "held"] = Field(
        description="carries: a signal holds the identifier; link: two signals share values "
        "you may see only by type; held: an analyst's merge or split (the target) holds the "
        "signal in place."
    )
    types: list[str] = []
    points: float | None = None
    bridge: bool = False


class ProposalGraph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class RulesetRef(BaseModel):
    """The linking rules that made a proposal or decision (GET /linking/rules publishes them)."""

    version: str | None = Field(
        description="Semantic version of the rule set; null: linked before the rules had one."
    )
    hash: str | None = Field(description="sha256 of the published rules (their ETag).")


class ProposalDetail(ProposalSummary):
    ruleset: RulesetRef = Field(
        description="The version of the linking rules that made the members and links shown "
        "(WGS art. 1.9(6)); a relink under new rules records the new version."
    )
    members: list[SignalOut] = Field(description="Each at the level a covenant grants you.")
    explanation: list[LinkExplanation] = Field(description="Why these signals are together.")
    graph: ProposalGraph = Field(description="Nodes and edges for a graph view.")
    may_review: bool = Field(
        description="Whether your agency may act on the proposal (decide, assign, review, merge, "
        "split, undo): a covenant rule names it a reviewer of two or more of its members. "
        "Otherwise you may read it and comment on it, and the actions answer 403."
    )


class ProposalPage(BaseModel):
    items: list[ProposalSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
