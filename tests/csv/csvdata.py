"""Helpers for the csv tests: build a CSV layout model table in a temp DuckDB file, read parts back."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import duckdb
import polars as pl

COLUMNS = ["email", "madid", "event_time", "event_type", "source_type", "value", "currency", "order_id", "quantity"]
SCHEMA_SQL = """
create or replace table {table} (
    email varchar, madid varchar, event_time bigint, event_type varchar, source_type varchar,
    value varchar, currency varchar, order_id varchar, quantity bigint, _skip_reason varchar
)
"""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def ts(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp())


def row(order_id: str, event_time: int, *, email: str | None = "default", madid: str | None = None,
        value: str | None = "10.00", skip: str | None = None, quantity: int | None = 1) -> dict:
    return {
        "email": sha(f"{order_id}@example.com") if email == "default" else email,
        "madid": madid, "event_time": event_time, "event_type": "checkout", "source_type": "offline",
        "value": value, "currency": "USD", "order_id": order_id, "quantity": quantity, "_skip_reason": skip,
    }


def write_model(path: Path, rows: list[dict], table: str = "pinterest_conversions_csv") -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA_SQL.format(table=table))
        names = COLUMNS + ["_skip_reason"]
        if rows:  # through a Parquet file: executemany is slow
            schema = {n: (pl.Int64 if n in ("event_time", "quantity") else pl.String) for n in names}
            staged = path.with_name(path.name + ".rows.parquet")
            pl.DataFrame([{n: r.get(n) for n in names} for r in rows], schema=schema).write_parquet(staged)
            con.execute(f"insert into {table} select {', '.join(names)} from read_parquet(?)", [str(staged)])
            staged.unlink()
    finally:
        con.close()
    return path


def parts(out_dir: Path, label: str) -> list[Path]:
    return sorted(out_dir.glob(f"pinterest_offline_conversions_{label}_part-*.csv"))


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def data_rows(out_dir: Path, label: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for p in parts(out_dir, label):
        rows.extend(read_csv(p)[1:])
    return rows


def manifest(out_dir: Path, label: str) -> dict:
    return json.loads((out_dir / f"pinterest_offline_conversions_{label}_manifest.json").read_text())


def all_output_text(out_dir: Path) -> str:
    buf = io.StringIO()
    for p in sorted(out_dir.rglob("*")):
        if p.is_file():
            buf.write(p.read_text(encoding="utf-8"))
    return buf.getvalue()
