"""A real, minimal OpenID provider for the tests: discovery, keys, code flow with PKCE, userinfo.

It approves every sign-in at once as `next_user`, so a test sets who signs in and then walks
the redirects like a browser. Tokens are RS256 JWTs signed with joserfc.
"""

import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.conftest import free_port

CLIENT_ID = "barrier-hub"
CLIENT_SECRET = "provider-test-secret"


class MiniProvider:
    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"})
        self.next_user: dict[str, Any] = {}
        # "id_token": the hub's claims ride in the ID token; "userinfo": only the endpoint has them.
        self.claims_in = "id_token"
        self.seen: list[dict[str, Any]] = []  # what each token request proved
        # A forged ID token the hub must refuse: "nonce", "audience" or "key" (a stranger's).
        self.tamper: str | None = None
        self._codes: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, dict[str, Any]] = {}
        self.app = self._build()
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=int(self.url.rsplit(":", 1)[1]), log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test OpenID provider did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def _build(self) -> FastAPI:
        app = FastAPI()
        hub_claims = ("hub_agency", "hub_role")

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/authorize")
        async def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
                raise HTTPException(400, "unknown client or response type")
            if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                raise HTTPException(400, "PKCE is required")
            code = secrets.token_urlsafe(16)
            self._codes[code] = {
                "redirect_uri": q["redirect_uri"],
                "nonce": q.get("nonce"),
                "challenge": q["code_challenge"],
                "user": dict(self.next_user),
            }
            return RedirectResponse(
                f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302
            )

        @app.post("/token")
        async def token(
            grant_type: str = Form(),
            code: str = Form(),
            redirect_uri: str = Form(),
            code_verifier: str = Form(),
            authorization: str = Header(""),
        ) -> JSONResponse:
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if authorization != f"Basic {expected}":
                return JSONResponse({"error": "invalid_client"}, 401)
            grant = self._codes.pop(code, None)
            if grant_type != "authorization_code" or grant is None:
                return JSONResponse({"error": "invalid_grant"}, 400)
            digest = hashlib.sha256(code_verifier.encode()).digest()
            proof = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if proof != grant["challenge"] or redirect_uri != grant["redirect_uri"]:
                return JSONResponse({"error": "invalid_grant"}, 400)
            self.seen.append({"pkce": True, "nonce": grant["nonce"]})
            user, now = grant["user"], int(time.time())
            claims = {
                "iss": self.url,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
            } | user
            if self.claims_in == "userinfo":
                claims = {k: v for k, v in claims.items() if k not in hub_claims}
            key = self.key
            if self.tamper == "nonce":
                claims["nonce"] = "replayed-" + secrets.token_hex(4)
            elif self.tamper == "audience":
                claims["aud"] = "another-client"
            elif self.tamper == "key":
                key = RSAKey.generate_key(2048, parameters={"kid": "test-1"})
            id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, key)
            access = secrets.token_urlsafe(16)
            self._tokens[access] = user
            return JSONResponse(
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": id_token,
                },
                headers={"Cache-Control": "no-store"},
            )

        @app.get("/userinfo")
        async def userinfo(authorization: str = Header("")) -> dict[str, Any]:
            user = self._tokens.get(authorization.removeprefix("Bearer "))
            if user is None:
                raise HTTPException(401, "invalid token")
            return user

        return app
