"""The covenant vocabulary as plain data: levels, purposes, data categories, parties and rules.

Pure: no web framework, no database. The loader builds these from covenants/*.yaml; the policy
decides with them.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import Literal

from hub.signals.subjects import SUBJECT_TYPES


class Level(IntEnum):
    """Disclosure levels, ordered: each includes everything the lower ones give."""

    NONE = 0  # nothing: the signal does not exist for the viewer
    HIT = 1  # that a matching signal exists, its barriers, and which agency to contact
    SUMMARY = 2  # barriers, indicators, dates, region, grading; no identifiers, no free text
    PSEUDONYMISED = 3  # summary plus stable per-viewer pseudonyms for identifiers
    FULL = 4  # everything

    @classmethod
    def parse(cls, name: str) -> "Level":
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


PURPOSES = ("case-proposal", "hit-lookup", "trend-report", "investigation")

# Every subject type is a data category of its own: a covenant grants them one by one.
IDENTIFIER_CATEGORIES = SUBJECT_TYPES
DATA_CATEGORIES = ("indicators", "location", "grading", "summary-text", *IDENTIFIER_CATEGORIES)

# Which signals of the sources a rule covers, beyond the rule's barriers:
#   all            every signal of the sources
#   own-region     signals whose municipality lies in the viewer's RIEC region
#   accepted-cases signals a case the viewer's analysts accepted opened to them: the members
#                  they could see for case-proposal when they accepted (case_openings)
Scope = Literal["all", "own-region", "accepted-cases"]


@dataclass(frozen=True)
class Agency:
    """What the policy needs to know of an agency."""

    code: str
    kind: str
    region: str | None = None


@dataclass(frozen=True)
class Party:
    """One agency by code, or every agency of a kind (optionally within one RIEC region)."""

    code: str | None = None
    kind: str | None = None
    region: str | None = None

    def matches(self, agency: Agency) -> bool:
        if self.code is not None:
            return agency.code == self.code
        if self.kind is not None and agency.kind != self.kind:
            return False
        return self.region is None or agency.region == self.region


@dataclass(frozen=True)
class Rule:
    """Signals from `sources` on `barriers`, shown to `viewers` at `level`, for `purposes`."""

    id: str
    sources: tuple[Party, ...]
    viewers: tuple[Party, ...]
    purposes: frozenset[str]
    level: Level
    categories: frozenset[str]
    barriers: frozenset[str] | None = None  # None: every barrier
    scope: Scope = "all"
    # Counts only (trend reports): the rule grants no per-signal level at all.
    aggregates_only: bool = False
    # The viewers decide on case proposals of the signals this rule shows them (case-proposal
    # rules only); other agencies that see a proposal may read and comment on it.
    reviews: bool = False


@dataclass(frozen=True)
class Covenant:
    id: str
    version: int
    title: str
    legal_basis: tuple[str, ...]
    parties: tuple[Party, ...]
    purposes: frozenset[str]
    valid_from: date
    valid_until: date | None
    retention_days: int
    onward_sharing: bool
    rules: tuple[Rule, ...]
    withdrawn_on: date | None = None
    source_file: str = field(default="", compare=False)

    def in_force(self, today: date) -> bool:
        """Granting today: started, not ended, not withdrawn."""
        if today < self.valid_from:
            return False
        if self.valid_until is not None and today > self.valid_until:
            return False
        return self.withdrawn_on is None or today < self.withdrawn_on

    def is_party(self, agency: Agency) -> bool:
        return any(p.matches(agency) for p in self.parties)
