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

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000
# Carrier-grade NAT (RFC 6598): `is_private` leaves it out, but it is nobody's public address.
_SHARED = ipaddress.ip_network("100.64.0.0/10")


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
    """Why the hub may not connect to `address`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    # Never, whatever the setting: the cloud metadata service lives at a link-local address.
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_loopback:
        return None if allow_private else "a loopback address"
    if address.is_reserved:  # 240.0.0.0/4 and the unassigned IPv6 blocks: no receiver there
        return "a reserved address"
    if address in _SHARED:
        return None if allow_private else "a carrier-grade NAT address"
    if address.is_private:  # RFC 1918, unique-local IPv6 and the other special-purpose blocks
        return None if allow_private else "a private address"
    if not address.is_global:
        return "a reserved address"
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
