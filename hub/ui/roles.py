"""UI roles and the API scopes each one grants: the one place a role's reach is decided."""

from hub.kit.i18n import N_

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "analyst": frozenset({"proposals:review", "reports:read"}),
    "admin": frozenset({"proposals:review", "reports:read", "admin"}),
    # The contact point (WGS art. 1.4(4)) answers data subjects; it reviews nothing.
    "dpo": frozenset({"dpo"}),
}
ROLES = tuple(ROLE_SCOPES)
# How the page header names each role (translated there).
ROLE_NAMES = {"analyst": N_("analyst"), "admin": N_("admin"), "dpo": N_("contact point")}


def scopes_for(role: str) -> frozenset[str]:
    """The scopes a signed-in user of `role` acts with; an unknown role grants nothing."""
    return ROLE_SCOPES.get(role, frozenset())
