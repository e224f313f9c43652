"""The published rule set (hub.linking.ruleset): built from the linker's own constants, so no rule
changes unpublished, and every change changes the hash and needs a new version."""

import inspect
import re
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.linking import clusters, persons, rules, ruleset

MODULES: dict[str, ModuleType] = {"rules": rules, "persons": persons, "clusters": clusters}
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _public_constants() -> set[str]:
    return {
        f"{prefix}.{name}"
        for prefix, module in MODULES.items()
        for name in vars(module)
        if name.isupper() and not name.startswith("_")
    }


def _used() -> set[str]:
    return {name for rule in ruleset.RULES for name in rule.uses}


def test_every_public_constant_of_the_rules_is_published() -> None:
    unpublished = _public_constants() - _used() - set(ruleset.DERIVED)
    assert not unpublished, (
        f"{sorted(unpublished)} shape linking but no entry of hub.linking.ruleset.RULES uses "
        "them: add a rule (id, parameters, reason in nl and en) and bump RULESET_VERSION"
    )


def test_every_name_a_rule_uses_exists() -> None:
    for name in _used() | set(ruleset.DERIVED) | set(ruleset.DERIVED.values()):
        prefix, attr = name.split(".")
        assert hasattr(MODULES[prefix], attr), name
    assert frozenset(rules.BASE_WEIGHT) == rules.LINKING_TYPES


def _extra(value: frozenset[Any]) -> Any:
    """An element the set does not hold yet, of the kind it holds."""
    sample = next(iter(value))
    if isinstance(sample, tuple):
        return (12, 31)
    return "changed"


def _perturbed(value: Any) -> Any:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "-changed"
    if isinstance(value, dict | type(rules.BASE_WEIGHT)):
        first = sorted(value)[0]
        return {**value, first: _perturbed(value[first])}
    if isinstance(value, frozenset):
        return value | {_extra(value)}
    if isinstance(value, tuple):
        return value[:-1]
    raise TypeError(f"no way to change a {type(value).__name__}")


@pytest.mark.parametrize("name", sorted(_used()))
def test_changing_any_constant_a_rule_uses_changes_the_hash(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ruleset.content_hash(ruleset.content())
    prefix, attr = name.split(".")
    monkeypatch.setattr(MODULES[prefix], attr, _perturbed(getattr(MODULES[prefix], attr)))
    assert ruleset.content_hash(ruleset.content()) != before, name


def test_a_changed_weight_changes_the_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    before = ruleset.content_hash(ruleset.content())
    monkeypatch.setattr(rules, "BASE_WEIGHT", {**rules.BASE_WEIGHT, "phone": 8.5})
    after = ruleset.content()
    assert ruleset.content_hash(after) != before
    phone = next(t for t in after["key_types"] if t["type"] == "phone")
    assert phone["base_points"] == 8.5
    assert phone["points_by_carriers"][0] == {"carriers": 2, "points": 8.5}


@given(
    key_type=st.sampled_from(sorted(rules.BASE_WEIGHT)),
    weight=st.floats(min_value=0.0, max_value=30.0, allow_nan=False),
)
def test_no_weight_changes_without_the_hash(key_type: str, weight: float) -> None:
    original = dict(rules.BASE_WEIGHT)
    before = ruleset.content_hash(ruleset.content())
    try:
        rules.BASE_WEIGHT = {**original, key_type: weight}  # type: ignore[misc]
        changed = ruleset.content_hash(ruleset.content())
    finally:
        rules.BASE_WEIGHT = original  # type: ignore[misc]
    assert (changed == before) == (weight == original[key_type])


def test_the_formulas_are_part_of_the_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """The credit and the per-type sum are published as what the linker's functions compute."""
    before = ruleset.content_hash(ruleset.content())
    credit = rules.credit
    monkeypatch.setattr(rules, "credit", lambda t, n: credit(t, n) * 0.9)
    assert ruleset.content_hash(ruleset.content()) != before
    monkeypatch.setattr(rules, "credit", credit)
    pair_weight = rules.pair_weight
    monkeypatch.setattr(rules, "pair_weight", lambda shared: (pair_weight(shared)[0] + 1, []))
    assert ruleset.content_hash(ruleset.content()) != before


def test_every_public_function_of_the_rules_is_known() -> None:
    """A new function in rules.py is a new rule: it needs an entry that publishes it."""
    functions = {
        name
        for name, value in vars(rules).items()
        if inspect.isfunction(value) and value.__module__ == rules.__name__
        if not name.startswith("_")
    }
    # Each is published through a rule's parameters, computed by the function itself.
    assert functions == {
        "credit", "over_cap", "pair_weight", "conflict", "is_partial_date", "is_partial_iso",
        "name_penalty", "person_credit", "birth_eras", "person_conflicts", "document_conflict",
        "spelling_key", "ocr_key", "parties",
    }  # fmt: skip
    # over_cap is the frequency cap the published table shows (0 points past it).
    for key_type, cap in rules.FREQUENCY_CAP.items():
        assert not rules.over_cap(key_type, cap) and rules.over_cap(key_type, cap + 1)
        assert rules.credit(key_type, cap + 1) == 0.0


def test_the_current_hash_is_the_last_release() -> None:
    """Changing a rule without a new version fails here: bump RULESET_VERSION (see the module)
    and add a Release with the new hash."""
    described = ruleset.describe()
    last = ruleset.RELEASES[-1]
    assert last.version == ruleset.RULESET_VERSION
    assert described["hash"] == last.hash, (
        f"the rules changed (hash {described['hash']}): bump RULESET_VERSION and add a Release"
    )
    assert ruleset.current() == ruleset.RulesetId(last.version, last.hash)


def test_releases_are_ordered_semantic_versions_with_distinct_hashes() -> None:
    versions = [tuple(map(int, SEMVER.fullmatch(r.version).groups())) for r in ruleset.RELEASES]  # type: ignore[union-attr]
    assert versions == sorted(set(versions))
    assert len({r.hash for r in ruleset.RELEASES}) == len(ruleset.RELEASES)
    for release in ruleset.RELEASES:
        assert re.fullmatch(r"[0-9a-f]{64}", release.hash)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", release.date)
        assert release.changes.nl and release.changes.en


def test_every_rule_and_type_is_explained_in_dutch_and_english() -> None:
    described = ruleset.describe()
    ids = [rule["id"] for rule in described["rules"]]
    assert len(ids) == len(set(ids))
    assert {t["type"] for t in described["key_types"]} == set(rules.BASE_WEIGHT)
    for item in [*described["rules"], *described["key_types"]]:
        texts = [item.get("title"), item.get("reason"), item.get("label")]
        for text in filter(None, texts):
            assert set(text) == {"nl", "en"} and text["nl"] and text["en"]
            assert text["nl"] != text["en"]
    # Each rule's parameters are named in its explanation, so a reader can find them.
    for rule in described["rules"]:
        for name in rule["parameters"]:
            if name not in ("formula", "key_types", "evidence_type", "shared", "counted"):
                if name in ("total", "method", "edits", "seed", "points"):
                    continue
                assert name in rule["reason"]["en"] and name in rule["reason"]["nl"], (
                    rule["id"],
                    name,
                )


def test_the_published_table_is_what_the_linker_counts() -> None:
    described = ruleset.describe()
    for entry in described["key_types"]:
        for row in entry["points_by_carriers"]:
            assert row["points"] == round(rules.credit(entry["type"], row["carriers"]), 6)
    threshold = next(r for r in described["rules"] if r["id"] == "link-threshold")
    alone = threshold["parameters"]["links_alone_up_to"]
    assert alone["company-name"] == 0  # a company name never links alone
    for key_type, n in alone.items():
        if n:
            assert rules.credit(key_type, n) >= rules.LINK_THRESHOLD
            assert rules.credit(key_type, n + 1) < rules.LINK_THRESHOLD


def test_every_rule_belongs_to_a_published_step() -> None:
    described = ruleset.describe()
    steps = [g["id"] for g in described["groups"]]
    assert steps == ["evidence", "link", "group", "proposal"]
    assert {r["group"] for r in described["rules"]} == set(steps)
