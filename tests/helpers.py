"""Helpers shared by the tests: paths, running the real CLI, writing files."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_CONFIG = SAMPLES / "digest.toml"
SAMPLE_DATE = "2025-12-05"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


def run_digest(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 120,
) -> Result:
    """Run the real ``digest`` command in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "digest", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )
    return Result(
        code=proc.returncode,
        stdout=proc.stdout.decode("utf-8", "replace"),
        stderr=proc.stderr.decode("utf-8", "replace"),
        stdout_bytes=proc.stdout,
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
