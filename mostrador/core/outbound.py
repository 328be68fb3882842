"""Where the server may send requests on an admin's say-so.

Admins set URLs the server then calls: an inbox's `outbound_url`, `graph_api_url` and
`api_base_url`, an AI agent's URL. Left open, those let anyone who can set one make the server
reach what only it can reach: its own ports, the database, a cloud's metadata service. So only
`http` and `https` are accepted, and addresses that are not public (private, loopback,
link-local, shared, reserved, multicast) are refused unless `MOSTRADOR_OUTBOUND_ALLOW` names the
host or a network holding them (the demo allows loopback for its sandbox).

The check runs twice: when the URL is saved (a clear error for the admin), and again on every
connection, after the name is resolved, because what a name resolves to can change after it was
saved. The connection then goes to the very address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Annotated
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import AfterValidator

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(ValueError):
    """A URL the server must not call; the message says why, for the admin who set it."""


def parse_allow(raw: str) -> tuple[frozenset[str], tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]]:
    """`MOSTRADOR_OUTBOUND_ALLOW`: host names and CIDR ranges (or single addresses), separated
    by commas or spaces. Names compare without case."""
    hosts, networks = set(), []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.lower().rstrip("."))
    return frozenset(hosts), tuple(networks)


def _allowed() -> tuple[frozenset[str], tuple]:
    return parse_allow(settings.MOSTRADOR_OUTBOUND_ALLOW)


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def address_allowed(host: str, ip: IPAddress) -> bool:
    hosts, networks = _allowed()
    return is_public(ip) or host.lower().rstrip(".") in hosts or any(ip in network for network in networks)


def check_url(url: str, *, resolve: bool = True) -> None:
    """Refuse a URL the server must not call (OutboundRefused). A name is resolved when it can
    be; one that does not resolve now is accepted, since every connection checks again."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused(_("Only http and https URLs are accepted."))
    host = (parts.hostname or "").lower()
    if not host:
        raise OutboundRefused(_("The URL has no host."))
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError:
        raise OutboundRefused(_("The URL's port is not valid.")) from None
    for ip in _addresses(host, parts.port or 0, resolve):
        if not address_allowed(host, ip):
            raise OutboundRefused(
                _("%(host)s is a private, loopback or link-local address; the server does not call those "
                  "unless MOSTRADOR_OUTBOUND_ALLOW allows them.") % {"host": host}
            )


def allowed_by_name(url: str) -> bool:
    """Whether MOSTRADOR_OUTBOUND_ALLOW names this URL's host or holds its literal address (a
    local service the installation chose to reach, such as a test's push service)."""
    host = (urlsplit(url).hostname or "").lower()
    hosts, networks = _allowed()
    return host in hosts or any(ip in network for ip in _addresses(host, 0, resolve=False) for network in networks)


def _addresses(host: str, port: int, resolve: bool) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    if host == "localhost" or host.endswith(".localhost"):
        return [ipaddress.ip_address("127.0.0.1")]
    if not resolve:
        return []
    try:
        found = socket.getaddrinfo(host, port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def _checked(url: str) -> str:
    if url:
        check_url(url)
    return url


# A settings field holding a URL the server will call (empty means unset).
OutboundUrl = Annotated[str, AfterValidator(_checked)]


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the name itself, checks every address, and connects to one it checked: the
    answer DNS gives at connect time is the one that counts."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        name = host.decode() if isinstance(host, bytes) else host
        try:
            addresses = _addresses(name.lower(), port, resolve=True)
        except ValueError:
            addresses = []
        if not addresses:
            raise httpcore.ConnectError(f"{name} does not resolve")
        refused = [ip for ip in addresses if not address_allowed(name, ip)]
        if refused:
            raise httpcore.ConnectError(f"{name} resolves to {refused[0]}, which the server does not call")
        return super().connect_tcp(str(addresses[0]), port, timeout, local_address, socket_options)


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport, connecting only where `check_url` would allow. TLS still verifies
    the certificate against the URL's name, not the address."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # httpx does not take a network backend; its connection pool does.
        self._pool._network_backend = _CheckedBackend()


def client(**kwargs) -> httpx.Client:
    """An httpx client for URLs admins set. Redirects are not followed unless asked for, and
    every hop connects through the same check."""
    return httpx.Client(transport=CheckedTransport(), **kwargs)


def post(url: str, **kwargs) -> httpx.Response:
    with client(timeout=kwargs.pop("timeout", 10)) as http:
        return http.post(url, **kwargs)
