"""The client's address, trusting `X-Forwarded-For` only from configured proxies.

`TRUSTED_PROXIES` (a list of addresses or networks, default none) names the reverse proxies in front of
the app. A request from anyone else is identified by its own peer address, whatever headers it sends: a
client cannot choose its identity for the login limiter. Behind trusted proxies, the client is the
right-most `X-Forwarded-For` address that is not itself a trusted proxy. (uvicorn's own proxy-header
handling is switched off in `python -m backend`: by default it trusts 127.0.0.1.)
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import Request

from backend.core.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request: Request, trusted_proxies: list[str] | None = None) -> str:
    peer = request.client.host if request.client else "unknown"
    trusted = get_settings().trusted_proxies if trusted_proxies is None else trusted_proxies
    networks = _networks(tuple(trusted))
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [a.strip() for h in request.headers.getlist("x-forwarded-for") for a in h.split(",")]
    for address in reversed(forwarded):
        if not address:
            continue
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # garbage from the proxy's client: the proxy itself is what we know
    return peer
