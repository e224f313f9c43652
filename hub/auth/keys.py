"""The hub's token-signing keys: RSA private JWKs in data_dir/keys/, rotated without downtime.

Each key lives in its own owner-only file `signing-<kid>.json`:
`{"kid": ..., "created_at": "<ISO 8601 UTC>", "jwk": {<private RSA JWK>}}`. The newest key signs;
a key is retired the moment a newer one is created, and stays published in the JWKS for as long
as a token it signed may still be presented: retired_at + token lifetime + leeway. Rotation by
another process (`hub keys rotate` while the server runs) is noticed on the next call: key files
are only ever added or removed, never rewritten, so the folder's mtime and its list of key files
change with every rotation.
"""

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from hub.config import Settings
from hub.kit.keyfiles import key_dir, read_json, write_secret_json

ALGORITHM = "RS256"
# NCSC's guidance rates RSA below 3072 bits as "sufficient" only for the near term.
RSA_BITS = 3072
# Covers clock skew and the moment between a rotation and another process noticing it.
PUBLISH_LEEWAY = timedelta(seconds=60)
_PREFIX = "signing-"
# Longer than the timestamp granularity of any file system the data folder may be on.
SETTLE_SECONDS = 2.0


def _now() -> datetime:
    """The current time (a seam for tests: rotation is about time passing)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class StoredKey:
    """One signing key; `retired_at` is the creation time of its successor, if any."""

    kid: str
    created_at: datetime
    private: RSAKey
    public: RSAKey
    retired_at: datetime | None = None


class SigningKeys:
    """The signing keys of one data folder, re-read whenever the folder changes."""

    def __init__(self, folder: Path, *, settings: Settings) -> None:
        self._folder = folder
        self._lifetime = timedelta(seconds=settings.token_lifetime)
        self._lock = threading.Lock()
        self._seen: tuple[int, list[str]] | None = None
        self._keys: list[StoredKey] = []
        self._stamp: tuple[int | None, float] = (None, 0.0)  # the folder's mtime, first seen at
        self._settled: int | None = None  # an mtime no later change can share
        self._current()

    @classmethod
    def load_or_create(cls, data_dir: Path, *, settings: Settings) -> "SigningKeys":
        """The keys of `data_dir`, generating the first one on first start."""
        folder = key_dir(data_dir)
        if not _key_files(folder):
            _write_new_key(folder, _now())
        return cls(folder, settings=settings)

    @staticmethod
    def rotate(data_dir: Path, *, settings: Settings) -> str:
        """Add a key that becomes active at once; return its kid.

        The previous keys stay published until every token they signed has expired; the files
        of keys past that point are removed now.
        """
        folder = key_dir(data_dir)
        lifetime = timedelta(seconds=settings.token_lifetime)
        now = _now()
        existing = _read_keys(folder)
        expired = [k for k in existing if not _is_published(k, now, lifetime)]
        # The newest key is the active one, so the new key must be strictly the newest.
        newest = existing[0].created_at if existing else None
        created_at = max(now, newest + timedelta(microseconds=1)) if newest else now
        kid = _write_new_key(folder, created_at)
        for key in expired:
            (folder / f"{_PREFIX}{key.kid}.json").unlink(missing_ok=True)
        return kid

    def active(self) -> RSAKey:
        """The private key that signs new tokens: the newest one."""
        return self._current()[0].private

    def published(self) -> list[StoredKey]:
        """The keys whose tokens may still be presented, newest first."""
        now = _now()
        return [k for k in self._current() if _is_published(k, now, self._lifetime)]

    def public_jwks(self) -> dict[str, Any]:
        """The JWK set served at /.well-known/jwks.json (public parts only)."""
        return {"keys": [dict(k.public.as_dict(private=False)) for k in self.published()]}

    def keyset(self) -> KeySet:
        """The published public keys, for verifying tokens."""
        return KeySet([k.public for k in self.published()])

    def _current(self) -> list[StoredKey]:
        # A stat per call, so a rotation elsewhere is seen at once; the listing only while the
        # folder's mtime is new. Its coarse clock can give two changes in quick succession the
        # same stamp, so the names are listed until a listing was made SETTLE_SECONDS after
        # the stamp was first seen: any change after that listing gets a later stamp.
        mtime = os.stat(self._folder).st_mtime_ns
        if self._settled == mtime:
            return self._keys
        with self._lock:
            now = monotonic()
            if mtime != self._stamp[0]:
                self._stamp = (mtime, now)
            seen = (mtime, [p.name for p in _key_files(self._folder)])
            if seen != self._seen:
                keys = _read_keys(self._folder)
                if not keys:
                    raise RuntimeError(f"no signing keys in {self._folder}")
                self._keys, self._seen = keys, seen
            if now - self._stamp[1] >= SETTLE_SECONDS:
                self._settled = mtime
        return self._keys


def _is_published(key: StoredKey, now: datetime, lifetime: timedelta) -> bool:
    return key.retired_at is None or now < key.retired_at + lifetime + PUBLISH_LEEWAY


def _key_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{_PREFIX}*.json"))


def _write_new_key(folder: Path, created_at: datetime) -> str:
    key = RSAKey.generate_key(
        RSA_BITS, parameters={"use": "sig", "alg": ALGORITHM}, private=True, auto_kid=True
    )
    kid = str(key.kid)  # the RFC 7638 thumbprint
    document = {
        "kid": kid,
        "created_at": created_at.isoformat(),
        "jwk": dict(key.as_dict(private=True)),
    }
    write_secret_json(folder / f"{_PREFIX}{kid}.json", document)
    return kid


def _read_keys(folder: Path) -> list[StoredKey]:
    """Every key in `folder`, newest first, each retired when its successor was created."""
    loaded: list[tuple[datetime, str, RSAKey]] = []
    for path in _key_files(folder):
        try:
            document = read_json(path)
        except FileNotFoundError:  # removed by a concurrent rotation
            continue
        private = RSAKey.import_key(document["jwk"])
        if private.kid != document["kid"] or not private.is_private:
            raise RuntimeError(f"{path} is not a private signing key with its own kid")
        loaded.append((datetime.fromisoformat(document["created_at"]), document["kid"], private))
    loaded.sort(key=lambda item: (item[0], item[1]), reverse=True)
    keys: list[StoredKey] = []
    successor_created: datetime | None = None
    for created_at, kid, private in loaded:
        public = RSAKey.import_key(dict(private.as_dict(private=False)))
        keys.append(StoredKey(kid, created_at, private, public, successor_created))
        successor_created = created_at
    return keys
