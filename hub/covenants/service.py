"""Loading covenant versions into the database and binding signals to the versions in force."""

import hashlib
import json
from dataclasses import asdict
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.covenants.model import Agency, Covenant
from hub.covenants.models import Binding, BindingTerm, CovenantVersion, binding_key
from hub.covenants.policy import in_force
from hub.kit.bulk import insert_rows, insert_unless_exists


class CovenantChanged(ValueError):
    """A loaded covenant version's text changed: sharing must not change under the same version."""


def to_document(covenant: Covenant) -> dict[str, Any]:
    """The covenant as plain JSON: what was in force, for auditors and the API."""

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.name.lower()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, frozenset | set):
            return sorted(plain(v) for v in value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if v is not None or k != "source_file"}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    document = plain(asdict(covenant))
    document.pop("source_file", None)
    for rule in document["rules"]:
        # A rule naming no reviewers is stored as before rules could name them, so the versions
        # loaded then keep their digest (a changed digest would stop the hub at start).
        if rule.get("reviews") is False:
            del rule["reviews"]
    return document


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def sync_covenants(session: Session, covenants: tuple[Covenant, ...]) -> int:
    """Record every covenant version not yet in the database; return how many were new."""
    known = {(r.covenant_id, r.version): r.digest for r in session.scalars(select(CovenantVersion))}
    added = 0
    for covenant in covenants:
        document = to_document(covenant)
        fingerprint = digest(document)
        stored = known.get((covenant.id, covenant.version))
        if stored is not None:
            if stored != fingerprint:
                raise CovenantChanged(
                    f"covenant {covenant.id} version {covenant.version} differs from the one "
                    f"loaded before; give the change a new version number"
                )
            continue
        session.add(
            CovenantVersion(
                covenant_id=covenant.id,
                version=covenant.version,
                title=covenant.title,
                valid_from=covenant.valid_from,
                valid_until=covenant.valid_until,
                withdrawn_on=covenant.withdrawn_on,
                retention_days=covenant.retention_days,
                document=document,
                digest=fingerprint,
            )
        )
        added += 1
    session.flush()
    return added


def bindings_for(
    source: Agency, covenants: tuple[Covenant, ...], today: date
) -> list[tuple[str, int]]:
    """The covenant versions a signal from `source` shared today is bound to."""
    return sorted(
        (covenant.id, covenant.version)
        for covenant in in_force(covenants, today).values()
        if covenant.is_party(source)
    )


def bind(session: Session, terms: list[tuple[str, int]]) -> int | None:
    """The id of the binding set of these covenant versions, made on first use; None if empty."""
    if not terms:
        return None
    key = binding_key(terms)
    found = session.scalar(select(Binding.id).where(Binding.key == key))
    if found is not None:
        return found
    # A concurrent request may make the same set: only the one whose insert went in adds terms,
    # in the same transaction, so a set is never seen without them.
    if insert_unless_exists(session, Binding, {"key": key}, unique=("key",)):
        made = session.scalar(select(Binding.id).where(Binding.key == key))
        insert_rows(
            session,
            BindingTerm,
            [{"binding_id": made, "covenant_id": c, "covenant_version": v} for c, v in terms],
        )
        return made
    return session.scalar(select(Binding.id).where(Binding.key == key))
