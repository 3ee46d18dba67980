"""Synthetic `pinterest_conversions` tables with the model's exact schema (models/marts/_pinterest__marts.yml), for tests and the API benchmark.

`write_events()` writes a few hand-shaped events (each a dict overriding the defaults of `event()`);
`write_synthetic()` writes N events in one SQL statement (millions in seconds), event times spread over the
`spread_seconds` before `now`.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Iterable

import duckdb

TOKEN = "pina_TEST-token-6f1d2c9a8b7e"
ACCOUNT = "549755885175"
NOW = int(time.time())

TABLE_DDL = """
create or replace table {table} (
    event_name varchar, action_source varchar, event_time bigint, event_id varchar, partner_name varchar,
    opt_out boolean,
    em varchar[], ph varchar[], fn varchar[], ln varchar[], ge varchar[], db varchar[], ct varchar[], st varchar[],
    zp varchar[], country varchar[], external_id varchar[], hashed_maids varchar[],
    client_ip_address varchar, client_user_agent varchar, click_id varchar, partner_id varchar,
    currency varchar, value varchar, order_id varchar, num_items bigint, content_ids varchar[],
    contents struct(id varchar, item_name varchar, item_category varchar, item_brand varchar,
                    item_price varchar, quantity bigint)[],
    opt_out_type varchar
)
"""
COLUMNS = [
    "event_name", "action_source", "event_time", "event_id", "partner_name", "opt_out", "em", "ph", "fn", "ln",
    "ge", "db", "ct", "st", "zp", "country", "external_id", "hashed_maids", "client_ip_address",
    "client_user_agent", "click_id", "partner_id", "currency", "value", "order_id", "num_items", "content_ids",
    "contents", "opt_out_type",
]
LIST_COLUMNS = {"em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id", "hashed_maids",
                "content_ids"}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def event(i: int, event_time: int, **overrides: Any) -> dict[str, Any]:
    """A valid checkout event for order `o-<i>` (override any column)."""
    order_id = f"o-{i}"
    row: dict[str, Any] = {c: ([] if c in LIST_COLUMNS else None) for c in COLUMNS}
    row.update(
        event_name="checkout", action_source="offline", event_time=event_time,
        event_id=sha(f"{order_id}|checkout|{event_time}"), opt_out=False,
        em=[sha(f"user{i}@example.com")], ph=[sha(f"1555000{i:04d}")], fn=[sha("ann")], country=[sha("us")],
        currency="USD", value=f"{10 + i % 90}.{i % 100:02d}", order_id=order_id, num_items=2,
        content_ids=[f"p{i % 7}", f"p{i % 5}"],
        contents=[
            {"id": f"p{i % 7}", "item_name": "Shirt", "item_category": "tops", "item_brand": None,
             "item_price": "5.00", "quantity": 1},
            {"id": f"p{i % 5}", "item_name": "Hat", "item_category": None, "item_brand": "Acme",
             "item_price": "5.00", "quantity": 1},
        ],
    )
    row.update(overrides)
    return row


def write_events(path: str | Path, rows: Iterable[dict[str, Any]], table: str = "pinterest_conversions") -> int:
    rows = list(rows)
    con = duckdb.connect(str(path))
    try:
        con.execute(TABLE_DDL.format(table=table))
        if rows:
            placeholders = ", ".join("?" for _ in COLUMNS)
            con.executemany(
                f"insert into {table} ({', '.join(COLUMNS)}) values ({placeholders})",
                [[r[c] for c in COLUMNS] for r in rows],
            )
    finally:
        con.close()
    return len(rows)


def write_synthetic(
    path: str | Path, n: int, *, now: int, spread_seconds: int = 6 * 86400, table: str = "pinterest_conversions",
    start: int = 0,
) -> int:
    """N valid events (order ids o-<start>..), event_time = now - (i * 7919 % spread_seconds) - 60."""
    con = duckdb.connect(str(path))
    try:
        con.execute(TABLE_DDL.format(table=table))
        con.execute(
            f"""
            insert into {table}
            select
                'checkout', 'offline', et, sha256('o-' || i || '|checkout|' || et), null, false,
                [sha256('user' || i || '@example.com')],
                case when i % 3 = 0 then [] else [sha256('1555' || i)] end,
                [sha256('ann' || (i % 1000))], [sha256('lee' || (i % 997))], [sha256('f')], [], [sha256('paris')],
                [], [sha256('7500' || (i % 90))], [sha256('fr')], [sha256('cust' || i)],
                case when i % 10 = 0 then [sha256('maid' || i)] else [] end,
                null, null, null, null,
                'EUR', ((i % 20000) / 100)::decimal(18, 2)::varchar, 'o-' || i, 1 + i % 4,
                ['sku' || (i % 500), 'sku' || (i % 311)],
                [{{'id': 'sku' || (i % 500), 'item_name': 'Item ' || (i % 500), 'item_category': 'cat' || (i % 9),
                   'item_brand': null, 'item_price': '12.50', 'quantity': 1}},
                 {{'id': 'sku' || (i % 311), 'item_name': 'Item "b" ' || (i % 311), 'item_category': null,
                   'item_brand': 'Brand', 'item_price': '3.99', 'quantity': 2}}],
                case when i % 50 = 0 then 'LDP' else null end
            from (select i, ($now - (i * 7919 % $spread) - 60)::bigint as et
                  from range($start, $start + $n) t(i))
            """,
            {"now": int(now), "spread": int(spread_seconds), "n": int(n), "start": int(start)},
        )
    finally:
        con.close()
    return n
