"""Queue benchmark: the review queue ordered by the viewer's own score, against the stored-score
queue it replaced (issue 12, finding 5), on the same data in the same run.

On PostgreSQL only. In a fresh schema (as bench/policy.py makes it) it stores --signals signals
of the synthetic population (as bench/nightly.py stores them) and links them with the real
`relink`; then, in this process and one transaction per read (rolled back: the audit rows a
read writes are not kept), it times for EMM and RIEC-AA (case-proposal, open proposals, every
region, 20 a page) the first page and the page after it, with:
  - new: `hub.proposals.reads.read_page` (every candidate scored over the viewer's members);
  - old: `read_page` as it was at 24afb65 (stored score over all members), loaded from git.
A measurement, not a test.

    python bench/queue_order.py [--signals 20000] [--rounds 5] [--pg-url URL]
"""

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from nightly import store
from policy import DEFAULT_PG_URL, analyze, covenant_folder, fresh_schema, setup_world
from sqlalchemy import func, select

from hub.agencies.directory import AgencyDirectory
from hub.barriers.vocabulary import load_vocabulary
from hub.covenants.viewer import build_viewer
from hub.db import make_engine, make_sessionmaker, transaction
from hub.linking.models import Proposal
from hub.linking.service import relink
from hub.paths import document_dir
from hub.proposals import reads

OLD_COMMIT = "24afb65"
VIEWERS = ("EMM", "RIEC-AA")


def old_reads(tmp: Path) -> ModuleType:
    """reads.py as it was before this change, importable beside the new one."""
    root = Path(__file__).resolve().parent.parent
    command = ["git", "-C", str(root), "show", f"{OLD_COMMIT}:hub/proposals/reads.py"]
    # our own repository, arguments fixed here
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    path = tmp / "old_reads.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("old_reads", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signals", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--profile", action="store_true", help="profile one new first page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, fresh_schema(args.pg_url) as url:
        tmp = Path(folder)
        old = old_reads(tmp)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        world = setup_world(sessions, covenant_folder(tmp), tmp=tmp)
        started = time.perf_counter()
        store(sessions, world, args.signals, 2026)
        weights = load_vocabulary(document_dir("barriers")).indicator_weights()
        with transaction(sessions) as session:
            relink(session, weights=weights, keys=world.keys)
        analyze(engine)
        with sessions() as session:
            counts = dict(
                session.execute(
                    select(Proposal.status, func.count()).group_by(Proposal.status)
                ).all()
            )
        built = time.perf_counter() - started
        print(f"{args.signals} signals, proposals {counts}, built in {built:.0f} s")
        directory = AgencyDirectory()
        if args.profile:
            import cProfile
            import pstats

            with sessions() as session:
                viewer = build_viewer(
                    session,
                    world.callers["EMM"],
                    purpose="case-proposal",
                    covenants=world.covenants,
                    agencies=directory,
                )
                profile = cProfile.Profile()
                profile.enable()
                reads.read_page(
                    session,
                    world.keys,
                    viewer,
                    where=reads.QueueFilter(status="open"),
                    after=None,
                    limit=20,
                    weights=weights,
                )
                profile.disable()
                session.rollback()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        for code in VIEWERS:
            with sessions() as session:
                viewer = build_viewer(
                    session,
                    world.callers[code],
                    purpose="case-proposal",
                    covenants=world.covenants,
                    agencies=directory,
                )
            for name, module in (("old", old), ("new", reads)):
                where = module.QueueFilter(status="open")
                first, second, shown = [], [], 0
                for _ in range(args.rounds):
                    with sessions() as session:
                        t0 = time.perf_counter()
                        items, last = module.read_page(
                            session,
                            world.keys,
                            viewer,
                            where=where,
                            after=None,
                            limit=20,
                            weights=weights,
                        )
                        t1 = time.perf_counter()
                        if last is not None:
                            module.read_page(
                                session,
                                world.keys,
                                viewer,
                                where=where,
                                after=last,
                                limit=20,
                                weights=weights,
                            )
                        t2 = time.perf_counter()
                        session.rollback()
                    first.append((t1 - t0) * 1000)
                    second.append((t2 - t1) * 1000)
                    shown = len(items)
                print(
                    f"{code:8} {name}: first page p50 {statistics.median(first):7.1f} ms"
                    f" (max {max(first):7.1f}), next page p50 {statistics.median(second):7.1f} ms;"
                    f" {shown} rows"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
