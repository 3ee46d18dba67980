"""Month and range windows: calendar months in UTC, half-open, deterministic labels."""

from __future__ import annotations

import pytest

from pinexport.csvfiles.window import month_window, parse_instant, range_window
from pinexport.errors import ConfigError

from csvdata import ts


def test_month_is_half_open_in_utc():
    w = month_window("2026-10")
    assert (w.since, w.until) == (ts(2026, 10, 1), ts(2026, 11, 1))
    assert w.label == w.month == "2026-10"


def test_december_rolls_over_to_january():
    w = month_window("2026-12")
    assert (w.since, w.until) == (ts(2026, 12, 1), ts(2027, 1, 1))


def test_february_leap_year():
    assert month_window("2028-02").until == ts(2028, 3, 1)
    assert month_window("2028-02").until - month_window("2028-02").since == 29 * 86400


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "26-10", "2026/10", "october", "0000-05", "9999-12"])
def test_bad_month_is_a_usage_error(bad):
    with pytest.raises(ConfigError, match="YYYY-MM"):
        month_window(bad)


def test_range_of_dates_has_a_date_label():
    w = range_window("2026-10-01", "2026-10-15")
    assert (w.since, w.until, w.label, w.month) == (ts(2026, 10, 1), ts(2026, 10, 15), "2026-10-01_2026-10-15", None)


def test_range_with_times_and_offsets_is_converted_to_utc():
    w = range_window("2026-10-01T02:00:00+02:00", "2026-10-02T12:30:00Z")
    assert (w.since, w.until) == (ts(2026, 10, 1), ts(2026, 10, 2, 12, 30))
    assert w.label == "20261001T000000Z_20261002T123000Z"


def test_naive_timestamp_is_utc():
    assert parse_instant("2026-10-01T05:00:00", "--since").hour == 5


def test_range_must_move_forward():
    with pytest.raises(ConfigError, match="after"):
        range_window("2026-10-02", "2026-10-01")
    with pytest.raises(ConfigError, match="ISO"):
        range_window("yesterday", "2026-10-01")
