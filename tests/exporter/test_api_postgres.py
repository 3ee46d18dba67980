"""`pinexport api --uri`: the model read from a real PostgreSQL server (contents as json, hashes as text[])."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from api_factory import NOW

from pinexport.errors import ExitCode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engines"))

ROWS = 2_500
MODEL = f"""
create schema if not exists analytics;
drop table if exists analytics.pinterest_conversions;
create table analytics.pinterest_conversions as
select 'checkout'::text as event_name, 'offline'::text as action_source,
       ({NOW} - 600 - g)::bigint as event_time,
       encode(sha256(convert_to('o' || g, 'UTF8')), 'hex') as event_id,
       false as opt_out,
       array[encode(sha256(convert_to('user' || g || '@example.com', 'UTF8')), 'hex')] as em,
       '{{}}'::text[] as ph,
       'USD'::text as currency, (g % 100 || '.50')::text as value, ('o' || g)::text as order_id,
       2::bigint as num_items,
       json_build_array(json_build_object('id', 'p' || g, 'item_name', null, 'item_price', '1.25',
                                          'quantity', 2)) as contents
from generate_series(1, {ROWS}) as g;
"""


@pytest.fixture(scope="module")
def pg():
    try:
        import psycopg  # noqa: F401
        from pg_server import PostgresServer, PostgresUnavailable, find_bindir

        bindir = find_bindir()
    except Exception as exc:  # noqa: BLE001 - missing psycopg / server binaries alike
        pytest.skip(f"PostgreSQL not available here: {exc}")
    server = PostgresServer(bindir=bindir)
    try:
        server.start()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    try:
        with server.connect(autocommit=True) as con:
            con.execute(MODEL)
        yield server
    finally:
        server.stop()


def test_api_reads_a_postgres_model_by_uri(pg, sandbox, run_api, tmp_path):
    out = tmp_path / "dry.ndjson"
    dry = run_api("--uri", pg.uri, "--duckdb", "", "--table", "analytics.pinterest_conversions", "--dry-run",
                  "--dry-run-output", str(out), base_url=sandbox.url, env=pg.env())
    assert dry.code == ExitCode.OK, dry.stderr
    first = json.loads(out.read_text().splitlines()[0])["data"][0]
    assert first["custom_data"]["contents"] == [{"id": first["custom_data"]["order_id"].replace("o", "p"),
                                                 "item_price": "1.25", "quantity": 2}]
    assert "ph" not in first["user_data"]
    run = run_api("--json", "--uri", pg.uri, "--duckdb", "", "--table", "analytics.pinterest_conversions",
                  base_url=sandbox.url, env=pg.env())
    assert run.code == ExitCode.OK, run.stderr
    assert json.loads(run.stdout)["processed"] == ROWS and len(sandbox.accepted_event_ids()) == ROWS

