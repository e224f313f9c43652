"""The published contract: NL API Design Rules applied to FastAPI's generated spec."""

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from hub import API_VERSION
from hub.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "An RFC 9457 problem detail.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string", "format": "uri-reference"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
        },
    },
    "FieldError": {
        "type": "object",
        "description": "One invalid field: a JSON pointer into the body, or a named parameter.",
        "required": ["detail"],
        "properties": {
            "pointer": {"type": "string", "examples": ["/subjects/0/number"]},
            "in": {"type": "string", "enum": ["query", "header", "path", "cookie"]},
            "name": {"type": "string"},
            "detail": {"type": "string"},
        },
    },
}

VERSION_HEADER = {
    "description": "The full version of the API that answered.",
    "schema": {"type": "string", "example": API_VERSION},
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting problem+json answers for these statuses."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        }
        for status in statuses
    }


def _problem(status: int) -> dict[str, Any]:
    return problem_responses(status)[status]


def _apply_rules(spec: dict[str, Any], extra_schemas: dict[str, Any]) -> dict[str, Any]:
    spec["info"]["contact"] = {
        "name": "Barrier Hub developers",
        "email": "barrier-hub@users.noreply.github.com",
        "url": "https://github.com/barrier-hub/barrier-hub",
    }
    spec["info"]["license"] = {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}
    spec["servers"] = [{"url": "/api/v1", "description": "This hub"}]
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(PROBLEM_SCHEMAS)
    schemas.update(extra_schemas)
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in op.get("parameters", []):
                if parameter.get("in") in ("query", "path"):
                    _no_control(parameter.get("schema", {}))
            responses = op.setdefault("responses", {})
            # FastAPI documents 422 for invalid input; the hub answers 400 (ADR).
            responses.pop("422", None)
            if method in {"post", "put", "patch"} or op.get("parameters"):
                responses.setdefault("400", _problem(400))
            if op.get("security"):
                responses.setdefault("401", _problem(401))
                responses.setdefault("403", _problem(403))
            if "{" in path:
                responses.setdefault("404", _problem(404))
            responses.setdefault("500", _problem(500))
            for status, response in responses.items():
                if status.startswith(("2", "3")):
                    response.setdefault("headers", {})["API-Version"] = VERSION_HEADER
                elif status.startswith(("4", "5")):
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
    return spec


def _fixed_purpose(dependant: Dependant) -> str | None:
    """The purpose a route always acts for (hub.deps.viewer_acting_for), if it has one."""
    fixed = getattr(dependant.call, "fixed_purpose", None)
    if fixed is not None:
        return str(fixed)
    return next(filter(None, map(_fixed_purpose, dependant.dependencies)), None)


def _api_routes(api: FastAPI) -> Iterator[tuple[str, set[str], Dependant]]:
    """Path, methods and dependant of every API route (newer FastAPI wraps included routers)."""
    contexts = getattr(routing, "iter_route_contexts", None)
    for context in contexts(api.routes) if contexts else api.routes:
        route = getattr(context, "original_route", context)
        if isinstance(route, APIRoute):
            yield context.path_format, set(context.methods or ()), route.dependant


def _name_fixed_purposes(spec: dict[str, Any], api: FastAPI) -> None:
    """An action without a purpose parameter says in its description which one it serves."""
    for path, methods, dependant in _api_routes(api):
        fixed = _fixed_purpose(dependant)
        if fixed is None or path not in spec["paths"]:
            continue
        for method in methods:
            op = spec["paths"][path].get(method.lower())
            if op is not None:
                note = f"Serves the `{fixed}` purpose always; it takes no purpose parameter."
                op["description"] = f"{op.get('description', '').rstrip()}\n\n{note}".lstrip()


# The input guard (hub.middleware) refuses control characters in query and path parameters.
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"


def _no_control(schema: dict[str, Any]) -> None:
    """Say so in a text parameter's schema, unless an enum, format or pattern says more."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string" and not {"enum", "format", "pattern"} & option.keys():
            option["pattern"] = NO_CONTROL


def customise_openapi(api: FastAPI, extra_schemas: dict[str, Any]) -> None:
    """Make `api.openapi()` return the ADR-conformant spec (cached after the first call)."""

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            spec = get_openapi(
                title=api.title,
                version=api.version,
                description=DESCRIPTION,
                routes=api.routes,
                tags=TAGS,
            )
            _name_fixed_purposes(spec, api)
            api.openapi_schema = _apply_rules(spec, extra_schemas)
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]


DESCRIPTION = (
    "Partner agencies in the Dutch integrated approach against trafficking in human beings post "
    "signals tagged by the barrier model (entry, accommodation, identity, employment, finance) "
    "and read what covenants allow them to see. Resource names are English so that the "
    "barrier-model vocabulary reads the same for every partner. Authenticate with an OAuth2 "
    "client-credentials token from `/oauth/token` (private_key_jwt per the NL GOV profile); "
    "errors are RFC 9457 problem details."
)

TAGS = [
    {"name": "barriers", "description": "The barrier model: barriers and their indicators."},
    {"name": "agencies", "description": "Partner agencies registered at the hub."},
    {
        "name": "clients",
        "description": "For administrators: the OAuth clients of partner agencies, disabled, "
        "enabled and deleted with immediate effect.",
    },
    {
        "name": "covenants",
        "description": "The data-sharing covenants in force: who sees what, for which purpose.",
    },
    {"name": "signals", "description": "Barrier-tagged signals posted by partner agencies."},
    {
        "name": "linking",
        "description": "The published linking rules, versioned; and for administrators, the "
        "values that do not link.",
    },
    {
        "name": "audit",
        "description": "The hash-chained audit trail of every change and disclosure.",
    },
    {
        "name": "reports",
        "description": "Nightly trend reports: aggregates only, small counts suppressed.",
    },
    {
        "name": "digests",
        "description": "Nightly digests for each partner of what happened to its own signals, "
        "and the webhook they are sent to.",
    },
    {
        "name": "retention",
        "description": "For administrators: recorded decisions that keep an accepted case's "
        "data past the WGS cap of five years from first processing (art. 1.8(7)).",
    },
]
