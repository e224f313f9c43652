"""Sending digests to partners' webhooks, signed per Standard Webhooks, with retries.

Each due delivery is claimed in a short transaction (its next attempt pushed out by a lease,
so a second sender skips it), sent with no transaction open, and its outcome recorded in
another. A failed attempt is retried after 2 minutes, then 6, 18, 54 … (times 3, at most 8
hours apart); after MAX_ATTEMPTS the hub gives up and records why.
"""

import functools
import ipaddress
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub import __version__
from hub.audit import service as audit
from hub.config import get_settings
from hub.db import now as utcnow
from hub.db import transaction
from hub.digests import addresses, repository
from hub.digests.models import Delivery, Digest, Webhook
from hub.digests.service import DIGEST_CALLER
from hub.digests.signing import open_secret, sign
from hub.kit.crypto import DataKeys, Sealed
from hub.ldv import collect as ldv

log = logging.getLogger(__name__)


class _QuietSends(logging.Filter):
    """Drops httpx's "HTTP Request: POST <url>" lines for webhook sends: a receiver's URL may
    carry its own token, and logs are no place for it."""

    def __init__(self) -> None:
        super().__init__()
        self.active = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.active, "sending", False)


_quiet = _QuietSends()
logging.getLogger("httpx").addFilter(_quiet)

MAX_ATTEMPTS = 7
FIRST_RETRY = timedelta(minutes=2)
BACKOFF = 3
MAX_RETRY = timedelta(hours=8)
# Longer than the slowest send (connect + read timeouts) with room to spare.
LEASE = timedelta(minutes=5)
BATCH = 50
SENDERS = 8
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
EVENT_TYPE = "digest.published"


@dataclass(frozen=True)
class DeliveryResult:
    """What one run did: attempts made, and how they ended."""

    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0  # given up after the last attempt


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    message_id: str
    attempts: int
    url: str
    secret: str | None
    body: str
    label: str  # agency:date, for the audit trail


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return min(FIRST_RETRY * BACKOFF ** (attempts - 1), MAX_RETRY)


def payload(digest: Digest) -> str:
    """The message body: the Standard Webhooks envelope around the digest as stored."""
    stamp = digest.generated_at.isoformat().replace("+00:00", "Z")
    head = f'{{"type":{json.dumps(EVENT_TYPE)},"timestamp":{json.dumps(stamp)},"data":'
    return head + digest.content + "}"


def deliver_due(sessions: sessionmaker[Session], *, now: datetime | None = None) -> DeliveryResult:
    """Send every delivery due at `now` (default: the current time), record each attempt,
    schedule retries with backoff, and give up after MAX_ATTEMPTS with the reason."""
    settings = get_settings()
    keys = DataKeys.load_or_create(settings.data_dir)
    at = now or utcnow()
    totals = {"attempted": 0, "delivered": 0, "retrying": 0, "failed": 0}
    send = functools.partial(_send, allow_private=settings.webhooks_allow_private)
    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        while jobs := _claim(sessions, keys, at):
            # Each message carries a W3C traceparent (LDV: trace context to partners), and the
            # processing-log record of its delivery bears the same trace and span id.
            traced = [ldv.outgoing(sessions) for _ in jobs]
            outcomes = list(pool.map(send, jobs, [headers for headers, _ in traced]))
            with transaction(sessions) as session:
                for job, (status, error), (_, sent) in zip(jobs, outcomes, traced, strict=True):
                    totals["attempted"] += 1
                    with ldv.as_sent(session, sent):
                        totals[_record(session, job, status, error, at)] += 1
    if totals["attempted"]:
        log.info(
            "webhook deliveries: %(attempted)d attempted, %(delivered)d delivered, "
            "%(retrying)d to retry, %(failed)d given up",
            totals,
        )
    return DeliveryResult(**totals)


def _claim(sessions: sessionmaker[Session], keys: DataKeys, at: datetime) -> list[_Job]:
    """Take a batch of due deliveries, pushing each one's next attempt out by the lease."""
    with transaction(sessions) as session:
        due = repository.due(session, at, BATCH)
        if not due:
            return []
        hooks = {
            w.id: w
            for w in session.scalars(
                select(Webhook).where(Webhook.id.in_({d.webhook_id for d in due}))
            )
        }
        wanted = {d.digest_id for d in due}
        digests = {d.id: d for d in session.scalars(select(Digest).where(Digest.id.in_(wanted)))}
        codes = dict(repository.agencies(session))
        jobs = []
        for delivery in due:
            hook, digest = hooks[delivery.webhook_id], digests[delivery.digest_id]
            delivery.next_attempt_at = at + LEASE
            try:
                secret = open_secret(keys, Sealed(hook.secret_key_id, hook.secret), hook.agency_id)
            except (InvalidTag, KeyError):
                # Another data folder than the API's: this delivery fails, the others go out.
                secret = None
            jobs.append(
                _Job(
                    delivery.id,
                    delivery.message_id,
                    delivery.attempts,
                    hook.url,
                    secret,
                    payload(digest),
                    f"{codes.get(hook.agency_id, '?')}:{digest.digest_date.isoformat()}",
                )
            )
        return jobs


def _send(
    job: _Job, trace_headers: dict[str, str] | None = None, *, allow_private: bool
) -> tuple[int | None, str | None]:
    """POST one message; (status code, None) on a 2xx, else (status or None, the reason)."""
    if job.secret is None:
        return None, "the webhook secret could not be opened with this hub's data keys"
    try:
        # Checked again now: the name may point elsewhere than when it was registered.
        target = addresses.check(job.url, allow_private=allow_private)
    except addresses.RefusedAddress as exc:
        return None, f"refused: {exc}"
    address = target.addresses[0]
    # Connect to the address just checked, not to whatever a second lookup would return;
    # Host and the TLS server name stay the registered host, so the certificate is checked
    # against it.
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    headers = (
        sign(job.secret, job.message_id, int(time.time()), job.body)
        | {
            "content-type": "application/json",
            "user-agent": f"barrier-hub/{__version__} (webhooks)",
            "host": host_header,
        }
        | (trace_headers or {})
    )
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    _quiet.active.sending = True
    try:
        # No proxies from the environment: they would connect somewhere other than checked.
        with (
            httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST",
                f"{target.scheme}://{literal}:{target.port}{target.path}",
                content=job.body.encode(),
                headers=headers,
                extensions=extensions,
            ) as response,
        ):
            status = response.status_code
    except httpx.TimeoutException:
        return None, "timed out"
    except httpx.ConnectError:
        return None, "could not connect"
    except httpx.HTTPError as exc:
        # The class only: a message may quote the URL, which may carry a partner's token.
        return None, f"transport error ({type(exc).__name__})"
    finally:
        _quiet.active.sending = False
    if 200 <= status < 300:
        return status, None
    if 300 <= status < 400:
        return status, f"answered {status}; redirects are not followed"
    return status, f"answered {status}"


def _record(
    session: Session, job: _Job, status: int | None, error: str | None, at: datetime
) -> str:
    """Write one attempt's outcome; returns which total it adds to."""
    delivery = session.get(Delivery, job.delivery_id)
    if delivery is None or delivery.message_id != job.message_id:
        # Removed with its webhook, or re-armed by a rebuild meanwhile: the new one goes out.
        return "retrying"
    attempts = job.attempts + 1
    delivery.attempts = attempts
    delivery.last_attempt_at = at
    delivery.last_status_code = status
    if error is None:
        delivery.status, delivery.delivered_at = "delivered", at
        delivery.next_attempt_at, delivery.last_error = None, None
        outcome, action = "delivered", "digest.delivered"
    elif attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = "failed", None
        delivery.last_error = f"gave up after {attempts} attempts; last: {error}"[:200]
        outcome, action = "failed", "digest.delivery_failed"
    else:
        delivery.next_attempt_at = at + retry_delay(attempts)
        delivery.last_error = error[:200]
        # The trail records deliveries and give-ups only; but the message may have arrived, so
        # the attempt is on the processing log.
        ldv.processed(
            session, "digest.delivery_attempted", object_type="digest", object_id=job.label
        )
        return "retrying"
    audit.record(
        session,
        DIGEST_CALLER,
        action,
        object_type="digest",
        objects=[(job.label, {"attempts": attempts, "status_code": status})],
    )
    return outcome
