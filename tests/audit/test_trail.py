"""The audit trail as stored: chained on every write and disclosure, verifiable, tamper-evident."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, update

from hub.audit.models import AuditEvent
from tests.factories import seal_audit, signal_body


def _verify(api, headers) -> dict:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/audit/verify", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@contextmanager
def _tampered(sessions, at: int, **changes) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """Change the stored entry at seq `at` directly in the database; put it back afterwards."""
    with sessions() as session, session.begin():
        row = session.scalars(select(AuditEvent).where(AuditEvent.seq == at)).one()
        row_id, original = row.id, {name: getattr(row, name) for name in changes}
        session.execute(update(AuditEvent).where(AuditEvent.id == row_id).values(**changes))
    try:
        yield original
    finally:
        with sessions() as session, session.begin():
            session.execute(update(AuditEvent).where(AuditEvent.id == row_id).values(**original))


def _some_seq(api, kmar, sessions) -> int:  # type: ignore[no-untyped-def]
    """An entry in the middle of the chain (posting a few signals first, so there is one)."""
    for _ in range(3):
        api.post("/api/v1/signals", json=signal_body(), headers=kmar.headers)
    seal_audit(sessions)
    with sessions() as session:
        return max(1, (session.scalar(select(func.max(AuditEvent.seq))) or 0) // 2)


def test_writes_and_reads_extend_a_sound_chain(api, kmar, sessions) -> None:
    before = _verify(api, kmar.headers)
    assert before["ok"], before
    api.post("/api/v1/signals", json=signal_body(), headers=kmar.headers)
    seal_audit(sessions)
    after = _verify(api, kmar.headers)
    assert after["ok"] and after["head_seq"] > before["head_seq"]
    with sessions() as session:
        seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    positive = [s for s in seqs if s > 0]
    assert positive == list(range(1, len(positive) + 1))  # no gaps, no repeats


def test_a_changed_entry_is_found_and_named(api, kmar, sessions) -> None:
    seq = _some_seq(api, kmar, sessions)
    with _tampered(sessions, seq, agency="FORGED"):
        verdict = _verify(api, kmar.headers)
        assert not verdict["ok"] and verdict["first_bad_seq"] == seq
        assert str(seq) in verdict["reason"]
    assert _verify(api, kmar.headers)["ok"]


def test_a_removed_or_reordered_entry_is_found(api, kmar, sessions) -> None:
    seq = _some_seq(api, kmar, sessions)
    # Removed: the entry after the gap is the first that no longer fits.
    table = AuditEvent.__table__
    with sessions() as session, session.begin():
        row = dict(session.execute(select(table).where(table.c.seq == seq)).mappings().one())
        session.execute(table.delete().where(table.c.seq == seq))
    try:
        verdict = _verify(api, kmar.headers)
        assert not verdict["ok"] and verdict["first_bad_seq"] == seq + 1
        assert "missing" in verdict["reason"]
    finally:
        with sessions() as session, session.begin():
            session.execute(table.insert().values(**row))
    # Swap the hashes of two neighbours: their order no longer fits the chain.
    with sessions() as session:
        first, second = (
            session.execute(
                select(AuditEvent.hash)
                .where(AuditEvent.seq.in_([seq, seq + 1]))
                .order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
    with _tampered(sessions, seq, hash=second), _tampered(sessions, seq + 1, hash=first):
        verdict = _verify(api, kmar.headers)
        assert not verdict["ok"] and verdict["first_bad_seq"] == seq
    assert _verify(api, kmar.headers)["ok"]


def test_cli_verifies_and_signs_the_head(api, kmar, sessions, settings, monkeypatch) -> None:
    from typer.testing import CliRunner

    from hub.cli import app

    monkeypatch.setenv("HUB_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HUB_ISSUER", settings.issuer)
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "sound" in result.output
    signed = _verify(api, kmar.headers)
    assert signed["ok"] and signed["signed_seq"] is not None
    seq = _some_seq(api, kmar, sessions)
    with _tampered(sessions, seq, action="forged"):
        broken = CliRunner().invoke(app, ["audit", "verify"])
        assert broken.exit_code == 2 and f"entry {seq}" in broken.output


def test_audit_readers_see_what_involves_their_agency(api, world, partners, sessions) -> None:
    kmar_signal = next(i for i, s in world.signals.items() if s == ("KMAR", "GM0363"))
    api.get(f"/api/v1/signals/{kmar_signal}?purpose=case-proposal", headers=world.headers["EMM"])
    auditor = partners.new(kind="kmar", scopes="audit:read signals:read signals:write")
    api.post("/api/v1/signals", json=signal_body(), headers=auditor.headers)
    seal_audit(sessions)  # the list holds the sealed chain
    mine = api.get("/api/v1/audit?limit=500", headers=auditor.headers).json()["items"]
    assert mine and all(auditor.code in (e["agency"], e["owner"]) for e in mine)
    kmar_view = api.get(
        f"/api/v1/audit?signalId={kmar_signal}&action=signal.disclosed",
        headers=world.headers["KMAR"],
    ).json()["items"]
    assert any(e["agency"] == "EMM" and e["rule_id"] == "enforcement-to-emm" for e in kmar_view)
    no_scope = partners.new(kind="kmar", scopes="signals:read")
    assert api.get("/api/v1/audit", headers=no_scope.headers).status_code == 403


def test_the_source_sees_who_saw_its_signal(api, world) -> None:
    signal_id = next(i for i, s in world.signals.items() if s == ("SZW", "GM0363"))
    api.get(f"/api/v1/signals/{signal_id}?purpose=case-proposal", headers=world.headers["EMM"])
    api.get(f"/api/v1/signals/{signal_id}?purpose=case-proposal", headers=world.headers["RIEC-AA"])
    seen = api.get(f"/api/v1/signals/{signal_id}/disclosures", headers=world.headers["SZW"])
    assert seen.status_code == 200
    by_agency = {d["agency"]: d for d in seen.json()["items"]}
    assert by_agency["EMM"]["level"] == "full"
    assert by_agency["RIEC-AA"]["level"] == "pseudonymised"
    assert by_agency["RIEC-AA"]["covenant_id"] == "riec-liec"
    other = api.get(f"/api/v1/signals/{signal_id}/disclosures", headers=world.headers["EMM"])
    assert other.status_code == 404
