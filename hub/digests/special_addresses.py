"""The IANA special-purpose address registries, as data: which addresses a webhook may not reach.

Shipped with the hub rather than read from Python's `ipaddress` flags, whose tables differ
between Python versions (they were revised in 3.12.4 and 3.13, CPython gh-113171) and lag
behind the registries. Sources, transcribed 2026-12-03:

- IPv4: https://www.iana.org/assignments/iana-ipv4-special-registry/ (RFC 6890), plus the
  multicast block 224.0.0.0/4 from https://www.iana.org/assignments/ipv4-address-space/
- IPv6: https://www.iana.org/assignments/iana-ipv6-special-registry/ (RFC 6890), plus
  https://www.iana.org/assignments/ipv6-address-space/: only 2000::/3 is global unicast;
  ff00::/8 is multicast and the rest is reserved by the IETF.

Each block carries the registry's "Globally Reachable" column; the most specific block that
holds an address decides (192.0.0.9/32 is reachable inside the unreachable 192.0.0.0/24).
`kind` says what the hub makes of a block that is not globally reachable: "loopback" and
"private" may be allowed for tests and the demo (`webhooks_allow_private`), "never" may not.
Registry rows marked "N/A" (6to4, Teredo, the deprecated 6to4 relay) are not reachable here:
their embedded IPv4 addresses are checked in hub/digests/addresses.py, and the tunnels refused.
When IANA adds a block, add its row here, with the RFC.
"""

import ipaddress
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SpecialBlock:
    network: Network
    name: str
    rfc: str
    globally_reachable: bool
    kind: str  # "loopback", "private" or "never"; ignored when globally reachable


def _block(prefix: str, name: str, rfc: str, reachable: bool, kind: str = "never") -> SpecialBlock:
    return SpecialBlock(ipaddress.ip_network(prefix), name, rfc, reachable, kind)


IPV4_SPECIAL = (
    _block("0.0.0.0/8", "This network", "RFC 791", False),
    _block("0.0.0.0/32", "This host on this network", "RFC 1122", False),
    _block("10.0.0.0/8", "Private-Use", "RFC 1918", False, "private"),
    _block("100.64.0.0/10", "Shared Address Space", "RFC 6598", False, "private"),
    _block("127.0.0.0/8", "Loopback", "RFC 1122", False, "loopback"),
    _block("169.254.0.0/16", "Link Local", "RFC 3927", False),
    _block("172.16.0.0/12", "Private-Use", "RFC 1918", False, "private"),
    _block("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890", False),
    _block("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", False),
    _block("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", False),
    _block("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", True),
    _block("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", True),
    _block("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880", False),
    _block("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880", False),
    _block("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", False),
    _block("192.31.196.0/24", "AS112-v4", "RFC 7535", True),
    _block("192.52.193.0/24", "AMT", "RFC 7450", True),
    _block("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", False),
    _block("192.168.0.0/16", "Private-Use", "RFC 1918", False, "private"),
    _block("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", True),
    _block("198.18.0.0/15", "Benchmarking", "RFC 2544", False),
    _block("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", False),
    _block("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", False),
    _block("224.0.0.0/4", "Multicast", "RFC 5771", False),
    _block("240.0.0.0/4", "Reserved", "RFC 1112", False),
    _block("255.255.255.255/32", "Limited Broadcast", "RFC 919", False),
)

IPV6_SPECIAL = (
    _block("::1/128", "Loopback Address", "RFC 4291", False, "loopback"),
    _block("::/128", "Unspecified Address", "RFC 4291", False),
    _block("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", False),
    _block("64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", True),
    _block("64:ff9b:1::/48", "IPv4-IPv6 Translat. (local-use)", "RFC 8215", False),
    _block("100::/64", "Discard-Only Address Block", "RFC 6666", False),
    _block("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", False),
    _block("2001::/23", "IETF Protocol Assignments", "RFC 2928", False),
    _block("2001::/32", "TEREDO", "RFC 4380", False),
    _block("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", True),
    _block("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", True),
    _block("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", True),
    _block("2001:2::/48", "Benchmarking", "RFC 5180", False),
    _block("2001:3::/32", "AMT", "RFC 7450", True),
    _block("2001:4:112::/48", "AS112-v6", "RFC 7535", True),
    _block("2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", False),
    _block("2001:20::/28", "ORCHIDv2", "RFC 7343", True),
    _block("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs)", "RFC 9374", True),
    _block("2001:db8::/32", "Documentation", "RFC 3849", False),
    _block("2002::/16", "6to4", "RFC 3056", False),
    _block("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", True),
    _block("3fff::/20", "Documentation", "RFC 9637", False),
    _block("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", False),
    _block("fc00::/7", "Unique-Local", "RFC 4193", False, "private"),
    _block("fe80::/10", "Link-Local Unicast", "RFC 4291", False),
    _block("ff00::/8", "Multicast", "RFC 4291", False),
)

# From the IPv6 address space registry: unicast outside this block is reserved by the IETF.
IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def special_block(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> SpecialBlock | None:
    """The most specific registry block holding `address`, or None when it is in none."""
    table = IPV4_SPECIAL if address.version == 4 else IPV6_SPECIAL
    found = [b for b in table if address in b.network]
    return max(found, key=lambda b: b.network.prefixlen) if found else None
