"""Tests for the barrier vocabulary: the shipped folder, and broken copies of it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.barriers.vocabulary import (
    BARRIER_ORDER,
    Vocabulary,
    VocabularyError,
    load_vocabulary,
)

BARRIERS_DIR = Path(__file__).resolve().parents[2] / "barriers"
AGENCY_KINDS = {"emm", "riec", "liec", "kmar", "ind", "szw", "police", "municipality", "other"}
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(BARRIERS_DIR)


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped folder, to corrupt one file at a time."""
    target = tmp_path / "barriers"
    shutil.copytree(BARRIERS_DIR, target)
    return target


def edit(directory: Path, file: str, change: Callable[[Doc], None]) -> None:
    """Load one barrier file, apply ``change`` to it and write it back."""
    path = directory / file
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def load_error(directory: Path) -> VocabularyError:
    with pytest.raises(VocabularyError) as info:
        load_vocabulary(directory)
    return info.value


# --- the shipped vocabulary -------------------------------------------------------------------


def test_shipped_barriers_are_the_five_in_model_order(vocabulary: Vocabulary) -> None:
    assert [b.code for b in vocabulary.barriers] == list(BARRIER_ORDER)
    assert [b.order for b in vocabulary.barriers] == [1, 2, 3, 4, 5]
    assert vocabulary.barrier_codes() == frozenset(BARRIER_ORDER)


def test_shipped_barriers_are_complete(vocabulary: Vocabulary) -> None:
    for barrier in vocabulary.barriers:
        assert SEMVER.match(barrier.version), barrier.code
        assert barrier.name and len(barrier.description) > 40, barrier.code
        assert barrier.agency_kinds and set(barrier.agency_kinds) <= AGENCY_KINDS, barrier.code


def test_shipped_indicators_are_well_formed(vocabulary: Vocabulary) -> None:
    for barrier in vocabulary.barriers:
        assert len(barrier.indicators) >= 8, barrier.code
        for indicator in barrier.indicators:
            assert indicator.barrier == barrier.code
            assert indicator.code.startswith(barrier.code + "."), indicator.code
            assert 0 < indicator.weight <= 1, indicator.code
            assert indicator.label and indicator.description and indicator.source


def test_shipped_indicator_codes_are_unique(vocabulary: Vocabulary) -> None:
    codes = [i.code for b in vocabulary.barriers for i in b.indicators]
    assert len(codes) == len(set(codes))


def test_lookups(vocabulary: Vocabulary) -> None:
    assert vocabulary.barrier("finance").order == 5
    debt = vocabulary.indicator("employment.debt-bondage")
    assert debt.barrier == "employment"
    assert debt.weight >= 0.8  # strong indicator by design
    assert vocabulary.indicator("accommodation.briefadres").weight <= 0.4  # weak by design
    assert vocabulary.indicators_of("identity") == vocabulary.barrier("identity").indicators


@pytest.mark.parametrize(
    "lookup",
    [
        lambda v: v.barrier("transport"),
        lambda v: v.indicator("employment.no-such-thing"),
        lambda v: v.indicators_of("transport"),
    ],
)
def test_unknown_codes_raise_key_error(
    vocabulary: Vocabulary, lookup: Callable[[Vocabulary], object]
) -> None:
    with pytest.raises(KeyError):
        lookup(vocabulary)


def test_version_names_every_barrier_version(vocabulary: Vocabulary) -> None:
    expected = ",".join(f"{b.code}@{b.version}" for b in vocabulary.barriers)
    assert vocabulary.version == expected
    assert vocabulary.version.startswith("entry@")


def test_version_changes_when_one_file_is_bumped(broken_dir: Path) -> None:
    before = load_vocabulary(broken_dir).version
    edit(broken_dir, "identity.yaml", lambda d: d.update(version="1.1.0"))
    after = load_vocabulary(broken_dir).version
    assert before != after
    assert "identity@1.1.0" in after


def test_schema_code_enum_matches_barrier_order() -> None:
    schema = json.loads((BARRIERS_DIR / "schema.json").read_text(encoding="utf-8"))
    assert tuple(schema["properties"]["code"]["enum"]) == BARRIER_ORDER


def test_module_is_pure() -> None:
    # A fresh interpreter, so frameworks imported by other tests cannot hide a stray import.
    code = (
        "import sys, hub.barriers.vocabulary; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'fastapi', 'sqlalchemy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


def test_vocabulary_is_immutable(vocabulary: Vocabulary) -> None:
    with pytest.raises(AttributeError):
        vocabulary.barriers[0].indicators[0].weight = 0.1  # type: ignore[misc]


# --- broken copies ----------------------------------------------------------------------------


def test_weight_above_one(broken_dir: Path) -> None:
    edit(broken_dir, "employment.yaml", lambda d: d["indicators"][3].update(weight=1.5))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("employment.yaml", "indicators[3].weight")
    assert (
        str(err)
        == "barriers/employment.yaml: indicators[3].weight: 1.5 is greater than the maximum of 1"
    )


def test_weight_zero(broken_dir: Path) -> None:
    edit(broken_dir, "finance.yaml", lambda d: d["indicators"][0].update(weight=0))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("finance.yaml", "indicators[0].weight")


def test_indicator_code_with_wrong_prefix(broken_dir: Path) -> None:
    edit(
        broken_dir, "finance.yaml", lambda d: d["indicators"][2].update(code="employment.cash-grab")
    )
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("finance.yaml", "indicators[2].code")
    assert "'finance.'" in err.message


def test_indicator_code_not_kebab_case(broken_dir: Path) -> None:
    edit(broken_dir, "entry.yaml", lambda d: d["indicators"][1].update(code="entry.Travel_Paid"))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("entry.yaml", "indicators[1].code")
    assert "does not match" in err.message


def test_missing_indicator_description(broken_dir: Path) -> None:
    edit(broken_dir, "identity.yaml", lambda d: d["indicators"][4].pop("description"))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("identity.yaml", "indicators[4].description")
    assert "required" in err.message


def test_missing_barrier_description(broken_dir: Path) -> None:
    edit(broken_dir, "accommodation.yaml", lambda d: d.pop("description"))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("accommodation.yaml", "description")


def test_unknown_extra_field_on_indicator(broken_dir: Path) -> None:
    edit(broken_dir, "accommodation.yaml", lambda d: d["indicators"][1].update(severity="high"))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("accommodation.yaml", "indicators[1].severity")
    assert "severity" in err.message


def test_unknown_extra_field_on_barrier(broken_dir: Path) -> None:
    edit(broken_dir, "entry.yaml", lambda d: d.update(owner="kmar"))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("entry.yaml", "owner")


def test_unknown_agency_kind(broken_dir: Path) -> None:
    edit(broken_dir, "identity.yaml", lambda d: d.update(agency_kinds=["kmar", "fbi"]))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("identity.yaml", "agency_kinds[1]")


def test_version_not_semver(broken_dir: Path) -> None:
    edit(broken_dir, "employment.yaml", lambda d: d.update(version="1.0"))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("employment.yaml", "version")


def test_too_few_indicators(broken_dir: Path) -> None:
    edit(broken_dir, "finance.yaml", lambda d: d.update(indicators=d["indicators"][:7]))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("finance.yaml", "indicators")
    assert "too short" in err.message


def test_first_error_is_chosen_by_path(broken_dir: Path) -> None:
    def two_errors(doc: Doc) -> None:
        doc["indicators"][5]["weight"] = 2
        doc["indicators"][1].pop("label")

    edit(broken_dir, "employment.yaml", two_errors)
    err = load_error(broken_dir)
    assert err.field == "indicators[1].label"


def test_duplicate_indicator_code_across_files(broken_dir: Path) -> None:
    employment = yaml.safe_load((broken_dir / "employment.yaml").read_text(encoding="utf-8"))
    original = employment["indicators"][2]
    assert original["code"] == "employment.debt-bondage"
    edit(broken_dir, "entry.yaml", lambda d: d["indicators"].append(dict(original)))
    err = load_error(broken_dir)
    # The copy in entry.yaml is blamed, even though entry comes first in barrier order.
    assert (err.file, err.field) == ("entry.yaml", "indicators[10].code")
    assert "duplicates employment.yaml indicators[2].code" in err.message


def test_duplicate_indicator_code_within_file(broken_dir: Path) -> None:
    edit(broken_dir, "identity.yaml", lambda d: d["indicators"].append(dict(d["indicators"][0])))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("identity.yaml", "indicators[9].code")
    assert "identity.yaml indicators[0].code" in err.message


def test_missing_barrier_file(broken_dir: Path) -> None:
    (broken_dir / "identity.yaml").unlink()
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("identity.yaml", "")
    assert str(err).startswith("barriers/identity.yaml: ")


def test_missing_schema_file(broken_dir: Path) -> None:
    (broken_dir / "schema.json").unlink()
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("schema.json", "")


def test_invalid_yaml_syntax_reports_line(broken_dir: Path) -> None:
    path = broken_dir / "finance.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    # Break the flow sequence on the agency_kinds line; PyYAML notices on the next line.
    kinds_line = next(i for i, line in enumerate(lines) if line.startswith("agency_kinds:"))
    lines[kinds_line] = "agency_kinds: [emm, police"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("finance.yaml", "")
    assert f"line {kinds_line + 2}" in err.message
    assert re.search(r"line \d+", str(err))


def test_empty_file(broken_dir: Path) -> None:
    (broken_dir / "entry.yaml").write_text("# nothing here\n", encoding="utf-8")
    err = load_error(broken_dir)
    assert (err.file, err.field, err.message) == ("entry.yaml", "", "file is empty")


def test_code_does_not_match_file_stem(broken_dir: Path) -> None:
    edit(broken_dir, "finance.yaml", lambda d: d.update(code="employment"))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("finance.yaml", "code")
    assert "'employment'" in err.message


def test_renamed_file_does_not_match_code(broken_dir: Path) -> None:
    (broken_dir / "finance.yaml").rename(broken_dir / "money.yaml")
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("money.yaml", "code")


def test_order_out_of_place(broken_dir: Path) -> None:
    edit(broken_dir, "identity.yaml", lambda d: d.update(order=4))
    err = load_error(broken_dir)
    assert (err.file, err.field) == ("identity.yaml", "order")
    assert "expected 3" in err.message


def test_error_without_field_has_no_empty_segment() -> None:
    err = VocabularyError("entry.yaml", "", "file is empty")
    assert str(err) == "barriers/entry.yaml: file is empty"
