"""The sample-data generator: deterministic, sized as asked, and as dirty as the issue says real data is."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import duckdb
import pytest

from pinexport.commands import sample_data as command
from pinexport.console import Console
from pinexport.errors import ConfigError, ExitCode
from pinexport.sample_data import TABLES, generate

AS_OF = dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.timezone.utc)


def _fingerprint(con: duckdb.DuckDBPyConnection, schema: str = "raw") -> dict[str, tuple]:
    return {t: con.execute(f"select count(*), bit_xor(hash(x)) from {schema}.{t} x").fetchall()[0] for t in TABLES}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    generate(con, orders=4000, seed=7, as_of=AS_OF)
    return con


def test_counts_are_returned_and_match_the_tables(con):
    counts = generate(con, orders=4000, customers=900, seed=7, schema="other", as_of=AS_OF)
    assert counts == {t: con.execute(f"select count(*) from other.{t}").fetchall()[0][0] for t in TABLES}
    assert counts["customer_360"] == 900
    assert con.execute("select count(distinct trim(order_id)) from other.unified_transactions").fetchall()[0][0] == 4000
    assert 4000 * 2.0 < counts["unified_itemized_transactions"] < 4000 * 3.0


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    a, b, c = duckdb.connect(), duckdb.connect(), duckdb.connect()
    generate(a, orders=1500, seed=3, as_of=AS_OF)
    generate(b, orders=1500, seed=3, as_of=AS_OF)
    generate(c, orders=1500, seed=4, as_of=AS_OF)
    assert _fingerprint(a) == _fingerprint(b)
    assert _fingerprint(a) != _fingerprint(c)
    path = tmp_path / "x.duckdb"
    generate(path, orders=1500, seed=3, as_of=AS_OF)
    generate(path, orders=1500, seed=3, as_of=AS_OF)  # replaces, does not append
    with duckdb.connect(str(path), read_only=True) as d:
        assert _fingerprint(d) == _fingerprint(a)


def _share(con, table: str, predicate: str) -> float:
    return con.execute(f"select avg(case when {predicate} then 1.0 else 0.0 end) from raw.{table}").fetchall()[0][0]


@pytest.mark.parametrize(
    "table, predicate",
    [
        ("customer_360", "email like '%' || chr(160) || '%' or email like '%' || chr(9) || '%'"),
        ("customer_360", "regexp_matches(email, '^[0-9a-f]{64}$')"),
        ("customer_360", "regexp_matches(email, '^[0-9A-F]{64}$')"),
        ("customer_360", "email like '%@%@%'"),
        ("customer_360", "email not like '%@%' and length(email) > 5"),
        ("customer_360", "email is null"),
        ("customer_360", "email = ''"),
        ("customer_360", "phone like '+1 (%) %-%'"),
        ("customer_360", "phone like '00 44 %'"),
        ("customer_360", "regexp_matches(phone, '^[0-9]{10}$')"),
        ("customer_360", "given_name <> nfc_normalize(given_name)"),  # decomposed accents
        ("customer_360", "surname in ('李', '佐藤', 'Иванов')"),
        ("customer_360", "lower(trim(gender)) in ('non binary', 'nonbinary', 'non-binary')"),
        ("customer_360", "gender in ('X', 'unknown', 'NB')"),
        ("customer_360", "birthdate < date '1900-01-01'"),
        ("customer_360", "birthdate > date '2026-01-31'"),
        ("customer_360", "birthdate is null"),
        ("customer_360", "city like '%St. Louis%' or city like '%29 Palms%'"),
        ("customer_360", "lower(trim(state)) in ('california', 'british columbia', 'quebec')"),
        ("customer_360", "trim(postal) = '2134' or regexp_matches(postal, '^[0-9]{4}$')"),
        ("customer_360", "regexp_matches(postal, '^[0-9]{5}-[0-9]{4}$')"),
        ("customer_360", "postal = 'EC3N 4AB'"),
        ("customer_360", "country in ('USA', 'GBR', 'UK', 'United States', 'Narnia')"),
        ("customer_360", "country is null"),
        ("customer_360", "customer_id <> upper(customer_id) and customer_id <> lower(customer_id)"),
        ("customer_360", "opt_out"),
        ("customer_360", "limited_data_processing"),
        ("customer_360", "maid is not null and maid <> ''"),
        ("unified_transactions", "amperity_id is null"),
        ("unified_transactions", "amperity_id like 'AMP-MISSING-%'"),
        ("unified_transactions", "order_datetime is null"),
        ("unified_transactions", "order_datetime > timestamp '2026-01-31 12:00:00'"),
        ("unified_transactions", "order_datetime > timestamp '2026-01-24 12:00:00'"),
        ("unified_transactions", "order_revenue is null"),
        ("unified_transactions", "order_revenue < 0"),
        ("unified_transactions", "currency in ('usd', ' eur ', 'US$', '', 'XX')"),
        ("unified_transactions", "currency is null"),
        ("unified_transactions", "order_id is null"),
        ("unified_itemized_transactions", "is_return"),
        ("unified_itemized_transactions", "is_cancellation"),
        ("unified_itemized_transactions", "is_return is null"),
        ("unified_itemized_transactions", "item_name like '%,%' or item_name like '%\"%'"),
        ("unified_itemized_transactions", "item_name like '%' || chr(10) || '%'"),
        ("unified_itemized_transactions", "left(item_name, 1) in ('=', '+', '-', '@')"),
    ],
)
def test_dirt_is_present(con, table, predicate):
    assert _share(con, table, predicate) > 0, predicate


def test_event_times_spread_over_sixty_days_with_a_recent_share(con):
    recent, old, oldest = con.execute(
        "select avg(case when order_datetime > timestamp '2026-01-24 12:00:00' then 1.0 else 0 end),"
        " avg(case when order_datetime < timestamp '2025-12-31 12:00:00' then 1.0 else 0 end),"
        " min(order_datetime) from raw.unified_transactions"
    ).fetchall()[0]
    assert 0.25 < recent < 0.6 and old > 0.2
    assert oldest >= dt.datetime(2025, 12, 1, 12, 0)


def test_orders_repeat_exactly_and_split(con):
    exact, split = con.execute(
        """
        with g as (
            select trim(order_id) as o, count(*) as n, count(distinct (order_revenue, order_datetime)) as d
            from raw.unified_transactions where order_id is not null group by 1 having count(*) > 1
        )
        select count(*) filter (where d = 1), count(*) filter (where d > 1) from g
        """
    ).fetchall()[0]
    assert exact > 0 and split > 0


def test_nfd_names_really_are_decomposed(con):
    names = [r[0] for r in con.execute("select given_name from raw.customer_360 where given_name is not null").fetchall()]
    assert any(unicodedata.normalize("NFC", n) != n for n in names)


def test_cli_writes_the_tables(tmp_path):
    from pinexport.cli import main

    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / "cli.duckdb"
    argv = ["sample-data", "--orders", "300", "--seed", "5", "--as-of", "2026-01-31T12:00:00Z"]
    console = Console(stdout=out, stderr=err, environ={"PINTEREST_DUCKDB_PATH": str(path)})
    assert main(argv, console) == ExitCode.OK, err.getvalue()
    assert "raw.unified_transactions:" in out.getvalue()
    expected = duckdb.connect()
    generate(expected, orders=300, seed=5, as_of=AS_OF)
    with duckdb.connect(str(path), read_only=True) as d:
        assert _fingerprint(d) == _fingerprint(expected)


def test_cli_rejects_bad_arguments(tmp_path):
    import argparse

    parser = argparse.ArgumentParser()
    command.configure(parser)
    console = Console(stdout=io.StringIO(), stderr=io.StringIO(), environ={})
    with pytest.raises(ConfigError):
        command.run(parser.parse_args(["--duckdb", str(tmp_path / "a"), "--orders", "0"]), console)
    with pytest.raises(ConfigError):
        command.run(parser.parse_args(["--duckdb", str(tmp_path / "a"), "--as-of", "yesterday"]), console)
