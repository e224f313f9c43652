"""The covenant loader: the shipped folder, the demo grants, and every error with file, line, field.

Pure: no database, no app.
"""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from hub.agencies.regions import RIEC_REGIONS
from hub.barriers.vocabulary import BARRIER_ORDER
from hub.covenants.loader import (
    AGENCY_KINDS,
    CovenantError,
    CovenantsInvalid,
    check_covenants,
    load_covenants,
)
from hub.covenants.model import DATA_CATEGORIES, PURPOSES, Agency, Covenant, Level
from hub.demo.synthetic import DEMO_AGENCIES, POSTING_AGENCIES

COVENANTS = Path(__file__).resolve().parents[2] / "covenants"
TODAY = date(2026, 6, 1)  # inside every demo covenant's validity

AGENCIES = {
    a["code"]: Agency(code=str(a["code"]), kind=str(a["kind"]), region=a["region"])
    for a in DEMO_AGENCIES
}
ENFORCEMENT = ("KMAR", "IND", "SZW", "POLITIE", "EMM")
RIECS = ("RIEC-AA", "RIEC-RR")


# --- the shipped folder ---------------------------------------------------------------------------


def test_shipped_folder_has_no_errors_and_loads() -> None:
    assert check_covenants(COVENANTS) == []
    covenants = load_covenants(COVENANTS)
    assert len(covenants) >= 3
    assert {c.source_file for c in covenants} == {p.name for p in COVENANTS.glob("*.yaml")}
    assert all(c.in_force(TODAY) for c in covenants)


def test_schema_enums_match_the_code() -> None:
    schema = json.loads((COVENANTS / "schema.json").read_text())
    defs = schema["$defs"]
    assert tuple(defs["selector"]["properties"]["kind"]["enum"]) == AGENCY_KINDS
    assert set(defs["selector"]["properties"]["region"]["enum"]) == set(RIEC_REGIONS)
    assert tuple(defs["purpose"]["enum"]) == PURPOSES
    rule = defs["rule"]["properties"]
    assert tuple(rule["level"]["enum"]) == tuple(level.label for level in Level)
    assert tuple(rule["categories"]["else"]["items"]["enum"]) == DATA_CATEGORIES
    assert tuple(rule["barriers"]["else"]["items"]["enum"]) == BARRIER_ORDER


def test_all_categories_and_barriers_become_the_full_set_and_none() -> None:
    rules = {r.id: r for c in load_covenants(COVENANTS) for r in c.rules}
    assert rules["enforcement-to-emm"].categories == frozenset(DATA_CATEGORIES)
    assert rules["enforcement-to-emm"].barriers is None
    assert "summary-text" not in rules["mutual-hit-lookup"].categories


# --- the demo grants, exactly ---------------------------------------------------------------------

Grant = tuple[Level, str, bool]  # level, scope, aggregates_only


def grants(
    covenants: tuple[Covenant, ...], viewer: Agency, source: Agency, purpose: str
) -> set[Grant]:
    """A deliberately simple oracle: every rule in force naming both agencies and the purpose."""
    return {
        (rule.level, rule.scope, rule.aggregates_only)
        for covenant in covenants
        if covenant.in_force(TODAY) and covenant.is_party(viewer) and covenant.is_party(source)
        for rule in covenant.rules
        if purpose in rule.purposes
        and any(p.matches(viewer) for p in rule.viewers)
        and any(p.matches(source) for p in rule.sources)
    }


def expected(viewer: str, source: str, purpose: str) -> set[Grant]:
    if (
        viewer == "EMM"
        and source in ("KMAR", "IND", "SZW", "POLITIE")
        and purpose == "case-proposal"
    ):
        return {(Level.FULL, "all", False)}
    if viewer in ENFORCEMENT and source in ENFORCEMENT and purpose == "hit-lookup":
        return {(Level.HIT, "all", False)}
    if viewer in RIECS and source in POSTING_AGENCIES:
        if purpose == "case-proposal":
            return {(Level.PSEUDONYMISED, "own-region", False)}
        if purpose == "investigation":
            return {(Level.FULL, "accepted-cases", False)}
    if viewer == "LIEC" and source in POSTING_AGENCIES and purpose == "trend-report":
        return {(Level.NONE, "all", True)}
    return set()


def test_demo_covenants_grant_exactly_what_the_issue_requires() -> None:
    covenants = load_covenants(COVENANTS)
    wrong = [
        (viewer, source, purpose, got, want)
        for viewer in AGENCIES
        for source in AGENCIES
        if viewer != source  # an agency always sees its own signals, outside any covenant
        for purpose in PURPOSES
        if (got := grants(covenants, AGENCIES[viewer], AGENCIES[source], purpose))
        != (want := expected(viewer, source, purpose))
    ]
    assert wrong == []


def test_each_riec_is_tied_to_the_region_of_its_municipality() -> None:
    # Own-region scope only works if each demo RIEC and municipality carry the region the
    # covenant's comments promise.
    assert AGENCIES["RIEC-AA"].region == AGENCIES["GM0363"].region == "amsterdam-amstelland"
    assert AGENCIES["RIEC-RR"].region == AGENCIES["GM0599"].region == "rotterdam"


def test_agency_party_to_no_covenant_gets_nothing() -> None:
    covenants = load_covenants(COVENANTS)
    outsider = Agency(code="COA", kind="other")
    assert not any(c.is_party(outsider) for c in covenants)
    for source in AGENCIES.values():
        for purpose in PURPOSES:
            assert grants(covenants, outsider, source, purpose) == set()


def test_hit_lookup_retention_is_shorter_than_case_proposals() -> None:
    by_id = {c.id: c for c in load_covenants(COVENANTS)}
    assert by_id["emm-case-proposals"].retention_days == 730
    assert by_id["enforcement-hit-lookup"].retention_days < 730


# --- broken copies ---------------------------------------------------------------------------


def copy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "covenants"
    shutil.copytree(COVENANTS, folder)
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> str:
    path = folder / file
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new))
    return path.read_text()


def line_of(text: str, needle: str) -> int:
    """1-based number of the last line containing ``needle`` (which may end in a newline)."""
    lines = [n for n, line in enumerate(text.splitlines(True), start=1) if needle in line]
    assert lines, needle
    return lines[-1]


BROKEN = [
    pytest.param(
        "riec-liec.yaml",
        "    level: pseudonymised\n",
        "    level: ful\n",
        "level: ful\n",
        "rules[0].level",
        "'ful' is not one of",
        id="wrong-level",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "    purposes: [case-proposal]\n",
        "    purposes: [case-proposal, profiling]\n",
        "profiling",
        "rules[0].purposes[1]",
        "'profiling' is not one of",
        id="unknown-purpose-in-rule",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "    purposes: [case-proposal]\n",
        "    purposes: [case-proposal, hit-lookup]\n",
        "purposes: [case-proposal, hit-lookup]",
        "rules[0].purposes[1]",
        "'hit-lookup' is not among the covenant's purposes ['case-proposal']",
        id="rule-purpose-outside-covenant",
    ),
    pytest.param(
        "riec-liec.yaml",
        "  - id: riec-accepted-full\n",
        "  - id: riec-region-pseudonymised\n",
        "id: riec-region-pseudonymised",
        "rules[1].id",
        "duplicate rule id 'riec-region-pseudonymised' (first at rules[0])",
        id="duplicate-rule-id",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "onward_sharing: false\n",
        "onward_sharing: false\nnotes: shared with the OM\n",
        "notes:",
        "notes",
        "Additional properties are not allowed ('notes' was unexpected)",
        id="unknown-extra-field",
    ),
    pytest.param(
        "riec-liec.yaml",
        "valid_until: 2028-12-31\n",
        "valid_until: 2024-12-31\n",
        "valid_until:",
        "valid_until",
        "2024-12-31 is before valid_from 2025-01-01",
        id="bad-date-order",
    ),
    pytest.param(
        "riec-liec.yaml",
        "    level: none\n",
        "    level: hit\n",
        "level: hit",
        "rules[2].level",
        "'hit': an aggregates_only rule needs level none",
        id="aggregates-only-with-level-hit",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "retention_days: 730\n",
        "retention_days: 730: days\n",
        "retention_days: 730: days",
        "",
        "invalid YAML, column 20: mapping values are not allowed here",
        id="yaml-syntax-error",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "    from: [KMAR, IND, SZW, POLITIE]\n",
        "    from: [KMAR, IND, SZW, POLITIE, LIEC]\n",
        "from: [KMAR",
        "rules[0].from[4]",
        "'LIEC' is not one of the covenant's parties",
        id="rule-party-not-a-covenant-party",
    ),
    pytest.param(
        "riec-liec.yaml",
        "  - id: liec-trend-aggregates\n    from: [KMAR, IND, SZW, POLITIE, {kind: municipality}]",
        "  - id: liec-trend-aggregates\n"
        "    from: [KMAR, IND, SZW, POLITIE, {kind: municipality, region: rotterdam}]",
        "region: rotterdam",
        "rules[2].from[4]",
        "{kind: municipality, region: rotterdam} is not one of the covenant's parties",
        id="rule-selector-not-a-covenant-selector",
    ),
    pytest.param(
        "riec-liec.yaml",
        "    to: [{kind: riec}]\n    purposes: [case-proposal]\n",
        "    to: [{kind: riek}]\n    purposes: [case-proposal]\n",
        "kind: riek",
        "rules[0].to[0].kind",
        "'riek' is not one of",
        id="unknown-selector-kind",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "valid_from: 2025-01-01\n",
        "valid_from: 2025-02-30\n",
        "valid_from:",
        "valid_from",
        "'2025-02-30' is not a valid date",
        id="impossible-date",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "    level: full\n",
        "    level: full\n    level: summary\n",
        "level: summary",
        "rules[0].level",
        "duplicate key (first at line",
        id="duplicate-key",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "retention_days: 730\n",
        "",
        "id: emm-case-proposals",
        "retention_days",
        "'retention_days' is a required property",
        id="missing-required-field",
    ),
    pytest.param(
        "enforcement-hit-lookup.yaml",
        "    level: hit\n",
        "    level: none\n",
        "level: none",
        "rules[0].level",
        "level none grants nothing unless aggregates_only: true",
        id="level-none-without-aggregates-only",
    ),
    pytest.param(
        "riec-liec.yaml",
        "    scope: accepted-cases\n",
        "    scope: accepted-cases\n    reviews: true\n",
        "reviews: true",
        "rules[1].reviews",
        "only a rule for case-proposal can name reviewers",
        id="reviews-on-an-investigation-rule",
    ),
    pytest.param(
        "emm-case-proposals.yaml",
        "    reviews: true\n",
        "    reviews: maybe\n",
        "reviews: maybe",
        "rules[0].reviews",
        "'maybe' is not of type 'boolean'",
        id="reviews-not-a-boolean",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "anchor", "field", "message"), BROKEN)
def test_broken_copy_names_file_line_and_field(
    tmp_path: Path, file: str, old: str, new: str, anchor: str, field: str, message: str
) -> None:
    folder = copy_folder(tmp_path)
    text = edit(folder, file, old, new)
    errors = check_covenants(folder)
    assert len(errors) == 1, errors
    (error,) = errors
    assert (error.file, error.line, error.field) == (file, line_of(text, anchor), field)
    assert message in error.message
    with pytest.raises(CovenantsInvalid) as raised:
        load_covenants(folder)
    assert raised.value.errors == (error,)


def test_error_reads_folder_file_line_field_message(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    text = edit(folder, "riec-liec.yaml", "    level: pseudonymised\n", "    level: ful\n")
    (error,) = check_covenants(folder)
    line = line_of(text, "level: ful\n")
    assert str(error).startswith(f"covenants/riec-liec.yaml:{line}: rules[0].level: 'ful' is not")
    assert (
        str(CovenantError("a.yaml", 3, "", "file is empty")) == "covenants/a.yaml:3: file is empty"
    )


def test_duplicate_id_and_version_across_files(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    shutil.copy(folder / "emm-case-proposals.yaml", folder / "zz-emm-copy.yaml")
    (error,) = check_covenants(folder)
    text = (folder / "zz-emm-copy.yaml").read_text()
    assert (error.file, error.line, error.field) == (
        "zz-emm-copy.yaml",
        line_of(text, "version:"),
        "version",
    )
    assert "also defined in emm-case-proposals.yaml" in error.message


def test_two_versions_of_one_covenant_are_separate_files(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    shutil.copy(folder / "emm-case-proposals.yaml", folder / "emm-case-proposals-v2.yaml")
    edit(folder, "emm-case-proposals-v2.yaml", "version: 1\n", "version: 2\n")
    edit(
        folder,
        "emm-case-proposals.yaml",
        "valid_from: 2025-01-01\n",
        "valid_from: 2025-01-01\nvalid_until: 2026-06-30\n",
    )
    versions = [(c.id, c.version, c.valid_until) for c in load_covenants(folder)]
    assert ("emm-case-proposals", 1, date(2026, 6, 30)) in versions
    assert ("emm-case-proposals", 2, None) in versions


def test_every_error_in_a_folder_is_reported(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    edit(folder, "riec-liec.yaml", "    level: pseudonymised\n", "    level: ful\n")
    edit(folder, "riec-liec.yaml", "valid_until: 2028-12-31\n", "valid_until: 2024-12-31\n")
    edit(folder, "emm-case-proposals.yaml", "onward_sharing: false\n", "onward_sharing: maybe\n")
    edit(folder, "emm-case-proposals.yaml", "    scope: all\n", "    scope: everywhere\n")
    edit(folder, "enforcement-hit-lookup.yaml", "retention_days: 365\n", "retention_days: 365: x\n")
    (folder / "empty.yaml").write_text("# nothing yet\n")
    errors = check_covenants(folder)
    assert [(e.file, e.field) for e in errors] == [
        ("emm-case-proposals.yaml", "onward_sharing"),
        ("emm-case-proposals.yaml", "rules[0].scope"),
        ("empty.yaml", ""),
        ("enforcement-hit-lookup.yaml", ""),
        ("riec-liec.yaml", "valid_until"),
        ("riec-liec.yaml", "rules[0].level"),
    ]
    assert errors[2].message == "file is empty"
    with pytest.raises(CovenantsInvalid) as raised:
        load_covenants(folder)
    assert raised.value.errors == tuple(errors)
    assert "6 errors in covenants" in str(raised.value)


def test_only_yaml_files_are_read(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    (folder / "notes.txt").write_text("level: ful\n: : not yaml [")
    (folder / "draft.yml.bak").write_text("id: [")
    assert check_covenants(folder) == []
    assert len(load_covenants(folder)) == len(load_covenants(COVENANTS))


# --- reviewers ------------------------------------------------------------------------------


def test_the_demo_names_each_riec_and_the_emm_as_reviewers() -> None:
    reviewing = {(c.id, r.id) for c in load_covenants(COVENANTS) for r in c.rules if r.reviews}
    assert reviewing == {
        ("emm-case-proposals", "enforcement-to-emm"),
        ("riec-liec", "riec-region-pseudonymised"),
    }


def test_an_aggregates_only_rule_cannot_name_reviewers(tmp_path: Path) -> None:
    folder = copy_folder(tmp_path)
    text = edit(
        folder,
        "riec-liec.yaml",
        "    aggregates_only: true\n",
        "    aggregates_only: true\n    reviews: true\n",
    )
    errors = check_covenants(folder)
    assert {(e.file, e.line, e.field) for e in errors} == {
        ("riec-liec.yaml", line_of(text, "reviews: true"), "rules[2].reviews")
    }
    messages = sorted(e.message for e in errors)
    assert messages[0].startswith("an aggregates_only rule shows no signal"), messages
    assert messages[1].startswith("only a rule for case-proposal can name reviewers"), messages
