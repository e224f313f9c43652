"""`hub nightly`: its steps in order, audited, repeatable for one date, readable in a pipe."""

import itertools
import json
import re
from datetime import date, timedelta

from sqlalchemy import func, select, text, update
from typer.testing import CliRunner

from hub.audit.models import AuditEvent
from hub.cli import app
from hub.digests.models import Digest
from hub.linking.models import Proposal
from hub.nightly.models import NightlyRun
from hub.nightly.service import STEPS
from hub.reports.models import Report
from hub.signals.models import Signal
from tests.nightly.conftest import DAY, NightlyHub

runner = CliRunner()
RUN_ACTIONS = {"nightly.started", "nightly.finished"}
STEP_ACTIONS = {"nightly.step.started", "nightly.step.finished"}


def _nightly(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["nightly", "--date", DAY, *args])
    assert result.exit_code == 0, result.output
    return result


def _state(hub: NightlyHub) -> dict[str, object]:
    day = date.fromisoformat(DAY)
    with hub.sessions() as session:
        report = session.scalars(select(Report).where(Report.report_date == day)).one()
        return {
            "reports": session.scalar(select(func.count()).select_from(Report)),
            "digests": session.scalar(
                select(func.count()).select_from(Digest).where(Digest.digest_date == day)
            ),
            "digest_rows": sorted(
                session.scalars(select(Digest.id).where(Digest.digest_date == day))
            ),
            "proposals": sorted(str(i) for i in session.scalars(select(Proposal.id))),
            "digests_at": session.scalar(
                select(func.min(Digest.generated_at)).where(Digest.digest_date == day)
            ),
            "report_id": report.id,
            "report_csv": report.csv,
            "generated_at": report.generated_at,
        }


def _nightly_events(hub: NightlyHub) -> list[AuditEvent]:
    with hub.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("nightly.%"))
                .order_by(AuditEvent.id)
            )
        )


def test_a_second_run_for_a_date_replaces_and_doubles_nothing(hub: NightlyHub) -> None:
    _nightly()
    first = _state(hub)
    _nightly()
    second = _state(hub)
    assert first["digests"] and first["proposals"], "the seeded hub should have both"
    for key in ("reports", "digests", "digest_rows", "proposals", "report_id", "report_csv"):
        assert second[key] == first[key], key
    # Replaced, not kept (the report's own time has whole seconds; the digests' does not).
    assert second["generated_at"] >= first["generated_at"]
    assert second["digests_at"] > first["digests_at"]
    with hub.sessions() as session:
        runs = session.scalars(
            select(NightlyRun).where(NightlyRun.step == "run").order_by(NightlyRun.id)
        ).all()
        report_steps = session.scalars(
            select(NightlyRun.counts).where(NightlyRun.step == "report").order_by(NightlyRun.id)
        ).all()
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert len({r.run_id for r in runs}) == 2
    assert [c["replaced"] for c in report_steps] == [0, 1]
    events = _nightly_events(hub)
    assert [e.action for e in events].count("nightly.started") == 2
    assert {e.object_id for e in events} == {r.run_id for r in runs}


def test_steps_run_in_order_and_each_is_audited_without_identifiers(hub: NightlyHub) -> None:
    # One signal past retention, so the purge has something to count (and ids it must not log).
    with hub.sessions() as session, session.begin():
        victim = session.scalars(select(Signal).order_by(Signal.pk).limit(1)).one()
        victim_id, victim_ref = str(victim.id), victim.external_ref
        session.execute(
            update(Signal)
            .where(Signal.pk == victim.pk)
            .values(created_at=victim.created_at - timedelta(days=5000))
        )
    _nightly()
    with hub.sessions() as session:
        rows = session.scalars(select(NightlyRun).order_by(NightlyRun.position)).all()
    assert [r.step for r in rows] == ["run", *STEPS]
    assert all(r.status == "succeeded" and r.finished_at is not None for r in rows)
    assert all(a.started_at <= b.started_at for a, b in itertools.pairwise(rows))
    counts = {r.step: r.counts for r in rows}
    assert counts["purge"] == {"purged": 1}
    assert counts["relink"]["signals"] > 0
    assert counts["digests"]["digests"] > 0

    events = _nightly_events(hub)
    actions = [e.action for e in events]
    expected = ["nightly.started"]
    for _ in STEPS:
        expected += ["nightly.step.started", "nightly.step.finished"]
    assert actions == [*expected, "nightly.finished"]
    steps = [e.detail["step"] for e in events if e.action in STEP_ACTIONS]
    assert steps == [s for s in STEPS for _ in range(2)]
    finished = [e for e in events if e.action == "nightly.step.finished"]
    assert finished[1].detail["counts"] == {"purged": 1}
    assert all(e.agency == "HUB" and e.client_id == "hub-nightly" for e in events)
    trail = json.dumps([e.detail for e in events])
    assert victim_id not in trail and victim_ref not in trail


def test_plain_lines_when_not_on_a_terminal(hub: NightlyHub) -> None:
    done = hub.run("nightly", "--date", DAY)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "\x1b" not in done.stdout + done.stderr  # no colours, no cursor movement
    pattern = re.compile(
        rf"nightly {DAY} step (\d)/{len(STEPS)} (\w+): succeeded in \d+\.\d s \((.+)\)"
    )
    matched = [pattern.fullmatch(line) for line in lines[: len(STEPS)]]
    assert all(matched), lines
    assert [(int(m[1]), m[2]) for m in matched if m] == list(enumerate(STEPS, start=1))
    assert lines[len(STEPS)].startswith(f"nightly run for {DAY} succeeded in ")
    assert len(lines) == len(STEPS) + 1

    shown = hub.run("nightly", "--log")
    assert shown.returncode == 0, shown.stderr
    assert all(step in shown.stdout for step in STEPS) and "succeeded" in shown.stdout


def test_a_failing_step_stops_the_run_and_says_which(hub: NightlyHub) -> None:
    done = hub.run("nightly", "--date", "2026-13-01")
    assert done.returncode == 2 and "is not a date" in done.stderr
    # A digests table gone missing fails the digests step, after the steps before it committed.
    with hub.sessions() as session:
        session.execute(text("ALTER TABLE digests RENAME TO digests_away"))
        session.commit()
    failed = hub.run("nightly", "--date", DAY)
    assert failed.returncode == 1
    assert "step digests failed" in failed.stderr
    with hub.sessions() as session:
        statuses = dict(session.execute(select(NightlyRun.step, NightlyRun.status)).all())
    assert statuses == {
        "run": "failed",
        "relink": "succeeded",
        "purge": "succeeded",
        "report": "succeeded",
        "digests": "failed",
    }
    assert _nightly_events(hub)[-2].action == "nightly.step.failed"
