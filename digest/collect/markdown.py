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
            entry = read_markdown(fetched.data, source.url, ctx, url_default=source.url)
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
            entry = read_markdown(ctx.fetcher.read_path(file), str(file), ctx)
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
        raise BadSourceData(f"bad front matter: {first_line(err)}") from None
    except (ValueError, TypeError, AttributeError):
        raise BadSourceData("bad front matter: not a mapping of keys to values") from None
    return (post.metadata if isinstance(post.metadata, dict) else {}), post.content


def read_markdown(
    raw: bytes, where: str, ctx: CollectContext, url_default: str | None = None
) -> Entry | None:
    """One Markdown document with YAML front matter → an ``Entry``."""
    meta, body = front_matter(decode_text(raw))
    stem = where.rstrip("/").rsplit("/", 1)[-1].removesuffix(".md").replace("-", " ")
    return Entry(
        title=scalar_text(meta.get("title")) or stem.strip(),
        url=scalar_text(meta.get("url") or meta.get("link")) or url_default,
        guid=scalar_text(meta.get("id") or meta.get("guid")),
        published=parse_date(_date_value(meta.get("date")), ctx.tz),
        updated=parse_date(_date_value(meta.get("updated")), ctx.tz),
        author=scalar_text(meta.get("author")),
        category=scalar_text(meta.get("category")),
        tags=_as_list(meta.get("tags")),
        description=scalar_text(meta.get("summary") or meta.get("description")),
        content=markdown_to_html(body) if body.strip() else None,
        content_html=True,
        image=scalar_text(meta.get("image")),
    )


def _date_value(value: Any) -> Any:
    return value if isinstance(value, str | int | float | date) else None


SOURCE_KINDS.add("markdown", SourceKind(config=MarkdownSource, collect=collect_markdown))
