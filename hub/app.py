"""The application factory: the public routes at the root, the API mounted at /api/v1."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hub import API_VERSION, __version__
from hub.agencies.directory import AgencyDirectory
from hub.agencies.endpoints import router as agencies_router
from hub.audit.endpoints import router as audit_router
from hub.audit.sequencer import Sequencer
from hub.auth.client_endpoints import router as clients_router
from hub.auth.endpoints import router as auth_router
from hub.auth.keys import SigningKeys
from hub.auth.revocation import ClientStates
from hub.auth.server import build_authorization_server
from hub.auth.throttle import TokenThrottle, flush_periodically, record_failures
from hub.auth.tokens import TokenVerifier
from hub.barriers.endpoints import router as barriers_router
from hub.barriers.vocabulary import load_vocabulary
from hub.config import Settings, get_settings
from hub.covenants.endpoints import router as covenants_router
from hub.covenants.loader import load_covenants
from hub.covenants.service import sync_covenants
from hub.db import make_engine, make_sessionmaker, transaction
from hub.digests.endpoints import router as digests_router
from hub.errors import install_handlers
from hub.health import router as health_router
from hub.kit.crypto import DataKeys
from hub.kit.heap import settled_heap
from hub.kit.i18n import check_catalogues
from hub.kit.timing import track_queries
from hub.ldv.collect import attach_for as attach_processing_log
from hub.ldv.middleware import TraceContextMiddleware
from hub.linking.endpoints import router as linking_router
from hub.linking.process import worker_for
from hub.lookups.endpoints import router as lookups_router
from hub.lookups.schemas import openapi_components as lookup_schemas
from hub.middleware import HeadersMiddleware, InputGuardMiddleware, ServerTimingMiddleware
from hub.openapi import customise_openapi
from hub.proposals.endpoints import router as proposals_router
from hub.proposals.schemas import openapi_components as proposal_schemas
from hub.reports.endpoints import router as reports_router
from hub.reports.schemas import openapi_components as report_schemas
from hub.retention.endpoints import router as retention_router
from hub.retention.schemas import openapi_components as retention_schemas
from hub.signals.endpoints import router as signals_router
from hub.signals.schemas import openapi_components as signal_schemas
from hub.subjects.endpoints import router as subjects_router
from hub.subjects.schemas import openapi_components as subject_schemas
from hub.ui.app import build_ui


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the hub: load and check the vocabulary and keys before serving anything."""
    settings = settings or get_settings()
    # Pages, reports and exports are Dutch unless asked otherwise: without the compiled
    # catalogue the hub would quietly speak English, so it does not start at all.
    check_catalogues()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = make_engine(settings.sqlalchemy_url)
    track_queries(engine)
    sessions = make_sessionmaker(engine)
    signing_keys = SigningKeys.load_or_create(settings.data_dir, settings=settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every covenant version in force is on record before the first signal is bound to it.
        with transaction(sessions) as session:
            sync_covenants(session, shared["covenants"])
        if settings.link_in_server:
            link_worker.start()
        sequencer.start()
        flusher = asyncio.create_task(flush_periodically(throttle, sessions))
        scheduler = None
        if settings.scheduler:
            # Imported only here: APScheduler loads in the processes that schedule.
            from hub.nightly.scheduler import NightlyScheduler

            scheduler = NightlyScheduler(settings, engine, sessions)
            scheduler.start()
        with settled_heap():
            yield
        if scheduler is not None:
            scheduler.stop()
        link_worker.stop()
        sequencer.stop()
        flusher.cancel()
        record_failures(sessions, throttle.take_closed(close_current=True))
        if logbook is not None:
            logbook.shutdown()
        engine.dispose()

    app = FastAPI(
        title="Barrier Hub",
        version=__version__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    api = build_api(settings)
    vocabulary = load_vocabulary(settings.barriers_dir)
    data_keys = DataKeys.load_or_create(settings.data_dir)
    # Linking itself runs here only where link_in_server says so; every process queues.
    link_worker = worker_for(
        settings, sessions, weights=vocabulary.indicator_weights(), keys=data_keys
    )
    # Chains the audit events that requests commit unsealed (hub/audit/sequencer.py).
    sequencer = Sequencer(
        sessions,
        signing_keys,
        poll_seconds=settings.audit_poll_seconds,
        checkpoint_seconds=settings.audit_checkpoint_seconds,
    )
    shared = {
        "settings": settings,
        "engine": engine,
        "sessions": sessions,
        "data_keys": data_keys,
        "vocabulary": vocabulary,
        # Refuse to start on an invalid covenant: a typo must never widen or narrow sharing.
        "covenants": load_covenants(settings.covenants_dir),
        "signing_keys": signing_keys,
        "tokens": TokenVerifier(signing_keys, settings=settings),
        "client_states": ClientStates(ttl=settings.client_check_seconds),
        "agencies": AgencyDirectory(),
        "link_worker": link_worker,
        "sequencer": sequencer,
    }
    # Every session writes the processing log; a register that misses a purpose in force stops
    # the start, as an invalid covenant does.
    logbook = attach_processing_log(
        sessions, settings, keys=data_keys, covenants=shared["covenants"]
    )
    ui = build_ui(settings, data_keys)
    # The mounted API and UI are Starlette apps with their own state; all see the same objects.
    for target in (app, api, ui):
        for name, value in shared.items():
            setattr(target.state, name, value)
    app.state.oauth = build_authorization_server(settings, sessions, signing_keys)
    throttle = TokenThrottle(
        window=settings.token_limit_window,
        per_client=settings.token_limit_per_client,
        per_address=settings.token_limit_per_address,
    )
    app.state.token_throttle = throttle

    install_handlers(app)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.mount("/api/v1", api)
    app.mount("/ui", ui)
    app.add_middleware(InputGuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(HeadersMiddleware)
    app.add_middleware(TraceContextMiddleware)
    # Outermost, so the guard's and the headers' own time is in the total too.
    app.add_middleware(ServerTimingMiddleware)
    return app


def build_api(settings: Settings) -> FastAPI:
    """The versioned API: everything here needs a bearer token, except the contract itself."""
    api = FastAPI(
        title="Barrier Hub API",
        version=API_VERSION,
        openapi_url="/openapi.json",
        # No Swagger UI: it would be an unauthenticated page pulling scripts from a CDN.
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        root_path_in_servers=False,
    )
    install_handlers(api)
    for router in (
        barriers_router,
        agencies_router,
        clients_router,
        covenants_router,
        signals_router,
        audit_router,
        lookups_router,
        proposals_router,
        linking_router,
        reports_router,
        digests_router,
        retention_router,
        subjects_router,
    ):
        api.include_router(router)
    customise_openapi(
        api,
        signal_schemas(settings.batch_max_items)
        | lookup_schemas()
        | report_schemas()
        | proposal_schemas()
        | retention_schemas()
        | subject_schemas(),
    )
    return api
