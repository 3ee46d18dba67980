"""Which events a CSV export covers: a calendar month or a half-open range, in UTC, and its file label."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pinexport.errors import ConfigError

UTC = dt.timezone.utc
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Window:
    """Events with `since <= event_time < until` (Unix seconds, UTC); `label` names the files."""

    since: int
    until: int
    label: str
    month: str | None = None

    def describe(self) -> str:
        span = f"{iso(self.since)} .. {iso(self.until)} (UTC, end excluded)"
        return f"{self.month}: {span}" if self.month else span


def iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_window(month: str) -> Window:
    """`2026-10` -> 2026-10-01T00:00:00Z (included) .. 2026-11-01T00:00:00Z (excluded)."""
    m = _MONTH.match(month.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1970 <= int(m.group(1)) <= 9998:
        raise ConfigError(f"--month must look like 2026-10 (YYYY-MM, year 1970-9998), got {month!r}")
    year, mon = int(m.group(1)), int(m.group(2))
    start = dt.datetime(year, mon, 1, tzinfo=UTC)
    end = dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=UTC)
    return Window(int(start.timestamp()), int(end.timestamp()), f"{year:04d}-{mon:02d}", month=f"{year:04d}-{mon:02d}")


def parse_instant(text: str, option: str) -> dt.datetime:
    """A date (midnight UTC) or an ISO 8601 timestamp; without an offset it is taken as UTC."""
    value = text.strip()
    try:
        if _DATE.match(value):
            return dt.datetime.fromisoformat(value).replace(tzinfo=UTC)
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ConfigError(
            f"{option} must be a date (2026-10-01) or an ISO timestamp (2026-10-01T12:00:00Z), got {text!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def range_window(since: str, until: str) -> Window:
    """`--since/--until`: half-open [since, until). The label is deterministic: dates when both are midnight
    (`2026-10-01_2026-10-15`, the second date excluded), else compact UTC timestamps."""
    start, end = parse_instant(since, "--since"), parse_instant(until, "--until")
    if end <= start:
        raise ConfigError(f"--until ({iso(int(end.timestamp()))}) must be after --since ({iso(int(start.timestamp()))})")
    if start.microsecond or end.microsecond:
        raise ConfigError("--since/--until: event_time has whole seconds; give whole-second timestamps")
    if all(t.time() == dt.time(0) for t in (start, end)):
        label = f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"
    else:
        label = f"{start:%Y%m%dT%H%M%SZ}_{end:%Y%m%dT%H%M%SZ}"
    return Window(int(start.timestamp()), int(end.timestamp()), label)
