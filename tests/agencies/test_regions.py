"""The shipped municipalities: all of 2026, one RIEC region each, as the police units run."""

import csv
import re
from collections import Counter

from hub.agencies.regions import (
    MUNICIPALITIES_FILE,
    RIEC_REGIONS,
    agency_label,
    is_municipality,
    municipalities,
    name_of,
    region_of,
)
from hub.demo.synthetic import _POSTCODES
from hub.kit.i18n import use_language

# The RIEC regions follow the police units, and those follow provinces, except in two places:
# Noord-Holland's Gooi en Vechtstreek belongs to Midden-Nederland, and Zuid-Holland and
# Noord-Brabant are each split between two units.
ALLOWED = {
    "Groningen": {"noord-nederland"},
    "Fryslân": {"noord-nederland"},
    "Drenthe": {"noord-nederland"},
    "Overijssel": {"oost-nederland"},
    "Gelderland": {"oost-nederland"},
    "Utrecht": {"midden-nederland"},
    "Flevoland": {"midden-nederland"},
    "Noord-Holland": {"noord-holland", "amsterdam-amstelland", "midden-nederland"},
    "Zuid-Holland": {"den-haag", "rotterdam"},
    "Zeeland": {"zeeland-west-brabant"},
    "Noord-Brabant": {"zeeland-west-brabant", "oost-brabant"},
    "Limburg": {"limburg"},
}
GOOI = {"Blaricum", "Gooise Meren", "Hilversum", "Huizen", "Laren (NH.)", "Wijdemeren"}
AMSTERDAM_AMSTELLAND = {"Aalsmeer", "Amstelveen", "Amsterdam", "Diemen", "Ouder-Amstel", "Uithoorn"}


def _rows() -> list[dict[str, str]]:
    with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def test_the_file_names_its_source_and_date() -> None:
    head = MUNICIPALITIES_FILE.read_text(encoding="utf-8").split("\ncode,", 1)[0]
    assert "1 January 2026" in head and "CBS" in head
    assert "minvws/nl-covid19-data-dashboard" in head  # where the codes and names were taken


def test_the_file_holds_the_342_municipalities_of_2026_each_once() -> None:
    rows = _rows()
    assert len(rows) == 342
    codes = [r["code"] for r in rows]
    assert all(re.fullmatch(r"GM[0-9]{4}", c) for c in codes)
    assert len(set(codes)) == 342
    assert len({r["name"] for r in rows}) == 342
    assert all(r["name"].strip() == r["name"] != "" for r in rows)
    assert set(municipalities()) == set(codes)
    # Mergers of 2022 and 2023 are in; the municipalities they ended are gone.
    assert {"GM1980", "GM1982", "GM1991", "GM1992"} <= set(codes)
    assert not {"GM0370", "GM0457", "GM0501", "GM0530", "GM0614"} & set(codes)


def test_every_code_maps_to_exactly_one_of_the_ten_regions() -> None:
    regions = Counter(r["riec_region"] for r in _rows())
    assert set(regions) == set(RIEC_REGIONS)
    assert sum(regions.values()) == 342
    for code, entry in municipalities().items():
        assert region_of(code) == entry.region in RIEC_REGIONS


def test_each_province_lands_in_the_regions_its_police_units_cover() -> None:
    rows = _rows()
    assert {r["province"] for r in rows} == set(ALLOWED)
    for r in rows:
        assert r["riec_region"] in ALLOWED[r["province"]], r
    holland = {r["name"]: r["riec_region"] for r in rows if r["province"] == "Noord-Holland"}
    assert {n for n, g in holland.items() if g == "midden-nederland"} == GOOI
    assert {n for n, g in holland.items() if g == "amsterdam-amstelland"} == AMSTERDAM_AMSTELLAND
    south = {r["name"]: r["riec_region"] for r in rows if r["province"] == "Zuid-Holland"}
    for name in (
        "Rotterdam",
        "Dordrecht",
        "Goeree-Overflakkee",
        "Hoeksche Waard",
        "Voorne aan Zee",
    ):
        assert south[name] == "rotterdam", name
    for name in ("'s-Gravenhage", "Leiden", "Alphen aan den Rijn", "Gouda", "Westland"):
        assert south[name] == "den-haag", name
    brabant = {r["name"]: r["riec_region"] for r in rows if r["province"] == "Noord-Brabant"}
    assert brabant["Breda"] == brabant["Tilburg"] == "zeeland-west-brabant"
    assert brabant["Eindhoven"] == brabant["'s-Hertogenbosch"] == "oost-brabant"


def test_every_municipality_of_the_demo_is_listed() -> None:
    for code in _POSTCODES:
        assert is_municipality(code), code
        assert region_of(code) is not None


def test_names_for_people_and_codes_for_the_unknown() -> None:
    assert name_of("GM0384") == "Diemen"
    assert name_of("GM0518") == "'s-Gravenhage"
    assert name_of("GM9999") == "GM9999"
    assert name_of(None) == ""
    assert region_of("GM9999") is None and region_of(None) is None
    assert not is_municipality("GM9999")


def test_a_municipality_as_an_agency_reads_by_its_name() -> None:
    with use_language("en"):
        assert agency_label("GM0363") == "Amsterdam municipality"
    with use_language("nl"):
        assert agency_label("GM0363") == "gemeente Amsterdam"
    assert agency_label("KMAR") == "KMAR" and agency_label("GM9999") == "GM9999"
