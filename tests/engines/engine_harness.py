"""Build the same dbt models from the same generated input on DuckDB, PostgreSQL and Spark.

Every engine gets the input written once by `pinexport.sample_data.generate` into a DuckDB file: PostgreSQL
through `COPY ... FROM STDIN` with the same column types, Spark through Parquet files turned into Spark tables.
dbt runs as a subprocess (`.venv/bin/dbt build`) with a copy of `profiles.example.yml`, so the example targets
themselves are what is proven. Each engine's models are read back through `pinexport.source`, exactly as the
exporter reads them: DuckDB file, `postgresql://` URI, Spark table files as a Parquet glob.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

import pytest

from pinexport.sample_data import TABLES, generate
from pinexport.source import read_batches, resolve_source

REQUIRE_ENV = "PINTEREST_REQUIRE_ENGINES"


def engine_unavailable(reason: str) -> None:
    """Skip (locally) or fail (in CI) a test whose engine cannot run here."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1: CI must run every engine)", pytrace=False)
    pytest.skip(reason)

# the dbt project under test: this repository, or a copy (PINTEREST_DBT_PROJECT_DIR)
ROOT = Path(os.environ.get("PINTEREST_DBT_PROJECT_DIR") or Path(__file__).resolve().parents[2])
AS_OF = dt.datetime(2026, 1, 31, 12, 0, 0)  # UTC; the same "now" for the generator and every engine's build
SEED = 5150
# small enough for Spark's per-statement overhead in CI, large enough to hit every dirt pattern and reject reason
ORDERS = int(os.environ.get("PINTEREST_ENGINE_ORDERS", "1000"))
DBT_VARS = {"pinterest_as_of": AS_OF.strftime("%Y-%m-%d %H:%M:%S")}
MODELS = ("pinterest_conversions", "pinterest_conversions_rejected")
TIMINGS: dict[str, float] = {}  # reported at the end of the pytest session (conftest)

_PG_TYPES = {
    "VARCHAR": "text",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
}


class Timer:
    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> "Timer":
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        TIMINGS[self.name] = TIMINGS.get(self.name, 0.0) + time.monotonic() - self.start


def make_workdir(base: Path) -> Path:
    """A directory holding profiles.yml (a copy of profiles.example.yml) and the generated input."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "profiles.example.yml", base / "profiles.yml")
    return base


def generate_input(duckdb_path: Path) -> dict[str, int]:
    with Timer("generate input"):
        return generate(duckdb_path, orders=ORDERS, seed=SEED, as_of=AS_OF.replace(tzinfo=dt.timezone.utc))


def dbt(workdir: Path, target: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `dbt <args>` against `target` of the copied example profile; raise with dbt's output on failure."""
    executable = Path(sys.executable).with_name("dbt")
    argv = [
        str(executable), *args,
        "--project-dir", str(ROOT),
        "--profiles-dir", str(workdir),
        "--target", target,
        "--target-path", str(workdir / f"target-{target}"),
        "--log-path", str(workdir / f"logs-{target}"),
        "--vars", json.dumps(DBT_VARS),
    ]
    full_env = {**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    full_env.pop("PINTEREST_DBT_TARGET", None)
    proc = subprocess.run(argv, capture_output=True, text=True, env=full_env, cwd=workdir)
    if proc.returncode != 0:
        raise AssertionError(
            f"dbt {' '.join(args)} --target {target} failed ({proc.returncode}):\n{_tail(proc.stdout, 120)}\n"
            f"{_tail(proc.stderr, 40)}"
        )
    return proc


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


# --- PostgreSQL ---------------------------------------------------------------------------------------------------

def pg_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    try:
        return _PG_TYPES[duckdb_type]
    except KeyError:
        raise AssertionError(f"no PostgreSQL type for DuckDB type {duckdb_type}: extend _PG_TYPES") from None


def input_columns(con: duckdb.DuckDBPyConnection, table: str, schema: str = "raw") -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def load_postgres(duckdb_path: Path, server, schema: str = "raw") -> dict[str, int]:
    """Copy the generated input tables into PostgreSQL with the same column types; returns row counts."""
    counts = {}
    src = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        with server.connect(autocommit=True) as pg:
            pg.execute(f"drop schema if exists {schema} cascade")
            pg.execute(f"create schema {schema}")
            for table in TABLES:
                columns = input_columns(src, table, schema)
                ddl = ", ".join(f'"{name}" {pg_type(dtype)}' for name, dtype in columns)
                pg.execute(f"create table {schema}.{table} ({ddl})")
                names = ", ".join(f'"{name}"' for name, _ in columns)
                cursor = src.execute(f"select {names} from {schema}.{table}")
                n = 0
                with pg.cursor().copy(f"copy {schema}.{table} ({names}) from stdin") as copy:
                    while rows := cursor.fetchmany(5000):
                        for row in rows:
                            copy.write_row(row)
                        n += len(rows)
                counts[table] = n
            pg.execute("analyze")
    finally:
        src.close()
    return counts


# --- Spark --------------------------------------------------------------------------------------------------------

def spark_env(workdir: Path) -> dict[str, str]:
    """The environment variables profiles.example.yml's `spark` target reads: everything under workdir."""
    return {
        "PINTEREST_SPARK_WAREHOUSE": str(workdir / "spark-warehouse"),
        "PINTEREST_SPARK_METASTORE": str(workdir / "spark-metastore"),
        "PINTEREST_SPARK_SCHEMA": "pinterest",
    }


def export_parquet(duckdb_path: Path, out_dir: Path, schema: str = "raw") -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        paths = {}
        for table in TABLES:
            paths[table] = out_dir / f"{table}.parquet"
            con.execute(f"copy {schema}.{table} to '{paths[table]}' (format parquet)")
        return paths
    finally:
        con.close()


def load_spark(workdir: Path, parquet: dict[str, Path], env: dict[str, str], schema: str = "raw") -> dict[str, int]:
    """Create Spark tables from the Parquet files, in a Spark session configured like the dbt target."""
    spec = {"schema": schema, "tables": {t: str(p) for t, p in parquet.items()}}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("spark_load.py")), json.dumps(spec)],
        capture_output=True, text=True, env={**os.environ, **env}, cwd=workdir,
    )
    if proc.returncode != 0:
        raise AssertionError(f"loading Spark tables failed:\n{_tail(proc.stdout, 40)}\n{_tail(proc.stderr, 60)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def spark_table_glob(env: dict[str, str], table: str) -> str:
    return f"{env['PINTEREST_SPARK_WAREHOUSE']}/{env['PINTEREST_SPARK_SCHEMA']}.db/{table}/*.parquet"


# --- reading the models back the way the exporter does ------------------------------------------------------------

def read_model(spec) -> pl.DataFrame:
    frames = list(read_batches(spec, batch_size=10_000))
    assert frames, f"{spec.describe()} is empty"
    return pl.concat(frames)


def duckdb_model(duckdb_path: Path, table: str) -> pl.DataFrame:
    return read_model(resolve_source(duckdb_path=str(duckdb_path), table=f"main.{table}"))


def postgres_model(server, schema: str, table: str) -> pl.DataFrame:
    return read_model(resolve_source(uri=server.uri, table=f"{schema}.{table}"))


def spark_model(env: dict[str, str], table: str) -> pl.DataFrame:
    return read_model(resolve_source(parquet=spark_table_glob(env, table)))
