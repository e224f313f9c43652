"""Agencies as the policy sees them (code, kind, region), cached briefly per database."""

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.models import Agency as AgencyRow
from hub.covenants.model import Agency

# Agencies are added by operators, rarely; a few seconds of staleness only delays a new one.
TTL_SECONDS = 5.0


class AgencyDirectory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[int, Agency] = {}
        self._loaded = 0.0

    def all(self, session: Session) -> dict[int, Agency]:
        """Agency id -> the policy's view of it."""
        with self._lock:
            if time.monotonic() - self._loaded < TTL_SECONDS:
                return self._by_id
        rows = session.execute(
            select(AgencyRow.id, AgencyRow.code, AgencyRow.kind, AgencyRow.region)
        )
        fresh = {row.id: Agency(row.code, row.kind, row.region) for row in rows}
        with self._lock:
            self._by_id, self._loaded = fresh, time.monotonic()
        return fresh

    def cached(self, agency_id: int) -> Agency | None:
        """The agency if the cache is fresh and holds it; never touches the database."""
        with self._lock:
            if time.monotonic() - self._loaded < TTL_SECONDS:
                return self._by_id.get(agency_id)
        return None

    def load(self, sessions: sessionmaker[Session], agency_id: int) -> Agency:
        with sessions() as session:
            return self.get(session, agency_id)

    def get(self, session: Session, agency_id: int) -> Agency:
        found = self.all(session).get(agency_id)
        if found is None:  # registered a moment ago: read again rather than wait
            with self._lock:
                self._loaded = 0.0
            found = self.all(session)[agency_id]
        return found
