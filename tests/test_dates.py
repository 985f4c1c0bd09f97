"""Dates: the issue window (7 days, DST-safe) and reading dates from sources."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.dates import issue_window, parse_date
from digest.errors import UsageError

ZONES = [
    "UTC",
    "Asia/Singapore",
    "Europe/London",
    "America/New_York",
    "America/Santiago",  # DST changes at midnight: some local midnights do not exist
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Chatham",
    "Asia/Kathmandu",
]
zones = st.sampled_from(ZONES).map(ZoneInfo)
days = st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31))


@given(days, zones)
def test_window_is_the_seven_calendar_days_ending_on_the_issue_date(
    day: date, tz: ZoneInfo
) -> None:
    window = issue_window(day, tz)
    assert window.since.tzinfo is not None and window.until.tzinfo is not None
    assert window.since.date() == day - timedelta(days=6)
    assert window.until.date() == day + timedelta(days=1)
    assert window.since.time() == time.min == window.until.time()
    # DST-safe: the week is 168 hours, give or take the shifts inside it
    hours = (window.until - window.since).total_seconds() / 3600
    assert 166 <= hours <= 170


@given(days, zones, st.times())
def test_window_contains_every_moment_of_the_issue_date(
    day: date, tz: ZoneInfo, moment: time
) -> None:
    window = issue_window(day, tz)
    local = datetime.combine(day, moment, tz)
    assert window.contains(local)
    assert window.contains(datetime.combine(day - timedelta(days=6), moment, tz))
    assert not window.contains(datetime.combine(day + timedelta(days=1), moment, tz))
    assert not window.contains(datetime.combine(day - timedelta(days=7), moment, tz))


@given(days, days, zones)
def test_since_and_until_override_either_end(a: date, b: date, tz: ZoneInfo) -> None:
    since, until = min(a, b), max(a, b)
    window = issue_window(until, tz, since=since, until=until)
    assert window.since.date() == since and window.until.date() == until + timedelta(days=1)


def test_since_after_until_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--since 2025-12-06 is after --until 2025-12-05"):
        issue_window(date(2025, 12, 5), UTC, since=date(2025, 12, 6))


def test_since_1970_takes_everything() -> None:
    window = issue_window(date(2025, 12, 5), UTC, since=date(1970, 1, 1))
    assert window.contains(datetime(1999, 1, 1, tzinfo=UTC))


SGT = ZoneInfo("Asia/Singapore")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wed, 03 Dec 2025 08:30:00 +0800", datetime(2025, 12, 3, 8, 30, tzinfo=SGT)),
        ("Wed, 03 Dec 2025 00:30:00 GMT", datetime(2025, 12, 3, 0, 30, tzinfo=UTC)),
        ("2025-12-03T08:30:00Z", datetime(2025, 12, 3, 8, 30, tzinfo=UTC)),
        ("2025-12-03T08:30:00", datetime(2025, 12, 3, 8, 30, tzinfo=SGT)),  # naive: config tz
        ("2025-12-03", datetime(2025, 12, 3, tzinfo=SGT)),
        (date(2025, 12, 3), datetime(2025, 12, 3, tzinfo=SGT)),
        (datetime(2025, 12, 3, 8, 30), datetime(2025, 12, 3, 8, 30, tzinfo=SGT)),
        ("2025-12-03T08:30:00.123+08:00", datetime(2025, 12, 3, 8, 30, 0, 123000, tzinfo=SGT)),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw: object, expected: datetime | None) -> None:
    parsed = parse_date(raw, SGT)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


@given(st.text(max_size=40))
def test_parse_date_never_raises_and_is_always_aware(raw: str) -> None:
    parsed = parse_date(raw, SGT)
    assert parsed is None or parsed.tzinfo is not None
