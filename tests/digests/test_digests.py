"""Partner digests end to end on a hub of their own: posts, reads, lookups and a proposal.

The package's hub has its own database, so the numbers below are exactly what it did; every
expected number is counted plainly here from the scenario, never by hub/digests.
"""

import json

from sqlalchemy import func, select

from hub.audit.models import AuditEvent
from hub.auth.caller import Caller
from hub.covenants.viewer import build_viewer
from hub.digests.models import Delivery, Digest
from hub.linking.models import Proposal
from hub.proposals import service as review
from tests.digests.conftest import (
    CODES,
    SECRET_NAME,
    SECRET_SUMMARY,
    Scene,
    build,
    digest,
)
from tests.factories import ASSESSMENT, PartnerFactory
from tests.localday import settled_today


def test_digest_numbers_match_the_scenario(scene: Scene) -> None:
    assert build(scene) == len(CODES)
    kmar = digest(scene, "KMAR")
    assert kmar["agency"] == "KMAR" and kmar["digest_date"] == scene.day.isoformat()
    # The linker made proposals of K1+S1 and K2+K3 today, and no analyst has checked them:
    # no result of an analysis leaves before a human check (WGS art. 1.9(2)), so the digest
    # says nothing of them, not even that KMAR's signals sit in one.
    assert "proposals" not in kmar and kmar["schema_version"] == "2.0.0"
    assert kmar["cases"] == []
    by_agency = {(d["agency"], d["level"]): d for d in kmar["disclosures"]["by_agency"]}
    assert set(by_agency) == {("EMM", "full"), ("IND", "hit")}
    assert (by_agency["EMM", "full"]["disclosures"], by_agency["EMM", "full"]["signals"]) == (3, 2)
    # IND's lookups hit K1, then K1, K2 and K3: four hits on three signals.
    assert (by_agency["IND", "hit"]["disclosures"], by_agency["IND", "hit"]["signals"]) == (4, 3)
    assert kmar["disclosures"]["total"] == 7 and kmar["disclosures"]["signals"] == 3
    assert kmar["lookups"] == {
        "hits": 4,
        "by_agency": [{"agency": "IND", "lookups": 2, "signals": 3}],
    }
    szw = digest(scene, "SZW")
    assert "proposals" not in szw and szw["cases"] == []
    assert szw["disclosures"]["by_agency"] == [
        {"agency": "IND", "level": "hit", "disclosures": 2, "signals": 1}
    ]
    assert szw["lookups"]["by_agency"] == [{"agency": "IND", "lookups": 2, "signals": 1}]
    emm = digest(scene, "EMM")
    assert emm["disclosures"]["total"] == 0 and emm["lookups"]["hits"] == 0


def test_an_agency_never_sees_another_agencys_content(scene: Scene) -> None:
    build(scene)
    with scene.server.app.state.sessions() as session:
        stored = {d.agency_id: d.content for d in session.scalars(select(Digest))}
        proposal_ids = [str(p) for p in session.scalars(select(Proposal.id))]
    assert len(proposal_ids) == 2
    for code, partner in scene.partners.items():
        text = stored[partner.agency_id]
        assert text == json.dumps(digest(scene, code), ensure_ascii=False, separators=(",", ":"))
        for name, signal_id in scene.signals.items():
            # Not even its own: K2 and K3 sit in a proposal no analyst has checked.
            assert signal_id not in text, name
        for secret in (SECRET_NAME, SECRET_SUMMARY, "41000", *proposal_ids):
            assert secret not in text


def test_rebuilding_a_day_doubles_nothing(scene: Scene) -> None:
    emm = scene.partners["EMM"]
    put = scene.api.put(
        "/api/v1/webhook", json={"url": "http://127.0.0.1:9/never"}, headers=emm.headers
    )
    assert put.status_code == 201, put.text
    try:
        first = build(scene)
        before = digest(scene, "KMAR")
        with scene.server.app.state.sessions() as session:
            [queued] = session.scalars(select(Delivery)).all()
        assert build(scene) == first
        after = digest(scene, "KMAR")
        assert {k: v for k, v in after.items() if k != "generated_at"} == {
            k: v for k, v in before.items() if k != "generated_at"
        }
        with scene.server.app.state.sessions() as session:
            rows = session.scalar(
                select(func.count()).select_from(Digest).where(Digest.digest_date == scene.day)
            )
            [again] = session.scalars(select(Delivery)).all()
        assert rows == first == len(CODES)
        # The same message, still due once: nothing changed, so no second webhook-id.
        assert (again.id, again.message_id, again.status) == (
            queued.id,
            queued.message_id,
            "pending",
        )
    finally:
        assert scene.api.delete("/api/v1/webhook", headers=emm.headers).status_code == 204


def test_digest_read_is_audited_and_a_missing_day_is_404(scene: Scene) -> None:
    build(scene)
    digest(scene, "SZW")
    with scene.server.app.state.sessions() as session:
        reads = session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.action == "digest.read", AuditEvent.agency == "SZW"
            )
        ).all()
    assert f"SZW:{scene.day.isoformat()}" in reads
    headers = scene.partners["SZW"].headers
    assert scene.api.get("/api/v1/digests/1999-01-01", headers=headers).status_code == 404
    bad = scene.api.get("/api/v1/digests/2026-02-30", headers=headers)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["name"] == "date"


def test_reading_a_digest_needs_the_digests_scope(scene: Scene) -> None:
    factory = PartnerFactory(scene.api, scene.server.app.state.sessions)
    reader = factory.new(kind="police", scopes="signals:read")
    response = scene.api.get(f"/api/v1/digests/{scene.day.isoformat()}", headers=reader.headers)
    assert response.status_code == 403
    assert "digests:read" in response.json()["detail"]


def test_an_unreviewed_proposal_reaches_no_source(scene: Scene) -> None:
    # WGS art. 1.9(2): the linker's proposals are results of an analysis; until an analyst
    # accepts one, nothing about it leaves: not in a digest (the body a webhook delivers), not
    # through GET /signals/{id}/cases. The scene's proposals are all unreviewed here.
    build(scene)
    with scene.server.app.state.sessions() as session:
        statuses = set(session.scalars(select(Proposal.status)))
        bodies = [d.content for d in session.scalars(select(Digest))]
    assert statuses and "accepted" not in statuses  # the premise: proposals, none accepted
    assert len(bodies) >= len(CODES)
    # (That no digest names a signal of theirs is test_an_agency_never_sees_...'s to hold.)
    assert all('"proposals"' not in body for body in bodies)
    for name, signal_id in scene.signals.items():
        source = next(p for code, p in scene.partners.items() if name.startswith(code[0]))
        response = scene.api.get(
            f"/api/v1/signals/{signal_id}/cases",
            params={"purpose": "case-proposal"},
            headers=source.headers,
        )
        assert response.status_code == 200, (name, response.text)
        assert response.json()["items"] == [], name


def test_the_sources_of_an_accepted_case_hear_of_it_that_night(scene: Scene) -> None:
    # Accepted through the review service as EMM's analyst would (no reads, so the disclosure
    # counts above stay as they are); this test runs last in the module for that reason too.
    app = scene.server.app
    emm = scene.partners["EMM"]
    caller = Caller(emm.agency_id, "EMM", emm.client_id, frozenset({"proposals:review"}), "t")
    ids = scene.signals
    day = settled_today()  # the night after the acceptance, which may follow the scene's
    with app.state.sessions.begin() as session:
        viewer = build_viewer(
            session,
            caller,
            purpose=review.PURPOSE,
            covenants=app.state.covenants,
            agencies=app.state.agencies,
        )
        ctx = review.Context(
            viewer=viewer,
            keys=app.state.data_keys,
            linker=app.state.link_worker.linker,
            case_retention_days=1825,
        )
        [proposal] = [
            p
            for p in session.scalars(select(Proposal).where(Proposal.status == "new"))
            if p.size == 2 and "SZW" in p.agencies
        ]
        accepted = review.decide(
            session,
            ctx,
            proposal.id,
            f'"{proposal.version}"',
            decision="accept",
            reason="Case.",
            assessment=ASSESSMENT,
        )
        number = accepted.case_number
    build(scene, day)
    assert digest(scene, "KMAR", day)["cases"] == [
        {"case_number": number, "accepted_by": "EMM", "own_signal_ids": [ids["K1"]]}
    ]
    assert digest(scene, "SZW", day)["cases"] == [
        {"case_number": number, "accepted_by": "EMM", "own_signal_ids": [ids["S1"]]}
    ]
    assert digest(scene, "IND", day)["cases"] == []
