"""ORM models of analysts' UI accounts and their server-side sessions."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, now
from hub.ui.roles import ROLES


class UIUser(Base):
    """A person who signs in to the UI, on behalf of one agency, with one role."""

    __tablename__ = "ui_users"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # The name colleagues read in a proposal's history; None: the username stands in.
    display_name: Mapped[str | None] = mapped_column(String(100))
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    # Argon2id; None for an account that signs in at the OpenID provider only.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # "issuer|subject" of an account made by single sign-on; None for a local account.
    external_id: Mapped[str | None] = mapped_column(String(400), unique=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    @property
    def external(self) -> bool:
        return self.external_id is not None

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


class UISession(Base):
    """A signed-in browser; the cookie holds a token whose SHA-256 alone is stored here."""

    __tablename__ = "ui_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ui_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
