"""The redactor against a full signal: what each level and category shows, and what never leaks.

Pure: no database. The allowed-fields table in the property test is written out here on its own,
from the design's description of the levels, not read from the module under test.
"""

import copy
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.covenants.model import DATA_CATEGORIES, IDENTIFIER_CATEGORIES, Level
from hub.covenants.policy import ALL_CATEGORIES, OWN, OWNER, Grant
from hub.covenants.redact import FIELDS, REDACTED_SUBJECT, pseudonymiser, redact
from hub.signals.schemas import SignalOut

KEY = b"k" * 32
PSEUDONYM = re.compile(r"^ps-[0-9a-f]{20}$")

PERSON = {
    "type": "person",
    "name": "Ion Popescu",
    "birth_date": "1994-03-02",
    "nationality": "RO",
    "bsn": "111222333",
    "role": "victim",
}
WITNESS = {"type": "person", "name": "Maria Ionescu", "role": "witness"}  # no identifier key
ADDRESS = {"type": "address", "country": "NL", "postcode": "1012 AB", "house_number": 12}
COMPANY = {"type": "company", "name": "Flex Uitzend B.V.", "kvk_number": "12345678"}
IBAN = {"type": "iban", "number": "NL91ABNA0417164300"}
PHONE = {"type": "phone", "number": "+31612345678"}
SUBJECTS = [PERSON, WITNESS, ADDRESS, COMPANY, IBAN, PHONE]
SUMMARY_TEXT = "Inspection at a distribution centre: 14 workers, wages paid into one account."

# Strings that must never appear below full level: identifier values, names, free text.
SECRETS = (
    "Popescu",
    "Ionescu",
    "1994-03-02",
    "111222333",
    "1012",
    "12345678",
    "Flex Uitzend",
    "NL91ABNA",
    "0417164300",
    "612345678",
    "distribution centre",
    "SZW-2026",
)


def make_signal(**changes: Any) -> dict[str, Any]:
    """A full signal as represent() gives it, in SignalOut.model_dump() (python) form."""
    signal: dict[str, Any] = {
        "id": uuid.UUID("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"),
        "external_ref": "SZW-2026-004711",
        "agency": "SZW",
        "status": "active",
        "version": 3,
        "barriers": ["employment", "finance"],
        "indicators": ["employment.wages-below-minimum", "finance.many-workers-one-account"],
        "observed_at": datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        "municipality": "GM0363",
        "region": "amsterdam-amstelland",
        "summary": SUMMARY_TEXT,
        "reliability": "B",
        "credibility": "2",
        "subjects": copy.deepcopy(SUBJECTS),
        "created_at": datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
        "retracted_at": None,
    }
    signal.update(changes)
    return signal


def grant(level: Level, categories: Any = ALL_CATEGORIES) -> Grant:
    return Grant(level, frozenset(categories), "emm-covenant", 2, "rule-1")


def shown(result: dict[str, Any]) -> set[str]:
    """The signal fields a result gives (non-empty), without the disclosure block."""
    return {k for k, v in result.items() if k != "disclosure" and v not in (None, [])}


def dumps(result: Any) -> str:
    return json.dumps(result, default=str)


viewer_a = pseudonymiser(KEY, "RIEC-AA")
viewer_b = pseudonymiser(KEY, "RIEC-RR")

HIT = {"id", "agency", "status", "barriers"}
SUMMARY = HIT | {"version", "observed_at", "created_at", "updated_at"}
BY_CATEGORY = {
    "indicators": {"indicators"},
    "location": {"municipality", "region"},
    "grading": {"reliability", "credibility"},
}


# --- shape ---------------------------------------------------------------------------------------


def test_fields_are_those_of_signal_out() -> None:
    assert set(FIELDS) == set(SignalOut.model_fields) - {"disclosure"}


def test_none_gives_nothing() -> None:
    assert redact(make_signal(), grant(Level.NONE), pseudonym=viewer_a) is None


@pytest.mark.parametrize("level", [Level.HIT, Level.SUMMARY, Level.PSEUDONYMISED, Level.FULL])
@pytest.mark.parametrize("categories", [ALL_CATEGORIES, frozenset()])
def test_every_level_has_the_same_keys(level: Level, categories: frozenset[str]) -> None:
    result = redact(make_signal(), grant(level, categories), pseudonym=viewer_a)
    assert result is not None
    assert set(result) == set(FIELDS) | {"disclosure"}
    for name in ("barriers", "indicators", "subjects"):
        assert isinstance(result[name], list)


def test_disclosure_names_level_covenant_and_rule() -> None:
    result = redact(make_signal(), grant(Level.SUMMARY), pseudonym=viewer_a)
    assert result is not None
    assert result["disclosure"] == {
        "level": "summary",
        "covenant_id": "emm-covenant",
        "covenant_version": 2,
        "rule_id": "rule-1",
    }


# --- each level ----------------------------------------------------------------------------------


def test_hit_gives_reference_agency_status_and_barriers_only() -> None:
    signal = make_signal()
    result = redact(signal, grant(Level.HIT), pseudonym=viewer_a)
    assert result is not None
    assert shown(result) == HIT
    assert result["id"] == signal["id"]
    assert result["agency"] == "SZW"
    assert result["barriers"] == ["employment", "finance"]
    assert result["disclosure"]["level"] == "hit"


def test_summary_with_every_category() -> None:
    result = redact(make_signal(), grant(Level.SUMMARY), pseudonym=viewer_a)
    assert result is not None
    assert shown(result) == SUMMARY | {
        "indicators",
        "municipality",
        "region",
        "reliability",
        "credibility",
    }
    assert result["summary"] is None
    assert result["external_ref"] is None
    assert result["subjects"] == []


def test_summary_categories_open_their_fields_one_by_one() -> None:
    for category, fields in BY_CATEGORY.items():
        result = redact(make_signal(), grant(Level.SUMMARY, {category}), pseudonym=viewer_a)
        assert result is not None
        assert shown(result) == SUMMARY | fields, category


def test_summary_shows_retraction_date() -> None:
    retracted = make_signal(status="retracted", retracted_at=datetime(2026, 12, 1, tzinfo=UTC))
    result = redact(retracted, grant(Level.SUMMARY, set()), pseudonym=viewer_a)
    assert result is not None
    assert result["status"] == "retracted"
    assert result["retracted_at"] == datetime(2026, 12, 1, tzinfo=UTC)


def test_pseudonymised_replaces_every_subject_by_pseudonyms() -> None:
    result = redact(make_signal(), grant(Level.PSEUDONYMISED), pseudonym=viewer_a)
    assert result is not None
    assert shown(result) == SUMMARY | {
        "indicators",
        "municipality",
        "region",
        "reliability",
        "credibility",
        "subjects",
    }
    subjects = result["subjects"]
    assert [s["type"] for s in subjects] == [s["type"] for s in SUBJECTS]
    for subject in subjects:
        assert set(subject) == set(REDACTED_SUBJECT["required"])
        assert all(PSEUDONYM.match(p) for p in subject["pseudonyms"])
    # One pseudonym per identifier key: person = name+birth date and BSN; company = KvK and name.
    assert [len(s["pseudonyms"]) for s in subjects] == [2, 1, 1, 2, 1, 1]
    assert subjects[4]["pseudonyms"] == [viewer_a("iban", "NL91ABNA0417164300")]
    assert subjects[0]["pseudonyms"][1] == viewer_a("bsn", "111222333")
    assert subjects[2]["pseudonyms"] == [viewer_a("address", "NL|1012AB|12|")]


def test_pseudonymised_subject_without_key_gets_a_pseudonym_of_its_own() -> None:
    # Nothing to match on (a person without birth date or BSN) links to nothing: the pseudonym
    # is the subject's own, so two such subjects never look like one.
    signal = make_signal(subjects=[WITNESS, WITNESS])
    result = redact(signal, grant(Level.PSEUDONYMISED), pseudonym=viewer_a)
    assert result is not None
    expected = [viewer_a("person", f"unlinked|{signal['id']}|{i}") for i in (0, 1)]
    assert result["subjects"] == [{"type": "person", "pseudonyms": [p]} for p in expected]


def test_pseudonyms_from_stored_keys_need_no_plaintext() -> None:
    sealed = make_signal(subjects=[{"type": "iban"}, {"type": "person"}])
    stored = {0: [("iban", "token-1")]}
    result = redact(sealed, grant(Level.PSEUDONYMISED), pseudonym=viewer_a, keys=stored)
    other = redact(sealed, grant(Level.PSEUDONYMISED), pseudonym=viewer_b, keys=stored)
    assert result is not None and other is not None
    assert result["subjects"] == [
        {"type": "iban", "pseudonyms": [viewer_a("iban", "token-1")]},
        {"type": "person", "pseudonyms": [viewer_a("person", f"unlinked|{sealed['id']}|1")]},
    ]
    assert result["subjects"][0] != other["subjects"][0]


def test_pseudonymised_drops_subject_types_not_granted() -> None:
    categories = ALL_CATEGORIES - {"iban"}
    result = redact(make_signal(), grant(Level.PSEUDONYMISED, categories), pseudonym=viewer_a)
    assert result is not None
    types = [s["type"] for s in result["subjects"]]
    assert "iban" not in types
    assert types == ["person", "person", "address", "company", "phone"]
    assert viewer_a("iban", "NL91ABNA0417164300") not in dumps(result)


def test_pseudonymised_without_identifier_categories_has_no_subjects() -> None:
    categories = {"indicators", "location", "grading", "summary-text"}
    result = redact(make_signal(), grant(Level.PSEUDONYMISED, categories), pseudonym=viewer_a)
    assert result is not None
    assert result["subjects"] == []
    assert result["summary"] is None


def test_subject_that_no_longer_validates_is_still_pseudonymised() -> None:
    broken = {"type": "phone", "number": "+310000"}
    signal = make_signal(subjects=[broken])
    result = redact(signal, grant(Level.PSEUDONYMISED), pseudonym=viewer_a)
    assert result is not None
    assert result["subjects"] == [
        {"type": "phone", "pseudonyms": [viewer_a("phone", f"unlinked|{signal['id']}|0")]}
    ]
    assert "+310000" not in dumps(result)


def test_full_with_every_category_is_the_whole_signal() -> None:
    signal = make_signal()
    result = redact(signal, grant(Level.FULL), pseudonym=viewer_a)
    assert result is not None
    assert {k: result[k] for k in FIELDS} == signal
    assert result["disclosure"]["level"] == "full"


def test_full_without_summary_text_has_no_summary() -> None:
    result = redact(
        make_signal(), grant(Level.FULL, ALL_CATEGORIES - {"summary-text"}), pseudonym=viewer_a
    )
    assert result is not None
    assert result["summary"] is None
    assert result["external_ref"] == "SZW-2026-004711"
    assert SUMMARY_TEXT not in dumps(result)


def test_full_gives_only_the_granted_subject_types_in_full() -> None:
    result = redact(make_signal(), grant(Level.FULL, {"iban", "company"}), pseudonym=viewer_a)
    assert result is not None
    assert result["subjects"] == [COMPANY, IBAN]
    assert shown(result) == SUMMARY | {"external_ref", "subjects"}
    assert "Popescu" not in dumps(result)


def test_own_signal_is_full_with_every_category() -> None:
    signal = make_signal()
    # Even a grant that names nothing shows the source agency all of its own signal.
    for own in (OWNER, Grant(Level.HIT, frozenset(), rule_id=OWN)):
        result = redact(signal, own, pseudonym=viewer_a)
        assert result is not None
        assert {k: result[k] for k in FIELDS} == signal
        assert result["disclosure"] == {
            "level": "full",
            "covenant_id": None,
            "covenant_version": None,
            "rule_id": OWN,
        }


def test_result_does_not_share_lists_with_the_signal() -> None:
    signal = make_signal()
    result = redact(signal, grant(Level.FULL), pseudonym=viewer_a)
    assert result is not None
    result["subjects"][0]["name"] = "changed"
    result["barriers"].append("entry")
    assert signal["subjects"][0]["name"] == "Ion Popescu"
    assert signal["barriers"] == ["employment", "finance"]


# --- no leaks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.HIT, Level.SUMMARY, Level.PSEUDONYMISED])
def test_no_identifier_or_free_text_below_full(level: Level) -> None:
    text = dumps(redact(make_signal(), grant(level), pseudonym=viewer_a))
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == []


def test_the_secrets_are_there_at_full() -> None:
    # The leak test above would pass on an empty result; this shows the secrets are findable.
    text = dumps(redact(make_signal(), grant(Level.FULL), pseudonym=viewer_a))
    assert [secret for secret in SECRETS if secret not in text] == []


# --- pseudonyms ----------------------------------------------------------------------------------


def iban_pseudonym(signal: dict[str, Any], pseudonym: Any) -> str:
    result = redact(signal, grant(Level.PSEUDONYMISED, {"iban"}), pseudonym=pseudonym)
    assert result is not None
    [subject] = result["subjects"]
    [value] = subject["pseudonyms"]
    return value


def test_pseudonyms_link_signals_for_one_viewer_only() -> None:
    first = make_signal(subjects=[IBAN, PHONE])
    second = make_signal(id=uuid.uuid4(), agency="KMAR", subjects=[PHONE, IBAN])
    other = make_signal(subjects=[{"type": "iban", "number": "DE89370400440532013000"}])

    assert iban_pseudonym(first, viewer_a) == iban_pseudonym(second, viewer_a)
    assert iban_pseudonym(first, viewer_a) != iban_pseudonym(first, viewer_b)
    assert iban_pseudonym(first, viewer_a) != iban_pseudonym(other, viewer_a)
    # A fresh pseudonymiser with the same key and viewer gives the same pseudonyms (restarts).
    assert iban_pseudonym(first, pseudonymiser(KEY, "RIEC-AA")) == iban_pseudonym(first, viewer_a)
    assert iban_pseudonym(first, pseudonymiser(b"x" * 32, "RIEC-AA")) != iban_pseudonym(
        first, viewer_a
    )


def test_person_pseudonym_ignores_name_case() -> None:
    shouting = {"type": "person", "name": "ION  POPESCU", "birth_date": "1994-03-02"}
    a = redact(make_signal(subjects=[PERSON]), grant(Level.PSEUDONYMISED), pseudonym=viewer_a)
    b = redact(make_signal(subjects=[shouting]), grant(Level.PSEUDONYMISED), pseudonym=viewer_a)
    assert a is not None and b is not None
    assert a["subjects"][0]["pseudonyms"][0] == b["subjects"][0]["pseudonyms"][0]


def test_pseudonymiser_separates_kind_and_value() -> None:
    assert viewer_a("iban", "X") != viewer_a("phone", "X")
    assert viewer_a("ab", "c") != viewer_a("a", "bc")
    assert PSEUDONYM.match(viewer_a("iban", "NL91ABNA0417164300"))


# --- property: never more than the level and categories allow ------------------------------------


def allowed_fields(level: Level, categories: frozenset[str]) -> set[str]:
    """Independent table of the fields a grant may show (subjects judged separately)."""
    if level == Level.HIT:
        return {"id", "agency", "status", "barriers"}
    fields = {
        "id",
        "agency",
        "status",
        "barriers",
        "version",
        "observed_at",
        "created_at",
        "updated_at",
        "retracted_at",
    }
    if "indicators" in categories:
        fields.add("indicators")
    if "location" in categories:
        fields |= {"municipality", "region"}
    if "grading" in categories:
        fields |= {"reliability", "credibility"}
    if level == Level.FULL:
        fields.add("external_ref")
        if "summary-text" in categories:
            fields.add("summary")
    if level >= Level.PSEUDONYMISED and categories & set(IDENTIFIER_CATEGORIES):
        fields.add("subjects")
    return fields


levels = st.sampled_from([Level.NONE, Level.HIT, Level.SUMMARY, Level.PSEUDONYMISED, Level.FULL])
category_sets = st.frozensets(st.sampled_from(DATA_CATEGORIES))
subject_lists = st.lists(st.sampled_from(SUBJECTS), max_size=8)


@given(level=levels, categories=category_sets, subjects=subject_lists)
def test_never_more_than_the_grant_allows(
    level: Level, categories: frozenset[str], subjects: list[dict[str, Any]]
) -> None:
    signal = make_signal(subjects=copy.deepcopy(subjects))
    result = redact(signal, grant(level, categories), pseudonym=viewer_a)
    if level == Level.NONE:
        assert result is None
        return
    assert result is not None
    allowed = allowed_fields(level, categories)
    assert shown(result) <= allowed
    # And nothing allowed is withheld: every allowed field equals the source.
    for name in allowed - {"subjects"}:
        assert result[name] == signal[name], name

    expected_types = [s["type"] for s in subjects if s["type"] in categories]
    if level < Level.PSEUDONYMISED:
        assert result["subjects"] == []
    else:
        assert [s["type"] for s in result["subjects"]] == expected_types
    if level == Level.FULL:
        assert result["subjects"] == [s for s in subjects if s["type"] in categories]
    else:
        text = dumps(result)
        assert [secret for secret in SECRETS if secret in text] == []
        for subject in result["subjects"]:
            assert set(subject) == {"type", "pseudonyms"}
            assert subject["pseudonyms"] and all(PSEUDONYM.match(p) for p in subject["pseudonyms"])
