"""Splitting invariants (hypothesis): with tiny limits, no file exceeds either limit, every row appears exactly
once and in order, each file starts with the header, and no row is cut, even with commas, quotes, newlines and
non-ASCII text in cells. Files are parsed back with Python's csv module."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csvdata import COLUMNS, parts, read_csv, sha
from pinexport.csvfiles.export import export_csv
from pinexport.csvfiles.layout import Layout, render
from pinexport.csvfiles.parts import PartWriter, RowTooLargeError
from pinexport.csvfiles.window import month_window
from pinexport.source import resolve_source

MONTH = month_window("2026-10")
NOW = dt.datetime(2026, 11, 5, tzinfo=dt.timezone.utc)

cell_text = st.text(
    alphabet=st.one_of(st.sampled_from(list(',"\r\n=+-@\t \'')), st.characters(codec="utf-8", categories=("L", "N", "S"))),
    max_size=12,
)


@st.composite
def rows(draw):
    n = draw(st.integers(0, 25))
    out = []
    for i in range(n):
        out.append({
            "email": draw(st.sampled_from([sha(f"e{i}"), None])),
            "madid": sha(f"m{i}"),  # every row has an identity: none is skipped here
            "event_time": MONTH.since + draw(st.integers(0, MONTH.until - MONTH.since - 1)),
            "event_type": draw(cell_text),
            "source_type": "offline",
            "value": draw(st.one_of(st.none(), cell_text)),
            "currency": "USD",
            "order_id": f"o{i:03d}," + draw(cell_text),
            "quantity": draw(st.one_of(st.none(), st.integers(-5, 10**12))),
        })
    return out


def expected_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if re.match(r"^[=+\-@\t\r]", value) and not re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", value):
        return "'" + value
    return value


def max_row_bytes(rendered) -> int:
    sizes, offset = [], 0
    while offset < len(rendered.data):
        sizes.append(rendered.row_size(offset))
        offset += sizes[-1]
    return max(sizes)


def frame(data: list[dict]) -> pl.DataFrame:
    schema = {c: (pl.Int64 if c in ("event_time", "quantity") else pl.String) for c in COLUMNS}
    return pl.DataFrame(data, schema=schema)


def check_parts(files: list[Path], data: list[dict], max_rows: int, max_bytes: int) -> None:
    got = []
    for f in files:
        raw = f.read_bytes()
        assert len(raw) <= max_bytes, f"{f.name} is {len(raw)} bytes > {max_bytes}"
        parsed = read_csv(f)
        assert parsed[0] == COLUMNS, "each file starts with the header"
        assert 1 <= len(parsed) - 1 <= max_rows
        got.extend(parsed[1:])
    assert got == [[expected_cell(r[c]) for c in COLUMNS] for r in data]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows(), max_rows=st.integers(1, 6), slack=st.integers(0, 400), cuts=st.lists(st.integers(1, 8), max_size=6))
def test_parts_respect_both_limits_and_keep_every_row_once(tmp_path_factory, data, max_rows, slack, cuts):
    out = tmp_path_factory.mktemp("parts")
    df = frame(data)
    layout = Layout.from_schema(df.schema, "t")
    header = layout.header()
    rendered_all = render(df, layout) if data else None
    biggest = max_row_bytes(rendered_all) if data else 2
    max_bytes = len(header) + biggest + slack - 200  # below the biggest row sometimes: then it must refuse
    writer_limit_ok = max_bytes >= len(header) + biggest
    if max_bytes <= len(header):
        with pytest.raises(RowTooLargeError):
            PartWriter(out, lambda i: f"p-{i:03d}.csv", header, max_rows=max_rows, max_bytes=max_bytes)
        return
    writer = PartWriter(out, lambda i: f"p-{i:03d}.csv", header, max_rows=max_rows, max_bytes=max_bytes)
    start = 0
    batches = []
    for c in cuts + [len(data)]:  # arbitrary batch boundaries
        batches.append(df.slice(start, c))
        start += c
        if start >= len(data):
            break
    try:
        for b in batches:
            writer.write(b, lambda frame: render(frame, layout))
        infos = writer.close()
    except RowTooLargeError:
        assert not writer_limit_ok
        return
    assert writer_limit_ok
    files = sorted(out.glob("p-*.csv"))
    assert [f.name for f in files] == [i.name for i in infos]
    assert not list(out.glob("*.partial"))
    check_parts(files, data, max_rows, max_bytes)
    assert [(i.rows, i.bytes) for i in infos] == [(len(read_csv(f)) - 1, f.stat().st_size) for f in files]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows(), max_rows=st.integers(1, 6), extra=st.integers(0, 300), batch_size=st.integers(1, 7))
def test_end_to_end_from_parquet_with_tiny_limits(tmp_path_factory, data, max_rows, extra, batch_size):
    tmp = tmp_path_factory.mktemp("e2e")
    df = frame(data)
    df.write_parquet(tmp / "model.parquet")
    layout = Layout.from_schema(df.schema, "t")
    biggest = max_row_bytes(render(df, layout)) if data else 0
    max_bytes = len(layout.header()) + biggest + extra
    spec = resolve_source(parquet=str(tmp / "model.parquet"))
    result = export_csv(spec, MONTH, tmp / "out", max_rows=max_rows, max_bytes=max_bytes, batch_size=batch_size,
                        now=NOW)
    files = parts(tmp / "out", "2026-10")
    check_parts(files, data, max_rows, max_bytes)
    assert result.rows_written == len(data) and sum(p.rows for p in result.parts) == len(data)
    assert not list((tmp / "out").glob(".pinexport-csv-tmp-*"))


def test_single_row_larger_than_max_bytes_is_a_clear_error(tmp_path):
    data = [{c: None for c in COLUMNS} | {"madid": sha("m"), "event_time": MONTH.since, "order_id": "x" * 500}]
    frame(data).write_parquet(tmp_path / "m.parquet")
    spec = resolve_source(parquet=str(tmp_path / "m.parquet"))
    with pytest.raises(RowTooLargeError, match=r"row 1 of the export is \d+ bytes.*--max-bytes 300"):
        export_csv(spec, MONTH, tmp_path / "out", max_bytes=300, now=NOW)
    assert list((tmp_path / "out").iterdir()) == [], "nothing is left behind"
