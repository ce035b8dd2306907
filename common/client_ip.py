"""The address a request came from, for login throttling and rate limits.

Behind nginx (BEHIND_TLS_PROXY) every request comes from the proxy's own address; nginx
appends the address it saw to X-Forwarded-For, so the last entry is the client. Earlier
entries were written by the client and can say anything, and without a proxy the header itself
is the client's: then only the connection's address counts.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address; an IPv6 address as its /64 network, since one subscriber holds
    a whole /64 and could otherwise take a fresh address for every login attempt."""
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        candidates.insert(0, forwarded.rsplit(",", 1)[-1].strip())
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if address.version == 6:
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
        return str(address)
    return "0.0.0.0"  # a Unix socket without a proxy header: every client shares one count
