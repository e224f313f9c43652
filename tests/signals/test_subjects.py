"""Subject validation, normalisation and identifier keys (pure, no database)."""

import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from hub.signals.subjects import (
    SUBJECT_TYPES,
    AddressSubject,
    CompanySubject,
    DocumentSubject,
    EmailSubject,
    IbanSubject,
    IdentifierKey,
    PersonSubject,
    PhoneSubject,
    Subject,
    VehicleSubject,
    WebsiteSubject,
    identifier_keys,
)

SUBJECTS = TypeAdapter(Subject)
SUBJECT_LIST = TypeAdapter(list[Subject])
MODELS: tuple[type[BaseModel], ...] = (
    PersonSubject,
    AddressSubject,
    CompanySubject,
    IbanSubject,
    PhoneSubject,
    EmailSubject,
    VehicleSubject,
    DocumentSubject,
    WebsiteSubject,
)

VALID_IBAN = "NL91 ABNA 0417 1643 00"
VALID_BSN = "111222333"


def keys_of(data: dict[str, Any]) -> list[IdentifierKey]:
    return identifier_keys(SUBJECTS.validate_python(data))


def error_locs(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    return [err["loc"] for err in exc.value.errors()]


# --- contract ------------------------------------------------------------------------------------


def test_subject_types_match_the_union_members() -> None:
    assert tuple(model.model_fields["type"].default for model in MODELS) == SUBJECT_TYPES


def test_field_names_do_not_clash_with_subject_types() -> None:
    # Error locations carry the union tag (e.g. (0, "iban", "number")); the API layer drops the
    # step equal to the object's own type, so a field named like its own type would be ambiguous.
    # EmailSubject.address (an API name) matches the "address" type, which is harmless for that
    # rule; any new clash must be looked at.
    clashes = {
        (model.model_fields["type"].default, field)
        for model in MODELS
        for field in model.model_fields
        if field in SUBJECT_TYPES
    }
    assert clashes == {("email", "address")}


def test_module_is_pure() -> None:
    code = (
        "import sys, hub.signals.subjects; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "data",
    [
        {"type": "person", "name": "Jan", "nickname": "J"},
        {"type": "iban", "number": VALID_IBAN, "owner": "Jan"},
        {"type": "website", "url": "https://example.com", "person": "x"},
    ],
)
def test_unknown_fields_are_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python(data)
    assert [err["type"] for err in exc.value.errors()] == ["extra_forbidden"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "person", "name": "Jan\x00de Vries"}, "name"),
        ({"type": "person", "name": "Jan de Vries\n"}, "name"),  # would be stripped otherwise
        ({"type": "address", "street": "Dam\t1", "house_number": 1, "city": "A"}, "street"),
        ({"type": "company", "name": "Acme\x1b[31m"}, "name"),
        ({"type": "iban", "number": "NL91ABNA0417164300\x07"}, "number"),
        ({"type": "email", "address": "jan@example.com\r"}, "address"),
        ({"type": "vehicle", "plate": "AB-123-C\x7f"}, "plate"),
        ({"type": "website", "url": "https://example.com/\x00"}, "url"),
    ],
)
def test_control_characters_are_rejected(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python(data)
    assert error_locs(exc) == [(data["type"], field)]
    assert "control characters" in str(exc.value)


# --- person --------------------------------------------------------------------------------------


def test_person_is_normalised() -> None:
    person = PersonSubject(
        name="  \uff2a\uff21\uff2e   de\u00a0Vries ",
        birth_date=date(1990, 5, 17),
        nationality="nl",
        bsn="111 222 333",
        role="victim",
    )
    assert person.name == "JAN de Vries"  # NFKC and single spaces, case kept for display
    assert person.nationality == "NL"
    assert person.bsn == VALID_BSN
    assert identifier_keys(person) == [
        IdentifierKey("person", "jan de vries|1990-05-17"),
        IdentifierKey("bsn", VALID_BSN),
    ]


def test_person_name_variants_share_a_key() -> None:
    variants = [
        "\uff2a\uff21\uff2e  de Vries",
        "jan de vries",
        "Jan De VRIES",
        " Jan\u3000de  Vries ",
    ]
    keys = {
        tuple(keys_of({"type": "person", "name": n, "birth_date": "1990-05-17"})) for n in variants
    }
    assert len(keys) == 1


def test_person_without_birth_date_or_bsn_has_no_keys() -> None:
    assert identifier_keys(PersonSubject(name="Jan de Vries")) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 201),
        ("name", "\ufdfa" * 12),  # each expands to 18 characters under NFKC
        ("birth_date", date.today() + timedelta(days=1)),
        ("birth_date", date(1899, 12, 31)),
        ("nationality", "XX"),
        ("nationality", "NLD"),
        ("bsn", "111222334"),  # fails the 11-test
        ("bsn", "12345678a"),
        ("role", "boss"),
    ],
)
def test_person_rejects(field: str, value: Any) -> None:
    data = {"type": "person", "name": "Jan de Vries", field: value}
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python(data)
    assert error_locs(exc) == [("person", field)]


# --- address -------------------------------------------------------------------------------------


def test_dutch_postcode_variants_share_a_key() -> None:
    a = AddressSubject(postcode="1012ab", house_number=1, addition="-a")
    b = AddressSubject(postcode="1012 AB", house_number=1, addition="A", city="Amsterdam")
    assert a.postcode == "1012 AB"
    assert a.addition == "A"
    assert identifier_keys(a) == identifier_keys(b) == [IdentifierKey("address", "NL|1012AB|1|A")]


def test_address_by_street_is_keyed_caselessly() -> None:
    a = AddressSubject(street="Damstraat", house_number=12, city="Amsterdam", country="be")
    b = AddressSubject(street="DAMSTRAAT ", house_number=12, city="amsterdam", country="BE")
    assert a.country == "BE"
    assert identifier_keys(a) == identifier_keys(b)
    assert identifier_keys(a) == [IdentifierKey("address", "BE|damstraat|12||amsterdam")]


def test_foreign_postcode_is_uppercased_and_collapsed() -> None:
    address = AddressSubject(country="gb", postcode=" sw1a   1aa", house_number=10)
    assert address.postcode == "SW1A 1AA"
    assert identifier_keys(address) == [IdentifierKey("address", "GB|SW1A1AA|10|")]


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"postcode": "1012 SS", "house_number": 1}, ("address", "postcode")),
        ({"postcode": "0123 AB", "house_number": 1}, ("address", "postcode")),
        ({"postcode": "12345", "house_number": 1}, ("address", "postcode")),
        ({"postcode": "1012 AB", "house_number": 0}, ("address", "house_number")),
        ({"postcode": "1012 AB", "house_number": 100000}, ("address", "house_number")),
        ({"postcode": "1012 AB", "house_number": 1, "addition": "-"}, ("address", "addition")),
        ({"postcode": "1012 AB", "house_number": 1, "addition": "½"}, ("address", "addition")),
        ({"postcode": "1012 AB", "house_number": 1, "addition": "A" * 11}, ("address", "addition")),
        ({"postcode": "1012 AB", "house_number": 1, "country": "ZZ"}, ("address", "country")),
        ({"postcode": "1012 AB"}, ("address",)),
        ({"street": "Damstraat", "house_number": 1}, ("address",)),
        ({"street": "x" * 201, "house_number": 1, "city": "A"}, ("address", "street")),
    ],
)
def test_address_rejects(data: dict[str, Any], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python({"type": "address", **data})
    assert error_locs(exc) == [loc]


# --- company -------------------------------------------------------------------------------------


def test_company_is_normalised() -> None:
    company = CompanySubject(name="Acme  Uitzendbureau B.V.", kvk_number="12.345.678")
    assert company.kvk_number == "12345678"
    assert identifier_keys(company) == [
        IdentifierKey("kvk", "12345678"),
        IdentifierKey("company-name", "acme uitzendbureau b.v."),
    ]
    assert (
        identifier_keys(CompanySubject(name="ACME uitzendbureau b.v."))
        == identifier_keys(company)[1:]
    )


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"kvk_number": "1234567"}, ("company", "kvk_number")),
        ({"kvk_number": "1234567a"}, ("company", "kvk_number")),
        ({"kvk_number": "123456789"}, ("company", "kvk_number")),
        ({}, ("company",)),
    ],
)
def test_company_rejects(data: dict[str, Any], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python({"type": "company", **data})
    assert error_locs(exc) == [loc]


# --- iban ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [VALID_IBAN, "NL91ABNA0417164300", "nl91 abna 0417 1643 00"])
def test_iban_variants_share_a_key(number: str) -> None:
    iban = IbanSubject(number=number, bic="abnanl2a")
    assert iban.number == "NL91ABNA0417164300"
    assert iban.bic == "ABNANL2A"
    assert identifier_keys(iban) == [IdentifierKey("iban", "NL91ABNA0417164300")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"number": "NL91ABNA0417164301"}, "number"),  # checksum
        ({"number": "NL91ABNA041716430"}, "number"),  # length
        ({"number": "XX91ABNA0417164300"}, "number"),  # country
        ({"number": VALID_IBAN, "bic": "ABNAXX2A"}, "bic"),
        ({"number": VALID_IBAN, "bic": "ABN"}, "bic"),
    ],
)
def test_iban_rejects(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python({"type": "iban", **data})
    assert error_locs(exc) == [("iban", field)]


# --- phone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["06-12345678", "+31 6 12345678", "0031612345678", "(06) 1234 5678"]
)
def test_phone_variants_share_a_key(number: str) -> None:
    phone = PhoneSubject(number=number)
    assert phone.number == "+31612345678"
    assert identifier_keys(phone) == [IdentifierKey("phone", "+31612345678")]


def test_foreign_phone_is_e164() -> None:
    assert PhoneSubject(number="+40 712 034 567").number == "+40712034567"


@pytest.mark.parametrize("number", ["12345", "hello", "+31 6 123", "+999 12345678"])
def test_phone_rejects(number: str) -> None:
    with pytest.raises(ValidationError) as exc:
        PhoneSubject(number=number)
    assert error_locs(exc) == [("number",)]


# --- email ---------------------------------------------------------------------------------------


def test_email_is_lowercased() -> None:
    a = EmailSubject(address=" Jan.de.Vries@Example.COM ")
    b = EmailSubject(address="jan.de.vries@example.com")
    assert a.address == "jan.de.vries@example.com"
    assert identifier_keys(a) == identifier_keys(b) == [IdentifierKey("email", a.address)]


@pytest.mark.parametrize("address", ["not-an-email", "jan@", "jan@@example.com", "jan@localhost"])
def test_email_rejects(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        EmailSubject(address=address)
    assert error_locs(exc) == [("address",)]


# --- vehicle -------------------------------------------------------------------------------------


def test_plate_variants_share_a_key() -> None:
    a = VehicleSubject(plate="ab-123-c")
    b = VehicleSubject(plate="AB123C")
    assert a.plate == "AB123C"
    assert identifier_keys(a) == identifier_keys(b) == [IdentifierKey("vehicle", "NL|AB123C")]


@pytest.mark.parametrize(
    "plate",
    [
        "AB-12-34",  # 1
        "12-34-AB",  # 2
        "12-AB-34",  # 3
        "AB-12-CD",  # 4
        "AB-CD-12",  # 5
        "12-AB-CD",  # 6
        "12-ABC-3",  # 7
        "1-ABC-23",  # 8
        "AB-123-C",  # 9
        "A-123-BC",  # 10
        "ABC-12-D",  # 11
        "A-12-BCD",  # 12
        "1-AB-234",  # 13
        "123-AB-4",  # 14
    ],
)
def test_dutch_side_codes_are_accepted(plate: str) -> None:
    assert VehicleSubject(plate=plate).plate == plate.replace("-", "")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"plate": "ABCDEF"}, "plate"),
        ({"plate": "123456"}, "plate"),
        ({"plate": "AB-12"}, "plate"),
        ({"plate": "AB-12-34-5"}, "plate"),
        ({"plate": "X", "country": "DE"}, "plate"),
        ({"plate": "ÄB 123", "country": "DE"}, "plate"),
        ({"plate": "AB-12-34", "country": "QQ"}, "country"),
    ],
)
def test_vehicle_rejects(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python({"type": "vehicle", **data})
    assert error_locs(exc) == [("vehicle", field)]


def test_foreign_plate_is_compacted() -> None:
    vehicle = VehicleSubject(plate="b-mw 1234", country="de")
    assert identifier_keys(vehicle) == [IdentifierKey("vehicle", "DE|BMW1234")]


# --- document ------------------------------------------------------------------------------------


def test_document_is_normalised() -> None:
    document = DocumentSubject(kind="passport", number="nx-12 34 56", issuing_country="ro")
    assert document.number == "NX123456"
    assert identifier_keys(document) == [IdentifierKey("document", "RO|passport|NX123456")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"number": "AB12"}, "number"),
        ({"number": "AB12#456"}, "number"),
        ({"number": "A" * 21}, "number"),
        ({"kind": "id card"}, "kind"),
        ({"issuing_country": "XX"}, "issuing_country"),
    ],
)
def test_document_rejects(data: dict[str, Any], field: str) -> None:
    base = {"type": "document", "kind": "id-card", "number": "NX1234567", "issuing_country": "NL"}
    with pytest.raises(ValidationError) as exc:
        SUBJECTS.validate_python({**base, **data})
    assert error_locs(exc) == [("document", field)]


# --- website -------------------------------------------------------------------------------------


def test_website_is_normalised() -> None:
    site = WebsiteSubject(url="HTTPS://WWW.Example.COM:443/Ads/Page/?id=7#top")
    assert site.url == "https://example.com/Ads/Page?id=7"
    assert identifier_keys(site) == [IdentifierKey("website", "example.com/Ads/Page")]


@pytest.mark.parametrize(
    "url", ["http://www.example.com", "https://example.com/", "https://EXAMPLE.com:443"]
)
def test_website_variants_share_a_key(url: str) -> None:
    assert keys_of({"type": "website", "url": url}) == [IdentifierKey("website", "example.com")]


def test_website_idna_and_port() -> None:
    assert WebsiteSubject(url="http://www.Bücher.example/").url == "http://xn--bcher-kva.example"
    assert WebsiteSubject(url="http://example.com:8080/x/").url == "http://example.com:8080/x"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "javascript:alert(1)",
        "example.com",
        "https://user:secret@example.com/",
        "https://localhost/",
        "https://exa mple.com/",
        "https://example.com:99999/",
    ],
)
def test_website_rejects(url: str) -> None:
    with pytest.raises(ValidationError) as exc:
        WebsiteSubject(url=url)
    assert error_locs(exc) == [("url",)]


# --- discriminated union -------------------------------------------------------------------------


def test_union_dispatches_on_type() -> None:
    subjects = SUBJECT_LIST.validate_python(
        [
            {"type": "person", "name": "Jan de Vries"},
            {"type": "iban", "number": VALID_IBAN},
            {"type": "phone", "number": "06-12345678"},
        ]
    )
    assert [type(s) for s in subjects] == [PersonSubject, IbanSubject, PhoneSubject]


def test_union_error_location_has_index_and_field() -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECT_LIST.validate_python(
            [
                {"type": "person", "name": "Jan de Vries"},
                {"type": "iban", "number": "NL91ABNA0417164301"},
            ]
        )
    (loc,) = error_locs(exc)
    assert loc == (1, "iban", "number")


def test_union_rejects_unknown_type() -> None:
    with pytest.raises(ValidationError) as exc:
        SUBJECT_LIST.validate_python([{"type": "spaceship", "name": "x"}])
    assert [err["type"] for err in exc.value.errors()] == ["union_tag_invalid"]


# --- property: normalisation is a fixed point ----------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)


def _styled(value: str) -> st.SearchStrategy[str]:
    """Formatting variants of one identifier: case and separators."""
    return st.sampled_from([value, value.lower(), f" {value} ", "-".join(value), " ".join(value)])


_raw_subjects = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("person"), "name": _text},
        optional={
            "birth_date": st.dates(date(1900, 1, 1), date.today()),
            "nationality": st.sampled_from(["nl", "RO", "bg", "Ng"]),
            "bsn": st.sampled_from([VALID_BSN, "111 222 333", "123456782"]),
        },
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("address"),
            "postcode": st.from_regex(r"[1-9][0-9]{3} ?[a-rt-zA-RT-Z]{2}", fullmatch=True),
            "house_number": st.integers(1, 99999),
        },
        optional={"addition": st.from_regex(r"[a-zA-Z0-9]{1,4}", fullmatch=True)},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("address"),
            "street": _text,
            "house_number": st.integers(1, 99999),
            "city": _text,
            "country": st.sampled_from(["de", "BE", "Ro"]),
        }
    ),
    st.fixed_dictionaries({"type": st.just("company"), "name": _text}),
    st.fixed_dictionaries(
        {"type": st.just("iban"), "number": st.sampled_from([VALID_IBAN, "DE89370400440532013000"])}
    ),
    st.fixed_dictionaries(
        {"type": st.just("phone"), "number": st.from_regex(r"06[1-5][0-9]{7}", fullmatch=True)}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("email"),
            "address": st.from_regex(
                r"[a-zA-Z0-9]{1,10}@[a-zA-Z0-9]{1,10}\.(nl|COM)", fullmatch=True
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("vehicle"),
            "plate": st.from_regex(r"[a-z]{2}-?[0-9]{3}-?[a-zA-Z]", fullmatch=True),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("document"),
            "kind": st.sampled_from(["passport", "id-card", "visa"]),
            "number": st.from_regex(r"[a-zA-Z0-9]{5,9}", fullmatch=True).flatmap(_styled),
            "issuing_country": st.sampled_from(["nl", "RO"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("website"),
            "url": st.from_regex(
                r"(http|HTTPS)://(www\.)*[a-zA-Z0-9]{1,10}\.(nl|com)(:(80|443|8080))?(/[a-zA-Z0-9]{0,5})*/?(#x)?",
                fullmatch=True,
            ),
        }
    ),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_raw_subjects)
def test_identifier_keys_are_stable_under_revalidation(raw: dict[str, Any]) -> None:
    try:
        subject = SUBJECTS.validate_python(raw)
    except ValidationError:
        reject()  # e.g. a name of only whitespace; not what this property is about
    again = SUBJECTS.validate_python(SUBJECTS.dump_python(subject, mode="json"))
    assert again == subject
    assert identifier_keys(again) == identifier_keys(subject)
