"""What each pseudonym on a page stands for: the identifier key it was made from.

A subject at pseudonymised level carries one pseudonym per identifier key (hub.covenants.redact).
The page names the key of each pseudonym it already shows, by making the viewer's pseudonyms of
the signal's stored keys again: it labels what is shown and adds no pseudonym of its own.
"""

from typing import Any

from sqlalchemy.orm import Session

from hub.covenants.redact import pseudonymiser
from hub.covenants.viewer import Viewer
from hub.kit.crypto import DataKeys
from hub.signals import repository

# Key type -> (the subject it belongs to, what of it the key is made of), after the keys of
# hub.signals.subjects.identifier_keys.
KEYS = {
    "person": ("person", "name + birth date"),
    "person-partial": (
        "person",
        "name + a birth date that may be a placeholder, such as 1 January",
    ),
    "bsn": ("person", "BSN"),
    "address": ("address", "postcode + house number, or street + number + place"),
    "kvk": ("company", "KvK number"),
    "company-name": ("company", "name"),
    "iban": ("IBAN", "account number"),
    "phone": ("phone", "number"),
    "email": ("email", "address"),
    "vehicle": ("vehicle", "licence plate"),
    "document": ("identity document", "country + kind + number"),
    "website": ("website", "host + path"),
}
# What each key's pseudonym stands for, in full (the legend and a shared identifier's card).
MEANINGS = {kind: f"{subject} ({part})" for kind, (subject, part) in KEYS.items()}
# A subject with no key at all links to nothing; its one pseudonym stands for it alone.
ALONE = "this subject alone (it holds nothing the hub links on)"


def annotate(session: Session, keys: DataKeys, viewer: Viewer, signal: dict[str, Any]) -> None:
    """Give each pseudonymised subject of `signal` (as shown) what each of its pseudonyms
    stands for (`meanings`: the part of the subject, such as "BSN")."""
    shown = [s for s in signal.get("subjects") or () if s.get("pseudonyms")]
    if not shown:
        return
    pseudonym = pseudonymiser(keys.pseudonym_key, viewer.code)
    stored = repository.match_keys(session, [signal["id"]]).get(signal["id"], {})
    kinds = {pseudonym(kind, token): kind for key in stored.values() for kind, token in key}
    for subject in shown:
        subject["meanings"] = [
            (KEYS[kinds[p]][1] if kinds[p] in KEYS else kinds[p]) if p in kinds else ALONE
            for p in subject["pseudonyms"]
        ]
