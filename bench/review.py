"""Review benchmark: the queue and a proposal page of about 200 members, served by a real hub.

On PostgreSQL only. In a fresh schema (as bench/policy.py makes it) it stores --signals signals
of the synthetic population (`hub.demo.population`, as bench/nightly.py stores them) with
fewer planted cases than that module's default, so that 100,000 signals give about 5,000
proposals (issue 5's figures); links them with the real `hub relink` in its own process; and
then, as an RIEC-AA analyst would through the review service (`hub.proposals.service.merge`, one
transaction per merge, as the API runs it), merges proposals whose members all lie in the
Amsterdam-Amstelland region into one of about 200 members (the linker cuts its own clusters at
40); a merge still running after --merge-timeout seconds is rolled back and skipped. Then it
serves the hub (`hub serve`, one worker) and times, for an RIEC-AA client (pseudonymised, own
region) and an EMM client (enforcement partners' signals in full):
  1. the queue, GET /api/v1/proposals?purpose=case-proposal&status=open&limit=20: the first
     page, and a page half-way down the viewer's queue (through the cursor);
  2. the big proposal, GET /api/v1/proposals/{id}?purpose=case-proposal;
  3. the UI's queue and proposal pages (/ui/proposals, /ui/proposals/{id}) signed in as a local
     RIEC-AA analyst, when the hub has them;
  and, as the baseline measured in the same rounds, a single-signal GET and GET /health.
Requests go one at a time over a kept-alive connection from this machine, every measure once
per round (the order rotating), 20 warm-up rounds and then --requests timed ones; the time is
the round trip, with the hub's own time and its database part (Server-Timing) beside it.
It is a measurement, not a test: a missed target is reported as BELOW, never an error.

    python bench/review.py [--signals 100000] [--requests 200] [--pg-url URL]
                           [--merge-timeout 20] [--keep-schema NAME | --reuse-schema NAME]
"""

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import sqlalchemy as sa
from ingest import BenchError as ServerError
from ingest import free_port, hub_command, hub_env, run_cli, server
from nightly import hub_command as timed_command
from nightly import store as store_population
from policy import DEFAULT_PG_URL, BenchError, analyze, covenant_folder, fresh_schema, setup_world
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import hub.demo.population
from hub.agencies.directory import AgencyDirectory
from hub.barriers.vocabulary import load_vocabulary
from hub.config import Settings
from hub.covenants.model import Covenant
from hub.covenants.viewer import build_viewer
from hub.db import make_engine, make_sessionmaker, migrate, transaction
from hub.linking.models import OPEN_STATUSES, Proposal, ProposalMember
from hub.linking.service import LIVE, Linker
from hub.paths import document_dir
from hub.proposals import service
from hub.signals.models import Signal

DEFAULT_SIGNALS = 100_000
# Planted cases per signal: 0.17 x 100,000 signals in cases of 3.4 on average gives about
# 5,000 proposals, the figure (the population's own default, 0.3, gives about 8,800).
CASE_SHARE = 0.17
SEED = 2026
BIG = 200  # members of the proposal an analyst made by merging
REGION = "amsterdam-amstelland"
MERGER = "RIEC-AA"
VIEWERS = ("RIEC-AA", "EMM")
PURPOSE = "case-proposal"
PAGE = 20
WALK_PAGE = 100  # page size when walking the queue to find a cursor half-way down
WARMUP = 20
REQUESTS = 200
P95_TARGET_MS = 300.0
MERGE_TIMEOUT_S = 20.0  # a merge takes 0.1 to 4 s here; one looping in Louvain never ends
TOKEN_REFRESH_S = 600.0  # tokens live 900 s; a long run takes a new one between rounds
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

console = Console(width=None if sys.stdout.isatty() else 130)


# --- the world ---------------------------------------------------------------------------------


@dataclass
class Built:
    """What the build phase made, and how long each step took (seconds)."""

    big: uuid.UUID
    big_size: int
    phases: dict[str, float] = field(default_factory=dict)
    relink_said: str = ""


def schema_url(pg_url: str, schema: str) -> str:
    url = make_url(pg_url)
    query = dict(url.query) | {"options": f"-csearch_path={schema}"}
    return url.set(query=query).render_as_string(hide_password=False)


@contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[str, bool]]:
    """(URL, whether to build) of the schema to measure: fresh and dropped afterwards (as
    policy.py makes it), made and kept (--keep-schema), or one kept before (--reuse-schema)."""
    if args.keep_schema is None and args.reuse_schema is None:
        with fresh_schema(args.pg_url) as url:
            yield url, True
        return
    name = args.keep_schema or args.reuse_schema
    engine = sa.create_engine(args.pg_url)
    try:
        with engine.begin() as conn:
            exists = conn.scalar(
                sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :n"), {"n": name}
            )
            if args.keep_schema and exists:
                raise BenchError(f"schema {name} exists: drop it, or measure it --reuse-schema")
            if args.reuse_schema and not exists:
                raise BenchError(f"there is no schema {name} to reuse: build it --keep-schema")
            if args.keep_schema:
                conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    finally:
        engine.dispose()
    url = schema_url(args.pg_url, name)
    # A kept schema is brought up to the code's migrations, as an operator would (`hub migrate`).
    migrate(url)
    yield url, args.keep_schema is not None


def home_of(args: argparse.Namespace, tmp: Path) -> Path:
    """Where the data keys live: the run's temporary folder, or one kept beside the schema
    (the signals are sealed with those keys, so a kept schema is useless without them)."""
    name = args.keep_schema or args.reuse_schema
    if name is None:
        return tmp
    home = Path(tempfile.gettempdir()) / f"hub-bench-review-{name}"
    if args.reuse_schema and not (home / "data").is_dir():
        raise BenchError(f"the data keys of schema {name} are gone ({home / 'data'})")
    home.mkdir(exist_ok=True)
    return home


@dataclass
class Merges:
    target: uuid.UUID
    size: int
    took: list[float] = field(default_factory=list)  # seconds of each merge that finished
    abandoned: int = 0  # merges stopped at the deadline, rolled back, their proposal skipped


class MergeTimeout(Exception):
    """A merge was caught still in networkx's Louvain after its deadline."""


# Where the linker's cut runs; the only place a merge is stopped (see `deadline`).
LOUVAIN_CODE = os.path.join("networkx", "algorithms", "community")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise MergeTimeout once `seconds` have passed, but only from a frame of networkx's
    community code: its Louvain can loop for ever on float ties (networkx#8739), and raising
    anywhere else (a commit, a garbage-collector callback) would leave things half done.
    Elsewhere the alarm looks again a moment later."""

    def expire(_signum: int, frame: Any) -> None:
        if frame is not None and LOUVAIN_CODE in frame.f_code.co_filename:
            raise MergeTimeout
        signal.setitimer(signal.ITIMER_REAL, 0.05)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def regional_proposals(sessions: sessionmaker[Session]) -> list[tuple[uuid.UUID, int]]:
    """Open proposals whose members all lie in REGION (so the RIEC sees every one), largest
    first: (id, size)."""
    elsewhere = (
        sa.select(ProposalMember.proposal_id)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(sa.or_(Signal.region.is_(None), Signal.region != REGION))
    )
    with sessions() as session:
        rows = session.execute(
            sa.select(Proposal.id, Proposal.size)
            .where(Proposal.status.in_(OPEN_STATUSES), Proposal.id.not_in(elsewhere))
            .order_by(Proposal.size.desc(), Proposal.pk)
        ).all()
    return [(proposal_id, size) for proposal_id, size in rows]


def merge_big(sessions: sessionmaker[Session], ctx: service.Context, *, timeout: float) -> Merges:
    """Merge regional proposals into the largest one until it has BIG members (or they run
    out), each merge in its own transaction with the ETag read before it, as the API does it.
    A merge still in the linker's Louvain cut after `timeout` seconds is rolled back and its
    proposal skipped: networkx's Louvain can loop on float ties, and one hung merge must not
    hang the benchmark (the report counts them)."""
    candidates = regional_proposals(sessions)
    if len(candidates) < 2:
        raise BenchError(f"only {len(candidates)} proposal(s) lie wholly in {REGION}")
    (target, size), rest = candidates[0], candidates[1:]
    merges = Merges(target, size)
    with sessions() as session:
        version = session.scalar(sa.select(Proposal.version).where(Proposal.id == target))
    while rest and merges.size < BIG:
        # The largest that still fits, so the result lands on BIG; else the smallest left.
        fitting = [c for c in rest if c[1] <= BIG - merges.size]
        other = fitting[0] if fitting else rest[-1]
        rest.remove(other)
        started = time.perf_counter()
        try:
            with deadline(timeout), transaction(sessions) as session:
                merged = service.merge(
                    session,
                    ctx,
                    target,
                    f'"{version}"',
                    other=other[0],
                    reason="benchmark: one case across these proposals",
                )
                merges.size, version = merged.size, merged.version
        except MergeTimeout:
            merges.abandoned += 1
            console.print(
                f"[bold yellow]merge abandoned:[/] folding a proposal of {other[1]} into the "
                f"one of {merges.size} was still in networkx's Louvain after {timeout:.0f} s; "
                "rolled back, skipped"
            )
            continue
        merges.took.append(time.perf_counter() - started)
    if merges.size < BIG:
        console.print(
            f"[bold yellow]note:[/] the proposals wholly in {REGION} hold {merges.size} members "
            f"together, fewer than {BIG}: the proposal page is measured at {merges.size}"
        )
    return merges


def merge_label(merges: Merges, timeout: float) -> str:
    took = merges.took or [0.0]
    label = (
        f"{len(merges.took)} merges into one proposal ({min(took):.1f} to {max(took):.1f} s each"
    )
    if merges.abandoned:
        label += f"; {merges.abandoned} abandoned at {timeout:.0f} s"
    return label + ")"


def build(
    engine: sa.Engine,
    sessions: sessionmaker[Session],
    args: argparse.Namespace,
    *,
    covenants: tuple[Covenant, ...],
    home: Path,
    env: dict[str, str],
) -> Built:
    """Store, relink and merge; each step timed. The data keys go to <home>/data."""
    world = setup_world(sessions, covenants, tmp=home)
    phases: dict[str, float] = {}
    started = time.perf_counter()
    # The layout (which signals are in planted cases) is drawn inside generate(); the share is
    # a module constant there, so it is patched for the call, not passed.
    with mock.patch.object(hub.demo.population, "CASE_SHARE", CASE_SHARE):
        store_population(sessions, world, args.signals, SEED)
    phases["store (make, validate, insert)"] = time.perf_counter() - started
    phases["VACUUM ANALYZE"] = analyze(engine)
    seconds, gib, said = timed_command(["relink"], env)
    phases[f"hub relink (peak {gib:.2f} GiB)"] = seconds
    phases["VACUUM ANALYZE after relink"] = analyze(engine)
    started = time.perf_counter()
    weights = load_vocabulary(document_dir("barriers")).indicator_weights()
    with sessions() as session:
        viewer = build_viewer(
            session,
            world.callers[MERGER],
            purpose=service.PURPOSE,
            covenants=world.covenants,
            agencies=AgencyDirectory(),
        )
    ctx = service.Context(
        viewer=viewer,
        keys=world.keys,
        linker=Linker(weights=weights, keys=world.keys),
        case_retention_days=Settings.model_fields["case_retention_days"].default,
    )
    merges = merge_big(sessions, ctx, timeout=args.merge_timeout)
    phases[merge_label(merges, args.merge_timeout)] = time.perf_counter() - started
    phases["VACUUM ANALYZE after merges"] = analyze(engine)
    return Built(merges.target, merges.size, phases, said.strip())


def largest(sessions: sessionmaker[Session]) -> tuple[uuid.UUID, int]:
    """The largest live proposal: on --reuse-schema, the one the merges made."""
    with sessions() as session:
        proposal_id, size = session.execute(
            sa.select(Proposal.id, Proposal.size)
            .where(Proposal.status.in_(LIVE))
            .order_by(Proposal.size.desc())
            .limit(1)
        ).one()
    return proposal_id, size


@dataclass
class Facts:
    signals: int
    live: int
    open: int
    merged: int
    linker_largest: int


def facts(sessions: sessionmaker[Session], big: uuid.UUID) -> Facts:
    with sessions() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Signal)) or 0
        by_status = dict(
            session.execute(
                sa.select(Proposal.status, sa.func.count()).group_by(Proposal.status)
            ).all()
        )
        others = session.scalar(
            sa.select(sa.func.max(Proposal.size)).where(
                Proposal.status.in_(LIVE), Proposal.id != big
            )
        )
    return Facts(
        count,
        sum(n for s, n in by_status.items() if s in LIVE),
        sum(n for s, n in by_status.items() if s in OPEN_STATUSES),
        by_status.get("merged", 0),
        others or 0,
    )


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Measure:
    """One request, repeated: what it is, where it goes, whether the target applies."""

    label: str
    path: str
    client: str  # "api" (bearer token) or "ui" (session cookie)
    targeted: bool
    check: Any = None  # called with the response; raises when the answer is wrong
    seconds: list[float] = field(default_factory=list)  # round trip
    server: list[float] = field(default_factory=list)  # the hub's own total (Server-Timing)
    database: list[float] = field(default_factory=list)  # of which in the database
    sizes: list[int] = field(default_factory=list)

    def percentile(self, p: int, of: list[float] | None = None) -> float:
        values = self.seconds if of is None else of
        if not values:
            return float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


def server_seconds(response: httpx.Response) -> dict[str, float]:
    """The hub's own durations from its Server-Timing header, by metric name, in seconds."""
    found: dict[str, float] = {}
    for metric in response.headers.get("server-timing", "").split(","):
        name, _, params = metric.strip().partition(";")
        duration = re.search(r"dur=([0-9.]+)", params)
        if duration:
            found[name.strip()] = float(duration.group(1)) / 1000
    return found


class Bearer:
    """An API client's token, taken again before it runs out (between requests, untimed)."""

    def __init__(self, issuer: str, client: dict[str, str]) -> None:
        self.issuer, self.client = issuer, client
        self.taken = 0.0
        self.value = ""

    def headers(self) -> dict[str, str]:
        if time.monotonic() - self.taken > TOKEN_REFRESH_S:
            response = httpx.post(
                f"{self.issuer}/oauth/token",
                data={"grant_type": "client_credentials", "scope": "proposals:review signals:read"},
                auth=(self.client["client_id"], self.client["client_secret"]),
                timeout=30,
            )
            if response.status_code != 200:
                raise BenchError(f"token request gave {response.status_code}: {response.text}")
            self.value, self.taken = response.json()["access_token"], time.monotonic()
        return {"Authorization": f"Bearer {self.value}"}


def rounds(
    measures: list[Measure], clients: dict[str, httpx.Client], bearer: Bearer, *, requests: int
) -> None:
    """Every measure once per round, in an order rotated each round; WARMUP rounds untimed."""
    for i in range(WARMUP + requests):
        headers = bearer.headers()
        for k in range(len(measures)):
            measure = measures[(i + k) % len(measures)]
            client = clients[measure.client]
            started = time.perf_counter()
            response = client.get(measure.path, headers=headers if measure.client == "api" else {})
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise BenchError(
                    f"{measure.label}: GET {measure.path} gave {response.status_code}: "
                    f"{response.text[:300]}"
                )
            if measure.check is not None and i == 0:
                measure.check(response)
            if i >= WARMUP:
                own = server_seconds(response)
                measure.seconds.append(elapsed)
                if "total" in own:
                    measure.server.append(own["total"])
                    measure.database.append(own.get("db", 0.0))
                measure.sizes.append(len(response.content))


# --- one viewer --------------------------------------------------------------------------------


@dataclass
class ViewerResult:
    code: str
    queue_length: int
    big_seen: int
    levels: str
    measures: list[Measure]


def queue_path(cursor: str | None = None, limit: int = PAGE) -> str:
    path = f"/api/v1/proposals?purpose={PURPOSE}&status=open&limit={limit}"
    return path if cursor is None else f"{path}&cursor={cursor}"


def walk_queue(client: httpx.Client, headers: dict[str, str]) -> tuple[int, str | None]:
    """The viewer's whole open queue, page by page (untimed): its length, and the cursor of
    the page that starts half-way down it."""
    cursors: list[tuple[int, str]] = []
    seen, cursor = 0, None
    while True:
        response = client.get(queue_path(cursor, WALK_PAGE), headers=headers)
        if response.status_code != 200:
            raise BenchError(f"queue walk gave {response.status_code}: {response.text[:300]}")
        page = response.json()
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        cursors.append((seen, cursor))
    if not cursors:
        return seen, None
    return seen, min(cursors, key=lambda c: abs(c[0] - seen / 2))[1]


def bench_viewer(
    code: str,
    issuer: str,
    env: dict[str, str],
    big: uuid.UUID,
    *,
    requests: int,
    ui: "UiAccount | None",
) -> ViewerResult:
    scopes = "proposals:review signals:read"
    made = run_cli(["clients", "create", "--agency", code, "--scopes", scopes, "--json"], env)
    bearer = Bearer(issuer, json.loads(made))
    with (
        httpx.Client(base_url=issuer, timeout=120) as api,
        httpx.Client(base_url=issuer, timeout=120) as browser,
    ):
        headers = bearer.headers()
        length, deep = walk_queue(api, headers)
        detail = api.get(f"/api/v1/proposals/{big}?purpose={PURPOSE}", headers=headers)
        if detail.status_code != 200:
            raise BenchError(f"{code} cannot read the big proposal: {detail.status_code}")
        members = detail.json()["members"]
        levels: dict[str, int] = {}
        for member in members:
            level = member["disclosure"]["level"]
            levels[level] = levels.get(level, 0) + 1
        # The baseline: one member, read alone through the same authentication and policy.
        one = next(m for m in members if m["disclosure"]["level"] != "hit")
        measures = [
            Measure(f"queue, first page of {PAGE}", queue_path(), "api", True, _has_items),
            Measure(
                f"proposal of {len(members)} visible members",
                f"/api/v1/proposals/{big}?purpose={PURPOSE}",
                "api",
                True,
                _members_are(len(members)),
            ),
            Measure(
                "baseline: one signal",
                f"/api/v1/signals/{one['id']}?purpose={PURPOSE}",
                "api",
                False,
            ),
            Measure("baseline: /health", "/health", "api", False),
        ]
        if deep is not None:
            measures.insert(
                1,
                Measure(
                    f"queue, page of {PAGE} half-way ({length // 2:,} in)",
                    queue_path(deep),
                    "api",
                    True,
                    _has_items,
                ),
            )
        if ui is not None and ui.code == code:
            sign_in(browser, ui)
            pages = {
                "UI queue page, /ui/proposals": "/ui/proposals",
                f"UI proposal page ({len(members)} members)": f"/ui/proposals/{big}",
            }
            measures += [
                Measure(label, path, "ui", True)
                for label, path in pages.items()
                if ui_page_exists(browser, path)
            ]
        rounds(measures, {"api": api, "ui": browser}, bearer, requests=requests)
    described = ", ".join(f"{n} {level}" for level, n in sorted(levels.items()))
    return ViewerResult(code, length, len(members), described, measures)


def _has_items(response: httpx.Response) -> None:
    if not response.json()["items"]:
        raise BenchError("a queue page came back empty")


def _members_are(expected: int) -> Any:
    def check(response: httpx.Response) -> None:
        if len(response.json()["members"]) != expected:
            raise BenchError("the big proposal's members changed between requests")

    return check


# --- the UI ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UiAccount:
    code: str
    username: str
    password: str


def ui_pages_exist(issuer: str) -> bool:
    """Whether this hub has the review pages: without a session they redirect to the login
    form (or refuse); a hub without them answers 404."""
    response = httpx.get(f"{issuer}/ui/proposals", timeout=30)
    return response.status_code != 404


def ui_page_exists(browser: httpx.Client, path: str) -> bool:
    return browser.get(path).status_code != 404


def ui_account(env: dict[str, str], code: str) -> UiAccount:
    """A local analyst made with the real CLI (the password on stdin, as an operator would)."""
    username = f"bench-{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(18)
    done = subprocess.run(  # noqa: S603 - our own CLI, arguments fixed here
        [*hub_command(), "users", "create", username, "--agency", code, "--password-stdin"],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"hub users create failed: {done.stdout}{done.stderr}")
    return UiAccount(code, username, password)


def sign_in(browser: httpx.Client, account: UiAccount) -> None:
    """The login form as a browser posts it: its cookie and CSRF token, then the password."""
    form = browser.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        raise BenchError(f"the login form gave {form.status_code} without a CSRF token")
    response = browser.post(
        "/ui/login",
        data={
            "username": account.username,
            "password": account.password,
            "csrf_token": token.group(1),
            "next": "/ui/proposals",
        },
    )
    if response.status_code != 303:
        raise BenchError(f"signing in gave {response.status_code}: {response.text[:300]}")


# --- report ------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "[bold green]PASS[/]" if ok else "[bold yellow]BELOW[/]"


def report(results: list[ViewerResult], requests: int) -> None:
    table = Table(
        title=f"review pages: {requests} timed requests each after {WARMUP} warm-up rounds; "
        "round trip on a kept-alive connection from this machine, and the hub's own time "
        "(Server-Timing: total and its database part); the target holds the round trip",
        title_justify="left",
    )
    columns = ("viewer", "measure", "p50", "p95", "server p95", "db p95", "max", "p95 / one signal")
    for name in (*columns, "target", "", "KB"):
        table.add_column(name, justify="left" if name in ("viewer", "measure") else "right")
    for result in results:
        baseline = next(m for m in result.measures if m.label == "baseline: one signal")
        for i, m in enumerate(result.measures):
            p95 = m.percentile(95)
            table.add_row(
                result.code if i == 0 else "",
                m.label,
                f"{m.percentile(50):.1f} ms",
                f"{p95:.1f} ms",
                f"{m.percentile(95, m.server):.1f} ms",
                f"{m.percentile(95, m.database):.1f} ms",
                f"{max(m.seconds) * 1000:.1f} ms",
                f"{p95 / baseline.percentile(95):.1f}",
                f"< {P95_TARGET_MS:.0f} ms" if m.targeted else "",
                verdict(p95 < P95_TARGET_MS) if m.targeted else "",
                f"{statistics.median(m.sizes) / 1024:.1f}",
            )
    console.print(table)


def phase_table(phases: dict[str, float], total: float) -> None:
    table = Table(title="phases", title_justify="left")
    table.add_column("phase")
    table.add_column("seconds", justify="right")
    for name, seconds in phases.items():
        table.add_row(name, f"{seconds:.1f}")
    table.add_row("[bold]whole run[/]", f"[bold]{total:.1f}[/]")
    console.print(table)


# --- run ---------------------------------------------------------------------------------------


def run(args: argparse.Namespace, tmp: Path, started: float) -> None:
    phases: dict[str, float] = {}
    with database(args) as (url, building):
        home = home_of(args, tmp)
        port = free_port()
        issuer = f"http://127.0.0.1:{port}"
        covenants = covenant_folder(tmp)
        env = hub_env(database_url=url, data_dir=home / "data", issuer=issuer) | {
            "HUB_COVENANTS_DIR": str(tmp / "covenants")
        }
        engine = make_engine(url)
        try:
            sessions = make_sessionmaker(engine)
            if building:
                built = build(engine, sessions, args, covenants=covenants, home=home, env=env)
                phases |= built.phases
                console.print(f"hub relink: {built.relink_said}")
                big, big_size = built.big, built.big_size
            else:
                big, big_size = largest(sessions)
            world = facts(sessions, big)
        finally:
            engine.dispose()
        console.print(
            f"[bold]data:[/] {world.signals:,} signals; {world.live:,} live proposals "
            f"({world.open:,} open, {world.merged:,} merged away); the merged proposal has "
            f"{big_size} members (all in {REGION}); the linker's largest other: "
            f"{world.linker_largest}"
        )
        measuring = time.perf_counter()
        log = tmp / "hub.log"
        with server([*hub_command(), "serve", "--port", str(port)], env=env, url=issuer, log=log):
            ui = ui_account(env, MERGER) if ui_pages_exist(issuer) else None
            if ui is None:
                console.print(
                    "[bold]UI:[/] the hub has no /ui/proposals yet: UI pages not measured"
                )
            results = []
            for code in VIEWERS:
                console.print(f"measuring {code}")
                results.append(bench_viewer(code, issuer, env, big, requests=args.requests, ui=ui))
        phases["serve and measure"] = time.perf_counter() - measuring
    for result in results:
        console.print(
            f"[bold]{result.code}:[/] {result.queue_length:,} open proposals in its queue; sees "
            f"{result.big_seen} of the {big_size} members of the merged one ({result.levels})"
        )
    report(results, args.requests)
    phase_table(phases, time.perf_counter() - started)
    if args.keep_schema:
        console.print(
            f"kept schema {args.keep_schema} and its keys in {home}: measure again with "
            f"--reuse-schema {args.keep_schema}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--signals", type=int, default=DEFAULT_SIGNALS, help="signals to store")
    parser.add_argument(
        "--requests", type=int, default=REQUESTS, help="timed requests per measure and viewer"
    )
    parser.add_argument(
        "--pg-url", default=os.environ.get("HUB_BENCH_DATABASE_URL") or DEFAULT_PG_URL
    )
    parser.add_argument(
        "--merge-timeout",
        type=float,
        default=MERGE_TIMEOUT_S,
        help="seconds after which a merge still in Louvain is abandoned (rolled back, skipped)",
    )
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument(
        "--keep-schema", metavar="NAME", help="build into schema NAME and keep it (and its keys)"
    )
    kept.add_argument(
        "--reuse-schema", metavar="NAME", help="measure schema NAME, kept before; build nothing"
    )
    args = parser.parse_args(argv)
    if args.signals < 1000 or args.requests < 20:
        parser.error("--signals must be ≥ 1000 and --requests ≥ 20")
    name = args.keep_schema or args.reuse_schema
    if name is not None and not SCHEMA_NAME.fullmatch(name):
        parser.error("a schema NAME is lower-case letters, digits and underscores")
    if not args.pg_url.startswith("postgresql"):
        parser.error("the review benchmark runs on PostgreSQL only")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="hub-bench-review-") as tmp:
            run(args, Path(tmp), started)
    except (BenchError, ServerError, sa.exc.SQLAlchemyError, httpx.HTTPError, OSError) as exc:
        console.print(f"[bold red]benchmark failed:[/] {exc}")
        return 1
    console.print(
        f"target: the queue page and a proposal page of {BIG} members in under "
        f"{P95_TARGET_MS:.0f} ms p95. Took {time.perf_counter() - started:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
