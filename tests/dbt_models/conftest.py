"""Session fixtures: dirty generated data in a temporary DuckDB file, one `dbt build` over it through dbtRunner,
and a helper to compile inline SQL with the project's macros."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pytest

from pinexport.sample_data import generate

# the dbt project under test: this repository, or a copy (e.g. a deliberately broken one, to see the tests fail)
ROOT = Path(os.environ.get("PINTEREST_DBT_PROJECT_DIR") or Path(__file__).resolve().parents[2])
AS_OF = dt.datetime(2026, 1, 31, 12, 0, 0)  # UTC
ORDERS = 3000
SEED = 20260131
DBT_VARS = {"pinterest_as_of": AS_OF.strftime("%Y-%m-%d %H:%M:%S")}



@dataclass
class DbtProject:
    workdir: Path
    database: Path
    counts: dict[str, int]

    def invoke(self, *args: str, vars: dict[str, Any] | None = None):
        """Run one dbt command in-process against the temporary database; returns dbtRunnerResult."""
        from dbt.cli.main import dbtRunner

        argv = [
            *args,
            "--project-dir", str(ROOT),
            "--profiles-dir", str(self.workdir),
            "--target-path", str(self.workdir / "target"),
            "--log-path", str(self.workdir / "logs"),
            "--vars", json.dumps(vars if vars is not None else DBT_VARS),
        ]
        return dbtRunner().invoke(argv)

    def connect(self) -> duckdb.DuckDBPyConnection:
        # dbt-duckdb keeps its own connection open in this process: same (default) configuration, or DuckDB refuses.
        return duckdb.connect(str(self.database))

    def rows(self, sql: str) -> list[dict[str, Any]]:
        con = self.connect()
        try:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()


@pytest.fixture(scope="session")
def dbt_project(tmp_path_factory) -> DbtProject:
    workdir = tmp_path_factory.mktemp("dbt_models")
    database = workdir / "pinterest.duckdb"
    counts = generate(database, orders=ORDERS, seed=SEED, as_of=AS_OF.replace(tzinfo=dt.timezone.utc))
    shutil.copy(ROOT / "profiles.example.yml", workdir / "profiles.yml")
    with mock.patch.dict(os.environ, {"PINTEREST_DUCKDB_PATH": str(database)}):  # restored afterwards
        os.environ.pop("PINTEREST_DBT_TARGET", None)
        yield DbtProject(workdir, database, counts)


@pytest.fixture(scope="session")
def dbt_build(dbt_project):
    """The result of one `dbt build` (seeds, models, data tests, unit tests) over the dirty sample data."""
    return dbt_project.invoke("build")
