"""Policy benchmark: what the covenant policy costs a read, against the same read without it.

On PostgreSQL only. It makes a fresh schema, migrates it, registers the ten demo agencies, loads
five covenants (the three shipped ones and two written here) and stores --signals signals from
the demo generator, bound to their covenants as the ingest path binds them. Then, in-process
(no HTTP, so the comparison isolates the policy), for a few viewers and purposes it measures
  1. a list page of 50 through hub.signals.reads.read_page (policy pushed into SQL, decided
     per row, redacted, every disclosure audited), from random cursors;
  2. a single read through reads.read_one, of random signals the viewer may see;
each also without the policy ('bare': repository.page_where with a clause that lets every row
through, or repository.by_id, then service.represent).
A third variant, 'off', is the bare read plus the audit entries the same disclosures would
make at full level: the trail records what the hub discloses whoever decides, so the policy's
own cost (the target) is policy against off; policy against bare is reported beside it.
Each call gets a fresh session and its transaction is rolled back (audit events included), so
the trail does not grow. It is a measurement, not a test: a missed target is reported, not an
error. Errors (a viewer shown nothing it should see, a database failure) exit non-zero.

    python bench/policy.py [--signals 200000] [--iterations 400] [--pg-url URL] [--explain]
"""

import argparse
import functools
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.directory import AgencyDirectory
from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import ensure_agency
from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.barriers.vocabulary import load_vocabulary
from hub.covenants.loader import load_covenants
from hub.covenants.model import Agency, Covenant, Level
from hub.covenants.policy import ALL_CATEGORIES, Grant
from hub.covenants.service import bindings_for, sync_covenants
from hub.covenants.sql import visible
from hub.covenants.viewer import build_viewer
from hub.db import make_engine, make_sessionmaker, migrate, transaction
from hub.demo.synthetic import DEMO_AGENCIES, POSTING_AGENCIES, generate
from hub.kit import clock
from hub.kit.crypto import DataKeys
from hub.ldv.register import REGISTER_FILE
from hub.paths import document_dir
from hub.signals import reads, repository
from hub.signals.models import Signal
from hub.signals.repository import SignalFilter
from hub.signals.schemas import SignalCreate
from hub.signals.service import insert_signals, represent

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_SIGNALS = 200_000
BATCH_SIZE = 1000
PAGE = 50
WARMUP = 30
ITERATIONS = 400
P95_TARGET = 1.30  # policy p95 / policy-off p95
# What a read without the policy would disclose: everything, audited as such.
FULL = Grant(Level.FULL, ALL_CATEGORIES, rule_id="policy-off")
SEED_TARGET_SECONDS = 180.0
EXPLAIN_LINES = 16
# (agency, purpose): the analysts the covenants were written for, and an enforcement lookup.
VIEWERS = (("EMM", "case-proposal"), ("RIEC-AA", "case-proposal"), ("KMAR", "hit-lookup"))

# Two covenants beyond the shipped three, so the policy weighs five, as a real hub would.
EXTRA_COVENANTS = {
    "bench-municipal-region.yaml": """\
id: bench-municipal-region
version: 1
title: Benchmark - municipalities share summaries within their RIEC region
legal_basis: ["Gemeentewet art. 172 en 174", "AVG art. 6(1)(e)"]
parties: [{kind: municipality}]
purposes: [case-proposal]
valid_from: 2025-01-01
retention_days: 365
onward_sharing: false
rules:
  - id: municipality-to-municipality
    from: [{kind: municipality}]
    to: [{kind: municipality}]
    purposes: [case-proposal]
    level: summary
    categories: [indicators, location, grading]
    barriers: all
    scope: own-region
""",
    "bench-politie-kmar.yaml": """\
id: bench-politie-kmar
version: 1
title: Benchmark - police and KMAR share pseudonymised signals for investigations
legal_basis: ["Wpg art. 20", "AVG art. 6(1)(e)"]
parties: [POLITIE, KMAR]
purposes: [investigation]
valid_from: 2025-01-01
retention_days: 730
onward_sharing: false
rules:
  - id: politie-to-kmar
    from: [POLITIE]
    to: [KMAR]
    purposes: [investigation]
    level: pseudonymised
    categories: all
    barriers: all
    scope: all
  - id: kmar-to-politie
    from: [KMAR]
    to: [POLITIE]
    purposes: [investigation]
    level: pseudonymised
    categories: all
    barriers: all
    scope: all
""",
}

# Wide enough for the tables when the output goes to a file or a CI log.
console = Console(width=None if sys.stdout.isatty() else 130)


class BenchError(RuntimeError):
    """Something went wrong that makes the figures meaningless."""


# --- database ----------------------------------------------------------------------------------


@contextmanager
def fresh_schema(pg_url: str) -> Iterator[str]:
    """A new schema bench_policy_<random>, migrated; yields a URL that uses it; dropped after."""
    schema = f"bench_policy_{uuid.uuid4().hex[:12]}"
    base = sa.create_engine(pg_url)
    try:
        with base.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(pg_url)
        query = dict(url.query) | {"options": f"-csearch_path={schema}"}
        scoped = url.set(query=query).render_as_string(hide_password=False)
        try:
            migrate(scoped)
            yield scoped
        finally:
            with base.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        base.dispose()


def covenant_folder(tmp: Path) -> tuple[Covenant, ...]:
    """The shipped covenants and the two above, loaded (and checked) by the hub's own loader."""
    folder = tmp / "covenants"
    folder.mkdir()
    for shipped in sorted(document_dir("covenants").glob("*.yaml")):
        shutil.copy(shipped, folder / shipped.name)
    for name, text in EXTRA_COVENANTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    covenants = load_covenants(folder)
    _register(folder, [c for c in covenants if c.id.startswith("bench-")])
    return covenants


def _register(folder: Path, extra: list[Covenant]) -> None:
    """The shipped processing register, with an activity per purpose of the bench's covenants:
    the hub refuses to start when a purpose in force has none (hub/ldv/register.py)."""
    shipped = document_dir("covenants") / REGISTER_FILE
    doc = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    for covenant in extra:
        for purpose in covenant.purposes:
            doc["activities"][f"{covenant.id}.{purpose}"] = {
                "version": 1,
                "covenant": covenant.id,
                "covenant_version": covenant.version,
                "purpose": purpose,
                "name": f"Benchmark: {covenant.title}",
                "legal_basis": ["benchmark data only"],
                "data_subjects": "Synthetic persons.",
                "personal_data": "Synthetic signals.",
                "recipients": "The benchmark covenant's viewers.",
                "retention": "The benchmark's run.",
            }
    target = folder / REGISTER_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


# --- seeding -----------------------------------------------------------------------------------


@dataclass
class World:
    keys: DataKeys
    covenants: tuple[Covenant, ...]
    agencies: dict[str, Agency]  # code -> the policy's view
    callers: dict[str, Caller]
    posted: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def signal_pools() -> dict[str, list[SignalCreate]]:
    """Validated demo bodies per posting agency, cycled with fresh external_refs when seeding."""
    vocabulary = load_vocabulary(document_dir("barriers"))
    data = generate(seed=7, noise=3000, clusters=40)
    return {
        code: [
            SignalCreate.model_validate(body, context={"vocabulary": vocabulary}) for body in bodies
        ]
        for code, bodies in data.signals.items()
    }


def seed(sessions: sessionmaker[Session], world: World, *, count: int) -> None:
    """`count` signals in batches of BATCH_SIZE, each from one posting agency, weighted by the
    demo's mix (municipalities post fewer); one transaction per batch, as the batch API does."""
    pools = signal_pools()
    today = clock.today()
    bindings = {
        code: bindings_for(world.agencies[code], world.covenants, today)
        for code in POSTING_AGENCIES
    }
    weights = [len(pools[code]) for code in POSTING_AGENCIES]
    rng = random.Random(11)  # benchmark data, not security
    offsets: Counter[str] = Counter()
    started = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("seeding signals", total=count)
        for batch in range(0, count, BATCH_SIZE):
            size = min(BATCH_SIZE, count - batch)
            code = rng.choices(POSTING_AGENCIES, weights)[0]
            pool, start = pools[code], offsets[code]
            items = [
                (
                    uuid.uuid4(),
                    pool[(start + i) % len(pool)].model_copy(
                        update={"external_ref": f"bench-{batch + i}"}
                    ),
                )
                for i in range(size)
            ]
            offsets[code] += size
            with transaction(sessions) as session:
                insert_signals(session, world.keys, world.callers[code], items, bindings[code])
            world.posted[code] += size
            progress.advance(task, size)
    world.seconds = time.perf_counter() - started


def analyze(engine: sa.Engine) -> float:
    """VACUUM ANALYZE every table of the schema, as autovacuum would have by now; seconds."""
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        tables = conn.scalars(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
        for table in tables:
            conn.exec_driver_sql(f'VACUUM ANALYZE "{table}"')
    return time.perf_counter() - started


def setup_world(
    sessions: sessionmaker[Session], covenants: tuple[Covenant, ...], *, tmp: Path
) -> World:
    with transaction(sessions) as session:
        rows = {
            spec["code"]: ensure_agency(session, AgencyCreate(**spec)) for spec in DEMO_AGENCIES
        }
        sync_covenants(session, covenants)
    agencies = {code: Agency(code, row.kind, row.region) for code, row in rows.items()}
    callers = {
        code: Caller(row.id, code, f"bench-{code.lower()}", frozenset({"signals:read"}), "bench")
        for code, row in rows.items()
    }
    keys = DataKeys.load_or_create(tmp / "data")
    return World(keys, covenants, agencies, callers)


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[p - 1] * 1000


@dataclass
class Trio:
    """One measure for one viewer in three variants, timed in rotation on the same arguments:
    the policy; the policy off but every disclosure still audited (the trail is not the policy:
    the hub logs what it discloses whoever decides); and neither (a bare read)."""

    policy: Latencies = field(default_factory=Latencies)
    off: Latencies = field(default_factory=Latencies)
    bare: Latencies = field(default_factory=Latencies)
    rows: int = 0  # rows the policy path returned in total (to check pages are full)

    @property
    def ratio(self) -> float:
        """The policy's cost: policy p95 over policy-off p95 (the target)."""
        return self.policy.percentile(95) / self.off.percentile(95)

    @property
    def total_ratio(self) -> float:
        """Policy and audit together over a bare read."""
        return self.policy.percentile(95) / self.bare.percentile(95)


def timed(
    sessions: sessionmaker[Session], call: Callable[[Session, Any], int], arg: Any
) -> tuple[float, int]:
    """Seconds for a whole unit of work: fresh session, the call, rollback; and rows returned."""
    started = time.perf_counter()
    with sessions() as session:
        try:
            rows = call(session, arg)
        finally:
            session.rollback()
    return time.perf_counter() - started, rows


def rotate(
    sessions: sessionmaker[Session], args: list[Any], variants: list[Callable[[Session, Any], int]]
) -> Trio:
    """The three variants (policy, off, bare) on each argument, the order rotated each time so no
    variant always runs first (warm caches); the first WARMUP untimed."""
    trio = Trio()
    slots = [trio.policy, trio.off, trio.bare]
    for i, arg in enumerate(args):
        for k in range(3):
            which = (i + k) % 3
            seconds, rows = timed(sessions, variants[which], arg)
            if i >= WARMUP:
                slots[which].seconds.append(seconds)
                trio.rows += rows if which == 0 else 0
    return trio


@dataclass
class ViewerResult:
    code: str
    purpose: str
    may_see: int
    page: Trio
    single: Trio


def visible_clause(world: World, code: str, purpose: str) -> Any:
    caller = world.callers[code]
    return visible(
        viewer=world.agencies[code],
        viewer_id=caller.agency_id,
        purpose=purpose,
        covenants=world.covenants,
        agencies={c.agency_id: world.agencies[k] for k, c in world.callers.items()},
        today=clock.today(),
    )


def bench_viewer(
    sessions: sessionmaker[Session], world: World, code: str, purpose: str, *, iterations: int
) -> ViewerResult:
    caller, directory = world.callers[code], AgencyDirectory()
    rng = random.Random(f"{code}/{purpose}")
    runs = WARMUP + iterations
    with sessions() as session:
        clause = visible_clause(world, code, purpose)
        may_see = session.scalar(sa.select(sa.func.count()).where(clause)) or 0
        # Foreign signals only: reading one's own skips the policy, which is not what we measure.
        foreign = sa.and_(clause, Signal.agency_id != caller.agency_id)
        ids = list(
            session.scalars(
                sa.select(Signal.id).where(foreign).order_by(sa.func.random()).limit(runs)
            )
        )
    if may_see < PAGE * 20 or len(ids) < runs:
        raise BenchError(f"{code} may see only {may_see} signals for {purpose}: too few to page")
    # Cursors at visible rows with at least a full page after them (posting order is not
    # uniform across agencies, so positions in the key range would not guarantee that).
    with sessions() as session:
        visible_pks = list(session.scalars(sa.select(Signal.pk).where(clause).order_by(Signal.pk)))
    eligible = visible_pks[: -PAGE - 1]
    cursors = [rng.choice(eligible) for _ in range(runs)]
    where = SignalFilter()

    def page_with(session: Session, after: int) -> int:
        viewer = build_viewer(
            session, caller, purpose=purpose, covenants=world.covenants, agencies=directory
        )
        shown, _ = reads.read_page(session, world.keys, viewer, where, after=after, limit=PAGE)
        return len(shown)

    def page_without(session: Session, after: int, *, audited: bool = False) -> int:
        rows = repository.page_where(session, sa.true(), where, after=after, limit=PAGE + 1)
        shown = represent(session, world.keys, rows[:PAGE])
        if audited:
            disclosed_in_full(session, rows[:PAGE])
        return len(shown)

    def disclosed_in_full(session: Session, rows: list[Signal]) -> None:
        codes = {c.agency_id: k for k, c in world.callers.items()}
        shown = [(str(r.id), codes[r.agency_id], FULL) for r in rows]
        audit.disclosed(session, caller, purpose, shown)

    def one_with(session: Session, signal_id: uuid.UUID) -> int:
        viewer = build_viewer(
            session, caller, purpose=purpose, covenants=world.covenants, agencies=directory
        )
        reads.read_one(session, world.keys, viewer, signal_id)
        return 1

    def one_without(session: Session, signal_id: uuid.UUID, *, audited: bool = False) -> int:
        signal = repository.by_id(session, signal_id)
        if signal is None:
            raise BenchError(f"signal {signal_id} vanished")
        shown = represent(session, world.keys, [signal])
        if audited:
            disclosed_in_full(session, [signal])
        return len(shown)

    page = rotate(
        sessions,
        cursors,
        [page_with, functools.partial(page_without, audited=True), page_without],
    )
    if page.rows != PAGE * iterations:
        raise BenchError(f"{code}: {page.rows} rows in {iterations} pages of {PAGE}; pages short")
    single = rotate(
        sessions, ids, [one_with, functools.partial(one_without, audited=True), one_without]
    )
    return ViewerResult(code, purpose, may_see, page, single)


# --- explain -----------------------------------------------------------------------------------


def explain_page(
    engine: sa.Engine, sessions: sessionmaker[Session], world: World, code: str, purpose: str
) -> list[str]:
    """EXPLAIN ANALYZE the page query read_page really sends (caught on the wire), mid-table."""
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "ORDER BY signals.pk" in statement and "LIMIT" in statement:
            caught.append((statement, parameters))

    with sessions() as session:
        low, high = session.execute(sa.select(sa.func.min(Signal.pk), sa.func.max(Signal.pk))).one()
    sa.event.listen(engine, "before_cursor_execute", catch)
    try:
        with sessions() as session:
            try:
                viewer = build_viewer(
                    session,
                    world.callers[code],
                    purpose=purpose,
                    covenants=world.covenants,
                    agencies=AgencyDirectory(),
                )
                reads.read_page(
                    session, world.keys, viewer, SignalFilter(), after=(low + high) // 2, limit=PAGE
                )
            finally:
                session.rollback()
    finally:
        sa.event.remove(engine, "before_cursor_execute", catch)
    if not caught:
        raise BenchError("could not catch the page query of read_page")
    statement, parameters = caught[0]
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [line for (line,) in plan]


def index_hint(plan: list[str]) -> str:
    """A hint from the plan's shape; the hub's indexes are not changed here."""
    text = "\n".join(plan)
    removed = [int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", text)]
    if removed and max(removed) > 20 * PAGE:
        return (
            f"the pk-ordered scan of signals discards up to {max(removed):,} rows per page: "
            "an index matching the visibility clause, e.g. (region, pk) for own-region rules or "
            "(agency_id, pk) for source lists, would let PostgreSQL start at the right rows."
        )
    if "Seq Scan on signals" in text:
        return "signals is scanned sequentially: the page should walk pk_signals; check ANALYZE."
    return "no missing index shows in the plan: the cost is per-row work, not the scan."


# --- report ------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "[bold green]PASS[/]" if ok else "[bold yellow]BELOW[/]"


def report(results: list[ViewerResult], total: int, iterations: int) -> None:
    table = Table(
        title=(
            f"policy overhead: {iterations} timed calls per cell after {WARMUP} warm-up. "
            "policy: decided, redacted, audited; off: no policy, every disclosure audited as "
            "full; bare: neither"
        ),
        title_justify="left",
    )
    columns = ("viewer, purpose", "measure", "p50 policy / off / bare", "p95 policy / off / bare")
    for name in (*columns, "policy/off p95", "target", "", "policy/bare p95"):
        table.add_column(name, justify="left" if name in columns[:2] else "right")
    for result in results:
        share = f"sees {result.may_see:,} ({result.may_see / total:.0%})"
        for label, trio in ((f"list page of {PAGE}", result.page), ("single read", result.single)):
            first = trio is result.page
            table.add_row(
                f"{result.code}, {result.purpose}" if first else share,
                label,
                " / ".join(f"{x.percentile(50):.2f}" for x in (trio.policy, trio.off, trio.bare))
                + " ms",
                " / ".join(f"{x.percentile(95):.2f}" for x in (trio.policy, trio.off, trio.bare))
                + " ms",
                f"{trio.ratio:.2f}",
                f"≤ {P95_TARGET:.2f}",
                verdict(trio.ratio <= P95_TARGET),
                f"{trio.total_ratio:.2f}",
            )
    console.print(table)


def machine_facts(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        server = conn.scalar(sa.text("SHOW server_version"))
    console.print(
        f"[bold]machine:[/] CPUs: {os.cpu_count()}; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()} {platform.machine()}; PostgreSQL {server}"
    )


def world_facts(engine: sa.Engine, world: World, total: int) -> None:
    with engine.connect() as conn:
        bound = conn.scalar(sa.text("SELECT count(*) FROM covenant_bindings"))
        subjects = conn.scalar(sa.text("SELECT count(*) FROM subjects"))
    mix = ", ".join(f"{code} {n:,}" for code, n in sorted(world.posted.items()))
    console.print(
        f"[bold]data:[/] {total:,} signals ({mix}); {subjects:,} subjects; "
        f"{bound:,} binding sets; {len(world.agencies)} agencies; "
        f"{len(world.covenants)} covenants ({', '.join(c.id for c in world.covenants)})"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--signals", type=int, default=DEFAULT_SIGNALS, help="signals to seed")
    parser.add_argument(
        "--iterations", type=int, default=ITERATIONS, help="timed calls per measure and viewer"
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE a policy page even on PASS"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("HUB_BENCH_DATABASE_URL") or DEFAULT_PG_URL,
        help="PostgreSQL URL; a schema bench_policy_<random> is made in it and dropped afterwards",
    )
    args = parser.parse_args(argv)
    if args.signals < BATCH_SIZE * 10 or args.iterations < 20:
        parser.error(f"--signals must be ≥ {BATCH_SIZE * 10} and --iterations ≥ 20")
    if not args.pg_url.startswith("postgresql"):
        parser.error("the policy benchmark runs on PostgreSQL only")
    return args


def run(args: argparse.Namespace, tmp: Path) -> None:
    covenants = covenant_folder(tmp)
    with fresh_schema(args.pg_url) as url:
        engine = make_engine(url)
        try:
            machine_facts(engine)
            sessions = make_sessionmaker(engine)
            world = setup_world(sessions, covenants, tmp=tmp)
            seed(sessions, world, count=args.signals)
            rate = args.signals / world.seconds
            slow = "" if world.seconds <= SEED_TARGET_SECONDS else " [bold yellow](over 3 min)[/]"
            console.print(
                f"[bold]seeding:[/] {args.signals:,} signals in {world.seconds:.0f} s "
                f"({rate:,.0f} signals/s){slow}; VACUUM ANALYZE took {analyze(engine):.0f} s"
            )
            world_facts(engine, world, args.signals)
            results = []
            for code, purpose in VIEWERS:
                console.print(f"measuring {code} ({purpose})")
                results.append(
                    bench_viewer(sessions, world, code, purpose, iterations=args.iterations)
                )
            report(results, args.signals, args.iterations)
            worst = max(results, key=lambda r: r.page.ratio)
            if args.explain or worst.page.ratio > P95_TARGET:
                plan = explain_page(engine, sessions, world, worst.code, worst.purpose)
                console.print(
                    f"[bold]EXPLAIN ANALYZE[/] of {worst.code}'s ({worst.purpose}) page query, "
                    f"{min(EXPLAIN_LINES, len(plan))} of {len(plan)} lines:"
                )
                console.print("\n".join(plan[:EXPLAIN_LINES]), markup=False, highlight=False)
                console.print(f"[bold]hint:[/] {index_hint(plan)}")
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="hub-bench-policy-") as tmp:
            run(args, Path(tmp))
    except (BenchError, sa.exc.SQLAlchemyError, OSError) as exc:
        console.print(f"[bold red]benchmark failed:[/] {exc}")
        return 1
    console.print(
        f"target: the policy adds at most {P95_TARGET - 1:.0%} to the p95 of a list page and of "
        f"a single read. Took {time.monotonic() - started:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
