"""The hub's one validated settings object, read from HUB_* environment variables."""

from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.kit.i18n import N_
from hub.paths import document_dir
from hub.retention.rules import WGS_CAP_DAYS

# The NL GOV OAuth profile caps access-token lifetime; we never issue beyond it.
MAX_TOKEN_LIFETIME_SECONDS = 6 * 3600


class Settings(BaseSettings):
    """Configuration of one hub process; every field can be set as HUB_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore", frozen=True)

    data_dir: Path = Field(Path("data"), description="Keys and the embedded SQLite file.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite in data_dir."
    )
    issuer: str = Field("http://127.0.0.1:8000", description="Public base URL of this hub.")
    audience: str = Field("barrier-hub-api", description="The `aud` of access tokens.")
    token_lifetime: int = Field(900, ge=60, description="Access-token lifetime in seconds.")
    client_check_seconds: float = Field(
        5.0,
        ge=0,
        le=5,
        description="How long an API process trusts its last look at a client's state (a "
        "disabled or deleted client's tokens are refused within this time).",
    )
    # The token endpoint's limits (in-process counters: per API process).
    token_limit_window: int = Field(
        60, ge=1, le=3600, description="Length in seconds of a token-endpoint rate window."
    )
    token_limit_per_client: int = Field(
        20,
        ge=1,
        description="Token requests naming one client id per window, right or wrong.",
    )
    token_limit_per_address: int = Field(
        120, ge=1, description="Token requests from one IP address per window."
    )
    max_body_bytes: int = Field(10_000_000, ge=1024, description="Largest request body accepted.")
    batch_max_items: int = Field(1000, ge=1, le=10_000)
    barriers_dir: Path = Field(default_factory=lambda: document_dir("barriers"))
    covenants_dir: Path = Field(default_factory=lambda: document_dir("covenants"))
    link_poll_seconds: float = Field(
        2.0,
        gt=0,
        description="How often the linking worker looks for signals another hub process queued.",
    )
    link_batch_size: int = Field(
        500,
        ge=1,
        le=10_000,
        description="Queued signals the linking worker links in one transaction; on "
        "PostgreSQL a backlog is linked up to ten such batches at a time.",
    )
    link_in_server: bool = Field(
        True,
        description="Whether each API process links the queue in a thread of its own. `hub "
        "serve` turns it off and links in one `hub link-worker` process beside them.",
    )
    link_relink_share: float = Field(
        0.1,
        ge=0,
        description="On PostgreSQL, a linking backlog of at least this share of the active "
        "signals is linked by one full relink rather than batch by batch (0: never).",
    )
    audit_poll_seconds: float = Field(
        1.0,
        gt=0,
        description="How often the audit sequencer looks for events another hub process wrote.",
    )
    audit_checkpoint_seconds: float = Field(
        60.0,
        ge=0,
        description="Least time between two signed checkpoints of the audit chain's head.",
    )
    audit_tail_seconds: float = Field(
        5.0,
        gt=0,
        description="Oldest an unsealed audit event may be before `hub audit verify` fails.",
    )
    default_retention_days: int = Field(
        730, ge=1, description="Retention of signals shared under no covenant."
    )
    case_retention_days: int = Field(
        1825,
        ge=1,
        description="How long an accepted case holds its member signals, from its acceptance "
        "(never past the WGS cap).",
    )
    retention_cap_days: int = Field(
        WGS_CAP_DAYS,
        ge=1,
        description="Days after its first processing that a signal is purged at the latest, "
        "accepted cases included, unless an extension holds it (WGS art. 1.8(7): at most 1825).",
    )
    # Off in production: webhooks then go over https to public addresses only. Tests and the
    # demo turn it on to deliver to a receiver on this machine (and may then use http).
    webhooks_allow_private: bool = Field(
        False,
        description="Let webhooks go to loopback, private and CGNAT addresses, and over http.",
    )
    # The Logboek Dataverwerkingen (hub/ldv/): one record per processing of personal data.
    ldv_export: str = Field(
        "jsonl",
        description="Where the processing log goes: `otlp` (a collector, set by the "
        "OTEL_EXPORTER_OTLP_* variables), `jsonl` (data_dir/ldv/processing-log.jsonl), "
        "`jsonl:PATH`, or `off`.",
    )
    scheduler: bool = Field(
        False, description="Run the nightly job in this process (`hub serve --scheduler`)."
    )
    nightly_at: str = Field(
        "02:00", description="Local time of the nightly run, HH:MM (or HH:MM:SS)."
    )
    nightly_timezone: str = Field(
        "Europe/Amsterdam", description="Time zone of nightly_at and of the default report date."
    )
    nightly_lease_seconds: int = Field(
        3600,
        ge=60,
        description="SQLite only: how long a nightly lease lasts unless renewed between steps.",
    )
    # For tests and drills: "before:STEP:PATH" or "inside:STEP:PATH" makes the run wait until
    # PATH exists, before that step begins or inside its transaction before the commit.
    nightly_hold: str | None = Field(None, description="Hold a nightly step until a file exists.")
    # What the hub writes outside a request (the nightly trend report, and exports asked for
    # without Accept-Language). The UI speaks each analyst's choice, else their browser's, else
    # Dutch.
    language: Literal["nl", "en"] = Field(
        "nl", description="Language of the trend report and of exports: nl (default) or en."
    )
    # The analysts' web UI (/ui/): local accounts, lock-out and session lifetimes.
    ui_idle_minutes: int = Field(30, ge=1, description="A UI session ends after this idle time.")
    ui_session_hours: int = Field(
        12, ge=1, le=24, description="A UI session ends this long after sign-in, however active."
    )
    ui_lockout_attempts: int = Field(
        5, ge=1, description="Failed sign-ins in a row that lock a local account."
    )
    ui_lockout_minutes: int = Field(15, ge=1, description="How long a locked account stays locked.")
    # Single sign-on for the UI with OpenID Connect; off unless an issuer or discovery URL is set.
    oidc_issuer: str | None = Field(None, description="OpenID provider issuer URL.")
    oidc_discovery_url: str | None = Field(
        None, description="Discovery document URL (default: the issuer's well-known one)."
    )
    oidc_client_id: str | None = Field(None, description="The hub's client id at the provider.")
    oidc_client_secret: SecretStr | None = Field(None, description="The hub's client secret.")
    oidc_scope: str = Field("openid profile email", description="Scopes asked of the provider.")
    oidc_agency_claim: str = Field("hub_agency", description="Claim naming the agency code.")
    oidc_role_claim: str = Field("hub_role", description="Claim naming the UI role.")
    oidc_provider_name: str = Field(
        N_("single sign-on"), description='Shown on the login page as "Sign in with <name>".'
    )

    @field_validator("token_lifetime")
    @classmethod
    def _cap_lifetime(cls, value: int) -> int:
        if value > MAX_TOKEN_LIFETIME_SECONDS:
            raise ValueError(f"token_lifetime may not exceed {MAX_TOKEN_LIFETIME_SECONDS} s")
        return value

    @field_validator("default_retention_days", "case_retention_days", "retention_cap_days")
    @classmethod
    def _within_wgs_cap(cls, value: int, info: ValidationInfo) -> int:
        # The law's cap is a ceiling: a setting may keep data shorter, never longer.
        if value > WGS_CAP_DAYS:
            raise ValueError(
                f"{info.field_name} may not exceed the WGS cap of {WGS_CAP_DAYS} days "
                "(art. 1.8(7)); a setting may shorten it, never lengthen it"
            )
        return value

    @field_validator("nightly_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        try:
            time.fromisoformat(value)
        except ValueError:
            raise ValueError("nightly_at is a time of day as HH:MM or HH:MM:SS") from None
        return value

    @field_validator("nightly_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("nightly_hold")
    @classmethod
    def _hold_spec(cls, value: str | None) -> str | None:
        if value is not None:
            where, _, rest = value.partition(":")
            step, _, path = rest.partition(":")
            if where not in ("before", "inside") or not step or not path:
                raise ValueError("nightly_hold is before:STEP:PATH or inside:STEP:PATH")
        return value

    @field_validator("ldv_export")
    @classmethod
    def _ldv_export(cls, value: str) -> str:
        if value in ("otlp", "jsonl", "off") or (value.startswith("jsonl:") and len(value) > 6):
            return value
        raise ValueError("ldv_export is otlp, jsonl, jsonl:PATH or off")

    @model_validator(mode="after")
    def _oidc_complete(self) -> "Settings":
        if (self.oidc_issuer or self.oidc_discovery_url) and not (
            self.oidc_client_id and self.oidc_client_secret
        ):
            raise ValueError("OpenID Connect sign-in needs oidc_client_id and oidc_client_secret")
        return self

    @field_validator("issuer")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hub.db').resolve()}"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/oauth/token"

    @property
    def oidc_metadata_url(self) -> str | None:
        """Where the OpenID provider's discovery document is, or None when sign-on is off."""
        if self.oidc_discovery_url:
            return self.oidc_discovery_url
        if self.oidc_issuer:
            return self.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
        return None


def get_settings() -> Settings:
    """Settings from the environment (a fresh object, so tests and the CLI can vary them)."""
    return Settings()
