"""Linking benchmark: how long linking a new signal takes with many stored, and a full relink.

On PostgreSQL only, in a fresh schema (as bench/policy.py makes it). It stores --signals
signals whose identifiers are fresh per signal except where planted: clusters of 2 to 5
signals from different agencies sharing a phone, an IBAN or a person (written with noise), and
hub values that must not chain: an employment agency's address carried by 2% of the signals and
a shared landline (made and stored a chunk at a time, without linking). Then it measures
  1. a full relink of everything, twice: the real `hub relink` in its own process, first from
     scratch (every proposal new) and then again, as the nightly run does it (every proposal
     continues), each with its time, and the peak memory of those processes;
  2. incremental: --new signals posted one at a time, each in its own transaction, timing the
     insert (the baseline: what a post costs without linking) and the linking step after it.
It is a measurement, not a test: missed targets are reported, not errors.

    python bench/linking.py [--signals 100000] [--new 300] [--pg-url URL]
"""

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from policy import DEFAULT_PG_URL, BenchError, World, analyze, covenant_folder, fresh_schema
from policy import setup_world as policy_world
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from schwifty import IBAN
from sqlalchemy.orm import Session, sessionmaker

from hub.barriers.vocabulary import load_vocabulary
from hub.covenants.service import bindings_for
from hub.db import make_engine, make_sessionmaker, transaction
from hub.linking.models import Proposal
from hub.linking.service import LIVE, LinkSettings, link_signals
from hub.paths import document_dir
from hub.signals.schemas import SignalCreate
from hub.signals.service import insert_signals

BATCH = 1000
# Signals made, validated and stored at a time, so memory stays flat at any --signals.
CHUNK = 20_000
INCREMENTAL_P95_TARGET_MS = 20.0
RELINK_TARGET_S_PER_MILLION = 300.0
RELINK_MEMORY_TARGET_GIB = 6.0
POSTERS = {
    "KMAR": ("entry", "entry.intermediary-many-applications"),
    "IND": ("identity", "identity.look-alike-fraud"),
    "SZW": ("employment", "employment.wages-below-minimum"),
    "POLITIE": ("finance", "finance.many-workers-one-account"),
    "GM0363": ("accommodation", "accommodation.overcrowded-address"),
}
GIVEN = ("Ion", "Andreea", "Mihai", "Elena", "Piotr", "Anna", "Tomasz", "Maria", "Ivan", "Olena")
FAMILY = ("Popescu", "Ionescu", "Kowalski", "Nowak", "Shevchenko", "Bondar", "Dimitrov", "Petrov")

console = Console(width=None if sys.stdout.isatty() else 130)


class Maker:
    """Signal bodies with fresh identifiers, planted clusters and hub values."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # benchmark data, not security
        self.n = 0
        self.agency_address = {"type": "address", "postcode": "3011 AA", "house_number": 1}
        self.landline = {"type": "phone", "number": "+31 10 555 0100"}

    def _person(self) -> dict[str, Any]:
        born = date(1960, 1, 1) + timedelta(days=self.rng.randrange(40 * 365))
        # A common given name and a made-up family name: people born the same day differ.
        family = self.rng.choice(FAMILY) + "".join(self.rng.choices("aeioubdklmnprstvz", k=6))
        name = f"{self.rng.choice(GIVEN)} {family.capitalize()}"
        return {"type": "person", "name": name, "birth_date": born.isoformat()}

    def _variant(self, person: dict[str, Any]) -> dict[str, Any]:
        """The same person as another agency writes it: names swapped half of the time."""
        if person["type"] != "person" or self.rng.random() < 0.5:
            return person
        given, family = person["name"].split(" ", 1)
        return person | {"name": f"{family} {given}"}

    def _phone(self) -> dict[str, Any]:
        return {
            "type": "phone",
            "number": f"06-{self.rng.randrange(1, 6)}{self.rng.randrange(10**7):07d}",
        }

    def _iban(self) -> dict[str, Any]:
        account = f"{self.rng.randrange(10**10):010d}"
        return {"type": "iban", "number": str(IBAN.generate("NL", "INGB", account))}

    def body(self, agency: str, subjects: list[dict[str, Any]]) -> dict[str, Any]:
        self.n += 1
        barrier, indicator = POSTERS[agency]
        # 20 s apart: a million signals span 231 days, all in the past.
        observed = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=20 * self.n)
        return {
            "external_ref": f"bench-link-{self.n}",
            "barriers": [barrier],
            "indicators": [indicator],
            "observed_at": observed.isoformat(),
            "municipality": "GM0363" if self.n % 2 else "GM0599",
            "reliability": "B",
            "credibility": "2",
            "subjects": subjects,
        }

    def signals(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        """`count` (agency, body) pairs; about a third of them in planted clusters."""
        out: list[tuple[str, dict[str, Any]]] = []
        agencies = list(POSTERS)
        while len(out) < count:
            if self.rng.random() < 0.1:
                shared = self.rng.choice((self._phone, self._iban, self._person))()
                for agency in self.rng.sample(agencies, self.rng.randrange(2, 6)):
                    subjects = [self._variant(shared), self._person()]
                    out.append((agency, self.body(agency, subjects)))
            else:
                subjects = [self._person(), self._phone()]
                draw = self.rng.random()
                if draw < 0.02:
                    subjects.append(self.agency_address)
                elif draw < 0.03:
                    subjects.append(self.landline)
                else:
                    subjects.append(self._iban())
                agency = self.rng.choice(agencies)
                out.append((agency, self.body(agency, subjects)))
        return out[:count]


def validated(pairs: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, SignalCreate]]:
    vocabulary = load_vocabulary(document_dir("barriers"))
    return [
        (agency, SignalCreate.model_validate(body, context={"vocabulary": vocabulary}))
        for agency, body in pairs
    ]


def store(
    sessions: sessionmaker[Session], world: World, maker: Maker, count: int
) -> tuple[float, Counter[str]]:
    """Make and insert `count` signals chunk by chunk, one agency per batch (no linking), so the
    bench never holds a million bodies; seconds spent inserting, and signals per agency."""
    today = date.today()
    bindings = {c: bindings_for(world.agencies[c], world.covenants, today) for c in POSTERS}
    per_agency: Counter[str] = Counter()
    inserting = 0.0
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("making and storing signals", total=count)
        for start in range(0, count, CHUNK):
            by_agency: dict[str, list[SignalCreate]] = {}
            for agency, data in validated(maker.signals(min(CHUNK, count - start))):
                by_agency.setdefault(agency, []).append(data)
            started = time.perf_counter()
            for agency, bodies in by_agency.items():
                per_agency[agency] += len(bodies)
                for first in range(0, len(bodies), BATCH):
                    rows = [(uuid.uuid4(), d) for d in bodies[first : first + BATCH]]
                    with transaction(sessions) as session:
                        insert_signals(
                            session, world.keys, world.callers[agency], rows, bindings[agency]
                        )
            inserting += time.perf_counter() - started
            progress.advance(task, min(CHUNK, count - start))
    return inserting, per_agency


def hub_relink(url: str, tmp: Path) -> tuple[float, float]:
    """`hub relink` as an operator runs it, in its own process: seconds and its peak memory."""
    env = os.environ | {
        "HUB_DATABASE_URL": url,
        "HUB_DATA_DIR": str(tmp / "data"),
        "HUB_COVENANTS_DIR": str(tmp / "covenants"),
    }
    hub = Path(sys.executable).with_name("hub")
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own CLI, arguments fixed here
        [str(hub), "relink"], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"hub relink failed: {done.stderr.strip()[-500:]}")
    console.print(f"hub relink: {done.stdout.strip()}")
    # Only child processes that ended count here: hub relink is the only one.
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


def run(args: argparse.Namespace, tmp: Path) -> None:
    covenants = covenant_folder(tmp)
    weights = load_vocabulary(document_dir("barriers")).indicator_weights()
    maker = Maker(seed=5)
    with fresh_schema(args.pg_url) as url:
        engine = make_engine(url)
        try:
            sessions = make_sessionmaker(engine)
            world = policy_world(sessions, covenants, tmp=tmp)
            seconds, per_agency = store(sessions, world, maker, args.signals)
            console.print(
                f"[bold]data:[/] {args.signals:,} signals stored in {seconds:.0f} s "
                "(inserts only); " + ", ".join(f"{a} {n:,}" for a, n in sorted(per_agency.items()))
            )
            console.print(f"VACUUM ANALYZE {analyze(engine):.0f} s")
            relink_s, relink_gib = hub_relink(url, tmp)
            # As autovacuum would after so many new rows; without it the planner still thinks
            # the proposal tables are empty.
            console.print(f"VACUUM ANALYZE after relink {analyze(engine):.0f} s")
            again_s, relink_gib = hub_relink(url, tmp)
            with sessions() as session:
                live = session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Proposal)
                    .where(Proposal.status.in_(LIVE))
                )
                largest = session.scalar(sa.select(sa.func.max(Proposal.size))) or 0

            insert_ms: list[float] = []
            link_ms: list[float] = []
            today = date.today()
            for agency, data in validated(maker.signals(args.new)):
                signal_id = uuid.uuid4()
                caller = world.callers[agency]
                bindings = bindings_for(world.agencies[agency], world.covenants, today)
                with transaction(sessions) as session:
                    t0 = time.perf_counter()
                    insert_signals(session, world.keys, caller, [(signal_id, data)], bindings)
                    session.flush()
                    t1 = time.perf_counter()
                    link_signals(
                        session,
                        [signal_id],
                        weights=weights,
                        keys=world.keys,
                        settings=LinkSettings(),
                    )
                    t2 = time.perf_counter()
                insert_ms.append(t1 - t0)
                link_ms.append(t2 - t1)
        finally:
            engine.dispose()

    table = Table(title="linking", title_justify="left")
    for name in ("measure", "figure", "target", ""):
        table.add_column(name, justify="left" if name == "measure" else "right")
    p95 = percentile(link_ms, 95)
    table.add_row(
        f"incremental link, p50 / p95 ({args.new} new, {args.signals:,} stored)",
        f"{percentile(link_ms, 50):.1f} / {p95:.1f} ms",
        f"p95 ≤ {INCREMENTAL_P95_TARGET_MS:.0f} ms at 1M",
        _verdict(p95 <= INCREMENTAL_P95_TARGET_MS),
    )
    table.add_row(
        "baseline: inserting the signal, p50 / p95",
        f"{percentile(insert_ms, 50):.1f} / {percentile(insert_ms, 95):.1f} ms",
        f"link/insert p95 = {p95 / percentile(insert_ms, 95):.2f}",
        "",
    )
    per_million = relink_s * 1_000_000 / args.signals
    table.add_row(
        f"full relink of {args.signals:,}, from scratch",
        f"{relink_s:.1f} s ({per_million:.0f} s per million, linear)",
        f"≤ {RELINK_TARGET_S_PER_MILLION:.0f} s at 1M",
        _verdict(per_million <= RELINK_TARGET_S_PER_MILLION),
    )
    table.add_row(
        "full relink again (the nightly run: every proposal continues)",
        f"{again_s:.1f} s ({again_s * 1_000_000 / args.signals:.0f} s per million)",
        f"≤ {RELINK_TARGET_S_PER_MILLION:.0f} s at 1M",
        _verdict(again_s * 1_000_000 / args.signals <= RELINK_TARGET_S_PER_MILLION),
    )
    table.add_row(
        "peak memory of hub relink (its own processes)",
        f"{relink_gib:.2f} GiB",
        f"≤ {RELINK_MEMORY_TARGET_GIB:.0f} GiB",
        _verdict(relink_gib <= RELINK_MEMORY_TARGET_GIB),
    )
    table.add_row("proposals after relink", f"{live:,} live, largest {largest}", "", "")
    console.print(table)


def _verdict(ok: bool) -> str:
    return "[bold green]PASS[/]" if ok else "[bold yellow]BELOW[/]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=300)
    parser.add_argument(
        "--pg-url", default=os.environ.get("HUB_BENCH_DATABASE_URL") or DEFAULT_PG_URL
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="hub-bench-linking-") as tmp:
            run(args, Path(tmp))
    except (BenchError, sa.exc.SQLAlchemyError, OSError) as exc:
        console.print(f"[bold red]benchmark failed:[/] {exc}")
        return 1
    console.print(f"Took {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
