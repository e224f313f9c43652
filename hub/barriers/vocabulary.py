"""Load and validate the barrier vocabulary, kept as YAML in the top-level ``barriers/`` folder.

Pure: no FastAPI, no SQLAlchemy. Everything else in the hub refers to barriers and indicators by
the codes defined here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from hub.kit.schema_errors import PathPart, error_message, error_path, render_path

# The barrier model as named in the task-force action plan. Repeated in schema.json's `code`
# enum; a test keeps the two in step.
BARRIER_ORDER: tuple[str, ...] = ("entry", "accommodation", "identity", "employment", "finance")
SCHEMA_FILE = "schema.json"


@dataclass(frozen=True, slots=True)
class Indicator:
    """An observable sign that a trafficker is passing one barrier."""

    code: str
    barrier: str
    label: str
    description: str
    weight: float
    source: str


@dataclass(frozen=True, slots=True)
class Barrier:
    """One step of the barrier model, with the indicators partners can observe there."""

    code: str
    name: str
    order: int
    version: str
    description: str
    agency_kinds: tuple[str, ...]
    indicators: tuple[Indicator, ...]


class VocabularyError(Exception):
    """A barrier file is missing, unparsable or invalid; names the file and the field."""

    def __init__(self, file: str, field: str, message: str, *, folder: str = "barriers") -> None:
        self.file = file
        self.field = field
        self.message = message
        self.folder = folder
        location = f"{folder}/{file}"
        super().__init__(f"{location}: {field}: {message}" if field else f"{location}: {message}")


@dataclass(frozen=True)
class Vocabulary:
    """The loaded barriers in barrier order, with lookups by code.

    ``version`` joins every barrier's own version in barrier order, e.g.
    ``entry@1.0.0,accommodation@1.0.0,...``, so a bump in any single file changes it.
    """

    barriers: tuple[Barrier, ...]
    version: str
    _barriers_by_code: dict[str, Barrier] = field(init=False, repr=False, compare=False)
    _indicators_by_code: dict[str, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen, so the lookup tables are set once through object.__setattr__.
        object.__setattr__(self, "_barriers_by_code", {b.code: b for b in self.barriers})
        object.__setattr__(
            self,
            "_indicators_by_code",
            {i.code: i for b in self.barriers for i in b.indicators},
        )

    def barrier(self, code: str) -> Barrier:
        """Return the barrier with this code; KeyError if unknown."""
        return self._barriers_by_code[code]

    def indicator(self, code: str) -> Indicator:
        """Return the indicator with this code; KeyError if unknown."""
        return self._indicators_by_code[code]

    def indicator_weights(self) -> dict[str, float]:
        """Every indicator's weight (0.3 weak to 0.9 near-conclusive), by code."""
        return {code: i.weight for code, i in self._indicators_by_code.items()}

    def barrier_codes(self) -> frozenset[str]:
        """Return the codes of all barriers."""
        return frozenset(self._barriers_by_code)

    def indicators_of(self, barrier_code: str) -> tuple[Indicator, ...]:
        """Return the indicators of one barrier; KeyError if the barrier is unknown."""
        return self._barriers_by_code[barrier_code].indicators


def load_vocabulary(directory: Path) -> Vocabulary:
    """Read every ``*.yaml`` in ``directory``, validate it against ``schema.json``, cross-check."""
    folder = directory.name
    validator = _load_validator(directory / SCHEMA_FILE, folder=folder)
    documents = {
        path.name: _read_barrier_file(path, validator, folder=folder)
        for path in sorted(directory.glob("*.yaml"))
    }
    _check_files_and_order(documents, folder=folder)
    by_code = {doc["code"]: (name, doc) for name, doc in documents.items()}
    ordered = [by_code[code] for code in BARRIER_ORDER]
    _check_indicator_codes(ordered, folder=folder)
    barriers = tuple(_to_barrier(doc) for _, doc in ordered)
    return Vocabulary(
        barriers=barriers,
        version=",".join(f"{b.code}@{b.version}" for b in barriers),
    )


def _load_validator(path: Path, *, folder: str) -> Draft202012Validator:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VocabularyError(path.name, "", "file not found", folder=folder) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise VocabularyError(path.name, "", f"invalid JSON: {exc}", folder=folder) from exc
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise VocabularyError(
            path.name, "", f"invalid JSON Schema: {exc.message}", folder=folder
        ) from exc
    return Draft202012Validator(schema)


def _read_barrier_file(
    path: Path, validator: Draft202012Validator, *, folder: str
) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise VocabularyError(path.name, "", f"not valid UTF-8: {exc}", folder=folder) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise VocabularyError(path.name, "", _describe_yaml_error(exc), folder=folder) from exc
    if data is None:
        raise VocabularyError(path.name, "", "file is empty", folder=folder)
    error = _first_schema_error(validator.iter_errors(data))
    if error is not None:
        field_path, message = error
        raise VocabularyError(path.name, field_path, message, folder=folder)
    if data["code"] != path.stem:
        raise VocabularyError(
            path.name,
            "code",
            f"{data['code']!r} does not match the file name (expected {path.stem!r})",
            folder=folder,
        )
    return data


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    if isinstance(exc, yaml.MarkedYAMLError) and mark is not None:
        # Marks are 0-based; editors count from 1.
        problem = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}{context}"
    return f"invalid YAML: {exc}"


def _first_schema_error(errors: Iterable[ValidationError]) -> tuple[str, str] | None:
    """Return (field, message) of the first error by field path, so reports are stable."""
    located = [(error_path(e), error_message(e)) for e in errors]
    if not located:
        return None
    parts, message = min(located, key=lambda item: (_sort_key(item[0]), item[1]))
    return render_path(parts), message


def _sort_key(parts: Sequence[PathPart]) -> tuple[tuple[int, int, str], ...]:
    # Ints and strings never compare directly; rank them so mixed paths still sort.
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts)


def _check_files_and_order(documents: Mapping[str, Mapping[str, Any]], *, folder: str) -> None:
    # File names already equal codes, so each code can occur at most once; only absence is left.
    present = {doc["code"] for doc in documents.values()}
    for code in BARRIER_ORDER:
        if code not in present:
            raise VocabularyError(
                f"{code}.yaml", "", f"file not found (barrier {code!r} is required)", folder=folder
            )
    for name in sorted(documents):
        doc = documents[name]
        expected = BARRIER_ORDER.index(doc["code"]) + 1
        if doc["order"] != expected:
            raise VocabularyError(
                name,
                "order",
                f"{doc['order']} is not the position of {doc['code']!r} in the barrier model "
                f"(expected {expected}: {', '.join(BARRIER_ORDER)})",
                folder=folder,
            )


def _check_indicator_codes(
    ordered: Sequence[tuple[str, Mapping[str, Any]]], *, folder: str
) -> None:
    """Reject duplicate indicator codes and codes whose prefix is not their barrier."""
    # An indicator copied into another file has both a duplicate code and a wrong prefix.
    # Owners (right prefix) are registered first so the error lands on the copy, not the original.
    owners: dict[str, str] = {}
    foreign: list[tuple[str, str, str]] = []
    for name, doc in ordered:
        for index, item in enumerate(doc["indicators"]):
            code, where = item["code"], f"indicators[{index}].code"
            if code.split(".", 1)[0] != doc["code"]:
                foreign.append((name, where, code))
            elif code in owners:
                raise VocabularyError(
                    name, where, f"{code!r} duplicates {owners[code]}", folder=folder
                )
            else:
                owners[code] = f"{name} {where}"
    if foreign:
        name, where, code = foreign[0]
        if code in owners:
            raise VocabularyError(name, where, f"{code!r} duplicates {owners[code]}", folder=folder)
        prefix = name.removesuffix(".yaml") + "."
        raise VocabularyError(
            name, where, f"{code!r} must start with the barrier code {prefix!r}", folder=folder
        )


def _to_barrier(doc: Mapping[str, Any]) -> Barrier:
    code = doc["code"]
    indicators = tuple(
        Indicator(
            code=item["code"],
            barrier=code,
            label=item["label"],
            description=item["description"].strip(),
            weight=float(item["weight"]),
            source=item["source"],
        )
        for item in doc["indicators"]
    )
    return Barrier(
        code=code,
        name=doc["name"],
        order=doc["order"],
        version=doc["version"],
        description=doc["description"].strip(),
        agency_kinds=tuple(doc["agency_kinds"]),
        indicators=indicators,
    )
