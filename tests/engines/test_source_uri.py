"""pinexport.source reading the model from PostgreSQL by URI, in streaming batches, against a real server."""

from __future__ import annotations

import hashlib
import json

import polars as pl
import pytest

from pinexport.errors import SourceError
from pinexport.source import CONTENTS_DTYPE, count_rows, read_batches, resolve_source

ROWS = 120_003  # more than two default batches, not a multiple of the batch sizes used below

MODEL_DDL = """
create schema if not exists analytics;
drop table if exists analytics.pinterest_conversions;
create table analytics.pinterest_conversions as
select
    'checkout'::text as event_name,
    1700000000 + g::bigint as event_time,
    encode(sha256(convert_to('o' || g || '|checkout|' || (1700000000 + g), 'UTF8')), 'hex') as event_id,
    (g % 7 = 0) as opt_out,
    case when g % 3 = 0 then '{}'::text[]
         else array[encode(sha256(convert_to('user' || g || '@example.com', 'UTF8')), 'hex')] end as em,
    ('o' || g)::text as order_id,
    case when g % 5 = 0 then null else (g % 1000 || '.' || lpad((g % 100)::text, 2, '0')) end as value,
    case when g % 11 = 0 then '[]'::json
         else json_build_array(
            json_build_object('id', 'p' || g, 'item_name', 'Item ' || g, 'item_category', null,
                              'item_brand', 'Brand', 'item_price', '12.50', 'quantity', 2),
            json_build_object('id', 'q' || g, 'item_name', null, 'item_category', 'Shoes',
                              'item_brand', null, 'item_price', '3.00', 'quantity', 1)) end as contents
from generate_series(1, {rows}) as g;
"""


@pytest.fixture(scope="module")
def pg_model(postgres_server):
    with postgres_server.connect(autocommit=True) as con:
        con.execute(MODEL_DDL.replace("{rows}", str(ROWS)))
    return postgres_server


def spec_for(server, **kwargs):
    return resolve_source(uri=server.uri, table="analytics.pinterest_conversions", **kwargs)


def test_reads_every_row_in_batches_of_at_most_batch_size(pg_model):
    sizes = []
    seen = 0
    for batch in read_batches(spec_for(pg_model), batch_size=25_000):
        sizes.append(batch.height)
        seen += batch.height
    assert seen == ROWS
    assert max(sizes) == 25_000
    assert all(0 < s <= 25_000 for s in sizes)
    assert len(sizes) >= ROWS // 25_000 + 1


def test_types_match_duckdb_model_and_contents_json_is_decoded(pg_model):
    spec = spec_for(pg_model)
    df = pl.concat(read_batches(spec, order_by=["event_time"], batch_size=40_000))
    assert df.height == ROWS
    assert df.schema["event_time"] == pl.Int64
    assert df.schema["opt_out"] == pl.Boolean
    assert df.schema["em"] == pl.List(pl.String)
    assert df.schema["value"] == pl.String
    assert df.schema["contents"] == CONTENTS_DTYPE
    assert df["event_time"].is_sorted()

    g = 23  # a row with two contents, a non-empty em and a value
    row = df.filter(pl.col("order_id") == f"o{g}").row(0, named=True)
    assert row["event_id"] == hashlib.sha256(f"o{g}|checkout|{1700000000 + g}".encode()).hexdigest()
    assert row["em"] == [hashlib.sha256(f"user{g}@example.com".encode()).hexdigest()]
    assert row["value"] == "23.23"
    assert row["contents"] == [
        {"id": "p23", "item_name": "Item 23", "item_category": None, "item_brand": "Brand",
         "item_price": "12.50", "quantity": 2},
        {"id": "q23", "item_name": None, "item_category": "Shoes", "item_brand": None,
         "item_price": "3.00", "quantity": 1},
    ]
    assert df.filter(pl.col("order_id") == "o3")["em"].to_list() == [[]]  # empty array stays an empty list
    assert df.filter(pl.col("order_id") == "o5")["value"].to_list() == [None]
    assert df.filter(pl.col("order_id") == "o11")["contents"].to_list() == [[]]


def test_time_window_columns_and_count_agree(pg_model):
    spec = spec_for(pg_model)
    since, until = 1700000000 + 1_000, 1700000000 + 61_000
    batches = list(read_batches(spec, columns=["event_id", "event_time"], since=since, until=until, batch_size=7_000))
    df = pl.concat(batches)
    assert df.columns == ["event_id", "event_time"]
    assert df.height == 60_000 == count_rows(spec, since=since, until=until)
    assert df["event_time"].min() == since and df["event_time"].max() == until - 1
    assert count_rows(spec) == ROWS


def test_stopping_early_releases_the_connection(pg_model):
    spec = spec_for(pg_model)
    for _ in range(30):  # more than max_connections=20: leaked connections would exhaust the server
        gen = read_batches(spec, batch_size=1_000)
        assert next(gen).height == 1_000
        gen.close()
    assert count_rows(spec) == ROWS


def test_missing_table_and_column_are_clear_errors(pg_model):
    with pytest.raises(SourceError, match="cannot read"):
        list(read_batches(resolve_source(uri=pg_model.uri, table="analytics.nope")))
    with pytest.raises(SourceError, match="lacks a column"):
        list(read_batches(spec_for(pg_model), columns=["event_id", "no_such_column"]))


def test_wrong_password_is_a_clear_error_that_does_not_echo_it(pg_model):
    secret = "Wr0ng-Pa55word-XYZ"
    uri = pg_model.uri.replace(pg_model.password, secret)
    with pytest.raises(SourceError) as info:
        list(read_batches(resolve_source(uri=uri, table="analytics.pinterest_conversions")))
    assert secret not in str(info.value)
    assert "***" in str(info.value)


def test_password_from_pgpassword_and_never_in_describe(pg_model):
    bare = pg_model.uri.replace(f":{pg_model.password}@", "@")
    spec = resolve_source(
        uri=bare, table="analytics.pinterest_conversions", environ={"PGPASSWORD": pg_model.password}
    )
    assert count_rows(spec) == ROWS
    assert pg_model.password not in spec.describe() and pg_model.password not in repr(spec)
    assert spec.describe().startswith(f"postgresql://{pg_model.user}:***@127.0.0.1:")


def test_uri_from_environment(pg_model):
    spec = resolve_source(table="analytics.pinterest_conversions", environ={"PINTEREST_SOURCE_URI": pg_model.uri})
    assert spec.uri and not spec.duckdb_path
    assert count_rows(spec, since=1700000000 + ROWS) == 1


def test_source_options_are_exclusive_and_schemes_checked():
    with pytest.raises(SourceError, match="mutually exclusive"):
        resolve_source(uri="postgresql://u@h/db", duckdb_path="x.duckdb")
    with pytest.raises(SourceError, match="mutually exclusive"):
        resolve_source(uri="postgresql://u@h/db", parquet="*.parquet")
    with pytest.raises(SourceError, match="unload the model to Parquet"):
        resolve_source(uri="snowflake://u:secret@account/db")
    with pytest.raises(SourceError, match="both PINTEREST_SOURCE_URI and PINTEREST_DUCKDB_PATH"):
        resolve_source(environ={"PINTEREST_SOURCE_URI": "postgresql://u@h/db", "PINTEREST_DUCKDB_PATH": "x"})
    # an explicit flag wins over the environment
    assert resolve_source(duckdb_path="a.duckdb", environ={"PINTEREST_SOURCE_URI": "postgresql://u@h/db"}).duckdb_path


def test_contents_that_is_not_json_is_a_clear_error(postgres_server):
    with postgres_server.connect(autocommit=True) as con:
        con.execute("create table if not exists bad_contents as select 1::bigint as event_time, 'oops'::text as contents")
    with pytest.raises(SourceError, match="not a JSON array"):
        list(read_batches(resolve_source(uri=postgres_server.uri, table="bad_contents")))


def test_contents_json_with_missing_keys_decodes_to_nulls(postgres_server):
    with postgres_server.connect(autocommit=True) as con:
        con.execute(
            "create table if not exists sparse_contents as select 1::bigint as event_time, "
            + "'" + json.dumps([{"id": "x", "quantity": 3}]) + "'::jsonb as contents"
        )
    df = pl.concat(read_batches(resolve_source(uri=postgres_server.uri, table="sparse_contents")))
    assert df["contents"].to_list() == [
        [{"id": "x", "item_name": None, "item_category": None, "item_brand": None, "item_price": None, "quantity": 3}]
    ]
