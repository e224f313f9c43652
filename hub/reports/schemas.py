"""API models of the report list, and the report's JSON Schema as OpenAPI components."""

import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


class ReportLinks(BaseModel):
    json_url: str = Field(alias="json", description="The JSON rendition.")
    html: str = Field(description="The printable HTML page.")
    csv: str = Field(description="The tidy CSV table.")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ReportSummary(BaseModel):
    report_date: date
    generated_at: datetime
    schema_version: str
    links: ReportLinks


class ReportList(BaseModel):
    items: list[ReportSummary]


@cache
def report_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())


def openapi_components() -> dict[str, Any]:
    """report.schema.json as components: `Report` and its `$defs` as `Report<Name>`."""
    schema = report_schema()
    text = json.dumps({k: v for k, v in schema.items() if k not in ("$schema", "$id")})
    text = re.sub(r'"#/\$defs/(\w+)"', r'"#/components/schemas/Report\1"', text)
    converted = json.loads(text)
    defs = converted.pop("$defs")
    return {"Report": converted} | {f"Report{name}": body for name, body in defs.items()}
