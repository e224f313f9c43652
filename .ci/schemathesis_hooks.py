"""Schemathesis hooks for .ci/schemathesis.sh.

- The batch route also takes NDJSON: an array is sent one item a line.
- Reading routes need a purpose, as the `purpose` parameter or the `Purpose` header. OpenAPI
  cannot say "one of these two", so a request that sends neither gets the route's first
  purpose, and one whose two valid purposes disagree sends the parameter's in the header too.
  Invalid values are left as they are: those requests are meant to be refused.
"""

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """An array as one JSON document per line; anything else as one line."""
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


def _purposes(operation: Any) -> list[str]:
    definition = getattr(operation.definition, "raw", operation.definition)
    for parameter in definition.get("parameters", []):
        if parameter.get("name") == "purpose" and parameter.get("in") == "query":
            schema = parameter.get("schema", {})
            for option in schema.get("anyOf", [schema]):
                if "enum" in option:
                    return list(option["enum"])
    return []


@schemathesis.hook
def before_call(ctx: schemathesis.HookContext, case: Any, **kwargs: Any) -> None:
    allowed = _purposes(case.operation)
    if not allowed:
        return
    query = dict(case.query or {})
    headers = dict(case.headers or {})
    header_name = next((n for n in headers if n.lower() == "purpose"), None)
    if header_name and headers[header_name] in (None, "null"):
        # The header is nullable in the spec, and a null header is no header.
        del headers[header_name]
        case.headers = headers
        header_name = None
    given, header = query.get("purpose"), headers.get(header_name) if header_name else None
    if given is None and header is None:
        query["purpose"] = allowed[0]
        case.query = query
    elif given in allowed and header in allowed and given != header:
        headers[header_name] = given
        case.headers = headers
