"""Local validation of events before anything is sent: cheap columnar checks on every event, and the full JSON
Schema (Pinterest's, `schema/conversion_events.schema.json`) on every payload in a dry run and on a sample
otherwise.

`check_frame()` returns one reason code per row (null = valid), first failing check wins. Codes are stable and
documented in `REASONS`; messages never contain the offending value (it may be personal data).
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from pinexport import schema as pinexport_schema
from pinexport.payloads import USER_LISTS

EVENT_NAMES = (
    "add_payment_info", "add_to_cart", "add_to_wishlist", "app_install", "checkout", "custom", "initiate_checkout",
    "lead", "page_visit", "search", "signup", "subscribe", "view_category", "view_content", "watch_video",
)
ACTION_SOURCES = ("app_android", "app_ios", "web", "offline")
HEX64 = r"^[0-9a-f]{64}$"
DECIMAL = r"^-?[0-9]+(?:\.[0-9]+)?$"

REASONS: dict[str, str] = {
    "missing_event_id": "event_id is null or empty",
    "missing_event_name": "event_name is null or empty",
    "unknown_event_name": "event_name is not one of Pinterest's event types (" + ", ".join(EVENT_NAMES) + ")",
    "invalid_action_source": "action_source must be one of " + ", ".join(ACTION_SOURCES),
    "missing_event_time": "event_time is null",
    "no_user_identifier": "user_data needs at least one of em, hashed_maids, or client_ip_address together with "
    "client_user_agent",
    "duplicate_event_id": "the same event_id appears more than once in the model",
    "invalid_value": "value is not a decimal number written as text (e.g. '72.39')",
    "invalid_currency": "currency is not a three-letter upper-case ISO 4217 code",
    "invalid_item_price": "a contents[].item_price is not a decimal number written as text",
    "invalid_quantity": "num_items or a contents[].quantity is negative",
    "schema": "the event does not match Pinterest's JSON Schema",
}
for _f in USER_LISTS:
    REASONS[f"invalid_hash_{_f}"] = f"user_data.{_f} holds a value that is not a lowercase 64-hex SHA-256 hash"


def _blank(col: pl.Expr) -> pl.Expr:
    return col.is_null() | (col.str.len_bytes() == 0)


def _list_not_hex(name: str) -> pl.Expr:
    """True when any element of a list column is not 64 lowercase hex characters (null list counts as empty)."""
    return pl.col(name).list.eval(pl.element().str.contains(HEX64).not_()).list.any().fill_null(False)


def _nonempty(name: str, have: set[str]) -> pl.Expr:
    if name not in have:
        return pl.lit(False)
    return pl.col(name).list.len().fill_null(0) > 0


def reason_expr(columns: list[str], duplicate_ids: pl.Series | None = None) -> pl.Expr:
    """Expression giving each row's first failing reason code, or null when the row is valid. `duplicate_ids`:
    the event_ids held by more than one row of the whole run (every copy is rejected); None checks this frame."""
    have = set(columns)
    checks: list[tuple[pl.Expr, str]] = [
        (_blank(pl.col("event_id")), "missing_event_id"),
        (_blank(pl.col("event_name")), "missing_event_name"),
        (pl.col("event_name").is_in(EVENT_NAMES).not_(), "unknown_event_name"),
        (pl.col("action_source").is_in(ACTION_SOURCES).not_().fill_null(True), "invalid_action_source"),
        (pl.col("event_time").is_null(), "missing_event_time"),
    ]
    has_ip_ua = pl.lit(False)
    if "client_ip_address" in have and "client_user_agent" in have:
        has_ip_ua = _blank(pl.col("client_ip_address")).not_() & _blank(pl.col("client_user_agent")).not_()
    checks.append(
        ((_nonempty("em", have) | _nonempty("hashed_maids", have) | has_ip_ua).not_(), "no_user_identifier")
    )
    for f in USER_LISTS:
        if f in have:
            checks.append((_list_not_hex(f), f"invalid_hash_{f}"))
    if "value" in have:
        checks.append((pl.col("value").str.contains(DECIMAL).not_().fill_null(False), "invalid_value"))
    if "currency" in have:
        checks.append((pl.col("currency").str.contains(r"^[A-Z]{3}$").not_().fill_null(False), "invalid_currency"))
    if "num_items" in have:
        checks.append(((pl.col("num_items") < 0).fill_null(False), "invalid_quantity"))
    if "contents" in have:
        price = pl.element().struct.field("item_price")
        checks.append(
            (
                pl.col("contents").list.eval(price.str.contains(DECIMAL).not_().fill_null(False)).list.any()
                .fill_null(False),
                "invalid_item_price",
            )
        )
        qty = pl.element().struct.field("quantity")
        checks.append(
            (pl.col("contents").list.eval((qty < 0).fill_null(False)).list.any().fill_null(False), "invalid_quantity")
        )
    # duplicates across the whole run when the caller found them (source.duplicated_values), else in this frame
    duplicated = (pl.col("event_id").is_in(duplicate_ids.implode()) if duplicate_ids is not None
                  else pl.col("event_id").is_duplicated())
    checks.append((duplicated.fill_null(False), "duplicate_event_id"))
    return pl.coalesce([pl.when(cond).then(pl.lit(code)) for cond, code in checks]).alias("reason")


def check_frame(df: pl.DataFrame) -> pl.Series:
    """One reason code per row of a normalized frame (null when valid)."""
    return df.select(reason_expr(df.columns)).to_series()


# --- full JSON Schema ---------------------------------------------------------------------------------------------
def _describe(error) -> str:
    """Where and which rule failed, without the instance value (it may be personal data)."""
    path = ".".join(str(p) for p in error.absolute_path) or "(event)"
    rule = error.validator
    if rule == "required":
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        return f"{path}: missing required field(s) {', '.join(missing)}"
    if rule == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{path}: unknown field(s) {', '.join(extra)}"
    if rule == "anyOf" and path.endswith("user_data"):
        return f"{path}: needs em, hashed_maids, or client_ip_address + client_user_agent"
    return f"{path}: fails {rule!s} {json.dumps(error.validator_value)[:80]}"


def schema_errors(event_json: str) -> str | None:
    """The first JSON Schema violation of one event (as JSON text), or None when it is valid."""
    return _first_error("event", json.loads(event_json))


def body_errors(body: bytes | str) -> str | None:
    """The first JSON Schema violation of a whole request body, or None."""
    return _first_error("body", json.loads(body))


def _first_error(kind: str, instance: Any) -> str | None:
    if pinexport_schema.is_valid(kind, instance):  # the fast gate; jsonschema decides and explains otherwise
        return None
    error = next(iter(pinexport_schema.authority(kind).iter_errors(instance)), None)
    return None if error is None else _describe(error)


def describe_reason(code: str) -> str:
    return REASONS.get(code, code)

