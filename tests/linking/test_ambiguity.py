"""Issue 18's traps, rule by rule (pure): partial dates, common names, contradictions, spelling."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.linking import rules
from hub.linking.persons import PersonKey, near_documents, similarity, spelled
from hub.linking.rules import Evidence, pair_weight
from hub.signals.subjects import (
    DocumentSubject,
    PersonSubject,
    blocking_keys,
    fact_keys,
    identifier_keys,
)

# --- partial and placeholder dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [(1990, 1, 1), (1990, 7, 1), (1990, 0, 0), (1990, 3, 0), (1990, 0, 14), (1990, None, None)],
)
def test_placeholders_zeros_and_a_year_alone_are_partial(year, month, day) -> None:  # type: ignore[no-untyped-def]
    assert rules.is_partial_date(year, month, day)


@pytest.mark.parametrize("born", ["1990-03-14", "1990-01-02", "1990-12-31", "1990-07-02"])
def test_a_full_date_is_not_partial(born: str) -> None:
    assert not rules.is_partial_iso(born)
    assert rules.is_partial_iso("1990-00-00") and rules.is_partial_iso("1990")


def test_a_placeholder_date_makes_a_partial_person_key_at_ingest() -> None:
    person = PersonSubject(name="Ahmed Ali", birth_date=date(1990, 1, 1))
    [key] = identifier_keys(person)
    assert key.type == "person-partial" and key.value == "ahmed ali|1990-01-01"
    # The birth-date block is unchanged: a partial date still finds spelling variants.
    assert [k.type for k in blocking_keys(person)] == ["person-dob"]
    full = PersonSubject(name="Ahmed Ali", birth_date=date(1990, 1, 2))
    assert [k.type for k in identifier_keys(full)] == ["person"]


def test_a_partial_date_person_alone_never_links() -> None:
    alone = [Evidence("person-partial", "p", rules.credit("person-partial", 2))]
    points, counted = pair_weight(alone)
    assert points == 0.0 < rules.LINK_THRESHOLD
    # Listed with 0 points: the explanation shows it did not count.
    assert [(e.key_type, e.points) for e in counted] == [("person-partial", 0.0)]
    similar = [Evidence(rules.SIMILAR_PERSON_PARTIAL, "b", 8.0)]
    assert pair_weight(similar)[0] == 0.0


@pytest.mark.parametrize("second", sorted(rules.CORROBORATING_TYPES))
def test_an_agreeing_second_identifier_lets_a_partial_date_count(second: str) -> None:
    # An address three signals share (below the threshold alone) plus the partial person links.
    weak = Evidence(second, "x", rules.credit("address", 3))
    assert pair_weight([weak])[0] < rules.LINK_THRESHOLD
    person = Evidence("person-partial", "p", rules.credit("person-partial", 2))
    points, counted = pair_weight([person, weak])
    assert points >= rules.LINK_THRESHOLD
    assert {e.key_type: e.points for e in counted}["person-partial"] == person.points


def test_an_email_links_but_does_not_corroborate_a_partial_date() -> None:
    points, counted = pair_weight(
        [Evidence("person-partial", "p", 6.0), Evidence("email", "e", 9.0)]
    )
    assert points == 9.0 and {e.key_type: e.points for e in counted}["person-partial"] == 0.0


# --- how common a name is ----------------------------------------------------------------------


def test_a_rare_name_keeps_its_full_credit() -> None:
    for names in (0, 1, 2, rules.COMMON_NAME_FROM):
        assert rules.person_credit("person", 2, names) == rules.BASE_WEIGHT["person"]


def test_a_common_name_and_date_shared_by_twenty_never_links_alone() -> None:
    """Issue 18: 9 - 4.3 > 4.5 linked twenty people; the name's own frequency now counts."""
    assert rules.credit("person", 20) >= rules.LINK_THRESHOLD  # as it was
    assert rules.person_credit("person", 20, 20) < rules.LINK_THRESHOLD
    # A very common name does not link on name and date alone, even between two signals.
    assert rules.person_credit("person", 2, 200) < rules.LINK_THRESHOLD
    assert rules.person_credit("person", 2, rules.NAME_COUNT_CAP * 10) == (
        rules.person_credit("person", 2, rules.NAME_COUNT_CAP)
    )


@given(st.integers(2, 30), st.integers(0, 2000))
def test_a_more_common_name_never_counts_for_more(carriers: int, names: int) -> None:
    assert rules.person_credit("person", carriers, names + 1) <= rules.person_credit(
        "person", carriers, names
    )
    assert rules.person_credit("person", carriers, names) >= 0.0


# --- contradicting evidence --------------------------------------------------------------------


def _facts(**tokens: set[str]) -> rules.PersonFacts:
    return rules.PersonFacts(**{k: frozenset(v) for k, v in tokens.items()})


def test_different_bsns_and_nationalities_contradict() -> None:
    a = _facts(bsn={"b1"}, nationality={"NG"})
    assert rules.person_conflicts(a, _facts(bsn={"b2"}, nationality={"GH"})) == [
        "bsn-conflict",
        "nationality-conflict",
    ]
    assert rules.person_conflicts(a, _facts(bsn={"b1"}, nationality={"NG"})) == []
    # What one side does not say cannot contradict.
    assert rules.person_conflicts(a, _facts()) == []


def _eras(year: int) -> frozenset[str]:
    era, shifted = rules.birth_eras(year)
    return frozenset({f"a{era}", f"b{shifted}"})


@given(st.integers(1900, 2026), st.integers(-2, 2))
def test_birth_years_within_typing_noise_never_contradict(year: int, gap: int) -> None:
    a, b = _facts(eras=_eras(year)), _facts(eras=_eras(year + gap))
    assert "birth-year-conflict" not in rules.person_conflicts(a, b)


@given(st.integers(1900, 2026), st.integers(rules.ERA_WIDTH, 80))
def test_birth_years_far_apart_always_contradict(year: int, gap: int) -> None:
    a, b = _facts(eras=_eras(year)), _facts(eras=_eras(year + gap))
    assert rules.person_conflicts(a, b) == ["birth-year-conflict"]


def test_a_conflict_vetoes_a_person_only_link_and_counts_against_others() -> None:
    person = Evidence("person", "p", 9.0)
    points, counted = pair_weight([person, rules.conflict("bsn-conflict")])
    assert points == 0.0
    # The explanation shows the negative part beside the positive one.
    assert [(e.key_type, e.points) for e in counted] == [("person", 9.0), ("bsn-conflict", -12.0)]
    similar = Evidence(rules.SIMILAR_PERSON, "b", 8.0)
    assert pair_weight([similar, rules.conflict("nationality-conflict")])[0] == 0.0
    # Beside a phone it is not a veto, but it counts: a phone and a nationality conflict link...
    phone = Evidence("phone", "t", 8.0)
    assert pair_weight([phone, rules.conflict("nationality-conflict")])[0] >= rules.LINK_THRESHOLD
    # ... a father and son at one address (same name, years apart) do not.
    address = Evidence("address", "a", 5.0)
    assert pair_weight([address, rules.conflict("birth-year-conflict")])[0] < rules.LINK_THRESHOLD


def test_a_conflict_never_takes_points_from_a_shared_document_or_bsn() -> None:
    """FEBRL4's duplicates: the same SSN, a birth year mistyped. The document still links."""
    document, person = Evidence("document", "d", 12.0), Evidence("person", "p", 9.0)
    year = rules.conflict("birth-year-conflict")
    assert pair_weight([document, person, year])[0] == 12.0 + 1.0
    assert pair_weight([document, year])[0] == 12.0
    assert (
        pair_weight([Evidence("bsn", "b", 12.0), rules.conflict("nationality-conflict")])[0] == 12.0
    )
    # What the conflict takes comes out of the rest, never below nothing.
    address = Evidence("address", "a", 5.0)
    assert pair_weight([document, address, rules.conflict("bsn-conflict")])[0] == 12.0


def test_documents_of_one_kind_and_country_with_different_numbers_contradict() -> None:
    assert rules.document_conflict({"NL-pp": frozenset({"n1"})}, {"NL-pp": frozenset({"n2"})})
    # The same number once read as a scanner may have: no conflict.
    assert not rules.document_conflict({"NL-pp": frozenset({"n1"})}, {"NL-pp": frozenset({"n1"})})
    # Different kinds or countries are not comparable; two passports in one signal may be two
    # people's.
    assert not rules.document_conflict({"NL-pp": frozenset({"n1"})}, {"RO-pp": frozenset({"n2"})})
    assert not rules.document_conflict(
        {"NL-pp": frozenset({"n1", "n3"})}, {"NL-pp": frozenset({"n2"})}
    )


def test_fact_keys_are_made_at_ingest_and_only_tokens_of_them_are_stored() -> None:
    person = PersonSubject(
        name="Taras Shevchenko", birth_date=date(1990, 3, 9), nationality="UA", bsn="111222333"
    )
    kinds = {k.type: k.value for k in fact_keys(person)}
    assert kinds["person-name"] == "taras shevchenko" and kinds["nationality"] == "UA"
    assert (kinds["birth-era"], kinds["birth-era-shifted"]) == rules.birth_eras(1990)
    document = DocumentSubject(kind="passport", number="AB1O5SI8", issuing_country="UA")
    kinds = {k.type: k.value for k in fact_keys(document)}
    assert kinds == {"document-scope": "UA|passport", "document-ocr": "UA|passport|A8105518"}


# --- spelling ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Taras Shevchenko", "Taras Ševčenko"),
        ("Taras Shevchenko", "Taras Schewtschenko"),
        ("Taras Shevchenko", "Taras Chevtchenko"),
        ("Taras Shevchenko", "Taras Szewczenko"),
        ("Taras Ševčenko", "Taras Schewtschenko"),
        ("Maria Georgieva", "Maria Gueorguieva"),
        ("Oleksandr Zhukov", "Oleksandr Schukow"),
        ("Yuri Ivanov", "Iouri Iwanow"),
        # The synthetic population's romanisations the rules missed (bench/recall_misses.py):
        # j and y for й, я, ю; ts and c for ц; a first letter that changes the words' sorted
        # order (Zhanna, Janna).
        ("Zhanna Savchenko", "Janna Savtchenko"),
        ("Yuliia Yaroshenko", "Jarošenko Julija"),
        ("Yordan Tsvetkov", "Cvetkov Jordan"),
        ("Tsvetelina Zhelyazkova", "Zwetelina Scheljaskowa"),
        ("Zhivko Hristov", "Schiwko Christow"),
        ("Hristo Zhelyazkov", "Christo Żelazkow"),
        ("Zhivko Tsvetkov", "Jivko Tsvetkov"),
    ],
)
def test_one_name_in_other_alphabets_spellings_is_the_same_person(a: str, b: str) -> None:
    born = "1988-05-23"
    assert similarity(PersonKey(a.lower(), born), PersonKey(b.lower(), born)) > 0


def test_the_spelling_key_folds_the_slavic_forms_together() -> None:
    forms = {"Shevchenko", "Ševčenko", "Schewtschenko", "Chevtchenko", "Szewczenko"}
    assert len({spelled(f) for f in forms}) == 1
    assert spelled("Georgieva") == spelled("Gueorguieva")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Taras Shevchenko", "Oleg Sidorenko"),
        ("Maria Georgieva", "Maria Petrova"),
        ("Yana Kovach", "Jana Novak"),
        ("Tsvetan Petrov", "Cvetan Ivanov"),
        ("Jan de Vries", "Jan de Boer"),
    ],
)
def test_different_names_stay_different(a: str, b: str) -> None:
    born = "1988-05-23"
    assert similarity(PersonKey(a.lower(), born), PersonKey(b.lower(), born)) == 0.0


def test_document_numbers_compare_through_scanner_slips() -> None:
    assert near_documents("UA|passport|AB1234505", "UA|passport|AB12345O5")  # O for 0
    assert near_documents("UA|passport|FS10B8I2", "UA|passport|F5IO88I2")  # S/5, 1/I, 0/O, B/8
    assert near_documents("UA|passport|AB123456", "UA|passport|AB123457")  # one typo, as before
    assert not near_documents("UA|passport|AB123456", "UA|passport|AB123456")  # the same: exact
    assert not near_documents("UA|passport|AB123456", "UA|passport|AB654321")
    assert not near_documents("UA|passport|AB12345O5", "RO|passport|AB1234505")


# --- a name without a birth date ---------------------------------------------------------------


def test_a_name_without_a_date_never_links_alone() -> None:
    alone = [Evidence(rules.NAME_ONLY, "n", rules.NAME_ONLY_WEIGHT)]
    points, counted = pair_weight(alone)
    assert points == 0.0 < rules.LINK_THRESHOLD
    assert [(e.key_type, e.points) for e in counted] == [(rules.NAME_ONLY, 0.0)]
    # Nor beside a company name or KvK number, which say where someone works, not who.
    beside = [*alone, Evidence("kvk", "k", rules.credit("kvk", 3))]
    assert pair_weight(beside)[0] < rules.LINK_THRESHOLD


def test_a_name_without_a_date_beside_an_agreeing_address_links() -> None:
    # An address four parties share (below the threshold alone) and the same name.
    shared = [
        Evidence(rules.NAME_ONLY, "n", rules.NAME_ONLY_WEIGHT),
        Evidence("address", "a", rules.credit("address", 4)),
    ]
    assert rules.credit("address", 4) < rules.LINK_THRESHOLD <= pair_weight(shared)[0]
    # A contradiction (another nationality) vetoes it like any link resting on the person.
    assert rules.NAME_ONLY in rules.PERSON_ONLY_TYPES
