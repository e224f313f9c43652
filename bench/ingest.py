"""Ingest benchmark: a real `hub serve` process against a bare FastAPI baseline, per backend.

For each backend it makes a fresh database, migrates it and registers an agency and a client with
the real `hub` CLI, serves the hub and bench/baseline_app.py side by side in subprocesses (one
uvicorn worker each), and measures
  1. single POST /api/v1/signals with 16 concurrent connections (requests/s, p50/p95 latency),
     hub and baseline in alternating rounds (hub, baseline, baseline, hub, ...) so that a
     machine that speeds up or slows down during the run does not favour either;
  2. batch phases, POST /api/v1/signals/batch with 1,000 signals per batch: one client posting
     batches back to back to that one-worker hub; then, for each count in --workers (2 and 4),
     as many clients posting at once (partners' uploads) to a hub served with that many worker
     processes (`hub serve --workers N`), each phase on the same database.
A batch phase starts on an empty linking queue (after a warm-up batch per client has been
linked), posts, and waits until the queue is empty again. A thread samples the queue
(`count(*), min(seq)` of linking_queue, every 0.1 s, on its own connection) meanwhile, and
each phase reports
  - ingest: signals / seconds from the first POST's start to the last answer;
  - end to end: signals / seconds from the first POST's start until the queue was empty;
  - posted to linked, p95 over the batches: right after a batch's answer (its queue rows are
    committed by then) the bench reads max(seq); the batch is linked at the first sample after
    that whose min(seq) is above it, or that finds the queue empty. The delay runs from the
    POST's start, not its answer (the stricter reading: the partner's wait for the answer
    counts), and is late by up to one sampling interval; another client's rows under the mark
    can only make it later. Every batch has 1,000 signals, so the p95 over batches is the p95
    over signals;
  - the largest backlog seen while posting, in signals and in seconds of the phase's ingest:
    a short phase cannot build a long backlog, so this says most when the phase posts for well
    over the 10 s the target allows (end to end below ingest is the sign of a growing one);
  - the machine's busy CPU seconds (/proc/stat: the hub, PostgreSQL and the bench's client
    share the cores) from the first POST until the queue was empty: the cores kept busy on
    average, the CPU per signal, and the end-to-end rate that CPU cost allows on this machine.
It is a measurement, not a test: a missed target is reported, not an error. Errors (a non-201,
a batch item not created, a server that does not start) exit non-zero. A 503 (the database was
busy, nothing stored) is not an error: the bench waits its Retry-After and posts the same body
again, as a partner should, and counts the retries.

    python bench/ingest.py [--backend sqlite|postgresql|both] [--requests N] [--batches N]
                           [--workers 2,4]
"""

import argparse
import asyncio
import functools
import itertools
import json
import math
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import make_url

from hub.demo.synthetic import generate
from hub.linking.models import LinkQueueItem

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONNECTIONS = 16
WARMUP_REQUESTS = 100
ROUNDS = 4  # single-POST rounds per server, interleaved
BATCH_SIZE = 1000
FIRST_SEED = 7  # of the demo generator's signals
POLL_SECONDS = 0.1  # how often the queue is sampled during a batch phase
LINK_TIMEOUT = 1800.0  # seconds a phase may wait for its queue to empty
# A 503 (the database busy: nothing stored) is retried after its Retry-After, this often at most.
MAX_RETRIES = 10
PG_BATCH_TARGET = 2000.0  # signals/s, ingest and end to end
DELAY_P95_TARGET = 5.0  # seconds from posting to linked
BACKLOG_TARGET = 10.0  # seconds of ingest
SINGLE_RATIO_TARGET = 0.5  # hub single-POST throughput / baseline
# The table, not the mapped class: a query through the class would configure every mapper the
# hub has, which needs all of its models imported.
QUEUE = LinkQueueItem.__table__


# Wide enough for the table when the output goes to a file or a CI log.
console = Console(width=None if sys.stdout.isatty() else 120)


class BenchError(RuntimeError):
    """Something went wrong that makes the figures meaningless."""


# What ends a backend's run with a message rather than a traceback.
BENCH_FAILURES = (BenchError, sa.exc.SQLAlchemyError, httpx.HTTPError, OSError)


# --- request bodies ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def signal_pool(seed: int = FIRST_SEED) -> tuple[dict[str, Any], ...]:
    """3,160 varied, realistic signals from the demo generator: people, addresses, companies,
    IBANs, phones, documents and vehicles in realistic mixes, identifiers mostly distinct."""
    data = generate(seed=seed, noise=3000, clusters=40)
    return tuple(body for bodies in data.signals.values() for body in bodies)


def fresh_signals() -> Iterator[dict[str, Any]]:
    """Signals without end, a pool per seed, so that no body is posted twice in a run.

    One pool is all the generator makes distinct (it runs out of fresh values not far beyond).
    Posted over and over, its copies piled up on the same identifiers and each copy cost the
    linker more than the last: four identical phases went from 229 to 48 signals/s end to end.
    """
    for seed in itertools.count(FIRST_SEED):
        yield from signal_pool(seed)


_signals = fresh_signals()


def encoded_bodies(count: int) -> list[bytes]:
    """The next `count` signals, each with a fresh external_ref, serialised up front so the
    client spends its CPU on HTTP only."""
    return [
        json.dumps(body | {"external_ref": f"bench-{uuid.uuid4().hex}"}).encode()
        for body in itertools.islice(_signals, count)
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
                # A connection left open on the schema would make the drop wait for ever; fail
                # loudly instead (every server is stopped and every engine disposed by now).
                conn.execute(sa.text("SET LOCAL lock_timeout = '60s'"))
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
    """A server subprocess, up once GET /health answers 200, always stopped afterwards.

    It leads a process group of its own, so that uvicorn's worker processes are stopped with it
    even when it has to be killed: a worker left running would hold its database connections.
    """
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
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
        try:
            yield
        except BenchError as exc:  # a 500 says little without the server's side
            raise BenchError(f"{exc}\n{command[0]} log, last lines:\n{tail(log)}") from exc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (uvicorn stops its workers), SIGKILL its process group if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # Orphaned workers (a killed supervisor's) would keep their connections open.
    if wait_gone(proc.pid, 10):
        return
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    if not wait_gone(proc.pid, 10):
        console.print(f"[yellow]warning:[/] processes of group {proc.pid} outlived SIGKILL")


def wait_gone(pgid: int, seconds: float) -> bool:
    """Whether process group `pgid` has no process left within `seconds`."""
    deadline = time.monotonic() + seconds
    while group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- load --------------------------------------------------------------------------------------


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before posting again when the hub said it is busy (503), else None.

    A 503 means nothing of the request was stored, so the same body may simply go again.
    Retry-After is delta-seconds (RFC 9110); a date or a missing header counts as one second.
    """
    if response.status_code != 503:
        return None
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else 1.0


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


@dataclass
class SingleResult:
    requests: int
    seconds: float
    latencies: list[float] = field(repr=False)
    retries: int = 0  # 503s waited out (Retry-After) and posted again

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        return percentile(self.latencies, p) * 1000


async def post_singles(url: str, bodies: list[bytes], headers: dict[str, str]) -> SingleResult:
    """POST every body once, 16 at a time over 16 kept-alive connections; a 503 is posted again
    after its Retry-After (its latency runs from the first attempt, the wait included)."""
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    headers = headers | {"Content-Type": "application/json"}
    latencies: list[float] = []
    failures: list[str] = []
    retries = 0
    queue = iter(bodies)

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal retries
            for content in queue:  # a shared iterator: each body is taken by one worker
                started, tries = time.perf_counter(), 0
                while True:
                    response = await client.post(url, content=content, headers=headers)
                    wait = retry_after(response)
                    if wait is None or tries == MAX_RETRIES:
                        break
                    tries += 1
                    await asyncio.sleep(wait)
                retries += tries
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
    return SingleResult(len(bodies), seconds, latencies, retries)


@dataclass(frozen=True)
class Batch:
    """One batch POST, on the bench's perf_counter clock."""

    started: float
    answered: float
    mark: int | None  # max(seq) of the linking queue read right after the answer
    marked: float  # when that read returned
    retries: int = 0  # 503s waited out before the answer that counted


def post_batches(
    url: str, batches: list[bytes], headers: dict[str, str], *, mark: Callable[[], int | None]
) -> list[Batch]:
    """POST each batch in turn, each marked on the queue after its answer. Every item must come
    back `created`. A 503 is posted again after its Retry-After; the batch's time runs from
    its first attempt."""
    done: list[Batch] = []
    headers = headers | {"Content-Type": "application/json"}
    with httpx.Client(timeout=300) as client:
        for content in batches:
            started, retries = time.perf_counter(), 0
            while True:
                response = client.post(url, content=content, headers=headers)
                wait = retry_after(response)
                if wait is None or retries == MAX_RETRIES:
                    break
                retries += 1
                time.sleep(wait)
            answered = time.perf_counter()
            # The hub commits before it answers: the batch's queue rows lie at or below this.
            top = mark()
            done.append(Batch(started, answered, top, time.perf_counter(), retries))
            if response.status_code != 200:
                raise BenchError(f"batch POST gave {response.status_code}: {response.text[:500]}")
            result = response.json()
            statuses = {item["status"] for item in result["results"]}
            if result["created"] != BATCH_SIZE or statuses != {"created"}:
                bad = next(i for i in result["results"] if i["status"] != "created")
                raise BenchError(f"batch item not created: {json.dumps(bad)[:500]}")
    return done


def post_streams(
    url: str,
    streams: list[list[bytes]],
    headers: dict[str, str],
    *,
    mark: Callable[[], int | None],
) -> list[Batch]:
    """Post each stream of batches from its own thread, all at once; every batch posted."""
    errors: list[BaseException] = []
    done: list[Batch] = []

    def run(batches: list[bytes]) -> None:
        try:
            done.extend(post_batches(url, batches, headers, mark=mark))
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(stream,)) for stream in streams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchError(f"a batch stream failed: {errors[0]}")
    return done


def batch_body() -> bytes:
    return b"[" + b",".join(encoded_bodies(BATCH_SIZE)) + b"]"


@dataclass(frozen=True)
class Sample:
    """The linking queue as one query saw it, on the bench's perf_counter clock."""

    asked: float
    answered: float
    count: int
    low: int | None  # min(seq)


class QueuePoller:
    """Samples the hub's linking queue every POLL_SECONDS in a thread, on an engine of its own."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(
            url, connect_args={"timeout": 30} if url.startswith("sqlite") else {}
        )
        self.samples: list[Sample] = []
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="queue-poller", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.engine.dispose()

    def _run(self) -> None:
        query = sa.select(sa.func.count(), sa.func.min(QUEUE.c.seq))
        try:
            with self.engine.connect() as conn:
                while not self._stop.is_set():
                    asked = time.perf_counter()
                    count, low = conn.execute(query).one()
                    # A fresh snapshot for the next sample (and no read lock held on SQLite).
                    conn.rollback()
                    self.samples.append(Sample(asked, time.perf_counter(), count, low))
                    self._stop.wait(max(0.0, asked + POLL_SECONDS - time.perf_counter()))
        except Exception as exc:  # raised by wait_empty, in the main thread
            self.error = exc

    def mark(self) -> int | None:
        """The highest seq queued now."""
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.max(QUEUE.c.seq)))

    def wait_empty(self, *, after: float) -> Sample:
        """The first sample asked after `after` that finds the queue empty."""
        seen = 0
        while True:
            if self.error is not None:
                raise BenchError(f"sampling the linking queue failed: {self.error}")
            while seen < len(self.samples):  # the poller only appends
                sample = self.samples[seen]
                seen += 1
                if sample.asked > after and sample.count == 0:
                    return sample
            if time.perf_counter() - after > LINK_TIMEOUT:
                queued = self.samples[-1].count if self.samples else "?"
                raise BenchError(
                    f"linking still had {queued} signals queued after {LINK_TIMEOUT} s"
                )
            time.sleep(POLL_SECONDS / 2)


def cpu_busy_seconds() -> float | None:
    """CPU seconds every core of the machine spent busy since boot (Linux /proc/stat), or None:
    the hub, PostgreSQL and the bench's own client together, since all share the cores."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    ticks = [int(f) for f in fields[:8]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    """A batch phase: the batches posted, the queue samples, and when the queue was empty."""

    workers: int
    streams: int
    batches: list[Batch]
    samples: list[Sample] = field(repr=False)
    empty: float
    # Busy CPU seconds of the whole machine from the first POST until the queue was empty.
    cpu_seconds: float | None = None

    @property
    def cores_busy(self) -> float | None:
        """Cores kept busy on average, posting to linked: near the machine's count, the phase
        was bound by CPU, and end to end is at most cores / (CPU per signal)."""
        if self.cpu_seconds is None:
            return None
        return self.cpu_seconds / (self.empty - self.started)

    @property
    def cpu_ms_per_signal(self) -> float | None:
        if self.cpu_seconds is None:
            return None
        return 1000 * self.cpu_seconds / self.signals

    @property
    def signals(self) -> int:
        return BATCH_SIZE * len(self.batches)

    @property
    def started(self) -> float:
        return min(b.started for b in self.batches)

    @property
    def posted(self) -> float:
        return max(b.answered for b in self.batches)

    @property
    def ingest_rate(self) -> float:
        return self.signals / (self.posted - self.started)

    @property
    def end_to_end_rate(self) -> float:
        return self.signals / (self.empty - self.started)

    @property
    def catch_up_seconds(self) -> float:
        return self.empty - self.posted

    @property
    def queued_at_end(self) -> int:
        """Signals queued when the last batch was answered (the first sample after it)."""
        return next((s.count for s in self.samples if s.asked >= self.posted), 0)

    @property
    def backlog(self) -> int:
        """The largest queue seen while posting."""
        window = (s.count for s in self.samples if self.started <= s.asked <= self.posted)
        return max(window, default=0)

    @property
    def backlog_seconds(self) -> float:
        return self.backlog / self.ingest_rate

    def linked(self, batch: Batch) -> float:
        """When the poller first saw every queue row up to the batch's mark gone."""
        if batch.mark is None:  # linked before the answer reached the bench
            return batch.answered
        return next(
            s.answered
            for s in self.samples
            if s.asked > batch.marked and (s.count == 0 or (s.low or 0) > batch.mark)
        )

    def delay_percentile(self, p: int) -> float:
        return percentile([self.linked(b) - b.started for b in self.batches], p)

    @property
    def retries(self) -> int:
        return sum(b.retries for b in self.batches)

    @property
    def median_batch_seconds(self) -> float:
        return statistics.median(b.answered - b.started for b in self.batches)


def batch_phase(
    issuer: str, headers: dict[str, str], *, database_url: str, workers: int, per_stream: int
) -> Phase:
    """One client per hub worker posting batches back to back, each followed to its linking."""
    streams = workers
    url = f"{issuer}/api/v1/signals/batch"
    bodies = [[batch_body() for _ in range(per_stream)] for _ in range(streams)]
    console.print(
        f"batches: {plural(workers, 'worker')}, {plural(streams, 'client')}: a warm-up batch "
        f"each, then {per_stream} each back to back"
    )
    with QueuePoller(database_url) as poller:
        post_streams(url, [[batch_body()] for _ in range(streams)], headers, mark=poller.mark)
        # Start on an empty queue: the phase's figures then count its own signals only.
        waiting = time.perf_counter()
        poller.wait_empty(after=waiting)
        console.print(f"  queue empty {time.perf_counter() - waiting:.1f} s after the warm-up")
        cpu_before = cpu_busy_seconds()
        batches = post_streams(url, bodies, headers, mark=poller.mark)
        empty = poller.wait_empty(after=max(b.marked for b in batches))
        cpu_after = cpu_busy_seconds()
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        phase = Phase(workers, streams, batches, list(poller.samples), empty.answered, cpu)
    console.print(
        f"  {phase.signals:,} signals posted in {phase.posted - phase.started:.1f} s; "
        f"{phase.queued_at_end:,} still queued then, linked {phase.catch_up_seconds:.1f} s later"
    )
    return phase


def token(issuer: str, client: dict[str, str]) -> dict[str, str]:
    """An Authorization header with a token from this hub (tokens name the issuer's address)."""
    response = httpx.post(
        f"{issuer}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "signals:write signals:read"},
        auth=(client["client_id"], client["client_secret"]),  # client_secret_basic
        timeout=30,
    )
    if response.status_code != 200:
        raise BenchError(f"token request gave {response.status_code}: {response.text[:300]}")
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# --- one backend -------------------------------------------------------------------------------


@dataclass
class BackendResult:
    backend: str
    hub_single: SingleResult
    baseline_single: SingleResult
    phases: list[Phase]

    @property
    def ratio(self) -> float:
        return self.hub_single.rate / self.baseline_single.rate


def combined(results: list[SingleResult]) -> SingleResult:
    return SingleResult(
        sum(r.requests for r in results),
        sum(r.seconds for r in results),
        [latency for r in results for latency in r.latencies],
        sum(r.retries for r in results),
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
            # run_backend has stopped every server and disposed of the poller's engine.
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
        auth = token(issuer, client)
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
        phases = [
            batch_phase(issuer, auth, database_url=hub_db.url, workers=1, per_stream=args.batches)
        ]
    # The deployments the README describes: worker processes, partners posting at once.
    for workers in args.workers:
        port = free_port()
        issuer = f"http://127.0.0.1:{port}"
        env = hub_env(database_url=hub_db.url, data_dir=tmp / "data", issuer=issuer)
        command = [*hub_command(), "serve", "--port", str(port), "--workers", str(workers)]
        log = tmp / f"hub-{workers}-workers.log"
        with server(command, env=env, url=issuer, log=log):
            per_stream = math.ceil(args.batches / workers)
            phase = batch_phase(
                issuer,
                token(issuer, client),
                database_url=hub_db.url,
                workers=workers,
                per_stream=per_stream,
            )
            phases.append(phase)
    return BackendResult(backend, combined(hub_rounds), combined(base_rounds), phases)


# --- report ------------------------------------------------------------------------------------


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "es" if noun.endswith("ch") else "s")


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
    table.add_row(
        "  503s waited out (Retry-After)", f"{hub.retries:,}", f"{base.retries:,}", "", "", ""
    )
    postgresql = result.backend == "postgresql"

    def row(measure: str, figure: str, target: str = "", ok: bool | None = None) -> None:
        if target and not postgresql:
            target, ok = "(PostgreSQL only)", None
        table.add_row(measure, figure, "", "", target, "" if ok is None else verdict(ok))

    for phase in result.phases:
        table.add_section()
        per_stream = len(phase.batches) // phase.streams
        row(
            f"{plural(phase.workers, 'worker')}, {plural(phase.streams, 'client')}"
            f" x {plural(per_stream, 'batch')}",
            f"{phase.signals:,} in {phase.posted - phase.started:.1f} s",
        )
        row(
            f"  batch ingest, {BATCH_SIZE:,} per batch",
            f"{phase.ingest_rate:,.0f} signals/s",
            f"≥ {PG_BATCH_TARGET:,.0f} signals/s",
            phase.ingest_rate >= PG_BATCH_TARGET,
        )
        row("  median seconds per batch", f"{phase.median_batch_seconds:.2f} s")
        row(
            "  end to end, posted to linked",
            f"{phase.end_to_end_rate:,.0f} signals/s",
            f"≥ {PG_BATCH_TARGET:,.0f} signals/s",
            phase.end_to_end_rate >= PG_BATCH_TARGET,
        )
        p95 = phase.delay_percentile(95)
        row(
            "  posted to linked, p95",
            f"{p95:.1f} s",
            f"≤ {DELAY_P95_TARGET:g} s",
            p95 <= DELAY_P95_TARGET,
        )
        row(
            "  largest backlog while posting",
            f"{phase.backlog:,} signals = {phase.backlog_seconds:.1f} s",
            f"≤ {BACKLOG_TARGET:g} s of ingest",
            phase.backlog_seconds <= BACKLOG_TARGET,
        )
        row(
            "  queue empty after the last batch",
            f"{phase.catch_up_seconds:.1f} s",
        )
        if phase.cores_busy is not None and phase.cpu_ms_per_signal is not None:
            cores = os.cpu_count() or 1
            row("  cores busy (all processes)", f"{phase.cores_busy:.2f} of {cores}")
            row("  CPU per signal", f"{phase.cpu_ms_per_signal:.2f} ms")
            row(
                "  end to end the CPU allows",
                f"{1000 * cores / phase.cpu_ms_per_signal:,.0f} signals/s",
            )
        row("  503s waited out (Retry-After)", f"{phase.retries:,}")
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


def worker_counts(text: str) -> list[int]:
    """`2,4` → [2, 4]: the hub worker processes (and clients) of each concurrent phase."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if any(count < 1 for count in counts):
        raise argparse.ArgumentTypeError("worker counts must be ≥ 1")
    return counts


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests", type=int, default=2000, help="timed single POSTs")
    parser.add_argument(
        "--batches",
        type=int,
        default=10,
        help=f"timed batches of {BATCH_SIZE} per phase (shared out among its clients, rounded up)",
    )
    parser.add_argument(
        "--workers",
        type=worker_counts,
        default=[2, 4],
        help="hub worker processes of each concurrent batch phase, as many clients (default 2,4)",
    )
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
    except BENCH_FAILURES as exc:
        console.print(f"[bold red]benchmark failed:[/] {escape(str(exc))}")
        return 1
    results: list[BackendResult] = []
    failures: list[str] = []
    for backend in backends:
        # One backend failing (SQLite's single writer under four hub processes, say) must not
        # cost the other its figures.
        begun = time.monotonic()
        try:
            results.append(bench_backend(backend, args))
        except BENCH_FAILURES as exc:
            failures.append(f"[bold red]{backend} failed:[/] {escape(str(exc))}")
        console.print(f"{backend}: {time.monotonic() - begun:.0f} s")
    for result in results:
        report(result)
    for failure in failures:
        console.print(failure)
    console.print(
        f"targets, on PostgreSQL, per batch phase: ingest and end to end ≥ "
        f"{PG_BATCH_TARGET:,.0f} signals/s, posted to linked p95 ≤ {DELAY_P95_TARGET:g} s, "
        f"largest backlog ≤ {BACKLOG_TARGET:g} s of ingest; single POST ≥ "
        f"{SINGLE_RATIO_TARGET} x baseline. Took {time.monotonic() - started:.0f} s."
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
