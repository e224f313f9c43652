"""MkDocs hook: the API reference page, rendered from openapi/openapi.json at build time.

No plugin, CDN or network: the published spec is read from the repository and written as one
Markdown page (operations by tag, parameters with their enums, request bodies, responses, and
the schemas they name), so the reference can never drift from the contract CI checks.
"""

import json
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
PAGE = "reference/api.md"
METHODS = ("get", "put", "post", "patch", "delete")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated reference page to the site's files."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    files.append(File.generated(config, PAGE, content=render(spec)))
    return files


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # `mkdocs serve` rebuilds when the spec changes, not only when docs/ does.
    config.watch.append(str(SPEC))
    return config


def render(spec: dict[str, Any]) -> str:
    """The whole reference page as Markdown."""
    info = spec["info"]
    base = spec.get("servers", [{}])[0].get("url", "")
    lines = [
        "# API reference",
        "",
        f"**{info['title']}**, version {info['version']}. Every path below is relative to "
        f"`{base}`. Generated from `openapi/openapi.json` when the site is built; the hub serves "
        "the same document without a token at `/api/v1/openapi.json`.",
        "",
    ]
    if info.get("description"):
        lines += [info["description"], ""]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                for tag in op.get("tags", ["other"])[:1]:
                    by_tag.setdefault(tag, []).append((method, path, op))
    descriptions = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    for tag, ops in by_tag.items():
        lines += [f"## {tag}", "", descriptions.get(tag, ""), ""]
        for method, path, op in ops:
            lines += _operation(method, path, op)
    lines += ["## Schemas", ""]
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        lines += _schema(name, schema)
    return "\n".join(lines) + "\n"


def _operation(method: str, path: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if op.get("summary"):
        lines += [
            f"**{op['summary']}**" + (f" (`{op['operationId']}`)" if "operationId" in op else ""),
            "",
        ]
    if op.get("description"):
        lines += [op["description"], ""]
    scopes = sorted({s for req in op.get("security", []) for v in req.values() for s in v})
    if scopes:
        lines += ["Scopes: " + ", ".join(f"`{s}`" for s in scopes), ""]
    params = op.get("parameters", [])
    if params:
        lines += [
            "| parameter | in | required | type | description |",
            "|---|---|---|---|---|",
        ]
        for p in params:
            lines.append(
                f"| `{p['name']}` | {p['in']} | {'yes' if p.get('required') else 'no'} | "
                f"{_cell(_type(p.get('schema', {})))} | {_cell(p.get('description', ''))} |"
            )
        lines.append("")
    body = op.get("requestBody")
    if body:
        parts = [
            f"`{media}`: {_type(content.get('schema', {}))}"
            for media, content in body.get("content", {}).items()
        ]
        required = " (required)" if body.get("required") else ""
        lines += [f"Request body{required}: " + "; ".join(parts), ""]
    responses = op.get("responses", {})
    if responses:
        lines += ["| status | meaning | body |", "|---|---|---|"]
        for status in sorted(responses):
            answer = responses[status]
            bodies = ", ".join(
                f"`{media}` {_cell(_type(content.get('schema', {})))}"
                for media, content in answer.get("content", {}).items()
            )
            lines.append(f"| {status} | {_cell(answer.get('description', ''))} | {bodies} |")
        lines.append("")
    return lines


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name} {{#{_anchor(name)}}}", ""]
    if schema.get("description"):
        lines += [schema["description"], ""]
    props = schema.get("properties")
    if not props:
        lines += [f"Type: {_type(schema)}", ""]
        return lines
    required = set(schema.get("required", []))
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, sub in props.items():
        lines.append(
            f"| `{field}` | {_cell(_type(sub))} | {'yes' if field in required else 'no'} | "
            f"{_cell(sub.get('description', ''))} |"
        )
    lines.append("")
    return lines


def _type(schema: dict[str, Any]) -> str:
    """A schema as a short inline type: a link for a named schema, enums spelled out."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            parts = [_type(s) for s in schema[key]]
            return (" and " if key == "allOf" else " or ").join(parts)
    if "enum" in schema:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    extra = [f"format `{schema['format']}`"] if "format" in schema else []
    for key in ("minimum", "maximum", "minLength", "maxLength", "maxItems", "pattern"):
        if key in schema:
            extra.append(f"{key} `{schema[key]}`")
    return kind + (f" ({', '.join(extra)})" if extra else "")


def _anchor(name: str) -> str:
    return "schema-" + "".join(c if c.isalnum() else "-" for c in name).lower()


def _cell(text: str) -> str:
    # A table cell is one line, and a pipe would end it.
    return " ".join(text.split()).replace("|", "\\|")
