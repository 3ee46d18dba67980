"""Generate dirty, Amperity-shaped sample input tables straight into DuckDB.

`generate()` writes `customer_360`, `unified_transactions` and `unified_itemized_transactions` into a schema of a
DuckDB database with set-based SQL only: every value is a deterministic function of the row number, the seed and
`as_of` (DuckDB's `hash()`), so no Python loop touches a row and 10M transactions take seconds, not minutes.

The dirt is what real warehouses hold: stray whitespace of every kind (tabs, newlines, U+00A0 and other Unicode
spaces), any case, nulls and empty strings, pre-hashed and malformed emails, phones in every format, names in
decomposed (NFD) Unicode and non-Latin scripts, out-of-range birthdates, state and country names instead of codes,
duplicated and split orders, orders without a customer, null or future event times, null or negative revenue,
messy currencies, returns and cancellations, and item names that would inject formulas into a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import unicodedata
from pathlib import Path
from typing import Sequence

import duckdb

log = logging.getLogger(__name__)

TABLES = ("customer_360", "unified_transactions", "unified_itemized_transactions")

# Unicode spaces that real exports carry around values (all have the Unicode White_Space property).
_PADS = [""] * 36 + [
    " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\u202f", "\u2009", " \t", "\u00a0 ",
]

_FIRST_NAMES = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "José", "Zoë", "Chloé", "François", "Renée", "Søren", "Björn", "Łukasz", "Ñuño", "Anaïs",
    "Mary Ann", "Jean-Luc", "D'Angelo", "Siobhán", "Çağla", "王", "Олег", "محمد", "Σωκράτης", "さくら",
]
_LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Müller", "Núñez", "O'Brien", "van der Berg", "Dvořák", "Gonçalves", "Åström", "Lefèvre", "Ibáñez",
    "Smith-Jones", "李", "Иванов", "Παπαδόπουλος", "佐藤", "Nguyễn",
]
_EMAIL_LOCALS = ["john.smith", "mary", "r.brown", "jen_lee", "m.garcia", "linda+promo", "dave", "liz.w", "k9"]
_EMAIL_DOMAINS = ["example.com", "gmail.com", "yahoo.co.uk", "Example.COM", "mail.example.org", "web.de"]
_GENDERS = [
    "F", "f", "Female", "FEMALE", "female", "woman", "Woman", "M", "m", "Male", "MALE", "male", "man", "Man",
    "n", "N", "Non-Binary", "nonbinary", "non binary", "NON-BINARY",
    "X", "unknown", "U", "NB", "0", "1", "Mr", "other", "",
]
_CITIES = [
    "San Francisco", "St. Louis", "New York", "Winston-Salem", "Coeur d'Alene", "Saint-Étienne", "São Paulo",
    "München", "Zürich", "Montréal", "Washington, D.C.", "29 Palms", "Los Angeles", "Toronto", "London",
    "Paris", "Berlin", "東京", "Москва", "Chicago", "Québec", "Ōsaka", "123", "N/A", "",
]
_US_STATES = [
    "CA", "ca", "NY", "ny", "Tx", "California", "new york", "TEXAS", "Massachusetts", "District of Columbia",
    "North Carolina", "Missouri", "missouri", "WA", "Washington", "IL", "Illinois", "FL", "florida",
]
_CA_STATES = ["ON", "on", "Ontario", "BC", "British Columbia", "QC", "Quebec", "Nova Scotia", "Alberta", "ab"]
_JUNK_STATES = ["Calif.", "N/A", "12", "XYZ", "Bavaria", "Île-de-France", "--", "", "NSW"]
# (country as written, country kind for postal/phone formats) -- kind: us, ca, gb, de, fr, jp, br, other
_COUNTRIES = [
    ("US", "us"), ("US", "us"), ("US", "us"), ("us", "us"), ("USA", "us"), ("United States", "us"),
    ("united states of america", "us"), (" US ", "us"), ("usa", "us"),
    ("CA", "ca"), ("Canada", "ca"), ("CAN", "ca"),
    ("GB", "gb"), ("UK", "gb"), ("United Kingdom", "gb"), ("GBR", "gb"), ("uk", "gb"),
    ("DE", "de"), ("Germany", "de"), ("DEU", "de"),
    ("FR", "fr"), ("France", "fr"), ("JP", "jp"), ("Japan", "jp"), ("BR", "br"), ("Brazil", "br"),
    ("Narnia", "other"), ("XX", "other"), ("??", "other"), ("", "other"), ("1", "other"),
]
_NULL_COUNTRY_SHARE = 0.06
_ITEM_NAMES = [
    "Linen Shirt", "Ceramic Mug, 12 oz", 'Poster "Sunset"', "Throw Pillow\nBlue", "=HYPERLINK(\"http://x\")",
    "+Plus Size Dress", "-10% Coupon Bundle", "@home Candle", "Café Table", "Desk Lamp", "Wool Socks (3 pack)",
    "Kid's Backpack", "Notebook; dotted", "Tab\tSeparated Set", "Vase", "=1+1", "Garden Hose 50'",
]
_ITEM_CATEGORIES = ["Apparel", "Home", "home & garden", "Kitchen, Dining", "", "Toys", "Décor", "Stationery"]
_ITEM_BRANDS = ["Acme", "ACME", "Northwind", "Contoso, Ltd.", "Fabrikam", "", "Ünique", "O'Neil"]
_CURRENCIES = [
    "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD",
    "usd", "Usd", " eur ", "EUR", "GBP", "cad\t", "\u00a0JPY", "US$", "", "XX", "dollars", "ABC",
]
_NULL_CURRENCY_SHARE = 0.04


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def _nfd(values: Sequence[str]) -> list[str]:
    return [unicodedata.normalize("NFD", v) for v in values]


def generate(
    path_or_connection: str | Path | duckdb.DuckDBPyConnection,
    *,
    orders: int,
    customers: int | None = None,
    items_per_order: float = 2.5,
    seed: int = 42,
    schema: str = "raw",
    as_of: dt.datetime | None = None,
) -> dict[str, int]:
    """(Re)create the three input tables in `schema` and return their row counts.

    `orders` distinct orders (some spread over several transaction rows, plus a few rows without an order id),
    `customers` customers (default: a fifth of the orders), about `items_per_order` item rows per order. Event
    times fall in the ~60 days before `as_of` (default: now, UTC), a third of them in the last 7 days, a few in
    the future and a few null. The same arguments always produce the same table contents.
    """
    if orders < 1:
        raise ValueError("orders must be at least 1")
    customers = max(1, orders // 5) if customers is None else customers
    if customers < 1:
        raise ValueError("customers must be at least 1")
    if not 1.0 <= items_per_order <= 50.0:
        raise ValueError("items_per_order must be between 1 and 50")
    if not schema.isidentifier():
        raise ValueError(f"invalid schema name {schema!r}")
    as_of = as_of or dt.datetime.now(dt.timezone.utc)
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(dt.timezone.utc).replace(tzinfo=None)
    as_of = as_of.replace(microsecond=0)

    own = not isinstance(path_or_connection, duckdb.DuckDBPyConnection)
    con = duckdb.connect(str(path_or_connection)) if own else path_or_connection
    if own:
        con.execute("set enable_progress_bar = false")
    try:
        return _generate(con, orders, customers, items_per_order, int(seed), schema, as_of)
    finally:
        if own:
            con.close()


def _macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    # h(i, salt): a deterministic 64-bit hash of row number, seed and a per-column salt.
    con.execute(f"create or replace temp macro h(i, salt) as hash(i, {seed}::bigint, salt)")
    # u(i, salt): uniform in [0, 1).
    con.execute("create or replace temp macro u(i, salt) as (h(i, salt) % 1000000)::double / 1000000.0")
    # pick(list, n, i, salt): one element of a list literal of n elements.
    # (len(l) on a list literal costs a list construction per row: the length is passed in.)
    con.execute("create or replace temp macro pick(l, n, i, salt) as l[1 + (h(i, salt) % n)::bigint]")
    con.execute(
        f"create or replace temp macro pad(x, i, salt) as "
        f"pick({_list(_PADS)}, {len(_PADS)}, i, salt || 'l') || x || pick({_list(_PADS)}, {len(_PADS)}, i, salt || 'r')"
    )
    # case(x): as written, upper, or lower.
    con.execute(
        "create or replace temp macro anycase(x, i, salt) as "
        "case h(i, salt) % 6 when 0 then upper(x) when 1 then lower(x) else x end"
    )


def _generate(
    con: duckdb.DuckDBPyConnection,
    orders: int,
    customers: int,
    items_per_order: float,
    seed: int,
    schema: str,
    as_of: dt.datetime,
) -> dict[str, int]:
    _macros(con, seed)
    con.execute(f"create schema if not exists {schema}")
    as_of_sql = f"timestamp '{as_of.isoformat(sep=' ')}'"
    first_nfc, first_nfd = _list(_FIRST_NAMES), _list(_nfd(_FIRST_NAMES))
    last_nfc, last_nfd = _list(_LAST_NAMES), _list(_nfd(_LAST_NAMES))
    cities_nfc, cities_nfd = _list(_CITIES), _list(_nfd(_CITIES))
    countries = _list([c for c, _ in _COUNTRIES])
    kinds = _list([k for _, k in _COUNTRIES])

    started = time.perf_counter()
    con.execute(
        f"""
        create or replace table {schema}.customer_360 as
        with base as (
            select
                i,
                'AMP-' || lpad(upper(printf('%x', h(i, 'amp') % 281474976710656)), 12, '0') as amperity_id,
                1 + (h(i, 'fn') % {len(_FIRST_NAMES)})::bigint as fn_ix,
                1 + (h(i, 'ln') % {len(_LAST_NAMES)})::bigint as ln_ix,
                1 + (h(i, 'co') % {len(_COUNTRIES)})::bigint as co_ix,
                u(i, 'co_null') < {_NULL_COUNTRY_SHARE} as co_null,
                pick({_list(_EMAIL_LOCALS)}, {len(_EMAIL_LOCALS)}, i, 'el') || (i % 997)::varchar as em_local,
                pick({_list(_EMAIL_DOMAINS)}, {len(_EMAIL_DOMAINS)}, i, 'ed') as em_domain,
                200 + h(i, 'pa') % 800 as p_area,
                200 + h(i, 'pe') % 800 as p_exch,
                h(i, 'pl') % 10000 as p_line,
                h(i, 'em') % 100 as em_b,
                h(i, 'ph') % 100 as ph_b,
                h(i, 'nm') % 100 as nm_b,
                h(i, 'db') % 100 as db_b,
                h(i, 'zp') % 100 as zp_b,
                h(i, 'st') % 100 as st_b
            from range({customers}) t(i)
        ),
        located as (
            select *,
                case when co_null then null else {countries}[co_ix] end as country_raw,
                case when co_null then 'us' else {kinds}[co_ix] end as kind,
                em_local || '@' || em_domain as em_clean,
                lpad(p_area::varchar, 3, '0') || lpad(p_exch::varchar, 3, '0') || lpad(p_line::varchar, 4, '0')
                    as p10
            from base
        )
        select
            amperity_id,
            case
                when h(i, 'cid') % 100 < 5 then null
                when h(i, 'cid') % 100 < 7 then ''
                when h(i, 'cid') % 100 < 8 then sha256('cust-' || i::varchar)
                else pad(pick(['Cust-', 'CUST-', 'cust-', 'CuSt_'], 4, i, 'cidp') || lpad(i::varchar, 8, '0')
                    || pick(['', 'aB', 'Xy', 'q'], 4, i, 'cids'), i, 'cidpad')
            end as customer_id,
            case
                when em_b < 48 then pad(em_clean, i, 'empad')
                when em_b < 58 then pad(upper(em_local) || '@' || upper(em_domain), i, 'empad')
                when em_b < 64 then sha256(lower(em_clean))
                when em_b < 67 then upper(sha256(lower(em_clean)))
                when em_b < 68 then pad(sha256(lower(em_clean)), i, 'empad')
                when em_b < 71 then em_local || em_domain
                when em_b < 73 then em_local || '@home@' || em_domain
                when em_b < 75 then em_local || '@' || replace(em_domain, '.', '')
                when em_b < 77 then replace(em_local, '.', ' ') || ' @' || em_domain
                when em_b < 78 then em_local || chr(160) || 'x@' || em_domain
                when em_b < 85 then null
                when em_b < 91 then ''
                else pick(['  ', '\t', chr(160), '\n'], 4, i, 'emws')
            end as email,
            case
                when ph_b < 40 and kind in ('us', 'ca') then pad(
                    case h(i, 'phf') % 8
                        when 0 then '+1 (' || left(p10, 3) || ') ' || substr(p10, 4, 3) || '-' || right(p10, 4)
                        when 1 then '(' || left(p10, 3) || ') ' || substr(p10, 4, 3) || '-' || right(p10, 4)
                        when 2 then left(p10, 3) || '-' || substr(p10, 4, 3) || '-' || right(p10, 4)
                        when 3 then p10
                        when 4 then '1-' || left(p10, 3) || '-' || substr(p10, 4, 3) || '-' || right(p10, 4)
                        when 5 then left(p10, 3) || '.' || substr(p10, 4, 3) || '.' || right(p10, 4)
                        when 6 then '+1 ' || left(p10, 3) || ' ' || substr(p10, 4, 3) || ' ' || right(p10, 4)
                        else '001' || p10
                    end, i, 'phpad')
                when ph_b < 40 then pad(
                    case h(i, 'phi') % 5
                        when 0 then '+44 20 ' || substr(p10, 4, 4) || ' ' || right(p10, 4)
                        when 1 then '00 44 20 ' || substr(p10, 4, 4) || ' ' || right(p10, 4)
                        when 2 then '0044-20-' || substr(p10, 4, 4) || '-' || right(p10, 4)
                        when 3 then '020 ' || substr(p10, 4, 4) || ' ' || right(p10, 4)
                        else '+49 30 ' || right(p10, 6)
                    end, i, 'phpad')
                when ph_b < 55 then pad(p10, i, 'phpad')
                when ph_b < 60 then sha256('1' || p10)
                when ph_b < 61 then upper(sha256('1' || p10))
                when ph_b < 66 then substr(p10, 4, 3) || '-' || right(p10, 4)
                when ph_b < 68 then '12345'
                when ph_b < 70 then '+1 ' || p10 || ' ext 12345'
                when ph_b < 72 then '1-800-FLOWERS'
                when ph_b < 74 then '0000000'
                when ph_b < 84 then null
                when ph_b < 90 then ''
                else pick(['n/a', ' ', '-', '\t'], 4, i, 'phj')
            end as phone,
            case
                when nm_b < 70 then pad(anycase({first_nfc}[fn_ix], i, 'fnc'), i, 'fnpad')
                when nm_b < 82 then pad(anycase({first_nfd}[fn_ix], i, 'fnc'), i, 'fnpad')
                when nm_b < 84 then sha256(lower({first_nfc}[fn_ix]))
                when nm_b < 90 then null
                when nm_b < 95 then ''
                else pick([' ', '\t', chr(160)], 3, i, 'fnws')
            end as given_name,
            case
                when (nm_b + 37) % 100 < 70 then pad(anycase({last_nfc}[ln_ix], i, 'lnc'), i, 'lnpad')
                when (nm_b + 37) % 100 < 82 then pad(anycase({last_nfd}[ln_ix], i, 'lnc'), i, 'lnpad')
                when (nm_b + 37) % 100 < 84 then upper(sha256(lower({last_nfc}[ln_ix])))
                when (nm_b + 37) % 100 < 91 then null
                else ''
            end as surname,
            case
                when h(i, 'ge') % 100 < 12 then null
                else pad(pick({_list(_GENDERS)}, {len(_GENDERS)}, i, 'gev'), i, 'gepad')
            end as gender,
            case
                when db_b < 78 then date '1935-01-01' + (h(i, 'dbd') % 25000)::integer
                when db_b < 82 then date '1820-01-01' + (h(i, 'dbd') % 29000)::integer
                when db_b < 83 then date '1900-01-01'
                when db_b < 84 then date '1899-12-31'
                when db_b < 86 then {as_of_sql}::date + (1 + h(i, 'dbd') % 3650)::integer
                when db_b < 87 then {as_of_sql}::date
                else null
            end as birthdate,
            case
                when h(i, 'ct') % 100 < 10 then null
                when h(i, 'ct') % 100 < 25 then pad(anycase({cities_nfd}[1 + (h(i, 'ctv') % {len(_CITIES)})::bigint],
                    i, 'ctc'), i, 'ctpad')
                else pad(anycase({cities_nfc}[1 + (h(i, 'ctv') % {len(_CITIES)})::bigint], i, 'ctc'), i, 'ctpad')
            end as city,
            case
                when st_b < 10 then null
                when st_b < 20 then pad(pick({_list(_JUNK_STATES)}, {len(_JUNK_STATES)}, i, 'stj'), i, 'stpad')
                when kind = 'ca' then pad(pick({_list(_CA_STATES)}, {len(_CA_STATES)}, i, 'stv'), i, 'stpad')
                when kind = 'us' then pad(pick({_list(_US_STATES)}, {len(_US_STATES)}, i, 'stv'), i, 'stpad')
                else pad(pick(['', 'Bavaria', 'Greater London', 'Île-de-France'], 4, i, 'sto'), i, 'stpad')
            end as state,
            case
                when zp_b < 8 then null
                when zp_b < 12 then pick(['', 'N/A', '#', ' '], 4, i, 'zpj')
                when kind = 'us' then pad(case h(i, 'zpf') % 6
                    when 0 then right(p10, 5)
                    when 1 then right(p10, 5) || '-' || left(p10, 4)
                    when 2 then ltrim(right(p10, 4), '0')
                    when 3 then right(p10, 9)
                    when 4 then '0' || right(p10, 4)
                    else right(p10, 5) || ' ' || left(p10, 4)
                end, i, 'zppad')
                when kind = 'gb' then pad(pick(['EC3N 4AB', 'SW1A 1AA', 'sw1a1aa', 'M1 1AE', 'B33 8TH'], 5, i, 'zpv'),
                    i, 'zppad')
                when kind = 'ca' then pad(pick(['K1A 0B1', 'M5V-3L9', 'h2x 1y4', 'V6B 1A1'], 4, i, 'zpv'), i, 'zppad')
                when kind = 'jp' then pick(['100-0001', '530-0001'], 2, i, 'zpv')
                when kind = 'br' then pick(['01310-100', '20040-020'], 2, i, 'zpv')
                else pad(right(p10, 5), i, 'zppad')
            end as postal,
            case when country_raw is null then null else pad(country_raw, i, 'copad') end as country,
            case h(i, 'oo') % 100 when 0 then null when 1 then null when 2 then true when 3 then true
                when 4 then true else false end as opt_out,
            case when h(i, 'ldp') % 100 < 6 then true when h(i, 'ldp') % 100 < 15 then null else false end
                as limited_data_processing,
            case
                when h(i, 'maid') % 100 < 70 then null
                when h(i, 'maid') % 100 < 73 then ''
                when h(i, 'maid') % 100 < 75 then sha256('maid-' || i::varchar)
                else pad(anycase(
                    printf('%08x-%04x-4%03x-a%03x-%012x', h(i, 'm1') % 4294967296, h(i, 'm2') % 65536,
                        h(i, 'm3') % 4096, h(i, 'm4') % 4096, h(i, 'm5') % 281474976710656),
                    i, 'maidc'), i, 'maidpad')
            end as maid
        from located
        """
    )

    log.debug("customer_360 written in %.1fs", time.perf_counter() - started)
    started = time.perf_counter()
    # One row per order, then extra rows: exact duplicates (3%), split rows (4%: revenue and quantity divided over
    # two rows, the second a few minutes later, its order id sometimes padded), and a few rows without an order id.
    con.execute(
        f"""
        create or replace table {schema}.unified_transactions as
        with orders as (
            select
                i,
                pick(['POS-', 'pos-', 'CC-', 'Web-', 'ORD'], 5, i, 'oid') || lpad(i::varchar, 9, '0') as order_id,
                case
                    when h(i, 'cust') % 1000 < 25 then 'AMP-MISSING-' || i::varchar
                    when h(i, 'cust') % 1000 < 45 then null
                    else 'AMP-' || lpad(upper(printf('%x', hash(h(i, 'cust') % {customers}, {seed}::bigint, 'amp')
                        % 281474976710656)), 12, '0')
                end as amperity_id,
                h(i, 'tpad') % 1000 < 10 as id_padded,
                case
                    when h(i, 'ts') % 1000 < 5 then null
                    when h(i, 'ts') % 1000 < 10 then {as_of_sql} + to_seconds((1 + h(i, 'tsf') % 2592000)::bigint)
                    when h(i, 'ts') % 1000 < 350 then {as_of_sql} - to_microseconds((h(i, 'tsv') % 604800000000)::bigint)
                    when h(i, 'ts') % 1000 < 700 then {as_of_sql} - to_seconds((h(i, 'tsv') % 5184000)::bigint)
                    else {as_of_sql} - to_microseconds((h(i, 'tsv') % 5184000000000)::bigint)
                end as order_datetime,
                case
                    when h(i, 'rev') % 100 < 10 then null
                    when h(i, 'rev') % 100 < 11 then -((1 + h(i, 'revv') % 20000)::decimal(18, 2) / 100)
                    when h(i, 'rev') % 100 < 12 then 0::decimal(18, 2)
                    else ((500 + h(i, 'revv') % 50000)::decimal(18, 2) / 100)::decimal(18, 2)
                end as order_revenue,
                case when h(i, 'qty') % 100 < 10 then null else (1 + h(i, 'qtyv') % 6)::integer end as order_quantity,
                case
                    when u(i, 'cur_null') < {_NULL_CURRENCY_SHARE} then null
                    else pick({_list(_CURRENCIES)}, {len(_CURRENCIES)}, i, 'cur')
                end as currency,
                h(i, 'dup') % 100 as dup_b
            from range({orders}) t(i)
        ),
        rows_ as (
            select i, order_id, amperity_id, order_datetime, order_revenue, order_quantity, currency, id_padded,
                0 as part
            from orders where dup_b >= 7
            union all
            select i, order_id, amperity_id, order_datetime, order_revenue, order_quantity, currency, id_padded,
                part
            from orders, range(2) p(part) where dup_b < 3
            union all
            select i, order_id, amperity_id, order_datetime,
                (order_revenue - round(order_revenue / 3, 2))::decimal(18, 2),
                case when order_quantity > 1 then order_quantity - 1 else order_quantity end,
                currency, id_padded, 0
            from orders where dup_b between 3 and 6
            union all
            select i, case when id_padded then order_id || ' ' else order_id end, amperity_id,
                order_datetime + interval 7 minute,
                round(order_revenue / 3, 2)::decimal(18, 2),
                case when order_quantity > 1 then 1 else null end,
                currency, false, 1
            from orders where dup_b between 3 and 6
        )
        select
            case when part = 0 and id_padded then pad(order_id, i, 'oidpad') else order_id end as order_id,
            case when part = 0 and id_padded and amperity_id is not null then amperity_id || ' '
                else amperity_id end as amperity_id,
            order_datetime,
            order_revenue::decimal(18, 2) as order_revenue,
            order_quantity::integer as order_quantity,
            currency
        from rows_
        union all
        select null, 'AMP-' || lpad(i::varchar, 12, '0'), {as_of_sql} - interval 1 day, 10.00::decimal(18, 2),
            1, 'USD'
        from range({max(1, orders // 2000)}) t(i)
        """
    )

    log.debug("unified_transactions written in %.1fs", time.perf_counter() - started)
    started = time.perf_counter()
    n_items = f"floor(1 + u(i, 'nitems') * {2 * items_per_order - 1})::bigint"
    con.execute(
        f"""
        create or replace table {schema}.unified_itemized_transactions as
        with orders as (
            select i,
                pick(['POS-', 'pos-', 'CC-', 'Web-', 'ORD'], 5, i, 'oid') || lpad(i::varchar, 9, '0') as order_id,
                case when h(i, 'noitems') % 100 < 4 then 0 else {n_items} end as n
            from range({orders}) t(i)
        ),
        lines as (
            select i, order_id, i * 100 + line as k from orders, range(n) r(line)
        )
        select
            order_id,
            case when h(k, 'pidn') % 100 < 2 then pad('SKU-' || lpad((h(k, 'pid') % 5000)::varchar, 5, '0'), k, 'pp')
                else 'SKU-' || lpad((h(k, 'pid') % 5000)::varchar, 5, '0') end as product_id,
            case when h(k, 'inm') % 100 < 3 then null
                else pick({_list(_ITEM_NAMES)}, {len(_ITEM_NAMES)}, k, 'inv') end as item_name,
            case when h(k, 'icat') % 100 < 5 then null
                else pick({_list(_ITEM_CATEGORIES)}, {len(_ITEM_CATEGORIES)}, k, 'icv') end as item_category,
            case when h(k, 'ibr') % 100 < 5 then null
                else pick({_list(_ITEM_BRANDS)}, {len(_ITEM_BRANDS)}, k, 'ibv') end as item_brand,
            ((100 + h(k, 'ipr') % 29900)::decimal(18, 2) / 100)::decimal(18, 2) as item_price,
            (1 + h(k, 'iq') % 3)::integer as item_quantity,
            (((100 + h(k, 'ipr') % 29900)::decimal(18, 2) / 100) * (1 + h(k, 'iq') % 3))::decimal(18, 2)
                as item_revenue,
            case when h(k, 'ret') % 100 < 5 then true when h(k, 'ret') % 100 < 15 then null else false end
                as is_return,
            case when h(k, 'can') % 100 < 3 then true when h(k, 'can') % 100 < 13 then null else false end
                as is_cancellation
        from lines
        """
    )
    log.debug("unified_itemized_transactions written in %.1fs", time.perf_counter() - started)
    return {
        table: con.execute(f"select count(*) from {schema}.{table}").fetchall()[0][0] for table in TABLES
    }
