"""The public address certificates print (their QR codes and credentials point to it), and the
warning when it is one nobody else can reach (loopback, private network, a bare host name)."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request

from ..domain.errors import N_


def base_url() -> str:
    """Where the QR codes point: PUBLIC_BASE_URL, else the address of the current request."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    try:
        return request.host_url.rstrip("/")
    except RuntimeError:
        return "http://localhost:5000"


def unreachable_reason(url: str) -> str | None:
    """Why a printed address would not work for a reader elsewhere, or None when it looks public:
    a loopback or private address, a name without a dot (localhost, an intranet host), or plain
    http (verifiers of did:web and most phones expect https)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").strip("[]")
    if not host:
        return N_("The address has no host name.")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost") or "." not in host:
            return N_("%(host)s is a name only this computer or this network knows.")
        if parts.scheme != "https":
            return N_("The address is not https: phones may warn, and did:web verifiers refuse it.")
        return None
    if ip.is_loopback:
        return N_("%(host)s is this computer's own (loopback) address.")
    if ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified:
        return N_("%(host)s is a private network address.")
    return N_("%(host)s is a bare IP address: certificates outlive addresses; use a domain name.")


def address_warning(url: str | None = None) -> dict | None:
    """{"url", "host", "reason"} when the QR codes would print an address others cannot reach."""
    url = url or base_url()
    reason = unreachable_reason(url)
    if reason is None:
        return None
    return {"url": url, "host": urlsplit(url).hostname or "", "reason": reason,
            "configured": bool(current_app.config.get("PUBLIC_BASE_URL"))}
