"""Feed health: recorded every run, unhealthy sources reported once, `digest sources`."""

from __future__ import annotations

import logging
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.collect import collect
from digest.collect.health import HealthLog, health_path, health_table_rows, source_key
from digest.config import Config, load_config
from digest.dates import issue_window

from .helpers import SAMPLE_DATE, run_digest, write

DATA = Path(__file__).parent / "data"
SGT = ZoneInfo("Asia/Singapore")
WINDOW = issue_window(date(2025, 12, 5), SGT)
NOW = datetime(2025, 12, 5, 23, 0, tzinfo=SGT)


def config(tmp_path: Path, extra: str = "") -> Config:
    body = (
        '[digest]\ntimezone = "Asia/Singapore"\nmin_stories = 1\n'
        f"[health]\nfailures = 3\nsilent_weeks = 4\n{extra}"
        f'[[sources]]\ntype = "feed"\nname = "Good"\npath = "{DATA / "feeds/rss2.xml"}"\n'
        f'[[sources]]\ntype = "feed"\nname = "Flaky"\npath = "{tmp_path / "flaky.xml"}"\n'
    )
    return load_config(write(tmp_path / "digest.toml", body))


def run_week(
    cfg: Config, week: int, caplog: pytest.LogCaptureFixture
) -> tuple[list[str], list[str]]:
    """One weekly run; returns (warnings, health notes)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="digest"):
        result = collect(cfg, WINDOW, now=NOW + timedelta(minutes=week))
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return warnings, result.health_notes


def test_a_failing_source_is_reported_unhealthy_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = config(tmp_path)
    flaky = tmp_path / "flaky.xml"
    flaky.write_bytes((DATA / "feeds/rss2.xml").read_bytes())
    assert run_week(cfg, 0, caplog) == ([], [])
    flaky.unlink()

    first, _ = run_week(cfg, 1, caplog)
    assert first == [f"source Flaky: file not found: {flaky}"]
    second, _ = run_week(cfg, 2, caplog)
    assert second == first
    third, notes = run_week(cfg, 3, caplog)
    assert third == [
        f"source Flaky is unhealthy: failed 3 runs in a row (last error: file not found: {flaky})"
    ]
    assert notes == [third[0].removeprefix("source ")]
    fourth, notes = run_week(cfg, 4, caplog)
    assert fourth == [] and notes == []
    assert "source Flaky: file not found" in caplog.text  # still there with -v (debug)

    flaky.write_bytes((DATA / "feeds/rss2.xml").read_bytes())
    assert run_week(cfg, 5, caplog) == ([], [])
    flaky.unlink()
    for week in (6, 7):
        assert len(run_week(cfg, week, caplog)[0]) == 1
    assert "is unhealthy" in run_week(cfg, 8, caplog)[0][0]  # reported again after recovery


def test_health_records_last_success_failures_error_and_items(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = config(tmp_path)
    run_week(cfg, 0, caplog)
    log = HealthLog.open(cfg)
    rows = log.rows()
    log.close()
    good = rows[source_key(cfg.sources[0])]
    flaky = rows[source_key(cfg.sources[1])]
    assert good.items_seen == 4 and good.consecutive_failures == 0
    assert good.last_success == NOW
    assert good.newest_item == datetime(2025, 12, 5, 7, 0, tzinfo=SGT)
    assert flaky.last_success is None and flaky.consecutive_failures == 1
    assert flaky.last_error is not None and "file not found" in flaky.last_error
    assert health_path(cfg) == Path(os.environ["DIGEST_DATA_DIR"]) / "digest.health.sqlite3"
    assert not cfg.state_path.exists()  # the history's file is left alone


def test_a_silent_source_is_reported_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "flaky.xml").write_bytes((DATA / "feeds/rss2.xml").read_bytes())
    cfg = config(tmp_path)
    later = issue_window(date(2026, 1, 30), SGT)  # eight weeks after the newest item
    now = datetime(2026, 1, 30, 12, tzinfo=SGT)
    with caplog.at_level(logging.INFO, logger="digest"):
        result = collect(cfg, later, now=now)
    assert result.health_notes == [
        "Good is unhealthy: no new items for 8 weeks (newest: 2025-12-05)",
        "Flaky is unhealthy: no new items for 8 weeks (newest: 2025-12-05)",
    ]
    again = collect(cfg, later, now=now + timedelta(days=7))
    assert again.health_notes == []


def test_building_a_past_issue_measures_silence_to_that_issue(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "flaky.xml").write_bytes((DATA / "feeds/rss2.xml").read_bytes())
    cfg = config(tmp_path)
    result = collect(cfg, WINDOW, now=datetime(2026, 6, 1, tzinfo=SGT))
    assert result.health_notes == []


def test_show_health_puts_the_note_in_the_footer(tmp_path: Path) -> None:
    cfg = config(tmp_path, "")
    assert cfg.source_file is not None
    text = cfg.source_file.read_text()
    cfg.source_file.write_text(
        text.replace("min_stories = 1\n", "min_stories = 1\nshow_health = true\n").replace(
            "failures = 3", "failures = 1"
        )
    )
    result = run_digest("build", "-c", str(cfg.source_file), "--date", SAMPLE_DATE)
    assert result.code == 0, result.stderr
    assert "Flaky is unhealthy: failed 1 runs in a row" in result.stdout
    assert "digest: warning: source Flaky is unhealthy" in result.stderr


def test_looking_at_the_issue_is_not_a_run(tmp_path: Path) -> None:
    """explain, preview rebuilds and a dry-run send leave the health alone: three of them
    must not make a source "unhealthy" and use up the report the weekly build should give."""
    from digest.pipeline import BuildOptions
    from digest.preview import Preview

    cfg = config(tmp_path, '[email]\nfrom = "desk@example.com"\n')
    assert cfg.source_file is not None
    args = ("-c", str(cfg.source_file), "--date", SAMPLE_DATE)
    for _ in range(3):
        assert run_digest("explain", *args).code == 0
    dry = run_digest("send", *args, "--dry-run", "--to", "reader@example.com")
    assert dry.code == 0, dry.stderr
    preview = Preview(cfg.source_file, lambda: BuildOptions(issue_date=date(2025, 12, 5)), port=0)
    for _ in range(3):
        assert preview.rebuild().error is None
    assert not health_path(cfg).exists()
    built = run_digest("build", *args)
    assert built.code == 0, built.stderr
    assert "digest: warning: source Flaky: file not found" in built.stderr
    assert [row[3] for row in health_table_rows(cfg)] == ["0", "1"]  # one run, one failure


def test_digest_sources_prints_the_table(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = config(tmp_path)
    before = run_digest("sources", "-c", str(cfg.source_file))
    assert before.code == 0, before.stderr
    assert "not run yet" in before.stdout
    for week in range(3):
        run_week(cfg, week, caplog)
    rows = health_table_rows(cfg)
    assert rows[0][0] == "Good" and rows[0][-1] == "ok" and rows[0][4] == "4"
    assert rows[1][0] == "Flaky" and rows[1][3] == "3" and rows[1][-1] == "unhealthy (failing)"
    after = run_digest("sources", "-c", str(cfg.source_file))
    assert after.code == 0
    assert "unhealthy (failing)" in after.stdout and "Good" in after.stdout
    assert after.stderr == ""
