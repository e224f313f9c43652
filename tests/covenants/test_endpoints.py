"""The covenants over the API: a partner sees the covenants it is party to, and no others."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import get_args

from starlette.routing import Mount

from hub.covenants.model import DATA_CATEGORIES, PURPOSES, Level
from hub.covenants.schemas import DataCategory, LevelName, Purpose

# The shipped covenants that name their parties by code only (EMM, KMAR, IND, SZW, POLITIE).
BY_CODE_ONLY = {"emm-case-proposals", "enforcement-hit-lookup"}


def listed(api, partner) -> list[str]:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/covenants", headers=partner.headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_api_vocabulary_matches_the_model() -> None:
    assert get_args(Purpose) == PURPOSES
    assert get_args(DataCategory) == DATA_CATEGORIES
    assert get_args(LevelName) == tuple(level.label for level in Level)


def test_riec_lists_and_reads_riec_liec(api, partners) -> None:
    riec = partners.new(kind="riec", region="amsterdam-amstelland")
    ids = listed(api, riec)
    assert "riec-liec" in ids
    assert not BY_CODE_ONLY & set(ids)

    response = api.get("/api/v1/covenants/riec-liec", headers=riec.headers)
    assert response.status_code == 200
    covenant = response.json()
    assert covenant["version"] == 1
    assert covenant["valid_from"] == "2025-01-01"
    assert covenant["valid_until"] == "2028-12-31"
    assert covenant["withdrawn_on"] is None
    assert covenant["onward_sharing"] is False
    assert covenant["retention_days"] == 730
    assert {"kind": "riec", "region": None} in covenant["parties"]
    assert "KMAR" in covenant["parties"]
    assert covenant["purposes"] == ["case-proposal", "trend-report", "investigation"]

    rules = {r["id"]: r for r in covenant["rules"]}
    regional = rules["riec-region-pseudonymised"]
    assert regional["from"] == [
        "KMAR",
        "IND",
        "SZW",
        "POLITIE",
        {"kind": "municipality", "region": None},
    ]
    assert regional["to"] == [{"kind": "riec", "region": None}]
    assert regional["level"] == "pseudonymised"
    assert regional["scope"] == "own-region"
    assert regional["barriers"] is None  # `all` in the document
    assert regional["categories"] == list(DATA_CATEGORIES)  # `all` listed in full
    assert regional["reviews"] is True  # each RIEC decides on its region's proposals
    trend = rules["liec-trend-aggregates"]
    assert trend["aggregates_only"] is True
    assert trend["reviews"] is False and rules["riec-accepted-full"]["reviews"] is False
    assert trend["level"] == "none"
    assert trend["categories"] == ["indicators", "location", "grading"]

    listed_one = next(
        c
        for c in api.get("/api/v1/covenants", headers=riec.headers).json()["items"]
        if c["id"] == "riec-liec"
    )
    assert listed_one == covenant


def test_municipality_is_party_through_its_kind(api, partners) -> None:
    municipality = partners.new(kind="municipality", region="rotterdam")
    assert "riec-liec" in listed(api, municipality)


def test_covenant_not_party_to_is_404(api, partners) -> None:
    riec = partners.new(kind="riec", region="rotterdam")
    for cid in ("emm-case-proposals", "no-such-covenant"):
        response = api.get(f"/api/v1/covenants/{cid}", headers=riec.headers)
        assert response.status_code == 404, cid
        assert response.headers["content-type"] == "application/problem+json"
    # Same answer whether it exists or not, so a 404 does not reveal the covenant.
    exists = api.get("/api/v1/covenants/emm-case-proposals", headers=riec.headers).json()
    missing = api.get("/api/v1/covenants/no-such-covenant", headers=riec.headers).json()
    assert exists["title"] == missing["title"]
    assert exists["type"] == missing["type"]


def test_kind_does_not_stand_in_for_a_code(api, partners, kmar) -> None:
    # A kmar-kind agency with another code is not the KMAR that covenants name by code.
    ids = listed(api, kmar)
    assert not BY_CODE_ONLY & set(ids)
    assert "riec-liec" not in ids
    for cid in BY_CODE_ONLY:
        response = api.get(f"/api/v1/covenants/{cid}", headers=kmar.headers)
        assert response.status_code == 404, cid


def test_agency_party_to_nothing_lists_nothing(api, partners) -> None:
    other = partners.new(kind="other")
    assert listed(api, other) == []
    assert api.get("/api/v1/covenants/riec-liec", headers=other.headers).status_code == 404


def test_list_is_sorted_by_id_and_shows_only_todays_versions(api, partners, server) -> None:
    shipped = server.app.state.covenants
    riec_liec = next(c for c in shipped if c.id == "riec-liec")
    today = date.today()
    extra = (
        replace(riec_liec, id="zz-later-in-the-alphabet"),
        replace(riec_liec, id="aa-earlier-in-the-alphabet"),
        replace(riec_liec, id="mm-expired", valid_until=today - timedelta(days=1)),
        replace(riec_liec, id="mm-withdrawn", withdrawn_on=today),
        replace(riec_liec, id="mm-not-yet", valid_from=today + timedelta(days=1)),
        replace(riec_liec, version=2, title="Version two", valid_from=today),
    )
    riec = partners.new(kind="riec", region="amsterdam-amstelland")
    with served_covenants(server, shipped + extra):
        items = api.get("/api/v1/covenants", headers=riec.headers).json()["items"]
        expired = api.get("/api/v1/covenants/mm-expired", headers=riec.headers)
    ids = [c["id"] for c in items]
    assert ids == ["aa-earlier-in-the-alphabet", "riec-liec", "zz-later-in-the-alphabet"]
    assert next(c for c in items if c["id"] == "riec-liec")["version"] == 2
    assert expired.status_code == 404


@contextmanager
def served_covenants(server, covenants) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Serve other covenants for a while: the app and the mounted API each hold them."""
    apps = [server.app, *(r.app for r in server.app.routes if isinstance(r, Mount))]
    before = [a.state.covenants for a in apps]
    for a in apps:
        a.state.covenants = tuple(covenants)
    try:
        yield
    finally:
        for a, old in zip(apps, before, strict=True):
            a.state.covenants = old


def test_covenants_need_a_token(api) -> None:
    for url in ("/api/v1/covenants", "/api/v1/covenants/riec-liec"):
        response = api.get(url)
        assert response.status_code == 401, url
        assert response.headers["content-type"] == "application/problem+json"
