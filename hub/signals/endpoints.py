"""HTTP routes of signals. Reading here means reading your own; covenants widen it later."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response, Security
from fastapi.concurrency import run_in_threadpool

from hub.barriers.schemas import BarrierCode
from hub.covenants.viewer import Viewer
from hub.deps import (
    BindingsDep,
    DataKeysDep,
    LinkQueueDep,
    SessionDep,
    SettingsDep,
    SignalWriter,
    VocabularyDep,
    viewer_for,
)
from hub.kit import body
from hub.kit.pagination import decode_cursor, encode_cursor, next_link, scope
from hub.kit.times import Instant
from hub.openapi import problem_responses
from hub.signals import reads, repository, service
from hub.signals.batch import read_batch
from hub.signals.schemas import (
    BatchItemResult,
    BatchResult,
    RetractRequest,
    SignalCreate,
    SignalOut,
    SignalPage,
    SignalUpdate,
)

router = APIRouter(tags=["signals"])
# Reading signals serves preparing case proposals and investigating; a hit/no-hit answer is
# POST /lookups' alone. Your own signals are shown in full whatever the purpose.
SignalViewer = Annotated[
    Viewer, Security(viewer_for("case-proposal", "investigation"), scopes=["signals:read"])
]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Retry-safe key: the same key and body return the first result.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag (version) you last read."),
]
SIGNAL_HEADERS = {
    "Location": {"description": "Address of the signal.", "schema": {"type": "string"}},
    "ETag": {"description": "The signal's version.", "schema": {"type": "string"}},
}


async def json_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON,))


async def patch_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON, body.MERGE_PATCH))


async def batch_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON, body.NDJSON))


def _headers(response: Response, signal_id: uuid.UUID, version: int) -> None:
    response.headers["Location"] = f"/api/v1/signals/{signal_id}"
    response.headers["ETag"] = f'"{version}"'


@router.post(
    "/signals",
    status_code=201,
    summary="Post a signal",
    response_model=SignalOut,
    operation_id="createSignal",
    openapi_extra=body.request_body_doc("SignalCreate"),
    responses={201: {"headers": SIGNAL_HEADERS}, **problem_responses(409, 413, 415)},
)
async def create_signal(
    response: Response,
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
    raw: Annotated[bytes, Depends(json_body)],
    bindings: BindingsDep,
    links: LinkQueueDep,
    idempotency_key: IdempotencyKey = None,
) -> SignalOut:
    """Post one barrier-tagged signal. Identifiers are validated and normalised, the summary and
    identifiers are encrypted at rest, and identifiers are blind-indexed for matching. With an
    `Idempotency-Key` a retry returns the first result; without one, a second signal with the
    same `external_ref` is a 409."""

    # One trip to a worker thread: a sync route would take a second one for its response.
    def work() -> SignalOut:
        document = body.parse_json(raw)
        data = body.validate(SignalCreate, document, {"vocabulary": vocabulary})
        created, replayed = service.create_signal(
            session,
            keys,
            caller,
            data,
            idempotency_key=idempotency_key,
            body_hash=service.request_hash(document),
            bindings=bindings,
        )
        _headers(response, created.id, created.version)
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        else:
            links.queue(session, [created.id])
        return created

    return await run_in_threadpool(work)


@router.post(
    "/signals/batch",
    summary="Post many signals at once",
    response_model=BatchResult,
    operation_id="createSignalBatch",
    openapi_extra=body.request_body_doc("SignalBatch", media_types=(body.JSON, body.NDJSON)),
    responses=problem_responses(413, 415),
)
async def create_batch(
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
    settings: SettingsDep,
    request: Request,
    raw: Annotated[bytes, Depends(batch_body)],
    bindings: BindingsDep,
    links: LinkQueueDep,
) -> BatchResult:
    """Post up to the configured maximum (default 1,000) signals as a JSON array or as NDJSON
    (one signal per line). Each item is stored whole or not at all and gets its own result:
    `created`, `duplicate` (your agency already posted that `external_ref`; its id is given)
    or `invalid` with a problem whose pointers are relative to the item."""
    media_type = body.media_type(request)

    def work() -> BatchResult:
        items = read_batch(
            raw, media_type, vocabulary=vocabulary, max_items=settings.batch_max_items
        )
        outcomes = service.create_batch(session, keys, caller, items, bindings=bindings)
        created = [o.id for o in outcomes if o.status == "created" and o.id is not None]
        links.queue(session, created)
        results = [
            BatchItemResult(index=o.index, status=o.status, id=o.id, problem=o.problem)  # type: ignore[arg-type]
            for o in outcomes
        ]
        return BatchResult(
            created=sum(r.status == "created" for r in results),
            duplicates=sum(r.status == "duplicate" for r in results),
            invalid=sum(r.status == "invalid" for r in results),
            results=results,
        )

    # One trip to a worker thread: a sync route would take a second one for its response.
    return await run_in_threadpool(work)


@router.get(
    "/signals",
    summary="List signals",
    response_model=SignalPage,
    operation_id="listSignals",
    responses={
        200: {
            "headers": {
                "Link": {
                    "description": "RFC 8288 link to the next page.",
                    "schema": {"type": "string"},
                }
            }
        }
    },
)
def list_signals(
    request: Request,
    response: Response,
    viewer: SignalViewer,
    session: SessionDep,
    keys: DataKeysDep,
    barrier: BarrierCode | None = None,
    indicator: Annotated[str | None, Query(max_length=80)] = None,
    municipality: Annotated[str | None, Query(pattern=r"^GM[0-9]{4}$")] = None,
    status: Literal["active", "retracted"] | None = None,
    observed_since: Annotated[Instant | None, Query(alias="observedSince")] = None,
    observed_until: Annotated[Instant | None, Query(alias="observedUntil")] = None,
    updated_since: Annotated[Instant | None, Query(alias="updatedSince")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SignalPage:
    """Signals you may see for the declared `purpose`, oldest first, filtered: your own in full,
    other agencies' at the level a covenant in force grants (see `disclosure`). Follow
    `next_cursor` or the `Link` header for the next page. Times may carry any offset and are
    answered in UTC. A filter only matches signals whose disclosure shows what it filters on."""
    where = repository.SignalFilter(
        barrier=barrier,
        indicator=indicator,
        municipality=municipality,
        status=status,
        observed_since=observed_since,
        observed_until=observed_until,
        updated_since=updated_since,
    )
    bound = scope("signals", agency=viewer.code, purpose=viewer.purpose, filters=where)
    items, last = reads.read_page(
        session,
        keys,
        viewer,
        where,
        after=decode_cursor(keys.cursor_key, bound, cursor),
        limit=limit,
    )
    next_cursor = encode_cursor(keys.cursor_key, bound, last) if last is not None else None
    if next_cursor:
        response.headers["Link"] = next_link(request.url, next_cursor)
    return SignalPage.model_validate({"items": items, "next_cursor": next_cursor})


@router.get(
    "/signals/{id:uuid}",
    summary="Get a signal",
    response_model=SignalOut,
    operation_id="getSignal",
    responses={200: {"headers": {"ETag": SIGNAL_HEADERS["ETag"]}}},
)
def get_signal(
    id: uuid.UUID,
    response: Response,
    viewer: SignalViewer,
    session: SessionDep,
    keys: DataKeysDep,
) -> SignalOut:
    """One signal, at the level a covenant in force grants for the declared `purpose` (your own
    always in full). A signal you may not see does not exist for you: 404, never 403."""
    shown, version = reads.read_one(session, keys, viewer, id)
    response.headers["ETag"] = f'"{version}"'
    return SignalOut.model_validate(shown)


@router.patch(
    "/signals/{id:uuid}",
    summary="Correct a signal",
    response_model=SignalOut,
    operation_id="updateSignal",
    openapi_extra=body.request_body_doc("SignalUpdate", media_types=(body.JSON, body.MERGE_PATCH)),
    responses={
        200: {"headers": {"ETag": SIGNAL_HEADERS["ETag"]}},
        **problem_responses(409, 412, 415),
    },
)
def update_signal(
    id: uuid.UUID,
    response: Response,
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
    raw: Annotated[bytes, Depends(patch_body)],
    links: LinkQueueDep,
    if_match: IfMatch = None,
) -> SignalOut:
    """Correct your own signal: the fields you send replace the current ones (subjects as a
    whole). The version goes up by one and the previous version is kept. Send `If-Match` with
    the ETag you read to avoid overwriting someone else's correction."""
    document = body.parse_json(raw)
    # The service checks indicators against the barriers the signal will have; here, only
    # that each code exists.
    update = body.validate(SignalUpdate, document, {"vocabulary": vocabulary})
    signal = service.update_signal(
        session, keys, caller, id, update, if_match=if_match, vocabulary=vocabulary
    )
    links.queue(session, [signal.id])
    response.headers["ETag"] = service.etag(signal)
    return service.represent(session, keys, [signal])[0]


@router.post(
    "/signals/{id:uuid}/retract",
    summary="Retract a signal",
    response_model=SignalOut,
    operation_id="retractSignal",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {body.JSON: {"schema": {"$ref": "#/components/schemas/RetractRequest"}}},
        }
    },
    responses={200: {"headers": {"ETag": SIGNAL_HEADERS["ETag"]}}, **problem_responses(412, 415)},
)
async def retract_signal(
    id: uuid.UUID,
    request: Request,
    response: Response,
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
    links: LinkQueueDep,
    if_match: IfMatch = None,
) -> SignalOut:
    """Withdraw your own signal. It stays readable to you with status `retracted`; retrying
    changes nothing."""
    raw = await request.body()
    reason = "withdrawn"
    if raw.strip():
        if body.media_type(request) != body.JSON:
            await body.read_body(request, (body.JSON,))
        reason = body.validate(RetractRequest, body.parse_json(raw), {}).reason

    def work() -> SignalOut:
        signal = service.retract_signal(session, keys, caller, id, reason, if_match=if_match)
        links.queue(session, [signal.id])
        response.headers["ETag"] = service.etag(signal)
        return service.represent(session, keys, [signal])[0]

    return await run_in_threadpool(work)
