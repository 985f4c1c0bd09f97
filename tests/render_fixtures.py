"""A fixed Digest for the render tests (tests/fixtures/digest.json), so goldens change only
when rendering changes, not when ranking or summaries do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digest.config import Config, parse_config
from digest.models import Digest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"


def fixture_digest() -> Digest:
    return Digest.model_validate_json((FIXTURES / "digest.json").read_text("utf-8"))


def render_config(*, esp: str = "generic", show_images: bool = False, **sections: Any) -> Config:
    data: dict[str, Any] = {
        "render": {"show_images": show_images, **sections.pop("render", {})},
        "email": {"esp": esp, **sections.pop("email", {})},
        **sections,
    }
    return parse_config(data)
