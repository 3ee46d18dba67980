"""The dbt model pinterest_conversions_csv, rendered (ref -> a contract-shaped table) and run on DuckDB: the
default layout, only hash columns for personal data, opt-outs marked for skipping, stored in event order.
(`dbt build` also runs its data tests: sha256_hex on email and madid.)"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import jinja2
import pytest

from csvdata import sha

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "marts" / "pinterest_conversions_csv.sql"
HEX = re.compile(r"^[0-9a-f]{64}$")
USER_FIELDS = ["em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id", "hashed_maids"]

CONTRACT = """
create table pinterest_conversions (
    event_name varchar, action_source varchar, event_time bigint, event_id varchar, partner_name varchar,
    opt_out boolean, {user},
    client_ip_address varchar, client_user_agent varchar, click_id varchar, partner_id varchar,
    currency varchar, value varchar, order_id varchar, num_items bigint, content_ids varchar[],
    contents struct(id varchar, item_name varchar, item_category varchar, item_brand varchar, item_price varchar,
                    quantity bigint)[],
    opt_out_type varchar
)
""".format(user=", ".join(f"{f} varchar[]" for f in USER_FIELDS))


def render(target_type: str = "duckdb") -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    template = env.from_string(MODEL.read_text())
    return template.render(ref=lambda name: name, target=type("T", (), {"type": target_type})())


def insert(con, order_id, event_time, *, em=(), maids=(), opt_out=False, ldp=False):
    user = {f: [] for f in USER_FIELDS}
    user["em"], user["hashed_maids"] = list(em), list(maids)
    user["fn"] = [sha("jane")]
    con.execute(
        f"insert into pinterest_conversions values ('checkout', 'offline', ?, ?, null, ?, "
        f"{', '.join('?' for _ in USER_FIELDS)}, null, null, null, null, 'USD', '12.50', ?, 2, ['p1'], "
        "[{'id': 'p1', 'item_name': 'Jane''s gift', 'item_category': null, 'item_brand': null, "
        "'item_price': '6.25', 'quantity': 2}], ?)",
        [event_time, sha(order_id), opt_out, *[user[f] for f in USER_FIELDS], order_id, "LDP" if ldp else None],
    )


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute(CONTRACT)
    yield c
    c.close()


def test_default_layout_follows_pinterests_columns(con):
    insert(con, "o2", 200, em=[sha("a@x.com"), sha("b@x.com")])
    insert(con, "o1", 100, maids=[sha("maid-1")])
    insert(con, "o3", 300)
    insert(con, "o4", 400, em=[sha("c@x.com")], opt_out=True)
    insert(con, "o5", 500, em=[sha("d@x.com")], ldp=True)
    rel = con.sql(render())
    assert rel.columns == ["email", "madid", "event_time", "event_type", "source_type", "value", "currency",
                           "order_id", "quantity", "_skip_reason"]
    assert rel.fetchall() == [
        (None, sha("maid-1"), 100, "checkout", "offline", "12.50", "USD", "o1", 2, None),
        (sha("a@x.com"), None, 200, "checkout", "offline", "12.50", "USD", "o2", 2, None),
        (None, None, 300, "checkout", "offline", "12.50", "USD", "o3", 2, None),
        (sha("c@x.com"), None, 400, "checkout", "offline", "12.50", "USD", "o4", 2, "opt_out"),
        (sha("d@x.com"), None, 500, "checkout", "offline", "12.50", "USD", "o5", 2, "limited_data_processing"),
    ]


def test_model_exposes_no_personal_column_but_hashes(con):
    insert(con, "o1", 100, em=[sha("a@x.com")], maids=[sha("m")])
    rel = con.sql(render())
    personal = {"email", "madid"}
    row = dict(zip(rel.columns, rel.fetchall()[0]))
    assert all(HEX.match(row[c]) for c in personal)
    # no other column of the layout is derived from a personal field of pinterest_conversions
    sql = render()
    body = sql[sql.index("csv_rows as"):]
    for field in USER_FIELDS:
        uses = re.findall(rf"\b{field}\b", body)
        assert not uses or field in ("em", "hashed_maids"), f"{field} must not reach the CSV layout"
    assert "contents" not in body and "client_ip_address" not in body


@pytest.mark.parametrize("target", ["postgres", "spark", "databricks", "snowflake", "bigquery", "trino", "redshift"])
def test_renders_for_every_engine(target):
    sql = render(target)
    assert "email" in sql and "{0}" not in sql
