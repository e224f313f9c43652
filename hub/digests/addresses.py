"""Which webhook URLs the hub may call: a guard against server-side request forgery.

A partner names the URL, so without this the hub would fetch whatever it is told: its own
admin ports, the cloud metadata service, other hosts on the internal network. The host is
resolved and every address it resolves to must be public; the check runs at registration and
again right before each delivery (a name can be re-pointed after it was checked), and the
delivery then connects to the very address that was checked.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub.digests.special_addresses import IPV6_GLOBAL_UNICAST, special_block

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")


class RefusedAddress(ValueError):
    """The URL or the address its host resolves to may not be called; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts, and the addresses its host resolved to."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


def check_url(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """The scheme, host, port and path+query of an acceptable URL; RefusedAddress otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedAddress(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedAddress("the URL is not a valid absolute URL") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_private and scheme == "http"):
        raise RefusedAddress("the URL must use https")
    if not parts.hostname:
        raise RefusedAddress("the URL names no host")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs; authenticate the hub by its signature instead.
        raise RefusedAddress("the URL may not carry a user name or password")
    if parts.fragment:
        raise RefusedAddress("the URL may not carry a fragment")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), path


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why the hub may not connect to `address`, or None when it may.

    Decided by the IANA registries shipped in hub/digests/special_addresses.py, not by the
    running Python's `ipaddress` flags. An IPv6 address that embeds an IPv4 one is judged by
    the IPv4 address it leads to; the transition tunnels (6to4, Teredo) are refused outright.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            form, inner, tunnel = embedded
            for ipv4 in inner:
                reason = refusal(ipv4, allow_private=allow_private)
                if reason is not None:
                    return f"{form} of {reason}"
            return f"{form} (an IPv4 transition mechanism)" if tunnel else None
    block = special_block(address)
    if block is not None and not block.globally_reachable:
        if block.kind == "loopback":
            return None if allow_private else "a loopback address"
        if block.kind == "private":
            return None if allow_private else f"a private address ({block.name})"
        # Never, whatever the setting: the cloud metadata service lives at a link-local address.
        return f"a special-purpose address ({block.name}, {block.rfc})"
    if block is None and address.version == 6 and address not in IPV6_GLOBAL_UNICAST:
        return "an address outside IPv6 global unicast (reserved by the IETF)"
    return None


def _embedded_ipv4(
    address: ipaddress.IPv6Address,
) -> tuple[str, tuple[ipaddress.IPv4Address, ...], bool] | None:
    """(form, the IPv4 addresses it embeds, whether it is a tunnel) for the forms that carry
    an IPv4 address; computed from the bits, so the same on every Python version."""
    value = int(address)
    low32 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if address in _MAPPED:  # ::ffff:127.0.0.1 is 127.0.0.1
        return "the IPv4-mapped form", (low32,), False
    if address in _NAT64_WELL_KNOWN:  # RFC 6052: the IPv4 address in the last 32 bits
        return "the NAT64 form", (low32,), False
    if address in _NAT64_LOCAL:
        # Where the IPv4 address sits depends on the operator's prefix length (RFC 6052 §2.2),
        # and the translator is inside someone's network: never a webhook's way out.
        return "a local-use NAT64 address", (), True
    if address in _SIX_TO_FOUR:  # 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
        return "the 6to4 form", (ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF),), True
    if address in _TEREDO:  # RFC 4380: server in bits 32-63, client obfuscated in the last 32
        server = ipaddress.IPv4Address((value >> 64) & 0xFFFFFFFF)
        client = ipaddress.IPv4Address(~value & 0xFFFFFFFF)
        return "the Teredo form", (server, client), True
    return None


def resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address `host` resolves to (a literal address is itself)."""
    try:
        return (ipaddress.ip_address(host.strip("[]")),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedAddress("the URL's host does not resolve") from None
    found: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 sockaddr may carry a zone (fe80::1%eth0); the zone is not part of the address.
        found[ipaddress.ip_address(str(sockaddr[0]).split("%")[0])] = None
    if not found:
        raise RefusedAddress("the URL's host does not resolve")
    return tuple(found)


def check(url: str, *, allow_private: bool) -> Target:
    """Check the URL and every address its host resolves to; RefusedAddress names the reason."""
    scheme, host, port, path = check_url(url, allow_private=allow_private)
    addresses = resolve(host, port)
    for address in addresses:
        reason = refusal(address, allow_private=allow_private)
        if reason is not None:
            raise RefusedAddress(f"the URL's host is or resolves to {reason}")
    return Target(scheme, host, port, path, addresses)
