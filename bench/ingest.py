"""Ingest benchmark: a real `hub serve` process against a bare FastAPI baseline, per backend.

For each backend it makes a fresh database, migrates it and registers an agency and a client with
the real `hub` CLI, serves the hub and bench/baseline_app.py side by side in subprocesses (one
uvicorn worker each), and measures
  1. single POST /api/v1/signals with 16 concurrent connections (requests/s, p50/p95 latency),
     hub and baseline in alternating rounds (hub, baseline, baseline, hub, ...) so that a
     machine that speeds up or slows down during the run does not favour either;
  2. POST /api/v1/signals/batch with 1,000 signals per batch: one client posting batches one
     after another to that one-worker hub; then two clients posting at once (two partners'
     uploads) to a hub served with one worker per core (`hub serve --workers 2`).
It is a measurement, not a test: a missed target is reported, not an error. Errors (a non-201,
a batch item not created, a server that does not start) exit non-zero.

    python bench/ingest.py [--backend sqlite|postgresql|both] [--requests N] [--batches N]
"""

import argparse
import asyncio
import functools
import itertools
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from hub.demo.synthetic import generate

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONNECTIONS = 16
WARMUP_REQUESTS = 100
ROUNDS = 4  # single-POST rounds per server, interleaved
STREAMS = 2  # concurrent batch clients in the second batch measure
BATCH_SIZE = 1000
PG_BATCH_TARGET = 2000.0  # signals/s
SINGLE_RATIO_TARGET = 0.5  # hub single-POST throughput / baseline

# Wide enough for the table when the output goes to a file or a CI log.
console = Console(width=None if sys.stdout.isatty() else 120)


class BenchError(RuntimeError):
    """Something went wrong that makes the figures meaningless."""


# --- request bodies ----------------------------------------------------------------------------


@functools.cache
def signal_pool() -> tuple[dict[str, Any], ...]:
    """Varied, realistic signals from the demo generator: people, addresses, companies, IBANs,
    phones, documents and vehicles in realistic mixes, identifiers mostly distinct."""
    data = generate(seed=7, noise=3000, clusters=40)
    return tuple(body for bodies in data.signals.values() for body in bodies)


# Each call starts further into the pool, so rounds do not all post the same signals.
_starts = itertools.count(0, 997)


def encoded_bodies(count: int) -> list[bytes]:
    """`count` bodies from the pool, each with a fresh external_ref, serialised up front so the
    client spends its CPU on HTTP only."""
    pool, start = signal_pool(), next(_starts)
    return [
        json.dumps(
            pool[(start + i) % len(pool)] | {"external_ref": f"bench-{uuid.uuid4().hex}"}
        ).encode()
        for i in range(count)
    ]


# --- databases and processes -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Database:
    """A fresh SQLite file or PostgreSQL schema; `drop()` removes the schema."""

    url: str
    base_url: str | None = None
    schema: str | None = None

    def drop(self) -> None:
        if self.base_url is None or self.schema is None:
            return
        engine = sa.create_engine(self.base_url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        finally:
            engine.dispose()


def new_database(backend: str, *, tmp: Path, pg_url: str, label: str) -> Database:
    if backend == "sqlite":
        return Database(url=f"sqlite:///{tmp / (label + '.db')}")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    url = make_url(pg_url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    query = dict(url.query) | {"options": f"-csearch_path={schema}"}
    return Database(
        url=url.set(query=query).render_as_string(hide_password=False),
        base_url=pg_url,
        schema=schema,
    )


def hub_command() -> list[str]:
    """The installed `hub` script of this interpreter's environment."""
    beside = Path(sys.executable).with_name("hub")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("hub")
    if found is None:
        raise BenchError("the `hub` command is not installed (pip install -e .)")
    return [found]


def hub_env(*, database_url: str, data_dir: Path, issuer: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env |= {"HUB_DATABASE_URL": database_url, "HUB_DATA_DIR": str(data_dir), "HUB_ISSUER": issuer}
    return env


def run_cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own CLI, arguments we built
        hub_command() + args, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"hub {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextmanager
def server(command: list[str], *, env: dict[str, str], url: str, log: Path) -> Iterator[None]:
    """A server subprocess, up once GET /health answers 200, always stopped afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise BenchError(f"{command[0]} exited with {proc.returncode}:\n{tail(log)}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"{url}/health did not answer 200 within 60 s:\n{tail(log)}")
            time.sleep(0.1)
        yield
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- load --------------------------------------------------------------------------------------


@dataclass
class SingleResult:
    requests: int
    seconds: float
    latencies: list[float] = field(repr=False)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


async def post_singles(url: str, bodies: list[bytes], headers: dict[str, str]) -> SingleResult:
    """POST every body once, 16 at a time over 16 kept-alive connections."""
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    headers = headers | {"Content-Type": "application/json"}
    latencies: list[float] = []
    failures: list[str] = []
    queue = iter(bodies)

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            for content in queue:  # a shared iterator: each body is taken by one worker
                started = time.perf_counter()
                response = await client.post(url, content=content, headers=headers)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 201:
                    failures.append(f"{response.status_code} {response.text[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        seconds = time.perf_counter() - started
    if failures:
        raise BenchError(
            f"{len(failures)} of {len(bodies)} POSTs to {url} were not 201; first: {failures[0]}"
        )
    return SingleResult(len(bodies), seconds, latencies)


def post_batches(url: str, batches: list[bytes], headers: dict[str, str]) -> list[float]:
    """POST each batch in turn; the seconds each took. Every item must come back `created`."""
    took: list[float] = []
    headers = headers | {"Content-Type": "application/json"}
    with httpx.Client(timeout=300) as client:
        for content in batches:
            started = time.perf_counter()
            response = client.post(url, content=content, headers=headers)
            took.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise BenchError(f"batch POST gave {response.status_code}: {response.text[:500]}")
            result = response.json()
            statuses = {item["status"] for item in result["results"]}
            if result["created"] != BATCH_SIZE or statuses != {"created"}:
                bad = next(i for i in result["results"] if i["status"] != "created")
                raise BenchError(f"batch item not created: {json.dumps(bad)[:500]}")
    return took


def catch_up(issuer: str, timeout: float = 1800.0) -> tuple[int, float]:
    """Signals still queued for linking when posting stopped, and the seconds until none are."""
    started = time.perf_counter()
    first: int | None = None
    with httpx.Client(timeout=30) as client:
        while True:
            queued = client.get(f"{issuer}/health").json()["linking"]["queued"]
            first = queued if first is None else first
            if queued == 0:
                return first, time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise BenchError(f"linking still had {queued} signals queued after {timeout} s")
            time.sleep(0.2)


def token(issuer: str, client_id: str, secret: str) -> str:
    response = httpx.post(
        f"{issuer}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "signals:write signals:read"},
        auth=(client_id, secret),  # client_secret_basic
        timeout=30,
    )
    if response.status_code != 200:
        raise BenchError(f"token request gave {response.status_code}: {response.text[:300]}")
    return response.json()["access_token"]


# --- one backend -------------------------------------------------------------------------------


@dataclass
class BackendResult:
    backend: str
    hub_single: SingleResult
    baseline_single: SingleResult
    batch_seconds: list[float]
    concurrent_batches: int
    concurrent_seconds: float
    # Linking runs beside the posts (a queue the hub drains): what was left when they stopped.
    backlog: int = 0
    catch_up_seconds: float = 0.0

    @property
    def batch_rate(self) -> float:
        return BATCH_SIZE * len(self.batch_seconds) / sum(self.batch_seconds)

    @property
    def concurrent_rate(self) -> float:
        return BATCH_SIZE * self.concurrent_batches / self.concurrent_seconds

    @property
    def ratio(self) -> float:
        return self.hub_single.rate / self.baseline_single.rate


def combined(results: list[SingleResult]) -> SingleResult:
    return SingleResult(
        sum(r.requests for r in results),
        sum(r.seconds for r in results),
        [latency for r in results for latency in r.latencies],
    )


def bench_backend(backend: str, args: argparse.Namespace) -> BackendResult:
    console.rule(f"[bold]{backend}")
    made: list[Database] = []
    with tempfile.TemporaryDirectory(prefix=f"hub-bench-{backend}-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            hub_db = new_database(backend, tmp=tmp, pg_url=args.pg_url, label="hub")
            made.append(hub_db)
            base_db = new_database(backend, tmp=tmp, pg_url=args.pg_url, label="baseline")
            made.append(base_db)
            return run_backend(backend, hub_db, base_db, tmp=tmp, args=args)
        finally:
            for db in made:
                db.drop()


def run_backend(
    backend: str, hub_db: Database, base_db: Database, *, tmp: Path, args: argparse.Namespace
) -> BackendResult:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = hub_env(database_url=hub_db.url, data_dir=tmp / "data", issuer=issuer)
    console.print("hub: migrate, agency, client")
    run_cli(["migrate"], env)
    run_cli(["agencies", "add", "BENCH", "--name", "Benchmark agency", "--kind", "kmar"], env)
    scopes = "signals:write signals:read"
    created = run_cli(["clients", "create", "--agency", "BENCH", "--scopes", scopes, "--json"], env)
    client = json.loads(created)
    base_port = free_port()
    base_url = f"http://127.0.0.1:{base_port}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    base_command = [
        sys.executable,
        str(BENCH_DIR / "baseline_app.py"),
        "--database-url",
        base_db.url,
        "--port",
        str(base_port),
    ]
    hub_command_line = [*hub_command(), "serve", "--port", str(port)]
    per_round = max(args.requests // ROUNDS, CONNECTIONS)
    with (
        server(hub_command_line, env=env, url=issuer, log=tmp / "hub.log"),
        server(base_command, env=base_env, url=base_url, log=tmp / "baseline.log"),
    ):
        bearer = token(issuer, client["client_id"], client["client_secret"])
        auth = {"Authorization": f"Bearer {bearer}"}
        hub_url, baseline_url = f"{issuer}/api/v1/signals", f"{base_url}/signals"
        console.print(f"warm-up: {WARMUP_REQUESTS} single POSTs to each server")
        asyncio.run(post_singles(hub_url, encoded_bodies(WARMUP_REQUESTS), auth))
        asyncio.run(post_singles(baseline_url, encoded_bodies(WARMUP_REQUESTS), {}))
        hub_rounds: list[SingleResult] = []
        base_rounds: list[SingleResult] = []
        console.print(f"single POSTs: {ROUNDS} rounds of {per_round} per server, interleaved")
        for i in range(ROUNDS):
            order = [("hub", hub_url), ("base", baseline_url)]
            for name, url in order if i % 2 == 0 else reversed(order):
                headers = auth if name == "hub" else {}
                result = asyncio.run(post_singles(url, encoded_bodies(per_round), headers))
                (hub_rounds if name == "hub" else base_rounds).append(result)
        batch_url = f"{issuer}/api/v1/signals/batch"
        console.print(f"batches: 1 warm-up, then {args.batches} in a row")
        post_batches(batch_url, [batch_body()], auth)
        took = post_batches(batch_url, [batch_body() for _ in range(args.batches)], auth)
        backlog, catch_up_seconds = catch_up(issuer)
        console.print(
            f"linking: {backlog:,} signals queued after the batches, linked in "
            f"{catch_up_seconds:.1f} s"
        )
    # The deployment the README describes: one worker per core, partners posting at once.
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = hub_env(database_url=hub_db.url, data_dir=tmp / "data", issuer=issuer)
    command = [*hub_command(), "serve", "--port", str(port), "--workers", str(STREAMS)]
    streams = [
        [batch_body() for _ in range(max(args.batches // STREAMS, 1))] for _ in range(STREAMS)
    ]
    with server(command, env=env, url=issuer, log=tmp / "hub-workers.log"):
        auth = {
            "Authorization": f"Bearer {token(issuer, client['client_id'], client['client_secret'])}"
        }
        batch_url = f"{issuer}/api/v1/signals/batch"
        console.print(f"batches: {STREAMS} workers, {STREAMS} clients at once")
        concurrent_batches(batch_url, [[batch_body()] for _ in range(STREAMS)], auth)  # warm-up
        concurrent_seconds = concurrent_batches(batch_url, streams, auth)
    return BackendResult(
        backend,
        combined(hub_rounds),
        combined(base_rounds),
        took,
        sum(len(s) for s in streams),
        concurrent_seconds,
        backlog,
        catch_up_seconds,
    )


def batch_body() -> bytes:
    return b"[" + b",".join(encoded_bodies(BATCH_SIZE)) + b"]"


def concurrent_batches(url: str, streams: list[list[bytes]], headers: dict[str, str]) -> float:
    """Post each stream of batches from its own thread, all at once; the wall-clock seconds."""
    errors: list[BaseException] = []

    def run(batches: list[bytes]) -> None:
        try:
            post_batches(url, batches, headers)
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(stream,)) for stream in streams]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchError(f"a concurrent batch stream failed: {errors[0]}")
    return time.perf_counter() - started


# --- report ------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "[bold green]PASS[/]" if ok else "[bold yellow]BELOW[/]"


def report(result: BackendResult) -> None:
    hub, base = result.hub_single, result.baseline_single
    table = Table(title=f"{result.backend}: ingest", title_justify="left")
    for name in ("measure", "hub", "baseline", "hub/baseline", "target", ""):
        table.add_column(name, justify="left" if name in ("measure", "target") else "right")
    single_ok = result.ratio >= SINGLE_RATIO_TARGET
    table.add_row(
        f"single POST, {CONNECTIONS} connections",
        f"{hub.rate:,.0f} req/s",
        f"{base.rate:,.0f} req/s",
        f"{result.ratio:.2f}",
        f"≥ {SINGLE_RATIO_TARGET} x baseline",
        verdict(single_ok),
    )
    for p in (50, 95):
        table.add_row(
            f"  latency p{p}",
            f"{hub.percentile(p):,.1f} ms",
            f"{base.percentile(p):,.1f} ms",
            f"{hub.percentile(p) / base.percentile(p):.2f}",
            "",
            "",
        )
    per_batch = statistics.median(result.batch_seconds)
    batch_target, batch_ok = "(PostgreSQL only)", ""
    if result.backend == "postgresql":
        batch_target = f"≥ {PG_BATCH_TARGET:,.0f} signals/s"
        batch_ok = verdict(result.batch_rate >= PG_BATCH_TARGET)
    table.add_row(
        f"batch ingest, {BATCH_SIZE}/batch x {len(result.batch_seconds)}",
        f"{result.batch_rate:,.0f} signals/s",
        "",
        "",
        batch_target,
        batch_ok,
    )
    table.add_row("  median seconds per batch", f"{per_batch:.2f} s", "", "", "", "")
    concurrent_ok = ""
    if result.backend == "postgresql":
        concurrent_ok = verdict(result.concurrent_rate >= PG_BATCH_TARGET)
    table.add_row(
        f"batch ingest, {STREAMS} workers, {STREAMS} clients"
        f" x {result.concurrent_batches // STREAMS}",
        f"{result.concurrent_rate:,.0f} signals/s",
        "",
        "",
        batch_target,
        concurrent_ok,
    )
    table.add_row(
        "  linking backlog after the batches",
        f"{result.backlog:,} signals",
        "",
        "",
        "",
        "",
    )
    table.add_row(
        "  linked within",
        f"{result.catch_up_seconds:.1f} s",
        "",
        "",
        "",
        "",
    )
    console.print(table)


def machine_facts(backends: list[str], pg_url: str) -> None:
    facts = [
        f"CPUs: {os.cpu_count()}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"{platform.system()} {platform.release()} {platform.machine()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if "postgresql" in backends:
        engine = sa.create_engine(pg_url)
        try:
            with engine.connect() as conn:
                facts.append(f"PostgreSQL {conn.scalar(sa.text('SHOW server_version'))}")
        finally:
            engine.dispose()
    console.print("[bold]machine:[/] " + "; ".join(facts))
    pool = signal_pool()
    subjects = statistics.mean(len(b.get("subjects", [])) for b in pool)
    size = statistics.mean(len(json.dumps(b)) for b in pool)
    console.print(
        f"[bold]bodies:[/] {len(pool):,} synthetic signals from hub.demo.synthetic, "
        f"{subjects:.1f} subjects and {size:,.0f} bytes each on average"
    )
    console.print(
        "client and servers share this machine: the load generator takes CPU from the server."
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests", type=int, default=2000, help="timed single POSTs")
    parser.add_argument("--batches", type=int, default=10, help=f"timed batches of {BATCH_SIZE}")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("HUB_BENCH_DATABASE_URL") or DEFAULT_PG_URL,
        help="PostgreSQL URL; a schema bench_<random> is made in it and dropped afterwards",
    )
    args = parser.parse_args(argv)
    if args.requests < CONNECTIONS or args.batches < 1:
        parser.error(f"--requests must be ≥ {CONNECTIONS} and --batches ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.monotonic()
    try:
        machine_facts(backends, args.pg_url)
        results = [bench_backend(backend, args) for backend in backends]
    except (BenchError, sa.exc.SQLAlchemyError, httpx.HTTPError, OSError) as exc:
        console.print(f"[bold red]benchmark failed:[/] {exc}")
        return 1
    for result in results:
        report(result)
    console.print(
        f"targets: PostgreSQL batch ingest ≥ {PG_BATCH_TARGET:,.0f} signals/s; "
        f"single POST ≥ {SINGLE_RATIO_TARGET} x baseline. Took {time.monotonic() - started:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
