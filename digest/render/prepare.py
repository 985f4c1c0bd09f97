"""The prepared template: premailer runs once per theme, on the template itself.

Inlining CSS costs 50-150 ms a page; rendering a Jinja2 template costs well under a
millisecond. So instead of rendering and then inlining every variant of an issue, the
theme's HTML template is inlined once and every variant is plain Jinja2:

1. **Flatten.** ``digest.html.j2`` and the partials it includes become one Jinja2 source
   with whitespace control already applied (``trim_blocks``/``lstrip_blocks``/``-``), so
   the text between tags is exactly what a render would output. Each include becomes a
   ``{% with %}`` block, which scopes its ``{% set %}`` the way an include does.
2. **Protect.** Every ``{% statement %}`` becomes an HTML comment marker and every
   ``{{ expression }}`` a unique alphanumeric token, which lxml and premailer carry
   through untouched (in text and in attribute values).
3. **Inline.** premailer inlines the stylesheet into that document, once.
4. **Restore.** Markers and tokens turn back into the original Jinja2 code; any ``{``
   premailer's output puts next to ``{``, ``%`` or ``#`` is escaped. The markers must come
   back complete and in order, else the theme broke a rule below and gets a clear error.

What is identical: for any context, parsing the prepared template's output with lxml and
serialising it again (:func:`canonical_html`, the same parse and serialisation premailer
does) gives *byte for byte* what premailer gives for the rendered original template. The
raw bytes differ only where lxml would re-escape a value (``'`` and ``"`` stay escaped
as Jinja escapes them, URLs are not percent-encoded by lxml), which no client sees.

Rules for theme authors (checked where possible, documented in the README):

- No Jinja statement inside a tag or an attribute value, in ``<style>``, ``<title>`` or a
  conditional comment: put ``{% if %}`` around whole elements. Every branch and loop body
  holds balanced elements.
- No Jinja expression inside ``style="..."`` or ``<style>``; no dynamic class names (the
  stylesheet is matched against the template, not the output).
- No selector that depends on siblings or position (``+``, ``~``, ``:first-child``,
  ``:nth-child()``, ``:last-child``, ``:empty``...) outside ``@media``; loops create the
  siblings only when rendering. ``@media`` blocks stay top-level (premailer has crashed on
  nested ones).
- ``{% include "literal.html.j2" %}`` only; no ``{% extends %}``, ``{% import %}`` or
  ``{% from %}``. Macros and ``{% set %}`` blocks are inlined where they are *defined*.
- Values print as text (autoescaped); a value marked safe that holds markup is not inlined.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import DigestError, RenderError

if TYPE_CHECKING:
    from jinja2 import Environment

# The stylesheet goes where the template's <style> holds this comment.
STYLESHEET_SLOT = "/*STYLESHEET*/"

# Merge tags lxml would mangle in an href (percent-encoding spaces, escaping "<"): SendGrid's
# <%...%>, Handlebars/Mustache/Go {{ ... }} and {{{ ... }}}, Mailchimp's *|...|*.
MERGE_TAG = re.compile(
    r"<%[^<>%\"]{1,80}%>|\{\{\{?[^{}<>\"]{1,80}\}?\}\}|\*\|[A-Za-z0-9_:.]{1,40}\|\*"
)

_FORBIDDEN_TAGS = {
    "extends": "{% extends %} is not supported in an HTML theme; use {% include %}",
    "import": "{% import %} is not supported in an HTML theme; define macros in the file or include a partial",
    "from": "{% from ... import %} is not supported in an HTML theme; define macros in the file or include a partial",
}
# Selectors whose matches depend on siblings the loops create only when rendering.
_POSITIONAL = re.compile(
    r":(first|last|only|nth)-(child|of-type|last-child|last-of-type)|:nth-|:empty|:has\(|[+~]",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Piece:
    """One run of a flattened template: literal text, a statement or an expression."""

    kind: Literal["data", "stmt", "expr"]
    text: str  # data: the literal text; stmt: "{% ... %}"; expr: "{{ ... }}"
    origin: str = ""  # "partials/lead.html.j2:12", for error messages


# -- 1. flatten ---------------------------------------------------------------------------


def flatten(env: Environment, name: str) -> list[Piece]:
    """The template ``name`` and everything it includes, as pieces with whitespace control
    applied (``"".join(p.text for p in pieces)`` renders like the template, without
    ``trim_blocks``/``lstrip_blocks``)."""
    pieces: list[Piece] = []
    _flatten_into(env, name, pieces, ())
    return _merge_data(pieces)


def _flatten_into(env: Environment, name: str, out: list[Piece], stack: tuple[str, ...]) -> None:
    import jinja2

    if name in stack:
        raise RenderError(f"{name}: includes itself ({' -> '.join((*stack, name))})")
    assert env.loader is not None
    try:
        source, filename, _ = env.loader.get_source(env, name)
        # Parse each file as written first, so a syntax error names its file and line
        # (the flattened template would only report a line of the combined source).
        env.parse(source, name, filename)
        tokens = list(env.lexer.tokeniter(source, name, filename))
    except jinja2.TemplateNotFound as err:
        where = f" (included from {stack[-1]})" if stack else ""
        raise RenderError(f"template not found: {err.name}{where}") from None
    except jinja2.TemplateSyntaxError as err:
        raise RenderError(f"{name}:{err.lineno}: template error: {err.message}") from None

    i = 0
    while i < len(tokens):
        lineno, kind, value = tokens[i]
        origin = f"{name}:{lineno}"
        if kind == "data":
            out.append(Piece("data", value, origin))
        elif kind == "comment_begin":
            while tokens[i][1] != "comment_end":
                i += 1
        elif kind in ("raw_begin", "raw_end"):
            pass  # the data inside a raw block is literal text, escaped again on output
        elif kind in ("block_begin", "variable_begin"):
            end = "block_end" if kind == "block_begin" else "variable_end"
            j = i + 1
            while tokens[j][1] != end:
                j += 1
            inner = tokens[i + 1 : j]
            code = "".join(v for _, _, v in inner).strip()
            if kind == "variable_begin":
                out.append(Piece("expr", "{{ " + code + " }}", origin))
            else:
                words = [(k, v) for _, k, v in inner if k != "whitespace"]
                keyword = words[0][1] if words and words[0][0] == "name" else ""
                if keyword in _FORBIDDEN_TAGS:
                    raise RenderError(f"{origin}: {_FORBIDDEN_TAGS[keyword]}")
                if keyword == "include":
                    target = _include_target(words, origin)
                    out.append(Piece("stmt", "{% with %}", origin))
                    _flatten_into(env, target, out, (*stack, name))
                    out.append(Piece("stmt", "{% endwith %}", origin))
                else:
                    out.append(Piece("stmt", "{% " + code + " %}", origin))
            i = j
        else:  # pragma: no cover - tokeniter yields nothing else at the top level
            raise RenderError(f"{origin}: unexpected template token {kind!r}")
        i += 1


def _include_target(words: list[tuple[str, str]], origin: str) -> str:
    import ast

    rest = words[1:]
    if rest[-2:] == [("name", "with"), ("name", "context")]:
        rest = rest[:-2]
    if len(rest) != 1 or rest[0][0] != "string":
        raise RenderError(
            f'{origin}: only {{% include "file" %}} with a literal file name is supported '
            "in an HTML theme"
        )
    return str(ast.literal_eval(rest[0][1]))


def _merge_data(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if piece.kind == "data" and not piece.text:
            continue
        if piece.kind == "data" and merged and merged[-1].kind == "data":
            merged[-1] = Piece("data", merged[-1].text + piece.text, merged[-1].origin)
        else:
            merged.append(piece)
    return merged


def literal(text: str) -> str:
    """Jinja2 source that outputs ``text`` verbatim."""
    return re.sub(r"\{(?=[{%#])", '{{ "{" }}', text)


def jinja_source(pieces: Iterable[Piece]) -> str:
    """The flattened template as Jinja2 source (compile without trim/lstrip)."""
    return "".join(literal(p.text) if p.kind == "data" else p.text for p in pieces)


# -- 2. protect, 3. inline, 4. restore ------------------------------------------------------


def _prefix(text: str) -> str:
    """A marker prefix that occurs nowhere in ``text``."""
    prefix = "djx"
    while prefix.lower() in text.lower():
        prefix += "q"
    return prefix


def protect(pieces: list[Piece], prefix: str) -> str:
    out = []
    for index, piece in enumerate(pieces):
        if piece.kind == "data":
            out.append(piece.text)
        elif piece.kind == "stmt":
            out.append(f"<!--{prefix}s{index}-->")
        else:
            out.append(f"{prefix}e{index}x")
    return "".join(out)


def restore(inlined: str, pieces: list[Piece], prefix: str) -> str:
    """Turn markers back into Jinja2 code; check that every one came back, in order."""
    marker = re.compile(rf"<!--{prefix}s(\d+)-->|{prefix}e(\d+)x")
    expected = [i for i, p in enumerate(pieces) if p.kind != "data"]
    out: list[str] = []
    position = 0
    seen: list[int] = []
    for match in marker.finditer(inlined):
        index = int(match.group(1) or match.group(2))
        kind = "stmt" if match.group(1) else "expr"
        if index >= len(pieces) or pieces[index].kind != kind:
            raise RenderError("theme: premailer's output holds an unknown template marker")
        out.append(literal(inlined[position : match.start()]))
        out.append(pieces[index].text)
        seen.append(index)
        position = match.end()
    out.append(literal(inlined[position:]))
    if seen != expected:
        raise RenderError(_broken_rule_message(pieces, expected, seen))
    return "".join(out)


def _broken_rule_message(pieces: list[Piece], expected: list[int], seen: list[int]) -> str:
    seen_set = set(seen)
    missing = [i for i in expected if i not in seen_set]
    culprit = pieces[missing[0]] if missing else None
    if culprit is None:
        for want, got in zip(expected, seen, strict=False):
            if want != got:
                culprit = pieces[want]
                break
    if culprit is None:  # pragma: no cover - duplicates only
        return "theme: a template marker came back twice from premailer"
    what = "statement" if culprit.kind == "stmt" else "expression"
    return (
        f"{culprit.origin}: the Jinja {what} {culprit.text} does not survive inlining; "
        "keep statements between whole elements (not inside a tag, an attribute, <style>, "
        "<title> or a conditional comment) and expressions out of style attributes"
    )


def check_protected(html: str, pieces: list[Piece], prefix: str) -> None:
    """Catch the rule breaks premailer would hide: Jinja statements inside a tag or an
    attribute value (the class list premailer matches against would hold a marker), and
    expressions in style attributes or ``<style>`` (premailer rewrites those)."""
    from lxml import etree
    from lxml import html as lxml_html

    marker = re.compile(rf"{prefix}([se])(\d+)")
    root = lxml_html.document_fromstring(html)

    def fail(found: re.Match[str], where: str) -> None:
        piece = pieces[int(found.group(2))]
        raise RenderError(
            f"{piece.origin}: {piece.text} {where}; a prepared theme keeps Jinja statements "
            "between whole elements and expressions out of style attributes"
        )

    for el in root.iter():
        if el.tag is etree.Comment:
            continue
        for name, value in el.attrib.items():
            if found := marker.search(name):
                fail(found, "sits inside a tag")
            found = marker.search(value)
            if found and (found.group(1) == "s" or name == "style"):
                fail(found, f"sits inside the {name} attribute")
        found = marker.search(el.text or "") if el.tag in ("style", "title", "textarea") else None
        if found and (el.tag == "style" or found.group(1) == "s"):
            fail(found, f"sits inside <{el.tag}>")


def check_stylesheet(css: str, origin: str) -> None:
    """Reject what premailer cannot inline faithfully into a template (see the rules)."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    depth = 0
    prelude = ""
    in_media = False
    for char in text:
        if char == "{":
            head = " ".join(prelude.split())
            if depth == 0:
                in_media = head.lower().startswith("@media")
                if not head.startswith("@") and (bad := _POSITIONAL.search(head)):
                    raise RenderError(
                        f"{origin}: selector {head!r} depends on sibling position "
                        f"({bad.group(0)!r}); the prepared template cannot inline it "
                        "(use a class, or move it inside @media)"
                    )
            elif depth == 1 and in_media and head.startswith("@"):
                raise RenderError(
                    f"{origin}: {head!r} is nested inside another at-rule; keep @media "
                    "blocks top-level (premailer fails on nested ones)"
                )
            depth += 1
            prelude = ""
        elif char == "}":
            depth = max(depth - 1, 0)
            prelude = ""
        elif char == ";" and depth == 0:
            prelude = ""
        else:
            prelude += char
    if depth:
        raise RenderError(f"{origin}: unbalanced braces")


# -- premailer, and the canonical form both paths share -------------------------------------


def _shield(html: str, extra: Iterable[str] = ()) -> tuple[str, list[str], str]:
    """Replace merge tags (and ``extra`` literals) by tokens lxml cannot mangle."""
    prefix = _prefix(html) + "m"
    saved: list[str] = []

    def keep(text: str) -> str:
        saved.append(text)
        return f"{prefix}{len(saved) - 1}x"

    for value in sorted(set(extra), key=len, reverse=True):
        if value:
            html = html.replace(value, keep(value))
    html = MERGE_TAG.sub(lambda m: keep(m.group(0)), html)
    return html, saved, prefix


def _unshield(html: str, saved: list[str], prefix: str) -> str:
    if not saved:
        return html
    return re.sub(rf"{prefix}(\d+)x", lambda m: saved[int(m.group(1))], html)


def run_premailer(html: str, css: str, *, keep: Iterable[str] = ()) -> str:
    """Inline ``css`` into ``html``, keeping media queries (and only them) in ``<style>``.

    - ``strip_important=False``: premailer's default also strips ``!important`` from the
      ``@media`` rules it keeps, and the inlined desktop widths then win on phones.
    - ``disable_basic_attributes=["width", "height"]``: else premailer rewrites pixel
      ``width``/``height`` attributes from CSS (``100%``, ``auto``), which Outlook ignores.
    - ``remove_classes=False``: the media queries select by class.
    - merge tags (and ``keep``) are shielded, else lxml percent-encodes ``{{ x }}`` in an href
      and escapes SendGrid's ``<%...%>``.
    """
    from premailer import Premailer

    if STYLESHEET_SLOT in html:
        html = html.replace(STYLESHEET_SLOT, css, 1)
    html, saved, prefix = _shield(html, keep)
    try:
        out = Premailer(
            html,
            strip_important=False,
            disable_basic_attributes=["width", "height"],
            remove_classes=False,
            keep_style_tags=False,
            cssutils_logging_level="CRITICAL",
            disable_validation=True,
            allow_network=False,
            exclude_pseudoclasses=True,
        ).transform(pretty_print=False)
    except Exception as err:  # premailer/cssutils raise all sorts on bad CSS
        raise RenderError(f"inlining the stylesheet failed: {type(err).__name__}: {err}") from None
    return _unshield(str(out), saved, prefix)


def canonical_html(html: str, *, keep: Iterable[str] = ()) -> str:
    """``html`` parsed and serialised the way premailer does (merge tags shielded)."""
    from lxml import etree

    html, saved, prefix = _shield(html, keep)
    stripped = html.strip()
    tree = etree.fromstring(stripped, etree.HTMLParser()).getroottree()
    doctype = tree.docinfo.doctype
    root = tree if doctype and stripped.startswith(doctype) else tree.getroot()
    out = etree.tostring(root, method="html", encoding="utf-8").decode("utf-8")
    return _unshield(out, saved, prefix)


# -- the whole preparation, cached ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreparedSource:
    source: str  # Jinja2 source, CSS inlined; compile without trim/lstrip
    flat: str  # the flattened, un-inlined source (for tests and debugging)


def prepare_source(env: Environment, name: str, css: str, *, css_origin: str) -> PreparedSource:
    """Flatten ``name``, inline ``css`` into it with premailer, and restore the Jinja code."""
    check_stylesheet(css, css_origin)
    pieces = flatten(env, name)
    flat = jinja_source(pieces)
    text = "".join(p.text for p in pieces) + css
    prefix = _prefix(text)
    protected = protect(pieces, prefix)
    check_protected(protected.replace(STYLESHEET_SLOT, ""), pieces, prefix)
    inlined = run_premailer(protected, css)
    return PreparedSource(source=restore(inlined, pieces, prefix), flat=flat)


def theme_files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            if not filename.startswith("."):
                yield Path(dirpath) / filename


# A template or stylesheet is a few KB. A bigger file would be read, hashed and inlined
# whole before anything could complain (a 2 GB one took minutes and gigabytes).
MAX_THEME_FILE_BYTES = 1 << 20


def _size(n: int) -> str:
    return f"{n / (1 << 30):.3g} GB" if n >= 1 << 30 else f"{n:,} bytes"


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detection for the in-process cache: names, sizes, mtimes (os.scandir:
    this runs for every page, so no pathlib)."""
    out: list[tuple[str, int, int]] = []

    def scan(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    scan(entry.path, f"{prefix}{entry.name}/")
                else:
                    stat = entry.stat()
                    if stat.st_size > MAX_THEME_FILE_BYTES:
                        raise RenderError(
                            f"{entry.path}: {_size(stat.st_size)}, too large for a template (over 1 MB)"
                        )
                    out.append((prefix + entry.name, stat.st_size, stat.st_mtime_ns))

    scan(str(folder), "")
    return tuple(out)


def content_hash(folder: Path) -> str:
    """What the on-disk cache is keyed by: every file's bytes, and the tool versions."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for package in ("digest", "premailer", "cssutils", "lxml", "jinja2"):
        try:
            digest.update(f"{package}={version(package)}\n".encode())
        except Exception:
            digest.update(f"{package}=?\n".encode())
    digest.update(b"prepare-v1\n")
    for path in theme_files(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


_lock = threading.Lock()
_memory: dict[tuple[str, tuple[tuple[str, int, int], ...]], PreparedSource] = {}


def prepared_source(
    env: Environment, folder: Path, *, cache_dir: Path | None = None
) -> PreparedSource:
    """The prepared ``digest.html.j2`` of the theme in ``folder``: from memory when the
    folder has not changed, else from ``cache_dir`` (keyed by content), else prepared now."""
    key = (str(folder), fingerprint(folder))
    with _lock:
        hit = _memory.get(key)
    if hit is not None:
        return hit
    disk: Path | None = None
    if cache_dir is not None:
        disk = cache_dir / "render" / f"{content_hash(folder)}.html.j2"
        if (prepared := _read_cached(disk)) is not None:
            with _lock:
                _memory[key] = prepared
            return prepared
    css_path = folder / "style.css"
    try:
        css = css_path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RenderError(f"{css_path}: cannot read the stylesheet: {err}") from None
    prepared = prepare_source(env, "digest.html.j2", css, css_origin=str(css_path))
    if disk is not None:
        body = prepared.flat + "\0" + prepared.source
        _write_quietly(disk, hashlib.sha256(body.encode()).hexdigest() + "\n" + body)
    with _lock:
        _memory[key] = prepared
    return prepared


def _read_cached(path: Path) -> PreparedSource | None:
    """A cached prepared template, or None if missing, unreadable or damaged (then it is
    simply prepared again)."""
    try:
        checksum, _, body = path.read_text("utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    flat, sep, source = body.partition("\0")
    if not sep or hashlib.sha256(body.encode()).hexdigest() != checksum:
        return None
    return PreparedSource(source=source, flat=flat)


def _write_quietly(path: Path, text: str) -> None:
    """A cache write that fails (read-only disk...) costs speed next time, nothing else."""
    from ..files import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode("utf-8"), durable=False)
    except (OSError, DigestError):
        pass


def clear_cache() -> None:
    with _lock:
        _memory.clear()
