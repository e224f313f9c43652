"""The contact point's pages (role dpo): open a request with a find, export, restrict and
lift, refuse; an analyst is refused the pages, the contact point the analysts' queue."""

import re
from contextlib import closing

from sqlalchemy import select

from tests.conftest import LiveServer, World
from tests.linking.test_proposals import _entry, _post
from tests.subjects.helpers import Person
from tests.ui.helpers import hidden_token, new_account, signed_in_client

PURPOSE = "?purpose=case-proposal"


def test_the_contact_point_finds_restricts_and_lifts_on_its_pages(
    hub: LiveServer, api, world: World, sessions
) -> None:
    from hub.audit.models import AuditEvent

    person = Person.new()
    held = _post(api, world.headers["KMAR"], _entry(person.by_name()))
    account = new_account(sessions, role="dpo")
    with closing(signed_in_client(hub.url, account)) as dpo:
        home = dpo.get("/ui/")
        assert home.status_code == 303 and home.headers["location"] == "/ui/subject-requests"
        listing = dpo.get("/ui/subject-requests")
        assert listing.status_code == 200, listing.text
        assert 'href="/ui/proposals"' not in listing.text  # its nav holds its own page only
        assert dpo.get("/ui/proposals").status_code == 403

        form = {
            "csrf_token": hidden_token(listing.text),
            "kind": "restrict",
            "name": person.name,
            "birth_date": person.birth_date,
        }
        empty = dpo.post("/ui/subject-requests", data=form | {"name": "", "birth_date": ""})
        assert empty.status_code == 400 and "Give a name" in empty.text
        opened = dpo.post("/ui/subject-requests", data=form)
        assert opened.status_code == 303, opened.text
        url = opened.headers["location"].split("?")[0]
        request_id = url.rsplit("/", 1)[1]
        page = dpo.get(url)
        assert held in page.text and "KMAR" in page.text
        assert person.name not in page.text  # the page shows ids, never the search

        token = hidden_token(page.text)
        restricted = dpo.post(f"{url}/complete", data={"csrf_token": token, "ground": "avg-18-1-d"})
        assert restricted.status_code == 303, restricted.text
        assert (
            api.get(f"/api/v1/signals/{held}{PURPOSE}", headers=world.headers["EMM"]).status_code
            == 404
        )
        page = dpo.get(url)
        assert "avg-18-1-d" in page.text and "Lift the restriction" in page.text
        lifted = dpo.post(f"{url}/lift", data={"csrf_token": hidden_token(page.text)})
        assert lifted.status_code == 303
        assert (
            api.get(f"/api/v1/signals/{held}{PURPOSE}", headers=world.headers["EMM"]).status_code
            == 200
        )
        # Listed, and every step on the record under the user's name.
        assert request_id in dpo.get("/ui/subject-requests").text
    with sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_id == request_id)).all()
    assert {e.action for e in events} >= {
        "subject-request.opened",
        "subject-request.restrict",
        "subject-request.lifted",
    }
    assert {e.client_id for e in events} == {f"ui:{account.username}"}


def test_access_export_and_refusal_on_the_pages(
    hub: LiveServer, api, world: World, sessions
) -> None:
    person = Person.new()
    held = _post(api, world.headers["SZW"], _entry(person.by_bsn()))
    with closing(signed_in_client(hub.url, new_account(sessions, role="dpo"))) as dpo:
        listing = dpo.get("/ui/subject-requests")
        form = {"csrf_token": hidden_token(listing.text), "name": person.name, "bsn": person.bsn}
        url = dpo.post("/ui/subject-requests", data=form | {"kind": "access"}).headers["location"]
        url = url.split("?")[0]
        exported = dpo.get(f"{url}/export.html")
        assert exported.status_code == 200 and person.bsn in exported.text and held in exported.text
        assert "default-src 'none'" in exported.headers["content-security-policy"]

        other = dpo.post("/ui/subject-requests", data=form | {"kind": "erase"}).headers["location"]
        other = other.split("?")[0]
        page = dpo.get(other)
        refused = dpo.post(
            f"{other}/refuse", data={"csrf_token": hidden_token(page.text), "ground": "uavg-41-1-d"}
        )
        assert refused.status_code == 303
        page = dpo.get(other)
        assert re.search(r'class="request-status">refused<', page.text)
        assert "uavg-41-1-d" in page.text
        assert held in page.text  # nothing was erased


def test_an_analyst_may_not_open_the_contact_points_pages(hub: LiveServer, sessions) -> None:
    with closing(signed_in_client(hub.url, new_account(sessions, role="analyst"))) as analyst:
        refused = analyst.get("/ui/subject-requests")
        assert refused.status_code == 403
        assert "does not let you answer data subjects&#39; requests" in refused.text
