"""The processing log through the real hub: LDV's fields on every record, a partner's trace
joined, one child per data subject, pseudonyms only, and a rolled-back processing on record."""

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from hub.app import create_app
from hub.audit import service as audit
from hub.audit.models import AuditEvent
from hub.auth.caller import Caller
from hub.config import Settings
from hub.db import make_sessionmaker, migrate, transaction
from hub.kit.crypto import DataKeys
from hub.ldv import subjects
from hub.ldv.collect import ACTIVITY, KIND, SUBJECT_ID, SUBJECT_ID_TYPE, attach_for
from hub.ldv.export import JsonLinesExporter
from hub.ldv.register import RegisterInvalid
from hub.ldv.subjects import pseudonym
from tests.conftest import LiveServer, free_port
from tests.factories import Partner, PartnerFactory, signal_body

REGISTER = "tag:barrier-hub,2025:processing-register"
BSN = "111222333"
NAME, BORN = "Petra Lindqvist", "1991-07-14"
DOCUMENT = {"type": "document", "kind": "passport", "number": "XR7731204", "issuing_country": "SE"}
PARTNER_TRACE, PARTNER_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
HEX = {"trace_id": 32, "span_id": 16}
STATUSES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"}


def check_record(record: dict[str, Any]) -> None:
    """The fields LDV 1.0's Logboek interface requires, with their types."""
    for name, width in HEX.items():
        assert re.fullmatch(f"[0-9a-f]{{{width}}}", record[name]), name
    parent = record["parent_span_id"]
    assert parent is None or re.fullmatch("[0-9a-f]{16}", parent)
    assert isinstance(record["name"], str) and record["name"]
    assert record["status_code"] in STATUSES
    assert isinstance(record["start_time"], int) and isinstance(record["end_time"], int)
    assert 1_600_000_000_000 < record["start_time"] <= record["end_time"]  # milliseconds
    attributes = record["attributes"]
    assert re.fullmatch(rf"{re.escape(REGISTER)}/[a-z.-]+/v\d+", attributes[ACTIVITY])
    if SUBJECT_ID in attributes:
        assert re.fullmatch("[0-9a-f]{64}", attributes[SUBJECT_ID])
        assert attributes[SUBJECT_ID_TYPE].startswith(f"{REGISTER}/subject-id-type/")
    if "foreign_operation" in record:
        assert set(record["foreign_operation"]) == {"trace_id", "span_id", "entity"}


@dataclass
class Scene:
    server: LiveServer
    log: Path
    keys: DataKeys
    kmar: Partner
    ind: Partner
    signal_id: str
    raw: str  # the request bodies, to prove none of their identifiers reached the log

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def person(self, kind: str, value: str) -> str:
        return pseudonym(
            self.keys.ldv_subject_key, kind, self.keys.blind_index(kind, value)
        ).pseudonym


@pytest.fixture(scope="module")
def scene(db_factory, tmp_path_factory) -> Iterator[Scene]:  # type: ignore[no-untyped-def]
    db = db_factory("ldv")
    migrate(db.url)
    data = tmp_path_factory.mktemp("ldv-data")
    log = tmp_path_factory.mktemp("ldv-log") / "records.jsonl"
    settings = Settings(
        data_dir=data,
        database_url=db.url,
        issuer=f"http://127.0.0.1:{free_port()}",
        ldv_export=f"jsonl:{log}",
    )
    server = LiveServer(settings)
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as api:
            factory = PartnerFactory(api, server.app.state.sessions)
            kmar, ind = factory.new(kind="kmar", code="KMAR"), factory.new(kind="ind", code="IND")
            person = {"type": "person", "name": NAME, "birth_date": BORN, "bsn": BSN}
            body = signal_body(
                subjects=[
                    person,
                    {"type": "person", "name": "Mara Sol"},
                    DOCUMENT,
                    {"type": "phone", "number": "06-87654321"},
                ]
            )
            traceparent = f"00-{PARTNER_TRACE}-{PARTNER_SPAN}-01"
            posted = api.post(
                "/api/v1/signals", json=body, headers=kmar.headers | {"traceparent": traceparent}
            )
            assert posted.status_code == 201, posted.text
            signal_id = posted.json()["id"]
            correction = {"subjects": [{"type": "person", "name": "Ola Brann", "birth_date": BORN}]}
            patched = api.patch(
                f"/api/v1/signals/{signal_id}",
                json=correction,
                headers=kmar.headers | {"If-Match": posted.headers["ETag"]},
            )
            assert patched.status_code == 200, patched.text
            looked = api.post(
                "/api/v1/lookups?purpose=hit-lookup",
                json={"identifiers": [{"type": "person", "name": "Ola Brann", "birth_date": BORN}]},
                headers=ind.headers,
            )
            assert looked.status_code == 200, looked.text
            assert looked.json()["results"][0]["hit"] is True
            mine = api.get(f"/api/v1/signals/{signal_id}", headers=kmar.reader)
            assert mine.status_code == 200, mine.text
            raw = json.dumps([body, correction])
        # Linking runs in the background, a moment after the posts: its record is wanted too.
        server.app.state.link_worker.drain()
        yield Scene(server, log, DataKeys.load_or_create(data), kmar, ind, signal_id, raw)
    finally:
        server.stop()


def processings(records: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The processing records (not the per-subject children) of one action."""
    return [r for r in records if r["name"] == name and SUBJECT_ID not in r["attributes"]]


def children(records: list[dict[str, Any]], parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in records if r["parent_span_id"] == parent["span_id"]]


def test_every_line_has_the_fields_ldv_requires(scene: Scene) -> None:
    records = scene.records()
    assert len(records) >= 10
    for record in records:
        check_record(record)
    kinds = {r["attributes"][KIND] for r in records}
    assert {"post", "correction", "lookup", "disclosure", "linking"} <= kinds
    # Span ids are unique, and every parent inside the hub is a record of its own.
    ids = [r["span_id"] for r in records]
    assert len(ids) == len(set(ids))


def test_a_partners_traceparent_is_joined_and_named_as_foreign_operation(scene: Scene) -> None:
    records = scene.records()
    [post] = processings(records, "signal.created")
    assert post["trace_id"] == PARTNER_TRACE
    assert post["parent_span_id"] == PARTNER_SPAN
    assert post["foreign_operation"] == {
        "trace_id": PARTNER_TRACE,
        "span_id": PARTNER_SPAN,
        "entity": f"{scene.server.url}/agencies/KMAR",
    }
    assert post["attributes"][ACTIVITY] == f"{REGISTER}/hub.signal-intake/v1"
    # A request without a traceparent starts a trace of its own.
    [correction] = processings(records, "signal.updated")
    assert correction["trace_id"] != PARTNER_TRACE and correction["parent_span_id"] is None
    assert "foreign_operation" not in correction


def test_one_child_per_data_subject_with_pseudonyms_only(scene: Scene) -> None:
    records = scene.records()
    [post] = processings(records, "signal.created")
    subjects = children(records, post)
    # Two persons and a document; the phone names nobody by itself.
    assert len(subjects) == 3
    assert all(s["trace_id"] == post["trace_id"] for s in subjects)
    by_type = {s["attributes"][SUBJECT_ID_TYPE].rsplit("/", 1)[1]: s for s in subjects}
    assert set(by_type) == {"bsn", "occurrence", "document"}
    # The strongest identifier names the person: the BSN, HMAC'd again under the log's own key.
    assert by_type["bsn"]["attributes"][SUBJECT_ID] == scene.person("bsn", BSN)
    assert by_type["bsn"]["attributes"][SUBJECT_ID] != scene.keys.blind_index("bsn", BSN)
    assert by_type["document"]["attributes"][SUBJECT_ID] == scene.person(
        "document", "SE|passport|XR7731204"
    )
    text = scene.log.read_text()
    for secret in (
        BSN,
        NAME,
        "Lindqvist",
        "XR7731204",
        "87654321",
        scene.keys.blind_index("bsn", BSN),
    ):
        assert secret not in text


def test_a_correction_names_the_subjects_before_and_after(scene: Scene) -> None:
    records = scene.records()
    [correction] = processings(records, "signal.updated")
    named = {c["attributes"][SUBJECT_ID] for c in children(records, correction)}
    new = scene.person("person", f"ola brann|{BORN}")
    assert scene.person("bsn", BSN) in named and new in named
    assert len(named) == 4  # three before, one after


def test_a_lookup_names_the_person_asked_about_and_the_hit_is_a_disclosure(scene: Scene) -> None:
    records = scene.records()
    [lookup] = processings(records, "lookup.performed")
    [asked] = children(records, lookup)
    assert asked["attributes"][SUBJECT_ID] == scene.person("person", f"ola brann|{BORN}")
    assert lookup["attributes"][ACTIVITY] == f"{REGISTER}/enforcement-hit-lookup.hit-lookup/v1"
    [shown] = processings(records, "signal.disclosed")
    assert shown["attributes"][ACTIVITY] == lookup["attributes"][ACTIVITY]
    assert [c["attributes"][SUBJECT_ID] for c in children(records, shown)] == [
        asked["attributes"][SUBJECT_ID]
    ]


def test_a_rolled_back_processing_is_on_record_as_error(scene: Scene) -> None:
    """The stricter reading: the processing happened, so it is logged, with status ERROR;
    the audit trail, rolled back with it, holds nothing of it."""
    sessions = scene.server.app.state.sessions
    caller = Caller(
        agency_id=scene.kmar.agency_id,
        agency_code="KMAR",
        client_id=scene.kmar.client_id,
        scopes=frozenset(),
        token_id="test",
    )
    before = len(scene.records())
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        audit.record(
            session,
            caller,
            "signal.retracted",
            object_type="signal",
            objects=[(scene.signal_id, {"version": 9})],
        )
        raise RuntimeError("the request failed after the processing")
    # A savepoint that rolls back fails only what was recorded inside it.
    with transaction(sessions) as session:
        audit.record(
            session,
            caller,
            "signal.retracted",
            object_type="signal",
            objects=[(scene.signal_id, {"version": 10})],
        )
        nested = session.begin_nested()
        audit.record(
            session,
            caller,
            "signal.retracted",
            object_type="signal",
            objects=[(scene.signal_id, {"version": 11})],
        )
        nested.rollback()
    new = scene.records()[before:]
    statuses = [r["status_code"] for r in processings(new, "signal.retracted")]
    assert statuses == ["STATUS_CODE_ERROR", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]
    for record in new:
        check_record(record)
        assert record["status_code"] != "STATUS_CODE_UNSET"
    with sessions() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "signal.retracted")
        )
    assert stored == 1


def test_off_writes_nothing_and_a_bad_setting_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    settings = Settings(data_dir=tmp_path, ldv_export="off")
    assert attach_for(make_sessionmaker(engine), settings) is None
    assert not (tmp_path / "ldv").exists()
    for bad in ("jsonl:", "file:/tmp/x", "OTLP"):
        with pytest.raises(ValueError, match="ldv_export"):
            Settings(ldv_export=bad)


def test_a_register_without_an_activity_for_a_purpose_in_force_stops_the_start(
    tmp_path: Path, database_url: str
) -> None:
    from hub.paths import document_dir

    covenants = tmp_path / "covenants"
    (covenants / "register").mkdir(parents=True)
    for source in document_dir("covenants").glob("*.*"):
        (covenants / source.name).write_bytes(source.read_bytes())
    register = (document_dir("covenants") / "register" / "processing-register.yaml").read_text()
    cut = register.replace("  riec-liec.investigation:", "  riec-liec.investigation-gone:")
    cut = cut.replace("    purpose: investigation\n", "    purpose: something-else\n")
    (covenants / "register" / "processing-register.yaml").write_text(cut)
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, covenants_dir=covenants
    )
    with pytest.raises(RegisterInvalid, match="riec-liec v1: investigation"):
        create_app(settings)


def test_a_source_reading_its_own_signal_is_on_record_too(scene: Scene) -> None:
    records = scene.records()
    [read] = processings(records, "signal.read-own")
    assert read["attributes"][ACTIVITY] == f"{REGISTER}/hub.signal-intake/v1"
    assert scene.person("person", f"ola brann|{BORN}") in {
        c["attributes"][SUBJECT_ID] for c in children(records, read)
    }


def test_a_batch_is_on_record_with_the_subjects_it_stored_without_reading_them_back(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records of a post name the subjects as the post wrote them; reading them back from
    the database, as every other processing does, gives the same pseudonyms."""
    read_back: list[set[str]] = []
    read = subjects.by_signal

    def spy(session: Any, key: bytes, ids: Any) -> Any:
        ids = {str(i) for i in ids}
        if sys._getframe(1).f_code.co_name == "audited":
            read_back.append(ids)
        return read(session, key, ids)

    monkeypatch.setattr(subjects, "by_signal", spy)
    person = {"type": "person", "name": "Ines Varga", "birth_date": "1988-02-03", "bsn": BSN}
    bodies = [
        signal_body(subjects=[person, {"type": "person", "name": "Ana Ruiz"}, DOCUMENT]),
        signal_body(subjects=[{"type": "phone", "number": "06-11223344"}]),
        signal_body(),
    ]
    before = len(scene.records())
    with httpx.Client(base_url=scene.server.url, timeout=30) as api:
        posted = api.post("/api/v1/signals/batch", json=bodies, headers=scene.kmar.headers)
    assert posted.status_code == 200 and posted.json()["created"] == 3, posted.text
    ids = {item["id"] for item in posted.json()["results"]}
    assert not any(ids & asked for asked in read_back)
    records = scene.records()[before:]
    with scene.server.app.state.sessions() as session:
        stored = read(session, scene.keys.ldv_subject_key, ids)
    posts = processings(records, "signal.created")
    assert len(posts) == 3
    named = sorted(
        sorted(c["attributes"][SUBJECT_ID] for c in children(records, post)) for post in posts
    )
    expected = sorted(sorted(p.pseudonym for p in stored.get(signal_id, [])) for signal_id in ids)
    assert named == expected
    assert sorted(len(n) for n in named) == [0, 1, 3]


def test_a_transactions_records_are_written_in_one_go(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[list[str]] = []
    write = JsonLinesExporter.export

    def spy(self: JsonLinesExporter, spans: Any) -> Any:
        writes.append([span.name for span in spans])
        return write(self, spans)

    monkeypatch.setattr(JsonLinesExporter, "export", spy)
    bodies = [signal_body() for _ in range(3)]
    with httpx.Client(base_url=scene.server.url, timeout=30) as api:
        posted = api.post("/api/v1/signals/batch", json=bodies, headers=scene.kmar.headers)
    assert posted.status_code == 200 and posted.json()["created"] == 3, posted.text
    # The linker writes its own records, in its own transaction and write.
    [batch] = [names for names in writes if "signal.created" in names]
    assert batch.count("signal.created") == 6  # three posts, one person each
