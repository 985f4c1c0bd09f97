"""digest: collect a week of articles, rank and summarise them, render an email-safe digest.

Usable as a library::

    from datetime import date
    from pathlib import Path

    from digest.config import load_config
    from digest.pipeline import BuildOptions, build

    issue = build(load_config(Path("digest.toml")), BuildOptions(issue_date=date(2025, 12, 5)))
    print(issue.html)
"""

__version__ = "0.1.0"
