"""``digest init DIR``: a starter config and a copy of the default theme to customise."""

from __future__ import annotations

from pathlib import Path

from ..errors import DigestError, UsageError
from .themes import THEMES

STARTER_CONFIG = """\
# digest configuration: every key, with its default, is listed in the README.
# Build with:  digest build -c {config} -o digest.html
# Relative paths below are resolved against this file's folder.

[digest]
title = "The Weekly Digest"
timezone = "UTC"              # IANA name, e.g. "Asia/Singapore"
language = "en"               # <html lang>
max_stories = 8               # lead + top stories
min_stories = 3               # fewer: exit 3, nothing written (a quiet week)
trending_items = 6            # rows of "Hot this week"
# preheader = ""              # inbox preview text; default: the lead's summary

# One [[sources]] table per feed or folder. Add at least one:
#
# [[sources]]
# type = "feed"               # RSS/Atom
# url = "https://example.com/feed.xml"   # or path = "feeds/news.xml"
# name = "News desk"
# category = "News"           # for items without a category
#
# [[sources]]
# type = "markdown"           # a folder of .md files with YAML front matter
# path = "articles"

# [trending]                  # "Hot this week": CSV with rank,title,url[,views]
# path = "trending.csv"

[weather]
provider = "none"             # "file" (path = "weather.json") or "open-meteo" with [[weather.places]]

[render]
template_dir = "templates"    # this folder's copy of the default theme: edit away
show_images = false           # lead image (absolute http(s) URLs only)
utm = {{ enabled = true, source = "digest", medium = "email", campaign = "{{date:%Y-%m-%d}}" }}

[email]
esp = "generic"               # merge tags for: generic, mailchimp, sendgrid, postmark, listmonk
subject = "{{title}} — {{date:%d %B %Y}}"
# web_url = "https://example.com/digest/latest.html"   # view in browser, if you publish it
# unsubscribe_url = "https://example.com/unsubscribe"  # instead of the preset's merge tag
"""


def init_project(directory: Path, *, force: bool = False, theme: str = "default") -> list[Path]:
    """Write ``directory/digest.toml`` and copy the ``theme`` to ``directory/templates/``.
    Refuses to overwrite an existing file unless ``force``. Returns the files written."""
    source = THEMES.get(theme)
    config_path = directory / "digest.toml"
    target = directory / "templates"
    copies = [
        (path, target / path.relative_to(source))
        for path in sorted(source.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts
    ]
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: is a file, not a folder")
    existing = [p for p in (config_path, *(dst for _, dst in copies)) if p.exists()]
    if existing and not force:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        verb = "already exist" if more else "already exists"
        raise UsageError(f"{existing[0]}{more} {verb}; use --force to overwrite")
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        config_path.write_text(STARTER_CONFIG.format(config=config_path), "utf-8")
        written.append(config_path)
        for src, dst in copies:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
            written.append(dst)
    except OSError as err:
        raise DigestError(
            f"cannot write {err.filename or directory}: {err.strerror or err}"
        ) from None
    return written
