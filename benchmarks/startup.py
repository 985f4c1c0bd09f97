"""Start-up: `digest --help` wall time next to a minimal Typer app's `--help`, same run.

    python benchmarks/startup.py [--runs 20]

Target (issue 2): digest at most 1.5x the minimal app. Both run as fresh interpreters,
interleaved, and the medians are compared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL_APP = '''
import typer

app = typer.Typer(no_args_is_help=True, add_completion=False)


@app.command()
def build(config: str = typer.Option(None, help="A config file.")) -> None:
    """Build something."""


@app.command()
def check(path: str) -> None:
    """Check something."""


app()
'''


def time_command(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        commands = {
            "digest --help": [sys.executable, "-m", "digest", "--help"],
            "digest build --help": [sys.executable, "-m", "digest", "build", "--help"],
            "minimal typer --help": [sys.executable, str(minimal), "--help"],
            "minimal build --help": [sys.executable, str(minimal), "build", "--help"],
        }
        for argv in commands.values():  # warm the OS file cache
            time_command(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(time_command(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["minimal typer --help"]
    for name, value in medians.items():
        print(f"{name:24s} {value * 1000:7.1f} ms  ({value / base:.2f}x minimal)")
    ratio = medians["digest --help"] / base
    sub = medians["digest build --help"] / medians["minimal build --help"]
    print(
        f"ratio digest --help / minimal --help: {ratio:.2f} (target <= 1.5) {'OK' if ratio <= 1.5 else 'OVER'}"
    )
    print(f"ratio digest build --help / minimal build --help: {sub:.2f}")


if __name__ == "__main__":
    main()
