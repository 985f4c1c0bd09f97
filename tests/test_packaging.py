"""Packaging and start-up: the wheel carries the templates; the CLI imports little."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .helpers import ROOT, SAMPLE_DATE

HEAVY = [
    "premailer",
    "lxml",
    "feedparser",
    "httpx",
    "trafilatura",
    "pysbd",
    "datasketch",
    "jinja2",
    "numpy",
]


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, json, digest.cli; "
        f"print(json.dumps([m for m in {[*HEAVY, 'pydantic']!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_help_loads_no_heavy_library() -> None:
    # (typer itself imports pydantic while printing help, so pydantic is not checked here)
    code = (
        "import sys, json\n"
        "from digest.cli import app\n"
        "try:\n    app(['build', '--help'])\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("digest-*.whl"))


def test_wheel_ships_templates_and_samples(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "digest/templates/default/digest.html.j2" in names
    assert "digest/templates/default/style.css" in names
    assert "digest/samples/digest.toml" in names
    assert not any(name.startswith("templates/") for name in names)


def test_installed_wheel_renders_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    """A non-editable install, run away from the checkout, still finds its templates."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Only the wheel's copy of digest is importable: the checkout is not on the path.
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "digest", "build", "--date", SAMPLE_DATE],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "bundled sample config" in proc.stderr
    assert str(site) in proc.stderr  # the sample came from the installed package
    assert "Hot this week" in proc.stdout
    located = subprocess.run(
        [sys.executable, "-c", "import digest; print(digest.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert located.stdout.startswith(str(site))
