"""Covenant enforcement over real HTTP: the BOLA matrix.

The ten demo agencies (real codes, so the shipped covenants apply) each post signals about
Amsterdam and Rotterdam. For every viewer, purpose and signal, the single read and the list
must give exactly the level the covenants grant, and never more than that level carries.
"""

import itertools
import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.covenants.model import DATA_CATEGORIES, PURPOSES, Covenant, Level, Party, Rule
from hub.covenants.service import sync_covenants
from hub.db import transaction
from hub.demo.synthetic import DEMO_AGENCIES
from tests.conftest import REGION_OF, SECRET_SUMMARY, World
from tests.covenants.test_demo_policy import expected
from tests.covenants.test_endpoints import served_covenants
from tests.factories import signal_body


def _check_shape(body: dict, level: Level) -> None:
    """What a level may carry, written out independently of the redactor."""
    text = json.dumps(body)
    assert body["disclosure"]["level"] == level.label
    assert bool(body["barriers"])
    if level < Level.FULL:
        assert body["summary"] is None and body["external_ref"] is None
        assert SECRET_SUMMARY not in text
        for secret in ("NL91ABNA0417164300", "Popescu", "+31612345678", "12345678"):
            assert secret not in text
    if level < Level.PSEUDONYMISED:
        assert body["subjects"] == []
    if level == Level.PSEUDONYMISED:
        assert body["subjects"] and all(set(s) == {"type", "pseudonyms"} for s in body["subjects"])
    if level < Level.SUMMARY:
        assert body["indicators"] == [] and body["observed_at"] is None
        assert body["municipality"] is None and body["reliability"] is None


VIEWERS = [a["code"] for a in DEMO_AGENCIES]
# GET /signals serves these; any other purpose, or none, is a 400 naming them.
SERVED = ("case-proposal", "investigation")


def _refused(response, case: object) -> None:  # type: ignore[no-untyped-def]
    """A 400 problem naming the purposes GET /signals serves, and nothing of any signal."""
    assert response.status_code == 400, case
    assert response.headers["content-type"] == "application/problem+json", case
    assert all(p in response.json()["detail"] for p in SERVED), case
    assert "items" not in response.json() and SECRET_SUMMARY not in response.text, case


@pytest.mark.parametrize("viewer", VIEWERS)
def test_single_reads_give_exactly_the_granted_level(api, world: World, viewer: str) -> None:
    for (signal_id, (source, municipality)), purpose in itertools.product(
        world.signals.items(), [*PURPOSES, None]
    ):
        want = (
            Level.FULL
            if viewer == source
            else Level.NONE
            if purpose is None
            else expected(viewer, source, purpose, REGION_OF[municipality], accepted=False)
        )
        query = f"?purpose={purpose}" if purpose else ""
        response = api.get(f"/api/v1/signals/{signal_id}{query}", headers=world.headers[viewer])
        case = (viewer, source, municipality, purpose)
        if purpose not in SERVED:
            _refused(response, case)  # even for the source itself
        elif want == Level.NONE:
            assert response.status_code == 404, case
            assert source not in response.text, case
        else:
            assert response.status_code == 200, case
            _check_shape(response.json(), want)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lists_hold_exactly_what_may_be_seen(api, world: World, viewer: str) -> None:
    for purpose in [*PURPOSES, None]:
        query = f"purpose={purpose}&" if purpose else ""
        seen: dict[str, dict] = {}
        url = f"/api/v1/signals?{query}limit=7"
        if purpose not in SERVED:
            _refused(api.get(url, headers=world.headers[viewer]), (viewer, purpose))
            continue
        while url:
            page = api.get(url, headers=world.headers[viewer]).json()
            if page["next_cursor"]:
                # A short page before the end would mean the SQL let rows through that the
                # policy then withheld: the pushdown and the policy must agree exactly.
                assert len(page["items"]) == 7, (viewer, purpose)
            seen.update({item["id"]: item for item in page["items"]})
            url = (
                f"/api/v1/signals?{query}limit=7&cursor={page['next_cursor']}"
                if page["next_cursor"]
                else ""
            )
        wanted = {}
        for signal_id, (source, municipality) in world.signals.items():
            level = (
                Level.FULL
                if viewer == source
                else Level.NONE
                if purpose is None
                else expected(viewer, source, purpose, REGION_OF[municipality], False)
            )
            if level > Level.NONE:
                wanted[signal_id] = level
        mine = {i: b for i, b in seen.items() if i in world.signals}
        assert set(mine) == set(wanted), (viewer, purpose)
        for signal_id, body in mine.items():
            _check_shape(body, wanted[signal_id])


def test_filters_never_reveal_what_the_level_hides(api, server, sessions, world: World) -> None:
    # GET /signals serves no hit-lookup, and no demo covenant grants `hit` for the purposes it
    # serves: a covenant made here shows KMAR's signals to IND at `hit` for case-proposal.
    covenant = Covenant(
        id=f"hit-only-{uuid.uuid4().hex[:8]}",
        version=1,
        title="KMAR to IND at hit",
        legal_basis=("test",),
        parties=(Party(code="KMAR"), Party(code="IND")),
        purposes=frozenset({"case-proposal"}),
        valid_from=date(2020, 1, 1),
        valid_until=None,
        retention_days=365,
        onward_sharing=False,
        rules=(
            Rule(
                id="kmar-to-ind",
                sources=(Party(code="KMAR"),),
                viewers=(Party(code="IND"),),
                purposes=frozenset({"case-proposal"}),
                level=Level.HIT,
                categories=frozenset(DATA_CATEGORIES),
            ),
        ),
    )
    with transaction(sessions) as session:
        sync_covenants(session, (covenant,))
    with served_covenants(server, (covenant,)):
        # A person no other test names, so that no look-up elsewhere hits this signal.
        person = {"type": "person", "name": f"Filter {uuid.uuid4().hex}", "role": "victim"}
        body = signal_body(
            barriers=["employment", "finance"],
            indicators=["employment.wages-below-minimum", "finance.many-workers-one-account"],
            subjects=[person],
        )
        posted = api.post("/api/v1/signals", json=body, headers=world.headers["KMAR"])
        assert posted.status_code == 201, posted.text
        kmar_ids = {posted.json()["id"]}
        headers = world.headers["IND"]
        base = "/api/v1/signals?purpose=case-proposal&limit=200"
        listed = api.get(base, headers=headers).json()
        assert kmar_ids <= {item["id"] for item in listed["items"]}
        assert {i["disclosure"]["level"] for i in listed["items"] if i["id"] in kmar_ids} == {"hit"}
        for query in (
            "indicator=employment.wages-below-minimum",
            "municipality=GM0363",
            "observedSince=2000-01-01T00:00:00Z",
        ):
            page = api.get(f"{base}&{query}", headers=headers)
            assert not kmar_ids & {item["id"] for item in page.json()["items"]}, query
        by_barrier = api.get(f"{base}&barrier=finance", headers=headers).json()
        assert kmar_ids <= {item["id"] for item in by_barrier["items"]}  # barriers show at hit


def test_every_disclosure_is_audited_with_its_covenant_rule(api, world: World, sessions) -> None:
    [(signal_id, _)] = [(i, s) for i, s in world.signals.items() if s == ("KMAR", "GM0363")]
    response = api.get(
        f"/api/v1/signals/{signal_id}?purpose=case-proposal", headers=world.headers["EMM"]
    )
    assert response.json()["disclosure"]["rule_id"] == "enforcement-to-emm"
    own = api.get(
        f"/api/v1/signals/{signal_id}?purpose=investigation", headers=world.headers["KMAR"]
    )
    assert own.json()["disclosure"]["rule_id"] == "own-signal"
    with sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == signal_id,
                AuditEvent.action == "signal.disclosed",
                AuditEvent.agency == "EMM",
            )
        ).all()
    assert events, "a disclosure to EMM must be in the audit trail"
    event = events[-1]
    assert (
        event.level,
        event.covenant_id,
        event.covenant_version,
        event.rule_id,
        event.purpose,
    ) == ("full", "emm-case-proposals", 1, "enforcement-to-emm", "case-proposal")
    with sessions() as session:
        own_reads = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == signal_id,
                AuditEvent.action == "signal.disclosed",
                AuditEvent.agency == "KMAR",
            )
        ).all()
    assert own_reads == []  # the source reading its own signal is no disclosure


def test_pseudonyms_link_without_identity(api, world: World) -> None:
    riec = world.headers["RIEC-AA"]
    amsterdam = [i for i, (_, m) in world.signals.items() if m == "GM0363"]
    bodies = [
        api.get(f"/api/v1/signals/{i}?purpose=case-proposal", headers=riec).json()
        for i in amsterdam[:2]
    ]
    ibans = [next(s["pseudonyms"] for s in b["subjects"] if s["type"] == "iban") for b in bodies]
    assert ibans[0] == ibans[1]  # the same IBAN in two signals: the same pseudonym
    other = world.headers["RIEC-RR"]
    rotterdam = next(i for i, (_, m) in world.signals.items() if m == "GM0599")
    theirs = api.get(f"/api/v1/signals/{rotterdam}?purpose=case-proposal", headers=other).json()
    their_iban = next(s["pseudonyms"] for s in theirs["subjects"] if s["type"] == "iban")
    assert their_iban != ibans[0]  # another viewer: another pseudonym for the same IBAN


def test_a_list_shows_the_pseudonyms_a_single_read_shows(api, world: World) -> None:
    """A list page reads the match keys with the subjects, a single read on their own: the
    same subjects and pseudonyms either way."""
    riec = world.headers["RIEC-AA"]
    listed = api.get("/api/v1/signals?purpose=case-proposal&limit=200", headers=riec).json()
    masked = [s for s in listed["items"] if s["disclosure"]["level"] == "pseudonymised"]
    assert masked
    for item in masked:
        alone = api.get(f"/api/v1/signals/{item['id']}?purpose=case-proposal", headers=riec)
        assert item["subjects"] and item["subjects"] == alone.json()["subjects"]


def test_purpose_header_and_parameter(api, world: World) -> None:
    [(signal_id, _)] = [(i, s) for i, s in world.signals.items() if s == ("SZW", "GM0363")]
    url = f"/api/v1/signals/{signal_id}"
    emm = world.headers["EMM"]
    assert api.get(url, headers=emm | {"Purpose": "case-proposal"}).status_code == 200
    assert api.get(url, headers=emm | {"Purpose": "investigation"}).status_code == 404
    assert api.get(url, headers=emm).status_code == 400
    clash = api.get(f"{url}?purpose=investigation", headers=emm | {"Purpose": "case-proposal"})
    assert clash.status_code == 400
    assert api.get(f"{url}?purpose=curiosity", headers=emm).status_code == 400


def test_an_expired_covenant_stops_granting_without_a_restart(
    api, world: World, monkeypatch
) -> None:
    from datetime import date

    from hub.kit import clock

    signal_id = next(i for i, s in world.signals.items() if s == ("IND", "GM0363"))
    url = f"/api/v1/signals/{signal_id}?purpose=case-proposal"
    riec = world.headers["RIEC-AA"]
    assert api.get(url, headers=riec).status_code == 200
    # riec-liec is valid until 2028-12-31: the day after, it grants nothing, at once.
    monkeypatch.setattr(clock, "today", lambda: date(2029, 1, 1))
    assert api.get(url, headers=riec).status_code == 404
    listed = api.get("/api/v1/signals?purpose=case-proposal&limit=200", headers=riec).json()
    assert signal_id not in {item["id"] for item in listed["items"]}
    covenants = api.get("/api/v1/covenants", headers=riec).json()["items"]
    assert "riec-liec" not in {c["id"] for c in covenants}
    # The source still sees its own, whatever the covenants say.
    assert api.get(url, headers=world.headers["IND"]).status_code == 200


def test_pseudonyms_never_show_what_only_narrows_the_search(api, world: World) -> None:
    """Two different people born on one day share no pseudonym: the birth-date block key and
    the fact keys (name alone, nationality, birth-year buckets) are never shown."""
    born = "1987-05-23"
    ids = [
        api.post(
            "/api/v1/signals",
            json=signal_body(
                subjects=[{"type": "person", "name": name, "birth_date": born, "nationality": "RO"}]
            ),
            headers=world.headers[source],
        ).json()["id"]
        for source, name in (("KMAR", "Vasile Dumitrescu"), ("SZW", "Andrei Constantinescu"))
    ]
    riec = world.headers["RIEC-AA"]
    seen = [api.get(f"/api/v1/signals/{i}?purpose=case-proposal", headers=riec).json() for i in ids]
    pseudonyms = [{p for s in body["subjects"] for p in s.get("pseudonyms", [])} for body in seen]
    assert all(pseudonyms) and not pseudonyms[0] & pseudonyms[1]
