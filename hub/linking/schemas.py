"""API shapes of case proposals, as one viewer sees them."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from hub.signals.schemas import SignalOut

ProposalStatus = Literal["new", "in_review", "accepted", "rejected", "merged", "closed"]


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
    type: str = Field(description="The match-key type: phone, iban, person, address, ...")
    points: float = Field(description="What this shared value counts, after its frequency.")
    pseudonym: str | None = Field(
        None,
        description="From pseudonymised level up on both members: the same pseudonym their "
        "subjects carry, so you can see which identifier it is without its value.",
    )


class LinkExplanation(BaseModel):
    signals: list[uuid.UUID] = Field(min_length=2, max_length=2)
    points: float
    bridge: bool = Field(description="This link held an oversized group together and was cut.")
    shared: list[SharedValue]


class GraphNode(BaseModel):
    id: str = Field(description="A signal id, or an identifier's pseudonym.")
    kind: Literal["signal", "identifier"]
    label: str
    agency: str | None = None
    barriers: list[str] = []
    level: str | None = Field(None, description="Your disclosure level of a signal.")
    type: str | None = Field(None, description="An identifier's type.")


class GraphEdge(BaseModel):
    source: str
    target: str
    kind: Literal["carries", "link"] = Field(
        description="carries: a signal holds the identifier; link: two signals share values "
        "you may see only by type."
    )
    types: list[str] = []
    points: float | None = None
    bridge: bool = False


class ProposalGraph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class ProposalDetail(ProposalSummary):
    members: list[SignalOut] = Field(description="Each at the level a covenant grants you.")
    explanation: list[LinkExplanation] = Field(description="Why these signals are together.")
    graph: ProposalGraph = Field(description="Nodes and edges for a graph view.")


class ProposalPage(BaseModel):
    items: list[ProposalSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


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
