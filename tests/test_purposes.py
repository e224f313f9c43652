"""Purposes are part of each route's contract (issue 12, findings 2, 3 and 6).

A route that reads signals, or anything derived from them, declares the purposes it serves.
Any other purpose, or none, is a 400 problem that names the allowed ones: never an empty
list, a 404 or a `hit: false` that a partner's integration would take for an answer.
`hit-lookup` is served by POST /lookups alone. A source sees its own signals in full whatever
purpose it declares.
"""

import json
from typing import Any

import httpx
import pytest

from hub.covenants.model import PURPOSES
from tests.conftest import SECRET_SUMMARY, World
from tests.proposals.test_actions import _cluster

IBAN = "NL91ABNA0417164300"  # in every world signal (tests.factories.signal_body)
SIGNAL_PURPOSES = ("case-proposal", "investigation")
LOOKUP_PURPOSES = ("hit-lookup", "investigation")


def assert_refused(response: httpx.Response, allowed: tuple[str, ...], *secrets: str) -> None:
    """A 400 problem whose detail and errors name exactly the purposes the route serves."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["type"].endswith("/invalid-input")
    listed = ", ".join(allowed)
    assert listed in problem["detail"], problem
    assert [e["name"].lower() for e in problem["errors"]] == ["purpose"], problem
    assert listed in problem["errors"][0]["detail"], problem
    for other in set(PURPOSES) - set(allowed):
        assert other not in problem["detail"], (other, problem)
    # Nothing of a signal, a proposal or a look-up: only the problem's own members.
    assert set(problem) <= {"type", "title", "status", "detail", "instance", "errors"}
    # (`instance` is the path asked for, which may hold the id the caller sent.)
    said = json.dumps({k: v for k, v in problem.items() if k != "instance"})
    for secret in (SECRET_SUMMARY, *secrets):
        assert secret not in said


def look_up(api: httpx.Client, headers: dict[str, str], query: str = "") -> httpx.Response:
    body = {"identifiers": [{"type": "iban", "number": IBAN}]}
    return api.post(f"/api/v1/lookups{query}", json=body, headers=headers)


@pytest.fixture(scope="module")
def kmar_politie(api_module: httpx.Client, world: World, server) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """A proposal of a KMAR and a POLITIE signal: SZW may see both at hit, for hit-lookup."""
    return _cluster(api_module, world, server, ("KMAR", "POLITIE"))


@pytest.fixture(scope="module")
def api_module(server) -> Any:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


# --- finding 2: hit-lookup on the proposals ------------------------------------------------


def test_hit_lookup_on_a_proposal_is_refused_without_its_score_or_links(
    api, world: World, kmar_politie: tuple[str, list[str]]
) -> None:
    proposal, members = kmar_politie
    szw = world.headers["SZW"]
    response = api.get(f"/api/v1/proposals/{proposal}?purpose=hit-lookup", headers=szw)
    assert_refused(response, SIGNAL_PURPOSES, *members, proposal)
    for field in ("score", "score_parts", "barriers", "explanation", "members", "agencies"):
        assert field not in response.json()
    # The same, declared by header.
    header = api.get(f"/api/v1/proposals/{proposal}", headers=szw | {"Purpose": "hit-lookup"})
    assert_refused(header, SIGNAL_PURPOSES, *members, proposal)


def test_hit_lookup_on_the_queue_is_refused(
    api, world: World, kmar_politie: tuple[str, list[str]]
) -> None:
    proposal, members = kmar_politie
    for query in ("?purpose=hit-lookup", "?purpose=hit-lookup&region=all&limit=100"):
        response = api.get(f"/api/v1/proposals{query}", headers=world.headers["SZW"])
        assert_refused(response, SIGNAL_PURPOSES, *members, proposal)
        assert "items" not in response.json() and "next_cursor" not in response.json()


# --- finding 3: hit-lookup on the signal list ----------------------------------------------


def test_hit_lookup_on_the_signal_list_is_refused(api, world: World) -> None:
    szw = world.headers["SZW"]
    others = [i for i, (source, _) in world.signals.items() if source != "SZW"]
    response = api.get("/api/v1/signals?purpose=hit-lookup&limit=200", headers=szw)
    assert_refused(response, SIGNAL_PURPOSES, *others)
    assert "items" not in response.json()
    one = api.get(f"/api/v1/signals/{others[0]}?purpose=hit-lookup", headers=szw)
    assert_refused(one, SIGNAL_PURPOSES, others[0])
    # hit/no-hit is answered where it is served: about an identifier SZW already holds.
    hit = look_up(api, szw, "?purpose=hit-lookup")
    assert hit.status_code == 200 and hit.json()["results"][0]["hit"]


# --- finding 6: no purpose is no answer ------------------------------------------------------


def test_no_purpose_on_the_signal_list_is_a_400_not_an_empty_page(api, world: World) -> None:
    for agency in ("EMM", "SZW", "RIEC-AA"):
        response = api.get("/api/v1/signals", headers=world.headers[agency])
        assert_refused(response, SIGNAL_PURPOSES, *world.signals)
        assert "items" not in response.json()


def test_no_purpose_on_a_lookup_is_a_400_not_a_miss(api, world: World) -> None:
    # The hub holds this IBAN (every world signal names it); SZW's own signals hold it too.
    for agency in ("EMM", "SZW"):
        response = look_up(api, world.headers[agency])
        assert_refused(response, LOOKUP_PURPOSES, *world.signals)
        assert "results" not in response.json() and '"hit"' not in response.text
    assert look_up(api, world.headers["SZW"], "?purpose=hit-lookup").json()["results"][0]["hit"]


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("GET", "/api/v1/signals", SIGNAL_PURPOSES),
        ("GET", "/api/v1/signals/{signal}", SIGNAL_PURPOSES),
        ("GET", "/api/v1/signals/{signal}/cases", SIGNAL_PURPOSES),
        ("GET", "/api/v1/proposals", SIGNAL_PURPOSES),
        ("GET", "/api/v1/proposals/{proposal}", SIGNAL_PURPOSES),
        ("POST", "/api/v1/lookups", LOOKUP_PURPOSES),
        ("GET", "/api/v1/reports", ("trend-report",)),
    ],
)
def test_a_purpose_the_route_does_not_serve_is_a_400_naming_the_ones_it_does(
    api, world: World, kmar_politie: tuple[str, list[str]], method: str, url: str, allowed
) -> None:
    proposal, (signal, _) = kmar_politie
    url = url.format(signal=signal, proposal=proposal)
    kmar = world.headers["KMAR"]  # the source of `signal`: it would see it in full
    body = {"identifiers": [{"type": "iban", "number": IBAN}]} if method == "POST" else None
    for purpose in sorted(set(PURPOSES) - set(allowed)):
        by_query = api.request(method, f"{url}?purpose={purpose}", headers=kmar, json=body)
        assert_refused(by_query, allowed, signal)
        by_header = api.request(method, url, headers=kmar | {"Purpose": purpose}, json=body)
        assert_refused(by_header, allowed, signal)
        assert by_header.json()["errors"][0]["in"] == "header"
    # Odd values are refused alike (a NUL byte, 10 kB: never a 500), and never echoed.
    for odd in ("curiosity", "Case-Proposal", "case-proposal ", "x" * 10_000):
        response = api.request(method, f"{url}?purpose={odd}", headers=kmar, json=body)
        assert_refused(response, allowed, signal, "curiosity", "x" * 100)
    # A control character is refused earlier, by the input guard, for every parameter alike:
    # a 400 that names the parameter (hub.middleware), before any purpose is weighed.
    response = api.request(method, f"{url}?purpose=%00", headers=kmar, json=body)
    assert response.status_code == 400, response.text
    assert [(e["in"], e["name"]) for e in response.json()["errors"]] == [("query", "purpose")]


def test_the_purpose_header_works_as_the_parameter(api, world: World) -> None:
    kmar = world.headers["KMAR"]
    [own] = [i for i, s in world.signals.items() if s == ("KMAR", "GM0363")]
    for purpose in SIGNAL_PURPOSES:
        by_query = api.get(f"/api/v1/signals?purpose={purpose}&limit=200", headers=kmar)
        by_header = api.get("/api/v1/signals?limit=200", headers=kmar | {"Purpose": purpose})
        assert by_query.status_code == by_header.status_code == 200
        assert by_query.json() == by_header.json()
        one = api.get(f"/api/v1/signals/{own}", headers=kmar | {"Purpose": purpose})
        assert (
            one.json() == api.get(f"/api/v1/signals/{own}?purpose={purpose}", headers=kmar).json()
        )
    found = look_up(api, kmar | {"Purpose": "hit-lookup"})
    assert found.json() == look_up(api, kmar, "?purpose=hit-lookup").json()


def test_header_and_parameter_that_disagree_are_a_400(api, world: World) -> None:
    kmar = world.headers["KMAR"]
    clash = kmar | {"Purpose": "case-proposal"}
    for response in (
        api.get("/api/v1/signals?purpose=investigation", headers=clash),
        api.get("/api/v1/proposals?purpose=investigation", headers=clash),
        look_up(api, kmar | {"Purpose": "hit-lookup"}, "?purpose=investigation"),
    ):
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["detail"] == "differs from the header"
    agreeing = api.get("/api/v1/signals?purpose=case-proposal", headers=clash)
    assert agreeing.status_code == 200


def test_a_source_sees_its_own_signals_in_full_for_every_purpose_served(api, world: World) -> None:
    kmar = world.headers["KMAR"]
    own = [i for i, (source, _) in world.signals.items() if source == "KMAR"]
    for purpose in SIGNAL_PURPOSES:
        listed = api.get(f"/api/v1/signals?purpose={purpose}&limit=200", headers=kmar).json()
        mine = {item["id"]: item for item in listed["items"] if item["id"] in own}
        assert set(mine) == set(own), purpose
        for signal_id in own:
            one = api.get(f"/api/v1/signals/{signal_id}?purpose={purpose}", headers=kmar).json()
            for body in (one, mine[signal_id]):
                assert body["disclosure"] == {**body["disclosure"], "level": "full"}, purpose
                assert body["disclosure"]["rule_id"] == "own-signal"
                assert SECRET_SUMMARY in body["summary"]
    for purpose in LOOKUP_PURPOSES:
        [result] = look_up(api, kmar, f"?purpose={purpose}").json()["results"]
        levels = {m["id"]: m["disclosure"]["level"] for m in result["matches"]}
        assert {levels[i] for i in own} == {"full"}, purpose


# --- every route that carries signal-derived data declares its purposes -----------------------

# Paths whose answers can carry signals or what is derived from them (proposals, look-ups,
# case notices, case files, reports, digests).
DERIVED = ("/signals", "/proposals", "/lookups", "/reports", "/digests")
# Operations under those paths that declare no purpose, each with the reason it needs none.
EXCEPTIONS = {
    ("post", "/signals"): "posts the caller's own signal and answers with it alone",
    ("post", "/signals/batch"): "posts the caller's own signals and answers with their ids",
    ("patch", "/signals/{id}"): "corrects the caller's own signal (404 for anyone else's)",
    ("post", "/signals/{id}/retract"): "retracts the caller's own signal (404 otherwise)",
    ("get", "/signals/{id}/disclosures"): "the source's own audit trail of who saw its signal",
}


def _purpose_enums(op: dict[str, Any]) -> list[list[str]]:
    return [
        p["schema"].get("enum")
        for p in op.get("parameters", [])
        if (p["in"], p["name"]) in {("query", "purpose"), ("header", "Purpose")}
    ]


def test_every_route_carrying_signal_data_declares_its_purposes(api) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    derived = {
        (method, path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if path.startswith(DERIVED)
    }
    assert set(EXCEPTIONS) <= set(derived), "an exception names no route: drop it"
    serving_hit_lookup = []
    for (method, path), op in derived.items():
        where = f"{method.upper()} {path}"
        enums = _purpose_enums(op)
        fixed = [p for p in PURPOSES if f"Serves the `{p}` purpose always" in op["description"]]
        if (method, path) in EXCEPTIONS:
            assert not enums and not fixed, f"{where} declares a purpose: drop its exception"
            continue
        assert enums or fixed, f"{where} declares no purpose: use hub.deps.viewer_for"
        if enums:
            # The parameter and the header, with the same enum, from the allowed purposes.
            assert len(enums) == 2 and enums[0] == enums[1], where
            assert enums[0] and set(enums[0]) <= set(PURPOSES), where
            assert ", ".join(enums[0]) in op["description"] + str(op["parameters"]), where
            assert "400" in op["responses"], where
            if "hit-lookup" in enums[0]:
                serving_hit_lookup.append(where)
        else:
            assert fixed != ["hit-lookup"], where
    assert serving_hit_lookup == ["POST /lookups"]
