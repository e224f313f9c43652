"""ORM models of OAuth clients and of client assertions already used (replay guard)."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, JSONType, UTCDateTime, now


class OAuthClient(Base):
    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(500))
    # SHA-256 of a 256-bit random secret; absent for private_key_jwt-only clients.
    secret_hash: Mapped[str | None] = mapped_column(String(100))
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    auth_method: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the client is disabled: tokens issued before it stay refused after re-enabling.
    tokens_valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UsedAssertion(Base):
    """A private_key_jwt `jti` seen before its expiry; a second use is a replay."""

    __tablename__ = "used_assertions"
    __table_args__ = (UniqueConstraint("client_id", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
