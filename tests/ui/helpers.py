"""Helpers for the UI tests: accounts made through the service, and a browser-like client."""

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount

from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import add_agency
from hub.ui.accounts import create_user
from hub.ui.sessions import AnalystDep
from hub.ui.templating import templates

PASSWORD = "correct horse battery staple"
# The UI speaks Dutch unless asked otherwise; the page tests read its English texts (the texts
# in the source), and tests/ui/test_languages.py reads both languages.
ENGLISH = {"Accept-Language": "en"}


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    agency_code: str
    agency_id: int
    role: str


def new_agency(sessions: sessionmaker[Session], *, kind: str = "riec") -> tuple[str, int]:
    code = f"R{uuid.uuid4().hex[:10].upper()}"
    with sessions() as session, session.begin():
        agency = add_agency(
            session,
            AgencyCreate(code=code, name=f"RIEC {code}", kind=kind, region="amsterdam-amstelland"),
        )
        return code, agency.id


def new_account(
    sessions: sessionmaker[Session], *, role: str = "analyst", password: str = PASSWORD
) -> Account:
    code, agency_id = new_agency(sessions)
    username = f"analyst-{uuid.uuid4().hex[:8]}"
    with sessions() as session, session.begin():
        create_user(session, username, agency_code=code, role=role, password=password)
    return Account(username, password, code, agency_id, role)


def hidden_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def meta_token(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert found, "the page has no csrf-token meta element"
    return found.group(1)


def alert(html: str) -> str | None:
    found = re.search(r'role="alert"[^>]*>([^<]*)<', html)
    return found.group(1).strip() if found else None


def sign_in(
    client: httpx.Client, username: str, password: str, *, next_url: str = "/ui/"
) -> httpx.Response:
    """Open the login form (for its cookie and token) and post it, as a browser would."""
    form = client.get("/ui/login")
    assert form.status_code == 200
    return client.post(
        "/ui/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": hidden_token(form.text),
            "next": next_url,
        },
    )


def signed_in_client(
    base_url: str, account: Account, *, headers: dict[str, str] | None = None
) -> httpx.Client:
    """A client signed in as `account`, asking for English unless `headers` say otherwise."""
    client = httpx.Client(
        base_url=base_url, timeout=30, headers=ENGLISH if headers is None else headers
    )
    response = sign_in(client, account.username, account.password)
    assert response.status_code == 303, response.text
    return client


def ui_app(app: FastAPI) -> FastAPI:
    return next(r.app for r in app.routes if isinstance(r, Mount) and r.path == "/ui")


def add_probe(app: FastAPI) -> None:
    """Pages the way a page builder adds them: `AnalystDep`, `templates`, the base frame."""
    ui = ui_app(app)
    if getattr(ui.state, "probed", False):
        return
    router = APIRouter()

    @router.get("/_probe")
    async def who(analyst: AnalystDep) -> dict[str, Any]:
        caller = analyst.caller()
        return {
            "username": analyst.username,
            "agency_code": analyst.agency_code,
            "agency_id": analyst.agency_id,
            "role": analyst.role,
            "session_id": analyst.session_id,
            "caller": {
                "agency_id": caller.agency_id,
                "agency_code": caller.agency_code,
                "client_id": caller.client_id,
                "scopes": sorted(caller.scopes),
                "token_id": caller.token_id,
            },
        }

    @router.post("/_probe")
    async def act(analyst: AnalystDep) -> JSONResponse:
        return JSONResponse({"done": analyst.username})

    @router.get("/_probe/page")
    async def page(request: Request, analyst: AnalystDep):  # type: ignore[no-untyped-def]
        return templates.TemplateResponse(request, "error.html", {"title": "Probe", "detail": ""})

    ui.include_router(router)
    ui.state.probed = True
