"""The UI's Jinja2 templates (always autoescaped, translated) and what every page's frame is
given."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from hub.kit.i18n import environment
from hub.ui.language import switch
from hub.ui.roles import ROLE_NAMES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _frame(request: Request) -> dict[str, Any]:
    # The header needs the analyst, the sign-out form the CSRF token and the language switch
    # both; they are set on the request by `current_user` (or by the login page) and by the
    # language middleware, so no page has to pass them.
    return {
        "analyst": getattr(request.state, "analyst", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "language_switch": switch(request),
    }


templates = Jinja2Templates(env=environment(TEMPLATES_DIR), context_processors=[_frame])
templates.env.globals.update(role_names=ROLE_NAMES)
