"""The contact point's pages (role dpo): its data subjects' requests, opening one with a find,
carrying it out or refusing it, through the same service as the API (hub.subjects.service)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hub.deps import SessionDep
from hub.errors import HubError, InvalidInput
from hub.kit.i18n import N_, current_language
from hub.kit.i18n import gettext as _
from hub.subjects import export, repository, service
from hub.subjects.grounds import ALL_GROUNDS, REFUSAL_GROUNDS
from hub.subjects.schemas import CompletionIn, RefusalIn, SubjectRequestCreate
from hub.ui.pages.actions import _valid
from hub.ui.pages.deps import require_scope
from hub.ui.pages.render import page
from hub.ui.sessions import AnalystDep

router = APIRouter()
Field = Annotated[str, Form()]
DONE = {
    "opened": N_("Request opened: below is everything that holds the person now."),
    "done": N_("Carried out and audited."),
    "refused": N_("Refused; the ground is on record."),
    "lifted": N_("Restriction lifted: the signals link and are shared under the covenants again."),
}


def desk(request: Request, analyst: AnalystDep) -> service.Desk:
    """The contact point's desk, as the API builds it, with the signed-in user as the caller."""
    require_scope(analyst, "dpo", N_("answer data subjects' requests"))
    state = request.app.state
    return service.Desk(
        caller=analyst.caller(), keys=state.data_keys, linker=state.link_worker.linker
    )


DeskDep = Annotated[service.Desk, Depends(desk)]


def _checked(model: type[BaseModel], **fields: Any) -> Any:
    return _valid(model, **{k: v for k, v in fields.items() if v not in (None, "")})


def _render_list(
    request: Request,
    session: Session,
    desk: service.Desk,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    found = repository.requests_page(session, limit=100)
    return page(
        request,
        "subject_requests.html",
        {"requests": found, "error": error},
        status_code=status_code,
    )


@router.get("/subject-requests")
def requests(request: Request, desk: DeskDep, session: SessionDep) -> Response:
    """The newest hundred requests, and the form that opens one."""
    return _render_list(request, session, desk)


@router.post("/subject-requests")
def open_request(
    request: Request,
    desk: DeskDep,
    session: SessionDep,
    kind: Field = "",
    name: Field = "",
    birth_date: Field = "",
    bsn: Field = "",
    document_number: Field = "",
    document_country: Field = "",
    notes: Field = "",
) -> Response:
    """Open a request from the form's identifiers (any of the three ways to find a person)."""
    identifiers: list[dict[str, Any]] = []
    if name.strip() and (birth_date.strip() or bsn.strip()):
        person = {"type": "person", "name": name, "birth_date": birth_date, "bsn": bsn}
        identifiers.append({k: v for k, v in person.items() if v.strip()})
    if document_number.strip():
        identifiers.append(
            {
                "type": "document",
                "kind": "other",
                "number": document_number,
                "issuing_country": document_country,
            }
        )
    try:
        if not identifiers:
            raise InvalidInput(
                _("Give a name with a birth date or BSN, or a document number with its country.")
            )
        data = _checked(
            SubjectRequestCreate, kind=kind, identifiers=identifiers, notes=notes.strip() or None
        )
        created = service.open_request(session, desk, data)
    except HubError as exc:
        session.rollback()
        return _render_list(request, session, desk, error=exc.translated(), status_code=exc.status)
    return RedirectResponse(f"/ui/subject-requests/{created.id}?done=opened", status_code=303)


def _render_one(
    request: Request,
    session: Session,
    desk: service.Desk,
    request_id: uuid.UUID,
    *,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    found = service.get(session, request_id)
    return page(
        request,
        "subject_request.html",
        {
            "item": service.view(session, desk.keys, found),
            "grounds": ALL_GROUNDS,
            "refusal_grounds": REFUSAL_GROUNDS,
            "done": _(DONE.get(done or "", "")),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/subject-requests/{request_id:uuid}")
def one(
    request: Request,
    request_id: uuid.UUID,
    desk: DeskDep,
    session: SessionDep,
    done: str | None = None,
) -> Response:
    """One request: what holds the person now, the outcome, and what can be done next."""
    return _render_one(request, session, desk, request_id, done=done)


def _act(
    request: Request,
    session: Session,
    desk: service.Desk,
    request_id: uuid.UUID,
    action: Any,
    done: str,
) -> Response:
    try:
        action()
    except HubError as exc:
        session.rollback()  # nothing of a failed step stays
        return _render_one(
            request, session, desk, request_id, error=exc.translated(), status_code=exc.status
        )
    return RedirectResponse(f"/ui/subject-requests/{request_id}?done={done}", status_code=303)


@router.post("/subject-requests/{request_id:uuid}/complete")
def complete(
    request: Request,
    request_id: uuid.UUID,
    desk: DeskDep,
    session: SessionDep,
    ground: Field = "",
    note: Field = "",
) -> Response:
    """Carry the request out (with a ground to restrict, a note to rectify)."""

    def act() -> None:
        data = _checked(CompletionIn, ground=ground, note=note.strip())
        service.complete(session, desk, request_id, data)

    return _act(request, session, desk, request_id, act, "done")


@router.post("/subject-requests/{request_id:uuid}/refuse")
def refuse(
    request: Request,
    request_id: uuid.UUID,
    desk: DeskDep,
    session: SessionDep,
    ground: Field = "",
    note: Field = "",
) -> Response:
    """Refuse the request on a ground."""

    def act() -> None:
        data = _checked(RefusalIn, ground=ground, note=note.strip())
        service.refuse(session, desk, request_id, data)

    return _act(request, session, desk, request_id, act, "refused")


@router.post("/subject-requests/{request_id:uuid}/lift")
def lift(request: Request, request_id: uuid.UUID, desk: DeskDep, session: SessionDep) -> Response:
    """Lift a restriction in force."""
    return _act(
        request,
        session,
        desk,
        request_id,
        lambda: service.lift(session, desk, request_id),
        "lifted",
    )


@router.get("/subject-requests/{request_id:uuid}/export.html")
def export_page(request_id: uuid.UUID, desk: DeskDep, session: SessionDep) -> Response:
    """The printable access export (audited, as the API's), in the page's language."""
    document = service.export(session, desk, request_id)
    # Self-contained, with inline styles the UI's own policy would block.
    return Response(
        export.render_html(document, language=current_language()),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": export.EXPORT_POLICY},
    )
