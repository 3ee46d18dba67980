"""Payload building: field placement, JSON types, omitted nulls/empty lists, engine type variants."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from api_factory import event, sha

from pinexport import payloads, validate


def frame(rows: list[dict]) -> pl.DataFrame:
    schema = {
        "event_name": pl.String, "action_source": pl.String, "event_time": pl.Int64, "event_id": pl.String,
        "partner_name": pl.String, "opt_out": pl.Boolean, "client_ip_address": pl.String,
        "client_user_agent": pl.String, "currency": pl.String, "value": pl.String, "order_id": pl.String,
        "num_items": pl.Int64, "opt_out_type": pl.String, "contents": payloads.CONTENT_DTYPE,
        **{c: pl.List(pl.String) for c in payloads.USER_LISTS + payloads.CUSTOM_LISTS},
    }
    return payloads.normalize_frame(pl.DataFrame(rows, schema=schema))


def encode(rows: list[dict]) -> list[dict]:
    return [json.loads(s) for s in payloads.event_json(frame(rows))]


def test_fields_are_nested_typed_and_nulls_left_out():
    row = event(3, 1_700_000_000, partner_name=None, ph=[], value="72.39", num_items=3, opt_out_type="LDP")
    (ev,) = encode([row])
    assert ev["event_time"] == 1_700_000_000 and ev["event_name"] == "checkout" and ev["opt_out"] is False
    assert "partner_name" not in ev
    assert ev["user_data"]["em"] == row["em"] and "ph" not in ev["user_data"]
    assert ev["custom_data"]["value"] == "72.39" and ev["custom_data"]["num_items"] == 3
    assert ev["custom_data"]["opt_out_type"] == "LDP"
    first, second = ev["custom_data"]["contents"]
    assert first == {"id": "p3", "item_name": "Shirt", "item_category": "tops", "item_price": "5.00", "quantity": 1}
    assert "item_brand" not in first and second["item_brand"] == "Acme" and "item_category" not in second
    assert validate.schema_errors(json.dumps(ev)) is None


def test_empty_custom_data_fields_and_lists_are_omitted():
    row = event(1, 1_700_000_000, currency=None, value=None, order_id=None, num_items=None, content_ids=[],
                contents=[], fn=[], country=[])
    (ev,) = encode([row])
    assert ev["custom_data"] == {}
    assert set(ev["user_data"]) == {"em", "ph"}


def test_strings_are_json_escaped():
    row = event(1, 1_700_000_000, order_id='o "1" \\ \n ümlaut', contents=[
        {"id": "x", "item_name": 'quote " and \t tab', "item_category": None, "item_brand": None,
         "item_price": "1", "quantity": 1}])
    (ev,) = encode([row])
    assert ev["custom_data"]["order_id"] == 'o "1" \\ \n ümlaut'
    assert ev["custom_data"]["contents"][0]["item_name"] == 'quote " and \t tab'


def test_values_that_look_like_absent_keys_inside_strings_are_kept():
    tricky = '"x":null,"y":[],'
    (ev,) = encode([event(1, 1_700_000_000, order_id=tricky, partner_name=tricky)])
    assert ev["custom_data"]["order_id"] == tricky and ev["partner_name"] == tricky


def test_engine_variants_are_coerced():
    """Timestamps, decimal/float prices, a single hash string and contents as JSON text (Postgres)."""
    df = pl.DataFrame({
        "event_name": ["checkout"], "action_source": ["offline"],
        "event_time": [dt.datetime(2024, 1, 2, 3, 4, 5)], "event_id": [sha("e")],
        "em": [sha("a@b.c")], "value": [12.5], "num_items": [pl.Series([2], dtype=pl.Int32)[0]],
        "contents": ['[{"id":"p1","item_price":2.25,"quantity":1},{"id":"p2","item_name":"N"}]'],
    })
    (ev,) = [json.loads(s) for s in payloads.event_json(payloads.normalize_frame(df))]
    assert ev["event_time"] == int(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc).timestamp())
    assert ev["user_data"]["em"] == [sha("a@b.c")]
    assert ev["custom_data"]["value"] == "12.5"
    assert ev["custom_data"]["contents"] == [{"id": "p1", "item_price": "2.25", "quantity": 1},
                                             {"id": "p2", "item_name": "N"}]


def test_request_body_limits():
    assert json.loads(payloads.request_body(['{"a":1}'] * 2)) == {"data": [{"a": 1}, {"a": 1}]}
    with pytest.raises(ValueError):
        payloads.request_body([])
    with pytest.raises(ValueError):
        payloads.request_body(["{}"] * 1001)
