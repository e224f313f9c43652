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
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.kit.terms import term
from hub.signals import repository

# Key type -> (the subject it belongs to, what of it the key is made of), after the keys of
# hub.signals.subjects.identifier_keys.
KEYS = {
    "person": (N_("person"), N_("name + birth date")),
    "person-partial": (
        N_("person"),
        N_("name + a birth date that may be a placeholder, such as 1 January"),
    ),
    "bsn": (N_("person"), N_("BSN")),
    "address": (N_("address"), N_("postcode + house number, or street + number + place")),
    "kvk": (N_("company"), N_("KvK number")),
    "company-name": (N_("company"), N_("name")),
    "iban": (N_("IBAN"), N_("account number")),
    "phone": (N_("phone"), N_("number")),
    "email": (N_("email"), N_("address")),
    "vehicle": (N_("vehicle"), N_("licence plate")),
    "document": (N_("identity document"), N_("country + kind + number")),
    "website": (N_("website"), N_("host + path")),
}
# A subject with no key at all links to nothing; its one pseudonym stands for it alone.
ALONE = N_("this subject alone (it holds nothing the hub links on)")


def meaning(kind: str) -> str:
    """What a pseudonym of key type `kind` stands for, in full and in the page's language (the
    legend and a shared identifier's card): "person (BSN)"."""
    if kind not in KEYS:
        return term(kind)
    subject, part = KEYS[kind]
    return f"{_(subject)} ({_(part)})"


def annotate(session: Session, keys: DataKeys, viewer: Viewer, signal: dict[str, Any]) -> None:
    """Give each pseudonymised subject of `signal` (as shown) what each of its pseudonyms
    stands for (`meanings`: the part of the subject, such as "BSN", as its English message id:
    the page translates it)."""
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
