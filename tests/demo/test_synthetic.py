"""The synthetic demo data: valid bodies, deterministic, planted clusters that really link.

Pure: no database, no app. Identifiers are compared the way the hub compares them, through the
validated subjects' ``identifier_keys``.
"""

import re
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from hub.agencies.regions import RIEC_REGIONS, is_municipality, region_of
from hub.agencies.schemas import AgencyCreate
from hub.barriers.vocabulary import Vocabulary, load_vocabulary
from hub.demo.synthetic import (
    DEMO_AGENCIES,
    POSTING_AGENCIES,
    WINDOW,
    DemoData,
    PlantedCluster,
    generate,
)
from hub.signals.schemas import SignalCreate
from hub.signals.subjects import SUBJECT_TYPES, IdentifierKey, identifier_keys

BARRIERS_DIR = Path(__file__).resolve().parents[2] / "barriers"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
# Identifiers that point at one person, account or thing: unrelated signals must never share one.
STRONG = frozenset({"iban", "phone", "bsn", "document", "vehicle", "email", "person", "website"})

Ref = tuple[str, str]


@cache
def vocabulary() -> Vocabulary:
    return load_vocabulary(BARRIERS_DIR)


@cache
def demo(seed: int = 2026, noise: int = 300, clusters: int = 8) -> DemoData:
    return generate(seed=seed, noise=noise, clusters=clusters, now=NOW)


@cache
def validated(seed: int = 2026, noise: int = 300, clusters: int = 8) -> dict[Ref, SignalCreate]:
    data = demo(seed, noise, clusters)
    return {
        (code, body["external_ref"]): SignalCreate.model_validate(
            body, context={"vocabulary": vocabulary()}
        )
        for code, bodies in data.signals.items()
        for body in bodies
    }


def bodies(data: DemoData) -> dict[Ref, dict[str, Any]]:
    return {(code, b["external_ref"]): b for code, items in data.signals.items() for b in items}


def keys_of(signal: SignalCreate) -> set[IdentifierKey]:
    return {key for subject in signal.subjects for key in identifier_keys(subject)}


def group_of(data: DemoData) -> dict[Ref, str]:
    """Planted signals belong to their cluster; every noise signal is a group of its own."""
    groups = {ref: f"noise {ref[0]} {ref[1]}" for ref in bodies(data)}
    for cluster in data.clusters:
        for ref in cluster.external_refs:
            groups[ref] = cluster.name
    return groups


def cluster(data: DemoData, name: str) -> PlantedCluster:
    return next(c for c in data.clusters if c.name == name)


# --- agencies ----------------------------------------------------------------------------------


def test_demo_agencies_are_valid_agencies_with_known_regions() -> None:
    by_code = {spec["code"]: spec for spec in DEMO_AGENCIES}
    assert len(by_code) == len(DEMO_AGENCIES)
    for spec in DEMO_AGENCIES:
        AgencyCreate.model_validate(spec)
        assert spec["region"] is None or spec["region"] in RIEC_REGIONS
    expected = {
        "KMAR": "kmar",
        "IND": "ind",
        "SZW": "szw",
        "EMM": "emm",
        "LIEC": "liec",
        "POLITIE": "police",
        "RIEC-AA": "riec",
        "RIEC-RR": "riec",
        "GM0363": "municipality",
        "GM0599": "municipality",
    }
    assert {code: by_code[code]["kind"] for code in expected} == expected
    assert by_code["RIEC-AA"]["name"] == "RIEC Amsterdam-Amstelland"
    assert by_code["RIEC-RR"]["region"] == "rotterdam"
    assert by_code["GM0363"]["region"] == "amsterdam-amstelland"
    assert by_code["GM0599"]["name"] == "Gemeente Rotterdam"


def test_only_posting_agencies_post() -> None:
    assert set(POSTING_AGENCIES) == {"KMAR", "IND", "SZW", "POLITIE", "GM0363", "GM0599"}
    assert set(POSTING_AGENCIES) <= {spec["code"] for spec in DEMO_AGENCIES}
    data = demo()
    assert set(data.signals) == set(POSTING_AGENCIES)
    assert all(data.signals[code] for code in POSTING_AGENCIES)


# --- every body --------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "noise", "clusters"), [(2026, 300, 8), (7, 120, 11), (99, 60, 3)])
def test_every_body_validates_against_signal_create(seed: int, noise: int, clusters: int) -> None:
    signals = validated(seed, noise, clusters)  # raises ValidationError on any invalid body
    planted = sum(len(c.external_refs) for c in demo(seed, noise, clusters).clusters)
    assert len(signals) == noise + planted


def test_all_subject_types_occur_with_realistic_variety() -> None:
    signals = validated()
    seen = {subject.type for signal in signals.values() for subject in signal.subjects}
    assert seen == set(SUBJECT_TYPES)
    nationalities = {
        s.nationality for signal in signals.values() for s in signal.subjects if s.type == "person"
    }
    assert {"RO", "BG", "PL", "NG", "UA", "VN", "CN", "BR", "NL"} <= nationalities
    noise_refs = set(bodies(demo())) - {r for c in demo().clusters for r in c.external_refs}
    noise_indicators = {i for ref in noise_refs for i in signals[ref].indicators}
    assert len(noise_indicators) >= 35  # of the vocabulary's ~47
    assert {code.split(".")[0] for code in noise_indicators} == vocabulary().barrier_codes()


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = generate(seed=11, noise=80, clusters=5, now=NOW)
    assert generate(seed=11, noise=80, clusters=5, now=NOW) == first
    other = generate(seed=12, noise=80, clusters=5, now=NOW)
    assert other.signals != first.signals
    assert other.clusters != first.clusters


@pytest.mark.parametrize(("noise", "clusters"), [(0, 0), (0, 3), (25, 1), (300, 8), (40, 11)])
def test_counts_match_the_arguments(noise: int, clusters: int) -> None:
    data = generate(seed=3, noise=noise, clusters=clusters, now=NOW)
    total = sum(len(items) for items in data.signals.values())
    planted = [ref for c in data.clusters for ref in c.external_refs]
    assert len(data.clusters) == clusters
    assert len({c.name for c in data.clusters}) == clusters
    assert len(planted) == len(set(planted))
    assert total == noise + len(planted)


def test_external_refs_are_unique_per_agency_and_name_the_agency() -> None:
    for code, items in demo().signals.items():
        refs = [b["external_ref"] for b in items]
        assert len(refs) == len(set(refs))
        assert all(re.fullmatch(rf"{code}-20\d\d-\d{{6}}", ref) for ref in refs), code


def test_observed_at_lies_in_the_window_in_dutch_local_time() -> None:
    for body in bodies(demo()).values():
        observed = datetime.fromisoformat(body["observed_at"])
        assert body["observed_at"][-6:] in ("+01:00", "+02:00")
        assert NOW - WINDOW <= observed <= NOW


def test_municipalities_are_known_and_municipalities_post_their_own() -> None:
    for (agency, ref), body in bodies(demo()).items():
        assert is_municipality(body["municipality"]), ref
        if agency.startswith("GM"):
            assert body["municipality"] == agency, ref


def test_indicators_belong_to_the_barriers_the_signal_names() -> None:
    vocab = vocabulary()
    for ref, body in bodies(demo()).items():
        assert 1 <= len(body["indicators"]) <= 4, ref
        named = {vocab.indicator(code).barrier for code in body["indicators"]}
        assert named == set(body["barriers"]), ref
        assert body["reliability"] in ("A", "B", "C", "X")
        assert body["credibility"] in ("1", "2", "3", "4")
        assert body["summary"] and len(body["summary"]) < 400


def test_a_generator_indicator_missing_from_the_vocabulary_is_refused() -> None:
    full = vocabulary()
    trimmed = Vocabulary(
        barriers=tuple(replace(b, indicators=b.indicators[1:]) for b in full.barriers),
        version="trimmed",
    )
    with pytest.raises(ValueError, match="unknown indicator"):
        generate(seed=1, noise=0, clusters=1, now=NOW, vocabulary=trimmed)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        generate(now=datetime(2026, 6, 1))  # naive on purpose
    with pytest.raises(ValueError, match="negative"):
        generate(noise=-1, now=NOW)


# --- planted clusters --------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "noise", "clusters"), [(2026, 300, 8), (7, 120, 11), (99, 60, 3)])
def test_clusters_span_agencies_and_barriers(seed: int, noise: int, clusters: int) -> None:
    data, signals = demo(seed, noise, clusters), validated(seed, noise, clusters)
    for c in data.clusters:
        members = [signals[ref] for ref in c.external_refs]
        agencies = {agency for agency, _ in c.external_refs}
        barriers = {b for s in members for b in s.barriers}
        assert 3 <= len(members) <= 8, c.name
        assert set(c.agencies) == agencies and 2 <= len(agencies) <= 4, c.name
        assert agencies <= set(POSTING_AGENCIES), c.name
        assert set(c.barriers) == barriers and 2 <= len(barriers) <= 5, c.name


@pytest.mark.parametrize(("seed", "noise", "clusters"), [(2026, 300, 8), (7, 120, 11), (99, 60, 3)])
def test_cluster_members_really_share_identifiers(seed: int, noise: int, clusters: int) -> None:
    data, signals = demo(seed, noise, clusters), validated(seed, noise, clusters)
    for c in data.clusters:
        keys = {ref: keys_of(signals[ref]) for ref in c.external_refs}
        assert c.shared, c.name
        for kind in c.shared:  # every declared type really is shared after normalisation
            holders: dict[IdentifierKey, int] = defaultdict(int)
            for ref_keys in keys.values():
                for key in ref_keys:
                    if key.type == kind:
                        holders[key] += 1
            assert max(holders.values(), default=0) >= 2, (c.name, kind)
        # and the shared identifiers connect every member, not just some of them
        reached, frontier = {c.external_refs[0]}, [c.external_refs[0]]
        while frontier:
            ref = frontier.pop()
            for other in keys:
                if other not in reached and keys[ref] & keys[other]:
                    reached.add(other)
                    frontier.append(other)
        assert reached == set(c.external_refs), c.name


def test_the_required_scenarios_are_planted() -> None:
    data, signals = demo(), validated()

    def indicators(c: PlantedCluster) -> set[str]:
        return {i for ref in c.external_refs for i in signals[ref].indicators}

    labour = cluster(data, "labour-exploitation-amsterdam")
    assert {"SZW", "GM0363", "IND"} <= set(labour.agencies)
    assert {
        "employment.uncertified-agency",
        "accommodation.overcrowded-address",
        "finance.many-workers-one-account",
    } <= indicators(labour)
    assert {"address", "kvk"} <= set(labour.shared)

    sexual = cluster(data, "sexual-exploitation-rotterdam")
    assert {"POLITIE", "KMAR", "GM0599"} <= set(sexual.agencies)
    assert {"employment.online-escort-ads", "accommodation.third-party-paid-stay"} <= indicators(
        sexual
    )
    assert "phone" in sexual.shared

    fraud = cluster(data, "look-alike-document-fraud")
    assert set(fraud.agencies) == {"KMAR", "IND"}
    assert "identity.look-alike-fraud" in indicators(fraud)
    assert "document" in fraud.shared

    places = {signals[ref].municipality for c in data.clusters for ref in c.external_refs}
    amsterdam = {m for m in places if region_of(m) == "amsterdam-amstelland"}
    assert "GM0363" in amsterdam and amsterdam - {"GM0363"}
    assert any(region_of(m) == "rotterdam" for m in places)


def test_identifiers_are_spelt_differently_by_different_agencies() -> None:
    data, signals = demo(), bodies(demo())
    validated_signals = validated()
    spellings: dict[IdentifierKey, set[str]] = defaultdict(set)
    for c in data.clusters:
        for ref in c.external_refs:
            for raw, subject in zip(
                signals[ref]["subjects"], validated_signals[ref].subjects, strict=True
            ):
                shown = {
                    "iban": raw.get("number"),
                    "phone": raw.get("number"),
                    "address": raw.get("postcode"),
                    "person": raw.get("name"),
                }
                for key in identifier_keys(subject):
                    if key.type in shown and shown[key.type] is not None:
                        spellings[key].add(shown[key.type])
    for kind in ("iban", "phone", "address", "person"):
        assert any(len(s) > 1 for k, s in spellings.items() if k.type == kind), kind


def test_names_carry_typos_that_do_not_normalise_equal() -> None:
    signals = validated()
    people = [
        s
        for c in demo().clusters
        for ref in c.external_refs
        for s in signals[ref].subjects
        if s.type == "person" and s.birth_date
    ]
    # the same person (same birth date and nationality) under a slightly different name
    typos = [
        (a, b)
        for i, a in enumerate(people)
        for b in people[i + 1 :]
        if (a.birth_date, a.nationality) == (b.birth_date, b.nationality)
        and a.name.casefold() != b.name.casefold()
        and SequenceMatcher(None, a.name.casefold(), b.name.casefold()).ratio() > 0.8
    ]
    assert len(typos) >= 2
    assert all(identifier_keys(a) != identifier_keys(b) for a, b in typos)


# --- noise and traps ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "noise", "clusters"), [(2026, 300, 8), (7, 120, 11), (99, 60, 3)])
def test_strong_identifiers_never_link_unrelated_signals(
    seed: int, noise: int, clusters: int
) -> None:
    data, signals = demo(seed, noise, clusters), validated(seed, noise, clusters)
    groups = group_of(data)
    owners: dict[IdentifierKey, set[str]] = defaultdict(set)
    for ref, signal in signals.items():
        for key in keys_of(signal):
            if key.type in STRONG:
                owners[key].add(groups[ref])
    crossing = {key: g for key, g in owners.items() if len(g) > 1}
    assert not crossing


def test_only_the_traps_link_noise_by_address_or_company() -> None:
    data, signals = demo(), validated()
    groups = group_of(data)
    owners: dict[IdentifierKey, set[Ref]] = defaultdict(set)
    for ref, signal in signals.items():
        for key in keys_of(signal):
            if key.type not in STRONG:
                owners[key].add(ref)
    shared = {key: refs for key, refs in owners.items() if len({groups[r] for r in refs}) > 1}
    trap_refs = [set(trap.external_refs) for trap in data.traps]
    # every weak identifier shared across groups belongs to one of the declared traps
    assert shared
    for key, refs in shared.items():
        assert any(refs <= carriers for carriers in trap_refs), key


def test_the_realistic_traps_are_there() -> None:
    data, signals = demo(), validated()
    kinds = {trap.kind for trap in data.traps}
    assert kinds == {"agency-seat", "briefadres", "apartment-block"}
    planted = {ref for c in data.clusters for ref in c.external_refs}
    for trap in data.traps:
        common = set.intersection(*(keys_of(signals[ref]) for ref in trap.external_refs))
        assert "address" in trap.shared, trap.name
        assert any(key.type == "address" for key in common), trap.name
        assert len(set(trap.external_refs) - planted) >= 2, trap.name
    seat = next(t for t in data.traps if t.kind == "agency-seat")
    assert len(seat.external_refs) >= 5
    briefadres = [t for t in data.traps if t.kind == "briefadres"]
    assert any(len({agency for agency, _ in t.external_refs}) >= 2 for t in briefadres)
    # a planted case brushes against a trap now and then, which is the point of a trap
    assert any(set(t.external_refs) & planted for t in data.traps)


def test_noise_timestamps_spread_over_the_window() -> None:
    stamps = sorted(datetime.fromisoformat(b["observed_at"]) for b in bodies(demo()).values())
    # Eight weeks: the trend report's weekly series and yesterday's report hold demo data.
    assert stamps[-1] - stamps[0] > timedelta(weeks=7)
    assert stamps[-1] >= NOW - timedelta(days=2)
