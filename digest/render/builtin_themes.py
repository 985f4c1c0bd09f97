"""Importing this module registers the bundled themes (every folder of ``templates/``)."""

from ..resources import templates_dir
from .themes import THEMES, builtin_theme_names

for _name in builtin_theme_names():
    THEMES.add(_name, templates_dir() / _name)
