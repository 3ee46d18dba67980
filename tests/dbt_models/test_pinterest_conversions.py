"""dbt build on dirty generated data, then every output value checked against the Python reference."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest

from . import reference as ref
from .conftest import AS_OF

DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@pytest.fixture(scope="module")
def built(dbt_build):
    """dbt build must succeed as a whole before anything else is worth checking."""
    failed = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in dbt_build.result.results
        if str(r.status) not in ("success", "pass")
    ]
    assert dbt_build.success and not failed, "dbt build failed:\n" + "\n".join(failed or [str(dbt_build.exception)])
    return dbt_build


@pytest.fixture(scope="module")
def inputs(dbt_project, built):
    return {
        name: dbt_project.rows(f"select * from raw.{name}")
        for name in ("customer_360", "unified_transactions", "unified_itemized_transactions")
    }


@pytest.fixture(scope="module")
def expected(inputs) -> list[ref.Expected]:
    customers = ref.customers_by_id(inputs["customer_360"], AS_OF.date())
    return ref.expected_events(
        inputs["unified_transactions"], inputs["unified_itemized_transactions"], customers, as_of=AS_OF
    )


@pytest.fixture(scope="module")
def events(dbt_project, built) -> dict[str, dict]:
    rows = dbt_project.rows("select * from main.pinterest_conversions")
    assert len({r["order_id"] for r in rows}) == len(rows), "one event per order_id"
    return {r["order_id"]: r for r in rows}


@pytest.fixture(scope="module")
def rejected(dbt_project, built) -> list[dict]:
    return dbt_project.rows("select * from main.pinterest_conversions_rejected")


def test_build_ran_data_tests_and_unit_tests(built):
    kinds = Counter(r.node.resource_type for r in built.result.results)
    assert kinds["model"] >= 2 and kinds["seed"] >= 1
    assert kinds["test"] >= 10, kinds  # dbt data tests
    assert kinds["unit_test"] >= 1, f"no dbt unit tests ran: {dict(kinds)}"


def test_the_sample_is_dirty_enough_to_mean_something(expected):
    reasons = Counter(e.reason for e in expected)
    for reason in ("missing_order_id", "missing_event_time", "future_event_time", "invalid_currency",
                   "negative_value", "no_user_identifier"):
        assert reasons[reason] > 0, reasons
    assert reasons[None] > len(expected) / 3, reasons


def test_every_input_order_is_in_exactly_one_output(inputs, expected, events, rejected):
    input_ids = {ref._text(r["order_id"]) for r in inputs["unified_transactions"]} - {None}
    rejected_ids = Counter(r["order_id"] for r in rejected if r["order_id"] is not None)
    assert not set(events) & set(rejected_ids), "an order is both sent and rejected"
    assert max(rejected_ids.values(), default=1) == 1, "an order is rejected twice"
    assert set(events) | set(rejected_ids) == input_ids
    rows_without_id = sum(1 for r in inputs["unified_transactions"] if ref._text(r["order_id"]) is None)
    assert sum(1 for r in rejected if r["order_id"] is None) == rows_without_id
    assert len(events) + len(rejected) == len(expected)


def test_rejection_reasons_match_the_reference(expected, events, rejected):
    got = {r["order_id"]: r["reason"] for r in rejected if r["order_id"] is not None}
    want = {e.order_id: e.reason for e in expected if e.order_id is not None and e.reason is not None}
    mismatches = {o: (got.get(o, "<sent>"), w) for o, w in want.items() if got.get(o) != w}
    extra = {o: (g, "<should be sent>") for o, g in got.items() if o not in want}
    assert not mismatches and not extra, f"(model, reference): {dict(list({**mismatches, **extra}.items())[:10])}"
    assert all(r["reason"] == "missing_order_id" for r in rejected if r["order_id"] is None)
    assert {e.order_id for e in expected if e.reason is None} == set(events)


@pytest.mark.parametrize("field", ref.USER_FIELDS)
def test_hashed_user_data_matches_the_reference(field, expected, events):
    checked = nonempty = 0
    for e in expected:
        if e.reason is not None:
            continue
        got = events[e.order_id][field]
        assert got is not None, f"{field} is null for {e.order_id}; the contract says empty list"
        assert sorted(got) == e.customer.user_data[field], (e.order_id, field, got, e.customer.user_data[field])
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in got)
        checked += 1
        nonempty += bool(got)
    assert checked > 0 and nonempty > 0, f"{field}: nothing to compare"


def test_event_fields_match_the_reference(expected, events):
    for e in expected:
        if e.reason is not None:
            continue
        row = events[e.order_id]
        where = f"order {e.order_id}"
        assert row["event_name"] == "checkout" and row["action_source"] == "offline", where
        assert row["event_time"] == e.event_time, where
        assert row["event_id"] == e.event_id, where
        assert row["currency"] == e.currency, where
        if e.value is None:
            assert row["value"] is None, where
        else:
            assert DECIMAL_TEXT.fullmatch(row["value"]), (where, row["value"])
            assert Decimal(row["value"]) == e.value, (where, row["value"], e.value)
        assert row["num_items"] == e.num_items, where
        assert row["opt_out"] is e.customer.opt_out, where
        assert row["opt_out_type"] == ("LDP" if e.customer.limited_data_processing else None), where
        assert row["partner_name"] is None and row["partner_id"] is None, where
        assert row["client_ip_address"] is None and row["client_user_agent"] is None and row["click_id"] is None


def _content_key(c: dict) -> tuple:
    return tuple((v is None, "" if v is None else Decimal(v) if k == "item_price" else v) for k, v in c.items())


def test_contents_match_the_reference(expected, events):
    with_items = 0
    for e in expected:
        if e.reason is not None:
            continue
        row = events[e.order_id]
        got = [dict(c) for c in row["contents"]]
        for c in got:
            assert c["item_price"] is None or DECIMAL_TEXT.fullmatch(c["item_price"]), c
        want = [{**c, "item_price": None if c["item_price"] is None else str(c["item_price"])} for c in e.contents]
        assert sorted(map(_content_key, got)) == sorted(map(_content_key, want)), e.order_id
        assert row["content_ids"] == [c["id"] for c in got if c["id"] is not None], e.order_id
        # deterministic order (the model documents: by product_id first, nulls last)
        ids = [(c["id"] is None, c["id"] or "") for c in got]
        assert ids == sorted(ids), e.order_id
        with_items += bool(got)
    assert with_items > 0


def _strings(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def test_no_plaintext_personal_data_in_either_output(inputs, dbt_project, built):
    out: set[str] = set()
    for table in ("pinterest_conversions", "pinterest_conversions_rejected"):
        for row in dbt_project.rows(f"select * from main.{table}"):
            out.update(_strings(list(row.values())))
    assert out
    pii: set[str] = set()
    for c in inputs["customer_360"]:
        for col in ("email", "phone", "given_name", "surname", "city", "postal", "customer_id", "maid"):
            raw = c[col]
            if raw is None or ref.is_prehashed(ref.trim(raw)):
                continue
            for form in (raw, ref.trim(raw), ref.trim(raw).lower()):
                if len(form) >= 4:
                    pii.add(form)
        norm = ref.normalize_customer(c, AS_OF.date())
        for name, plain in norm.items():
            if plain is not None and len(plain) >= 4 and not ref.is_prehashed(plain):
                pii.add(plain)
        if c["birthdate"] is not None:
            pii.add(c["birthdate"].isoformat())
    leaked = pii & out
    assert not leaked, sorted(leaked)[:10]
    emails = [p for p in pii if "@" in p]
    assert emails
    blob = "\x00".join(out)
    assert not [e for e in emails if e in blob]
