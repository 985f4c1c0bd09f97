"""``type = "markdown"``: a folder of ``.md`` files (or one file, or one URL) with YAML
front matter (title, url, date, category, tags, author, summary, image); the body is the
article's text. A file that cannot be read is skipped with a warning naming it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from ..config import SourceConfig
from ..dates import parse_date
from ..errors import BadSourceData, FetchError, SourceError, first_line
from ..log import warn
from .fetch import decode_text
from .registry import SOURCE_KINDS, CollectContext, Entry, SourceKind


class MarkdownSource(SourceConfig):
    type: Literal["markdown"]
    pattern: str = "*.md"
    recursive: bool = False


def markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).render(text)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [text for text in (scalar_text(v) for v in value[:100]) if text]
    one = scalar_text(value)
    return [one] if one else []


def scalar_text(value: Any) -> str | None:
    """Text of a scalar front-matter value. Lists and mappings are not text: never
    ``str()`` them (YAML aliases can make a small file a huge structure)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str | int | float | date):
        text = str(value).strip()
        return text or None
    return None


def collect_markdown(source: SourceConfig, ctx: CollectContext) -> Iterator[Entry]:
    assert isinstance(source, MarkdownSource)
    if source.url is not None:
        try:
            fetched = ctx.fetcher.fetch(source.url)
            entry = read_markdown(
                fetched.data,
                source.url,
                ctx,
                url_default=source.url,
                warn_as=f"source {source.display_name}",
            )
        except (FetchError, BadSourceData) as err:
            raise SourceError(source.display_name, str(err)) from None
        if entry is not None:
            yield entry
        return
    assert source.path is not None
    root = source.path
    if root.is_file():
        files = [root]
    elif root.is_dir():
        files = sorted(
            root.rglob(source.pattern) if source.recursive else root.glob(source.pattern)
        )
    else:
        raise SourceError(source.display_name, f"no such file or folder: {root}")
    for file in files:
        try:
            entry = read_markdown(
                ctx.fetcher.read_path(file),
                str(file),
                ctx,
                warn_as=f"source {source.display_name}: {file.name}",
            )
        except (FetchError, BadSourceData) as err:
            if len(files) == 1:
                raise SourceError(source.display_name, str(err)) from None
            warn(f"source {source.display_name}: {file.name}: skipped: {err}")
            continue
        if entry is not None:
            yield entry


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """A Markdown document's YAML front matter (empty if it has none) and its body.

    Read values with ``scalar_text``, never ``str()``: YAML aliases can make a few lines a
    structure of billions of items."""
    import frontmatter
    import yaml

    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as err:
        raise BadSourceData(f"bad front matter: {_yaml_problem(err, text)}") from None
    except (ValueError, TypeError, AttributeError):
        raise BadSourceData("bad front matter: not a mapping of keys to values") from None
    return (post.metadata if isinstance(post.metadata, dict) else {}), post.content


def read_markdown(
    raw: bytes,
    where: str,
    ctx: CollectContext,
    url_default: str | None = None,
    warn_as: str | None = None,
) -> Entry | None:
    """One Markdown document with YAML front matter → an ``Entry``. ``warn_as`` prefixes
    the warning about a date that cannot be read (none without it)."""
    meta, body = front_matter(_decode(raw))
    stem = where.rstrip("/").rsplit("/", 1)[-1].removesuffix(".md").replace("-", " ")
    published = parse_date(_date_value(meta.get("date")), ctx.tz)
    if published is None and meta.get("date") not in (None, "") and warn_as:
        # hand-written front matter: a typo must not make the article vanish unnoticed
        warn(
            f"{warn_as}: date {_shown(meta['date'])} is not a date "
            "(use YYYY-MM-DD); the article counts as undated"
        )
    return Entry(
        title=scalar_text(meta.get("title")) or stem.strip(),
        url=scalar_text(meta.get("url") or meta.get("link")) or url_default,
        guid=scalar_text(meta.get("id") or meta.get("guid")),
        published=published,
        updated=parse_date(_date_value(meta.get("updated")), ctx.tz),
        author=scalar_text(meta.get("author")),
        category=scalar_text(meta.get("category")),
        tags=_as_list(meta.get("tags")),
        description=scalar_text(meta.get("summary") or meta.get("description")),
        content=markdown_to_html(body) if body.strip() else None,
        content_html=True,
        image=scalar_text(meta.get("image")),
    )


def _decode(raw: bytes) -> str:
    try:
        return decode_text(raw)
    except FetchError:
        # A Markdown file has nowhere to declare a charset: say what fixes it instead.
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise BadSourceData(
                f"not UTF-8 (a bad byte at line {line}); save the file as UTF-8"
            ) from None
        raise


def _yaml_problem(err: Exception, text: str) -> str:
    """PyYAML's problem and where, in lines of the whole file, e.g. "did not find expected
    ',' or ']' at line 3, in a flow sequence that starts at line 2"."""
    # python-frontmatter hands PyYAML the text from the end of the opening "---" on, so
    # PyYAML's (0-based) line 0 is the "---" line.
    offset = 1 + text[: text.find("---")].count("\n")
    problem = getattr(err, "problem", None) or first_line(err)
    mark = getattr(err, "problem_mark", None)
    out = f"{problem} at line {mark.line + offset}" if mark is not None else problem
    context, start = getattr(err, "context", None), getattr(err, "context_mark", None)
    if context and start is not None:
        what = context.removeprefix("while parsing ").removeprefix("while scanning ")
        out += f", in {what} that starts at line {start.line + offset}"
    return out


def _shown(value: Any) -> str:
    """A front-matter value for a message: a scalar quoted, else only its kind (never the
    ``repr`` of a list, which YAML aliases can make billions of items long)."""
    text = scalar_text(value)
    return repr(text) if text is not None else f"(a {type(value).__name__})"


def _date_value(value: Any) -> Any:
    return value if isinstance(value, str | int | float | date) else None


SOURCE_KINDS.add("markdown", SourceKind(config=MarkdownSource, collect=collect_markdown))
