"""The partner's side of the API: a token with the partner's own credentials, and batch posts."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

SCOPE = "signals:write"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = {"RSA": "RS256", "EC": "ES256"}
RETRIES = 3


class UploadError(RuntimeError):
    """Something stops the upload as a whole; the message says what to do."""


@dataclass(frozen=True)
class Credentials:
    """A client id with either its secret or the private key of its registered public key."""

    client_id: str
    secret: str | None = None
    key_file: Path | None = None


def _private_key(path: Path) -> Any:
    from joserfc.errors import JoseError
    from joserfc.jwk import import_key

    try:
        raw = path.read_bytes()
    except OSError:
        raise UploadError(f"cannot read the key file {path}") from None
    try:
        data = json.loads(raw)
        if isinstance(data, dict) and "keys" in data:
            private = [k for k in data["keys"] if "d" in k]
            if len(private) != 1:
                raise ValueError
            data = private[0]
        if not isinstance(data, dict) or "d" not in data:
            raise ValueError
        key = import_key(data)
    except ValueError:
        try:
            key = _pem_key(raw)
        except (ValueError, JoseError):
            raise UploadError(
                f"{path.name} holds no private key (a private JWK, a JWKS holding one, or PEM)"
            ) from None
    except JoseError:
        raise UploadError(f"{path.name} holds no usable private key") from None
    if key.key_type not in ALGORITHMS:
        raise UploadError(f"{path.name}: use an RSA or EC (P-256) key")
    return key


def _pem_key(raw: bytes) -> Any:
    from joserfc.jwk import import_key

    for kind in ("RSA", "EC"):
        try:
            key = import_key(raw, kind)  # type: ignore[arg-type]
        except Exception:  # noqa: S112 (the other kind is tried next)
            continue
        if key.is_private:
            return key
    raise ValueError("no private key")


def _assertion(credentials: Credentials, token_endpoint: str) -> str:
    """An RFC 7523 client assertion, valid for a minute, used once."""
    from joserfc import jwt

    assert credentials.key_file is not None
    key = _private_key(credentials.key_file)
    now = int(time.time())
    claims = {
        "iss": credentials.client_id,
        "sub": credentials.client_id,
        "aud": token_endpoint,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    header = {"alg": ALGORITHMS[key.key_type]}
    if key.kid:
        header["kid"] = key.kid
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def _claims(token: str) -> dict[str, Any]:
    """The token's claims, unverified: only to tell the partner which agency it is for."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def problem_text(response: httpx.Response) -> str:
    """The detail of a problem (or OAuth error) answer, for a one-line message."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    return str(body.get("detail") or body.get("error_description") or body.get("error") or "")


class Hub:
    """An API session of one partner: fetches a token, renews it when it runs out."""

    def __init__(self, url: str, credentials: Credentials, agency: str) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.agency = agency
        self.http = httpx.Client(base_url=self.url, timeout=120)
        self.token: str | None = None

    def close(self) -> None:
        self.http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(RETRIES):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError:
                if attempt + 1 == RETRIES:
                    raise UploadError(
                        f"cannot reach the hub at {self.url} (check --url and the network); "
                        "run the same command again to resume"
                    ) from None
                time.sleep(2**attempt)
                continue
            if response.status_code in (429, 502, 503, 504) and attempt + 1 < RETRIES:
                time.sleep(min(float(response.headers.get("Retry-After", 2**attempt)), 30))
                continue
            return response
        raise AssertionError("unreachable")

    def authenticate(self) -> None:
        """Get a token for posting signals, and check it is for the agency named."""
        endpoint = f"{self.url}/oauth/token"
        form = {"grant_type": "client_credentials", "scope": SCOPE}
        auth: tuple[str, str] | None = None
        if self.credentials.key_file is not None:
            form |= {
                "client_id": self.credentials.client_id,
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": _assertion(self.credentials, endpoint),
            }
        else:
            assert self.credentials.secret is not None
            auth = (self.credentials.client_id, self.credentials.secret)
        response = self._send("POST", "/oauth/token", data=form, auth=auth)
        if response.status_code == 401:
            raise UploadError(
                "the hub refused the client credentials (wrong client id, secret or key, "
                "or the client is disabled)"
            )
        if response.status_code == 400 and "scope" in problem_text(response):
            raise UploadError(f"this client may not post signals (it needs the {SCOPE} scope)")
        if response.status_code != 200:
            raise UploadError(f"the hub gave no token: {problem_text(response)}")
        try:
            token = str(response.json()["access_token"])
        except (ValueError, KeyError, TypeError):
            raise UploadError(f"{self.url} did not answer as a Barrier Hub") from None
        owner = _claims(token).get("agency")
        if owner != self.agency:
            raise UploadError(
                f"these credentials belong to agency {owner}, not {self.agency} (check --agency)"
            )
        self.token = token

    def post_batch(self, items: list[dict[str, Any]]) -> httpx.Response:
        """POST one batch; a token that ran out is renewed once."""
        for renewed in (False, True):
            if self.token is None:
                self.authenticate()
            response = self._send(
                "POST",
                "/api/v1/signals/batch",
                json=items,
                headers={"Authorization": f"Bearer {self.token}"},
            )
            if response.status_code == 401 and not renewed:
                self.token = None
                continue
            return response
        return response  # a fresh token refused as well: the caller reports it
