"""Logging of `hub serve`: uvicorn's configuration with every secret taken out of each line.

Access logs print the full request path with its query; a client that puts a token there (RFC
6750 allows `?access_token=`, which the hub refuses) would leave a valid token in the log.
`RedactSecrets` rewrites each record before it is formatted: the values of token-like query or
form parameters, anything shaped like a JWT, and the credentials of a Basic or Bearer header.
"""

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"
# Parameter names whose values are credentials (OAuth, OIDC, the UI, webhooks).
SECRET_PARAMETERS = (
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "client_secret",
    "client_assertion",
    "assertion",
    "code",
    "code_verifier",
    "password",
    "secret",
    "api_key",
    "apikey",
    "key",
    "signature",
    "session",
    "state",
)
_PARAMETER = re.compile(
    r"(?i)(?<![A-Za-z0-9_])((?:" + "|".join(SECRET_PARAMETERS) + r")(?:%3D|=))([^&\s\"']*)"
)
# Three base64url parts, the first a JSON object ("eyJ"): a JWS, whatever it is called.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_AUTHORIZATION = re.compile(r"(?i)\b(bearer|basic)(\s+|%20|\+)[A-Za-z0-9._~+/=-]{8,}")


def redact(text: str) -> str:
    """`text` with every credential it may hold replaced by a marker."""
    text = _PARAMETER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    return _AUTHORIZATION.sub(lambda m: m.group(1) + " " + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Redacts the message and its string arguments before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging, with `RedactSecrets` on every handler, the root logger's too
    (where the hub's own messages go), so nothing reaches a log unfiltered."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": "hub.logs.RedactSecrets"}}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    # The hub's own operational messages (a nightly run skipped or done) stay at INFO, as
    # before this configuration; other libraries speak from WARNING up.
    config["loggers"]["hub"] = {"level": "INFO"}
    return config
