"""ORM models of retention extensions: recorded decisions to keep a case's data past the WGS cap
(art. 1.8(7)), and the signals each one covers."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, now
from hub.signals.models import BigPK


class RetentionExtension(Base):
    """Who decided, why (sealed), until when; revoked ones stay as the record of the decision."""

    __tablename__ = "retention_extensions"

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), unique=True, default=uuid.uuid4)
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    # None: every member of the case when it was decided; else the one signal it names.
    signal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    decided_by: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(40))
    reason_key_id: Mapped[str] = mapped_column(String(16))
    reason: Mapped[bytes] = mapped_column(LargeBinary)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))


class RetentionExtensionMember(Base):
    """A signal an extension holds; it goes with the signal when that is purged."""

    __tablename__ = "retention_extension_members"

    extension_pk: Mapped[int] = mapped_column(
        ForeignKey("retention_extensions.pk", ondelete="CASCADE"), primary_key=True
    )
    signal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True, index=True
    )
