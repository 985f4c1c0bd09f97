"""``type = "markdown"``: a folder of ``.md`` files (or one file) with YAML front matter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from ..config import SourceConfig
from ..dates import parse_date
from ..errors import SourceError
from .registry import SOURCE_KINDS, CollectContext, Entry, SourceKind


class MarkdownSource(SourceConfig):
    type: Literal["markdown"]
    pattern: str = "*.md"
    recursive: bool = False


def markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).render(text)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def collect_markdown(source: SourceConfig, ctx: CollectContext) -> Iterator[Entry]:
    assert isinstance(source, MarkdownSource)
    if source.path is None:
        raise SourceError(source.display_name, "markdown sources read a local 'path'")
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
        entry = read_markdown_file(file, ctx)
        if entry is not None:
            yield entry


def read_markdown_file(file: Path, ctx: CollectContext) -> Entry | None:
    import frontmatter
    import yaml

    raw = ctx.fetcher.read_path(file)
    try:
        post = frontmatter.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        ctx_warn(file, "not UTF-8 text")
        return None
    except yaml.YAMLError as err:
        ctx_warn(file, f"bad front matter: {str(err).splitlines()[0]}")
        return None
    meta = post.metadata
    title = _str(meta.get("title")) or file.stem.replace("-", " ").strip()
    tags = _as_list(meta.get("tags"))
    return Entry(
        title=title,
        url=_str(meta.get("url") or meta.get("link")),
        guid=_str(meta.get("id") or meta.get("guid")),
        published=parse_date(meta.get("date"), ctx.tz),
        updated=parse_date(meta.get("updated"), ctx.tz),
        author=_str(meta.get("author")),
        category=_str(meta.get("category")),
        tags=tags,
        description=_str(meta.get("summary") or meta.get("description")),
        content=markdown_to_html(post.content) if post.content.strip() else None,
        content_html=True,
        image=_str(meta.get("image")),
    )


def ctx_warn(file: Path, reason: str) -> None:
    from ..log import warn

    warn(f"{file}: skipped: {reason}")


SOURCE_KINDS.add("markdown", SourceKind(config=MarkdownSource, collect=collect_markdown))
