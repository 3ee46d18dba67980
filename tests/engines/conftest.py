"""Fixtures for the engine tests: a real PostgreSQL server and a local Spark session, each started once.

When an engine cannot run on this machine the tests that need it are skipped with the reason, unless
PINTEREST_REQUIRE_ENGINES=1 (set by .ci/run), which turns the skip into a failure: CI must prove every engine.
"""

from __future__ import annotations

import os

import pytest
from engine_harness import REQUIRE_ENV, engine_unavailable  # noqa: F401 - used by fixtures below

# Everything runs on every engine: seeds, models, data tests and the dbt unit tests, except the unit tests whose
# fixtures are DuckDB list literals (`cast('[...]' as ARRAY)` is not SQL elsewhere). Most of those carry
# `enabled: target.type == 'duckdb'` in their yml; the ones listed here do not (yet). They run on DuckDB.
DUCKDB_ONLY_UNIT_TESTS = (
    "test_event_fields", "test_rejection_reasons", "test_csv_layout_first_hash_and_skip_reason",
)
NON_DUCKDB_BUILD = ("build", "--exclude", *DUCKDB_ONLY_UNIT_TESTS)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server on 127.0.0.1 (stopped and deleted at the end of the session)."""
    from pg_server import PostgresServer, PostgresUnavailable, find_bindir

    try:
        import psycopg  # noqa: F401
    except ImportError:
        engine_unavailable("psycopg is not installed: pip install -e '.[engines]'")
    try:
        bindir = find_bindir()
    except PostgresUnavailable as exc:
        engine_unavailable(str(exc))
    server = PostgresServer(bindir=bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def engine_workdir(tmp_path_factory):
    """profiles.yml (copy of profiles.example.yml) and the generated dirty input, shared by every engine."""
    from engine_harness import generate_input, make_workdir

    workdir = make_workdir(tmp_path_factory.mktemp("engines"))
    generate_input(workdir / "input.duckdb")
    return workdir


@pytest.fixture(scope="session")
def duckdb_build(engine_workdir):
    """`dbt build --target duckdb` over a copy of the input; returns the DuckDB file holding the models."""
    import shutil

    from engine_harness import Timer, dbt

    database = engine_workdir / "duckdb.duckdb"
    shutil.copy(engine_workdir / "input.duckdb", database)
    with Timer("duckdb: dbt build"):
        dbt(engine_workdir, "duckdb", "build", env={"PINTEREST_DUCKDB_PATH": str(database)})
    return database


@pytest.fixture(scope="session")
def postgres_build(engine_workdir, postgres_server):
    """Input copied into the throwaway server, then `dbt build --target postgres`; returns (server, schema)."""
    from engine_harness import Timer, dbt, load_postgres

    with Timer("postgres: load input"):
        load_postgres(engine_workdir / "input.duckdb", postgres_server)
    env = {**postgres_server.env(), "PINTEREST_PG_SCHEMA": "pinterest"}
    with Timer("postgres: dbt build"):
        dbt(engine_workdir, "postgres", *NON_DUCKDB_BUILD, env=env)
    return postgres_server, "pinterest"


@pytest.fixture(scope="session")
def spark_build(engine_workdir):
    """Input written as Parquet, turned into Spark tables, then `dbt build --target spark` (method: session)."""
    import shutil

    from engine_harness import Timer, dbt, export_parquet, load_spark, spark_env

    import importlib.util

    if not importlib.util.find_spec("pyspark") or not importlib.util.find_spec("dbt.adapters.spark"):
        engine_unavailable("pyspark / dbt-spark are not installed: pip install -e '.[engines]'")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        engine_unavailable("Spark needs Java 17 (no `java` on PATH and no JAVA_HOME)")
    env = spark_env(engine_workdir)
    with Timer("spark: load input"):
        parquet = export_parquet(engine_workdir / "input.duckdb", engine_workdir / "input-parquet")
        load_spark(engine_workdir, parquet, env)
    with Timer("spark: dbt build"):
        dbt(engine_workdir, "spark", *NON_DUCKDB_BUILD, env=env)
    return env


def pytest_terminal_summary(terminalreporter):
    from engine_harness import TIMINGS

    if TIMINGS:
        terminalreporter.section("engine timings (seconds)")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{name:<28} {seconds:7.1f}")
