"""SERVICE allowlist: which remote SPARQL endpoints a query may call (SPARQL 1.1 Federation).

pyoxigraph executes `SERVICE <url> { ... }` itself, as an HTTP request from the server: without a
check any client could make the server call internal addresses and read their answers. Before a
query or update runs, `check_services` finds every SERVICE clause in its text (kg.sparqltext,
prefixed names and BASE resolved) and refuses it with a 400, before any request leaves, unless

- its endpoint is written as an IRI (a variable endpoint is refused),
- the IRI is on the `service_allowlist` setting (exact match, scheme and host case-insensitive,
  default port dropped; empty by default: no SERVICE at all), and
- its host resolves only to public addresses, unless `service_allow_private` is set (loopback,
  private, link-local, shared and reserved ranges are refused even when listed).

The query timeout covers the remote call: it runs inside the query, which is stopped at the
deadline like any other. The name is resolved again when the request is made (a host whose DNS
answer changes between the check and the call is not caught): list endpoints you trust.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kg.errors import ServiceRefused
from kg.sparqltext import Scan, Service, scan

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize(url: str) -> str:
    """An endpoint URL compared as the allowlist compares it: scheme and host lower case, the
    default port dropped, everything else as written."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def allowlist(config: Any) -> set[str]:
    """The normalized endpoints of the `service_allowlist` setting."""
    return {normalize(u) for u in re.split(r"[\s,]+", config.service_allowlist or "") if u}


def services(sparql: str, base_iri: str | None = None, found: Scan | None = None) -> list[Service]:
    """Every SERVICE clause of the text. `<` is read by context, and also both other ways, so
    that no clause can hide behind an ambiguous `<` (a clause found by any reading counts)."""
    readings = [found or scan(sparql, base_iri)]
    readings += [scan(sparql, base_iri, lt="iri"), scan(sparql, base_iri, lt="operator")]
    seen: dict[tuple[int, str], Service] = {}
    for reading in readings:
        for service in reading.services:
            seen.setdefault((service.offset, service.written), service)
    return sorted(seen.values(), key=lambda s: s.offset)


def check_services(
    sparql: str, config: Any, base_iri: str | None = None, found: Scan | None = None
) -> None:
    """Refuse (ServiceRefused, a 400) the first SERVICE clause that may not be called."""
    allowed = allowlist(config)
    for service in services(sparql, base_iri, found):
        if service.endpoint is None:
            raise ServiceRefused(
                f"SERVICE {service.written or '(nothing)'}: {service.problem}; a SERVICE must "
                "name an endpoint IRI on the service_allowlist setting"
            )
        endpoint = normalize(service.endpoint)
        if endpoint not in allowed:
            listed = "it is empty" if not allowed else "listed: " + ", ".join(sorted(allowed))
            raise ServiceRefused(
                f"SERVICE <{service.endpoint}>: this endpoint is not in the service_allowlist "
                f"setting (KG_SERVICE_ALLOWLIST; {listed})"
            )
        if urlsplit(endpoint).scheme not in _DEFAULT_PORTS:
            raise ServiceRefused(
                f"SERVICE <{service.endpoint}>: only http and https endpoints can be called"
            )
        if not config.service_allow_private:
            _check_public(service.endpoint)


def _check_public(url: str) -> None:
    """Refuse an endpoint whose host is, or resolves to, a non-public address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, parts.port or _DEFAULT_PORTS[parts.scheme.lower()])
        except (OSError, UnicodeError) as err:
            raise ServiceRefused(f"SERVICE <{url}>: cannot resolve {host!r}: {err}") from None
        addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise ServiceRefused(
                f"SERVICE <{url}>: {host} is a loopback, private or link-local address "
                f"({address}); set service_allow_private to call it"
            )
