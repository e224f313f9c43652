"""A partner's digest from what the database counted for it (pure: no database, no web).

What goes in is already limited to what the agency may know: its own signals, the agencies
that were shown them, and the accepted cases that hold them. What comes out is counts, agency
codes and the agency's own signal ids: never an identifier, a summary or another agency's
signal, and never a proposal no analyst has checked (WGS art. 1.9(2): no result of an analysis
leaves before a human checked that it was produced carefully).
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# 1.1.0: `cases`, the accepted cases holding the agency's signals.
# 2.0.0: no `proposals`: the linker's unreviewed proposals never leave the hub.
SCHEMA_VERSION = "2.0.0"
LEVEL_ORDER = ("hit", "summary", "pseudonymised", "full")


@dataclass(frozen=True)
class JoinedCase:
    """A case accepted that day that holds some of the agency's signals."""

    case_number: str
    accepted_by: str
    own_signals: frozenset[str]


@dataclass(frozen=True)
class Shown:
    """One disclosure of one of the agency's signals to another agency, from the audit trail."""

    viewer: str
    level: str
    signal_id: str
    lookup_id: str | None  # set when the disclosure answered a lookup


def build_digest(
    *,
    agency: str,
    day: date,
    generated_at: datetime,
    shown: Iterable[Shown],
    cases: Iterable[JoinedCase] = (),
) -> dict[str, Any]:
    """The digest document (schema `Digest`, version SCHEMA_VERSION)."""
    shown = list(shown)
    per_level: dict[tuple[str, str], list[Shown]] = defaultdict(list)
    per_looker: dict[str, list[Shown]] = defaultdict(list)
    for event in shown:
        per_level[event.viewer, event.level].append(event)
        if event.lookup_id is not None:
            per_looker[event.viewer].append(event)
    rank = {level: n for n, level in enumerate(LEVEL_ORDER)}
    return {
        "schema_version": SCHEMA_VERSION,
        "agency": agency,
        "digest_date": day.isoformat(),
        "generated_at": generated_at.isoformat().replace("+00:00", "Z"),
        "disclosures": {
            "total": len(shown),
            "signals": len({e.signal_id for e in shown}),
            "by_agency": [
                {
                    "agency": viewer,
                    "level": level,
                    "disclosures": len(events),
                    "signals": len({e.signal_id for e in events}),
                }
                for (viewer, level), events in sorted(
                    per_level.items(), key=lambda kv: (kv[0][0], rank.get(kv[0][1], 99))
                )
            ],
        },
        "lookups": {
            # A hit is one of the agency's signals matching one lookup.
            "hits": sum(len({(e.lookup_id, e.signal_id) for e in v}) for v in per_looker.values()),
            "by_agency": [
                {
                    "agency": viewer,
                    "lookups": len({e.lookup_id for e in events}),
                    "signals": len({e.signal_id for e in events}),
                }
                for viewer, events in sorted(per_looker.items())
            ],
        },
        "cases": [
            {
                "case_number": c.case_number,
                "accepted_by": c.accepted_by,
                "own_signal_ids": sorted(c.own_signals),
            }
            for c in sorted(cases, key=lambda c: c.case_number)
        ],
    }


def render(document: dict[str, Any]) -> str:
    """The stored, served and sent text."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def fingerprint(document: dict[str, Any]) -> str:
    """A hash of what the digest says, leaving out when it was made: a rebuild that changes
    nothing has the same fingerprint and is not sent again."""
    said = {k: v for k, v in document.items() if k != "generated_at"}
    return hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()
