"""Post one signal as a partner: sign a private_key_jwt assertion, get a token, post the signal.

Usage: partner_client.py HUB_URL CLIENT_ID PRIVATE_JWK_FILE SIGNAL_JSON_FILE
"""

import json
import sys
import time
import uuid
from pathlib import Path

import httpx
from joserfc import jwt
from joserfc.jwk import JWKRegistry

hub, client_id, key_file, signal_file = sys.argv[1:5]
private = json.loads(Path(key_file).read_text())
key = JWKRegistry.import_key(private)
token_url = f"{hub}/oauth/token"  # the assertion's audience: the token endpoint (or the issuer)
now = int(time.time())
claims = {"iss": client_id, "sub": client_id, "aud": token_url, "jti": str(uuid.uuid4())}
claims |= {"iat": now, "exp": now + 60}  # the hub accepts assertions valid for 1 hour at most
assertion = jwt.encode({"alg": private["alg"], "kid": private["kid"]}, claims, key)
token = (
    httpx.post(
        token_url,
        data={
            "grant_type": "client_credentials",
            "scope": "signals:write",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    .raise_for_status()
    .json()["access_token"]
)
signal = json.loads(Path(signal_file).read_text())
posted = httpx.post(
    f"{hub}/api/v1/signals",
    json=signal,
    # A retry with the same key returns the first result: the signal is never posted twice.
    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": signal["external_ref"]},
).raise_for_status()
print(posted.status_code, posted.json()["id"])
