"""Golden files for the fixture digest: the HTML (prepared path) and the text part.

They change only when rendering changes. Rewrite them, after looking at the diff and at
screenshots, with ``DIGEST_UPDATE_GOLDEN=1 pytest tests/test_render_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.render import render_html, render_text

from .render_fixtures import GOLDEN, fixture_digest, render_config

CASES = {
    "digest.html": lambda: render_html(fixture_digest(), render_config()),
    "digest.txt": lambda: render_text(fixture_digest(), render_config()),
    "digest-mailchimp-images.html": lambda: render_html(
        fixture_digest(), render_config(esp="mailchimp", show_images=True)
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_golden(name: str) -> None:
    path: Path = GOLDEN / name
    actual = CASES[name]()
    if os.environ.get("DIGEST_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.exists(), f"no golden file {path}; create it with DIGEST_UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, (
        f"{name} differs from its golden file (DIGEST_UPDATE_GOLDEN=1 rewrites it)"
    )
