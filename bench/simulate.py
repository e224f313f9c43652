"""Covenant simulator benchmark: `hub covenants simulate` over --signals stored signals.

On PostgreSQL only. As bench/policy.py does (and with its code): a fresh schema, migrated; the
ten demo agencies; five covenants (the three shipped ones and bench/policy.py's two); --signals
signals from the demo generator through the ingest path (insert_signals, 1,000 a transaction);
on a loaded machine that runs at a few hundred a second, so beyond --ingest (default 200,000)
the rest of --signals are copies of the ingested ones made in SQL: a new id and reference, the
same source, region, barriers and binding (all the policy reads). Proposals are written straight
to their tables: one in PROPOSAL_EVERY signals is put in a proposal of 2 to 5 members (the
linker is not what is measured). Then, after VACUUM ANALYZE, it
times hub.covenants.simulation.run (what the command and the API call) twice, cold and warm,
with a draft that adds a covenant (municipalities' signals shown to the police at summary for
investigations) and raises one rule of riec-liec, and checks the result: the draft's change
shows, and an identical draft changes nothing. Target: ≤ 60 s at 1,000,000 signals.

    python bench/simulate.py [--signals 1000000] [--ingest 200000] [--pg-url URL]
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from policy import (
    DEFAULT_PG_URL,
    EXTRA_COVENANTS,
    BenchError,
    analyze,
    covenant_folder,
    fresh_schema,
    seed,
    setup_world,
)
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.management import CLI_CALLER
from hub.covenants import simulation
from hub.covenants.loader import load_covenants
from hub.covenants.model import Covenant
from hub.db import make_engine, make_sessionmaker, now, transaction
from hub.kit.bulk import insert_rows
from hub.linking.models import Proposal, ProposalMember
from hub.paths import document_dir
from hub.signals.models import Signal

DEFAULT_SIGNALS = 1_000_000
DEFAULT_INGEST = 200_000
TARGET_SECONDS = 60.0
PROPOSAL_EVERY = 5  # one signal in five is a proposal member
CHUNK = 50_000

# The draft: one covenant more, and riec-liec's regional rule raised (a new version would bind
# only new signals; the simulator judges every stored signal as if shared today, so either way
# the change shows).
DRAFT_COVENANT = """\
id: bench-draft-police
version: 1
title: Benchmark draft - municipalities' signals to the police for investigations
legal_basis: ["Wpg art. 20", "AVG art. 6(1)(e)"]
parties: [{kind: municipality}, POLITIE]
purposes: [investigation]
valid_from: 2025-01-01
retention_days: 365
onward_sharing: false
rules:
  - id: municipality-to-police
    from: [{kind: municipality}]
    to: [POLITIE]
    purposes: [investigation]
    level: summary
    categories: [indicators, location, grading]
    barriers: all
"""

console = Console(width=None if sys.stdout.isatty() else 130)


def draft_folder(tmp: Path) -> tuple[Covenant, ...]:
    """The current five with the draft's changes, loaded by the hub's loader."""
    folder = tmp / "draft"
    folder.mkdir()
    for shipped in sorted(document_dir("covenants").glob("*.yaml")):
        shutil.copy(shipped, folder / shipped.name)
    for name, text in EXTRA_COVENANTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "bench-draft-police.yaml").write_text(DRAFT_COVENANT, encoding="utf-8")
    riec = folder / "riec-liec.yaml"
    text = riec.read_text(encoding="utf-8")
    raised = text.replace("level: pseudonymised", "level: full", 1)
    if raised == text:
        raise BenchError("riec-liec.yaml has no pseudonymised rule to raise")
    riec.write_text(raised, encoding="utf-8")
    return load_covenants(folder)


def make_proposals(sessions: sessionmaker[Session], seed_value: int = 5) -> tuple[int, float]:
    """Proposals of 2 to 5 members over one signal in PROPOSAL_EVERY; (count, seconds)."""
    started = time.perf_counter()
    rng = random.Random(seed_value)  # benchmark data, not security
    made = 0
    stamp = now()
    with transaction(sessions) as session:
        ids = list(session.scalars(sa.select(Signal.id).order_by(Signal.pk)))
        rng.shuffle(ids)
        members = ids[: len(ids) // PROPOSAL_EVERY]
        proposals: list[dict[str, object]] = []
        links: list[dict[str, object]] = []
        at = 0
        while at + 2 <= len(members):
            size = rng.randint(2, 5)
            group = members[at : at + size]
            at += size
            if len(group) < 2:
                break
            proposal = uuid.uuid4()
            status = rng.choice(("new", "new", "in_review", "rejected", "closed"))
            proposals.append(
                {
                    "id": proposal,
                    "status": status,
                    "score": rng.random(),
                    "score_parts": {},
                    "barriers": [],
                    "agencies": [],
                    "size": len(group),
                    "created_at": stamp,
                    "updated_at": stamp,
                    "version": 1,
                }
            )
            links += [{"proposal_id": proposal, "signal_id": s} for s in group]
        for start in range(0, len(proposals), CHUNK):
            insert_rows(session, Proposal, proposals[start : start + CHUNK])
        for start in range(0, len(links), CHUNK):
            insert_rows(session, ProposalMember, links[start : start + CHUNK])
        made = len(proposals)
    return made, time.perf_counter() - started


def copy_signals(engine: sa.Engine, total: int) -> tuple[int, float]:
    """Copies of the ingested signals (and their barriers) until there are `total`; (copies,
    seconds). Ids are derived from the original's and the round, so a rerun is the same."""
    started = time.perf_counter()
    made = 0
    with engine.begin() as conn:
        ingested = conn.scalar(sa.text("SELECT count(*) FROM signals")) or 0
        last = conn.scalar(sa.text("SELECT max(pk) FROM signals")) or 0
        round_ = 1
        while ingested + made < total:
            limit = min(ingested, total - ingested - made)
            conn.execute(
                sa.text(
                    "INSERT INTO signals (id, agency_id, external_ref, status, version, "
                    "observed_at, municipality, region, reliability, credibility, summary_key_id, "
                    "summary, created_at, updated_at, retracted_at, created_by, updated_by, "
                    "binding_id) "
                    "SELECT md5(id::text || :round)::uuid, agency_id, external_ref || '-' || "
                    ":round, status, version, observed_at, municipality, region, reliability, "
                    "credibility, summary_key_id, summary, created_at, updated_at, retracted_at, "
                    "created_by, updated_by, binding_id FROM signals WHERE pk <= :last "
                    "ORDER BY pk LIMIT :limit"
                ),
                {"round": str(round_), "last": last, "limit": limit},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO signal_barriers (signal_id, barrier) "
                    "SELECT md5(b.signal_id::text || :round)::uuid, b.barrier "
                    "FROM signal_barriers b JOIN signals s ON s.id = b.signal_id "
                    "WHERE s.pk IN (SELECT pk FROM signals WHERE pk <= :last ORDER BY pk "
                    "LIMIT :limit)"
                ),
                {"round": str(round_), "last": last, "limit": limit},
            )
            made += limit
            round_ += 1
    return made, time.perf_counter() - started


def timed(
    sessions: sessionmaker[Session], current: tuple[Covenant, ...], draft: tuple[Covenant, ...]
) -> tuple[float, simulation.Simulation]:
    started = time.perf_counter()
    with sessions() as session:
        try:
            result = simulation.run(session, CLI_CALLER, current=current, draft=draft)
        finally:
            session.rollback()
    return time.perf_counter() - started, result


def check(result: simulation.Simulation, same: simulation.Simulation) -> None:
    """The draft's change shows where it should, and nowhere when nothing changes."""
    police = [r for r in result.rows if r.agency == "POLITIE" and r.purpose == "investigation"]
    if not police or police[0].signals.raised == 0:
        raise BenchError("the draft shows the police no municipal signal: the simulation is off")
    riecs = [r for r in result.rows if r.agency.startswith("RIEC") and r.purpose == "case-proposal"]
    if not any(r.signals.raised for r in riecs):
        raise BenchError("the raised riec-liec rule raises nothing: the simulation is off")
    if same.changed:
        raise BenchError(f"an identical draft changes {same.changed} row(s)")


def report(result: simulation.Simulation, times: list[float], signals: int) -> None:
    table = Table(title="Rows that change under the draft (signals: raised / lowered)")
    for heading in ("agency", "purpose", "raised", "lowered", "proposals raised", "lowered"):
        table.add_column(heading, justify="left" if heading in ("agency", "purpose") else "right")
    for row in result.rows:
        if row.signals.changed or row.proposals.changed:
            table.add_row(
                row.agency,
                row.purpose,
                f"{row.signals.raised:,}",
                f"{row.signals.lowered:,}",
                f"{row.proposals.raised:,}",
                f"{row.proposals.lowered:,}",
            )
    console.print(table)
    worst = max(times)
    verdict = "[bold green]PASS[/]" if worst <= TARGET_SECONDS else "[bold red]MISS[/]"
    console.print(
        f"simulation over {signals:,} signals and {result.proposals:,} proposals, "
        f"{len(result.rows)} agency and purpose rows: cold {times[0]:.1f} s, warm {times[1]:.1f} s "
        f"(identical draft {times[2]:.1f} s); target ≤ {TARGET_SECONDS:.0f} s at 1,000,000: "
        f"{verdict}"
    )


def run(args: argparse.Namespace, tmp: Path) -> None:
    current = covenant_folder(tmp)
    draft = draft_folder(tmp)
    with fresh_schema(args.pg_url) as url:
        engine = make_engine(url)
        try:
            sessions = make_sessionmaker(engine)
            world = setup_world(sessions, current, tmp=tmp)
            ingest = min(args.ingest, args.signals)
            seed(sessions, world, count=ingest)
            copies, copying = copy_signals(engine, args.signals)
            proposals, seconds = make_proposals(sessions)
            console.print(
                f"[bold]seeding:[/] {ingest:,} signals ingested in {world.seconds:.0f} s "
                f"({ingest / world.seconds:,.0f} signals/s), {copies:,} copies in "
                f"{copying:.0f} s, {proposals:,} proposals in {seconds:.0f} s; "
                f"VACUUM ANALYZE took {analyze(engine):.0f} s"
            )
            cold, result = timed(sessions, current, draft)
            warm, _ = timed(sessions, current, draft)
            identical, same = timed(sessions, current, current)
            check(result, same)
            report(result, [cold, warm, identical], args.signals)
        finally:
            engine.dispose()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--signals", type=int, default=DEFAULT_SIGNALS, help="signals to seed")
    parser.add_argument(
        "--ingest",
        type=int,
        default=DEFAULT_INGEST,
        help="of those, how many go through the ingest path (the rest are copies made in SQL)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("HUB_BENCH_DATABASE_URL") or DEFAULT_PG_URL,
        help="PostgreSQL URL; a schema bench_policy_<random> is made in it and dropped afterwards",
    )
    args = parser.parse_args(argv)
    if args.signals < 10_000 or args.ingest < 10_000:
        parser.error("--signals and --ingest must be ≥ 10000")
    if not args.pg_url.startswith("postgresql"):
        parser.error("the simulator benchmark runs on PostgreSQL only")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="hub-bench-simulate-") as tmp:
            run(args, Path(tmp))
    except (BenchError, sa.exc.SQLAlchemyError, OSError) as exc:
        console.print(f"[bold red]benchmark failed:[/] {exc}")
        return 1
    console.print(f"Took {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
