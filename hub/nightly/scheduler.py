"""`hub serve --scheduler`: the nightly run at a set local time, in a background thread.

APScheduler's BackgroundScheduler fires a CronTrigger once a day. Every hub process may run a
scheduler (several replicas, several workers): the nightly lock lets the first one that fires
run and the others log that they skipped, so a run never happens twice at once.
"""

import logging
import sys
from datetime import time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Settings
from hub.nightly.lock import NightlyLock
from hub.nightly.progress import LineReporter
from hub.nightly.service import RunOutcome, default_day, run_nightly

log = logging.getLogger(__name__)


def _visible() -> None:
    # uvicorn configures its own loggers only; without a handler these INFO lines would vanish.
    package = logging.getLogger("hub.nightly")
    if not package.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        package.addHandler(handler)
        package.setLevel(logging.INFO)


class NightlyScheduler:
    """Runs the nightly job daily at `settings.nightly_at` in `settings.nightly_timezone`."""

    def __init__(self, settings: Settings, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        zone = ZoneInfo(settings.nightly_timezone)
        at = time.fromisoformat(settings.nightly_at)
        # One run at a time in this process; a run missed while the hub was down for less than
        # an hour still happens, several missed ones happen once.
        self.scheduler = BackgroundScheduler(
            timezone=zone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        self.trigger = CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=zone)
        self.scheduler.add_job(self.run_once, self.trigger, id="nightly", name="nightly run")

    def start(self) -> None:
        _visible()
        self.scheduler.start()
        job = self.scheduler.get_job("nightly")
        log.info(
            "nightly run scheduled daily at %s %s; next at %s",
            self.settings.nightly_at,
            self.settings.nightly_timezone,
            job.next_run_time.isoformat() if job and job.next_run_time else "-",
        )

    def stop(self) -> None:
        # A run in progress is not waited for: it is safe to interrupt and to run again.
        self.scheduler.shutdown(wait=False)

    def run_once(self) -> RunOutcome | None:
        """Take the lock and run for yesterday, or log why another process has it."""
        lock = NightlyLock(self.engine, lease_seconds=self.settings.nightly_lease_seconds)
        reason = lock.acquire()
        if reason is not None:
            log.info("nightly run skipped: %s", reason)
            return None
        day = default_day()
        try:
            log.info("nightly run for %s started", day.isoformat())
            outcome = run_nightly(
                self.settings,
                self.sessions,
                lock,
                day=day,
                trigger="scheduler",
                reporter=LineReporter(log.info, day),
            )
        except Exception as exc:  # the class only: a message may quote data
            log.error("nightly run for %s failed: %s", day.isoformat(), type(exc).__name__)
            return None
        finally:
            lock.release()
        log.info(
            "nightly run for %s %s in %.1f s", day.isoformat(), outcome.status, outcome.seconds
        )
        return outcome
