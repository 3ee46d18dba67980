"""Read the `pinterest_conversions` model in streaming batches.

The one place that knows where the model lives: a DuckDB file (what the default dbt profile writes) or a set of
Parquet files (what a Spark table or a warehouse unload produces). Every reader yields polars DataFrames of at most
`batch_size` rows, so memory does not grow with the number of events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import duckdb
import polars as pl

from pinexport.errors import SourceError

DUCKDB_PATH_ENV = "PINTEREST_DUCKDB_PATH"  # the same variable profiles.example.yml reads
DEFAULT_DUCKDB_PATH = "pinterest.duckdb"
DEFAULT_TABLE = "pinterest_conversions"
DEFAULT_BATCH_SIZE = 50_000

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class SourceSpec:
    """Where the model is. Exactly one of `duckdb_path` / `parquet` is set."""

    duckdb_path: str | None = None
    table: str = DEFAULT_TABLE
    parquet: str | None = None

    def describe(self) -> str:
        if self.parquet:
            return f"parquet:{self.parquet}"
        return f"duckdb:{self.duckdb_path}#{self.table}"


def resolve_source(
    *,
    duckdb_path: str | None = None,
    table: str | None = None,
    parquet: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> SourceSpec:
    """Turn command-line options and the environment into a SourceSpec (no I/O yet)."""
    environ = environ or {}
    if parquet and duckdb_path:
        raise SourceError("--parquet and --duckdb are mutually exclusive: choose one source")
    if parquet:
        return SourceSpec(parquet=parquet, table=table or DEFAULT_TABLE)
    path = duckdb_path or environ.get(DUCKDB_PATH_ENV) or DEFAULT_DUCKDB_PATH
    return SourceSpec(duckdb_path=path, table=table or DEFAULT_TABLE)


def quote_table(name: str) -> str:
    """Quote a possibly qualified table name (`t`, `schema.t`, `db.schema.t`); refuse anything else."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 3 or not all(_IDENTIFIER.match(p) for p in parts):
        raise SourceError(f"invalid table name {name!r}: expected table, schema.table or database.schema.table")
    return ".".join(f'"{p}"' for p in parts)


def _time_filter_sql(since: int | None, until: int | None) -> tuple[str, dict[str, int]]:
    clauses, params = [], {}
    if since is not None:
        clauses.append("event_time >= $since")
        params["since"] = int(since)
    if until is not None:
        clauses.append("event_time < $until")
        params["until"] = int(until)
    return (" where " + " and ".join(clauses)) if clauses else "", params


def _connect_duckdb(path: str) -> duckdb.DuckDBPyConnection:
    if not Path(path).exists():
        raise SourceError(
            f"DuckDB file {path!r} does not exist: run `dbt build` first, or set {DUCKDB_PATH_ENV} / --duckdb"
        )
    try:
        return duckdb.connect(path, read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise SourceError(
                f"DuckDB file {path!r} is locked by another process (is dbt still running?). "
                "DuckDB allows no reader while a writer holds the file: run pinexport after dbt exits."
            ) from None
        raise SourceError(f"cannot open DuckDB file {path!r}: {exc}") from None


def _select_list(columns: Sequence[str] | None) -> str:
    if not columns:
        return "*"
    for c in columns:
        if not _IDENTIFIER.match(c):
            raise SourceError(f"invalid column name {c!r}")
    return ", ".join(f'"{c}"' for c in columns)


def read_batches(
    spec: SourceSpec,
    *,
    columns: Sequence[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    order_by: Sequence[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[pl.DataFrame]:
    """Yield the model's rows with `since <= event_time < until` (Unix seconds) in batches of <= batch_size."""
    if spec.parquet:
        yield from _read_parquet(spec.parquet, columns, since, until, order_by, batch_size)
    else:
        yield from _read_duckdb(spec, columns, since, until, order_by, batch_size)


def _read_duckdb(spec, columns, since, until, order_by, batch_size) -> Iterator[pl.DataFrame]:
    con = _connect_duckdb(spec.duckdb_path)
    try:
        where, params = _time_filter_sql(since, until)
        order = f" order by {_select_list(order_by)}" if order_by else ""
        sql = f"select {_select_list(columns)} from {quote_table(spec.table)}{where}{order}"
        try:
            rel = con.sql(sql, params=params)
        except duckdb.CatalogException as exc:
            raise SourceError(f"cannot read {spec.describe()}: {exc}") from None
        except duckdb.BinderException as exc:
            raise SourceError(f"{spec.describe()} lacks a column pinexport needs: {exc}") from None
        for batch in pl.scan_arrow_c_stream(rel).collect_batches(chunk_size=batch_size):
            if batch.height:
                yield batch
    finally:
        con.close()


def _read_parquet(glob, columns, since, until, order_by, batch_size) -> Iterator[pl.DataFrame]:
    try:
        lf = pl.scan_parquet(glob)
        names = lf.collect_schema().names()
    except (FileNotFoundError, pl.exceptions.ComputeError, OSError) as exc:
        raise SourceError(f"cannot read parquet {glob!r}: {exc}") from None
    if columns:
        missing = [c for c in columns if c not in names]
        if missing:
            raise SourceError(f"parquet {glob!r} lacks column(s) pinexport needs: {', '.join(missing)}")
        lf = lf.select(columns)
    if since is not None:
        lf = lf.filter(pl.col("event_time") >= since)
    if until is not None:
        lf = lf.filter(pl.col("event_time") < until)
    if order_by:
        lf = lf.sort(list(order_by))
    for batch in lf.collect_batches(chunk_size=batch_size):
        if batch.height:
            yield batch


def count_rows(spec: SourceSpec, *, since: int | None = None, until: int | None = None) -> int:
    """How many rows `read_batches` would yield with the same window (for progress and reconciliation)."""
    if spec.parquet:
        lf = pl.scan_parquet(spec.parquet)
        if since is not None:
            lf = lf.filter(pl.col("event_time") >= since)
        if until is not None:
            lf = lf.filter(pl.col("event_time") < until)
        return int(lf.select(pl.len()).collect().item())
    con = _connect_duckdb(spec.duckdb_path)
    try:
        where, params = _time_filter_sql(since, until)
        try:
            row = con.sql(f"select count(*) from {quote_table(spec.table)}{where}", params=params).fetchall()[0]
        except duckdb.CatalogException as exc:
            raise SourceError(f"cannot read {spec.describe()}: {exc}") from None
        return int(row[0])
    finally:
        con.close()
