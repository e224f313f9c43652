"""Hit/no-hit lookups over real HTTP, against the demo agencies and the shipped covenants.

A lookup answers per identifier with the signals the caller may see, each at the level the
covenants grant for the declared purpose; what it may not see answers exactly as the unknown.
"""

import json
import random
import uuid
from typing import Any

import httpx
import pytest
from schwifty import IBAN as IBANNumber
from sqlalchemy import func, select

from hub.audit.models import AuditEvent
from hub.covenants.model import PURPOSES, Level
from hub.demo.synthetic import DEMO_AGENCIES
from tests.conftest import REGION_OF, SECRET_SUMMARY, World
from tests.covenants.test_demo_policy import expected
from tests.factories import signal_body

URL = "/api/v1/lookups"
IBAN = "NL91ABNA0417164300"  # in every world signal (tests.factories.signal_body)
PHONE = "06-12345678"  # likewise
ENFORCEMENT = ("KMAR", "IND", "SZW", "POLITIE")
# POST /lookups serves these; any other purpose, or none, is a 400 naming them.
SERVED = ("hit-lookup", "investigation")


def assert_refused(response: httpx.Response, case: object = None) -> None:
    """A 400 problem naming the purposes POST /lookups serves: never a `hit: false`."""
    assert response.status_code == 400, case
    assert response.headers["content-type"] == "application/problem+json", case
    assert all(p in response.json()["detail"] for p in SERVED), case
    assert "results" not in response.json(), case


def look_up(
    api: httpx.Client, headers: dict[str, str], *identifiers: dict[str, Any], purpose: str = ""
) -> httpx.Response:
    query = f"?purpose={purpose}" if purpose else ""
    return api.post(f"{URL}{query}", json={"identifiers": list(identifiers)}, headers=headers)


def iban(number: str = IBAN) -> dict[str, str]:
    return {"type": "iban", "number": number}


def fresh_iban() -> str:
    account = str(random.randint(10**8, 10**9 - 1))
    return IBANNumber.generate("NL", bank_code="ABNA", account_code=account).compact


def last_audit_id(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.max(AuditEvent.id))) or 0


def events_since(sessions, after: int, **where: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    query = select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    with sessions() as session:
        return list(session.scalars(query))


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {match["id"]: match for match in result["matches"]}


def test_enforcement_partners_hit_each_other_at_hit_level_only(api, world: World) -> None:
    response = look_up(api, world.headers["KMAR"], iban(), purpose="hit-lookup")
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["index"], result["type"], result["hit"]) == (0, "iban", True)
    matches = by_id(result)
    partners = {i for i, (src, _) in world.signals.items() if src in {"IND", "SZW", "POLITIE"}}
    municipal = {i for i, (src, _) in world.signals.items() if src.startswith("GM")}
    own = {i for i, (src, _) in world.signals.items() if src == "KMAR"}
    assert partners | own <= set(matches)
    assert not municipal & set(matches)  # municipalities are no enforcement partners
    assert {m["agency"] for m in matches.values()} <= set(ENFORCEMENT)
    for signal_id in partners:
        match = matches[signal_id]
        assert match["disclosure"] == {
            "level": "hit",
            "covenant_id": "enforcement-hit-lookup",
            "covenant_version": 1,
            "rule_id": "mutual-hit-lookup",
        }
        assert match["barriers"] == ["employment", "finance"] and match["status"] == "active"
        assert match["subjects"] == [] and match["summary"] is None
        assert match["indicators"] == [] and match["municipality"] is None
        assert match["external_ref"] is None and match["observed_at"] is None
        assert IBAN not in json.dumps(match) and SECRET_SUMMARY not in json.dumps(match)
    for signal_id in own:  # the caller's own signals match in full
        assert matches[signal_id]["disclosure"]["rule_id"] == "own-signal"
        assert SECRET_SUMMARY in matches[signal_id]["summary"]


def test_emm_reads_full_matches_for_case_proposals_from_the_signals(api, world: World) -> None:
    # A look-up answers hit/no-hit: it serves no case-proposal. The full signals EMM is granted
    # for case-proposal are read where that purpose is served, by the ids the look-up gave.
    emm = world.headers["EMM"]
    assert_refused(look_up(api, emm, iban(), purpose="case-proposal"))
    response = look_up(api, emm, iban(), purpose="hit-lookup")
    [result] = response.json()["results"]
    matches = by_id(result)
    enforcement = {i for i, (src, _) in world.signals.items() if src in ENFORCEMENT}
    assert result["hit"] and enforcement <= set(matches)
    for signal_id in enforcement:
        assert matches[signal_id]["disclosure"]["level"] == "hit"
        read = api.get(f"/api/v1/signals/{signal_id}?purpose=case-proposal", headers=emm).json()
        assert read["disclosure"]["level"] == "full"
        assert read["disclosure"]["rule_id"] == "enforcement-to-emm"
        assert IBAN in {s.get("number") for s in read["subjects"]}
    assert not {i for i, (src, _) in world.signals.items() if src.startswith("GM")} & set(matches)


@pytest.mark.parametrize("viewer", [a["code"] for a in DEMO_AGENCIES])
def test_every_viewer_and_purpose_sees_exactly_the_granted_level(
    api, world: World, viewer: str
) -> None:
    for purpose in [*PURPOSES, None]:
        response = look_up(api, world.headers[viewer], iban(), purpose=purpose or "")
        if purpose not in SERVED:
            assert_refused(response, (viewer, purpose))
            continue
        assert response.status_code == 200, (viewer, purpose)
        matches = by_id(response.json()["results"][0])
        for signal_id, (source, municipality) in world.signals.items():
            want = (
                Level.FULL
                if viewer == source
                else expected(viewer, source, purpose, REGION_OF[municipality], accepted=False)
            )
            case = (viewer, source, municipality, purpose)
            if want < Level.HIT:
                assert signal_id not in matches, case
            else:
                assert matches[signal_id]["disclosure"]["level"] == want.label, case


def test_an_agency_without_covenant_cannot_tell_known_from_unknown(api, partners) -> None:
    outsider = partners.new(kind="other")
    unknown = fresh_iban()
    for purpose in (*PURPOSES, ""):
        known = look_up(api, outsider.headers, iban(), purpose=purpose)
        never = look_up(api, outsider.headers, iban(unknown), purpose=purpose)
        if purpose not in SERVED:
            # Refused alike, before anything is looked up.
            assert_refused(known, purpose)
            assert known.json() == never.json()
            continue
        assert known.status_code == never.status_code == 200
        assert (
            known.json()
            == never.json()
            == {"results": [{"index": 0, "type": "iban", "hit": False, "matches": []}]}
        )


def test_formatting_variants_hit_the_same_signals(api, world: World) -> None:
    headers = world.headers["IND"]
    answers = [
        look_up(api, headers, iban(variant), purpose="hit-lookup").json()["results"][0]
        for variant in (IBAN, "nl91 abna 0417 1643 00", " NL91 ABNA0417 164300 ")
    ]
    assert answers[0]["hit"]
    assert all(a["matches"] == answers[0]["matches"] for a in answers)
    phones = [
        look_up(api, headers, {"type": "phone", "number": number}, purpose="hit-lookup")
        for number in (PHONE, "+31 6 12345678", "0031612345678")
    ]
    ids = [{m["id"] for m in p.json()["results"][0]["matches"]} for p in phones]
    assert ids[0] and ids[0] == ids[1] == ids[2]


def test_invalid_identifiers_are_400_with_pointers_and_not_audited(api, partners, sessions) -> None:
    caller = partners.new(kind="kmar")
    before = last_audit_id(sessions)
    bad = look_up(api, caller.headers, iban(PHONE), purpose="hit-lookup")
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/identifiers/0/number"]
    several = api.post(
        f"{URL}?purpose=hit-lookup",
        json={
            "identifiers": [
                iban(),
                {"type": "person", "name": "Ion Popescu"},  # nothing to match on
                {"type": "iban", "number": IBAN, "owner": "x"},
                {"type": "passport", "number": "X"},
            ],
            "extra": True,
        },
        headers=caller.headers,
    )
    assert several.status_code == 400
    pointers = {e["pointer"] for e in several.json()["errors"]}
    assert {"/identifiers/1", "/identifiers/2/owner", "/identifiers/3", "/extra"} <= pointers
    for empty in ({"identifiers": []}, {"identifiers": [iban()] * 101}, {}):
        response = api.post(f"{URL}?purpose=hit-lookup", json=empty, headers=caller.headers)
        assert response.status_code == 400, empty
        assert [e["pointer"] for e in response.json()["errors"]], empty  # the body's fault
    as_text = api.post(
        f"{URL}?purpose=hit-lookup",
        content=json.dumps({"identifiers": [iban()]}),
        headers=caller.headers,
    )
    assert as_text.status_code == 415
    assert events_since(sessions, before, agency=caller.code) == []
    assert look_up(api, caller.headers, iban(), purpose="hit-lookup").status_code == 200


def test_a_retracted_signal_does_not_hit(api, world: World) -> None:
    number = fresh_iban()
    body = signal_body(subjects=[iban(number)], barriers=["finance"], indicators=[])
    posted = api.post("/api/v1/signals", json=body, headers=world.headers["KMAR"])
    assert posted.status_code == 201, posted.text
    signal_id = posted.json()["id"]
    before = look_up(api, world.headers["IND"], iban(number), purpose="hit-lookup").json()
    assert [m["id"] for m in before["results"][0]["matches"]] == [signal_id]
    retract = api.post(f"/api/v1/signals/{signal_id}/retract", headers=world.headers["KMAR"])
    assert retract.status_code == 200
    for viewer in ("IND", "KMAR"):  # not even its source finds it any more
        after = look_up(api, world.headers[viewer], iban(number), purpose="hit-lookup").json()
        assert after["results"] == [{"index": 0, "type": "iban", "hit": False, "matches": []}]


def test_without_a_purpose_a_lookup_is_refused_and_your_own_signals_hit_in_full(
    api, world: World
) -> None:
    assert_refused(look_up(api, world.headers["SZW"], iban()))
    [result] = look_up(api, world.headers["SZW"], iban(), purpose="hit-lookup").json()["results"]
    own = {i for i, (src, _) in world.signals.items() if src == "SZW"}
    matches = by_id(result)
    assert result["hit"] and own <= set(matches)
    assert {matches[i]["disclosure"]["level"] for i in own} == {"full"}


def test_a_lookup_is_audited_with_counts_and_each_shown_match_as_a_disclosure(
    api, world: World, sessions
) -> None:
    before = last_audit_id(sessions)
    unknown = fresh_iban()
    response = look_up(
        api,
        world.headers["KMAR"],
        iban(),
        {"type": "phone", "number": PHONE},
        iban(unknown),
        purpose="hit-lookup",
    )
    assert [r["hit"] for r in response.json()["results"]] == [True, True, False]
    [event] = events_since(sessions, before, agency="KMAR", action="lookup.performed")
    assert (event.object_type, event.purpose) == ("lookup", "hit-lookup")
    assert event.detail == {"identifiers": 3, "hits": 2}
    uuid.UUID(event.object_id)
    logged = [e for e in events_since(sessions, before) if e.detail]
    for secret in (IBAN, unknown, "612345678"):
        assert not any(secret in json.dumps(e.detail) for e in logged), secret
    disclosures = events_since(sessions, before, agency="KMAR", action="signal.disclosed")
    ind = {i for i, (src, _) in world.signals.items() if src == "IND"}
    mine = {i for i, (src, _) in world.signals.items() if src == "KMAR"}
    seen = [e.object_id for e in disclosures]
    assert ind <= set(seen) and not mine & set(seen)  # reading your own is no disclosure
    assert len(seen) == len(set(seen))  # IBAN and phone match the same signals: one each
    for event in disclosures:
        assert (event.level, event.covenant_id, event.rule_id, event.purpose) == (
            "hit",
            "enforcement-hit-lookup",
            "mutual-hit-lookup",
            "hit-lookup",
        )


def test_the_lookups_scope_is_required(api, partners) -> None:
    reader = partners.new(kind="kmar", scopes="signals:read signals:write")
    refused = look_up(api, reader.headers, iban(), purpose="hit-lookup")
    assert refused.status_code == 403
    assert "lookups" in refused.headers["WWW-Authenticate"]
    allowed = partners.new(kind="kmar", scopes="lookups")
    assert look_up(api, allowed.headers, iban(), purpose="hit-lookup").status_code == 200
