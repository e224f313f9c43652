"""The shipped demo covenants, decided by the policy for every agency pair, purpose and region.

The expectation is written out by hand from what the covenants must give (issue: covenants).
"""

import itertools
from datetime import date

import pytest

from hub.covenants.loader import load_covenants
from hub.covenants.model import PURPOSES, Agency, Level
from hub.covenants.policy import SignalFacts, aggregates_allowed, decide
from hub.demo.synthetic import DEMO_AGENCIES, POSTING_AGENCIES
from hub.paths import document_dir

TODAY = date(2026, 11, 25)
AGENCIES = {a["code"]: Agency(a["code"], a["kind"], a["region"]) for a in DEMO_AGENCIES}
ENFORCEMENT = {"KMAR", "IND", "SZW", "POLITIE", "EMM"}
REGIONS = ("amsterdam-amstelland", "rotterdam", None)


def expected(viewer: str, source: str, purpose: str, region: str | None, accepted: bool) -> Level:
    if viewer == source:
        return Level.FULL
    if (
        viewer == "EMM"
        and source in {"KMAR", "IND", "SZW", "POLITIE"}
        and purpose == "case-proposal"
    ):
        return Level.FULL
    if viewer in {"RIEC-AA", "RIEC-RR"}:
        own_region = region == AGENCIES[viewer].region
        if purpose == "case-proposal" and own_region:
            return Level.PSEUDONYMISED
        if purpose == "investigation" and accepted:
            return Level.FULL
    if purpose == "hit-lookup" and viewer in ENFORCEMENT and source in ENFORCEMENT:
        return Level.HIT
    return Level.NONE


@pytest.fixture(scope="module")
def covenants():  # type: ignore[no-untyped-def]
    return load_covenants(document_dir("covenants"))


def test_every_pair_purpose_and_region(covenants) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for viewer, source, purpose, region, accepted in itertools.product(
        AGENCIES, POSTING_AGENCIES, PURPOSES, REGIONS, (False, True)
    ):
        signal = SignalFacts(
            source=AGENCIES[source],
            barriers=frozenset({"employment", "finance"}),
            region=region,
            accepted_by=frozenset({viewer}) if accepted else frozenset(),
        )
        got = decide(AGENCIES[viewer], purpose, signal, covenants, TODAY).level
        want = expected(viewer, source, purpose, region, accepted)
        assert got == want, (viewer, source, purpose, region, accepted)
        checked += 1
    assert checked == len(AGENCIES) * len(POSTING_AGENCIES) * len(PURPOSES) * 6


def test_an_agency_in_no_covenant_sees_nothing(covenants) -> None:  # type: ignore[no-untyped-def]
    outsider = Agency("COA", "other")
    for source, purpose in itertools.product(POSTING_AGENCIES, PURPOSES):
        signal = SignalFacts(
            AGENCIES[source],
            frozenset({"entry"}),
            "amsterdam-amstelland",
            accepted_by=frozenset({"COA"}),
        )
        assert decide(outsider, purpose, signal, covenants, TODAY).level == Level.NONE


def test_only_the_liec_gets_aggregates(covenants) -> None:  # type: ignore[no-untyped-def]
    allowed = {code for code, a in AGENCIES.items() if aggregates_allowed(a, covenants, TODAY)}
    assert allowed == {"LIEC"}
