"""Rate limits of the token endpoint, and failed client authentications counted for the audit.

Fixed windows of `token_limit_window` seconds (aligned to the clock): within one window at most
`token_limit_per_client` requests may name one client id and at most `token_limit_per_address`
may come from one address, right or wrong; beyond that the answer is 429 with Retry-After (the
rest of the window). Counting every request, not only failures, is what stops guessing: a
guesser cannot know which attempt will be the one to fail. The counters live in the process,
so with several API processes each enforces the limits on its own share of the traffic.

Failed authentications are audited as counts, not one event per attempt (which would let an
attacker flood the chain): when a window closes, one `client.auth_failed` event per client that
had failures in it (owned by the client's agency, so it sees them), and one event for all the
ids that name no client, with their number but not the ids themselves (a guessed "id" may be a
secret pasted into the wrong field). Closed windows are written every window by a background
task, and at shutdown.
"""

import asyncio
import base64
import binascii
import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.models import Agency
from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.auth.models import OAuthClient
from hub.db import transaction

log = logging.getLogger(__name__)

TOKEN_ENDPOINT_CALLER = Caller(
    agency_id=0,
    agency_code="HUB",
    client_id="hub-token-endpoint",
    scopes=frozenset(),
    token_id="token-endpoint",  # noqa: S106
)
# Longer than any client id the hub issues (String(64)): counted together as "no such client".
_MAX_ID = 64
_UNKNOWN = ""
# Bounds memory under a flood of made-up ids from many addresses; the excess is still counted.
_MAX_KEYS = 50_000


@dataclass(frozen=True)
class FailureCount:
    """Failed authentications naming one client id (or none known) in one closed window."""

    window_start: datetime
    window_seconds: int
    client_id: str
    failures: int
    refused: int  # requests answered 429


class TokenThrottle:
    """Per-client and per-address request counters of the current window; thread-safe."""

    def __init__(self, *, window: int, per_client: int, per_address: int) -> None:
        self.window = window
        self._per_client = per_client
        self._per_address = per_address
        self._lock = threading.Lock()
        self._index = self._window_index(time.time())
        self._clients: dict[str, int] = {}
        self._addresses: dict[str, int] = {}
        self._failures: dict[str, list[int]] = {}  # client id -> [failures, refused]
        self._closed: list[FailureCount] = []

    def admit(self, client_id: str | None, address: str) -> int | None:
        """Count a request; the seconds to wait (Retry-After) when it is over a limit."""
        now = time.time()
        key = _key(client_id)
        with self._lock:
            self._roll(now)
            by_address = self._addresses.get(address, 0) + 1
            by_client = self._clients.get(key, 0) + 1 if client_id is not None else 0
            if by_address > self._per_address or by_client > self._per_client:
                if client_id is not None:
                    self._tally(key, refused=1)
                return max(1, math.ceil((self._index + 1) * self.window - now))
            if len(self._addresses) < _MAX_KEYS or address in self._addresses:
                self._addresses[address] = by_address
            if client_id is not None and (len(self._clients) < _MAX_KEYS or key in self._clients):
                self._clients[key] = by_client
            return None

    def failed(self, client_id: str | None) -> None:
        """Count a failed client authentication for the audit."""
        with self._lock:
            self._roll(time.time())
            self._tally(_key(client_id), failures=1)

    def take_closed(self, *, close_current: bool = False) -> list[FailureCount]:
        """The counts of the windows that have closed (and of the current one, at shutdown)."""
        with self._lock:
            self._roll(time.time(), force=close_current)
            closed, self._closed = self._closed, []
        return closed

    def _tally(self, key: str, *, failures: int = 0, refused: int = 0) -> None:
        if key not in self._failures and len(self._failures) >= _MAX_KEYS:
            key = _UNKNOWN
        counts = self._failures.setdefault(key, [0, 0])
        counts[0] += failures
        counts[1] += refused

    def _roll(self, now: float, *, force: bool = False) -> None:
        index = self._window_index(now)
        if index == self._index and not force:
            return
        start = datetime.fromtimestamp(self._index * self.window, UTC)
        self._closed.extend(
            FailureCount(start, self.window, key, failures, refused)
            for key, (failures, refused) in self._failures.items()
        )
        self._index = index
        self._clients, self._addresses, self._failures = {}, {}, {}

    def _window_index(self, now: float) -> int:
        return int(now // self.window)


def claimed_client_id(form: dict[str, str], authorization: str | None) -> str | None:
    """The client id a token request names (unverified): Basic user, form, or assertion `sub`."""
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return _UNKNOWN
        return unquote(user.partition(":")[0])
    if form.get("client_id"):
        return form["client_id"]
    assertion = form.get("client_assertion")
    if assertion:
        try:
            payload = assertion.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError, binascii.Error):
            return _UNKNOWN
        sub = claims.get("sub") if isinstance(claims, dict) else None
        return sub if isinstance(sub, str) else _UNKNOWN
    return None


def record_failures(sessions: sessionmaker[Session], counts: list[FailureCount]) -> None:
    """Write the failure counts of closed windows to the audit trail (blocking)."""
    if not counts:
        return
    with transaction(sessions) as session:
        owners = _owners(session, {c.client_id for c in counts if c.client_id})
        unknown: dict[tuple[datetime, int], list[FailureCount]] = {}
        for count in counts:
            if count.client_id in owners:
                audit.record(
                    session,
                    TOKEN_ENDPOINT_CALLER,
                    "client.auth_failed",
                    object_type="client",
                    objects=[
                        (
                            count.client_id,
                            _detail(count.window_start, count.window_seconds, [count]),
                        )
                    ],
                    owner=owners[count.client_id],
                )
            else:
                unknown.setdefault((count.window_start, count.window_seconds), []).append(count)
        for (start, seconds), group in unknown.items():
            detail = _detail(start, seconds, group) | {"client_ids": len(group)}
            audit.record(
                session,
                TOKEN_ENDPOINT_CALLER,
                "client.auth_failed",
                object_type="client",
                objects=[(None, detail)],  # type: ignore[list-item]
            )


async def flush_periodically(throttle: TokenThrottle, sessions: sessionmaker[Session]) -> None:
    """Write each closed window's counts soon after it closes, until cancelled."""
    while True:
        await asyncio.sleep(throttle.window)
        try:
            await asyncio.to_thread(record_failures, sessions, throttle.take_closed())
        except Exception:  # a database hiccup must not end the loop; the next window retries
            log.exception("could not record failed token requests")


def _detail(start: datetime, seconds: int, group: list[FailureCount]) -> dict[str, object]:
    return {
        "window_start": start.isoformat(),
        "window_seconds": seconds,
        "failures": sum(c.failures for c in group),
        "refused": sum(c.refused for c in group),
    }


def _owners(session: Session, client_ids: set[str]) -> dict[str, str]:
    if not client_ids:
        return {}
    rows = session.execute(
        select(OAuthClient.client_id, Agency.code)
        .join(Agency, Agency.id == OAuthClient.agency_id)
        .where(OAuthClient.client_id.in_(client_ids))
    )
    return {client_id: code for client_id, code in rows}


def _key(client_id: str | None) -> str:
    if client_id is None or len(client_id) > _MAX_ID:
        return _UNKNOWN
    return client_id
