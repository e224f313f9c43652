"""Webhook secrets and signatures in the Standard Webhooks format (https://www.standardwebhooks.com).

The signature is `v1,` + base64(HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{body}")),
the secret `whsec_` + base64 of random bytes; the `standardwebhooks` package computes it.
"""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook as Signer

from hub.kit.crypto import DataKeys, Sealed

SECRET_PREFIX = "whsec_"  # noqa: S105 (a format prefix, not a secret)
SECRET_BYTES = 32  # the spec asks for between 24 and 64 bytes


def new_secret() -> str:
    """A fresh signing secret, shown to the partner once and then only kept sealed."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _context(agency_id: int) -> bytes:
    return f"webhook:{agency_id}".encode()


def seal_secret(keys: DataKeys, secret: str, agency_id: int) -> Sealed:
    """The secret sealed at rest, bound to its agency's webhook (a copied blob will not open
    as another agency's)."""
    return keys.seal(secret.encode(), context=_context(agency_id))


def open_secret(keys: DataKeys, sealed: Sealed, agency_id: int) -> str:
    return keys.open(sealed, context=_context(agency_id)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for one message."""
    signature = Signer(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
