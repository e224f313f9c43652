"""The processing register (AVG art. 30) the processing log points into, and its action table.

Pure module: YAML only. `covenants/register/processing-register.yaml` says what each activity is;
this reads it and answers which activity an audit event belongs to.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REGISTER_FILE = Path("register") / "processing-register.yaml"
# Where an action's activity comes from (see the register file's header).
SOURCES = ("activity", "covenant", "reviewer", "purpose")
KINDS = (
    "post",
    "correction",
    "read",
    "disclosure",
    "lookup",
    "linking",
    "decision",
    "export",
    "purge",
    "subject-request",
    "none",
)


class RegisterInvalid(ValueError):
    """The register file is malformed, or does not cover what the covenants declare."""


@dataclass(frozen=True)
class Activity:
    id: str
    version: int
    purpose: str | None
    covenant: str | None
    covenant_version: int | None
    uri: str


@dataclass(frozen=True)
class Mapping_:
    """How one audit action becomes a processing-log record."""

    kind: str
    source: str  # one of SOURCES, or "none"
    activity: str | None = None


@dataclass(frozen=True)
class CovenantPurposes:
    """What the register must cover of one covenant version: its id, version and purposes."""

    id: str
    version: int
    purposes: tuple[str, ...]


@dataclass(frozen=True)
class Register:
    uri: str
    version: int
    activities: dict[str, Activity]
    actions: dict[str, Mapping_]
    subject_id_types: dict[str, str]

    def mapping(self, action: str) -> Mapping_ | None:
        return self.actions.get(action)

    def subject_id_type(self, kind: str) -> str:
        """The URI that `dpl.core.data_subject_id_type` carries for a pseudonym of `kind`."""
        return f"{self.uri}/subject-id-type/{kind}"

    def activity_for(
        self,
        action: str,
        *,
        purpose: str | None,
        covenant: tuple[str, int] | None,
        in_force: Iterable[tuple[str, int]] = (),
    ) -> Activity | None:
        """The activity of one audit event, or None when the action processes no personal data
        (or the register has no activity for it: then the caller records it as unregistered)."""
        mapping = self.actions.get(action)
        if mapping is None or mapping.source == "none":
            return None
        if mapping.source == "activity":
            return self.activities.get(mapping.activity or "")
        if covenant is not None and mapping.source in ("covenant", "reviewer"):
            for activity in self.activities.values():
                if (activity.covenant, activity.covenant_version) == covenant and (
                    purpose is None or activity.purpose == purpose
                ):
                    return activity
        return self._by_purpose(purpose, set(in_force))

    def _by_purpose(self, purpose: str | None, in_force: set[tuple[str, int]]) -> Activity | None:
        candidates = [a for a in self.activities.values() if a.purpose == purpose]
        for activity in candidates:
            if (activity.covenant, activity.covenant_version) in in_force:
                return activity
        return candidates[0] if candidates else None

    def missing(self, covenants: Iterable[CovenantPurposes]) -> list[str]:
        """Each (covenant, version, purpose) the covenants declare that no activity covers."""
        have = {
            (a.covenant, a.covenant_version, a.purpose)
            for a in self.activities.values()
            if a.covenant is not None
        }
        return [
            f"{c.id} v{c.version}: {purpose}"
            for c in covenants
            for purpose in c.purposes
            if (c.id, c.version, purpose) not in have
        ]


def load_register(path: Path) -> Register:
    """Read and check the register file; RegisterInvalid says what is wrong."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegisterInvalid(f"{path}: cannot read the processing register: {exc}") from None
    if not isinstance(doc, dict):
        raise RegisterInvalid(f"{path}: the processing register is not a mapping")
    try:
        return _parse(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise RegisterInvalid(f"{path}: {exc}") from None


def _parse(doc: Mapping[str, Any]) -> Register:
    uri = str(doc["register"]).rstrip("/")
    activities: dict[str, Activity] = {}
    for activity_id, spec in dict(doc["activities"]).items():
        version = int(spec["version"])
        for field in ("name", "legal_basis", "data_subjects", "personal_data", "recipients"):
            if not spec.get(field):
                raise ValueError(f"activity {activity_id} lacks {field!r} (AVG art. 30(1))")
        covenant = spec.get("covenant")
        activities[activity_id] = Activity(
            id=activity_id,
            version=version,
            purpose=spec.get("purpose") if covenant else None,
            covenant=covenant,
            covenant_version=int(spec["covenant_version"]) if covenant else None,
            uri=f"{uri}/{activity_id}/v{version}",
        )
        if covenant and not spec.get("purpose"):
            raise ValueError(f"activity {activity_id} names a covenant but no purpose")
    actions: dict[str, Mapping_] = {}
    for action, spec in dict(doc["actions"]).items():
        kind = spec["kind"]
        if kind not in KINDS:
            raise ValueError(f"action {action}: unknown kind {kind!r}")
        if kind == "none":
            actions[action] = Mapping_(kind, "none")
            continue
        if "activity" in spec:
            if spec["activity"] not in activities:
                raise ValueError(f"action {action}: no activity {spec['activity']!r}")
            actions[action] = Mapping_(kind, "activity", spec["activity"])
        elif spec.get("from") in SOURCES[1:]:
            actions[action] = Mapping_(kind, spec["from"])
        else:
            raise ValueError(f"action {action}: give `activity` or `from` ({SOURCES[1:]})")
    return Register(
        uri=uri,
        version=int(doc["version"]),
        activities=activities,
        actions=actions,
        subject_id_types={str(k): str(v) for k, v in dict(doc["subject_id_types"]).items()},
    )


def purposes_in_force(covenants: Iterable[Any], on: date) -> list[CovenantPurposes]:
    """The (id, version, purposes) of every covenant version in force on `on`."""
    return [
        CovenantPurposes(c.id, c.version, tuple(sorted(c.purposes)))
        for c in covenants
        if c.in_force(on)
    ]
