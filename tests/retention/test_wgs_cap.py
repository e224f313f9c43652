"""WGS art. 1.8(7): every signal is purged at most five years after the hub first processed it,
accepted cases included, unless a recorded extension holds it, and then only until it ends.

Clusters are posted over real HTTP by demo agencies, aged by moving `created_at` (or
`observed_at`) back in the database, accepted over the API, and the purge's dry run is asked
what falls due at chosen moments. Each test deletes its signals afterwards, so the purge tests
on the shared database find only their own.
"""

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from hub.audit.models import AuditEvent
from hub.cli import app
from hub.config import Settings
from hub.db import now
from hub.linking.models import Proposal
from hub.retention.models import RetentionExtension
from hub.retention.rules import MAX_EXTENSION_DAYS, RULES, WGS_CAP_DAYS
from hub.retention.service import purge_expired
from hub.signals.models import Signal
from tests.conftest import World
from tests.factories import ASSESSMENT, PartnerFactory, acceptance
from tests.proposals.test_actions import PURPOSE, _act, _cluster, _read

CAP = timedelta(days=WGS_CAP_DAYS)
HOUR = timedelta(hours=1)
REASON = "The criminal case runs on; the public prosecutor asked for the file."


@pytest.fixture
def mine(sessions) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Signal ids a test aged; deleted afterwards (their parts and memberships cascade)."""
    ids: list[str] = []
    yield ids
    with sessions() as session, session.begin():
        session.execute(delete(Signal).where(Signal.id.in_([uuid.UUID(i) for i in ids])))


def _age(sessions, ids: list[str], **values: datetime) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, session.begin():
        session.execute(
            update(Signal).where(Signal.id.in_([uuid.UUID(i) for i in ids])).values(**values)
        )


def _due(sessions, at: datetime, ids: list[str]) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """What the dry run says of these signals at `at`: rule -> ids (only rules with some)."""
    with sessions() as session:
        result = purge_expired(session, now=at, default_days=730, dry_run=True)
    assert set(result.by_rule) == set(RULES)
    assert result.counted == sum(len(v) for v in result.by_rule.values())
    grouped = {rule: sorted(set(found) & set(ids)) for rule, found in result.by_rule.items()}
    return {rule: found for rule, found in grouped.items() if found}


def _accepted_case(  # type: ignore[no-untyped-def]
    api: httpx.Client, world: World, server, sessions, mine: list[str], received: datetime
) -> tuple[str, str, list[str]]:
    """A KMAR+SZW cluster received at `received`, accepted by the EMM now: (proposal, case
    number, signal ids)."""
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    mine.extend(ids)
    _age(sessions, ids, created_at=received)
    emm = world.headers["EMM"]
    etag = _read(api, emm, proposal).headers["ETag"]
    accepted = _act(api, emm, proposal, "decisions", acceptance("One exploiter."), etag)
    assert accepted.status_code == 200, accepted.text
    return proposal, accepted.json()["case_number"], sorted(ids)


def _extend(api: httpx.Client, headers: dict, **body: object) -> httpx.Response:
    return api.post("/api/v1/retention/extensions", json=body, headers=headers)


def test_a_case_accepted_late_is_still_purged_five_years_after_receipt(
    api, world: World, server, sessions, mine: list[str]
) -> None:
    received = now() - timedelta(days=round(4.9 * 365))
    proposal, _, ids = _accepted_case(api, world, server, sessions, mine, received)
    with sessions() as session:
        case = session.scalars(select(Proposal).where(Proposal.id == uuid.UUID(proposal))).one()
        # The premise: the case alone would hold its members well past the cap.
        assert case.retain_until is not None and case.retain_until > received + CAP + HOUR * 24
    # Past every covenant's two years, the case holds them; until the cap runs out.
    assert _due(sessions, now(), ids) == {}
    assert _due(sessions, received + CAP - HOUR, ids) == {}
    assert _due(sessions, received + CAP + HOUR, ids) == {"wgs-cap": ids}


def test_an_observation_before_receipt_starts_the_cap(
    api, world: World, server, sessions, mine: list[str]
) -> None:
    """The stricter reading of "first processed": the source's observation, if earlier."""
    _, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    mine.extend(ids)
    _age(sessions, ids[:1], observed_at=now() - CAP - HOUR)
    assert _due(sessions, now(), ids) == {"wgs-cap": ids[:1]}


def test_an_extension_holds_until_it_ends_and_not_after(
    api, world: World, server, sessions, partners: PartnerFactory, mine: list[str]
) -> None:
    received = now() - timedelta(days=round(4.9 * 365))
    proposal, number, ids = _accepted_case(api, world, server, sessions, mine, received)
    admin = partners.new(scopes="admin").headers
    until = received + CAP + timedelta(days=200)

    made = _extend(api, admin, case=number, until=until.isoformat(), reason=REASON)
    assert made.status_code == 201, made.text
    extension = made.json()
    assert made.headers["Location"] == f"/api/v1/retention/extensions/{extension['id']}"
    assert extension["proposal"] == proposal and extension["case_number"] == number
    assert sorted(extension["signals"]) == ids and extension["signal"] is None
    assert extension["reason"] == REASON and extension["in_force"] is True
    assert datetime.fromisoformat(extension["until"]) == until

    assert _due(sessions, received + CAP + HOUR, ids) == {}
    assert _due(sessions, until - HOUR, ids) == {}
    assert _due(sessions, until + HOUR, ids) == {"extension-ended": ids}

    # The decision is recorded: the reason sealed at rest, the audit with ids and counts only.
    with sessions() as session:
        row = session.scalars(
            select(RetentionExtension).where(RetentionExtension.id == uuid.UUID(extension["id"]))
        ).one()
        assert REASON.encode() not in row.reason and row.decided_by and row.agency
        [event] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "retention.extended", AuditEvent.object_id == extension["id"]
            )
        ).all()
    assert event.detail["count"] == 2 and sorted(event.detail["signal_ids"]) == ids
    assert "prosecutor" not in json.dumps(event.detail)

    # The case file, JSON and HTML, shows the extension and the assessment to the case holder.
    emm = world.headers["EMM"]
    document = api.get(f"/api/v1/proposals/{proposal}/export{PURPOSE}", headers=emm).json()
    assert {k: document["assessment"][k] for k in ASSESSMENT} == ASSESSMENT
    [shown] = document["retention"]["extensions"]
    assert shown["id"] == extension["id"] and shown["reason"] == REASON
    assert shown["signals"] == 2 and shown["ended"] is False
    assert document["retention"]["cap_days"] == WGS_CAP_DAYS
    html = api.get(
        f"/api/v1/proposals/{proposal}/export{PURPOSE}", headers=emm | {"Accept": "text/html"}
    ).text
    # The printable case file is Dutch unless the caller asks otherwise.
    assert "Bewaartermijn (Wgs art. 1.8 lid 7)" in html and extension["id"] in html
    assert "prosecutor" in html and ASSESSMENT["kinds_of_signals"] in html

    # Listed, read, revoked once: then the cap applies again, named as an extension ended.
    listed = api.get(f"/api/v1/retention/extensions?case={number}", headers=admin).json()
    assert [x["id"] for x in listed["items"]] == [extension["id"]]
    with sessions() as session:  # an administrator reading the reasons is audited
        assert session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "retention.extension-read",
                AuditEvent.object_id == extension["id"],
            )
        ).all()
    url = f"/api/v1/retention/extensions/{extension['id']}"
    assert api.get(url, headers=admin).json()["in_force"] is True
    revoked = api.post(f"{url}/revocations", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["in_force"] is False
    assert api.post(f"{url}/revocations", headers=admin).status_code == 409
    assert _due(sessions, received + CAP + HOUR, ids) == {"extension-ended": ids}


def test_an_extension_of_one_signal_holds_that_one_only(
    api, world: World, server, sessions, partners: PartnerFactory, mine: list[str]
) -> None:
    received = now() - timedelta(days=round(4.9 * 365))
    _, number, ids = _accepted_case(api, world, server, sessions, mine, received)
    admin = partners.new(scopes="admin").headers
    until = (received + CAP + timedelta(days=30)).isoformat()
    made = _extend(api, admin, case=number, signal=ids[0], until=until, reason=REASON)
    assert made.status_code == 201, made.text
    assert made.json()["signals"] == [ids[0]]
    assert _due(sessions, received + CAP + HOUR, ids) == {"wgs-cap": ids[1:]}
    stranger = str(uuid.uuid4())
    refused = _extend(api, admin, case=number, signal=stranger, until=until, reason=REASON)
    assert refused.status_code == 400
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/signal"]


def test_extensions_are_refused_beyond_the_maximum_term_and_to_non_administrators(
    api, world: World, server, sessions, partners: PartnerFactory, mine: list[str]
) -> None:
    received = now() - timedelta(days=round(4.9 * 365))
    proposal, number, _ = _accepted_case(api, world, server, sessions, mine, received)
    admin = partners.new(scopes="admin").headers
    limit = received + CAP + timedelta(days=MAX_EXTENSION_DAYS)

    too_long = _extend(api, admin, case=number, until=(limit + HOUR).isoformat(), reason=REASON)
    assert too_long.status_code == 400, too_long.text
    assert too_long.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in too_long.json()["errors"]] == ["/until"]
    assert "at most" in too_long.json()["detail"]
    past = _extend(api, admin, case=number, until=(now() - HOUR).isoformat(), reason=REASON)
    assert past.status_code == 400
    no_reason = _extend(api, admin, case=number, until=(limit - HOUR).isoformat(), reason="")
    assert no_reason.status_code == 400
    assert "/reason" in {e["pointer"] for e in no_reason.json()["errors"]}
    unknown = _extend(
        api, admin, case="EMM-1999-9999", until=(limit - HOUR).isoformat(), reason=REASON
    )
    assert unknown.status_code == 404

    analyst = partners.new(scopes="proposals:review signals:read").headers
    body = {"case": number, "until": (limit - HOUR).isoformat(), "reason": REASON}
    for response in (
        api.post("/api/v1/retention/extensions", json=body, headers=analyst),
        api.get("/api/v1/retention/extensions", headers=analyst),
    ):
        assert response.status_code == 403, response.text
    with sessions() as session:
        assert not session.scalars(
            select(RetentionExtension).where(RetentionExtension.proposal_id == uuid.UUID(proposal))
        ).all()
    # The last moment of the term is allowed.
    assert _extend(api, admin, **body).status_code == 201


def test_an_open_proposal_takes_no_extension(
    api, world: World, server, partners: PartnerFactory, mine: list[str]
) -> None:
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    mine.extend(ids)
    admin = partners.new(scopes="admin").headers
    until = (now() + timedelta(days=10)).isoformat()
    assert _extend(api, admin, case=proposal, until=until, reason=REASON).status_code == 409


def test_a_case_whose_signals_are_gone_takes_no_extension(
    api, world: World, server, sessions, partners: PartnerFactory, mine: list[str]
) -> None:
    _, number, ids = _accepted_case(api, world, server, sessions, mine, now())
    with sessions() as session, session.begin():
        session.execute(delete(Signal).where(Signal.id.in_([uuid.UUID(i) for i in ids])))
    admin = partners.new(scopes="admin").headers
    until = (now() + timedelta(days=10)).isoformat()
    refused = _extend(api, admin, case=number, until=until, reason=REASON)
    assert refused.status_code == 409 and "no signals" in refused.json()["detail"]


runner = CliRunner()


def test_the_cli_extends_lists_and_the_dry_run_groups_by_rule(
    api, world: World, server, sessions, settings: Settings, monkeypatch, mine: list[str]
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    # Past the cap already, held by the case only: due under the WGS cap now.
    received = now() - CAP - HOUR
    _, number, ids = _accepted_case(api, world, server, sessions, mine, received)
    # Two years old and in no case: due under its covenant's retention.
    _, loose = _cluster(api, world, server, ("KMAR", "SZW"))
    mine.extend(loose)
    _age(sessions, loose, created_at=now() - timedelta(days=800))

    dry = runner.invoke(app, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    sections = _sections(dry.output)
    assert set(ids) <= sections["wgs-cap"] and set(loose) <= sections["covenant-retention"]
    # Ids and counts, nothing else: every line is the total, a rule's count or an id.
    first, *rest = dry.output.splitlines()
    assert first.endswith("signal(s) past retention would be purged (dry run)")
    for line in rest:
        head, _, count = line.partition(": ")
        assert (head in RULES and count.isdigit()) or uuid.UUID(line.strip()), line

    limit = received + CAP + timedelta(days=MAX_EXTENSION_DAYS)
    refused = runner.invoke(
        app,
        ["retention", "extend", number, "--until", (limit + HOUR).isoformat(),
         "--reason", REASON, "--by", "stuurgroep"],
    )  # fmt: skip
    assert refused.exit_code == 2 and "at most" in refused.output
    made = runner.invoke(
        app,
        ["retention", "extend", number, "--until", (now() + timedelta(days=90)).date().isoformat(),
         "--reason", REASON, "--by", "stuurgroep"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert f"2 signal(s) of case {number}" in made.output
    listed = runner.invoke(app, ["retention", "list", "--case", number])
    assert listed.exit_code == 0 and "stuurgroep" in listed.output and "in force" in listed.output
    assert REASON not in listed.output
    held = _sections(runner.invoke(app, ["purge", "--dry-run"]).output)
    assert not set(ids) & set().union(*held.values())
    # The API reads the reason the CLI sealed (same keys), and names who decided.
    with sessions() as session:
        row = session.scalars(
            select(RetentionExtension).join(Proposal).where(Proposal.case_number == number)
        ).one()
    assert row.decided_by == "stuurgroep" and row.agency == "HUB"


def _sections(output: str) -> dict[str, set[str]]:
    """The dry run's lines: `rule: count` headings, each followed by its ids."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in output.splitlines():
        head, _, count = line.partition(": ")
        if head in RULES:
            current = head
            sections[current] = set()
            assert int(count) >= 0
        elif current and line.startswith("  "):
            sections[current].add(line.strip())
    assert set(sections) == set(RULES), output
    for rule, found in sections.items():
        assert f"{rule}: {len(found)}" in output
    return sections


def test_settings_may_shorten_the_cap_never_lengthen_it(monkeypatch, tmp_path: Path) -> None:
    assert Settings(retention_cap_days=365).retention_cap_days == 365
    for name in ("retention_cap_days", "case_retention_days", "default_retention_days"):
        with pytest.raises(ValueError, match="WGS cap"):
            Settings(**{name: WGS_CAP_DAYS + 1})
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HUB_RETENTION_CAP_DAYS", str(WGS_CAP_DAYS + 1))
    refused = runner.invoke(app, ["purge", "--dry-run"])
    assert refused.exit_code == 2 and "retention_cap_days" in refused.output
