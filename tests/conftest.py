"""Shared fixtures. Tests never touch the user's real data/cache folders or the internet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from .helpers import SAMPLES

# CI runs the property tests with a fixed seed (`.ci/run` passes --hypothesis-profile=ci),
# so a green build stays green; run them locally without it to explore new examples, and
# turn what they find into an example test.
settings.register_profile("ci", derandomize=True, print_blob=True)


@pytest.fixture(autouse=True)
def _isolated_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("DIGEST_DATA_DIR", str(state / "data"))
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(state / "cache"))
    monkeypatch.delenv("DIGEST_CONFIG", raising=False)
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the samples folder (tests may edit it); returns its config path."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    return target / "digest.toml"


from .browser import browser  # noqa: E402, F401  (the fixture, for every test module)
