"""Export one window of the CSV layout model into Ads Manager CSV part files plus a manifest, streaming.

Batches (`reader.read_window`) are filtered (skip reasons counted), rendered columnar, cut into parts under both
limits, checksummed while written, and published atomically (see `publish`). Memory is bounded by the batch
size, not by the number of events. In = written + skipped is checked against a count of the window.
"""

from __future__ import annotations

import functools
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pinexport import source
from pinexport.csvfiles.layout import NOT_SHA256, Layout, render
from pinexport.csvfiles.parts import PartInfo, PartWriter
from pinexport.csvfiles.reader import read_window
from pinexport.csvfiles.publish import MANIFEST_FORMAT, make_tmp_dir, manifest_name, part_name, publish, write_manifest
from pinexport.csvfiles.window import Window, iso
from pinexport.errors import ConfigError, DataError


class OutputError(ConfigError):
    """The output directory cannot be written (permissions, disk full): nothing was published."""

DEFAULT_TABLE = "pinterest_conversions_csv"
# Pinterest: "under 5GB in size" and "less than 10 million rows". 5 GB read as 5 * 10**9 bytes (smaller than
# 5 GiB, so safe either way), minus 100 MB; 10,000,000 rows minus 100,000.
DEFAULT_MAX_BYTES = 4_900_000_000
DEFAULT_MAX_ROWS = 9_900_000
PINTEREST_MAX_BYTES = 5_000_000_000
PINTEREST_MAX_ROWS = 10_000_000
DEFAULT_BATCH_SIZE = 75_000  # 10M-row bench: 1.07-1.19M rows/s at 363-382 MB (50,000: 0.95-1.11M, 304-316 MB)
STALE_AFTER = dt.timedelta(days=30)  # Pinterest: send each conversion "within 30 days"


@dataclass
class ExportResult:
    window: Window
    source: str
    out_dir: Path
    manifest_path: Path
    parts: list[PartInfo]
    columns: list[str]
    rows_read: int
    rows_written: int
    skipped: dict[str, int]
    older_than_30_days: int
    in_future: int
    generated_at: dt.datetime
    manifest: dict = field(repr=False, default_factory=dict)

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())


def export_csv(
    spec: source.SourceSpec,
    window: Window,
    out_dir: str | Path,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    batch_size: int = DEFAULT_BATCH_SIZE,
    sort: bool = False,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write `window`'s events of `spec` as CSV parts + manifest into `out_dir`, replacing that window's files."""
    if max_rows < 1:
        raise ConfigError(f"--max-rows must be at least 1, got {max_rows}")
    if max_bytes < 1:
        raise ConfigError(f"--max-bytes must be positive, got {max_bytes}")
    if batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {batch_size}")
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    stale_before = int((now - STALE_AFTER).timestamp())
    now_s = int(now.timestamp())
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a directory")

    expected = source.count_rows(spec, since=window.since, until=window.until)
    try:
        tmp = make_tmp_dir(out)
    except OSError as exc:
        raise OutputError(f"cannot write the CSV files into {out}: {exc}") from None
    writer: PartWriter | None = None
    try:
        layout: Layout | None = None
        skipped: dict[str, int] = {}
        rows_read = rows_written = older = future = 0
        batches = read_window(spec, window, batch_size=batch_size, sort=sort)
        for batch in batches:
            if layout is None:
                layout = Layout.from_schema(batch.schema, spec.describe())
                writer = PartWriter(tmp, lambda i: part_name(window.label, i), layout.header(),
                                    max_rows=max_rows, max_bytes=max_bytes)
            rows_read += batch.height
            keep, reasons = layout.split(batch)
            for reason, count in reasons.items():
                skipped[reason] = skipped.get(reason, 0) + count
            ages = keep.select(
                (pl.col("event_time") < stale_before).sum().alias("old"),
                (pl.col("event_time") > now_s).sum().alias("future"),
            ).row(0)
            older += int(ages[0])
            future += int(ages[1])
            writer.write(keep, functools.partial(render, layout=layout))
            rows_written += keep.height
        parts = writer.close() if writer else []
        if rows_read != expected:
            raise DataError(
                f"{spec.describe()} changed during the export: counted {expected:,} events in the window, "
                f"read {rows_read:,}; run again once the model is rebuilt"
            )
        if rows_read != rows_written + sum(skipped.values()) or sum(p.rows for p in parts) != rows_written:
            raise AssertionError("row counts do not reconcile")  # a bug, not a data problem
        generated_at = dt.datetime.now(dt.timezone.utc)
        result = ExportResult(
            window=window, source=spec.describe(), out_dir=out, manifest_path=out / manifest_name(window.label),
            parts=parts, columns=list(layout.columns) if layout else [], rows_read=rows_read,
            rows_written=rows_written, skipped=dict(sorted(skipped.items())), older_than_30_days=older,
            in_future=future, generated_at=generated_at,
        )
        result.manifest = build_manifest(result, max_rows=max_rows, max_bytes=max_bytes, sort=sort, now=now)
        write_manifest(tmp, window.label, result.manifest)
        publish(tmp, out, window.label, [p.name for p in parts])
        return result
    except BaseException as exc:
        if writer is not None:
            writer.abandon()
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the CSV files into {out}: {exc}; nothing was published") from exc
        raise


def build_manifest(result: ExportResult, *, max_rows: int, max_bytes: int, sort: bool, now: dt.datetime) -> dict:
    w = result.window
    return {
        "format": MANIFEST_FORMAT,
        "label": w.label,
        "month": w.month,
        "range": {"since": iso(w.since), "until": iso(w.until), "since_unix": w.since, "until_unix": w.until,
                  "until_excluded": True, "timezone": "UTC"},
        "source": result.source,
        "generated_at": result.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "columns": result.columns,
        "row_order": "event_time, order_id (sorted on read)" if sort else "as stored in the model",
        "limits": {"max_rows": max_rows, "max_bytes": max_bytes, "bytes_include_header": True},
        "files": [{"name": p.name, "rows": p.rows, "bytes": p.bytes, "sha256": p.sha256} for p in result.parts],
        "totals": {
            "events_read": result.rows_read,
            "rows_written": result.rows_written,
            "rows_skipped": result.rows_skipped,
            "files": len(result.parts),
            "bytes": sum(p.bytes for p in result.parts),
        },
        "skipped": result.skipped,
        "warnings": {
            "as_of": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "older_than_30_days": result.older_than_30_days,
            "in_future": result.in_future,
        },
    }


def has_plaintext_risk(result: ExportResult) -> bool:
    """True when rows were held back because an identity cell was not a SHA-256 hash (a model problem)."""
    return result.skipped.get(NOT_SHA256, 0) > 0
