"""Nightly benchmark: the whole `hub nightly` run on PostgreSQL, step by step, at scale.

It stores --signals signals of the synthetic population (`hub.demo.population`) in a fresh
schema (as bench/policy.py makes it) with `insert_signals`, a batch of 1,000 from one agency
per transaction and streamed (the bench never holds the whole population), ages a share of
them past their retention (so the purge has work), and runs VACUUM ANALYZE. Unless
--cold, `hub relink` then links everything once (what the linking worker would have done
during the day) and VACUUM ANALYZE runs again. Then `hub nightly --date D` runs as a real
subprocess; each step's time comes from the run log (`nightly_runs`), the peak memory from
that process's own rusage (os.wait4), so neither the bench nor the earlier relink counts.
It is a measurement, not a test: a missed target is reported as BELOW, never an error.

    python bench/nightly.py [--signals 100000] [--expired 0.01] [--cold] [--pg-url URL]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from policy import DEFAULT_PG_URL, BenchError, World, analyze, covenant_folder, fresh_schema
from policy import setup_world as policy_world
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from hub.barriers.vocabulary import load_vocabulary
from hub.covenants.service import bindings_for
from hub.db import make_engine, make_sessionmaker, transaction
from hub.demo.population import generate
from hub.nightly.models import NightlyRun
from hub.nightly.service import STEPS
from hub.paths import document_dir
from hub.reports.service import yesterday
from hub.signals.schemas import SignalCreate
from hub.signals.service import insert_signals

BATCH = 1000
WHOLE_RUN_TARGET_S_AT_MILLION = 600.0
REPORT_TARGET_S = 60.0
MEMORY_TARGET_GIB = 4.0

console = Console(width=None if sys.stdout.isatty() else 130)


def store(sessions: sessionmaker[Session], world: World, size: int, seed: int) -> float:
    """Generate, validate and insert the population a batch at a time; seconds inserting."""
    vocabulary = load_vocabulary(document_dir("barriers"))
    today = date.today()
    bindings = {c: bindings_for(a, world.covenants, today) for c, a in world.agencies.items()}
    pending: dict[str, list[tuple[uuid.UUID, SignalCreate]]] = {}
    inserting = 0.0

    def flush(agency: str) -> float:
        started = time.perf_counter()
        with transaction(sessions) as session:
            insert_signals(
                session, world.keys, world.callers[agency], pending[agency], bindings[agency]
            )
        pending[agency] = []
        return time.perf_counter() - started

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("making and storing signals", total=size)
        for agency, body in generate(size, seed=seed).signals():
            data = SignalCreate.model_validate(body, context={"vocabulary": vocabulary})
            batch = pending.setdefault(agency, [])
            batch.append((uuid.uuid4(), data))
            if len(batch) == BATCH:
                inserting += flush(agency)
                progress.advance(task, BATCH)
        for agency, batch in list(pending.items()):
            if batch:
                progress.advance(task, len(batch))
                inserting += flush(agency)
    return inserting


def age(engine: sa.Engine, share: float) -> int:
    """Move `share` of the signals 3,000 days back, past every retention; how many."""
    if share <= 0:
        return 0
    every = max(1, round(1 / share))
    with engine.begin() as conn:
        return conn.execute(
            sa.text(
                "UPDATE signals SET created_at = created_at - interval '3000 days' "
                "WHERE pk % :every = 0"
            ),
            {"every": every},
        ).rowcount


def hub_command(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """`hub ARGS` as an operator runs it: seconds, that process's peak memory (GiB), stdout."""
    hub = Path(sys.executable).with_name("hub")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(  # noqa: S603 - our own CLI, arguments fixed here
            [str(hub), *args], env=env, stdout=out, stderr=err
        )
        # wait4 gives this child's own rusage: not the bench's, not an earlier command's.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise BenchError(f"hub {args[0]} exited {process.returncode}: {stderr.strip()[-800:]}")
    return seconds, usage.ru_maxrss / 1024**2, stdout


def step_times(sessions: sessionmaker[Session]) -> dict[str, NightlyRun]:
    """The newest run's rows from the run log, by step."""
    with sessions() as session:
        run_id = session.scalar(
            sa.select(NightlyRun.run_id)
            .where(NightlyRun.step == "run")
            .order_by(NightlyRun.id.desc())
            .limit(1)
        )
        rows = session.scalars(sa.select(NightlyRun).where(NightlyRun.run_id == run_id))
        return {row.step: row for row in rows}


def run(args: argparse.Namespace, tmp: Path) -> None:
    covenants = covenant_folder(tmp)
    day = date.fromisoformat(args.date) if args.date else yesterday()
    with fresh_schema(args.pg_url) as url:
        engine = make_engine(url)
        try:
            sessions = make_sessionmaker(engine)
            world = policy_world(sessions, covenants, tmp=tmp)
            seconds = store(sessions, world, args.signals, args.seed)
            console.print(
                f"[bold]data:[/] {args.signals:,} signals of the synthetic population stored "
                f"in {seconds:.0f} s (inserts only)"
            )
            console.print(f"aged past retention: {age(engine, args.expired):,} signals")
            console.print(f"VACUUM ANALYZE {analyze(engine):.0f} s")
            env = os.environ | {
                "HUB_DATABASE_URL": url,
                "HUB_DATA_DIR": str(tmp / "data"),
                "HUB_COVENANTS_DIR": str(tmp / "covenants"),
            }
            if not args.cold:
                relink_s, relink_gib, said = hub_command(["relink"], env)
                console.print(
                    f"hub relink (the day's linking, before the run): {relink_s:.0f} s, "
                    f"{relink_gib:.2f} GiB; {said.strip()}"
                )
                console.print(f"VACUUM ANALYZE {analyze(engine):.0f} s")
            whole_s, peak_gib, said = hub_command(["nightly", "--date", day.isoformat()], env)
            console.print(said.rstrip())
            steps = step_times(sessions)
        finally:
            engine.dispose()
    report(args, day, whole_s, peak_gib, steps)


def report(
    args: argparse.Namespace,
    day: date,
    whole_s: float,
    peak_gib: float,
    steps: dict[str, NightlyRun],
) -> None:
    scale = args.signals / 1_000_000
    table = Table(title=f"nightly run for {day.isoformat()}", title_justify="left")
    for name in ("measure", "figure", "counts", "target", ""):
        table.add_column(name, justify="left" if name in ("measure", "counts") else "right")
    for step in STEPS:
        row = steps.get(step)
        figure = "-" if row is None or row.seconds is None else f"{row.seconds:.1f} s"
        counts: dict[str, Any] = (row.counts or {}) if row else {}
        what = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        if step == "report" and row is not None and row.seconds is not None:
            target, verdict = f"< {REPORT_TARGET_S:.0f} s", _verdict(row.seconds < REPORT_TARGET_S)
        else:
            target, verdict = "", ""
        table.add_row(f"step {step}", figure, what, target, verdict)
    at_million = whole_s / scale
    table.add_row(
        f"whole run, process start to exit ({args.signals:,} signals)",
        f"{whole_s:.1f} s ({at_million:.0f} s per million, linear)",
        "",
        f"< {WHOLE_RUN_TARGET_S_AT_MILLION / 60:.0f} min at 1M",
        _verdict(at_million < WHOLE_RUN_TARGET_S_AT_MILLION),
    )
    table.add_row(
        "peak memory of hub nightly (its own process)",
        f"{peak_gib:.2f} GiB",
        "",
        f"< {MEMORY_TARGET_GIB:.0f} GiB",
        _verdict(peak_gib < MEMORY_TARGET_GIB),
    )
    console.print(table)


def _verdict(ok: bool) -> str:
    return "[bold green]PASS[/]" if ok else "[bold yellow]BELOW[/]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--expired", type=float, default=0.01, help="share of signals aged past retention"
    )
    parser.add_argument("--date", help="report date (default: yesterday in Amsterdam)")
    parser.add_argument(
        "--cold", action="store_true", help="no relink before the run (every proposal new)"
    )
    parser.add_argument(
        "--pg-url", default=os.environ.get("HUB_BENCH_DATABASE_URL") or DEFAULT_PG_URL
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="hub-bench-nightly-") as tmp:
            run(args, Path(tmp))
    except (BenchError, sa.exc.SQLAlchemyError, OSError) as exc:
        console.print(f"[bold red]benchmark failed:[/] {exc}")
        return 1
    console.print(f"Took {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
