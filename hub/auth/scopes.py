"""The OAuth scopes of the hub and what each allows."""

SCOPES: dict[str, str] = {
    "signals:write": "Post, correct and retract your agency's signals.",
    "signals:read": "Read signals your agency may see.",
    "lookups": "Ask hit/no-hit questions on identifiers.",
    "proposals:review": "Review case proposals (RIEC/LIEC/EMM analysts).",
    "reports:read": "Read the nightly trend reports.",
    "audit:read": "Read and verify the audit trail.",
    "digests:read": "Read your agency's nightly digests (what happened to its signals).",
    "webhooks:manage": "Register your agency's webhook for its nightly digests.",
    "admin": "Manage agencies and clients.",
    "dpo": "The contact point: find a person across the hub and answer their requests.",
}


def parse_scopes(text: str) -> frozenset[str]:
    """Split a space-separated scope string, refusing unknown scopes."""
    scopes = frozenset(text.split())
    unknown = scopes - SCOPES.keys()
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}")
    return scopes
