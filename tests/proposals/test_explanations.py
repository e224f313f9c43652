"""Finding 7: every shared value that joins two visible members is explained, kept as a link by
the linker or not, and members an analyst's split or merge holds together say so."""

import random
import uuid

from sqlalchemy import select

from hub.linking.models import Proposal, ProposalMember
from tests.conftest import World
from tests.linking.test_proposals import _entry, _phone, _post, _proposals_of, _work
from tests.proposals.test_actions import _act, _cluster, _read


def _kvk() -> dict:
    return {"type": "company", "kvk_number": f"{random.randrange(10**8):08d}"}


def test_a_shared_kvk_number_the_linker_did_not_keep_is_explained(
    api, world: World, server
) -> None:
    emm = world.headers["EMM"]
    kvk = _kvk()
    first, second = ({"type": "phone", "number": _phone()} for _ in range(2))
    # a and c share only the KvK number, which three parties carry (a-b-c counted once since
    # rules 5.0.0, and d and e outside the proposal): too weak alone for a link, so the linker
    # keeps a-b and b-c only.
    a = _post(api, world.headers["KMAR"], _entry(first, kvk))
    b = _post(api, world.headers["SZW"], _work(first, second))
    c = _post(api, world.headers["KMAR"], _entry(second, kvk))
    _post(api, world.headers["IND"], _work(kvk))
    _post(api, world.headers["POLITIE"], _work(kvk))
    [proposal] = _proposals_of(server, a)
    assert {str(m) for m in _members(server, proposal)} == {a, b, c}

    body = _read(api, emm, str(proposal.id)).json()
    by_pair = {frozenset(e["signals"]): e for e in body["explanation"]}
    assert by_pair[frozenset((a, b))]["kind"] == "link"
    joined = by_pair[frozenset((a, c))]
    assert joined["kind"] == "shared"
    assert [s["type"] for s in joined["shared"]] == ["kvk"]
    assert 0 < joined["points"] < 4.5
    # The graph joins a and c too: through a shared identifier node, or by a direct edge.
    edges = body["graph"]["edges"]
    direct = any(
        e["kind"] == "link" and {e["source"], e["target"]} == {a, c} and "kvk" in e["types"]
        for e in edges
    )
    carried = {e["target"] for e in edges if e["kind"] == "carries" and e["source"] == a} & {
        e["target"] for e in edges if e["kind"] == "carries" and e["source"] == c
    }
    assert direct or carried
    # The score counts the linker's links only, as the queue does.
    queue = api.get(
        "/api/v1/proposals?purpose=case-proposal&limit=100&region=all", headers=emm
    ).json()
    listed = [p for p in queue["items"] if p["id"] == str(proposal.id)]
    assert not listed or abs(listed[0]["score"] - body["score"]) <= 0.01


def _members(server, proposal: Proposal) -> set[uuid.UUID]:  # type: ignore[no-untyped-def]
    with server.app.state.sessions() as session:
        return set(
            session.scalars(
                select(ProposalMember.signal_id).where(ProposalMember.proposal_id == proposal.id)
            )
        )


def test_the_part_kept_after_a_split_names_the_split(api, world: World, server) -> None:
    emm = world.headers["EMM"]
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND", "POLITIE"))
    etag = _read(api, emm, proposal).headers["ETag"]
    response = _act(
        api, emm, proposal, "splits", {"members": ids[2:], "reason": "Other household."}, etag
    )
    assert response.status_code == 200, response.text
    part = response.json()["part"]
    history = api.get(
        f"/api/v1/proposals/{proposal}/history?purpose=case-proposal", headers=emm
    ).json()["items"]
    [split] = [e for e in history if e["action"] == "split"]

    for shown_id, members in ((proposal, ids[:2]), (part, ids[2:])):
        body = _read(api, emm, shown_id).json()
        held = [e for e in body["explanation"] if e["kind"] == "analyst"]
        assert held, body["explanation"]
        assert {e["event"] for e in held} == {split["id"]}
        assert {e["action"] for e in held} == {"split"}
        assert set().union(*(e["signals"] for e in held)) == set(members)
        event_nodes = [n for n in body["graph"]["nodes"] if n["kind"] == "event"]
        assert [n["event"] for n in event_nodes] == [split["id"]]
        assert {e["source"] for e in body["graph"]["edges"] if e["kind"] == "held"} == set(members)

    # Undone, the split holds nothing any more.
    etag = _read(api, emm, proposal).headers["ETag"]
    undo = _act(
        api, emm, proposal, "undos", {"event": split["id"], "reason": "One after all."}, etag
    )
    assert undo.status_code == 200, undo.text
    body = _read(api, emm, proposal).json()
    assert not [e for e in body["explanation"] if e["kind"] == "analyst"]
