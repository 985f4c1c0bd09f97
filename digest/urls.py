"""URLs: canonical forms for dedupe and matching, safe-link checks, and UTM tagging. Pure."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

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
_AMP_PATH = re.compile(r"(/amp)+/?$|/amp/(?=.)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in _TRACKING_KEYS


def canonical_url(url: str) -> str:
    """The form two links to the same article share.

    Lower-cases scheme and host, drops default ports, ``www.`` is kept (it can be a
    different site), removes fragments, tracking parameters (``utm_*``, ``fbclid``,
    ``gclid``...), AMP variants (``/amp``, ``?amp``, ``amp.`` hosts) and trailing
    slashes, sorts the remaining query, and upgrades ``http`` to ``https``.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return text
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("amp."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or str(port) == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~%")
    path = _AMP_PATH.sub("/", path)
    path = re.sub(r"/{2,}", "/", path).rstrip("/")
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
