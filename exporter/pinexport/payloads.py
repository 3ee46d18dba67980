"""Turn batches of `pinterest_conversions` rows into Pinterest Conversions API event JSON, column by column.

The model's column names are the API's field names (see CONTRACT / the dbt model); this module knows which field
goes where in the request body (top level, `user_data`, `custom_data`, `custom_data.contents[]`) and which JSON
type it takes (prices are strings, quantities integers, hashed user fields arrays). Bodies are built with polars
expressions over whole columns, never with a per-event Python dict: each row becomes a nested struct, polars'
own encoder turns it into JSON, and one regex pass cuts out null fields and empty lists. `request_body()` wraps
up to 1000 such events into `{"data":[...]}`.

Input may come from several engines, so `normalize_frame()` first coerces types: `event_time` as a timestamp
becomes Unix seconds, decimal/float prices become text, a single hashed string becomes a one-element list, and
`contents` given as JSON text (Postgres, some unloads) is parsed into the list-of-structs shape.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import polars as pl

# --- where each model column goes, and as what JSON type -------------------------------------------------------
TOP_STRINGS = (
    "event_name", "action_source", "event_id", "event_source_url", "partner_name", "app_id", "app_name",
    "app_version", "device_brand", "device_carrier", "device_model", "device_type", "os_version", "language",
)
TOP_INTS = ("event_time",)
TOP_BOOLS = ("opt_out", "wifi")
USER_LISTS = ("em", "hashed_maids", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id")
USER_STRINGS = ("client_ip_address", "client_user_agent", "click_id", "partner_id")
CUSTOM_STRINGS = (
    "currency", "value", "content_name", "content_category", "content_brand", "order_id", "search_string",
    "opt_out_type", "np", "predicted_ltv", "external_measurement_id",
)
CUSTOM_INTS = ("num_items", "external_measurement_vendor_id")
CUSTOM_LISTS = ("content_ids",)
CONTENT_STRINGS = ("id", "item_name", "item_category", "item_brand", "item_price")
CONTENT_INTS = ("quantity",)

CONTENT_DTYPE = pl.List(
    pl.Struct({**{k: pl.String for k in CONTENT_STRINGS}, **{k: pl.Int64 for k in CONTENT_INTS}})
)

STRING_COLUMNS = TOP_STRINGS + USER_STRINGS + CUSTOM_STRINGS
INT_COLUMNS = TOP_INTS + CUSTOM_INTS
BOOL_COLUMNS = TOP_BOOLS
LIST_COLUMNS = USER_LISTS + CUSTOM_LISTS
KNOWN_COLUMNS = STRING_COLUMNS + INT_COLUMNS + BOOL_COLUMNS + LIST_COLUMNS + ("contents",)

# Columns the exporter reads besides the payload ones: none. `order_id` doubles as the rejects-file key.
REQUIRED_COLUMNS = ("event_name", "action_source", "event_time", "event_id")


def payload_columns(available: Iterable[str]) -> list[str]:
    """The model columns that feed the payload, in a stable order (unknown columns are ignored)."""
    have = set(available)
    return [c for c in KNOWN_COLUMNS if c in have]


# --- type coercion ------------------------------------------------------------------------------------------------
def normalize_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Coerce engine-specific types to the contract's: strings, Int64, Boolean, List(String), CONTENT_DTYPE."""
    exprs: list[pl.Expr] = []
    schema = df.schema
    for name, dtype in schema.items():
        col = pl.col(name)
        done = len(exprs)
        if name == "event_time":
            if dtype.is_temporal():
                exprs.append(col.dt.epoch("s").cast(pl.Int64))
            elif dtype != pl.Int64:
                exprs.append(col.cast(pl.Int64, strict=False))
        elif name in STRING_COLUMNS:
            if dtype == pl.String:
                continue
            if dtype.is_float():
                # floats would print as 1e-05; a fixed-point rendering with trailing zeros trimmed is what
                # Pinterest parses as a double.
                exprs.append(
                    col.round(6).cast(pl.Decimal(38, 6)).cast(pl.String).str.replace(r"\.?0+$", "")
                )
            else:
                exprs.append(col.cast(pl.String))
        elif name in INT_COLUMNS:
            if dtype != pl.Int64:
                exprs.append(col.cast(pl.Int64, strict=False))
        elif name in BOOL_COLUMNS:
            if dtype != pl.Boolean:
                exprs.append(col.cast(pl.Boolean, strict=False))
        elif name in LIST_COLUMNS:
            if dtype == pl.String:  # one hashed value per row instead of an array
                exprs.append(
                    pl.when(col.is_null() | (col.str.len_bytes() == 0))
                    .then(pl.lit([], dtype=pl.List(pl.String)))
                    .otherwise(pl.concat_list(col))
                )
            elif dtype != pl.List(pl.String):
                exprs.append(col.cast(pl.List(pl.String)))
        elif name == "contents":
            if dtype == pl.String:  # JSON text (Postgres json/jsonb, text unloads)
                exprs.append(col.str.json_decode(CONTENT_DTYPE))
            elif dtype != CONTENT_DTYPE:
                exprs.append(_contents_to_contract(col, dtype))
        if len(exprs) > done:
            exprs[-1] = exprs[-1].alias(name)
    return df.with_columns(exprs) if exprs else df


def _contents_to_contract(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A list of structs with a different field set/types (e.g. DECIMAL prices, INTEGER quantities)."""
    inner = getattr(dtype, "inner", None)
    fields = {f.name: f.dtype for f in getattr(inner, "fields", [])}
    parts = []
    for k in CONTENT_STRINGS + CONTENT_INTS:
        target = pl.Int64 if k in CONTENT_INTS else pl.String
        if k in fields:
            parts.append(pl.element().struct.field(k).cast(target, strict=False).alias(k))
        else:
            parts.append(pl.lit(None, dtype=target).alias(k))
    return col.list.eval(pl.struct(parts))


# --- JSON ---------------------------------------------------------------------------------------------------------
# polars encodes a (nested) struct column to JSON in one pass, with nulls as `null`. The API wants absent fields
# left out, so one regex pass then deletes every `"key":null`, `"key":[]` and `"key":""` together with one adjacent
# comma. This is safe on any data: inside a JSON string every `"` is escaped as `\"`, so neither `"key":` (a quote,
# [a-z_] only, a quote, a colon) nor `,"` can occur inside a value; only our own keys match. Measured ~2x faster
# than building one `"key":value` fragment per field and joining them (bench/bench_api.py, README section api).
_ABSENT = r'"[a-z_]+":(?:null|\[\]|"")'
_DROP_ABSENT = f"{_ABSENT},|,{_ABSENT}|{_ABSENT}"


def _group(names: Sequence[str], have: set[str]) -> list[str]:
    return [n for n in names if n in have]


def event_struct_expr(columns: Iterable[str]) -> pl.Expr:
    """The event as a nested struct (top-level fields, user_data, custom_data), before JSON encoding."""
    have = set(columns)
    top = _group(TOP_STRINGS + TOP_INTS + TOP_BOOLS, have)
    user = _group(USER_LISTS + USER_STRINGS, have)
    custom = _group(CUSTOM_STRINGS + CUSTOM_INTS + CUSTOM_LISTS + ("contents",), have)
    fields: list[pl.Expr] = [pl.col(c) for c in top]
    # user_data is required by the API: always present (local validation rejects events where it ends up empty).
    fields.append(
        pl.struct(user).alias("user_data") if user else pl.struct(pl.lit(None, pl.String).alias("em")).alias("user_data")
    )
    if custom:
        fields.append(pl.struct(custom).alias("custom_data"))
    return pl.struct(fields)


def event_json_expr(columns: Iterable[str]) -> pl.Expr:
    """One polars expression giving each row's event as a JSON object string (column `event`)."""
    encoded = event_struct_expr(columns).struct.json_encode()
    return encoded.str.replace_all(_DROP_ABSENT, "").alias("event")


def event_json(df: pl.DataFrame) -> pl.Series:
    """Each row of a normalized frame as one event JSON object string."""
    return df.select(event_json_expr(df.columns)).to_series()


def request_body(events: Sequence[str]) -> bytes:
    """The POST body for up to 1000 event JSON strings."""
    if not 1 <= len(events) <= 1000:
        raise ValueError(f"a request carries 1..1000 events, got {len(events)}")
    return ('{"data":[' + ",".join(events) + "]}").encode("utf-8")
