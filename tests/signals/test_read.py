"""Listing: filters, cursor pagination with Link headers, stable order."""

from urllib.parse import parse_qs, urlparse

from tests.factories import signal_body


def _post(api, partner, **overrides) -> dict:
    response = api.post("/api/v1/signals", json=signal_body(**overrides), headers=partner.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_filters(api, kmar) -> None:
    a = _post(
        api,
        kmar,
        barriers=["finance"],
        indicators=["finance.many-workers-one-account"],
        municipality="GM0599",
        observed_at="2026-10-01T12:00:00Z",
    )
    b = _post(
        api,
        kmar,
        barriers=["identity"],
        indicators=["identity.forged-document"],
        municipality="GM0363",
        observed_at="2026-11-01T12:00:00Z",
    )

    def ids(query: str) -> list[str]:
        response = api.get(f"/api/v1/signals?{query}", headers=kmar.reader)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["items"]]

    assert ids("barrier=finance") == [a["id"]]
    assert ids("indicator=identity.forged-document") == [b["id"]]
    assert ids("municipality=GM0363") == [b["id"]]
    assert ids("observedSince=2026-10-15T00:00:00%2B02:00") == [b["id"]]
    assert ids("observedUntil=2026-10-15T00:00:00Z") == [a["id"]]
    assert ids("updatedSince=2000-01-01T00:00:00Z") == [a["id"], b["id"]]
    assert ids("updatedSince=2099-01-01T00:00:00Z") == []
    assert ids("status=retracted") == []


def test_bad_filter_values_are_400(api, kmar) -> None:
    for query in (
        "barrier=smuggling",
        "observedSince=yesterday",
        "limit=0",
        "limit=1000",
        "municipality=Amsterdam",
        "cursor=bm90LWEtY3Vyc29y",
        "observedSince=2026-10-15T00:00:00",
    ):
        response = api.get(f"/api/v1/signals?{query}", headers=kmar.reader)
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["in"] == "query"


def test_cursor_pagination_walks_every_signal_once(api, kmar) -> None:
    posted = [_post(api, kmar)["id"] for _ in range(7)]
    seen: list[str] = []
    url = "/api/v1/signals?purpose=investigation&limit=3"
    pages = 0
    while url:
        response = api.get(url, headers=kmar.reader)
        page = response.json()
        seen += [s["id"] for s in page["items"]]
        pages += 1
        link = response.headers.get("Link")
        if page["next_cursor"]:
            assert link and 'rel="next"' in link
            next_url = link.split(";")[0].strip("<>")
            assert parse_qs(urlparse(next_url).query)["cursor"] == [page["next_cursor"]]
            url = f"/api/v1/signals?purpose=investigation&limit=3&cursor={page['next_cursor']}"
        else:
            assert link is None
            url = ""
    assert seen == posted
    assert pages == 3
