"""Liveness and readiness for load balancers and the container healthcheck."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hub import __version__
from hub.db import now
from hub.linking.queue import backlog

router = APIRouter()


@router.get("/health", include_in_schema=False)
def health(request: Request) -> JSONResponse:
    """200 when the database answers, 503 when it does not; with the linking queue's backlog."""
    try:
        with request.app.state.sessions() as session:
            queued, oldest = backlog(session)
    except Exception:
        return JSONResponse({"status": "unavailable", "version": __version__}, status_code=503)
    waited = (now() - oldest).total_seconds() if oldest else 0.0
    linking = {"queued": queued, "oldest_seconds": round(waited, 1)}
    return JSONResponse({"status": "ok", "version": __version__, "linking": linking})
