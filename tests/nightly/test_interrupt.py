"""A killed `hub nightly` leaves the last good report in place, and a re-run completes."""

import signal
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from hub.cli import app
from hub.nightly.models import NightlyRun
from hub.reports.models import Report
from tests.nightly.conftest import DAY, NightlyHub, wait_for

runner = CliRunner()


def _report(hub: NightlyHub) -> tuple[str, object]:
    with hub.sessions() as session:
        stored = session.scalars(
            select(Report).where(Report.report_date == date.fromisoformat(DAY))
        ).one()
        return stored.json_text, stored.generated_at


def test_a_run_killed_inside_the_report_step_keeps_the_previous_report(hub: NightlyHub) -> None:
    assert runner.invoke(app, ["nightly", "--date", DAY]).exit_code == 0
    before = _report(hub)
    hold = hub.hold("report")
    # The second run stops inside the report step's transaction: the new report is written
    # (flushed) but not committed when the process is killed.
    victim = hub.spawn(
        "nightly",
        "--date",
        DAY,
        log=hub.tmp / "killed.log",
        HUB_NIGHTLY_HOLD=f"inside:report:{hold}",
    )
    try:
        wait_for(lambda: hold.with_suffix(".reached").exists() or victim.poll() is not None)
        assert victim.poll() is None, (hub.tmp / "killed.log").read_text()
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    assert _report(hub) == before  # still the one the API serves

    with hub.sessions() as session:
        left = dict(
            session.execute(
                select(NightlyRun.step, NightlyRun.status).where(
                    NightlyRun.run_id
                    == select(NightlyRun.run_id)
                    .order_by(NightlyRun.id.desc())
                    .limit(1)
                    .scalar_subquery()
                )
            ).all()
        )
    assert left == {
        "run": "running",
        "relink": "succeeded",
        "purge": "succeeded",
        "report": "running",
    }

    # The kill left its lease (SQLite) or lost its advisory lock (PostgreSQL): a re-run goes.
    again = runner.invoke(app, ["nightly", "--date", DAY])
    assert again.exit_code == 0, again.output
    assert _report(hub)[1] >= before[1]
    with hub.sessions() as session:
        statuses = session.execute(
            select(NightlyRun.step, NightlyRun.status).order_by(NightlyRun.id)
        ).all()
    killed = [status for step, status in statuses[6:10]]
    assert killed == ["interrupted", "succeeded", "succeeded", "interrupted"]
    assert [status for _, status in statuses[10:]] == ["succeeded"] * 6
    with hub.sessions() as session:
        rebuilt = session.scalars(
            select(NightlyRun.counts).where(NightlyRun.step == "report").order_by(NightlyRun.id)
        ).all()
    assert [c and c["replaced"] for c in rebuilt] == [0, None, 1]
