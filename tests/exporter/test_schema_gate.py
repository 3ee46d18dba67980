"""The fast schema gate (pinexport.schema.is_valid) never accepts what jsonschema, the authority, rejects; and it
does accept the events pinexport builds, or it would save nothing."""

from __future__ import annotations

import copy

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from pinexport import schema

H = "a" * 64
VALID_EVENT = {
    "event_name": "checkout", "action_source": "offline", "event_time": 1790000000, "event_id": H,
    "opt_out": False,
    "user_data": {"em": [H], "ph": [H], "fn": [H], "country": [H], "external_id": [H]},
    "custom_data": {"currency": "USD", "value": "10.5", "order_id": "o-1", "num_items": 2, "content_ids": ["p1"],
                    "contents": [{"id": "p1", "item_name": "Shirt", "item_price": "5.00", "quantity": 1}]},
}
AUTHORITY = {kind: jsonschema.validators.validator_for(schema.schema_for(kind))(schema.schema_for(kind))
             for kind in ("event", "body")}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=8,
)
PATHS = [(), ("user_data",), ("custom_data",), ("custom_data", "contents", 0)]
KEYS = ["event_name", "action_source", "event_time", "event_id", "opt_out", "partner_name", "app_id", "em", "ph",
        "hashed_maids", "client_ip_address", "client_user_agent", "currency", "value", "order_id", "num_items",
        "content_ids", "contents", "id", "item_price", "quantity", "opt_out_type", "unknown_field"]


@st.composite
def mutated_events(draw) -> dict:
    event = copy.deepcopy(VALID_EVENT)
    for _ in range(draw(st.integers(1, 4))):
        target = event
        for step in draw(st.sampled_from(PATHS)):
            target = target[step] if isinstance(target, dict) and step in target else (
                target[step] if isinstance(target, list) and len(target) > step else None)
            if target is None:
                break
        if not isinstance(target, dict):
            continue
        key = draw(st.sampled_from(KEYS))
        action = draw(st.sampled_from(["delete", "set", "empty"]))
        if action == "delete":
            target.pop(key, None)
        elif action == "empty":
            target[key] = draw(st.sampled_from([{}, [], "", [""], [None]]))
        else:
            target[key] = draw(json_values)
    return event


def test_the_events_pinexport_builds_pass_the_gate():
    assert schema.is_valid("event", VALID_EVENT) and AUTHORITY["event"].is_valid(VALID_EVENT)
    assert schema.is_valid("body", {"data": [VALID_EVENT] * 1000})


def test_a_ref_with_sibling_keywords_keeps_its_2020_12_meaning():
    """draft-07 would ignore `required` next to `$ref`: user_data without em / hashed_maids / ip + ua is invalid."""
    event = {**VALID_EVENT, "user_data": {"ph": [H]}}
    assert not AUTHORITY["event"].is_valid(event)
    assert not schema.is_valid("event", event)


@settings(max_examples=400, deadline=None)
@given(mutated_events())
def test_the_gate_never_accepts_what_jsonschema_rejects(event):
    if schema.is_valid("event", event):
        assert AUTHORITY["event"].is_valid(event), list(AUTHORITY["event"].iter_errors(event))[:1]
    body = {"data": [VALID_EVENT, event]}
    if schema.is_valid("body", body):
        assert AUTHORITY["body"].is_valid(body)
