"""The disclosure requests page: a source agency's analyst sees the pending items about its own
signals and grants or refuses them with a reason, through a CSRF-protected form."""

import re
import uuid

import httpx
from sqlalchemy.orm import Session, sessionmaker

from hub.ui.accounts import create_user
from tests.conftest import LiveServer, World
from tests.proposals.test_disclosure_requests import MIXED, _accept, _ask, _case, _investigate
from tests.ui.helpers import PASSWORD, Account, meta_token, signed_in_client


def _analyst_of(hub: LiveServer, sessions: sessionmaker[Session], code: str) -> httpx.Client:
    username = f"{code.lower()}-{uuid.uuid4().hex[:8]}"
    with sessions() as session, session.begin():
        user = create_user(session, username, agency_code=code, role="analyst", password=PASSWORD)
        account = Account(username, PASSWORD, code, user.agency_id, "analyst")
    return signed_in_client(hub.url, account)


def test_a_source_grants_and_refuses_on_the_page(
    hub: LiveServer, api, world: World, server, sessions
) -> None:
    riec = world.headers["RIEC-AA"]
    proposal, ids = _case(api, world, server, MIXED)
    _accept(api, riec, proposal)
    request = _ask(api, riec, proposal).json()["id"]
    action = f"/ui/disclosures/{request}/items/{ids['SZW']}"

    szw, kmar = _analyst_of(hub, sessions, "SZW"), _analyst_of(hub, sessions, "KMAR")
    try:
        listed = szw.get("/ui/disclosures")
        assert listed.status_code == 200, listed.text
        row = re.search(rf'<tr data-item="{request}/{ids["SZW"]}">.*?</tr>', listed.text, re.S)
        assert row and "RIEC-AA" in row.group(0) and "needs the employer" in row.group(0)
        assert ids["POLITIE"] not in listed.text  # another source's signal
        assert request not in kmar.get("/ui/disclosures").text

        token = re.search(r'name="csrf_token" value="([^"]+)"', row.group(0)).group(1)  # type: ignore[union-attr]
        forged = szw.post(action, data={"decision": "grant", "reason": "Fine by us."})
        assert forged.status_code == 403
        assert _investigate(api, riec, ids["SZW"]) == 404
        # Another agency's analyst finds no such item; a short reason is a 400.
        theirs = meta_token(kmar.get("/ui/disclosures").text)
        other = kmar.post(
            action, data={"decision": "grant", "reason": "Not ours.", "csrf_token": theirs}
        )
        assert other.status_code == 404
        short = szw.post(action, data={"decision": "grant", "reason": "ok", "csrf_token": token})
        assert short.status_code == 400 and "Reason" in short.text

        granted = szw.post(
            action, data={"decision": "grant", "reason": "Fine by us.", "csrf_token": token}
        )
        assert granted.status_code == 303, granted.text
        assert granted.headers["location"] == "/ui/disclosures?done=granted"
        assert "Granted" in szw.get(granted.headers["location"]).text
        assert _investigate(api, riec, ids["SZW"]) == 200
        again = szw.post(
            action, data={"decision": "refuse", "reason": "Changed.", "csrf_token": token}
        )
        assert again.status_code == 409
        assert request not in szw.get("/ui/disclosures").text  # nothing pending any more
    finally:
        szw.close()
        kmar.close()
