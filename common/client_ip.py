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
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        candidates.insert(0, forwarded.rsplit(",", 1)[-1].strip())
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return "0.0.0.0"  # a Unix socket without a proxy header: every client shares one count
