"""Queue step benchmark: the CPU the linking worker spends per queued signal as the hub grows.

On PostgreSQL only, in a fresh schema (as bench/policy.py makes it). For each hub size in
--sizes it stores signals from the demo generator (the bodies bench/ingest.py posts, a new pool
per seed, so the hub fills up as a partner's posts would), links them with one full relink,
then stores --new more and links those as the queue's worker does (one step, the size a
backlog's step has), --reps times on the same data, each step rolled back. Its sessions keep
the processing log as the hub's do (`hub.ldv`, to a file in a temporary folder): a step's
record of the signals it linked is written as its transaction ends, and is timed with it. It
prints, per hub size, the medians of
  - the linking process's CPU per new signal, and the wall time of the step;
  - the baseline, measured in the same run on the same hub: a full relink's CPU per stored
    signal (the bulk path), and the ratio of the two;
  - what one core could link at that CPU per signal, beside the ingest bench's 2,000 signals/s
    end-to-end target (the worker links one step at a time, on one core);
  - the neighbourhood the step read: signals, read rounds, person comparisons.
A measurement, not a test: nothing fails on a figure.

    python bench/queue_step.py                      # 10,000 and 50,000 stored, about 3 minutes
    python bench/queue_step.py --sizes 100000 --new 5000 --reps 3
"""

import argparse
import gc
import itertools
import resource
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from ingest import fresh_signals
from policy import DEFAULT_PG_URL, BenchError, analyze, covenant_folder, fresh_schema, setup_world
from rich.console import Console
from rich.table import Table

from hub.barriers.vocabulary import load_vocabulary
from hub.config import Settings
from hub.covenants.service import bindings_for
from hub.db import make_engine, make_sessionmaker, transaction
from hub.kit import clock
from hub.kit.heap import YOUNG_THRESHOLD
from hub.ldv.collect import attach_for
from hub.linking import graph
from hub.linking.queue import BATCH, CATCH_UP
from hub.linking.service import Linker
from hub.paths import document_dir
from hub.signals.schemas import SignalCreate
from hub.signals.service import insert_signals

console = Console(width=None if sys.stdout.isatty() else 130)
END_TO_END_TARGET = 2000  # signals/s, bench/ingest.py's target
POSTER = "KMAR"


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


@dataclass
class Probe:
    """What a step read: counted by wrapping the neighbourhood read and the person comparison."""

    nodes: int = 0
    rounds: int = 0
    comparisons: int = 0
    _undo: list[tuple[object, str, object]] = field(default_factory=list)

    def __enter__(self) -> "Probe":
        read, compare = graph.neighbourhood, graph.similarity

        def counted_read(*args, progress=None, **kw):  # type: ignore[no-untyped-def]
            def each_round(done: int) -> None:
                self.rounds += 1
                if progress is not None:
                    progress(done)

            hood = read(*args, progress=each_round, **kw)
            self.nodes += len(hood.nodes)
            return hood

        def counted_compare(a, b):  # type: ignore[no-untyped-def]
            self.comparisons += 1
            return compare(a, b)

        for owner, name, value in (
            (graph, "neighbourhood", counted_read),
            (graph, "similarity", counted_compare),
        ):
            self._undo.append((owner, name, getattr(owner, name)))
            setattr(owner, name, value)
        return self

    def __exit__(self, *_exc: object) -> None:
        for owner, name, value in reversed(self._undo):
            setattr(owner, name, value)


@dataclass
class Figures:
    stored: int
    step_cpu: list[float] = field(default_factory=list)
    step_wall: list[float] = field(default_factory=list)
    relink_cpu: float = 0.0
    probe: Probe = field(default_factory=Probe)


def store(sessions, world, vocabulary, bindings, signals, count: int) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    """`count` demo signals, a thousand per transaction, as the batch API stores them."""
    ids: list[uuid.UUID] = []
    while len(ids) < count:
        size = min(1000, count - len(ids))
        items = [
            (
                uuid.uuid4(),
                SignalCreate.model_validate(
                    body | {"external_ref": f"bench-step-{uuid.uuid4().hex}"},
                    context={"vocabulary": vocabulary},
                ),
            )
            for body in itertools.islice(signals, size)
        ]
        with transaction(sessions) as session:
            insert_signals(session, world.keys, world.callers[POSTER], items, bindings)
        ids += [signal_id for signal_id, _ in items]
    return ids


def measure(url: str, tmp: Path, stored: int, new: int, reps: int) -> Figures:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        vocabulary = load_vocabulary(document_dir("barriers"))
        world = setup_world(sessions, covenant_folder(tmp), tmp=tmp)
        # As `hub link-worker` and `hub relink` keep it: without it a step left out the
        # processing log's record, 0.04 ms per new signal (bench/README.md).
        settings = Settings(
            data_dir=tmp / "data", database_url=url, covenants_dir=tmp / "covenants"
        )
        attach_for(sessions, settings, keys=world.keys, covenants=world.covenants)
        bindings = bindings_for(world.agencies[POSTER], world.covenants, clock.today())
        linker = Linker(vocabulary.indicator_weights(), world.keys)
        figures = Figures(stored)
        # The same bodies for every hub size, none twice (bench/ingest.py's pools).
        signals = fresh_signals()
        with console.status(f"storing {stored:,} signals"):
            store(sessions, world, vocabulary, bindings, signals, stored)
        analyze(engine)
        with console.status("relinking them (the baseline)"):
            started = cpu_seconds()
            with transaction(sessions) as session:
                linker.relink(session)
            figures.relink_cpu = (cpu_seconds() - started) / stored
        queued = store(sessions, world, vocabulary, bindings, signals, new)
        analyze(engine)
        with console.status(f"linking {new:,} new signals, {reps} times"):
            for rep in range(reps):
                gc.collect()
                with sessions() as session:
                    probe = Probe() if rep == 0 else None
                    started, clock_started = cpu_seconds(), time.perf_counter()
                    if probe is not None:
                        with probe:
                            linker(session, queued)
                        figures.probe = probe
                    else:
                        linker(session, queued)
                    # Timed with the step: its processing-log record is written as it ends.
                    session.rollback()
                    figures.step_cpu.append((cpu_seconds() - started) / new)
                    figures.step_wall.append(time.perf_counter() - clock_started)
        return figures
    finally:
        engine.dispose()


def report(results: list[Figures], new: int) -> None:
    table = Table(title=f"a queue step of {new:,} new signals (medians)")
    for column in (
        "stored",
        "CPU per new signal",
        "step wall time",
        "relink CPU per stored signal (baseline)",
        "step / relink",
        f"one core links (end to end target {END_TO_END_TARGET:,}/s)",
        "signals read",
        "read rounds",
        "person comparisons",
    ):
        table.add_column(column, justify="right")
    for f in results:
        step = statistics.median(f.step_cpu)
        table.add_row(
            f"{f.stored:,}",
            f"{step * 1000:.3f} ms",
            f"{statistics.median(f.step_wall):.2f} s",
            f"{f.relink_cpu * 1000:.3f} ms",
            f"{step / f.relink_cpu:.1f} x",
            f"{1 / step:,.0f}/s",
            f"{f.probe.nodes:,}",
            f"{f.probe.rounds}",
            f"{f.probe.comparisons:,}",
        )
    console.print(table)
    console.print(
        "CPU is this process's (the database's is not in it); steps run on the same data, each "
        "rolled back. The worker's own step links up to "
        f"{BATCH * CATCH_UP:,} queued signals; it links one step at a time."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,50000", help="hub sizes, comma-separated")
    parser.add_argument("--new", type=int, default=BATCH * CATCH_UP, help="signals per step")
    parser.add_argument("--reps", type=int, default=5, help="steps per hub size")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.new < 1 or args.reps < 1 or any(size < 1 for size in sizes):
        parser.error("--sizes, --new and --reps must be positive")
    # As the hub's processes run (hub.kit.heap): with CPython's default the collector's passes
    # over the stored bodies were a third of a step's CPU, which the hub does not pay.
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    results = []
    try:
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp, fresh_schema(args.pg_url) as url:
                results.append(measure(url, Path(tmp), size, args.new, args.reps))
    except (BenchError, sa.exc.SQLAlchemyError, OSError) as exc:
        console.print(f"[red]failed:[/] {exc}")
        return 1
    report(results, args.new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
