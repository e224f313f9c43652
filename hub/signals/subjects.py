"""Typed signal subjects: validation, normalisation and the identifier keys used for matching.

Pure module: pydantic and identifier libraries only, no FastAPI or SQLAlchemy.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

import idna
import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from schwifty import BIC, IBAN
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.nl import bsn as nl_bsn
from stdnum.nl import postcode as nl_postcode

from hub.kit.text import NAME_PATTERN, documented, refuse_hidden
from hub.kit.times import Day
from hub.linking.rules import (
    CONFLICTING_DOCUMENT_KINDS,
    birth_eras,
    is_partial_date,
    ocr_key,
)

__all__ = [
    "BLOCKING_TYPES",
    "FACT_TYPES",
    "SUBJECT_TYPES",
    "AddressSubject",
    "CompanySubject",
    "DocumentSubject",
    "EmailSubject",
    "IbanSubject",
    "IdentifierKey",
    "PersonSubject",
    "PhoneSubject",
    "Subject",
    "VehicleSubject",
    "WebsiteSubject",
    "blocking_keys",
    "fact_keys",
    "identifier_keys",
]

_MODEL_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)


# --- shared field types ------------------------------------------------------------------------


def _collapse(value: str) -> str:
    """Apply Unicode NFKC and collapse every run of whitespace to one space."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def _clean_text(value: str) -> str:
    """Normalise free text (NFKC, single spaces) and re-check the 200-character limit."""
    cleaned = _collapse(value)
    # NFKC can expand a character (e.g. a ligature) beyond the limit checked on the raw input.
    if len(cleaned) > 200:
        raise ValueError("must be at most 200 characters after normalisation")
    if not cleaned:
        raise ValueError("must not be empty")
    return cleaned


def _country_code(value: str) -> str:
    """Validate an ISO 3166-1 alpha-2 code and return it in uppercase."""
    code = value.upper()
    if len(code) != 2 or not code.isascii() or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. 'NL'")
    return code


def _compact(value: str) -> str:
    """Uppercase and remove spaces and dashes, the usual separators in printed identifiers."""
    return re.sub(r"[\s\-]", "", value).upper()


# Runs before str_strip_whitespace, so a trailing newline is refused rather than silently
# stripped; bidi, zero-width and non-characters would make equal-looking identifiers differ.
_NoControl = BeforeValidator(refuse_hidden)
Text200 = Annotated[
    str,
    _NoControl,
    Field(min_length=1, max_length=200),
    AfterValidator(_clean_text),
    documented(NAME_PATTERN),
]
CountryCode = Annotated[
    str, _NoControl, Field(min_length=1, max_length=2), AfterValidator(_country_code)
]


# --- subject models ----------------------------------------------------------------------------


class PersonSubject(BaseModel):
    """A natural person; the name keeps its case for display."""

    model_config = _MODEL_CONFIG

    type: Literal["person"] = "person"
    name: Text200
    # The ADR linter wants `format` on the property itself, not only inside the nullable anyOf.
    # The ADR linter looks for the date format on the property itself, not inside anyOf.
    birth_date: Day | None = Field(None, json_schema_extra={"format": "date"})
    nationality: CountryCode | None = None
    bsn: Annotated[str, _NoControl, Field(min_length=1, max_length=20)] | None = None
    role: Literal["victim", "suspect", "witness", "facilitator", "other"] | None = None

    @field_validator("birth_date")
    @classmethod
    def _check_birth_date(cls, value: date | None) -> date | None:
        if value is None:
            return None
        if value > date.today():
            raise ValueError("birth date must not be in the future")
        if value < _EARLIEST_BIRTH_DATE:
            raise ValueError("birth date must not be before 1900-01-01")
        return value

    @field_validator("bsn")
    @classmethod
    def _check_bsn(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return nl_bsn.validate(value)  # includes the 11-test; returns the 9-digit form
        except StdnumValidationError:
            raise ValueError("must be a valid BSN (9 digits passing the 11-test)") from None


class AddressSubject(BaseModel):
    """A postal address, identified by postcode + house number or by street + number + city."""

    model_config = _MODEL_CONFIG

    type: Literal["address"] = "address"
    # Declared before postcode so the postcode validator can read it from info.data and report
    # a bad postcode at its own location rather than at model level.
    country: CountryCode = "NL"
    postcode: Annotated[str, _NoControl, Field(min_length=1, max_length=12)] | None = None
    house_number: Annotated[int, Field(ge=1, le=99999)] | None = None
    addition: Annotated[str, _NoControl, Field(min_length=1, max_length=10)] | None = None
    street: Text200 | None = None
    city: Text200 | None = None

    @field_validator("postcode")
    @classmethod
    def _check_postcode(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        # If the country itself was invalid it is missing here; that error is reported already.
        if info.data.get("country") == "NL":
            try:
                return nl_postcode.validate(value)  # "1234 AB"
            except StdnumValidationError:
                raise ValueError("must be a valid Dutch postcode, e.g. '1012 AB'") from None
        return " ".join(value.upper().split())

    @field_validator("addition")
    @classmethod
    def _check_addition(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compact = _compact(value)
        if not re.fullmatch(r"[A-Z0-9]{1,10}", compact):
            raise ValueError("house number addition must be 1-10 letters or digits")
        return compact

    @model_validator(mode="after")
    def _check_identifiable(self) -> AddressSubject:
        by_postcode = self.postcode is not None and self.house_number is not None
        by_street = None not in (self.street, self.house_number, self.city)
        if not (by_postcode or by_street):
            raise ValueError(
                "address needs either postcode and house_number, or street, house_number and city"
            )
        return self


class CompanySubject(BaseModel):
    """A company, by Chamber of Commerce (KvK) number and/or trade name."""

    model_config = _MODEL_CONFIG

    type: Literal["company"] = "company"
    name: Text200 | None = None
    kvk_number: Annotated[str, _NoControl, Field(min_length=1, max_length=20)] | None = None

    @field_validator("kvk_number")
    @classmethod
    def _check_kvk(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # python-stdnum has no KvK module, and KvK numbers no longer carry a check digit
        # (the 11-test was dropped for new numbers), so the format is all that can be checked.
        compact = re.sub(r"[\s.]", "", value)
        if not re.fullmatch(r"[0-9]{8}", compact):
            raise ValueError("KvK number must be exactly 8 digits")
        return compact

    @model_validator(mode="after")
    def _check_identifiable(self) -> CompanySubject:
        if self.name is None and self.kvk_number is None:
            raise ValueError("company needs a name or a kvk_number")
        return self


class IbanSubject(BaseModel):
    """A bank account by IBAN, optionally with the bank's BIC."""

    model_config = _MODEL_CONFIG

    type: Literal["iban"] = "iban"
    number: Annotated[str, _NoControl, Field(min_length=1, max_length=50)]
    bic: Annotated[str, _NoControl, Field(min_length=1, max_length=15)] | None = None

    @field_validator("number")
    @classmethod
    def _check_iban(cls, value: str) -> str:
        try:
            return IBAN(value).compact  # checksum and per-country BBAN format
        except ValueError as exc:
            raise ValueError(f"must be a valid IBAN ({exc})") from None

    @field_validator("bic")
    @classmethod
    def _check_bic(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return BIC(value).compact
        except ValueError as exc:
            raise ValueError(f"must be a valid BIC ({exc})") from None


class PhoneSubject(BaseModel):
    """A phone number; national numbers are read as Dutch."""

    model_config = _MODEL_CONFIG

    type: Literal["phone"] = "phone"
    number: Annotated[str, _NoControl, Field(min_length=1, max_length=40)]

    @field_validator("number")
    @classmethod
    def _check_phone(cls, value: str) -> str:
        try:
            parsed = phonenumbers.parse(value, "NL")
        except phonenumbers.NumberParseException:
            raise ValueError("must be a phone number, e.g. '+31 6 12345678'") from None
        if not phonenumbers.is_valid_number(parsed):
            raise ValueError("must be a valid phone number for its country")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class EmailSubject(BaseModel):
    """An e-mail address, stored normalised and lowercased."""

    model_config = _MODEL_CONFIG

    type: Literal["email"] = "email"
    address: Annotated[str, _NoControl, Field(min_length=1, max_length=320)]

    @field_validator("address")
    @classmethod
    def _check_email(cls, value: str) -> str:
        try:
            # No DNS: validation must stay pure and must not leak what the hub is looking at.
            normalised = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValueError(f"must be a valid e-mail address ({exc})") from None
        # Local parts are case-sensitive in theory but not in practice; lowercase for matching.
        return normalised.lower()


# Dutch licence-plate side codes (RDW): X = letter, 9 = digit. Plates are stored without dashes,
# and the letter/digit patterns of the 14 side codes are all distinct, so no grouping is lost.
_NL_SIDE_CODES: dict[int, str] = {
    1: "XX-99-99",
    2: "99-99-XX",
    3: "99-XX-99",
    4: "XX-99-XX",
    5: "XX-XX-99",
    6: "99-XX-XX",
    7: "99-XXX-9",
    8: "9-XXX-99",
    9: "XX-999-X",
    10: "X-999-XX",
    11: "XXX-99-X",
    12: "X-99-XXX",
    13: "9-XX-999",
    14: "999-XX-9",
}
_NL_PLATE_RES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern.replace("-", "").replace("X", "[A-Z]").replace("9", "[0-9]"))
    for pattern in _NL_SIDE_CODES.values()
)


class VehicleSubject(BaseModel):
    """A vehicle by licence plate and registration country."""

    model_config = _MODEL_CONFIG

    type: Literal["vehicle"] = "vehicle"
    # Declared before plate: the plate rules depend on the country.
    country: CountryCode = "NL"
    plate: Annotated[str, _NoControl, Field(min_length=1, max_length=20)]

    @field_validator("plate")
    @classmethod
    def _check_plate(cls, value: str, info: ValidationInfo) -> str:
        plate = _compact(value)
        if info.data.get("country") == "NL":
            if not any(regex.fullmatch(plate) for regex in _NL_PLATE_RES):
                raise ValueError(
                    "must be a Dutch licence plate (side codes 1-14, e.g. 'AB-123-C'); "
                    "set country for a foreign plate"
                )
        elif not re.fullmatch(r"[A-Z0-9]{2,12}", plate):
            raise ValueError("licence plate must be 2-12 letters or digits")
        return plate


class DocumentSubject(BaseModel):
    """An identity or travel document."""

    model_config = _MODEL_CONFIG

    type: Literal["document"] = "document"
    kind: Literal[
        "passport",
        "id-card",
        "residence-permit",
        "driving-licence",
        "visa",
        "travel-document",
        "other",
    ]
    number: Annotated[str, _NoControl, Field(min_length=1, max_length=40)]
    issuing_country: CountryCode

    @field_validator("number")
    @classmethod
    def _check_number(cls, value: str) -> str:
        number = _compact(value)
        if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
            raise ValueError("document number must be 5-20 letters or digits")
        return number


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _normalise_host(host: str) -> str:
    """Return the ASCII (IDNA) form of a host name or the canonical form of an IP address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        ascii_host = idna.encode(host.rstrip("."), uts46=True).decode("ascii")
    except UnicodeError:  # idna.IDNAError and codec errors
        raise ValueError("URL host is not a valid domain name") from None
    # Loop (while a domain remains) so that re-validating a normalised URL is a no-op.
    while ascii_host.startswith("www.") and "." in ascii_host[4:]:
        ascii_host = ascii_host[4:]
    if "." not in ascii_host:
        raise ValueError("URL host must be a full domain name, e.g. 'example.com'")
    return ascii_host


class WebsiteSubject(BaseModel):
    """A website or page, by http(s) URL."""

    model_config = _MODEL_CONFIG

    type: Literal["website"] = "website"
    url: Annotated[str, _NoControl, Field(min_length=1, max_length=2048)]

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            port = parts.port
        except ValueError:
            raise ValueError("must be a valid URL") from None
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise ValueError("URL must start with http:// or https://")
        if not parts.hostname:
            raise ValueError("URL must have a host")
        # Credentials in a URL are not an identifier and must not travel through the hub.
        if parts.username is not None or parts.password is not None:
            raise ValueError("URL must not contain a user name or password")
        netloc = _normalise_host(parts.hostname)
        if port is not None and port != _DEFAULT_PORTS[scheme]:
            netloc = f"{netloc}:{port}"
        return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


Subject = Annotated[
    PersonSubject
    | AddressSubject
    | CompanySubject
    | IbanSubject
    | PhoneSubject
    | EmailSubject
    | VehicleSubject
    | DocumentSubject
    | WebsiteSubject,
    Field(discriminator="type"),
]

SUBJECT_TYPES: tuple[str, ...] = (
    "person",
    "address",
    "company",
    "iban",
    "phone",
    "email",
    "vehicle",
    "document",
    "website",
)


# --- identifier keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierKey:
    """A canonical (type, value) pair; the hub blind-indexes these to match signals."""

    type: str
    value: str
    # What is stored (encrypted) beside the token when that is not `value` itself: a birth-date
    # block keeps the person's match value, so a block is read in one index range.
    sealed: str | None = None


def _name_key(name: str) -> str:
    """Caseless form of a name: NFKC, casefold, NFKC again (casefold can denormalise)."""
    return unicodedata.normalize("NFKC", _collapse(name).casefold())


# Keys that only find candidates for fuzzy comparison; never evidence, never looked up.
BLOCKING_TYPES = frozenset({"person-dob"})


def blocking_keys(subject: Subject) -> list[IdentifierKey]:
    """Keys that bring possibly-same subjects together: a person's birth date with day and month
    in either order, so typos in the name and a swapped day and month still meet. It keeps the
    person's match value ("name|YYYY-MM-DD") to compare the block's members with."""
    if isinstance(subject, PersonSubject) and subject.birth_date is not None:
        born = subject.birth_date
        first, second = sorted((born.month, born.day))
        block = f"{born.year:04d}|{first:02d}|{second:02d}"
        match_value = f"{_name_key(subject.name)}|{born.isoformat()}"
        return [IdentifierKey("person-dob", block, sealed=match_value)]
    return []


# Keys that neither link nor find candidates: facts about a subject, as tokens, that the linker
# reads for the pairs it already has (how common a name is, what contradicts). Derived here,
# where the plaintext is at hand, because the hub stores only their keyed tokens; never shown.
FACT_TYPES = frozenset(
    {
        "person-name",  # the name alone: how many signals hold it
        "nationality",
        "birth-era",  # the birth year's bucket in each of two offset grids (rules.birth_eras)
        "birth-era-shifted",
        "document-scope",  # issuing country and kind: documents comparable with each other
        "document-ocr",  # the number as a scanner may have read it (rules.ocr_key), of
        # rules.CONFLICTING_DOCUMENT_KINDS only
    }
)


def fact_keys(subject: Subject) -> list[IdentifierKey]:
    """The fact keys of a validated subject (see FACT_TYPES; may be empty)."""
    if isinstance(subject, PersonSubject):
        keys = [IdentifierKey("person-name", _name_key(subject.name))]
        if subject.nationality is not None:
            keys.append(IdentifierKey("nationality", subject.nationality))
        if subject.birth_date is not None:
            era, shifted = birth_eras(subject.birth_date.year)
            keys += [IdentifierKey("birth-era", era), IdentifierKey("birth-era-shifted", shifted)]
        return keys
    if isinstance(subject, DocumentSubject):
        scope = f"{subject.issuing_country}|{subject.kind}"
        keys = [IdentifierKey("document-scope", scope)]
        # Without its number a document of a kind one may hold several of cannot conflict.
        if subject.kind in CONFLICTING_DOCUMENT_KINDS:
            keys.append(IdentifierKey("document-ocr", f"{scope}|{ocr_key(subject.number)}"))
        return keys
    return []


def _address_keys(subject: AddressSubject) -> list[IdentifierKey]:
    """A Dutch postcode and house number name one address. Elsewhere a postcode is a district
    (an Australian one covers thousands of houses): the street and the city name the address,
    or the street and the postcode where the city is missing."""
    country, number, addition = subject.country, subject.house_number, subject.addition or ""
    postcode = subject.postcode.replace(" ", "") if subject.postcode is not None else None
    if postcode is not None and (country == "NL" or subject.street is None):
        return [IdentifierKey("address", f"{country}|{postcode}|{number}|{addition}")]
    # The model validator guarantees a street, a house number and a city or postcode here.
    street = _name_key(subject.street or "")
    place = _name_key(subject.city) if subject.city is not None else f"#{postcode}"
    return [IdentifierKey("address", f"{country}|{street}|{number}|{addition}|{place}")]


def identifier_keys(subject: Subject) -> list[IdentifierKey]:
    """Return the canonical matching keys of a validated subject (may be empty)."""
    match subject:
        case PersonSubject():
            keys: list[IdentifierKey] = []
            born = subject.birth_date
            if born is not None:
                value = f"{_name_key(subject.name)}|{born.isoformat()}"
                # A placeholder date makes a key of its own type, decided here where the date
                # is plaintext: the linker sees only tokens (hub.linking.rules).
                partial = is_partial_date(born.year, born.month, born.day)
                keys.append(IdentifierKey("person-partial" if partial else "person", value))
            if subject.bsn is not None:
                keys.append(IdentifierKey("bsn", subject.bsn))
            return keys
        case AddressSubject():
            return _address_keys(subject)
        case CompanySubject():
            keys: list[IdentifierKey] = []
            if subject.kvk_number is not None:
                keys.append(IdentifierKey("kvk", subject.kvk_number))
            if subject.name is not None:
                keys.append(IdentifierKey("company-name", _name_key(subject.name)))
            return keys
        case IbanSubject():
            return [IdentifierKey("iban", subject.number)]
        case PhoneSubject():
            return [IdentifierKey("phone", subject.number)]
        case EmailSubject():
            return [IdentifierKey("email", subject.address)]
        case VehicleSubject():
            return [IdentifierKey("vehicle", f"{subject.country}|{subject.plate}")]
        case DocumentSubject():
            value = f"{subject.issuing_country}|{subject.kind}|{subject.number}"
            return [IdentifierKey("document", value)]
        case WebsiteSubject():
            parts = urlsplit(subject.url)
            # netloc without the port: the key is host + path, scheme and port do not identify.
            return [IdentifierKey("website", f"{parts.hostname}{parts.path}")]
    raise TypeError(f"not a subject: {type(subject).__name__}")
