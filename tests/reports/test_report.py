"""The trend report end to end: signals posted through a hub of its own, built, stored, served.

The module runs its own hub on its own database so that the counts below are exactly what it
posted; every expected number is counted plainly here, never by hub/reports/build.py.
"""

import itertools
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import httpx
import jsonschema
import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from hub.audit.models import AuditEvent
from hub.cli import app as cli
from hub.config import Settings
from hub.db import migrate
from hub.linking.models import Proposal, ProposalEvent
from hub.reports.models import Report
from hub.reports.schemas import report_schema
from hub.reports.service import build_and_store
from tests.browser import screenshot_path
from tests.conftest import LiveServer, free_port
from tests.factories import PartnerFactory, signal_body
from tests.localday import AMS, settled_today
from tests.reports.checker import differencing

# Every municipality lies in a region; a signal that names none counts as "unknown".
REGION = {"GM0363": "amsterdam-amstelland", "GM0599": "rotterdam", None: "unknown"}
BARRIER_SETS = (
    ["employment"],
    ["employment", "finance"],
    ["accommodation", "employment"],
    ["entry", "identity"],
    ["finance"],
    ["accommodation"],
)
INDICATOR = {
    "entry": "entry.travel-paid-by-third-party",
    "accommodation": "accommodation.overcrowded-address",
    "identity": "identity.look-alike-fraud",
    "employment": "employment.wages-below-minimum",
    "finance": "finance.many-workers-one-account",
}
OFFSETS = (0, 0, 1, 2, 5, 6, 9, 12, 20, 27, 30, 40, 60, 100)
KINDS = ("kmar", "szw", "police")


@dataclass(frozen=True)
class Posted:
    id: str
    offset: int  # days before the report date it was observed
    region: str
    kind: str
    barriers: tuple[str, ...]
    ref: str
    name: str
    summary: str


@dataclass
class Hub:
    day: date  # the report date: the Amsterdam day the fixture posted on
    server: LiveServer
    api: httpx.Client
    posted: list[Posted]
    liec: dict[str, str]
    kmar: dict[str, str]
    no_scope: dict[str, str]
    secrets: list[str]


@pytest.fixture(scope="module")
def hub(db_factory, tmp_path_factory) -> Iterator[Hub]:  # type: ignore[no-untyped-def]
    db = db_factory("reports")
    migrate(db.url)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("report-data"),
        database_url=db.url,
        issuer=f"http://127.0.0.1:{free_port()}",
    )
    server = LiveServer(settings)
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as api:
            yield _populate(server, api)
    finally:
        server.stop()


def _populate(server: LiveServer, api: httpx.Client) -> Hub:
    today = settled_today()
    factory = PartnerFactory(api, server.app.state.sessions)
    sources = {kind: factory.new(kind=kind) for kind in KINDS}
    liec = factory.new(kind="liec", code="LIEC")
    kmar = factory.new(kind="kmar", code="KMAR")
    no_scope = factory.new(kind="liec", scopes="signals:read")
    posted: list[Posted] = []
    secrets: list[str] = []
    combos = itertools.product(OFFSETS, REGION, range(len(BARRIER_SETS)))
    for n, (offset, municipality, b) in enumerate(combos):
        if n % 3:  # a spread, not every combination
            continue
        kind = KINDS[n % len(KINDS)]
        barriers = BARRIER_SETS[b]
        tag = uuid.uuid4().hex[:8]
        name = f"Xanthippe Quetzal{tag}"
        summary = f"Narrative {tag}: seen at Keizersgracht {n} with Mr Quetzal{tag}."
        ref = f"LEAKREF-{tag}"
        observed = datetime.combine(today - timedelta(days=offset), time(12), AMS)
        body = signal_body(
            external_ref=ref,
            barriers=barriers,
            indicators=[INDICATOR[x] for x in barriers],
            observed_at=observed.isoformat(),
            municipality=municipality,
            summary=summary,
            subjects=[
                {"type": "person", "name": name, "birth_date": "1990-01-02", "nationality": "RO"},
                # Every fourth signal shares a phone with the one before: proposals form.
                {"type": "phone", "number": f"+31 6 {55000000 + n // 4 * 4:08d}"},
                {"type": "iban", "number": "NL91 ABNA 0417 1643 00"}
                if n % 2
                else {"type": "email", "address": f"q{tag}@mail.example"},
            ],
        )
        response = api.post("/api/v1/signals", json=body, headers=sources[kind].headers)
        assert response.status_code == 201, response.text
        posted.append(
            Posted(
                response.json()["id"], offset, REGION[municipality], kind, tuple(barriers),
                ref, name, summary,
            )
        )  # fmt: skip
        secrets += [ref, name, summary, f"Quetzal{tag}", f"q{tag}"]
    secrets += [p.code for p in (*sources.values(), no_scope)] + ["Keizersgracht", "NL91"]
    server.app.state.link_worker.drain()
    sessions = server.app.state.sessions
    with sessions.begin() as session:
        # Decide a few proposals as an analyst would (decisions have no route yet).
        ids = session.scalars(select(Proposal.id).order_by(Proposal.pk)).all()
        assert len(ids) >= 4, "the data set should form proposals"
        for status, chosen in (("accepted", ids[:3]), ("rejected", ids[3:4])):
            session.execute(update(Proposal).where(Proposal.id.in_(chosen)).values(status=status))
            for pid in chosen:
                session.add(ProposalEvent(proposal_id=pid, action=status, actor="test"))
    return Hub(today, server, api, posted, liec.headers, kmar.headers, no_scope.headers, secrets)


def _build(hub: Hub, day: date | None = None, language: str = "nl") -> dict:
    day = day or hub.day
    with hub.server.app.state.sessions.begin() as session:
        build_and_store(session, day, hub.server.app.state.vocabulary, language=language)
    response = hub.api.get(f"/api/v1/reports/{day.isoformat()}", headers=hub.liec)
    assert response.status_code == 200, response.text
    return response.json()


def _matches(published: object, expected: int) -> bool:
    """A published cell agrees with the true count: shown exactly, or hidden as the rules say."""
    if published == "<5":  # 1..4, or a zero hidden beside small cells
        return 0 <= expected <= 4
    if published == "x":
        return expected >= 5
    return published == expected and not 1 <= expected <= 4


def _in(offset: int, first: int, last: int) -> bool:
    return first <= offset <= last


def test_numbers_agree_with_a_plain_count(hub: Hub) -> None:
    report = _build(hub)
    jsonschema.Draft202012Validator(
        report_schema(), format_checker=jsonschema.FormatChecker()
    ).validate(report)
    shown_exactly = 0
    for name, days in (("day", 1), ("7d", 7), ("28d", 28)):
        period = report["periods"][name]
        for side, (first, last) in (("current", (0, days - 1)), ("previous", (days, 2 * days - 1))):
            these = [p for p in hub.posted if _in(p.offset, first, last)]
            assert _matches(period["total"][side], len(these)), (name, side)
            barriers = Counter(b for p in these for b in p.barriers)
            for row in period["by_barrier"]:
                assert _matches(row[side], barriers[row["key"]]), (name, side, row)
            regions = Counter(p.region for p in these)
            for row in period["by_region"]:
                assert _matches(row[side], regions[row["key"]]), (name, side, row)
            kinds = Counter(p.kind for p in these)
            for row in period["by_agency_kind"]:
                assert _matches(row[side], kinds[row["key"]]), (name, side, row)
            indicators = Counter(INDICATOR[b] for p in these for b in p.barriers)
            for row in period["by_indicator"]:
                assert _matches(row[side], indicators[row["key"]]), (name, side, row)
            shown_exactly += sum(
                isinstance(r[side], int) and r[side] > 0 for r in period["by_barrier"]
            )
    assert shown_exactly > 5, "the data set should show some counts exactly"
    heat = report["heat_map"]
    for i, barrier in enumerate(heat["barriers"]):
        for j, region in enumerate(heat["regions"]):
            count = sum(
                1 for p in hub.posted if _in(p.offset, 0, 27) and barrier in p.barriers
                and p.region == region
            )  # fmt: skip
            assert _matches(heat["cells"][i][j], count), (barrier, region)
    for i, week in enumerate(reversed(report["weekly"]["weeks"])):
        for barrier, series in report["weekly"]["series"].items():
            count = sum(
                1 for p in hub.posted if _in(p.offset, 7 * i, 7 * i + 6) and barrier in p.barriers
            )
            assert _matches(series[len(series) - 1 - i], count), (week, barrier)
    with hub.server.app.state.sessions() as session:
        statuses = Counter(session.scalars(select(Proposal.status)))
        spans = Counter(
            len(b) for s, b in session.execute(select(Proposal.status, Proposal.barriers))
            if s in ("new", "in_review", "accepted") and len(b) >= 2
        )  # fmt: skip
    accepted = report["periods"]["28d"]["proposals"]["accepted"]["current"]
    assert _matches(accepted, statuses["accepted"])
    assert _matches(report["periods"]["28d"]["proposals"]["rejected"]["current"], 1)
    for row in report["proposal_spans"]["by_barrier_count"]:
        assert _matches(row["value"], spans[int(row["key"])])
    assert _matches(report["proposal_spans"]["total"], sum(spans.values()))


def _equations(report: dict) -> list:
    """Every sum a reader can see in the report, over cells named by where they appear."""
    eqs = []
    weeks = len(report["weekly"]["weeks"])
    for name, period in report["periods"].items():
        for side in ("current", "previous"):
            total = (name, side, "total")
            for table in ("by_region", "by_agency_kind"):
                eqs.append((total, [(name, side, table, r["key"]) for r in period[table]]))
            eqs.append(
                (total, [(name, side, "multi", k) for k in ("in_proposal", "not_in_proposal")])
            )
    for i, barrier in enumerate(report["heat_map"]["barriers"]):
        row = [("heat", i, j) for j in range(len(report["heat_map"]["regions"]))]
        eqs.append((("28d", "current", "by_barrier", barrier), row))
        for side, span in (
            ("current", range(weeks - 4, weeks)),
            ("previous", range(weeks - 8, weeks - 4)),
        ):
            eqs.append((("28d", side, "by_barrier", barrier), [("week", barrier, k) for k in span]))
        for side, k in (("current", weeks - 1), ("previous", weeks - 2)):
            eqs.append((("7d", side, "by_barrier", barrier), [("week", barrier, k)]))
            eqs.append((("week", barrier, k), [("7d", side, "by_barrier", barrier)]))
    for j, _ in enumerate(report["heat_map"]["regions"]):
        column = [("heat", i, j) for i in range(len(report["heat_map"]["barriers"]))]
        eqs.append((("heat-col", j), column))
    eqs.append(
        (("heat-all",), [("heat-col", j) for j in range(len(report["heat_map"]["regions"]))])
    )
    eqs.append(
        (
            ("heat-all",),
            [("28d", "current", "by_barrier", b) for b in report["heat_map"]["barriers"]],
        )
    )
    eqs.append(
        (("spans",), [("span", r["key"]) for r in report["proposal_spans"]["by_barrier_count"]])
    )
    return eqs


def _cells(report: dict) -> dict:
    cells: dict = {}
    for name, period in report["periods"].items():
        for side in ("current", "previous"):
            cells[(name, side, "total")] = period["total"][side]
            for table in ("by_region", "by_agency_kind", "by_barrier"):
                for r in period[table]:
                    cells[(name, side, table, r["key"])] = r[side]
            for k in ("in_proposal", "not_in_proposal"):
                cells[(name, side, "multi", k)] = period["multi_barrier"][k][side]
    heat = report["heat_map"]
    for i, row in enumerate(heat["cells"]):
        for j, value in enumerate(row):
            cells[("heat", i, j)] = value
    for j, value in enumerate(heat["column_totals"]):
        cells[("heat-col", j)] = value
    cells[("heat-all",)] = heat["total"]
    for barrier, series in report["weekly"]["series"].items():
        for k, value in enumerate(series):
            cells[("week", barrier, k)] = value
    for r in report["proposal_spans"]["by_barrier_count"]:
        cells[("span", r["key"])] = r["value"]
    cells[("spans",)] = report["proposal_spans"]["total"]
    return cells


def test_no_hidden_cell_can_be_recovered_by_differencing(hub: Hub) -> None:
    report = _build(hub)
    cells = _cells(report)
    hidden = [k for k, v in cells.items() if not isinstance(v, int)]
    assert any(v == "<5" for v in cells.values()), "the data set should have small cells"
    assert hidden
    assert differencing(cells, _equations(report)) == set()
    # Changes and shares never rest on a hidden count.
    for period in report["periods"].values():
        for row in period["by_barrier"] + period["by_region"] + period["by_indicator"]:
            if not (isinstance(row["current"], int) and isinstance(row["previous"], int)):
                assert row["change"] is None and row["change_pct"] is None
        share = period["multi_barrier"]["share_pct"]["current"]
        if not isinstance(period["multi_barrier"]["in_proposal"]["current"], int):
            assert share is None


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def test_no_identifier_name_or_text_in_any_rendition(hub: Hub) -> None:
    _build(hub)
    day = hub.day.isoformat()
    with hub.server.app.state.sessions() as session:
        proposal_ids = [str(i) for i in session.scalars(select(Proposal.id))]
    renditions = [
        hub.api.get(f"/api/v1/reports/{day}{suffix}", headers=hub.liec).text
        for suffix in ("", ".html", ".csv")
    ]
    assert "<svg" in renditions[1] and "section,period" in renditions[2]
    forbidden = [*hub.secrets, *(p.id for p in hub.posted), *proposal_ids]
    for text in renditions:
        lowered = text.lower()
        for secret in forbidden:
            assert secret.lower() not in lowered, secret
        assert not UUID.search(text)
        assert "+316" not in text and "1990-01-02" not in text


def test_rebuilding_a_date_replaces_it_and_nothing_doubles(hub: Hub) -> None:
    first = _build(hub)
    second = _build(hub)
    with hub.server.app.state.sessions() as session:
        stored = session.scalar(
            select(func.count()).select_from(Report).where(Report.report_date == hub.day)
        )
    assert stored == 1
    first.pop("generated_at"), second.pop("generated_at")
    assert first == second


def test_content_negotiation(hub: Hub) -> None:
    _build(hub)
    url = f"/api/v1/reports/{hub.day.isoformat()}"
    plain = hub.api.get(url, headers=hub.liec)
    assert plain.headers["content-type"] == "application/json"
    assert plain.json()["schema_version"] == "1.0.0"
    html = hub.api.get(url, headers={**hub.liec, "Accept": "text/html,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert "@media print" in html.text
    csv_text = hub.api.get(url, headers={**hub.liec, "Accept": "text/csv"})
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.splitlines()[0] == "section,period,from,to,dimension,key,value"
    assert hub.api.get(url + ".html", headers=hub.liec).text == html.text
    assert hub.api.get(url + ".csv", headers=hub.liec).text == csv_text.text
    assert hub.api.get(url + ".json", headers=hub.liec).json() == plain.json()
    refused = hub.api.get(url, headers={**hub.liec, "Accept": "application/xml"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert hub.api.get("/api/v1/reports/2001-01-01", headers=hub.liec).status_code == 404
    assert hub.api.get("/api/v1/reports/2001-02-30", headers=hub.liec).status_code == 400
    assert hub.api.get("/api/v1/reports/yesterday", headers=hub.liec).status_code == 400
    listed = hub.api.get("/api/v1/reports", headers=hub.liec).json()["items"]
    assert listed[0]["report_date"] == hub.day.isoformat()
    assert listed[0]["links"]["html"] == url + ".html"


def test_only_agencies_with_a_trend_report_covenant_may_read(hub: Hub) -> None:
    _build(hub)
    url = f"/api/v1/reports/{hub.day.isoformat()}"
    for headers in (hub.kmar, hub.no_scope):
        for target in (url, "/api/v1/reports"):
            response = hub.api.get(target, headers=headers)
            assert response.status_code == 403, target
            assert response.headers["content-type"] == "application/problem+json"
    assert hub.api.get(url).status_code == 401


def test_every_read_is_audited(hub: Hub) -> None:
    _build(hub)

    def reads() -> int:
        with hub.server.app.state.sessions() as session:
            return session.scalar(
                select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.action.in_(("report.read", "report.listed")),
                    AuditEvent.agency == "LIEC",
                )
            )  # fmt: skip

    before = reads()
    hub.api.get(f"/api/v1/reports/{hub.day.isoformat()}.csv", headers=hub.liec)
    hub.api.get("/api/v1/reports", headers=hub.liec)
    assert reads() == before + 2


def test_cli_builds_the_report_and_refuses_a_bad_date(hub: Hub, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {
        "HUB_DATABASE_URL": hub.server.app.state.settings.sqlalchemy_url,
        "HUB_DATA_DIR": str(tmp_path),
    }
    bad = runner.invoke(cli, ["report", "nightly", "--date", "2026-13-01"], env=env)
    assert bad.exit_code == 2
    assert "not a date" in bad.output
    day = (hub.day - timedelta(days=3)).isoformat()
    good = runner.invoke(cli, ["report", "nightly", "--date", day], env=env)
    assert good.exit_code == 0, good.output
    assert f"/api/v1/reports/{day}" in good.output
    listed = hub.api.get("/api/v1/reports", headers=hub.liec).json()["items"]
    assert day in {item["report_date"] for item in listed}
    assert (
        json.loads(hub.api.get(f"/api/v1/reports/{day}", headers=hub.liec).text)["report_date"]
        == day
    )


def test_the_html_page_is_dutch_unless_asked_for_english(hub: Hub, tmp_path: Path) -> None:
    """The page speaks HUB_LANGUAGE (Dutch by default) or `--lang`; JSON and CSV have none."""
    url = f"/api/v1/reports/{hub.day.isoformat()}"
    dutch_json = _build(hub, language="nl")
    dutch = hub.api.get(url + ".html", headers=hub.liec).text
    assert '<html lang="nl">' in dutch and "<h2>Samenvatting</h2>" in dutch
    assert (
        "Signalen per week per barrière" in dutch and "In de laatste 28 dagen telde de hub" in dutch
    )
    assert "<h2>Summary</h2>" not in dutch and "the hub counted" not in dutch
    assert re.search(r"schema [\d.]+\.\s+Aantallen van 1 tot en met 4", dutch)  # two sentences
    csv_dutch = hub.api.get(url + ".csv", headers=hub.liec).text
    english_json = _build(hub, language="en")
    english = hub.api.get(url + ".html", headers=hub.liec).text
    assert '<html lang="en">' in english and "<h2>Summary</h2>" in english
    assert "In the last 28 days the hub counted" in english and "Samenvatting" not in english
    assert hub.api.get(url + ".csv", headers=hub.liec).text == csv_dutch
    dutch_json.pop("generated_at"), english_json.pop("generated_at")
    assert dutch_json == english_json

    runner = CliRunner()
    env = {
        "HUB_DATABASE_URL": hub.server.app.state.settings.sqlalchemy_url,
        "HUB_DATA_DIR": str(tmp_path),
    }
    day = hub.day.isoformat()
    bad = runner.invoke(cli, ["report", "nightly", "--date", day, "--lang", "de"], env=env)
    assert bad.exit_code == 2 and "--lang 'de' is not one of nl, en" in bad.output
    made = runner.invoke(cli, ["report", "nightly", "--date", day, "--lang", "en"], env=env)
    assert made.exit_code == 0, made.output
    assert '<html lang="en">' in hub.api.get(url + ".html", headers=hub.liec).text
    made = runner.invoke(
        cli, ["report", "nightly", "--date", day], env=env | {"HUB_LANGUAGE": "en"}
    )
    assert made.exit_code == 0, made.output
    assert '<html lang="en">' in hub.api.get(url + ".html", headers=hub.liec).text
    made = runner.invoke(cli, ["report", "nightly", "--date", day], env=env)
    assert made.exit_code == 0, made.output
    assert '<html lang="nl">' in hub.api.get(url + ".html", headers=hub.liec).text


def test_the_html_page_renders_self_contained_in_a_real_browser(
    hub: Hub, chromium, tmp_path: Path
) -> None:
    _build(hub)
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"Authorization": hub.liec["Authorization"]},
    )
    try:
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        url = f"{hub.server.url}/api/v1/reports/{hub.day.isoformat()}.html"
        response = page.goto(url)
        assert response is not None and response.status == 200
        # Self-contained: the page fetched nothing but itself, and broke no policy doing so.
        assert fetched == [url] and problems == []
        assert page.locator("svg").count() >= 2  # the weekly series and the heat map
        assert page.locator("h1").first.inner_text().strip()
        shown = page.inner_text("body")
        assert not any(secret in shown for secret in hub.secrets)
        shot = screenshot_path("report.png", tmp_path)
        page.screenshot(path=str(shot))  # the first screen: summary and charts
        assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
        page.emulate_media(media="print")
        assert page.locator("svg").first.is_visible()
    finally:
        context.close()


def test_the_html_report_says_its_labels_in_words(hub: Hub) -> None:
    _build(hub, language="en")
    html = hub.api.get(f"/api/v1/reports/{hub.day.isoformat()}.html", headers=hub.liec).text
    cells = re.findall(r"<td>([^<]*)</td>", html)
    for raw in ("in_proposal", "not_in_proposal", "total", "kmar", "employment", "new"):
        assert raw not in cells, raw  # a row named by its JSON key
    assert "not shown%" not in html and "None%" not in html
    assert "In a proposal spanning two barriers or more" in cells
    assert {"All signals", "Employment", "Royal Marechaussee (KMar)", "Accepted"} <= set(cells)
    assert not [c for c in cells if re.fullmatch(r"[a-z]+\.[a-z0-9-]+", c)]  # indicator codes
    assert re.search(r"Share of all signals: (\d+(\.\d)?%|not shown \(too few signals)", html)
    # The same words in Dutch, the page's default.
    _build(hub)
    dutch = hub.api.get(f"/api/v1/reports/{hub.day.isoformat()}.html", headers=hub.liec).text
    cells = set(re.findall(r"<td>([^<]*)</td>", dutch))
    assert {"Alle signalen", "Arbeid", "Koninklijke Marechaussee (KMar)", "Aanvaard"} <= cells
    assert "In een voorstel over twee of meer barrières" in cells
    assert re.search(r"Aandeel van alle signalen: (\d+(\.\d)?%|niet getoond \(te weinig)", dutch)
