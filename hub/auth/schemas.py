"""API models of OAuth clients, as administrators see them (never a secret or a key)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ClientOut(BaseModel):
    client_id: str = Field(examples=["kmar-3f9a0c1d2e4b5a69"])
    agency: str = Field(examples=["KMAR"])
    name: str
    scopes: list[str] = Field(examples=[["signals:read", "signals:write"]])
    auth_method: Literal["private_key_jwt", "client_secret_basic"]
    created_at: datetime
    disabled_at: datetime | None = Field(
        None, description="Since when the client is disabled: its tokens are refused."
    )


class ClientList(BaseModel):
    items: list[ClientOut]
