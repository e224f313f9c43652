"""The nightly run: re-link, purge, report, digests and their delivery, step by step.

Each step is its own transaction, and its row in the run log turns `succeeded` in that same
transaction, so the log never claims work that was rolled back: a killed step leaves the data
as the last good run left it (the previous report included) and its row `running`, which the
next run, holding the lock, marks `interrupted`. Every step is safe to repeat for one date:
relink keeps proposal ids, the report and the digests of a date are replaced, not added.
The caller holds the nightly lock (`hub.nightly.lock`) for the whole run.
"""

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.barriers.vocabulary import Vocabulary, load_vocabulary
from hub.config import Settings
from hub.db import now, transaction
from hub.kit.crypto import DataKeys
from hub.linking.service import Linker
from hub.nightly import repository
from hub.nightly.lock import LockLost, NightlyLock

log = logging.getLogger(__name__)

# The nightly job is the hub's own act: the audit trail names the hub and this job.
NIGHTLY_CALLER = Caller(
    agency_id=0,
    agency_code="HUB",
    client_id="hub-nightly",
    scopes=frozenset(),
    token_id="nightly",  # noqa: S106
)
STEPS = ("relink", "purge", "report", "digests", "delivery")
HOLD_POLL_SECONDS = 0.05


class Reporter(Protocol):
    """Where a run tells its progress: a terminal's bars, plain lines, or a log."""

    def started(self, step: str) -> None: ...

    def advanced(self, step: str, done: int) -> None: ...

    def finished(self, step: str, status: str, seconds: float, counts: dict[str, Any]) -> None: ...


@dataclass
class StepOutcome:
    step: str
    status: str
    seconds: float
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunOutcome:
    run_id: str
    report_date: date
    trigger: str
    status: str = "running"
    seconds: float = 0.0
    steps: list[StepOutcome] = field(default_factory=list)

    @property
    def failed_step(self) -> StepOutcome | None:
        return next((s for s in self.steps if s.status != "succeeded"), None)


@dataclass(frozen=True)
class _Job:
    settings: Settings
    sessions: sessionmaker[Session]
    day: date
    vocabulary: Vocabulary
    keys: DataKeys
    reporter: Reporter

    @property
    def linker(self) -> Linker:
        return Linker(self.vocabulary.indicator_weights(), self.keys)


def _relink(job: _Job, session: Session) -> dict[str, Any]:
    from hub.linking.service import relink

    result = relink(
        session,
        weights=job.vocabulary.indicator_weights(),
        keys=job.keys,
        progress=lambda done: job.reporter.advanced("relink", done),
    )
    return {
        "signals": result.considered,
        "linked": result.nodes,
        "created": result.created,
        "changed": result.changed,
        "closed": result.closed,
    }


def _purge(job: _Job, session: Session) -> dict[str, Any]:
    from hub.retention.service import purge_expired

    # With the linker, proposals the purged signals leave are re-linked from what remains.
    result = purge_expired(
        session,
        now=now(),
        default_days=job.settings.default_retention_days,
        cap_days=job.settings.retention_cap_days,
        dry_run=False,
        linker=job.linker,
    )
    return {"purged": result.counted}  # a count only: the ids are in the purge's own audit


def _report(job: _Job, session: Session) -> dict[str, Any]:
    from hub.reports.service import build_and_store

    built = build_and_store(session, job.day, job.vocabulary, language=job.settings.language)
    return {"hidden_cells": built.hidden_cells, "replaced": int(built.replaced)}


def _digests(job: _Job, session: Session) -> dict[str, Any]:
    # Imported here: the digests module loads only when a run gets this far.
    from hub.digests.service import build_for_date

    return {"digests": int(build_for_date(session, day=job.day))}


def _delivery(job: _Job) -> dict[str, Any]:
    from hub.digests.delivery import deliver_due

    # Delivery owns its transactions (one per digest sent), so a failed send loses no other.
    return _counts("delivered", deliver_due(job.sessions, now=now()))


def _counts(name: str, value: object) -> dict[str, Any]:
    """A step's result as counts: a number, a collection's size, or a dataclass's numbers."""
    if isinstance(value, bool | int):
        return {name: int(value)}
    if isinstance(value, list | tuple | set | frozenset | dict):
        return {name: len(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.asdict(value).items()
        numbers = {k: int(v) for k, v in fields if isinstance(v, int) and not k.startswith("_")}
        if numbers:
            return numbers
    return {name: 0 if value is None else 1}


IN_TRANSACTION: dict[str, Callable[[_Job, Session], dict[str, Any]]] = {
    "relink": _relink,
    "purge": _purge,
    "report": _report,
    "digests": _digests,
}
OWN_TRANSACTIONS: dict[str, Callable[[_Job], dict[str, Any]]] = {"delivery": _delivery}


def _hold(settings: Settings, where: str, step: str) -> None:
    """The test and drill hook: wait for a file at a chosen point (see Settings.nightly_hold)."""
    if settings.nightly_hold is None:
        return
    at, _, rest = settings.nightly_hold.partition(":")
    name, _, path = rest.partition(":")
    if (at, name) != (where, step):
        return
    release = Path(path)
    Path(f"{path}.reached").touch()
    while not release.exists():
        time.sleep(HOLD_POLL_SECONDS)


def _audit(session: Session, action: str, run_id: str, detail: dict[str, Any]) -> None:
    audit.record(
        session,
        NIGHTLY_CALLER,
        action,
        object_type="nightly-run",
        objects=[(run_id, detail)],
    )


def _run_step(job: _Job, lock: NightlyLock, run: RunOutcome, position: int, step: str) -> bool:
    """One step: logged as running, done in its transaction, logged as done in that same one."""
    try:
        lock.renew()
    except LockLost:
        run.steps.append(StepOutcome(step, "failed", 0.0, error=LockLost.__name__))
        job.reporter.finished(step, "failed", 0.0, {})
        return False
    _hold(job.settings, "before", step)
    common = {"date": job.day.isoformat(), "step": step}
    with transaction(job.sessions) as session:
        row_id = repository.start(
            session,
            run_id=run.run_id,
            report_date=job.day,
            step=step,
            position=position,
            trigger=run.trigger,
            at=now(),
        ).id
        _audit(session, "nightly.step.started", run.run_id, common)
    job.reporter.started(step)
    started = time.perf_counter()
    try:
        if step in OWN_TRANSACTIONS:
            counts = OWN_TRANSACTIONS[step](job)
            _hold(job.settings, "inside", step)
            with transaction(job.sessions) as session:
                _finished(session, job, run, row_id, step, started, counts)
        else:
            with transaction(job.sessions) as session:
                counts = IN_TRANSACTION[step](job, session)
                _hold(job.settings, "inside", step)
                _finished(session, job, run, row_id, step, started, counts)
    except Exception as exc:
        _failed(job, run, row_id, step, started, exc, status="failed")
        return False
    except BaseException as exc:  # Ctrl-C or a shutdown: say so in the log, then go
        _failed(job, run, row_id, step, started, exc, status="interrupted")
        raise
    outcome = run.steps[-1]
    job.reporter.finished(step, "succeeded", outcome.seconds, outcome.counts)
    return True


def _finished(
    session: Session,
    job: _Job,
    run: RunOutcome,
    row_id: int,
    step: str,
    started: float,
    counts: dict[str, Any],
) -> None:
    seconds = round(time.perf_counter() - started, 3)
    repository.finish(session, row_id, status="succeeded", at=now(), seconds=seconds, counts=counts)
    # Last in the transaction: the audit head row stays locked only from here to the commit.
    _audit(
        session,
        "nightly.step.finished",
        run.run_id,
        {"date": job.day.isoformat(), "step": step, "seconds": seconds, "counts": counts},
    )
    run.steps.append(StepOutcome(step, "succeeded", seconds, counts))


def _failed(
    job: _Job,
    run: RunOutcome,
    row_id: int,
    step: str,
    started: float,
    exc: BaseException,
    *,
    status: str,
) -> None:
    seconds = round(time.perf_counter() - started, 3)
    # The class only: an exception's message may quote rows, values or identifiers.
    error = type(exc).__name__
    log.error("nightly step %s %s after %.1f s: %s", step, status, seconds, error)
    run.steps.append(StepOutcome(step, status, seconds, error=error))
    job.reporter.finished(step, status, seconds, {"error": error})
    try:
        with transaction(job.sessions) as session:
            repository.finish(
                session, row_id, status=status, at=now(), seconds=seconds, error=error
            )
            _audit(
                session,
                f"nightly.step.{status}",
                run.run_id,
                {"date": job.day.isoformat(), "step": step, "seconds": seconds, "error": error},
            )
    except Exception:  # the database itself may be what failed; the next run marks the row
        log.exception("could not record the failed nightly step")


def run_nightly(
    settings: Settings,
    sessions: sessionmaker[Session],
    lock: NightlyLock,
    *,
    day: date,
    trigger: str = "cli",
    reporter: Reporter,
) -> RunOutcome:
    """Run every step for `day` in order, stopping at the first that fails; the lock is held."""
    if not lock.held:
        raise RuntimeError("take the nightly lock before running")
    run = RunOutcome(uuid.uuid4().hex, day, trigger)
    job = _Job(
        settings,
        sessions,
        day,
        load_vocabulary(settings.barriers_dir),
        DataKeys.load_or_create(settings.data_dir),
        reporter,
    )
    begun = time.perf_counter()
    with transaction(sessions) as session:
        at = now()
        # Rows a killed run left `running`: no run is active, since this one holds the lock.
        left = repository.mark_interrupted(session, at)
        run_row = repository.start(
            session,
            run_id=run.run_id,
            report_date=day,
            step="run",
            position=0,
            trigger=trigger,
            at=at,
        ).id
        _audit(
            session,
            "nightly.started",
            run.run_id,
            {"date": day.isoformat(), "trigger": trigger, "interrupted_before": left},
        )
    ended = False
    try:
        for position, step in enumerate(STEPS, start=1):
            if not _run_step(job, lock, run, position, step):
                break
        ended = True
    finally:
        run.seconds = round(time.perf_counter() - begun, 3)
        failed = run.failed_step
        if failed is not None:
            run.status = failed.status
        else:  # an error outside any step (the run log itself) is a failed run too
            run.status = "succeeded" if ended else "failed"
        _close_run(sessions, run, run_row)
    return run


def _close_run(sessions: sessionmaker[Session], run: RunOutcome, row_id: int) -> None:
    counts = {"steps": sum(s.status == "succeeded" for s in run.steps)}
    failed = run.failed_step
    try:
        with transaction(sessions) as session:
            repository.finish(
                session,
                row_id,
                status=run.status,
                at=now(),
                seconds=run.seconds,
                counts=counts,
                error=failed.error if failed else None,
            )
            _audit(
                session,
                "nightly.finished",
                run.run_id,
                {
                    "date": run.report_date.isoformat(),
                    "status": run.status,
                    "seconds": run.seconds,
                    **counts,
                },
            )
    except Exception:
        log.exception("could not record the end of the nightly run")


def default_day() -> date:
    """Yesterday in Amsterdam, the report's own default."""
    from hub.reports.service import yesterday

    return yesterday()


def describe(counts: dict[str, Any]) -> str:
    """Counts as `name n, name n`, for log lines."""
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def stamp(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%SZ") if at is not None else "-"
