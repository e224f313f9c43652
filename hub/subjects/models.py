"""ORM models of data-subject requests, the corrections routed to sources, and restrictions.

A request holds blind-index tokens and ids only: the name, BSN or document number the contact
point searched for is never stored.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, JSONType, UTCDateTime, now
from hub.signals.models import BigPK

REQUEST_KINDS = ("access", "rectify", "erase", "restrict")
REQUEST_STATUSES = ("open", "done", "refused", "lifted")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class SubjectRequest(Base):
    """One request of a data subject, opened by the contact point with a find."""

    __tablename__ = "subject_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", REQUEST_KINDS), name="kind"),
        CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),
    )

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), unique=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    # The contact point's agency and client (or `ui:<user>`).
    agency: Mapped[str] = mapped_column(String(40))
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    # [[key type, blind-index token], ...]: what the find matches on; emptied by an erasure,
    # so nothing that could find the person again outlives it.
    tokens: Mapped[list[Any]] = mapped_column(JSONType)
    # What the find found when the request was opened: signal and proposal ids, counts.
    found: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The contact point's notes: free text about a person, so sealed like a summary.
    notes_key_id: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A refusal's ground, or a restriction's (a code of hub.subjects.grounds).
    ground: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    # What carrying it out did: ids and counts only.
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignalRestriction(Base):
    """A signal whose processing is restricted: no linking, no disclosure beyond its source."""

    __tablename__ = "signal_restrictions"

    signal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True
    )
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subject_requests.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    ground: Mapped[str] = mapped_column(String(40))
    restricted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class SubjectCorrection(Base):
    """A rectification routed to the source of one signal, which corrects it itself (PATCH).

    It counts as done once the signal is at a later version than when it was routed."""

    __tablename__ = "subject_corrections"

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), unique=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True
    )
    signal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    source_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Which subjects of the signal hold the person (positions, from 0).
    subject_positions: Mapped[list[int]] = mapped_column(JSONType)
    signal_version: Mapped[int] = mapped_column(Integer)
    # What to correct, in the contact point's words (sealed: it is about a person).
    note_key_id: Mapped[str] = mapped_column(String(16))
    note: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
