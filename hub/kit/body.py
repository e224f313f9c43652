"""Reading and validating request bodies ourselves, where FastAPI's binding cannot do it:
validation that needs context (the vocabulary), NDJSON, and per-item batch results."""

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from hub.errors import InvalidInput, UnsupportedMediaType, field_errors

JSON = "application/json"
NDJSON = "application/x-ndjson"
MERGE_PATCH = "application/merge-patch+json"

M = TypeVar("M", bound=BaseModel)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, accepted: tuple[str, ...]) -> bytes:
    """The raw body, after refusing media types the route does not take (415)."""
    kind = media_type(request)
    if kind not in accepted:
        raise UnsupportedMediaType(
            f"Send the body as {' or '.join(accepted)}, not {kind or 'no content type'}.",
            headers={"Accept-Post": ", ".join(accepted)},
        )
    return await request.body()


def parse_json(raw: bytes) -> Any:
    # The input guard (hub.middleware) has refused what json cannot take (too deep, numbers
    # too long) already; ValueError and RecursionError are caught here all the same.
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"The request body is not valid JSON: {_json_error(exc)}") from None


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return "it is not UTF-8"


def validate(model: type[M], document: Any, context: dict[str, Any]) -> M:
    """Validate a parsed document, turning every field error into one 400 problem."""
    try:
        return model.model_validate(document, context=context)
    except ValidationError as exc:
        raise invalid(exc, document) from None


def invalid(exc: ValidationError, document: Any) -> InvalidInput:
    errors = field_errors(exc.errors(include_url=False, include_input=False), document)
    return InvalidInput(f"{len(errors)} field(s) failed validation.", errors=errors)


def request_body_doc(schema: str, *, media_types: tuple[str, ...] = (JSON,)) -> dict[str, Any]:
    """`openapi_extra` documenting a body that the route reads itself."""
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": ref} for kind in media_types},
        }
    }
