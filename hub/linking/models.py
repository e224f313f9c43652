"""ORM models of derived linking data: proposals, their members and links, and exclusions.

All of it can be rebuilt from the signals' blind-index tokens (`hub relink`); it is stored so
that reads never recompute.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, JSONType, UTCDateTime, now
from hub.signals.models import BigPK

PROPOSAL_STATUSES = ("new", "in_review", "accepted", "rejected", "merged", "closed")
# Statuses the linker may still change the membership of.
OPEN_STATUSES = ("new", "in_review")


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'in_review', 'accepted', 'rejected', 'merged', 'closed')",
            name="status",
        ),
        Index("ix_proposals_status_score", "status", "score"),
        # The review queue: open proposals, strongest first (read backwards; migration 0015).
        Index(
            "ix_proposals_open_score",
            "score",
            "pk",
            postgresql_where=text("status IN ('new', 'in_review')"),
            sqlite_where=text("status IN ('new', 'in_review')"),
        ),
    )

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), unique=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(String(16), default="new")
    score: Mapped[float] = mapped_column(Float)
    score_parts: Mapped[dict[str, float]] = mapped_column(JSONType)
    barriers: Mapped[list[str]] = mapped_column(JSONType)
    agencies: Mapped[list[str]] = mapped_column(JSONType)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    closed_reason: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The review: who has it, the case it became, the proposal a merge folded it into.
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    case_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The agency whose analyst accepted the case (covenant rules of scope accepted-cases).
    accepted_by: Mapped[str | None] = mapped_column(String(40))
    # An accepted case holds its members past their own retention until then.
    retain_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_into: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    # The linking rules that last wrote its members and links (hub.linking.ruleset); null for
    # proposals linked before the rules had a version, until the next relink.
    ruleset_version: Mapped[str | None] = mapped_column(String(20))
    ruleset_hash: Mapped[str | None] = mapped_column(String(64))


def _proposal_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)


def _signal_fk(*, primary_key: bool = True) -> Mapped[uuid.UUID]:
    # A purged signal leaves every proposal and every explanation with it.
    return mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=primary_key, index=True
    )


class ProposalMember(Base):
    __tablename__ = "proposal_members"

    proposal_id: Mapped[uuid.UUID] = _proposal_fk()
    signal_id: Mapped[uuid.UUID] = _signal_fk()


class ProposalLink(Base):
    """Why two members are together: the shared values (as tokens) and their points."""

    __tablename__ = "proposal_links"

    proposal_id: Mapped[uuid.UUID] = _proposal_fk()
    signal_a: Mapped[uuid.UUID] = _signal_fk()
    signal_b: Mapped[uuid.UUID] = _signal_fk()
    points: Mapped[float] = mapped_column(Float)
    # [[key type, token, points], ...]: tokens, never values; the API shows them per viewer.
    evidence: Mapped[list[Any]] = mapped_column(JSONType)
    bridge: Mapped[bool] = mapped_column(Boolean, default=False)
    # The linking rules that weighed this link (hub.linking.ruleset).
    ruleset_version: Mapped[str | None] = mapped_column(String(20))
    ruleset_hash: Mapped[str | None] = mapped_column(String(64))


class ProposalEvent(Base):
    """The proposal's history: the linker's changes and the analysts' actions, in order."""

    __tablename__ = "proposal_events"

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # An analyst's reason or comment: free text about people, so sealed like a summary.
    text_key_id: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The agency of the analyst who acted (the linker's events have none).
    agency: Mapped[str | None] = mapped_column(String(40))
    # An acceptance's signal assessment (WGS art. 2.23): the four criteria as sealed JSON.
    assessment_key_id: Mapped[str | None] = mapped_column(String(16))
    assessment: Mapped[bytes | None] = mapped_column(LargeBinary)


class LinkExclusion(Base):
    """A value that must never link (a shelter's address, an agency's own office), with why."""

    __tablename__ = "link_exclusions"

    key_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    created_by: Mapped[str] = mapped_column(String(64))


class LinkingLock(Base):
    """One row; a linking transaction locks it so two never rewrite one cluster at once."""

    __tablename__ = "linking_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    relinked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkSeparation(Base):
    """Two signals an analyst said do not belong together: no proposal ever holds both."""

    __tablename__ = "link_separations"
    __table_args__ = (CheckConstraint("signal_a < signal_b", name="ordered"),)

    signal_a: Mapped[uuid.UUID] = _signal_fk()
    signal_b: Mapped[uuid.UUID] = _signal_fk()
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    created_by: Mapped[str] = mapped_column(String(64))


class LinkJoin(Base):
    """Two signals an analyst merged into one proposal: no cut ever separates them."""

    __tablename__ = "link_joins"
    __table_args__ = (CheckConstraint("signal_a < signal_b", name="ordered"),)

    signal_a: Mapped[uuid.UUID] = _signal_fk()
    signal_b: Mapped[uuid.UUID] = _signal_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    created_by: Mapped[str] = mapped_column(String(64))


class LinkQueueItem(Base):
    """A signal posted, corrected or retracted whose neighbourhood still has to be re-linked.

    Written in the partner's own transaction, so a crash between the commit and the linking
    loses nothing: the worker picks the row up when the hub starts again.
    """

    __tablename__ = "linking_queue"

    seq: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    # No foreign key: a purged signal's row must not block the purge, and linking a signal
    # that is gone simply finds nothing.
    signal_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
