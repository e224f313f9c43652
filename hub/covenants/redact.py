"""The one redactor: shapes a full signal to what a grant allows.

Pure: a full representation (``SignalOut.model_dump()``) and a grant go in, the same keys come
out with everything the grant does not give set to None (or [] for lists), plus a ``disclosure``
block naming the level, covenant version and rule (for the reader and the audit trail). One
response model therefore fits every level.

What each level shows (categories are the grant's data categories):

=============  ==============================================================================
hit            id (the reference to quote), agency (whom to contact), status, barriers
summary        hit + version and dates; indicators / municipality+region / reliability+
               credibility when the grant names ``indicators`` / ``location`` / ``grading``
pseudonymised  summary + the subjects whose type the grant names, as per-viewer pseudonyms
full           summary + the subjects whose type the grant names in full, the summary text
               when it names ``summary-text``, and external_ref
=============  ==============================================================================

The source agency's own signals are full with every category.
"""

import functools
import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from pydantic import TypeAdapter, ValidationError

from hub.covenants.model import Level
from hub.covenants.policy import ALL_CATEGORIES, Grant
from hub.signals.subjects import Subject, identifier_keys

# (kind, value) -> pseudonym; the caller supplies one keyed for the viewer.
Pseudonym = Callable[[str, str], str]

# The keys of SignalOut, in its order. Kept here rather than read from the schema so this module
# does not depend on the API layer; tests hold the two together.
FIELDS: tuple[str, ...] = (
    "id",
    "external_ref",
    "agency",
    "status",
    "version",
    "barriers",
    "indicators",
    "observed_at",
    "municipality",
    "region",
    "summary",
    "reliability",
    "credibility",
    "subjects",
    "created_at",
    "updated_at",
    "retracted_at",
)
LIST_FIELDS = frozenset({"barriers", "indicators", "subjects"})

# What each level gives whatever the categories.
_HIT_FIELDS = ("id", "agency", "status", "barriers")
_SUMMARY_FIELDS = (
    *_HIT_FIELDS,
    "version",
    "observed_at",
    "created_at",
    "updated_at",
    "retracted_at",
)
# Fields a category opens from summary level up.
_CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    "indicators": ("indicators",),
    "location": ("municipality", "region"),
    "grading": ("reliability", "credibility"),
}

PSEUDONYM_PATTERN = r"^ps-[0-9a-f]{20}$"

# A subject at pseudonymised level: its type and one pseudonym per identifier key (or one over
# the whole subject when it has no key). JSON Schema, for the published API description.
REDACTED_SUBJECT: dict[str, Any] = {
    "title": "RedactedSubject",
    "type": "object",
    "description": (
        "A subject at pseudonymised level: its type and stable pseudonyms, one per identifier "
        "key (a person has one for name+birth date and one for a BSN; a company one for its "
        "KvK number and one for its name). The same identifier gives the same pseudonym for "
        "one viewer, and different pseudonyms for different viewers."
    ),
    "properties": {
        "type": {"type": "string", "examples": ["iban"]},
        "pseudonyms": {
            "type": "array",
            "items": {"type": "string", "pattern": PSEUDONYM_PATTERN},
            "minItems": 1,
            "examples": [["ps-3f9a0c51d2e47b8a6c10"]],
        },
    },
    "required": ["type", "pseudonyms"],
    "additionalProperties": False,
}


class Disclosure(TypedDict):
    level: str
    covenant_id: str | None
    covenant_version: int | None
    rule_id: str | None


_SUBJECT = TypeAdapter(Subject)


def redact(
    signal: Mapping[str, Any],
    grant: Grant,
    *,
    pseudonym: Pseudonym,
    keys: Mapping[int, Sequence[tuple[str, str]]] | None = None,
) -> dict[str, Any] | None:
    """The signal as the grant lets its viewer see it; None when the grant gives nothing.

    `keys` are the match keys of each subject by position, as stored (type, blind-index token):
    pseudonyms are then made from those, without re-reading the identifiers themselves."""
    level, categories = grant.level, grant.categories
    if grant.own:
        level, categories = Level.FULL, ALL_CATEGORIES
    if level <= Level.NONE:
        return None

    shown = _shown_fields(level, categories)

    out: dict[str, Any] = {}
    for name in FIELDS:
        if name == "subjects":
            continue
        if name in shown:
            value = signal.get(name)
            out[name] = list(value) if name in LIST_FIELDS and value is not None else value
        else:
            out[name] = [] if name in LIST_FIELDS else None

    # Subjects: only of the types the grant names, and only from pseudonymised level up.
    subjects = [
        (position, s)
        for position, s in enumerate(signal.get("subjects") or [])
        if s.get("type") in categories
    ]
    if level >= Level.FULL:
        out["subjects"] = [_copy(s) for _, s in subjects]
    elif level >= Level.PSEUDONYMISED:
        out["subjects"] = [
            _pseudonymise(
                s,
                pseudonym,
                None if keys is None else keys.get(position, ()),
                anchor=f"{signal.get('id')}|{position}",
            )
            for position, s in subjects
        ]
    else:
        out["subjects"] = []

    out["disclosure"] = Disclosure(
        level=level.label,
        covenant_id=grant.covenant_id,
        covenant_version=grant.covenant_version,
        rule_id=grant.rule_id,
    )
    return out


def fields_shown(grant: Grant) -> frozenset[str]:
    """The top-level fields `redact` keeps for this grant (for facts computed without it)."""
    if grant.own:
        return _shown_fields(Level.FULL, ALL_CATEGORIES)
    if grant.level <= Level.NONE:
        return frozenset()
    return _shown_fields(grant.level, grant.categories)


@functools.lru_cache(maxsize=512)
def _shown_fields(level: Level, categories: frozenset[str]) -> frozenset[str]:
    """The top-level fields a level and its categories show (a page asks the same few times)."""
    shown: set[str] = set(_HIT_FIELDS)
    if level >= Level.SUMMARY:
        shown.update(_SUMMARY_FIELDS)
        for category, fields in _CATEGORY_FIELDS.items():
            if category in categories:
                shown.update(fields)
    if level >= Level.FULL:
        shown.add("external_ref")
        if "summary-text" in categories:
            shown.add("summary")
    return frozenset(shown)


def _copy(value: Any) -> Any:
    """A copy of a JSON value: subjects are plain JSON, and copy.deepcopy is slow."""
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def _pseudonymise(
    subject: Mapping[str, Any],
    pseudonym: Pseudonym,
    stored: Sequence[tuple[str, str]] | None,
    *,
    anchor: str,
) -> dict[str, Any]:
    """Replace a subject by its type and one pseudonym per identifier key.

    With `stored` keys the subject itself may be sealed (type only). A subject without keys links
    to nothing, so it gets a pseudonym of its own (`anchor`: its signal and position)."""
    kind = str(subject.get("type"))
    keys: Sequence[tuple[str, str]] = []
    if stored is not None:
        keys = stored
    else:
        try:
            subject_keys = identifier_keys(_SUBJECT.validate_python(dict(subject)))
            keys = [(k.type, k.value) for k in subject_keys]
        except ValidationError:
            # A stored subject that no longer validates (e.g. phone metadata changed between
            # library versions) must not fail the read or leak; it just cannot link.
            keys = []
    if keys:
        pseudonyms = [pseudonym(key_type, value) for key_type, value in keys]
    else:
        pseudonyms = [pseudonym(kind, f"unlinked|{anchor}")]
    return {"type": kind, "pseudonyms": pseudonyms}


def pseudonymiser(key: bytes, viewer: str) -> Pseudonym:
    """Stable pseudonyms for one viewer: HMAC-SHA256 over viewer, kind and value.

    The viewer is part of the message, so two viewers cannot join their pseudonymised views on
    the pseudonyms. The unit separator keeps ("ab", "c") and ("a", "bc") apart: kinds are fixed
    names and validated values hold no control characters (canonical JSON escapes them).
    """

    def pseudonym(kind: str, value: str) -> str:
        message = "\x1f".join((viewer, kind, value)).encode()
        return "ps-" + hmac.digest(key, message, "sha256").hex()[:20]

    return pseudonym
