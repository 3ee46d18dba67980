"""pinexport.source reading the model from Parquet files (Spark table directories, warehouse unloads)."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from pinexport.errors import SourceError
from pinexport.source import CONTENTS_DTYPE, column_names, count_rows, read_batches, resolve_source

FILES, ROWS_PER_FILE = 4, 30_001

MODEL_SELECT = """
select
    1700000000 + range as event_time,
    sha256('o' || range) as event_id,
    'o' || range as order_id,
    case when range % 3 = 0 then []::varchar[] else [sha256('e' || range)] end as em,
    [{{'id': 'p' || range, 'item_name': 'Item', 'item_category': null::varchar, 'item_brand': 'B',
       'item_price': '1.50', 'quantity': (range % 4)::bigint}}] as contents
from range({start}, {stop})
"""


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    """A Spark-style table directory: several part files, small row groups, plus a _SUCCESS marker."""
    directory = tmp_path_factory.mktemp("parquet") / "pinterest_conversions"
    directory.mkdir()
    con = duckdb.connect()
    for i in range(FILES):
        sql = MODEL_SELECT.format(start=i * ROWS_PER_FILE, stop=(i + 1) * ROWS_PER_FILE)
        con.execute(f"copy ({sql}) to '{directory}/part-{i:05d}.snappy.parquet' (format parquet, row_group_size 8192)")
    con.close()
    (directory / "_SUCCESS").write_text("")
    return directory


def test_multi_file_glob_reads_every_row_in_bounded_batches(parquet_dir):
    spec = resolve_source(parquet=str(parquet_dir / "*.parquet"))
    sizes, ids = [], set()
    for batch in read_batches(spec, columns=["order_id", "event_time"], batch_size=7_000):
        sizes.append(batch.height)
        ids.update(batch["order_id"].to_list())
    total = FILES * ROWS_PER_FILE
    assert sum(sizes) == total == len(ids) == count_rows(spec)
    assert all(s == 7_000 for s in sizes[:-1]) and 0 < sizes[-1] <= 7_000


def test_types_and_values_come_through(parquet_dir):
    spec = resolve_source(parquet=str(parquet_dir / "*.parquet"))
    df = pl.concat(read_batches(spec, order_by=["event_time"], batch_size=50_000))
    assert df.schema["contents"] == CONTENTS_DTYPE
    assert df.schema["em"] == pl.List(pl.String)
    assert df["event_time"].is_sorted() and df.height == FILES * ROWS_PER_FILE
    row = df.filter(pl.col("order_id") == "o31000").row(0, named=True)
    assert row["contents"] == [{"id": "p31000", "item_name": "Item", "item_category": None, "item_brand": "B",
                                "item_price": "1.50", "quantity": 0}]
    assert df.filter(pl.col("order_id") == "o3")["em"].to_list() == [[]]


def test_window_filter_and_count_agree(parquet_dir):
    spec = resolve_source(parquet=str(parquet_dir / "part-*.parquet"))
    since, until = 1700000000 + 29_000, 1700000000 + 62_000  # spans three files
    df = pl.concat(read_batches(spec, since=since, until=until, batch_size=10_000))
    assert df.height == 33_000 == count_rows(spec, since=since, until=until)
    assert df["event_time"].min() == since and df["event_time"].max() == until - 1


def test_column_names_without_reading_rows(parquet_dir):
    spec = resolve_source(parquet=str(parquet_dir / "*.parquet"))
    assert column_names(spec) == ["event_time", "event_id", "order_id", "em", "contents"]


def test_json_text_contents_from_an_unload_is_decoded(tmp_path):
    """Snowflake/BigQuery unloads write `contents` as JSON text: it arrives as the same list of structs."""
    path = tmp_path / "unload.parquet"
    contents = json.dumps([{"id": "p1", "item_name": "A", "item_category": None, "item_brand": None,
                            "item_price": "2.00", "quantity": 3}])
    pl.DataFrame({"event_time": [1], "contents": [contents]}).write_parquet(path)
    df = pl.concat(read_batches(resolve_source(parquet=str(path))))
    assert df.schema["contents"] == CONTENTS_DTYPE
    assert df["contents"].to_list()[0][0]["quantity"] == 3


def test_missing_files_and_columns_are_clear_errors(parquet_dir, tmp_path):
    with pytest.raises(SourceError, match="cannot read parquet"):
        list(read_batches(resolve_source(parquet=str(tmp_path / "nothing-*.parquet"))))
    with pytest.raises(SourceError, match="lacks a column"):
        list(read_batches(resolve_source(parquet=str(parquet_dir / "*.parquet")), columns=["event_id", "nope"]))


def test_stopping_early_is_quick_and_releases_the_files(parquet_dir):
    spec = resolve_source(parquet=str(parquet_dir / "*.parquet"))
    for _ in range(20):
        batches = read_batches(spec, batch_size=100)
        assert next(batches).height == 100
        batches.close()
