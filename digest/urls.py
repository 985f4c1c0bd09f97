"""URLs: canonical forms for dedupe and matching, safe-link checks, and UTM tagging. Pure."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

# Query keys that only track the click, never change the page.
_TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
        "ref_src",
    }
)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in _TRACKING_KEYS


def _normal_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group()[1:], 16))
    return char if char in _UNRESERVED else match.group().upper()


def canonical_url(url: str) -> str:
    """The form two links to the same article share.

    Lower-cases scheme and host, drops default ports, ``www.`` is kept (it can be a
    different site), removes fragments, tracking parameters (``utm_*``, ``fbclid``,
    ``gclid``...), AMP variants (``/amp``, ``?amp``, ``amp.`` hosts) and trailing
    slashes, sorts the remaining query, and upgrades ``http`` to ``https``.
    """
    text = url.strip()
    try:
        # The fragment never matters; whitespace before it is as stray as at the end.
        parts = urlsplit(text.split("#", 1)[0].strip())
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return text
    host = (parts.hostname or "").lower().rstrip(".")
    while host.startswith("amp."):
        host = host[4:]
    if ":" in host:  # IPv6
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    # Every canonical form is https, so 443 is its default port whatever the scheme was.
    default = port is None or str(port) in (_DEFAULT_PORTS.get(scheme), "443")
    netloc = host if default else f"{host}:{port}"
    # Percent-escapes: decode the unreserved ones, upper-case the rest (RFC 3986 6.2.2).
    # Whitespace inside the path is kept (a browser sends it as %20): only the whole
    # link's surrounding whitespace is stray, as in the WHATWG URL parser.
    path = _ESCAPE.sub(_normal_escape, parts.path.rstrip("/"))
    path = quote(path, safe="/:@!$&'()*+,;=-._~%")
    # No empty segments (so no trailing or doubled slash) and no AMP segment.
    segments = [seg for seg in path.split("/") if seg and seg.lower() != "amp"]
    path = "/" + "/".join(segments) if segments else ""
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k) and k.lower() not in ("amp", "outputtype")
    ]
    query.sort()
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def link_scheme(url: str) -> str:
    return url.strip().split(":", 1)[0].lower() if ":" in url else ""


def is_safe_link(url: str | None) -> bool:
    """Only absolute ``http``, ``https`` and ``mailto`` links may reach the email."""
    if not url:
        return False
    text = url.strip()
    if any(ch in text for ch in "\x00\r\n\t<>\"'`") or text != url.strip():
        return False
    scheme = link_scheme(text)
    if scheme not in SAFE_SCHEMES:
        return False
    if scheme == "mailto":
        return len(text) > len("mailto:")
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return bool(parts.netloc) and text[len(scheme) :].startswith("://")


def add_utm(url: str, params: dict[str, str]) -> str:
    """Append UTM parameters to an http(s) link, keeping its query and any UTM it has."""
    if not params or link_scheme(url) not in ("http", "https"):
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    query += [(k, v) for k, v in params.items() if k not in present and v]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
