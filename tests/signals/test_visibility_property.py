"""Randomised: whatever agencies post, each sees exactly its own signals and nobody else's.

Until covenants grant more, this is the rule that must never break: in the single read, the
list, every filter and every page.
"""

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import signal_body

BARRIER_INDICATOR = {
    "entry": "entry.recruitment-debt",
    "accommodation": "accommodation.overcrowded-address",
    "identity": "identity.forged-document",
    "employment": "employment.wages-below-minimum",
    "finance": "finance.many-workers-one-account",
}
MUNICIPALITIES = ["GM0363", "GM0599", "GM0518"]

posting = st.tuples(
    st.integers(min_value=0, max_value=2),
    st.sampled_from(sorted(BARRIER_INDICATOR)),
    st.sampled_from(MUNICIPALITIES),
    st.booleans(),
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(postings=st.lists(posting, min_size=1, max_size=6), page_size=st.integers(1, 4))
def test_each_agency_sees_exactly_its_own(api, partners, postings, page_size) -> None:
    agencies = [partners.new(kind=k) for k in ("kmar", "ind", "szw")]
    owned: dict[int, dict[str, tuple[str, str, bool]]] = defaultdict(dict)
    for who, barrier, municipality, retract in postings:
        body = signal_body(
            barriers=[barrier],
            indicators=[BARRIER_INDICATOR[barrier]],
            municipality=municipality,
            subjects=[],
        )
        response = api.post("/api/v1/signals", json=body, headers=agencies[who].headers)
        assert response.status_code == 201
        signal_id = response.json()["id"]
        if retract:
            api.post(f"/api/v1/signals/{signal_id}/retract", headers=agencies[who].headers)
        owned[who][signal_id] = (barrier, municipality, retract)

    for viewer, partner in enumerate(agencies):
        mine = owned[viewer]
        listed = _walk(api, partner, f"/api/v1/signals?limit={page_size}")
        assert listed == list(mine)  # posting order, no gaps, no repeats, nothing foreign
        for barrier in BARRIER_INDICATOR:
            expected = [i for i, (b, _, _) in mine.items() if b == barrier]
            assert _walk(api, partner, f"/api/v1/signals?barrier={barrier}") == expected
            indicator = BARRIER_INDICATOR[barrier]
            assert _walk(api, partner, f"/api/v1/signals?indicator={indicator}") == expected
        for municipality in MUNICIPALITIES:
            expected = [i for i, (_, m, _) in mine.items() if m == municipality]
            assert _walk(api, partner, f"/api/v1/signals?municipality={municipality}") == expected
        retracted = [i for i, (_, _, r) in mine.items() if r]
        assert _walk(api, partner, "/api/v1/signals?status=retracted") == retracted
        for owner, theirs in owned.items():
            for signal_id in theirs:
                status = api.get(f"/api/v1/signals/{signal_id}", headers=partner.reader).status_code
                assert status == (200 if owner == viewer else 404)


def _walk(api, partner, first: str) -> list[str]:
    """Every id of a listing, following cursors page by page (`first` has a query string)."""
    ids: list[str] = []
    url = first
    while url:
        page = api.get(url, headers=partner.reader).json()
        ids += [s["id"] for s in page["items"]]
        url = f"{first}&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    return ids
