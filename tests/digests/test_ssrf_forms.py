"""Webhook SSRF: every way of writing an internal address is refused, by the IANA registries the
hub ships rather than by the running Python's `ipaddress` tables."""

import ipaddress

import httpx
import pytest

from hub.digests import addresses
from hub.digests.special_addresses import IPV4_SPECIAL, IPV6_SPECIAL
from tests.factories import PartnerFactory


def _put(api: httpx.Client, partners: PartnerFactory, url: str) -> httpx.Response:
    partner = partners.new(kind="kmar", scopes="webhooks:manage")
    return api.put("/api/v1/webhook", json={"url": url}, headers=partner.headers)


def _refused_over_http(api: httpx.Client, partners: PartnerFactory, url: str) -> str:
    response = _put(api, partners, url)
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == "/url"
    return response.json()["detail"]


def _refused(address: str, *, allow_private: bool = False) -> str | None:
    return addresses.refusal(ipaddress.ip_address(address), allow_private=allow_private)


# One test per form that carries an IPv4 address inside an IPv6 one, each with 127.0.0.1.


def test_ipv4_mapped_form_is_judged_by_its_ipv4_address(api, partners) -> None:
    assert "loopback" in _refused_over_http(api, partners, "https://[::ffff:7f00:1]/hook")
    assert _refused("::ffff:169.254.169.254", allow_private=True) is not None
    assert _refused("::ffff:93.184.215.14") is None


def test_6to4_form_is_refused(api, partners) -> None:
    # 2002:7f00:1:: is 127.0.0.1 through 6to4: accepted before (issue 13).
    assert "6to4" in _refused_over_http(api, partners, "https://[2002:7f00:1::]/")
    assert "loopback" in (_refused("2002:7f00:1::") or "")
    # A deprecated tunnel (RFC 7526) whatever it leads to, and whatever the setting.
    assert _refused("2002:5db8:d70e::1") is not None
    assert _refused("2002:7f00:1::", allow_private=True) is not None


def test_teredo_form_is_refused(api, partners) -> None:
    # Teredo carries the server in bits 32-63 and the client, inverted, in the last 32.
    assert "Teredo" in _refused_over_http(api, partners, "https://[2001:0:7f00:1::]/")
    client_loopback = "2001:0:5db8:d70e::" + "80ff:fffe"  # ~127.0.0.1 = 128.255.255.254
    assert "loopback" in (_refused(client_loopback) or "")
    assert _refused("2001:0:5db8:d70e::a247:28f1") is not None  # public on both sides


def test_nat64_well_known_prefix_is_judged_by_its_ipv4_address(api, partners) -> None:
    assert "NAT64" in _refused_over_http(api, partners, "https://[64:ff9b::7f00:1]/")
    assert _refused("64:ff9b::a9fe:a9fe", allow_private=True) is not None  # 169.254.169.254
    assert _refused("64:ff9b::5db8:d70e") is None  # 93.184.215.14, a public address


def test_nat64_local_use_prefix_is_refused(api, partners) -> None:
    assert "NAT64" in _refused_over_http(api, partners, "https://[64:ff9b:1::7f00:1]/")
    # Where the IPv4 address sits depends on the operator's prefix: refused whatever it holds.
    assert _refused("64:ff9b:1::5db8:d70e") is not None
    assert _refused("64:ff9b:1::5db8:d70e", allow_private=True) is not None


def test_ipv4_dummy_address_is_refused(api, partners) -> None:
    assert "RFC 7600" in _refused_over_http(api, partners, "https://192.0.0.8/")


@pytest.mark.parametrize("block", IPV4_SPECIAL + IPV6_SPECIAL, ids=lambda b: str(b.network))
def test_every_registry_block_decides_by_its_globally_reachable_column(block) -> None:
    """The registries, not the Python version: first and last address of every block."""
    for address in (block.network[0], block.network[-1]):
        embedded_forms = ("::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16")
        if str(block.network) in embedded_forms or str(block.network) == "2001::/32":
            continue  # judged by the address they embed (the tests above)
        reason = addresses.refusal(address, allow_private=False)
        if block.globally_reachable:
            # Reachable inside an unreachable parent (192.0.0.9 in 192.0.0.0/24): allowed.
            assert reason is None, (address, reason)
        else:
            assert reason is not None, address
        relaxed = addresses.refusal(address, allow_private=True)
        if block.kind in ("loopback", "private") and not block.globally_reachable:
            assert relaxed is None, (address, relaxed)  # the demo and test allowance


def test_ipv6_outside_global_unicast_is_refused() -> None:
    for address in ("::127.0.0.1", "::ffff:0:7f00:1", "4000::1", "e000::1"):
        assert _refused(address, allow_private=True) is not None, address
    assert _refused("2a00:1450:400e:80c::200e") is None
