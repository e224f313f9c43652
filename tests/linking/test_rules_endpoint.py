"""GET /api/v1/linking/rules: the published rules, for any authenticated client, with the content
hash as ETag."""

import httpx

from hub.linking import rules, ruleset
from tests.factories import PartnerFactory

URL = "/api/v1/linking/rules"


def test_the_rules_are_refused_without_a_token(api: httpx.Client) -> None:
    response = api.get(URL)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_any_client_reads_the_rules_whatever_its_scopes(
    api: httpx.Client, partners: PartnerFactory
) -> None:
    """No personal data in them, so no scope: a partner that may only post reads them too."""
    poster = partners.new(scopes="signals:write")
    response = api.get(URL, headers=poster.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == ruleset.describe()
    current = ruleset.current()
    assert (body["version"], body["hash"]) == (current.version, current.hash)
    assert response.headers["ETag"] == f'"{current.hash}"'


def test_the_rules_publish_types_points_caps_threshold_and_cuts(
    api: httpx.Client, partners: PartnerFactory
) -> None:
    body = api.get(URL, headers=partners.new(scopes="lookups").headers).json()
    types = {t["type"]: t for t in body["key_types"]}
    assert set(types) == set(rules.BASE_WEIGHT)
    for name, entry in types.items():
        assert entry["base_points"] == rules.BASE_WEIGHT[name]
        assert entry["frequency_cap"] == rules.FREQUENCY_CAP[name]
        assert entry["label"]["nl"] and entry["label"]["en"]
    by_id = {r["id"]: r for r in body["rules"]}
    assert by_id["link-threshold"]["parameters"]["points"] == rules.LINK_THRESHOLD
    assert by_id["similar-person"]["parameters"]["block_cap"] == rules.BLOCK_CAP
    assert {"cut-large-groups", "cut-loose-groups", "proposal-spans"} <= set(by_id)
    assert body["summary"]["nl"] and body["summary"]["en"]
    assert body["releases"][-1]["version"] == body["version"]


def test_a_client_that_has_the_rules_gets_304(api: httpx.Client, partners: PartnerFactory) -> None:
    headers = partners.new(scopes="signals:read").headers
    etag = api.get(URL, headers=headers).headers["ETag"]
    unchanged = api.get(URL, headers=headers | {"If-None-Match": f'"other", {etag}'})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["ETag"] == etag
    changed = api.get(URL, headers=headers | {"If-None-Match": '"an-older-hash"'})
    assert changed.status_code == 200 and changed.json()["hash"] == etag.strip('"')
