"""Fixtures for the engine tests: a real PostgreSQL server and a local Spark session, each started once.

When an engine cannot run on this machine the tests that need it are skipped with the reason, unless
PINTEREST_REQUIRE_ENGINES=1 (set by .ci/run), which turns the skip into a failure: CI must prove every engine.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ENV = "PINTEREST_REQUIRE_ENGINES"


def engine_unavailable(reason: str) -> None:
    """Skip (locally) or fail (in CI) a test whose engine cannot run here."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1: CI must run every engine)", pytrace=False)
    pytest.skip(reason)


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
