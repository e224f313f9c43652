"""The analysts' pages over real HTTP, signed in as local analysts of the demo agencies: what the
queue, a proposal, a signal, the dashboard and the reports show, and the forms that act.

Each test builds its own clusters from fresh phones (as tests/proposals does), so it finds its own
proposals however many others the suite has made."""

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.db import now
from hub.reports.models import Report
from hub.reports.render import HTML_POLICY
from hub.ui.accounts import create_user
from hub.ui.pages.actions import STALE
from tests.conftest import LiveServer, World
from tests.factories import ASSESSMENT, accept_form
from tests.linking.test_proposals import _entry, _phone, _post, _proposals_of, _work
from tests.proposals.test_actions import _cluster
from tests.proposals.test_redaction import IBAN, SECRET, hit_hub  # noqa: F401 (a fixture)
from tests.ui.helpers import PASSWORD, Account, alert, signed_in_client

Analysts = Callable[[str], httpx.Client]


def make_analyst(
    sessions: sessionmaker[Session], agency_code: str, username: str | None = None
) -> Account:
    """A local analyst account of an existing agency (the demo's, under their real codes)."""
    username = username or f"{agency_code.lower()}-{uuid.uuid4().hex[:8]}"
    with sessions() as session, session.begin():
        user = create_user(
            session, username, agency_code=agency_code, role="analyst", password=PASSWORD
        )
        agency_id = user.agency_id
    return Account(username, PASSWORD, agency_code, agency_id, "analyst")


@pytest.fixture
def analyst(hub: LiveServer, world: World, sessions) -> Iterator[Analysts]:  # type: ignore[no-untyped-def]
    """`analyst("EMM")`: a browser-like client signed in as a new analyst of that agency."""
    clients: list[httpx.Client] = []

    def sign_in(code: str) -> httpx.Client:
        clients.append(signed_in_client(hub.url, make_analyst(sessions, code)))
        return clients[-1]

    yield sign_in
    for client in clients:
        client.close()


def form_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, version, ...) of the form posting to `action`."""
    found = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert found, f"no form posting to {action}"
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', found.group(0)))


def act(
    client: httpx.Client, proposal: str, action: str, fields: dict, *, page: str | None = None
) -> httpx.Response:
    """Post a proposal page's form as a browser would: its hidden fields plus `fields`."""
    url = f"/ui/proposals/{proposal}/{action}"
    html = page if page is not None else client.get(f"/ui/proposals/{proposal}").text
    return client.post(url, data=form_fields(html, url) | fields)


def queue_ids(client: httpx.Client, query: str = "") -> list[str]:
    """Every proposal the queue lists for `query`, following its next-page links."""
    found: list[str] = []
    url: str | None = f"/ui/proposals?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        found += re.findall(r'<tr data-proposal="([^"]+)"', response.text)
        more = re.search(r'<a rel="next" href="([^"]+)"', response.text)
        url = more.group(1).replace("&amp;", "&") if more else None
    return found


def test_the_queue_lists_what_the_analyst_may_see_and_nothing_more(
    analyst: Analysts, api, world: World, server
) -> None:
    amsterdam, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    phone = {"type": "phone", "number": _phone()}
    first = _post(api, world.headers["IND"], _entry(phone, municipality="GM0599"))
    _post(api, world.headers["POLITIE"], _work(phone, municipality="GM0599"))
    [rotterdam] = [str(p.id) for p in _proposals_of(server, first)]
    riec, emm = analyst("RIEC-AA"), analyst("EMM")

    # A RIEC's queue is its own region's, as in the API; another region's it may not see at all.
    page = riec.get("/ui/proposals")
    assert '<option value="amsterdam-amstelland" selected>' in page.text
    assert amsterdam in queue_ids(riec) and rotterdam not in queue_ids(riec)
    assert rotterdam not in queue_ids(riec, "region=all")
    assert {amsterdam, rotterdam} <= set(queue_ids(emm))
    assert amsterdam not in queue_ids(emm, "barrier=finance")
    assert amsterdam in queue_ids(emm, "barrier=entry&agency=SZW&min_score=1")
    assert amsterdam not in queue_ids(emm, "status=accepted")
    assert rotterdam in queue_ids(emm, "region=rotterdam&sort=newest")

    # The filter form's htmx request gets the results only; a plain request the whole page.
    partial = emm.get("/ui/proposals?agency=SZW", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text
    assert 'class="data queue"' in partial.text and "site-nav" not in partial.text
    row = re.search(
        rf'<tr data-proposal="{amsterdam}">.*?</tr>', emm.get("/ui/proposals").text, re.S
    )
    if row:  # on the first page: its chips name the barriers in text, in the model's order
        assert re.search(r"chip-entry[^>]*>Entry<.*chip-employment[^>]*>Employment<", row.group(0))
    # Each row is named by its barriers and main place, not by the proposal's hash.
    rows = emm.get("/ui/proposals?region=rotterdam&sort=newest").text
    named = re.search(rf'<tr data-proposal="{rotterdam}">.*?<th scope="row">(.*?)</th>', rows, re.S)
    assert named, rows
    assert ">Entry and recruitment · Employment — Rotterdam</a>" in named.group(1)
    assert rotterdam[:8] not in named.group(1).split(">", 1)[1]
    bad = emm.get("/ui/proposals?min_score=lots")
    assert bad.status_code == 400 and "min_score must be a number" in bad.text


def test_another_regions_analysts_get_no_proposal_and_no_signal(
    analyst: Analysts, api, world: World, server
) -> None:
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    for code in ("GM0599", "RIEC-RR"):
        client = analyst(code)
        page = client.get(f"/ui/proposals/{proposal}")
        signal = client.get(f"/ui/signals/{ids[0]}")
        for response in (page, signal):
            assert response.status_code == 404, (code, response.url)
            assert "<h1>Not found</h1>" in response.text
            assert ids[1] not in response.text and "Twelve workers" not in response.text
        assert ids[0] not in page.text and 'id="graph"' not in page.text
        assert proposal not in queue_ids(client, "region=all&status=all")


def test_a_proposal_page_shows_graph_members_timeline_and_history(
    analyst: Analysts, api, world: World, server
) -> None:
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND"))
    page = analyst("RIEC-AA").get(f"/ui/proposals/{proposal}")
    assert page.status_code == 200, page.text
    html = page.text
    # Named by its barriers and main place, as the analyst sees them, not by its hash.
    name = "Entry and recruitment · Employment — Amsterdam"
    assert f"<title>{name} · Barrier Hub</title>" in html, re.search("<title>.*</title>", html)
    assert re.search(rf"<h1>{name} <span class=\"status", html)
    graph = re.search(r"data-graph='([^']+)'", html)
    assert graph and all(i in graph.group(1) for i in ids)
    assert '<script src="/ui/static/graph.js" defer></script>' in html
    for signal in ids:
        assert f'id="member-{signal}"' in html
    # The graph's side-panel cards load when a node is selected, not with the page.
    assert 'class="node-card"' not in html
    assert f'data-cards="/ui/proposals/{proposal}/cards/"' in html
    for signal in ids:
        card = analyst("RIEC-AA").get(f"/ui/proposals/{proposal}/cards/{signal}")
        assert (
            card.status_code == 200
            and f'<article class="node-card" id="card-{signal}"' in card.text
        )
        assert "Why it links" in card.text and "Twelve workers" not in card.text
    # So does the graph's table, when it is opened: a row per member and shared identifier.
    assert 'class="graph-table"' in html and "graph-table-caption" not in html
    table = analyst("RIEC-AA").get(f"/ui/proposals/{proposal}/graph-table")
    assert table.status_code == 200 and "<html" not in table.text
    assert all(f'data-node="{signal}"' in table.text for signal in ids)
    assert 'data-node="ps-' in table.text and "Twelve workers" not in table.text
    assert analyst("RIEC-RR").get(f"/ui/proposals/{proposal}/graph-table").status_code == 404
    phone = re.search(r'"id": ?"(ps-[^"]+)"', html.replace("&#34;", '"'))
    assert phone, "the shared phone is in the graph as a pseudonym"
    card = analyst("RIEC-AA").get(f"/ui/proposals/{proposal}/cards/{phone.group(1)}")
    assert card.status_code == 200 and f'id="card-{phone.group(1)}"' in card.text
    assert all(f"#member-{signal}" in card.text for signal in ids)
    assert html.count("pseudonymised</span>") >= 3 and "Twelve workers" not in html
    assert 'class="timeline"' in html and "Proposed by the linker" in html
    assert 'aria-live="polite"' in html and 'role="img"' in html
    assert f'name="if_match" value="{_version(html)}"' in html


def _version(html: str) -> str:
    found = re.search(r'name="if_match" value="(\d+)"', html)
    assert found
    return found.group(1)


def test_forms_without_the_csrf_token_are_refused(analyst: Analysts, api, world, server) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    emm = analyst("EMM")
    version = _version(emm.get(f"/ui/proposals/{proposal}").text)
    for action, fields in (
        ("decide", accept_form("forged")),
        ("review", {}),
        ("comment", {"text": "forged"}),
    ):
        response = emm.post(
            f"/ui/proposals/{proposal}/{action}", data={"if_match": version} | fields
        )
        assert response.status_code == 403, action
    page = emm.get(f"/ui/proposals/{proposal}").text
    assert _version(page) == version and "forged" not in page


def test_a_stale_version_shows_the_proposal_as_it_is_now_and_changes_nothing(
    analyst: Analysts, api, world, server
) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    mine, theirs = analyst("EMM"), analyst("EMM")
    seen = mine.get(f"/ui/proposals/{proposal}").text
    assert act(theirs, proposal, "review", {}).status_code == 303

    stale = act(mine, proposal, "decide", accept_form("Looks right."), page=seen)
    assert stale.status_code == 412
    assert alert(stale.text) == STALE
    assert 'status-in_review">In review<' in stale.text and "Case EMM-" not in stale.text
    assert _version(stale.text) != _version(seen)  # its forms carry the version it is at now
    now = mine.get(f"/ui/proposals/{proposal}").text
    assert "status-in_review" in now and "Case EMM-" not in now


def test_accepting_through_the_form_makes_a_case_that_leaves_the_open_queue(
    analyst: Analysts, api, world, server
) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    emm = analyst("EMM")
    assert proposal in queue_ids(emm, "agency=KMAR")
    short = act(emm, proposal, "decide", accept_form("ok"))
    assert short.status_code == 400 and "Reason: String should have at least 3" in short.text
    # Each criterion of the signal assessment is required; the form says which one is missing.
    unassessed = act(
        emm,
        proposal,
        "decide",
        accept_form("Looks right.") | {"weight_and_earlier_interventions": " "},
    )
    assert unassessed.status_code == 400
    assert "Weight and earlier interventions: String should have at least 1" in (
        alert(unassessed.text) or ""
    )
    assert 'id="assess-participants_and_connections"' in unassessed.text

    started = act(emm, proposal, "review", {})
    assert started.status_code == 303
    assert started.headers["location"] == f"/ui/proposals/{proposal}?done=review-started"
    reason = f"One exploiter, entry to work {uuid.uuid4().hex[:6]}."
    accepted = act(emm, proposal, "decide", accept_form(reason))
    assert accepted.status_code == 303
    page = emm.get(accepted.headers["location"])
    case = re.search(r"<h1>Case (EMM-\d{4}-\d{4}): ", page.text)
    assert case, page.text
    assert "Accepted: the proposal is now a case" in page.text
    assert 'role="status">Accepted' in page.text
    assert reason in page.text  # the reason, to the analysts of the agency that wrote it
    assert ASSESSMENT["participants_and_connections"] in page.text  # and the assessment
    assert 'id="retention-title"' in page.text and "No extension past the cap" in page.text
    assert proposal not in queue_ids(emm, "agency=KMAR")
    assert proposal in queue_ids(emm, "agency=KMAR&status=accepted")
    row = re.search(
        rf'<tr data-proposal="{proposal}">.*?</tr>',
        emm.get("/ui/proposals?agency=KMAR&status=accepted").text,
        re.S,
    )
    assert row and case.group(1) in row.group(0)
    # A case offers no decision; one posted anyway is refused, and the page shown as it is.
    assert f'action="/ui/proposals/{proposal}/decide"' not in page.text
    fields = form_fields(page.text, f"/ui/proposals/{proposal}/assign")
    again = emm.post(
        f"/ui/proposals/{proposal}/decide",
        data=fields | {"decision": "reject", "reason": "Changed my mind."},
    )
    assert again.status_code == 409 and "cannot be rejected" in (alert(again.text) or "")


def test_merge_and_its_undo_through_the_forms(analyst: Analysts, api, world, server) -> None:
    first, first_ids = _cluster(api, world, server, ("KMAR", "SZW"))
    second, second_ids = _cluster(api, world, server, ("IND", "POLITIE"))
    emm = analyst("EMM")
    merged = act(emm, first, "merge", {"other": second, "reason": "The same employer."})
    assert merged.status_code == 303 and merged.headers["location"].endswith("done=merged")
    page = emm.get(f"/ui/proposals/{first}").text
    assert all(f'id="member-{m}"' in page for m in first_ids + second_ids)
    moved = emm.get(f"/ui/proposals/{second}")
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/ui/proposals/{first}?moved={second}"
    assert "was merged into this one" in emm.get(moved.headers["location"]).text

    [event] = re.findall(r'name="event" value="(\d+)"', page)
    undone = act(emm, first, "undo", {"event": event, "reason": "Two employers after all."})
    assert undone.status_code == 303, undone.text
    page = emm.get(f"/ui/proposals/{first}").text
    assert not any(f'id="member-{m}"' in page for m in second_ids)
    assert 'name="event"' not in page  # nothing left to undo
    assert emm.get(f"/ui/proposals/{second}").status_code == 200
    wrong = act(emm, first, "merge", {"other": "not-an-id", "reason": "Typo."})
    assert wrong.status_code == 400 and "Other proposal:" in (alert(wrong.text) or "")


def test_split_by_ticking_members_and_its_undo(analyst: Analysts, api, world, server) -> None:
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND", "POLITIE"))
    emm = analyst("EMM")
    page = emm.get(f"/ui/proposals/{proposal}").text
    assert all(f'form="split-form" name="members" value="{m}"' in page for m in ids)
    everyone = act(emm, proposal, "split", {"members": ids, "reason": "All of them."}, page=page)
    assert everyone.status_code == 400 and "some, not all" in everyone.text

    split = act(emm, proposal, "split", {"members": ids[:2], "reason": "Two groups."}, page=page)
    assert split.status_code == 303, split.text
    part = re.search(r"part=([0-9a-f-]{36})", split.headers["location"])
    assert part
    kept = emm.get(split.headers["location"]).text
    assert (
        "Split: the members you ticked" in kept and f'href="/ui/proposals/{part.group(1)}"' in kept
    )
    assert not any(f'id="member-{m}"' in kept for m in ids[:2])
    parted = emm.get(f"/ui/proposals/{part.group(1)}").text
    assert all(f'id="member-{m}"' in parted for m in ids[:2])

    [event] = re.findall(r'name="event" value="(\d+)"', kept)
    undone = act(emm, proposal, "undo", {"event": event, "reason": "One group after all."})
    assert undone.status_code == 303
    whole = emm.get(f"/ui/proposals/{proposal}").text
    assert all(f'id="member-{m}"' in whole for m in ids)
    assert emm.get(f"/ui/proposals/{part.group(1)}").status_code == 303  # back in this one


def test_a_split_that_leaves_one_signal_behind_leads_to_what_is_left(
    analyst: Analysts, api, world, server
) -> None:
    emm = analyst("EMM")
    three, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND"))
    moved = act(emm, three, "split", {"members": ids[:2], "reason": "Two and one."})
    assert moved.status_code == 303
    part = re.fullmatch(r"/ui/proposals/([0-9a-f-]{36})\?done=split-off", moved.headers["location"])
    assert part and part.group(1) != three
    assert "What was left is one signal" in emm.get(moved.headers["location"]).text
    two, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    gone = act(emm, two, "split", {"members": ids[:1], "reason": "Not one case."})
    assert gone.headers["location"] == "/ui/proposals?done=dissolved"
    assert "the proposal is no more" in emm.get(gone.headers["location"]).text
    assert emm.get(f"/ui/proposals/{two}").status_code == 404


def test_comments_are_in_the_history_for_their_own_agency(
    analyst: Analysts, api, world, server
) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    riec, other = analyst("RIEC-AA"), analyst("EMM")
    text = f"Check the other sites of the employer {uuid.uuid4().hex[:6]}."
    posted = act(riec, proposal, "comment", {"text": text})
    assert posted.status_code == 303 and posted.headers["location"].endswith("#history")
    assert text in riec.get(f"/ui/proposals/{proposal}").text
    theirs = other.get(f"/ui/proposals/{proposal}").text
    assert "an analyst of RIEC-AA" in theirs and text not in theirs
    assert act(riec, proposal, "comment", {"text": ""}).status_code == 400


def test_the_history_names_people_and_shows_client_ids_only_for_systems(
    hub: LiveServer, analyst: Analysts, api, world, server, sessions
) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    username = f"anna-{uuid.uuid4().hex[:6]}"
    with sessions() as session, session.begin():
        create_user(
            session,
            username,
            agency_code="RIEC-AA",
            role="analyst",
            password=PASSWORD,
            shown="Anna de Vries",
        )
    anna = signed_in_client(hub.url, Account(username, PASSWORD, "RIEC-AA", 0, "analyst"))
    try:
        assert act(anna, proposal, "comment", {"text": "By a person."}).status_code == 303
        assert act(anna, proposal, "assign", {"assignee": username}).status_code == 303
    finally:
        anna.close()
    system = api.post(
        f"/api/v1/proposals/{proposal}/comments",
        json={"text": "By a system."},
        headers=world.headers["RIEC-AA"],
    )
    assert system.status_code == 201, system.text
    client_id = _client_id(world.headers["RIEC-AA"])

    def who(html: str) -> list[str]:
        rows = re.findall(
            r'<tr id="event-\d+">\s*<td>.*?</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', html, re.S
        )
        return [f"{what}: {re.sub(r'<[^>]+>', '', cell).strip()}" for what, cell in rows]

    colleague = analyst("RIEC-AA").get(f"/ui/proposals/{proposal}").text
    assert who(colleague) == [
        "Proposed by the linker: The linker (system)",
        "Comment: Anna de Vries",
        "Assigned: Anna de Vries",
        f"Comment: {client_id} (system)",
    ], who(colleague)
    assert (
        "To Anna de Vries." in colleague
        and "assigned to <strong>Anna de Vries</strong>" in colleague
    )
    assert f"ui:{username}" not in colleague
    # Another agency reads that an analyst of RIEC-AA acted, never who.
    outsider = analyst("EMM").get(f"/ui/proposals/{proposal}").text
    assert "Anna de Vries" not in outsider and client_id not in outsider
    assert "Comment: an analyst of RIEC-AA" in who(outsider)


def _client_id(headers: dict[str, str]) -> str:
    """The OAuth client id behind a bearer token (its `client_id` claim)."""
    payload = headers["Authorization"].split()[1].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims.get("client_id") or claims["sub"]


def test_a_signal_page_shows_the_signal_and_its_proposals(
    analyst: Analysts, api, world, server
) -> None:
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    emm, riec = analyst("EMM"), analyst("RIEC-AA")
    full = emm.get(f"/ui/signals/{ids[0]}")
    assert full.status_code == 200
    assert "Twelve workers registered at one address" in full.text  # EMM reads KMAR in full
    # The place by its name (the CBS code only as a tooltip), with its RIEC region.
    assert '<span title="GM0363">Amsterdam</span> (Amsterdam-Amstelland)' in full.text
    assert ">GM0363<" not in full.text
    assert f'href="/ui/proposals/{proposal}"' in full.text
    masked = riec.get(f"/ui/signals/{ids[0]}").text
    assert "Twelve workers" not in masked and "pseudonymised" in masked
    # Each pseudonym says which identifier it stands for, and a legend explains them all.
    assert re.search(r'>number:</span> <span class="mono pseudonym"[^>]*>ps-[0-9a-f]{20}<', masked)
    assert "What the pseudonyms (ps-…) stand for" in masked and "person (BSN)" in masked
    assert f'href="/ui/proposals/{proposal}"' in masked


def test_a_hit_level_member_never_leaks_into_any_page(hit_hub: LiveServer) -> None:  # noqa: F811
    sessions = hit_hub.app.state.sessions
    with httpx.Client(base_url=hit_hub.url, timeout=30) as api:
        from tests.factories import PartnerFactory, signal_body

        partners = PartnerFactory(api, sessions)
        partners.new(kind="riec", region="amsterdam-amstelland", code="RIEC-AA")
        kmar, tax = (
            partners.new(kind="kmar", code="KMAR"),
            partners.new(kind="other", code="BELASTING"),
        )
        subjects = [{"type": "phone", "number": "06-27182818"}, {"type": "iban", "number": IBAN}]
        seen = signal_body(
            barriers=["entry"],
            indicators=["entry.intermediary-many-applications"],
            subjects=subjects,
        )
        hidden = signal_body(
            barriers=["finance"], indicators=["finance.many-workers-one-account"],
            summary=SECRET, subjects=subjects,
        )  # fmt: skip
        kmar_id = api.post("/api/v1/signals", json=seen, headers=kmar.headers).json()["id"]
        tax_id = api.post("/api/v1/signals", json=hidden, headers=tax.headers).json()["id"]
    hit_hub.app.state.link_worker.drain()
    client = signed_in_client(hit_hub.url, make_analyst(sessions, "RIEC-AA"))
    try:
        [proposal] = queue_ids(client, "region=all")
        pages = [
            client.get("/ui/proposals?region=all"),
            client.get(f"/ui/proposals/{proposal}"),
            client.get(f"/ui/signals/{tax_id}"),
            client.get(f"/ui/signals/{kmar_id}"),
            client.get("/ui/dashboard"),
            client.get(f"/ui/proposals/{proposal}/cards/{tax_id}"),
            client.get(f"/ui/proposals/{proposal}/cards/{kmar_id}"),
            client.get(f"/ui/proposals/{proposal}/graph-table"),
        ]
        # And the card of each identifier the graph shows (a hit-level member's are not shown).
        graph = re.search(r"data-graph='([^']+)'", pages[1].text)
        assert graph, "the proposal page draws the graph"
        shared = re.findall(r'"id": ?"(ps-[^"]+)"', graph.group(1))
        pages += [client.get(f"/ui/proposals/{proposal}/cards/{ps}") for ps in shared]
    finally:
        client.close()
    assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
    placeholder = (
        f"A BELASTING signal on the finance barrier — contact BELASTING, reference "
        f'<span class="mono">{tax_id}</span>'
    )
    assert pages[1].text.count(placeholder) == 1  # in the members table
    assert placeholder in pages[2].text
    assert placeholder in pages[5].text  # and in its node's card
    for page in pages:
        for secret in (SECRET, "finance.many-workers-one-account", "Many workers paid into one",
                       "0123456789", "27182818"):  # fmt: skip
            assert secret not in page.text, (page.url, secret)
    assert '"level": "hit"' in graph.group(1)


def test_the_dashboard_counts_open_proposals_per_barrier_and_region(
    analyst: Analysts, api, world, server
) -> None:
    # The suite's other tests leave proposals around (some of them RIEC-AA's own signals, in
    # any region), so the counts are checked by what this test adds to them.
    def counts() -> dict[str, int]:
        page = analyst("RIEC-AA").get("/ui/dashboard")
        assert page.status_code == 200 and "<title>Dashboard · Barrier Hub</title>" in page.text
        assert "<caption>Open proposals per barrier</caption>" in page.text
        assert 'class="bar-fill" width="100"' in page.text and "style=" not in page.text
        found = re.findall(r'region=([a-z-]+)">[^<]+</a></th>\s*<td class="num">(\d+)', page.text)
        return {region: int(n) for region, n in found}

    before = counts()
    _cluster(api, world, server, ("KMAR", "SZW"))  # in Amsterdam: RIEC-AA sees it
    rotterdam = _body_pair(api, world, server, "GM0599")  # RIEC-AA sees neither signal
    after = counts()
    assert after.get("amsterdam-amstelland", 0) == before.get("amsterdam-amstelland", 0) + 1
    assert after.get("rotterdam", 0) == before.get("rotterdam", 0), rotterdam


def _body_pair(api, world, server, municipality: str) -> str:  # type: ignore[no-untyped-def]
    phone = {"type": "phone", "number": _phone()}
    first = _post(api, world.headers["IND"], _entry(phone, municipality=municipality))
    _post(api, world.headers["POLITIE"], _work(phone, municipality=municipality))
    [proposal] = _proposals_of(server, first)
    return str(proposal.id)


# A day no other test stores a report for.
REPORT_DAY = date(2026, 3, 14)


def _stored_report(sessions: sessionmaker[Session]) -> date:
    """A report as the nightly run stores it (building one is tests/reports' business)."""
    with sessions() as session, session.begin():
        if session.scalars(select(Report).where(Report.report_date == REPORT_DAY)).first() is None:
            session.add(
                Report(
                    report_date=REPORT_DAY,
                    generated_at=now(),
                    schema_version="1",
                    json_text='{"report_date": "2026-03-14"}',
                    html="<!doctype html><title>Trend report</title><style></style><svg></svg>",
                    csv="section,period,from,to,dimension,key,value\n",
                )
            )
    return REPORT_DAY


def test_reports_for_agencies_a_covenant_allows_and_an_explanation_for_others(
    analyst: Analysts, sessions
) -> None:
    day = _stored_report(sessions)
    emm = analyst("EMM").get("/ui/reports")
    assert emm.status_code == 200 and "does not receive trend reports" in emm.text
    assert "No covenant in force grants EMM the trend-report purpose" in emm.text
    assert analyst("EMM").get(f"/ui/reports/{day}.html").status_code == 403

    liec = analyst("LIEC")
    listing = liec.get("/ui/reports")
    assert f'href="/ui/reports/{day}.html"' in listing.text
    report = liec.get(f"/ui/reports/{day}.html")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "<svg" in report.text
    table = liec.get(f"/ui/reports/{day}.csv")
    assert table.status_code == 200 and table.text.startswith("section,period")
    assert table.headers["content-disposition"].startswith("attachment")
    assert liec.get("/ui/reports/2001-01-01.json").status_code == 404
    assert liec.get(f"/ui/reports/{day}.exe").status_code == 404


def test_a_report_page_is_served_under_the_reports_own_policy(analyst: Analysts, sessions) -> None:
    day = _stored_report(sessions)
    report = analyst("LIEC").get(f"/ui/reports/{day}.html")
    assert report.headers["Content-Security-Policy"] == HTML_POLICY


def test_a_non_reviewer_reads_and_comments_but_gets_no_decision_forms(
    analyst: Analysts, api, world, server
) -> None:
    # SZW sees its own two members, but no covenant names it a reviewer (the EMM and the RIEC do).
    proposal, _ = _cluster(api, world, server, ("SZW", "KMAR", "SZW"))
    szw = analyst("SZW")
    page = szw.get(f"/ui/proposals/{proposal}")
    assert page.status_code == 200, page.text
    for action in ("review", "decide", "assign", "merge", "split"):
        assert f'action="/ui/proposals/{proposal}/{action}"' not in page.text, action
    assert 'id="not-a-reviewer"' in page.text and "may read this proposal" in page.text
    fields = form_fields(page.text, f"/ui/proposals/{proposal}/comment")
    # Posting a decision anyway is refused, and nothing changes.
    forged = szw.post(
        f"/ui/proposals/{proposal}/decide",
        data=fields
        | {"if_match": _version(analyst("EMM").get(f"/ui/proposals/{proposal}").text)}
        | {"decision": "reject", "reason": "Not ours to pursue."},
    )
    assert forged.status_code == 403, forged.text
    commented = szw.post(f"/ui/proposals/{proposal}/comment", data=fields | {"text": "Seen it."})
    assert commented.status_code == 303, commented.text
    emm_page = analyst("EMM").get(f"/ui/proposals/{proposal}").text
    assert f'action="/ui/proposals/{proposal}/decide"' in emm_page
    assert 'id="not-a-reviewer"' not in emm_page and "status-new" in emm_page


def test_a_proposal_page_loads_each_members_summary_and_subjects_only_when_asked(
    analyst: Analysts, api, world: World, server
) -> None:
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND"))
    _, elsewhere = _cluster(api, world, server, ("KMAR", "SZW"))
    client = analyst("RIEC-AA")
    html = client.get(f"/ui/proposals/{proposal}").text
    # Nothing decrypted up front: no summary, no subject list, one loader per member and place.
    assert 'class="summary-text"' not in html and 'class="subjects"' not in html
    for signal in ids:
        assert html.count(f'hx-get="/ui/proposals/{proposal}/members/{signal}"') == 1
        card = client.get(f"/ui/proposals/{proposal}/cards/{signal}").text
        assert card.count(f'hx-get="/ui/proposals/{proposal}/members/{signal}"') == 1
        assert 'class="summary-text"' not in card and 'class="subjects"' not in card
    detail = client.get(f"/ui/proposals/{proposal}/members/{ids[0]}", headers={"HX-Request": "1"})
    assert detail.status_code == 200, detail.text
    assert 'class="subjects"' in detail.text and "ps-" in detail.text
    assert "<html" not in detail.text  # a fragment, not a page
    # Only members of a proposal the analyst may see, and only through it.
    for path in (
        f"/ui/proposals/{proposal}/members/{elsewhere[0]}",
        f"/ui/proposals/{uuid.uuid4()}/members/{ids[0]}",
        f"/ui/proposals/{proposal}/cards/{elsewhere[0]}",
        f"/ui/proposals/{uuid.uuid4()}/cards/{ids[0]}",
        f"/ui/proposals/{proposal}/cards/ps-{'0' * 16}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/ui/proposals/{proposal}/cards/{'x' * 101}").status_code == 400
    for hostile in ("%00", "ps-%00x", "%2e%2e", "%C3%A9"):  # NUL, dots, non-ASCII: no such node
        assert client.get(f"/ui/proposals/{proposal}/cards/{hostile}").status_code == 404, hostile
    other = analyst("RIEC-RR")
    assert other.get(f"/ui/proposals/{proposal}/members/{ids[0]}").status_code == 404
    assert other.get(f"/ui/proposals/{proposal}/cards/{ids[0]}").status_code == 404


def test_a_case_page_shows_its_retention_extensions(
    analyst: Analysts, api, world, server, partners
) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    emm = analyst("EMM")
    accepted = act(emm, proposal, "decide", accept_form("One exploiter, one chain."))
    assert accepted.status_code == 303
    reason = f"The court asked for the file {uuid.uuid4().hex[:6]}."
    admin = partners.new(scopes="admin").headers
    until = (now() + timedelta(days=400)).isoformat()
    made = api.post(
        "/api/v1/retention/extensions",
        json={"case": proposal, "until": until, "reason": reason},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    page = emm.get(f"/ui/proposals/{proposal}").text
    panel = re.search(r'<section[^>]*id="retention".*?</section>', page, re.S)
    assert panel, page
    assert reason in panel.group(0) and "in force" in panel.group(0)
    assert "the case's members (2 you see)" in panel.group(0)


def test_each_pseudonym_names_the_identifier_it_stands_for(
    analyst: Analysts, api, world: World, server
) -> None:
    phone = {"type": "phone", "number": _phone()}
    person = {"type": "person", "name": "Ana Marin", "birth_date": "1991-05-17", "bsn": "111222333"}
    alone = {"type": "person", "name": "Someone Without A Key"}
    ids = [
        _post(api, world.headers["KMAR"], _entry(person, alone, phone)),
        _post(api, world.headers["SZW"], _work(phone)),
    ]
    page = analyst("RIEC-AA").get(f"/ui/signals/{ids[0]}").text
    pairs = re.findall(
        r'<span class="pseudonym-kind">([^<]*):</span> <span class="mono pseudonym"[^>]*>(ps-\w+)<',
        page,
    )
    meanings = [m for m, _ in pairs]
    # One per identifier key, in the subject's order: BSN and name + birth date, none, phone.
    assert meanings == [
        "BSN",
        "name + birth date",
        "this subject alone (it holds nothing the hub links on)",
        "number",
    ], page
    assert len({p for _, p in pairs}) == 4
    assert "Ana Marin" not in page and "111222333" not in page
    # The proposal's member detail (loaded when opened) names them the same way.
    [proposal] = [p for p in _proposals_of(server, ids[0])]
    detail = analyst("RIEC-AA").get(f"/ui/proposals/{proposal.id}/members/{ids[0]}").text
    assert ">BSN:</span>" in detail and ">number:</span>" in detail


def test_an_accepted_case_has_an_investigation_view_where_a_covenant_grants_it(
    analyst: Analysts, api, world, server
) -> None:
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    riec = analyst("RIEC-AA")
    tab = f'<a href="/ui/proposals/{proposal}/investigation">Investigation</a>'
    # Not a case yet: no investigation view, and none at its address either.
    assert tab not in riec.get(f"/ui/proposals/{proposal}").text
    assert riec.get(f"/ui/proposals/{proposal}/investigation").status_code == 404

    accepted = act(riec, proposal, "decide", accept_form("Entry to work, one exploiter."))
    assert accepted.status_code == 303, accepted.text
    case_page = riec.get(f"/ui/proposals/{proposal}").text
    assert tab in case_page and 'aria-current="page">Case proposal</a>' in case_page
    # Reviewing, RIEC-AA reads the KMAR signal pseudonymised; investigating (riec-accepted-full)
    # it reads it in full, on a page that only reads.
    masked = riec.get(f"/ui/proposals/{proposal}/members/{ids[0]}").text
    assert "Twelve workers" not in masked
    page = riec.get(f"/ui/proposals/{proposal}/investigation")
    assert page.status_code == 200, page.text
    assert 'id="investigation-note"' in page.text
    assert 'aria-current="page">Investigation</a>' in page.text
    assert f'data-cards="/ui/proposals/{proposal}/investigation/cards/"' in page.text
    table = riec.get(f"/ui/proposals/{proposal}/investigation/graph-table")
    assert table.status_code == 200 and all(f'data-node="{i}"' in table.text for i in ids)
    card = riec.get(f"/ui/proposals/{proposal}/investigation/cards/{ids[0]}").text
    assert f'hx-get="/ui/proposals/{proposal}/investigation/members/{ids[0]}"' in card
    assert 'action="/ui/proposals/' not in page.text  # no form acts from here
    full = riec.get(f"/ui/proposals/{proposal}/investigation/members/{ids[0]}")
    assert full.status_code == 200 and "Twelve workers registered at one address" in full.text

    # The EMM reviews nationally, but no covenant grants it the investigation purpose.
    other, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    emm = analyst("EMM")
    assert act(emm, other, "decide", accept_form("National case.")).status_code == 303
    assert "Investigation</a>" not in emm.get(f"/ui/proposals/{other}").text
    assert emm.get(f"/ui/proposals/{other}/investigation").status_code == 404
    assert emm.get(f"/ui/proposals/{other}/investigation/members/{ids[0]}").status_code == 404
    assert emm.get(f"/ui/proposals/{other}/investigation/cards/{ids[0]}").status_code == 404
    assert emm.get(f"/ui/proposals/{other}/investigation/graph-table").status_code == 404
