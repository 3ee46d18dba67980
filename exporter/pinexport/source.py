"""Read the `pinterest_conversions` model in streaming batches.

The one place that knows where the model lives: a DuckDB file (what the default dbt profile writes), a set of
Parquet files (what a Spark table or a warehouse unload produces) or a database URI (`postgresql://...`, read through
the ADBC PostgreSQL driver, which streams `COPY ... TO STDOUT (FORMAT binary)` into Arrow batches). Every reader
yields polars DataFrames of at most `batch_size` rows, so memory does not grow with the number of events.

Memory is bounded by construction: every reader is an Arrow C stream (a DuckDB query, also over Parquet files, or
an ADBC result) from which one Arrow batch at a time is pulled (nanoarrow) and re-cut to `batch_size` rows; nothing
reads ahead of the consumer. (polars' streaming engine over the same streams buffers ahead without bound: with a
slow consumer such as the API's rate limit, a whole table would end up in memory.)

Whatever the engine, batches come out with the same column types: Arrow extension types (PostgreSQL `json`,
`numeric`) become their plain storage, and a `contents` column that arrives as JSON text (engines without struct
arrays: PostgreSQL, Snowflake/BigQuery unloads) is decoded into the same list of structs DuckDB and Spark produce.
"""

from __future__ import annotations

import importlib
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import duckdb
import nanoarrow
import polars as pl

from pinexport.errors import SourceError

DUCKDB_PATH_ENV = "PINTEREST_DUCKDB_PATH"  # the same variable profiles.example.yml reads
DEFAULT_DUCKDB_PATH = "pinterest.duckdb"
DEFAULT_TABLE = "pinterest_conversions"
DEFAULT_BATCH_SIZE = 50_000
SOURCE_URI_ENV = "PINTEREST_SOURCE_URI"  # a database URI, so the password stays off the command line
PASSWORD_ENV = "PGPASSWORD"  # used when the URI has no password, as libpq does

# URI scheme -> ADBC driver module (pip package name is the module name with dashes)
ADBC_DRIVERS = {"postgresql": "adbc_driver_postgresql", "postgres": "adbc_driver_postgresql"}
# how many bytes the PostgreSQL driver fills per Arrow batch before handing it over (bounded memory)
ADBC_BATCH_BYTES = 8 * 1024 * 1024
# DuckDB's working memory per reader: it caches the blocks it reads up to this (default: 80% of RAM) and spills
# sorts (order_by) beyond it. Parquet needs more: a whole row group is decoded at once (Spark writes 128 MB ones).
DUCKDB_MEMORY_LIMIT = "256MB"
# rowid slices need little: each query reads one small range; a small cache and one thread lose no speed and keep
# the exporter flat (pinexport api, 1M events: 241 MB peak at 32MB/1 thread, 413 MB at 256MB/all threads)
DUCKDB_SLICE_MEMORY_LIMIT = "32MB"
DUCKDB_SLICE_THREADS = 1
PARQUET_MEMORY_LIMIT = "512MB"

# `contents` as DuckDB and Spark build it; JSON-text `contents` from other engines is decoded into this
CONTENTS_DTYPE = pl.List(
    pl.Struct(
        {
            "id": pl.String,
            "item_name": pl.String,
            "item_category": pl.String,
            "item_brand": pl.String,
            "item_price": pl.String,
            "quantity": pl.Int64,
        }
    )
)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class SourceSpec:
    """Where the model is. Exactly one of `duckdb_path` / `parquet` / `uri` is set."""

    duckdb_path: str | None = None
    table: str = DEFAULT_TABLE
    parquet: str | None = None
    uri: str | None = None

    def describe(self) -> str:
        """A human-readable location, safe to log: a URI's password is masked."""
        if self.parquet:
            return f"parquet:{self.parquet}"
        if self.uri:
            return f"{redact_uri(self.uri)}#{self.table}"
        return f"duckdb:{self.duckdb_path}#{self.table}"

    def __repr__(self) -> str:  # never print a password through repr() either
        return f"SourceSpec({self.describe()!r})"


def resolve_source(
    *,
    duckdb_path: str | None = None,
    table: str | None = None,
    parquet: str | None = None,
    uri: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> SourceSpec:
    """Turn command-line options and the environment into a SourceSpec (no I/O yet).

    Precedence: an explicit `duckdb_path` / `parquet` / `uri` (at most one), then $PINTEREST_SOURCE_URI, then
    $PINTEREST_DUCKDB_PATH, then `pinterest.duckdb`. With a URI, `table` may be schema-qualified
    (`analytics.pinterest_conversions`, the schema of your dbt target).
    """
    environ = environ or {}
    given = [name for name, value in (("--duckdb", duckdb_path), ("--parquet", parquet), ("--uri", uri)) if value]
    if len(given) > 1:
        raise SourceError(f"{' and '.join(given)} are mutually exclusive: choose one source")
    if parquet:
        return SourceSpec(parquet=parquet, table=table or DEFAULT_TABLE)
    if not duckdb_path and not uri and environ.get(SOURCE_URI_ENV):
        if environ.get(DUCKDB_PATH_ENV):
            raise SourceError(
                f"both {SOURCE_URI_ENV} and {DUCKDB_PATH_ENV} are set: unset one, or pass --uri / --duckdb"
            )
        uri = environ[SOURCE_URI_ENV]
    if uri:
        return SourceSpec(uri=_with_password(_check_uri(uri), environ), table=table or DEFAULT_TABLE)
    path = duckdb_path or environ.get(DUCKDB_PATH_ENV) or DEFAULT_DUCKDB_PATH
    return SourceSpec(duckdb_path=path, table=table or DEFAULT_TABLE)


# libpq also takes secrets as query parameters (postgresql://u@h/db?password=...)
_SECRET_PARAMS = re.compile(r"(?i)([?&](?:password|sslpassword)=)([^&#]*)")


def redact_uri(uri: str) -> str:
    """The URI with its password (in the user info or a `password=` / `sslpassword=` parameter) replaced by `***`."""
    parts = urlsplit(uri)
    if parts.password is not None:
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        parts = parts._replace(netloc=f"{user}:***@{netloc}")
    return _SECRET_PARAMS.sub(r"\1***", urlunsplit(parts))


def _uri_secrets(uri: str) -> list[str]:
    """Every secret a URI holds (user-info password, password/sslpassword parameters), for scrubbing messages."""
    secrets = [urlsplit(uri).password] + [m.group(2) for m in _SECRET_PARAMS.finditer(uri)]
    return [secret for secret in secrets if secret]


def _check_uri(uri: str) -> str:
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in ADBC_DRIVERS:
        supported = ", ".join(f"{s}://" for s in ADBC_DRIVERS)
        raise SourceError(
            f"unsupported database URI {redact_uri(uri)!r}: pinexport reads {supported} URIs; for Snowflake, "
            "BigQuery, Databricks or Redshift unload the model to Parquet and use --parquet (see README, engines)"
        )
    return uri


def _with_password(uri: str, environ: Mapping[str, str]) -> str:
    parts = urlsplit(uri)
    if parts.password is not None or not environ.get(PASSWORD_ENV) or "@" not in parts.netloc:
        return uri
    user, host = parts.netloc.rsplit("@", 1)
    password = quote(environ[PASSWORD_ENV], safe="")
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


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


def _and_where(where: str, clause: str) -> str:
    """A " where ..." clause (or "") with one more condition."""
    return f"{where} and {clause}" if where else f" where {clause}"


def _reader_settings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set enable_progress_bar = false")  # DuckDB would draw on our stdout
    # text as Arrow string views, polars' own layout: measured 3.76 s instead of 4.37 s of CPU to read the 10M
    # rows of the CSV benchmark's model in 50k-row slices
    con.execute("set produce_arrow_string_view = true")


def _connect_duckdb(path: str) -> duckdb.DuckDBPyConnection:
    if not Path(path).exists():
        raise SourceError(
            f"DuckDB file {path!r} does not exist: run `dbt build` first, or set {DUCKDB_PATH_ENV} / --duckdb"
        )
    try:
        con = duckdb.connect(path, read_only=True)
        _reader_settings(con)
        # DuckDB caches every block it reads up to memory_limit (default: 80% of RAM); bound it
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        return con
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
    prefetch: bool = True,
) -> Iterator[pl.DataFrame]:
    """Yield the model's rows with `since <= event_time < until` (Unix seconds) in batches of <= batch_size.

    `prefetch`: read the next DuckDB slice on a helper thread while the caller works (one more slice in memory);
    a caller that already reads on a thread of its own can turn it off."""
    if batch_size < 1:
        raise SourceError(f"batch size must be positive, got {batch_size}")
    if spec.parquet:
        batches = _read_duckdb(spec, columns, since, until, order_by, batch_size, prefetch)
    elif spec.uri:
        batches = _read_uri(spec, columns, since, until, order_by, batch_size)
    else:
        batches = _read_duckdb(spec, columns, since, until, order_by, batch_size, prefetch)
    for batch in batches:
        yield normalize_batch(batch)


def normalize_batch(batch: pl.DataFrame) -> pl.DataFrame:
    """Give every engine's batch the DuckDB column types: extension types to storage, JSON `contents` decoded."""
    exprs = []
    for name, dtype in batch.schema.items():
        if isinstance(dtype, pl.Extension):
            exprs.append(pl.col(name).ext.storage())
    if exprs:
        batch = batch.with_columns(exprs)
    if batch.schema.get("contents") == pl.String:
        try:
            batch = batch.with_columns(pl.col("contents").str.json_decode(CONTENTS_DTYPE))
        except pl.exceptions.PolarsError as exc:
            raise SourceError(f"`contents` is text but not a JSON array of content objects: {exc}") from None
    return batch


def _duckdb_relation_sql(spec: SourceSpec) -> str:
    """What to select from: the model table, or DuckDB's Parquet reader over the glob."""
    if spec.parquet:
        return "read_parquet(" + _sql_string(spec.parquet) + ")"
    return quote_table(spec.table)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _open_duckdb(spec: SourceSpec) -> duckdb.DuckDBPyConnection:
    if not spec.parquet:
        return _connect_duckdb(spec.duckdb_path)
    con = duckdb.connect()  # in memory: only reads the Parquet files
    _reader_settings(con)
    con.execute(f"set memory_limit = '{PARQUET_MEMORY_LIMIT}'")
    return con


def _duckdb_query(spec: SourceSpec, con: duckdb.DuckDBPyConnection, sql: str, params: dict):
    try:
        return con.sql(sql, params=params)
    except duckdb.BinderException as exc:
        raise SourceError(f"{spec.describe()} lacks a column pinexport needs: {exc}") from None
    except (duckdb.CatalogException, duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise SourceError(f"cannot read {spec.describe()}: {exc}") from None


def _read_duckdb(spec, columns, since, until, order_by, batch_size, prefetch=True) -> Iterator[pl.DataFrame]:
    if not spec.parquet and not order_by:
        slices = _duckdb_rowid_slices(spec, columns, since, until, batch_size, prefetch)
        if slices is not None:
            yield from slices
            return
    con = _open_duckdb(spec)
    try:
        where, params = _time_filter_sql(since, until)
        order = f" order by {_select_list(order_by)}" if order_by else ""
        sql = f"select {_select_list(columns)} from {_duckdb_relation_sql(spec)}{where}{order}"
        rel = _duckdb_query(spec, con, sql, params)
        yield from _pull_batches(rel, batch_size, describe=spec.describe())
    finally:
        con.close()


def _duckdb_rowid_slices(spec, columns, since, until, batch_size, prefetch=True) -> Iterator[pl.DataFrame] | None:
    """A DuckDB table read as `batch_size` consecutive rowids per query, each query collected whole, the next one
    read on a helper thread while the caller works on the current one (DuckDB and polars release the GIL) unless
    `prefetch` is off.

    Why: one query over the whole table lets DuckDB run ahead of a slow consumer (measured: ~460 MB resident after
    the first batch of a 200k-event model; 690 MB writing 10M CSV rows), and filtering by event_time per slice
    instead would scan the whole table per slice (quadratic). A rowid range skips the other row groups (linear),
    comes in stored order (the order the dbt model wrote), and leaves no half-read stream behind when the
    consumer stops early. Memory stays at about two slices. None when the relation has no rowid (a view): the
    caller then reads it in one streaming query.
    """
    con = _connect_duckdb(spec.duckdb_path)
    table = quote_table(spec.table)
    try:
        con.execute(f"set memory_limit = '{DUCKDB_SLICE_MEMORY_LIMIT}'")
        con.execute(f"set threads = {DUCKDB_SLICE_THREADS}")
        con.execute("set preserve_insertion_order = true")  # no ORDER BY needed for stored order
        lo, hi = con.sql(f"select min(rowid), max(rowid) from {table}").fetchall()[0]
    except duckdb.BinderException:
        con.close()
        return None
    except (duckdb.CatalogException, duckdb.IOException) as exc:
        con.close()
        raise SourceError(f"cannot read {spec.describe()}: {exc}") from None
    where, params = _time_filter_sql(since, until)
    where = _and_where(where, "rowid >= $lo and rowid < $hi")
    sql = f"select {_select_list(columns)} from {table}{where}"

    def read(start: int) -> pl.DataFrame:
        rel = _duckdb_query(spec, con, sql, {**params, "lo": start, "hi": start + batch_size})
        return pl.scan_arrow_c_stream(rel).collect()

    def one_by_one(starts: range) -> Iterator[pl.DataFrame]:
        for start in starts:
            yield read(start)

    def read_ahead(starts: range) -> Iterator[pl.DataFrame]:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pinexport-read")
        pending = pool.submit(read, starts[0]) if starts else None
        try:
            for i in range(len(starts)):
                batch = pending.result()
                pending = pool.submit(read, starts[i + 1]) if i + 1 < len(starts) else None
                yield batch
        finally:
            if pending is not None:
                pending.cancel()
                try:
                    pending.result()
                except BaseException:  # noqa: BLE001 - stopping anyway; the caller's own error matters
                    pass
            pool.shutdown(wait=True)

    def generate() -> Iterator[pl.DataFrame]:
        starts = range(int(lo), int(hi) + 1, batch_size) if lo is not None else range(0)
        batches = (read_ahead if prefetch else one_by_one)(starts)
        try:
            for batch in batches:
                if batch.height:
                    yield batch
        finally:
            batches.close()  # the read-ahead thread is done with the connection before it closes
            con.close()

    return generate()


def _pull_batches(source, batch_size: int, *, describe: str, redact=lambda m: m) -> Iterator[pl.DataFrame]:
    """Pull the Arrow batches of `source` (anything with `__arrow_c_stream__`) one at a time and yield polars
    frames of exactly `batch_size` rows (the last one shorter). At most one source batch plus one output batch is
    held, whatever the size of the result. Stopping early releases the stream, which ends the query."""
    try:
        stream = nanoarrow.c_array_stream(source)
    except Exception as exc:  # noqa: BLE001 - engines report some query errors when the stream is opened
        raise SourceError(f"reading {describe} failed: {redact(str(exc))}") from None
    try:
        buffer: pl.DataFrame | None = None
        while True:
            try:
                array = stream.get_next()
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - an engine error in the middle of the result
                raise SourceError(f"reading {describe} failed: {redact(str(exc))}") from None
            frame = pl.DataFrame(array)
            if not frame.height:
                continue
            buffer = frame if buffer is None else pl.concat([buffer, frame], how="vertical", rechunk=False)
            while buffer.height >= batch_size:
                yield buffer.slice(0, batch_size)
                buffer = buffer.slice(batch_size)
        if buffer is not None and buffer.height:
            yield buffer
    finally:
        stream.release()


def _adbc_connect(spec: SourceSpec):
    scheme = urlsplit(spec.uri).scheme.lower()
    module_name = ADBC_DRIVERS[scheme]
    try:
        driver = importlib.import_module(module_name)
        import adbc_driver_manager
    except ImportError:
        package = module_name.replace("_", "-")
        raise SourceError(
            f"reading {scheme}:// URIs needs the {package} package: pip install 'pinterest-offline-conversions[postgres]'"
        ) from None
    try:
        database = driver.connect(_libpq_uri(spec.uri))
        connection = adbc_driver_manager.AdbcConnection(database)
    except adbc_driver_manager.Error as exc:
        raise SourceError(f"cannot connect to {redact_uri(spec.uri)}: {_redacted(exc, spec.uri)}") from None
    return adbc_driver_manager, database, connection


def _libpq_uri(uri: str) -> str:
    # libpq accepts postgresql:// and postgres://; normalise the password encoding it expects
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    user, host = parts.netloc.rsplit("@", 1)
    name = user.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{name}:{quote(unquote(parts.password), safe='')}@{host}"))


def _redacted(exc: Exception | str, uri: str) -> str:
    message = str(exc).strip()
    for secret in _uri_secrets(uri):
        for form in sorted({secret, unquote(secret), quote(unquote(secret), safe="")}, key=len, reverse=True):
            message = message.replace(form, "***")
    return message


def _query_uri(spec: SourceSpec, sql: str, batch_size: int) -> Iterator[pl.DataFrame]:
    manager, database, connection = _adbc_connect(spec)
    statement = manager.AdbcStatement(connection)
    try:
        try:
            statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(ADBC_BATCH_BYTES)})
            statement.set_sql_query(sql)
            stream, _ = statement.execute_query()
        except manager.Error as exc:
            message = _redacted(exc, spec.uri)
            if "does not exist" in message and "column" in message:
                raise SourceError(f"{spec.describe()} lacks a column pinexport needs: {message}") from None
            raise SourceError(f"cannot read {spec.describe()}: {message}") from None
        yield from _pull_batches(
            stream, batch_size, describe=spec.describe(), redact=lambda message: _redacted(message, spec.uri)
        )
    finally:
        _close_adbc(manager, statement, connection, database)


def _close_adbc(manager, *handles) -> None:
    """Close ADBC handles innermost first; a handle that fails to close must not hide the caller's own error."""
    for handle in handles:
        try:
            handle.close()
        except manager.Error:
            pass


def _time_filter_literal(since: int | None, until: int | None) -> str:
    clauses = []
    if since is not None:
        clauses.append(f"event_time >= {int(since)}")
    if until is not None:
        clauses.append(f"event_time < {int(until)}")
    return (" where " + " and ".join(clauses)) if clauses else ""


def _read_uri(spec, columns, since, until, order_by, batch_size) -> Iterator[pl.DataFrame]:
    order = f" order by {_select_list(order_by)}" if order_by else ""
    sql = f"select {_select_list(columns)} from {quote_table(spec.table)}{_time_filter_literal(since, until)}{order}"
    yield from _query_uri(spec, sql, batch_size)


def count_rows(spec: SourceSpec, *, since: int | None = None, until: int | None = None) -> int:
    """How many rows `read_batches` would yield with the same window (for progress and reconciliation)."""
    if spec.uri:
        sql = f"select count(*) as n from {quote_table(spec.table)}{_time_filter_literal(since, until)}"
        return int(pl.concat(list(_query_uri(spec, sql, 1))).item())
    con = _open_duckdb(spec)
    try:
        where, params = _time_filter_sql(since, until)
        rel = _duckdb_query(spec, con, f"select count(*) from {_duckdb_relation_sql(spec)}{where}", params)
        return int(rel.fetchall()[0][0])
    finally:
        con.close()


def duplicated_values(
    spec: SourceSpec, column: str, *, since: int | None = None, until: int | None = None
) -> pl.Series:
    """The non-null values of `column` that several rows of the window hold. A GROUP BY in the engine, so the
    exporter holds only the duplicates (DuckDB spills its hash table to a temporary directory past its memory
    limit)."""
    name = _select_list([column])
    if spec.uri:
        where = _and_where(_time_filter_literal(since, until), f"{name} is not null")
        sql = f"select {name} from {quote_table(spec.table)}{where} group by {name} having count(*) > 1"
        frames = list(_query_uri(spec, sql, 100_000))
    else:
        con = _open_duckdb(spec)
        spill = tempfile.mkdtemp(prefix="pinexport-duckdb-")
        try:
            con.execute(f"set temp_directory = {_sql_string(spill)}")
            where, params = _time_filter_sql(since, until)
            where = _and_where(where, f"{name} is not null")
            sql = f"select {name} from {_duckdb_relation_sql(spec)}{where} group by {name} having count(*) > 1"
            frames = [pl.scan_arrow_c_stream(_duckdb_query(spec, con, sql, params)).collect()]
        finally:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
    values = pl.concat(frames).to_series() if frames else pl.Series(column, [], dtype=pl.String)
    return values.rename(column)


def column_names(spec: SourceSpec) -> list[str]:
    """The model's column names, without reading its rows."""
    if spec.uri:
        sql = f"select * from {quote_table(spec.table)} where 1 = 0"
        manager, database, connection = _adbc_connect(spec)
        statement = manager.AdbcStatement(connection)
        try:
            statement.set_sql_query(sql)
            try:
                stream, _ = statement.execute_query()
            except manager.Error as exc:
                raise SourceError(f"cannot read {spec.describe()}: {_redacted(exc, spec.uri)}") from None
            names = pl.DataFrame(stream).columns
            del stream
            return names
        finally:
            _close_adbc(manager, statement, connection, database)
    con = _open_duckdb(spec)
    try:
        return list(_duckdb_query(spec, con, f"select * from {_duckdb_relation_sql(spec)} limit 0", {}).columns)
    finally:
        con.close()
