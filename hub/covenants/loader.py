"""Load and check the covenants, kept as YAML in the top-level ``covenants/`` folder.

Pure: no FastAPI, no SQLAlchemy. ``check_covenants`` reports every error in a folder, each with
its file, line and field, so a privacy officer can fix a draft in one pass; ``load_covenants``
builds the model (hub.covenants.model) and refuses a folder with any error.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from hub.agencies.regions import RIEC_REGIONS
from hub.covenants.model import DATA_CATEGORIES, PURPOSES, Covenant, Level, Party, Rule
from hub.kit.schema_errors import PathPart, error_message, error_path, render_path
from hub.paths import document_dir

SCHEMA_FILE = "schema.json"
# Repeated in schema.json's selector `kind` enum; a test keeps the two in step.
AGENCY_KINDS: tuple[str, ...] = (
    "emm",
    "riec",
    "liec",
    "kmar",
    "ind",
    "szw",
    "police",
    "municipality",
    "other",
)
_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,31}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATE_FIELDS = ("valid_from", "valid_until", "withdrawn_on")
_LEVELS = frozenset(level.label for level in Level)


@dataclass(frozen=True)
class CovenantError:
    """One problem in a covenant file: where it is (file, 1-based line, field) and what it is."""

    file: str
    line: int
    field: str
    message: str
    folder: str = "covenants"

    def __str__(self) -> str:
        where = f"{self.folder}/{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class CovenantsInvalid(Exception):
    """A covenant folder has at least one error; ``errors`` holds all of them."""

    def __init__(self, errors: Sequence[CovenantError]) -> None:
        self.errors = tuple(errors)
        count = f"{len(self.errors)} error" + ("" if len(self.errors) == 1 else "s")
        super().__init__(f"{count} in covenants:\n" + "\n".join(str(e) for e in self.errors))


def published_schema() -> Path:
    """The JSON Schema the hub publishes for one covenant file."""
    return document_dir("covenants") / SCHEMA_FILE


def load_covenants(directory: Path, *, schema: Path | None = None) -> tuple[Covenant, ...]:
    """Read every ``*.yaml`` in ``directory``; raise ``CovenantsInvalid`` on any error.

    Covenants come back ordered by id, then version.
    """
    documents, errors = _read_folder(directory, schema)
    if errors:
        raise CovenantsInvalid(errors)
    covenants = [_to_covenant(name, doc) for name, (doc, _) in documents.items()]
    return tuple(sorted(covenants, key=lambda c: (c.id, c.version)))


def check_covenants(directory: Path, *, schema: Path | None = None) -> list[CovenantError]:
    """Every error in the folder's ``*.yaml`` files (not just the first), by file and line."""
    return _read_folder(directory, schema)[1]


def load_documents(texts: Mapping[str, str], *, folder: str = "draft") -> tuple[Covenant, ...]:
    """Covenants from documents held in memory (file name -> YAML or JSON text), checked as a
    folder is; raise ``CovenantsInvalid`` naming the document, line and field of each error."""
    documents, errors = _read_texts({name: (lambda t=t: t) for name, t in texts.items()}, folder)
    if errors:
        raise CovenantsInvalid(errors)
    covenants = [_to_covenant(name, doc) for name, (doc, _) in documents.items()]
    return tuple(sorted(covenants, key=lambda c: (c.id, c.version)))


# --- reading ------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so the JSON Schema sees what a JSON editor sees."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# A valid document with the YAML node it came from (for line numbers).
_Document = tuple[dict[str, Any], yaml.Node]


def _read_folder(
    directory: Path, schema: Path | None
) -> tuple[dict[str, _Document], list[CovenantError]]:
    readers = {
        path.name: functools.partial(path.read_text, encoding="utf-8")
        for path in sorted(directory.glob("*.yaml"))
    }
    return _read_texts(readers, directory.name, schema)


def _read_texts(
    readers: Mapping[str, Callable[[], str]], folder: str, schema: Path | None = None
) -> tuple[dict[str, _Document], list[CovenantError]]:
    """Check documents by name, each read by its reader (a file's, or text held in memory)."""
    validator = _validator((schema or published_schema()).resolve())
    documents: dict[str, _Document] = {}
    errors: list[CovenantError] = []
    for name in sorted(readers):
        file_errors: list[CovenantError] = []
        parsed = _parse(name, readers[name], file_errors, folder=folder)
        if parsed is not None:
            data, node = parsed
            for parts, message in _document_errors(data, node, validator):
                file_errors.append(
                    CovenantError(name, _line_of(node, parts), render_path(parts), message, folder)
                )
            if not file_errors:
                documents[name] = (data, node)
        errors.extend(sorted(file_errors, key=lambda e: (e.line, e.field, e.message)))
    errors.extend(_duplicate_versions(documents, folder=folder))
    return documents, sorted(errors, key=lambda e: (e.file, e.line, e.field, e.message))


def _parse(
    name: str, read: Callable[[], str], errors: list[CovenantError], *, folder: str
) -> tuple[Any, yaml.Node] | None:
    def fail(line: int, message: str) -> None:
        errors.append(CovenantError(name, line, "", message, folder))

    try:
        text = read()
    except UnicodeDecodeError as exc:
        fail(1, f"not valid UTF-8: {exc}")
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            fail(1, "file is empty")
            return None
        alias = _first_alias(node)
        if alias is not None:
            # A covenant is read by people: every rule spelled out. Aliases also let a small
            # draft posted to the API stand for an exponentially large document.
            fail(alias, "YAML anchors and aliases are not allowed in a covenant: write it out")
            return None
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark is not None else 1
        column = f", column {mark.column + 1}" if mark is not None else ""
        fail(line, f"invalid YAML{column}: {problem}{context}")
        return None
    except yaml.YAMLError as exc:
        fail(1, f"invalid YAML: {exc}")
        return None
    finally:
        loader.dispose()
    return data, node


def _first_alias(root: yaml.Node) -> int | None:
    """The 1-based line of the first node reached twice (an alias), if any."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node.start_mark.line + 1
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return None


# --- checks -------------------------------------------------------------------------------------

_Found = tuple[list[PathPart], str]


def _document_errors(data: Any, node: yaml.Node, validator: Draft202012Validator) -> list[_Found]:
    found = list(_duplicate_keys(node, []))
    found += [(error_path(e), error_message(e)) for e in validator.iter_errors(data)]
    if isinstance(data, dict):
        found += _semantic_errors(data)
    return found


def _duplicate_keys(node: yaml.Node, parts: list[PathPart]) -> Iterator[_Found]:
    # PyYAML keeps the last of two equal keys silently; in a covenant that hides a rule's intent.
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None and name in seen:
                yield [*parts, name], f"duplicate key (first at line {seen[name]})"
            elif name is not None:
                seen[name] = key.start_mark.line + 1
            yield from _duplicate_keys(value, [*parts, name] if name is not None else parts)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, [*parts, index])


def _semantic_errors(doc: Mapping[str, Any]) -> list[_Found]:
    """What the schema cannot say. Guarded throughout: the schema may have failed already."""
    found: list[_Found] = []
    dates = {name: _date(doc.get(name), name, found) for name in _DATE_FIELDS}
    start = dates["valid_from"]
    for name in ("valid_until", "withdrawn_on"):
        end = dates[name]
        if start is not None and end is not None and end < start:
            found.append(([name], f"{end.isoformat()} is before valid_from {start.isoformat()}"))

    purposes = _strings(doc.get("purposes"))
    parties = doc.get("parties") if isinstance(doc.get("parties"), list) else []
    codes = {p for p in parties if isinstance(p, str)}
    selectors = [p for p in parties if isinstance(p, dict)]
    rules = doc.get("rules") if isinstance(doc.get("rules"), list) else []
    first_with_id: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        at: list[PathPart] = ["rules", index]
        rule_id = rule.get("id")
        if isinstance(rule_id, str):
            if rule_id in first_with_id:
                found.append(
                    (
                        [*at, "id"],
                        f"duplicate rule id {rule_id!r} (first at rules[{first_with_id[rule_id]}])",
                    )
                )
            else:
                first_with_id[rule_id] = index
        rule_purposes = rule.get("purposes") if isinstance(rule.get("purposes"), list) else []
        for k, purpose in enumerate(rule_purposes):
            if isinstance(purpose, str) and purpose in PURPOSES and purpose not in purposes:
                found.append(
                    (
                        [*at, "purposes", k],
                        f"{purpose!r} is not among the covenant's purposes {sorted(purposes)}",
                    )
                )
        for side in ("from", "to"):
            members = rule.get(side) if isinstance(rule.get(side), list) else []
            for k, party in enumerate(members):
                if _is_party(party) and not _listed(party, codes, selectors):
                    found.append(([*at, side, k], _not_a_party(party)))
        level = rule.get("level")
        if rule.get("aggregates_only") is True:
            if level in _LEVELS and level != "none":
                found.append(
                    ([*at, "level"], f"{level!r}: an aggregates_only rule needs level none")
                )
            if rule_purposes != ["trend-report"]:
                found.append(
                    ([*at, "purposes"], "an aggregates_only rule is for trend-report only")
                )
        elif level == "none":
            # The highest grant wins, so `none` can never withhold anything: it only misleads.
            found.append(([*at, "level"], "level none grants nothing unless aggregates_only: true"))
        if rule.get("reviews") is True:
            found += _reviews_errors(rule, at, rule_purposes)
    return found


def _reviews_errors(
    rule: Mapping[str, Any], at: list[PathPart], purposes: list[Any]
) -> list[_Found]:
    """A reviewing rule must show single signals for case-proposal: reviewers are the ones who
    see the members of the proposals they decide on."""
    found: list[_Found] = []
    if "case-proposal" not in purposes:
        found.append(
            (
                [*at, "reviews"],
                "only a rule for case-proposal can name reviewers (add case-proposal to its "
                "purposes, or drop reviews)",
            )
        )
    if rule.get("aggregates_only") is True:
        found.append(
            (
                [*at, "reviews"],
                "an aggregates_only rule shows no signal, so its viewers cannot review proposals",
            )
        )
    return found


def _date(value: Any, name: str, found: list[_Found]) -> date | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return None  # absent, or the schema reports it
    try:
        return date.fromisoformat(value)
    except ValueError:
        found.append(([name], f"{value!r} is not a valid date"))
        return None


def _strings(value: Any) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _is_party(value: Any) -> bool:
    """A well-formed party (so a malformed one is reported once, by the schema)."""
    if isinstance(value, str):
        return bool(_CODE.match(value))
    return (
        isinstance(value, dict)
        and set(value) <= {"kind", "region"}
        and value.get("kind") in AGENCY_KINDS
        and ("region" not in value or value["region"] in RIEC_REGIONS)
    )


def _listed(party: str | dict[str, str], codes: set[str], selectors: list[Any]) -> bool:
    # A code is covered only by the same code: the loader cannot know a bare code's kind.
    return party in codes if isinstance(party, str) else party in selectors


def _not_a_party(party: str | dict[str, str]) -> str:
    if isinstance(party, str):
        return f"{party!r} is not one of the covenant's parties"
    shown = "{" + ", ".join(f"{k}: {v}" for k, v in party.items()) + "}"
    return f"{shown} is not one of the covenant's parties (a selector must equal one listed there)"


def _duplicate_versions(documents: Mapping[str, _Document], *, folder: str) -> list[CovenantError]:
    first: dict[tuple[str, int], str] = {}
    errors: list[CovenantError] = []
    for name, (doc, node) in documents.items():
        key = (doc["id"], doc["version"])
        if key in first:
            errors.append(
                CovenantError(
                    name,
                    _line_of(node, ["version"]),
                    "version",
                    f"covenant {key[0]!r} version {key[1]} is also defined in {first[key]}",
                    folder,
                )
            )
        else:
            first[key] = name
    return errors


# --- error locations ----------------------------------------------------------------------------


def _line_of(node: yaml.Node, parts: Sequence[PathPart]) -> int:
    """1-based line of the deepest node on ``parts``: a key's own line, a list item's first line."""
    line = node.start_mark.line
    for part in parts:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    line, child = key.start_mark.line, value  # last wins, as in the data
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line
        if child is None:
            break
        node = child
    return line + 1


# --- building the model -------------------------------------------------------------------------


def _to_party(value: str | Mapping[str, str]) -> Party:
    if isinstance(value, str):
        return Party(code=value)
    return Party(kind=value["kind"], region=value.get("region"))


def _to_rule(doc: Mapping[str, Any]) -> Rule:
    categories = doc["categories"]
    barriers = doc["barriers"]
    return Rule(
        id=doc["id"],
        sources=tuple(_to_party(p) for p in doc["from"]),
        viewers=tuple(_to_party(p) for p in doc["to"]),
        purposes=frozenset(doc["purposes"]),
        level=Level.parse(doc["level"]),
        categories=frozenset(DATA_CATEGORIES if categories == "all" else categories),
        barriers=None if barriers == "all" else frozenset(barriers),
        scope=doc.get("scope", "all"),
        aggregates_only=doc.get("aggregates_only", False),
        reviews=doc.get("reviews", False),
    )


def _to_covenant(name: str, doc: Mapping[str, Any]) -> Covenant:
    def day(field: str) -> date | None:
        value = doc.get(field)
        return date.fromisoformat(value) if value is not None else None

    valid_from = day("valid_from")
    assert valid_from is not None  # required by the schema
    return Covenant(
        id=doc["id"],
        version=doc["version"],
        title=doc["title"],
        legal_basis=tuple(doc["legal_basis"]),
        parties=tuple(_to_party(p) for p in doc["parties"]),
        purposes=frozenset(doc["purposes"]),
        valid_from=valid_from,
        valid_until=day("valid_until"),
        retention_days=doc["retention_days"],
        onward_sharing=doc["onward_sharing"],
        rules=tuple(_to_rule(r) for r in doc["rules"]),
        withdrawn_on=day("withdrawn_on"),
        source_file=name,
    )
