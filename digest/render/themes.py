"""Themes: folders holding ``digest.html.j2``, ``digest.txt.j2``, partials and ``style.css``.

Built-in themes live in ``templates/<theme>/``; ``[render] template_dir`` points at a
user's own folder (``digest init`` writes a copy of the default theme to start from).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import RenderError
from ..registry import Registry
from ..resources import templates_dir

THEMES: Registry[Path] = Registry("themes", builtins="digest.render.builtin_themes", noun="theme")

REQUIRED_FILES = ("digest.html.j2", "digest.txt.j2", "style.css")


def theme_folder(theme: str, template_dir: Path | None = None) -> Path:
    folder = template_dir if template_dir is not None else THEMES.get(theme)
    if not folder.is_dir():
        raise RenderError(f"template folder not found: {folder}")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise RenderError(f"template folder {folder} lacks {', '.join(missing)}")
    return folder


def builtin_theme_names() -> list[str]:
    root = templates_dir()
    return (
        sorted(p.name for p in root.iterdir() if (p / "digest.html.j2").is_file())
        if root.is_dir()
        else []
    )
