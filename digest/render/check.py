"""``digest check``: a linter for any HTML email, ours or not.

One finding per line, ``SEVERITY rule: message``; errors are what breaks the email in a
major client (or the law: no unsubscribe link), warnings what degrades it. The checks:

- ``size``: over Gmail's 102 KB clipping limit (error), or within 10% of it (warning);
- ``forbidden-element``: ``<script>``, forms, ``<iframe>``/``<object>``/``<embed>``,
  ``<base>``, meta refresh (error); ``<svg>``, ``<video>``, ``<audio>``, ``<canvas>``
  (warning: most clients drop them);
- ``external-css``: ``<link rel=stylesheet>`` or ``@import`` (error);
- ``style-rules``: ``<style>`` content other than ``@media`` blocks and the usual client
  hacks that cannot be inlined (warning); ``class-only-styling``: elements that get a
  property only from such a rule, which Gmail and others drop (error);
  ``media-override``: an ``@media`` declaration without ``!important`` on a property the
  element sets inline, so it never applies (error);
- ``layout-css``: ``position``, ``float``, ``display:flex/grid``, ``flex-*``, ``grid-*`` in
  inline styles (error: Outlook for Windows ignores them);
- ``font-fallback``: a ``font-family`` without a generic family at the end (warning);
- ``img-alt`` (error), ``img-size`` (no pixel ``width`` attribute: error; no ``height``:
  warning);
- ``unsafe-url``: ``javascript:``, ``vbscript:``, ``data:`` (other than images) and other
  schemes outside http, https, mailto, tel (error); ``event-handler``: ``on*`` attributes
  (error); ``relative-url``: relative, protocol-relative or empty URLs (error; merge tags
  and ``#fragments`` pass);
- ``html-lang`` (warning), ``charset`` (error), ``title`` and ``viewport`` (warning),
  ``preheader`` (warning: no hidden preview text first in the body), ``unsubscribe``
  (error: no unsubscribe link or merge tag), ``layout-table-role`` (warning: a layout
  table without ``role="presentation"``), ``content-width`` (warning: wider than 640 px,
  or no fixed width at all).

lxml, cssselect and cssutils (premailer's own dependencies) are imported lazily.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from . import GMAIL_CLIP_BYTES

Severity = Literal["error", "warning"]

_BLOCKED = {
    "script": "scripts never run in email and get the message filtered",
    "form": "forms do not work in most clients",
    "input": "form controls do not work in most clients",
    "select": "form controls do not work in most clients",
    "textarea": "form controls do not work in most clients",
    "button": "form controls do not work in most clients",
    "iframe": "embedded content is stripped",
    "frame": "embedded content is stripped",
    "frameset": "embedded content is stripped",
    "object": "embedded content is stripped",
    "embed": "embedded content is stripped",
    "applet": "embedded content is stripped",
    "base": "<base> changes every relative URL and most clients strip it",
}
_POORLY_SUPPORTED = {
    "svg": "Gmail and Outlook drop inline SVG; use a PNG",
    "video": "most clients show nothing; use an image that links to the video",
    "audio": "most clients show nothing",
    "canvas": "needs scripts, which never run",
}
_URL_ATTRIBUTES = ("href", "src", "background", "action", "poster", "cite", "longdesc")
# Merge tags of the common mail services pass as URLs (they become URLs when sent).
_MERGE_TAG = re.compile(
    r"^\s*(\{\{\{?.+?\}?\}\}|\*\|.+?\|\*|<%.+?%>|%%?[\w.]+%%?|\[[\w .]+\]|\$\{?[\w.]+\}?)"
)
_UNSUB_TAG = re.compile(
    r"\*\|UNSUB\|\*|\{\{\{?[^}]*unsub[^}]*\}?\}\}|<%[^%]*unsubscribe[^%]*%>|"
    r"\[unsubscribe\]|%%?unsubscribe[\w]*%%?|<unsubscribe>",
    re.IGNORECASE,
)
_GENERIC_FONTS = {
    "serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui",
    "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong",
}  # fmt: skip
# <style> rules that exist only to fix clients and cannot be inlined.
_CLIENT_HACK = re.compile(
    r"#outlook|\.ExternalClass|\bu\s*\+|x-apple-data-detectors|\[data-ogs[cb]\]|:root|"
    r"\.gmail|#MessageViewBody|\.yshortcuts|:hover|:focus|:active|:visited|::?before|::?after",
    re.IGNORECASE,
)
_LAYOUT_CSS = re.compile(
    r"(?:^|;)\s*(position\s*:\s*(?!static)[a-z-]+|float\s*:\s*(?:left|right)|"
    r"display\s*:\s*(?:inline-)?(?:flex|grid)|(?:flex|grid)(?:-[a-z-]+)?\s*:|gap\s*:)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    rule: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{self.severity.upper()} {self.rule}: {where}{self.message}"


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


# No email comes near this (200x Gmail's clipping limit); a bigger file is reported by its
# size alone instead of being parsed (lxml would need gigabytes for a 2 GB file).
MAX_CHECKED_BYTES = 20 << 20


def check_oversized(size: int) -> list[Finding]:
    """The one finding for a file too big to parse (``size`` is a lower bound for stdin)."""
    return [
        Finding(
            "error",
            "size",
            f"{size:,} bytes, over Gmail's 102 KB clipping limit ({GMAIL_CLIP_BYTES:,} "
            f"bytes) and over {MAX_CHECKED_BYTES >> 20} MB: not checked further",
        )
    ]


def check_html(html: str | bytes) -> list[Finding]:
    """Every finding for one HTML email, in document order."""
    from lxml import etree
    from lxml import html as lxml_html

    data = html.encode("utf-8") if isinstance(html, str) else html
    findings: list[Finding] = []
    findings += _check_size(len(data))
    text = data.decode("utf-8", "replace")
    if not text.strip():
        return [*findings, Finding("error", "empty", "the file holds no HTML")]
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as err:
        return [*findings, Finding("error", "parse", f"not parseable as HTML: {err}")]
    for check in (
        _check_head,
        _check_elements,
        _check_urls_and_handlers,
        _check_inline_css,
        _check_images,
        _check_tables,
        _check_styles,
        _check_preheader,
        _check_unsubscribe,
    ):
        findings += check(root, text)
    return sorted(findings, key=lambda f: (f.line or 0, f.rule))


# -- size, head --------------------------------------------------------------------------


def _check_size(size: int) -> list[Finding]:
    if size > GMAIL_CLIP_BYTES:
        return [
            Finding(
                "error",
                "size",
                f"{size:,} bytes, over Gmail's 102 KB clipping limit ({GMAIL_CLIP_BYTES:,} "
                "bytes): Gmail cuts the message off at '[Message clipped]'",
            )
        ]
    if size > GMAIL_CLIP_BYTES * 0.9:
        return [
            Finding(
                "warning",
                "size",
                f"{size:,} bytes, within 10% of Gmail's clipping limit ({GMAIL_CLIP_BYTES:,}); "
                "click tracking and encoding add more when it is sent",
            )
        ]
    return []


def _check_head(root: Any, text: str) -> list[Finding]:
    out: list[Finding] = []
    if not root.get("lang"):
        out.append(
            Finding(
                "warning",
                "html-lang",
                "<html> has no lang: screen readers guess the language",
                root.sourceline,
            )
        )
    metas = root.iter("meta")
    has_charset = False
    has_viewport = False
    for meta in metas:
        if meta.get("charset"):
            has_charset = True
        content = (meta.get("content") or "").lower()
        if (meta.get("http-equiv") or "").lower() == "content-type" and "charset=" in content:
            has_charset = True
        if (meta.get("name") or "").lower() == "viewport":
            has_viewport = True
    if not has_charset:
        out.append(
            Finding(
                "error",
                "charset",
                "no <meta charset>: clients may show accented letters and symbols garbled",
            )
        )
    if not has_viewport:
        out.append(
            Finding("warning", "viewport", "no viewport <meta>: phones render it zoomed out")
        )
    title = root.find(".//title")
    if title is None or not (title.text_content() or "").strip():
        out.append(
            Finding("warning", "title", "no <title>: some clients and browsers show 'Untitled'")
        )
    return out


# -- elements, URLs, inline CSS, images, tables ------------------------------------------


def _tag(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _describe(el: Any) -> str:
    attrs = " ".join(
        f'{k}="{v[:40]}"' for k, v in el.attrib.items() if k in ("class", "id", "src", "href")
    )
    return f"<{_tag(el)}{' ' + attrs if attrs else ''}>"


def _elements(root: Any) -> Iterator[Any]:
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def _check_elements(root: Any, text: str) -> list[Finding]:
    out: list[Finding] = []
    for el in _elements(root):
        tag = _tag(el)
        if tag in _BLOCKED:
            out.append(
                Finding("error", "forbidden-element", f"<{tag}>: {_BLOCKED[tag]}", el.sourceline)
            )
        elif tag in _POORLY_SUPPORTED:
            out.append(
                Finding(
                    "warning",
                    "forbidden-element",
                    f"<{tag}>: {_POORLY_SUPPORTED[tag]}",
                    el.sourceline,
                )
            )
        elif tag == "link" and "stylesheet" in (el.get("rel") or "").lower():
            out.append(
                Finding(
                    "error",
                    "external-css",
                    f"<link rel=stylesheet href={el.get('href')!r}>: clients do not load "
                    "external stylesheets; inline the CSS",
                    el.sourceline,
                )
            )
        elif tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            out.append(
                Finding("error", "forbidden-element", "<meta http-equiv=refresh>", el.sourceline)
            )
    return out


def _check_urls_and_handlers(root: Any, text: str) -> list[Finding]:
    out: list[Finding] = []
    for el in _elements(root):
        tag = _tag(el)
        for name, value in el.attrib.items():
            lname = name.lower()
            if lname.startswith("on"):
                out.append(
                    Finding(
                        "error",
                        "event-handler",
                        f"{_describe(el)} has {lname}=: scripts never run in email",
                        el.sourceline,
                    )
                )
            elif lname in _URL_ATTRIBUTES or (tag == "img" and lname == "srcset"):
                out += _check_url(el, lname, value)
        style = el.get("style") or ""
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", style):
            out += _check_url(el, "style url()", url)
    return out


def _check_url(el: Any, attribute: str, value: str) -> list[Finding]:
    url = value.strip()
    where = f"{_describe(el)} {attribute}"
    if _MERGE_TAG.match(url) or url.startswith("#"):
        return []
    if not url:
        return [Finding("error", "relative-url", f"{where} is empty", el.sourceline)]
    compact = re.sub(r"[\s\x00-\x1f]", "", url).lower()
    scheme = compact.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9+.-]*:", compact) else ""
    if scheme in ("javascript", "vbscript") or (
        scheme == "data" and not (_tag(el) == "img" and compact.startswith("data:image/"))
    ):
        return [Finding("error", "unsafe-url", f"{where} is a {scheme}: URL", el.sourceline)]
    if scheme == "data":
        return [
            Finding(
                "warning",
                "unsafe-url",
                f"{where} is a data: image; Gmail and Outlook do not show them",
                el.sourceline,
            )
        ]
    if scheme in ("http", "https", "mailto", "tel", "cid", "sms"):
        return []
    if scheme:
        return [
            Finding(
                "error",
                "unsafe-url",
                f"{where} uses {scheme}:, which mail clients do not open safely",
                el.sourceline,
            )
        ]
    kind = "protocol-relative" if url.startswith("//") else "relative"
    return [
        Finding(
            "error",
            "relative-url",
            f"{where} is {kind} ({url[:60]!r}); an email has no base URL",
            el.sourceline,
        )
    ]


def _declarations(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep and name.strip():
            out[name.strip().lower()] = value.strip()
    return out


def _check_inline_css(root: Any, text: str) -> list[Finding]:
    out: list[Finding] = []
    for el in _elements(root):
        style = el.get("style")
        if not style:
            continue
        if found := _LAYOUT_CSS.search(style):
            out.append(
                Finding(
                    "error",
                    "layout-css",
                    f"{_describe(el)} uses '{found.group(1).strip()}': Outlook for Windows "
                    "ignores position, float, flex and grid; lay out with tables",
                    el.sourceline,
                )
            )
        family = _declarations(style).get("font-family")
        if family and not _has_generic_font(family):
            out.append(
                Finding(
                    "warning",
                    "font-fallback",
                    f"{_describe(el)} font-family '{family}' ends without a generic family "
                    "(serif, sans-serif...): a client without that font picks its own",
                    el.sourceline,
                )
            )
    return out


def _has_generic_font(family: str) -> bool:
    last = family.split(",")[-1].strip().strip("'\"").lower()
    return last in _GENERIC_FONTS


def _check_images(root: Any, text: str) -> list[Finding]:
    out: list[Finding] = []
    for img in root.iter("img"):
        if img.get("alt") is None:
            out.append(
                Finding(
                    "error",
                    "img-alt",
                    f"{_describe(img)} has no alt: with images off (Outlook's default) it "
                    "shows nothing useful, and screen readers read the file name",
                    img.sourceline,
                )
            )
        width = (img.get("width") or "").strip()
        if not width.isdigit():
            got = f"width={width!r}" if width else "no width attribute"
            out.append(
                Finding(
                    "error",
                    "img-size",
                    f"{_describe(img)} has {got}: Outlook for Windows shows it at its "
                    "file's pixel size; give a pixel width",
                    img.sourceline,
                )
            )
        if not (img.get("height") or "").strip():
            out.append(
                Finding(
                    "warning",
                    "img-size",
                    f"{_describe(img)} has no height attribute: the layout jumps as it loads",
                    img.sourceline,
                )
            )
    return out


def _check_tables(root: Any, text: str) -> list[Finding]:
    out: list[Finding] = []
    widest = 0
    widest_line = None
    for el in _elements(root):
        for value in (
            el.get("width") or "",
            *re.findall(
                r"(?:^|;)\s*(?:min-|max-)?width\s*:\s*([\d.]+)px", el.get("style") or "", re.I
            ),
        ):
            value = value.strip().removesuffix("px")
            if value.isdigit() and int(value) > widest:
                widest, widest_line = int(value), el.sourceline
        if _tag(el) != "table":
            continue
        if (el.get("role") or "").lower() in ("presentation", "none"):
            continue
        is_data = el.find(".//th") is not None or el.find(".//caption") is not None
        if not is_data and el.find(".//thead") is None:
            out.append(
                Finding(
                    "warning",
                    "layout-table-role",
                    f'{_describe(el)} has no role="presentation": screen readers announce '
                    "it as a data table",
                    el.sourceline,
                )
            )
    if widest > 640:
        out.append(
            Finding(
                "warning",
                "content-width",
                f"a fixed width of {widest}px: wider than most reading panes (keep to 600-640)",
                widest_line,
            )
        )
    elif widest == 0:
        out.append(
            Finding(
                "warning",
                "content-width",
                "no fixed pixel width anywhere: Outlook for Windows stretches it to the window",
            )
        )
    return out


# -- <style> ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Rule:
    selector: str
    declarations: dict[str, tuple[str, bool]]  # name -> (value, important)
    line: int | None
    media: str | None


def _parse_styles(root: Any) -> tuple[list[_Rule], list[Finding]]:
    import logging

    import cssutils  # type: ignore[import-untyped]

    cssutils.log.setLevel(logging.CRITICAL)
    parser = cssutils.CSSParser(validate=False, raiseExceptions=False)
    rules: list[_Rule] = []
    out: list[Finding] = []
    for style in root.iter("style"):
        css = style.text or ""
        base = style.sourceline or 0
        sheet = parser.parseString(css)
        # cssutils skips an @import that is not first; a client may still fetch it.
        if "@import" in css.lower() and not any(r.type == r.IMPORT_RULE for r in sheet):
            out.append(
                Finding(
                    "error",
                    "external-css",
                    "@import in <style>: clients do not load external stylesheets",
                    base,
                )
            )

        def line_of(rule: Any, base: int = base, css: str = css) -> int | None:
            head = (rule.selectorText if hasattr(rule, "selectorText") else "").split(",")[0]
            at = css.find(head.strip()) if head.strip() else -1
            return base + css.count("\n", 0, at) if at >= 0 else base or None

        for rule in sheet:
            if rule.type == rule.STYLE_RULE:
                rules.append(_as_rule(rule, line_of(rule), None))
            elif rule.type == rule.MEDIA_RULE:
                media = rule.media.mediaText
                for inner in rule:
                    if inner.type == inner.STYLE_RULE:
                        rules.append(_as_rule(inner, line_of(inner), media))
            elif rule.type == rule.IMPORT_RULE:
                out.append(
                    Finding(
                        "error",
                        "external-css",
                        f"@import {rule.href!r}: clients do not load external stylesheets",
                        base,
                    )
                )
            elif rule.type in (rule.COMMENT, rule.CHARSET_RULE, rule.FONT_FACE_RULE):
                continue
            else:
                out.append(
                    Finding(
                        "warning",
                        "style-rules",
                        f"<style> holds {rule.cssText.split('{')[0].strip()[:60]!r}, "
                        "which most clients drop",
                        base,
                    )
                )
    return rules, out


def _as_rule(rule: Any, line: int | None, media: str | None) -> _Rule:
    declarations = {
        prop.name.lower(): (prop.value, prop.priority == "important") for prop in rule.style
    }
    return _Rule(rule.selectorText, declarations, line, media)


def _select(root: Any, selector: str) -> list[Any]:
    from cssselect import SelectorError
    from lxml.cssselect import CSSSelector

    try:
        return list(CSSSelector(selector)(root))
    except (SelectorError, ValueError, Exception):  # unsupported pseudo-classes
        return []


def _check_styles(root: Any, text: str) -> list[Finding]:
    rules, out = _parse_styles(root)
    for rule in rules:
        selectors = [s.strip() for s in rule.selector.split(",") if s.strip()]
        if rule.media is None:
            if all(_CLIENT_HACK.search(s) for s in selectors):
                continue
            out.append(
                Finding(
                    "warning",
                    "style-rules",
                    f"<style> rule '{rule.selector[:60]}' is outside @media: inline it "
                    "(Gmail and others drop or limit <style>)",
                    rule.line,
                )
            )
            lacking: list[Any] = []
            missing_props: set[str] = set()
            for selector in selectors:
                if _CLIENT_HACK.search(selector):
                    continue
                for el in _select(root, selector):
                    inline = _declarations(el.get("style") or "")
                    missing = {p for p in rule.declarations if p not in inline}
                    if missing:
                        lacking.append(el)
                        missing_props |= missing
            if lacking:
                out.append(
                    Finding(
                        "error",
                        "class-only-styling",
                        f"{len(lacking)} element(s), first {_describe(lacking[0])} at line "
                        f"{lacking[0].sourceline}, get {', '.join(sorted(missing_props))} only "
                        f"from the <style> rule '{rule.selector[:60]}'; clients that drop "
                        "<style> show them unstyled",
                        rule.line,
                    )
                )
        else:
            overridden: list[tuple[Any, str]] = []
            for selector in selectors:
                for el in _select(root, selector):
                    inline = _declarations(el.get("style") or "")
                    overridden += [
                        (el, prop)
                        for prop, (_, important) in rule.declarations.items()
                        if not important and prop in inline
                    ]
            if overridden:
                el, prop = overridden[0]
                out.append(
                    Finding(
                        "error",
                        "media-override",
                        f"@media {rule.media}: '{rule.selector[:50]} {{ {prop} }}' lacks "
                        f"!important, so the inline {prop} of {_describe(el)} (line "
                        f"{el.sourceline}) always wins and the override never applies",
                        rule.line,
                    )
                )
    return out


# -- preheader, unsubscribe ---------------------------------------------------------------


def _hidden(el: Any) -> bool:
    d = _declarations(el.get("style") or "")
    return (
        d.get("display", "").startswith("none")
        or d.get("mso-hide") == "all"
        or d.get("opacity", "").strip() in ("0", "0.0")
        or (d.get("max-height", "").strip() in ("0", "0px") and "overflow" in d)
    )


def _check_preheader(root: Any, text: str) -> list[Finding]:
    body = root.find("body")
    if body is None:
        return []
    for el in body.iter():
        if not isinstance(el.tag, str) or _tag(el) in ("style", "script"):
            continue
        own = (el.text or "").strip()
        if own:
            chain = [el, *el.iterancestors()]
            if any(_hidden(a) for a in chain if a is not body and _tag(a) != "html"):
                return []
            return [
                Finding(
                    "warning",
                    "preheader",
                    "the first text in <body> is visible, so inbox previews show "
                    f"{own[:40]!r}...: start the body with hidden preview text (a preheader)",
                    el.sourceline,
                )
            ]
    return []


def _check_unsubscribe(root: Any, text: str) -> list[Finding]:
    for a in root.iter("a"):
        label = " ".join((a.text_content() or "", a.get("title") or "", a.get("href") or ""))
        if (
            re.search(r"unsubscri|opt[ -]?out", label, re.IGNORECASE)
            and (a.get("href") or "").strip()
        ):
            return []
    if _UNSUB_TAG.search(text):
        return []
    return [
        Finding(
            "error",
            "unsubscribe",
            "no unsubscribe link or merge tag: required for bulk mail (CAN-SPAM, GDPR, "
            "Gmail's and Yahoo's sender rules)",
        )
    ]
