"""Fixtures for the `pinexport api` tests: synthetic models in temp DuckDB files, a sandbox over loopback HTTP,
and a helper that runs the CLI in-process with captured output."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from api_factory import ACCOUNT, NOW, TOKEN, write_events, write_synthetic

from pinexport import cli
from pinexport.console import Console
from pinexport.sandbox import Sandbox



@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


class Model:
    """A temp DuckDB file with a `pinterest_conversions` table (exact contract schema)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def events(self, rows) -> "Model":
        write_events(self.path, rows)
        return self

    def synthetic(self, n: int, **kw) -> "Model":
        write_synthetic(self.path, n, now=NOW, **kw)
        return self


@pytest.fixture
def model(tmp_path) -> Model:
    return Model(tmp_path / "model.duckdb")


@pytest.fixture
def state_dir(tmp_path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def sandbox():
    with Sandbox(token=TOKEN, seed=11) as sb:
        yield sb


@pytest.fixture
def run_api(model, state_dir, tmp_path):
    """run_api(*extra_args, env=..., base_url=...) -> Run; runs `pinexport api` through cli.main in-process."""

    def _run(*extra: str, base_url: str | None = None, env: dict | None = None, token: str | None = TOKEN) -> Run:
        environ = {} if env is None else dict(env)
        if token is not None:
            environ.setdefault("PINTEREST_ACCESS_TOKEN", token)
        if base_url is not None:
            environ.setdefault("PINTEREST_API_BASE_URL", base_url)
        out, err = io.StringIO(), io.StringIO()
        argv = ["api", "--ad-account-id", ACCOUNT, "--duckdb", str(model.path), "--state-dir", str(state_dir),
                "--rejects", str(tmp_path / "rejects.csv"), "--backoff-base", "0.01", "--backoff-max", "0.05",
                *extra]
        code = cli.main(argv, Console(stdout=out, stderr=err, environ=environ))
        return Run(code, out.getvalue(), err.getvalue())

    return _run

