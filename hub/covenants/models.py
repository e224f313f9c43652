"""ORM models: covenant versions as loaded, which versions each signal was shared under, and the
exceptions the policy honours beside the rules: the members an accepted case opened to the
accepting agency, and the sources' consent to disclosure requests (WGS art. 1.7(3))."""

import functools
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, JSONType, UTCDateTime, now
from hub.signals.models import BigPK


class CovenantVersion(Base):
    """One version of a covenant document, frozen once loaded: a change needs a new version."""

    __tablename__ = "covenant_versions"

    covenant_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    retention_days: Mapped[int] = mapped_column(Integer)
    # The whole document as loaded, so an auditor can read what was in force.
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


def binding_key(terms: Iterable[tuple[str, int]]) -> str:
    return ",".join(f"{cid}@{version}" for cid, version in sorted(terms))


@functools.cache
def parse_key(key: str) -> tuple[tuple[str, int], ...]:
    # Cached: a hub has a handful of sets, read with every signal it decides on.
    return tuple((cid, int(version)) for cid, version in (t.rsplit("@", 1) for t in key.split(",")))


class Binding(Base):
    """A set of covenant versions signals were shared under. Signals point at their set, so the
    policy tests one column per row (no per-row look-up), and thousands of signals posted under
    the same covenants share one set. Sets never change once made."""

    __tablename__ = "covenant_bindings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The terms as text ("id@version" sorted, comma-joined): one set per combination.
    key: Mapped[str] = mapped_column(String(2000), unique=True)

    @property
    def terms(self) -> dict[str, int]:
        """{covenant id: version}."""
        return dict(parse_key(self.key))


class BindingTerm(Base):
    """One covenant version in a binding set."""

    __tablename__ = "covenant_binding_terms"
    __table_args__ = (
        ForeignKeyConstraint(
            ["covenant_id", "covenant_version"],
            ["covenant_versions.covenant_id", "covenant_versions.version"],
        ),
    )

    binding_id: Mapped[int] = mapped_column(
        ForeignKey("covenant_bindings.id", ondelete="CASCADE"), primary_key=True
    )
    covenant_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    covenant_version: Mapped[int] = mapped_column(Integer)


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
