"""The vocabulary and the agencies over the API."""

from hub.demo.synthetic import DEMO_AGENCIES


def test_list_barriers_in_model_order(api, kmar, vocabulary) -> None:
    response = api.get("/api/v1/barriers", headers=kmar.headers)
    assert response.status_code == 200
    body = response.json()
    assert [b["code"] for b in body["items"]] == [
        "entry",
        "accommodation",
        "identity",
        "employment",
        "finance",
    ]
    assert body["version"] == vocabulary.version
    for barrier in body["items"]:
        assert len(barrier["indicators"]) >= 8
        assert all(i["code"].startswith(barrier["code"] + ".") for i in barrier["indicators"])
        assert barrier["agency_kinds"]


def test_one_barrier(api, kmar) -> None:
    response = api.get("/api/v1/barriers/employment", headers=kmar.headers)
    assert response.status_code == 200
    codes = {i["code"] for i in response.json()["indicators"]}
    assert "employment.wages-below-minimum" in codes
    missing = api.get("/api/v1/barriers/smuggling", headers=kmar.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_barriers_need_a_token(api) -> None:
    assert api.get("/api/v1/barriers").status_code == 401


def test_agencies_list_includes_registered_ones(api, kmar, partners) -> None:
    riec = partners.new(kind="riec", region="rotterdam")
    response = api.get("/api/v1/agencies", headers=kmar.headers)
    assert response.status_code == 200
    by_code = {a["code"]: a for a in response.json()["items"]}
    assert by_code[kmar.code]["kind"] == "kmar"
    assert by_code[riec.code]["region"] == "rotterdam"
    assert {"code", "name", "kind", "region"} == set(by_code[kmar.code])
    assert not set(a["code"] for a in DEMO_AGENCIES) & {kmar.code, riec.code}
