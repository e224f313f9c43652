"""Who is calling: the agency and client behind a verified access token."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    agency_id: int
    agency_code: str
    client_id: str
    scopes: frozenset[str]
    token_id: str
