"""Who reads, and why: one value per request that every derived view is computed from.

A `Viewer` carries the caller (an agency's client, or an analyst signed in to the UI), the
agency as the policy sees it, the declared purpose, the covenants and the agencies the policy
weighs, and the day it decides on. Services take a Viewer instead of these as separate
arguments, so no view can be computed for someone other than the one who asked.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from hub.agencies.directory import AgencyDirectory
from hub.auth.caller import Caller
from hub.covenants.model import Agency, Covenant
from hub.covenants.policy import party_to
from hub.kit import clock

# Every purpose a covenant can grant for. Routes serve a subset each (hub.deps.viewer_for).
PURPOSES = ("case-proposal", "hit-lookup", "investigation", "trend-report")


@dataclass(frozen=True)
class Viewer:
    caller: Caller
    agency: Agency
    purpose: str | None
    covenants: tuple[Covenant, ...]
    agencies: Mapping[int, Agency]
    today: date

    @property
    def agency_id(self) -> int:
        return self.caller.agency_id

    @property
    def code(self) -> str:
        return self.caller.agency_code

    @property
    def actor(self) -> str:
        """The client id, or `ui:<username>` for an analyst in the UI."""
        return self.caller.client_id

    def party_to(self) -> dict[str, Covenant]:
        """The covenants in force today that this viewer's agency is party to, by id."""
        return party_to(self.agency, self.covenants, self.today)

    def for_purpose(self, purpose: str | None) -> "Viewer":
        """The same viewer reading for another purpose (e.g. an action's fixed one)."""
        return self if purpose == self.purpose else replace(self, purpose=purpose)


def build_viewer(
    session: Session,
    caller: Caller,
    *,
    purpose: str | None,
    covenants: tuple[Covenant, ...],
    agencies: AgencyDirectory,
) -> Viewer:
    """The Viewer of one request (or one UI page, or one CLI run)."""
    everyone = agencies.all(session)
    return Viewer(
        caller=caller,
        agency=everyone.get(caller.agency_id) or agencies.get(session, caller.agency_id),
        purpose=purpose,
        covenants=covenants,
        agencies=everyone,
        today=clock.today(),
    )
