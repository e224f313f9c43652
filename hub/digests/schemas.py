"""API models of webhooks and digests (the digest models document the stored JSON)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.digests.addresses import MAX_URL_LENGTH


class WebhookCreate(BaseModel):
    """Where the hub sends your agency's nightly digest."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"url": "https://hub.example.nl/digest"}]}
    )

    url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="An https URL on a public address; the hub POSTs each digest to it.",
    )


class WebhookOut(BaseModel):
    url: str
    created_at: datetime
    updated_at: datetime
    signature_scheme: Literal["standard-webhooks-v1"] = Field(
        "standard-webhooks-v1",
        description="Deliveries carry webhook-id, webhook-timestamp and webhook-signature.",
    )


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The signing secret (whsec_ + base64). Shown this once: store it now; "
        "a new PUT makes a new one.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class DigestDisclosure(BaseModel):
    agency: str = Field(description="The agency shown your signals.")
    level: str = Field(description="The disclosure level it was shown them at.")
    disclosures: int = Field(description="Times it was shown one, lookups included.")
    signals: int = Field(description="Distinct signals of yours it was shown.")


class DigestDisclosures(BaseModel):
    total: int
    signals: int
    by_agency: list[DigestDisclosure]


class DigestLookup(BaseModel):
    agency: str = Field(description="The agency whose lookups hit your signals.")
    lookups: int = Field(description="Its lookups that hit one of your signals.")
    signals: int = Field(description="Distinct signals of yours they hit.")


class DigestLookups(BaseModel):
    hits: int = Field(description="Lookup-and-signal pairs: each of your signals per lookup.")
    by_agency: list[DigestLookup]


class DigestCase(BaseModel):
    case_number: str = Field(description="A case accepted that day that holds your signals.")
    accepted_by: str = Field(description="The agency that holds the case: whom to contact.")
    own_signal_ids: list[str] = Field(description="Your signals in it (sorted).")


class DigestOut(BaseModel):
    """One agency's digest of one Amsterdam day: counts, agency codes and its own signal ids;
    never an identifier, a summary or another agency's signal, and never a proposal that no
    analyst has accepted (from schema 2.0.0)."""

    model_config = ConfigDict(title="Digest")

    schema_version: str = Field(examples=["2.0.0"])
    agency: str
    digest_date: date
    generated_at: datetime
    disclosures: DigestDisclosures
    lookups: DigestLookups
    cases: list[DigestCase] = Field(
        [], description="Cases accepted that day holding your signals (from schema 1.1.0)."
    )
