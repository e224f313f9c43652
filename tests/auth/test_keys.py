"""Signing keys: created on first start, owner-only, rotated without breaking issued tokens."""

import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from pydantic import ValidationError

from hub.auth import keys as keys_module
from hub.auth.keys import PUBLISH_LEEWAY, SigningKeys
from hub.auth.tokens import TokenVerifier
from hub.config import MAX_TOKEN_LIFETIME_SECONDS, Settings
from hub.errors import Unauthorized
from tests.auth.helpers import unverified
from tests.conftest import LiveServer
from tests.factories import PartnerFactory

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


class Clock:
    """Stands in for keys._now, so that hours pass in no time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(keys_module, "_now", clock)
    return clock


@pytest.fixture
def offline(tmp_path: Path) -> Settings:
    """Settings of a hub that is never served: a tiny token lifetime, its own data folder."""
    return Settings(data_dir=tmp_path, token_lifetime=60, issuer="https://hub.example")


def kids(jwks: dict) -> list[str]:
    return [k["kid"] for k in jwks["keys"]]


def test_rotation_on_a_running_hub_keeps_old_tokens_valid(
    api: httpx.Client, settings: Settings, partners: PartnerFactory
) -> None:
    before = partners.new(kind="szw", scopes="lookups")
    old_kid = unverified(before.token)[0]["kid"]

    new_kid = SigningKeys.rotate(settings.data_dir, settings=settings)  # as `hub keys rotate`

    assert new_kid != old_kid
    assert api.get("/api/v1/agencies", headers=before.headers).status_code == 200
    after = partners.token(before.client_id, before.client_secret, "lookups")
    assert unverified(after)[0]["kid"] == new_kid
    published = kids(api.get("/.well-known/jwks.json").json())
    assert published[0] == new_kid and old_kid in published
    headers = {"Authorization": f"Bearer {after}"}
    assert api.get("/api/v1/agencies", headers=headers).status_code == 200


def test_key_files_are_owner_only_private_jwks(settings: Settings, server: LiveServer) -> None:
    files = sorted((settings.data_dir / "keys").glob("signing-*.json"))
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        document = keys_module.read_json(path)
        assert document["jwk"]["kid"] == document["kid"]
        assert document["jwk"].keys() >= PRIVATE_MEMBERS  # the file holds the private key
        datetime.fromisoformat(document["created_at"])


def test_first_start_creates_one_key_and_publishes_only_its_public_part(
    offline: Settings,
) -> None:
    signing = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    again = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    assert len(list((offline.data_dir / "keys").glob("signing-*.json"))) == 1
    assert signing.active().kid == again.active().kid
    assert signing.active().is_private
    jwks = signing.public_jwks()
    assert kids(jwks) == [signing.active().kid]
    assert not PRIVATE_MEMBERS & jwks["keys"][0].keys()
    assert all(not key.is_private for key in signing.keyset())


def test_old_key_is_dropped_after_retirement_plus_lifetime_plus_leeway(
    offline: Settings, clock: Clock
) -> None:
    signing = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    first = signing.active().kid
    clock.advance(hours=1)
    second = SigningKeys.rotate(offline.data_dir, settings=offline)
    retired_at = clock.now

    # The running object notices the rotation by another process without being rebuilt.
    assert signing.active().kid == second
    assert kids(signing.public_jwks()) == [second, first]

    grace = timedelta(seconds=offline.token_lifetime) + PUBLISH_LEEWAY
    clock.now = retired_at + grace - timedelta(seconds=1)
    assert kids(signing.public_jwks()) == [second, first]
    clock.now = retired_at + grace
    assert kids(signing.public_jwks()) == [second]
    assert [k.kid for k in signing.keyset()] == [second]

    # The next rotation removes the file of the key that is no longer published.
    third = SigningKeys.rotate(offline.data_dir, settings=offline)
    names = {p.name for p in (offline.data_dir / "keys").glob("signing-*.json")}
    assert names == {f"signing-{second}.json", f"signing-{third}.json"}
    assert kids(signing.public_jwks()) == [third, second]


def test_a_token_of_a_dropped_key_no_longer_verifies(offline: Settings, clock: Clock) -> None:
    signing = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    verifier = TokenVerifier(signing, settings=offline)
    token = _token(signing, offline)
    assert verifier.verify(token)["sub"] == "c"

    SigningKeys.rotate(offline.data_dir, settings=offline)
    assert verifier.verify(token)["sub"] == "c"  # retired, still published
    clock.advance(seconds=offline.token_lifetime + PUBLISH_LEEWAY.total_seconds() + 1)
    with pytest.raises(Unauthorized):
        verifier.verify(token)


def _token(signing: SigningKeys, settings: Settings) -> str:
    key = signing.active()
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": "c",
        "client_id": "c",
        "agency": "X",
        "scope": "",
        "iat": now,
        "exp": now + 600,
        "jti": "j",
    }
    return jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": key.kid}, claims, key)


def test_token_lifetime_over_six_hours_is_refused(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path, token_lifetime=MAX_TOKEN_LIFETIME_SECONDS).token_lifetime
    with pytest.raises(ValidationError, match="token_lifetime"):
        Settings(data_dir=tmp_path, token_lifetime=MAX_TOKEN_LIFETIME_SECONDS + 1)
    assert MAX_TOKEN_LIFETIME_SECONDS == 6 * 3600


def test_rotations_in_the_same_instant_each_become_active(offline: Settings, clock: Clock) -> None:
    signing = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    for _ in range(3):  # the clock stands still: creation times alone cannot order the keys
        kid = SigningKeys.rotate(offline.data_dir, settings=offline)
        assert signing.active().kid == kid
    assert len(signing.public_jwks()["keys"]) == 4


def test_a_remembered_token_vouches_for_those_exact_bytes_only(
    offline: Settings, clock: Clock
) -> None:
    signing = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    verifier = TokenVerifier(signing, settings=offline)
    token = _token(signing, offline)
    assert verifier.verify(token)["sub"] == "c"
    assert verifier.verify(token)["sub"] == "c"  # the second time from what was verified
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(Unauthorized):
        verifier.verify(".".join((header, payload, flipped)))
    other = jwt.encode(
        {"alg": "RS256", "typ": "at+jwt", "kid": signing.active().kid},
        {"sub": "c", "iss": offline.issuer},
        signing.active(),
    )
    with pytest.raises(Unauthorized):  # well signed, but its claims are not an access token's
        verifier.verify(other)


class Ticks:
    """Stands in for keys.monotonic: the seconds since a listing, without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> Ticks:
    ticks = Ticks()
    monkeypatch.setattr(keys_module, "monotonic", ticks)
    return ticks


def _listings(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    listed: list[Path] = []
    real = keys_module._key_files

    def spy(folder: Path) -> list[Path]:
        listed.append(folder)
        return real(folder)

    monkeypatch.setattr(keys_module, "_key_files", spy)
    return listed


def test_a_settled_key_folder_is_not_listed_on_every_call(
    offline: Settings, ticks: Ticks, monkeypatch: pytest.MonkeyPatch
) -> None:
    signing = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    # Made a while ago, so that the rotation below cannot share its mtime.
    folder = offline.data_dir / "keys"
    made = folder.stat().st_mtime_ns - 10**10
    os.utime(folder, ns=(made, made))
    listed = _listings(monkeypatch)
    signing.active()
    assert listed  # first seen now: it may not tell the next change apart yet
    ticks.now += keys_module.SETTLE_SECONDS
    signing.active()
    listed.clear()
    for _ in range(5):
        signing.keyset()
    assert listed == []
    # A rotation changes the folder's mtime: seen on the next call.
    kid = SigningKeys.rotate(offline.data_dir, settings=offline)
    assert signing.active().kid == kid and listed


def test_a_rotation_that_leaves_the_folder_mtime_unchanged_is_still_seen(
    offline: Settings, ticks: Ticks
) -> None:
    """A coarse file-system clock gives two changes in quick succession the same mtime: until
    a listing was made a settling time after the mtime was first seen, every call lists."""
    signing = SigningKeys.load_or_create(offline.data_dir, settings=offline)
    folder = offline.data_dir / "keys"
    before = folder.stat().st_mtime_ns
    signing.active()
    kid = SigningKeys.rotate(offline.data_dir, settings=offline)
    os.utime(folder, ns=(before, before))  # as if in the same tick of the clock
    ticks.now += keys_module.SETTLE_SECONDS / 2
    assert signing.active().kid == kid
