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

# Key type -> what its pseudonym stands for (the keys of hub.signals.subjects.identifier_keys).
MEANINGS = {
    "person": "person (name + birth date)",
    "person-partial": "person (name + a birth date that may be a placeholder, such as 1 January)",
    "bsn": "person (BSN)",
    "address": "address (postcode + house number, or street + number + place)",
    "kvk": "company (KvK number)",
    "company-name": "company (name)",
    "iban": "bank account (IBAN)",
    "phone": "phone number",
    "email": "email address",
    "vehicle": "vehicle (licence plate)",
    "document": "identity document (country + kind + number)",
    "website": "website (host + path)",
}
# A subject with no key at all links to nothing; its one pseudonym stands for it alone.
ALONE = "this subject alone (it holds nothing the hub links on)"


def annotate(session: Session, keys: DataKeys, viewer: Viewer, signal: dict[str, Any]) -> None:
    """Give each pseudonymised subject of `signal` (as shown) the meaning of each pseudonym."""
    shown = [s for s in signal.get("subjects") or () if s.get("pseudonyms")]
    if not shown:
        return
    pseudonym = pseudonymiser(keys.pseudonym_key, viewer.code)
    stored = repository.match_keys(session, [signal["id"]]).get(signal["id"], {})
    kinds = {pseudonym(kind, token): kind for key in stored.values() for kind, token in key}
    for subject in shown:
        subject["meanings"] = [
            MEANINGS.get(kinds[p], kinds[p]) if p in kinds else ALONE for p in subject["pseudonyms"]
        ]
