"""grants_for decides once per kind of signal (the inputs policy.decide reads); each signal's
grant must be the one decide gives that signal on its own, whatever the mix on a page."""

import uuid
from datetime import date
from types import SimpleNamespace
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hub.auth.caller import Caller
from hub.covenants.loader import load_covenants
from hub.covenants.model import Agency
from hub.covenants.models import Binding
from hub.covenants.policy import SignalFacts, decide
from hub.covenants.viewer import Viewer
from hub.demo.synthetic import DEMO_AGENCIES
from hub.paths import document_dir
from hub.signals.reads import grants_for
from hub.signals.repository import SignalParts

COVENANTS = load_covenants(document_dir("covenants"))
AGENCIES = {
    i: Agency(str(a["code"]), str(a["kind"]), a["region"])
    for i, a in enumerate(DEMO_AGENCIES[:12], start=1)
}
REGIONS = (None, "amsterdam-amstelland", "rotterdam")
# Few values each, so that a page often holds signals that differ in one input only.
BARRIERS = ("entry", "finance")
# None: not bound yet; the others as ingest binds them (covenant@version, sorted).
KEYS = (None, "emm-case-proposals@1,enforcement-hit-lookup@1,riec-liec@1", "riec-liec@1")
TODAY = date(2026, 12, 3)

SOURCES = sorted(i for i, a in AGENCIES.items() if a.code in ("KMAR", "IND", "GM0363", "EMM"))
VIEWERS = sorted(i for i, a in AGENCIES.items() if a.code in ("RIEC-AA", "EMM", "KMAR", "GM0363"))
RIEC_AA, KMAR = (next(i for i, a in AGENCIES.items() if a.code == c) for c in ("RIEC-AA", "KMAR"))

signal = st.tuples(
    st.sampled_from(SOURCES),
    st.frozensets(st.sampled_from(BARRIERS), min_size=1),
    st.sampled_from(REGIONS),
    st.sampled_from(KEYS),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@example(  # two KMAR signals alike but for their region: one is RIEC-AA's to see
    viewer_id=RIEC_AA,
    purpose="case-proposal",
    drawn=[
        (KMAR, frozenset({"entry"}), "rotterdam", "riec-liec@1", False),
        (KMAR, frozenset({"entry"}), "amsterdam-amstelland", "riec-liec@1", False),
    ],
)
@given(
    viewer_id=st.sampled_from(VIEWERS),
    purpose=st.sampled_from(["case-proposal", "hit-lookup"]),
    drawn=st.lists(signal, min_size=1, max_size=25),
)
def test_a_grouped_decision_is_each_signals_own(
    viewer_id: int, purpose: str, drawn: list[tuple[Any, ...]]
) -> None:
    agency = AGENCIES[viewer_id]
    viewer = Viewer(
        caller=Caller(viewer_id, agency.code, "test", frozenset(), "t"),
        agency=agency,
        purpose=purpose,
        covenants=COVENANTS,
        agencies=AGENCIES,
        today=TODAY,
    )
    signals, barriers, held = [], {}, set()
    for source, codes, region, key, restricted in drawn:
        binding = Binding(id=hash(key) % 1000, key=key) if key is not None else None
        s = SimpleNamespace(id=uuid.uuid4(), agency_id=source, region=region, binding=binding)
        signals.append(s)
        barriers[s.id] = sorted(codes)
        if restricted:
            held.add(s.id)
    parts = SignalParts({i: a.code for i, a in AGENCIES.items()}, barriers, {}, {})
    # No session: with parts and held given, and no accepted-cases rule for these purposes,
    # grants_for reads nothing.
    grouped = grants_for(None, viewer, signals, parts=parts, held=held)  # type: ignore[arg-type]
    for s, grant in zip(signals, grouped, strict=True):
        alone = SignalFacts(
            source=AGENCIES[s.agency_id],
            barriers=frozenset(barriers[s.id]),
            region=s.region,
            bound=s.binding.terms if s.binding is not None else {},
            restricted=s.id in held,
        )
        assert grant == decide(agency, purpose, alone, COVENANTS, TODAY)
