"""A member an analyst may see only at `hit` level shows as a placeholder everywhere: in the
proposal's JSON, its graph, its explanation, its history and its case file (JSON and HTML).

This runs its own hub, with the shipped covenants plus one that grants RIECs a mere `hit` on a
tax office's signals for case proposals."""

import shutil
import uuid
from collections.abc import Iterator

import httpx
import pytest

from hub.config import Settings
from hub.db import migrate
from hub.paths import document_dir
from tests.conftest import LiveServer, free_port
from tests.factories import PartnerFactory, signal_body

HIT_COVENANT = """
id: review-hit-test
version: 1
title: Test - a tax office's signals as hits for the RIECs
legal_basis: ["test only"]
parties: [{kind: riec}, BELASTING]
purposes: [case-proposal]
valid_from: 2025-01-01
retention_days: 730
onward_sharing: false
rules:
  - id: tax-office-hit
    from: [BELASTING]
    to: [{kind: riec}]
    purposes: [case-proposal]
    level: hit
    categories: all
    barriers: all
    scope: all
"""


@pytest.fixture(scope="module")
def hit_hub(tmp_path_factory, db_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("covenants")
    shutil.copytree(document_dir("covenants"), folder, dirs_exist_ok=True)
    (folder / "review-hit-test.yaml").write_text(HIT_COVENANT)
    db = db_factory("hit")
    migrate(db.url)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("hit-data"),
        database_url=db.url,
        issuer=f"http://127.0.0.1:{free_port()}",
        covenants_dir=folder,
        # The test covenant's purpose has no activity in the processing register, which would
        # stop the start; what is tested here is redaction, not the processing log.
        ldv_export="off",
    )
    live = LiveServer(settings)
    live.start()
    yield live
    live.stop()


SECRET = f"Tax narrative {uuid.uuid4().hex}"
IBAN = "NL02ABNA0123456789"


def test_a_hit_level_member_never_leaks_its_content(hit_hub: LiveServer) -> None:
    with httpx.Client(base_url=hit_hub.url, timeout=30) as api:
        partners = PartnerFactory(api, hit_hub.app.state.sessions)
        riec = partners.new(kind="riec", region="amsterdam-amstelland", code="RIEC-AA")
        kmar = partners.new(kind="kmar", code="KMAR")
        tax = partners.new(kind="other", code="BELASTING")
        phone = {"type": "phone", "number": "06-31415926"}
        iban = {"type": "iban", "number": IBAN}
        seen = signal_body(
            barriers=["entry"],
            indicators=["entry.intermediary-many-applications"],
            subjects=[phone, iban],
        )
        hidden = signal_body(
            barriers=["finance"],
            indicators=["finance.many-workers-one-account"],
            summary=SECRET,
            subjects=[phone, iban],
        )
        kmar_id = api.post("/api/v1/signals", json=seen, headers=kmar.headers).json()["id"]
        tax_post = api.post("/api/v1/signals", json=hidden, headers=tax.headers)
        assert tax_post.status_code == 201, tax_post.text
        tax_id = tax_post.json()["id"]
        hit_hub.app.state.link_worker.drain()
        [tax_subjects] = [tax_post.json()["subjects"]]
        tax_pseudonyms_owner = api.get(f"/api/v1/signals/{tax_id}", headers=tax.reader).json()

        queue = api.get("/api/v1/proposals?purpose=case-proposal", headers=riec.headers)
        assert queue.status_code == 200, queue.text
        [summary] = [p for p in queue.json()["items"] if p["size"] == 2]
        url = f"/api/v1/proposals/{summary['id']}"
        detail = api.get(f"{url}?purpose=case-proposal", headers=riec.headers)
        assert detail.status_code == 200, detail.text
        body = detail.json()
        members = {m["id"]: m for m in body["members"]}
        assert members[kmar_id]["disclosure"]["level"] == "pseudonymised"
        placeholder = members[tax_id]
        assert placeholder["disclosure"]["level"] == "hit"
        assert placeholder["agency"] == "BELASTING" and placeholder["barriers"] == ["finance"]
        assert placeholder["summary"] is None and placeholder["indicators"] == []
        assert placeholder["subjects"] == []
        # Its identifiers appear nowhere as pseudonyms: links to it show types only.
        assert all(
            "pseudonym" not in s or s["pseudonym"] is None
            for link in body["explanation"]
            if tax_id in link["signals"]
            for s in link["shared"]
        )
        tax_node_edges = [e for e in body["graph"]["edges"] if tax_id in (e["source"], e["target"])]
        assert tax_node_edges and all(e["kind"] == "link" for e in tax_node_edges)
        history = api.get(f"{url}/history", headers=riec.headers)
        case_json = api.get(f"{url}/export", headers=riec.headers)
        case_html = api.get(f"{url}/export", headers=riec.headers | {"Accept": "text/html"})
        # The printable case file is Dutch unless the caller asks otherwise.
        assert case_html.status_code == 200 and "contact op met BELASTING" in case_html.text
        for response in (queue, detail, history, case_json, case_html):
            text = response.text
            assert SECRET not in text
            assert "finance.many-workers-one-account" not in text
            assert "0123456789" not in text and "31415926" not in text
            assert tax_subjects[0].get("number", "x") not in text
        # The owner sees its own signal in full, as always (the test's premise holds).
        assert tax_pseudonyms_owner["summary"] == SECRET
