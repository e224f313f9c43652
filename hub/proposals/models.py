"""ORM models of what a case opens: the members an acceptance opened to the accepting agency,
and the disclosure requests by which it asks the sources for the rest (WGS art. 1.7(3))."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, now
from hub.signals.models import BigPK

ITEM_STATUSES = ("pending", "granted", "refused", "revoked")


class CaseOpening(Base):
    """A member the accepting agency could see when it accepted the case: what acceptance
    opens for `investigation` (and nothing else: members it never saw stay closed)."""

    __tablename__ = "case_openings"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    # A purged signal leaves the opening with it.
    signal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    agency: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class DisclosureRequest(Base):
    """An accepting agency's request, with a reason, to see the case's other members."""

    __tablename__ = "disclosure_requests"

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), unique=True, default=uuid.uuid4)
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    agency: Mapped[str] = mapped_column(String(40), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # The reason is free text about people: sealed like a proposal event's text.
    reason_key_id: Mapped[str] = mapped_column(String(16))
    reason: Mapped[bytes] = mapped_column(LargeBinary)

    items: Mapped[list["DisclosureItem"]] = relationship(back_populates="request", lazy="raise")


class DisclosureItem(Base):
    """One member asked for, addressed to its source, which grants, refuses or revokes it."""

    __tablename__ = "disclosure_items"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'granted', 'refused', 'revoked')", name="status"),
        # A source's inbox, and the policy's look-up of live grants per signal.
        Index("ix_disclosure_items_source_status", "source_agency_id", "status"),
    )

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    request_pk: Mapped[int] = mapped_column(
        ForeignKey("disclosure_requests.pk", ondelete="CASCADE"), index=True
    )
    signal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    source_agency_id: Mapped[int] = mapped_column(Integer, ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_key_id: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revocation_key_id: Mapped[str | None] = mapped_column(String(16))
    revocation_reason: Mapped[bytes | None] = mapped_column(LargeBinary)

    request: Mapped[DisclosureRequest] = relationship(back_populates="items", lazy="raise")
