"""Queries on the nightly run log."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.nightly.models import NightlyRun


def start(
    session: Session,
    *,
    run_id: str,
    report_date: date,
    step: str,
    position: int,
    trigger: str,
    at: datetime,
) -> NightlyRun:
    row = NightlyRun(
        run_id=run_id,
        report_date=report_date,
        step=step,
        position=position,
        status="running",
        trigger=trigger,
        started_at=at,
    )
    session.add(row)
    session.flush()
    return row


def finish(
    session: Session,
    row_id: int,
    *,
    status: str,
    at: datetime,
    seconds: float,
    counts: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    session.execute(
        update(NightlyRun)
        .where(NightlyRun.id == row_id)
        .values(status=status, finished_at=at, seconds=seconds, counts=counts, error=error),
        execution_options={"synchronize_session": False},
    )


def mark_interrupted(session: Session, at: datetime) -> int:
    """Rows still `running` from a run that was killed; only safe while holding the lock."""
    return session.execute(
        update(NightlyRun)
        .where(NightlyRun.status == "running")
        .values(status="interrupted", finished_at=at),
        execution_options={"synchronize_session": False},
    ).rowcount


def recent(session: Session, *, runs: int) -> list[NightlyRun]:
    """Every row of the newest `runs` runs, newest run first, steps in order."""
    latest = (
        select(NightlyRun.run_id, NightlyRun.started_at)
        .where(NightlyRun.step == "run")
        .order_by(NightlyRun.started_at.desc(), NightlyRun.id.desc())
        .limit(runs)
    ).subquery()
    return list(
        session.scalars(
            select(NightlyRun)
            .join(latest, latest.c.run_id == NightlyRun.run_id)
            .order_by(latest.c.started_at.desc(), NightlyRun.run_id, NightlyRun.position)
        )
    )


def of_run(session: Session, run_id: str) -> list[NightlyRun]:
    return list(
        session.scalars(
            select(NightlyRun).where(NightlyRun.run_id == run_id).order_by(NightlyRun.position)
        )
    )
