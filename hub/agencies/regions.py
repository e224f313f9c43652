"""The ten RIEC regions and the Dutch municipalities (CBS codes) that lie in each.

The municipalities are the CBS indeling of 1 January 2026, shipped as data in
``municipalities-2026.csv`` beside this module; its header says where the list comes from.
"""

import csv
from functools import cache
from pathlib import Path
from typing import NamedTuple

from hub.kit.i18n import gettext as _

RIEC_REGIONS: dict[str, str] = {
    "amsterdam-amstelland": "Amsterdam-Amstelland",
    "noord-holland": "Noord-Holland",
    "midden-nederland": "Midden-Nederland",
    "oost-nederland": "Oost-Nederland",
    "noord-nederland": "Noord-Nederland",
    "limburg": "Limburg",
    "zeeland-west-brabant": "Zeeland-West-Brabant",
    "oost-brabant": "Oost-Brabant",
    "rotterdam": "Rotterdam",
    "den-haag": "Den Haag",
}

MUNICIPALITIES_FILE = Path(__file__).with_name("municipalities-2026.csv")


class Municipality(NamedTuple):
    code: str
    name: str
    province: str
    region: str


@cache
def municipalities() -> dict[str, Municipality]:
    """Every municipality by CBS code, read once from the shipped list."""
    with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {
            r["code"]: Municipality(r["code"], r["name"], r["province"], r["riec_region"])
            for r in rows
        }


def is_municipality(code: str) -> bool:
    """Whether ``code`` is the CBS code of a municipality that exists today."""
    return code in municipalities()


def region_of(municipality: str | None) -> str | None:
    """The RIEC region of a municipality code, or None for no or an unknown code."""
    entry = municipalities().get(municipality) if municipality is not None else None
    return entry.region if entry else None


def name_of(municipality: str | None) -> str:
    """What people read for a municipality code: its name, or the code itself if unknown."""
    if municipality is None:
        return ""
    entry = municipalities().get(municipality)
    return entry.name if entry else municipality


def agency_label(code: str) -> str:
    """An agency code as people read it: a municipality's (its CBS code) by the municipality's
    name ("Rotterdam municipality", in the current language), any other code as it is."""
    entry = municipalities().get(code)
    return _("{name} municipality").format(name=entry.name) if entry else code
