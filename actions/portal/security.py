"""Portal security: CSRF tokens, response headers (HSTS over HTTPS), safe redirect targets, the client's address."""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from aiohttp import web
from aiohttp_session import get_session

CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HSTS = "max-age=31536000; includeSubDomains"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


@web.middleware
async def csrf_middleware(request: web.Request, handler):
    """Every POST must carry the session's CSRF token in a form field (or X-CSRF-Token header)."""
    if request.method not in SAFE_METHODS:
        session = await get_session(request)
        expected = session.get("csrf")
        form = (
            await request.post() if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data") else {}
        )
        sent = form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token", "")
        if not expected or not isinstance(sent, str) or not secrets.compare_digest(expected, sent):
            raise web.HTTPForbidden(
                text="This form has expired or did not come from this site. Go back, reload the page and try again."
            )
    return await handler(request)


def security_headers(hsts: bool):
    """Middleware adding the security headers to every response, redirects and errors included.

    ``hsts``: tell browsers to use HTTPS only for a year (off only when PORTAL_ALLOW_HTTP is set)."""

    def add(headers) -> None:
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)

    @web.middleware
    async def middleware(request: web.Request, handler):
        try:
            response = await handler(request)
        except web.HTTPException as error:
            add(error.headers)
            raise
        add(response.headers)
        return response

    return middleware


# --- where to go after signing in ------------------------------------------------------------------

# C0 and C1 control characters and DEL: browsers silently drop tabs and newlines from URLs, so
# "/\t/evil.example" becomes "//evil.example", another site.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MAX_DECODES = 4


def _is_local_path(text: str) -> bool:
    if _CONTROL.search(text) or "\\" in text:  # browsers read "\" as "/" in http(s) URLs
        return False
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, otherwise ``default``.

    Checked as given and after each round of percent-decoding, so encoded slashes, backslashes and control
    characters ("/%2F%2Fevil.example", "/%5Cevil.example", double-encoded "/%252F...") are refused too, as
    are absolute and scheme-relative URLs and "javascript:". A path with a query string is kept as it is.
    """
    if not target or len(target) > 2000:
        return default
    candidate = target
    for _ in range(_MAX_DECODES):
        if not _is_local_path(candidate):
            return default
        decoded = unquote(candidate)
        if decoded == candidate:
            return target
        candidate = decoded
    return default  # still percent-encoded after several rounds: nothing legitimate looks like that


# --- the client's address ------------------------------------------------------------------------


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """PORTAL_TRUSTED_PROXIES as networks; a bad entry stops the portal with a clear message."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise SystemExit(f"PORTAL_TRUSTED_PROXIES: {value!r} is not an IP address or network") from None
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: web.Request, trusted_proxies: tuple[Network, ...]) -> str:
    """The address the request came from. X-Forwarded-For is believed only when the request itself came from
    a trusted proxy, and then only as far back as the addresses are trusted proxies too (rightmost first), so
    a client cannot choose its own address by sending the header."""
    remote = request.remote or "unknown"
    if not trusted_proxies or not _trusted(remote, trusted_proxies):
        return remote
    hops = [hop.strip() for header in request.headers.getall("X-Forwarded-For", []) for hop in header.split(",")]
    for hop in reversed(hops):
        if _trusted(hop, trusted_proxies):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return remote
    return remote
