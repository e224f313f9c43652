"""The UI's Jinja2 templates (always autoescaped) and what every page's frame is given."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _frame(request: Request) -> dict[str, Any]:
    # The header needs the analyst and the sign-out form the CSRF token; both are set on the
    # request by `current_user` (or by the login page), so no page has to pass them.
    return {
        "analyst": getattr(request.state, "analyst", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }


templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    ),
    context_processors=[_frame],
)
