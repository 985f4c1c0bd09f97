"""Hardened XML: what every XML document from a source goes through first.

Two layers. ``refuse_entity_declarations`` rejects, before any parser sees it, a document
whose DOCTYPE declares entities — the shape of a billion-laughs bomb and of an external
entity (XXE) that would read a local file or call a URL. No real feed needs them. And the
lxml parsers here never resolve entities, never load a DTD, never touch the network and
keep libxml2's size limits (no ``huge_tree``), so even a document that slipped past the
first check cannot expand or fetch anything.
"""

from __future__ import annotations

import re
from typing import IO, Any

from ..errors import BadSourceData, first_line

SAFE_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_SPACE = re.compile(rb"[ \t\r\n]*")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _ascii_view(data: bytes) -> bytes:
    """The document in an ASCII-compatible encoding, for the prolog scan."""
    if data.startswith(_WIDE_BOMS) or (len(data) > 3 and b"\x00" in data[:4]):
        for encoding in ("utf-16", "utf-32", "utf-16-le", "utf-16-be"):
            try:
                return data.decode(encoding).encode("utf-8")
            except UnicodeDecodeError:
                continue
    return data


def declares_entities(data: bytes) -> bool:
    """True when the document's DOCTYPE has an internal subset declaring entities.

    Only the prolog is scanned for the DOCTYPE (so an article *about* XXE, quoting one in
    CDATA, is not refused); comments and processing instructions before it are skipped.
    """
    text = _ascii_view(data)
    pos = 3 if text.startswith(b"\xef\xbb\xbf") else 0
    while True:
        match = _SPACE.match(text, pos)
        pos = match.end() if match else pos
        if text.startswith(b"<?", pos):
            end = text.find(b"?>", pos + 2)
            if end < 0:
                return False
            pos = end + 2
        elif text.startswith(b"<!--", pos):
            end = text.find(b"-->", pos + 4)
            if end < 0:
                return False
            pos = end + 3
        elif text[pos : pos + 9].upper() == b"<!DOCTYPE":
            close = text.find(b">", pos)
            subset = text.find(b"[", pos)
            if subset < 0 or (0 <= close < subset):
                return False  # no internal subset: nothing is declared here
            return _ENTITY_DECL.search(text, subset) is not None
        else:
            return False


def refuse_entity_declarations(data: bytes) -> None:
    if declares_entities(data):
        raise BadSourceData(
            "refused: the document declares XML entities "
            "(an entity-expansion or external-entity attack, or a broken export)"
        )


def safe_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(**SAFE_PARSER_OPTIONS)


def parse_xml(data: bytes) -> Any:
    """The root element of a small XML document (OPML...), parsed safely."""
    from lxml import etree

    refuse_entity_declarations(data)
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as err:
        raise BadSourceData(f"malformed XML: {first_line(err)}") from None


def iterparse_xml(source: IO[bytes], events: tuple[str, ...]) -> Any:
    """A streaming parse with the same safe options (the caller refuses entities first)."""
    from lxml import etree

    return etree.iterparse(source, events=events, **SAFE_PARSER_OPTIONS)
