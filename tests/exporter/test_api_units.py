"""Units of the api path: local checks, ledger, token bucket, retry classification."""

from __future__ import annotations

import io
import json
import random

import polars as pl
import pytest
from api_factory import event, sha
from test_api_payloads import frame

from pinexport import validate
from pinexport.console import Console
from pinexport.progress import Progress
from pinexport.delivery import RetryPolicy, classify_status, parse_retry_after, redact
from pinexport.ledger import Ack, Ledger, keys
from pinexport.ratelimit import TokenBucket

T = 1_700_000_000


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({}, None),
        ({"event_id": ""}, "missing_event_id"),
        ({"event_name": "purchase"}, "unknown_event_name"),
        ({"action_source": "store"}, "invalid_action_source"),
        ({"em": [], "hashed_maids": []}, "no_user_identifier"),
        ({"em": [], "hashed_maids": [sha("m")]}, None),
        ({"em": [], "client_ip_address": "10.0.0.1", "client_user_agent": "ua"}, None),
        ({"em": [], "client_ip_address": "10.0.0.1"}, "no_user_identifier"),
        ({"em": ["Not-A-Hash"]}, "invalid_hash_em"),
        ({"ph": [sha("x").upper()]}, "invalid_hash_ph"),
        ({"value": "1e5"}, "invalid_value"),
        ({"currency": "usd"}, "invalid_currency"),
        ({"contents": [{"id": "x", "item_name": None, "item_category": None, "item_brand": None,
                        "item_price": "cheap", "quantity": 1}]}, "invalid_item_price"),
        ({"num_items": -1}, "invalid_quantity"),
    ],
)
def test_local_checks(overrides, reason):
    assert validate.check_frame(frame([event(1, T, **overrides)])).to_list() == [reason]


def test_duplicate_event_ids_are_rejected():
    rows = [event(1, T), event(2, T), event(1, T)]
    assert validate.check_frame(frame(rows)).to_list() == ["duplicate_event_id", None, "duplicate_event_id"]


def test_schema_messages_name_the_field_not_the_value():
    msg = validate.schema_errors(json.dumps({"event_name": "checkout", "action_source": "offline",
                                             "event_time": "secret-value", "event_id": "e", "user_data": {}}))
    assert msg and "event_time" in msg and "secret-value" not in msg
    assert "user_data" in validate.schema_errors(json.dumps(
        {"event_name": "checkout", "action_source": "offline", "event_time": 1, "event_id": "e", "user_data": {}}))


def test_ledger_acknowledges_durably_and_reports_open_batches(tmp_path):
    ids = [sha(str(i)) for i in range(6)]
    ks = keys(pl.Series(ids)).to_list()
    with Ledger(tmp_path / "l.sqlite3") as led:
        b1, b2 = led.mark_in_flight(T, [(ids[:3], T, T), (ids[3:], T, T)])
        led.acknowledge([Ack(b1, "processed", {1: "warning", 2: "failed"})])
    with Ledger(tmp_path / "l.sqlite3") as led:  # reopened: what was committed is there
        known = led.known(since=T - 10)
        assert known.lookup(pl.Series(ks)).to_list() == ["processed", "warning", "failed", None, None, None]
        assert known.was_in_flight(pl.Series(ks)).to_list() == [False] * 3 + [True] * 3
        assert led.counts() == {"processed": 1, "warning": 1, "failed": 1, "open_batches": 1}
        # a later answer for the same event wins (e.g. --retry-failed)
        (b3,) = led.mark_in_flight(T, [(ids[2:3], T, T)])
        led.acknowledge([Ack(b3, "processed")])
        assert led.known(since=0).lookup(pl.Series(ks[2:3])).to_list() == ["processed"]
        # a request refused as a whole
        (b4,) = led.mark_in_flight(T + 5, [(ids[3:4], T + 5, T + 5)])
        led.acknowledge([Ack(b4, "failed", outcome="http 404")])
        assert led.known(since=0).lookup(pl.Series(ks[3:4])).to_list() == ["failed"]
        assert led.known(since=T + 6).frame.height == 0  # outside the window: not loaded
        assert led.prune(older_than=T + 1) == 3
        assert led.counts() == {"failed": 1, "open_batches": 0}


def test_ledger_keys_for_any_event_id():
    hexed = keys(pl.Series([sha("a"), sha("a"), "plain-id", "plain-id", "other"])).to_list()
    assert hexed[0] == hexed[1] and hexed[2] == hexed[3] and len(set(hexed)) == 3


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


def test_token_bucket_rate_and_burst():
    clock = FakeClock()
    bucket = TokenBucket(600, burst=5, clock=clock, sleep=clock.sleep)  # 10 per second
    for _ in range(5):
        assert bucket.acquire()
    assert clock.t == 0.0  # the burst is free
    for _ in range(20):
        bucket.acquire()
    assert clock.t == pytest.approx(2.0, abs=0.01)  # then 10/s


def test_token_bucket_pause_and_stop():
    import threading

    clock = FakeClock()
    bucket = TokenBucket(60_000, clock=clock, sleep=clock.sleep)
    bucket.pause_until(3.0)
    assert bucket.acquire() and clock.t >= 3.0
    stop = threading.Event()
    stop.set()
    assert bucket.acquire(stop) is False


@pytest.mark.parametrize("status, kind", [(200, "answered"), (429, "transient"), (500, "transient"),
                                          (503, "transient"), (408, "transient"), (401, "auth"), (403, "auth"),
                                          (400, "terminal"), (422, "terminal"), (404, "terminal")])
def test_classification(status, kind):
    assert classify_status(status) == kind


def test_backoff_full_jitter_and_retry_after():
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0)
    rng = random.Random(1)
    waits = [policy.backoff(5, rng) for _ in range(200)]
    assert all(0 <= w <= 8.0 for w in waits) and max(waits) > 6 and min(waits) < 2
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_redact():
    assert redact("Bearer abc123 failed", "abc123") == "Bearer [REDACTED] failed"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_log_lines_otherwise():
    clock = FakeClock()
    tty = _Tty()
    bar = Progress(Console(stdout=io.StringIO(), stderr=tty, environ={}), 1000, clock=clock)
    bar.update(500)
    bar.finish()
    assert tty.getvalue().startswith("\rsending [") and "50.0%" in tty.getvalue() and tty.getvalue().endswith("\n")
    log = io.StringIO()
    lines = Progress(Console(stdout=io.StringIO(), stderr=log, environ={}), 1000, interval=10, clock=clock)
    for done in (100, 200, 300):
        lines.update(done)
        clock.t += 4  # a line at most every 10 s of the injected clock: at 0 s, then the final one at 12 s
    lines.finish()
    out = log.getvalue().splitlines()
    assert len(out) == 2 and "\r" not in log.getvalue()
    assert out[0].startswith("pinexport: sending 100/1,000 events (10.0%), 0 events/s")
    assert out[1].startswith("pinexport: sending 300/1,000 events (30.0%), 25 events/s")


def test_answer_fast_path_agrees_with_the_json_parse():
    import requests

    from pinexport.delivery import ALL_PROCESSED, _parse_answer

    def answer(events: list[dict]) -> requests.Response:
        r = requests.Response()
        r.status_code = 200
        r._content = json.dumps({"num_events_received": len(events),
                                 "num_events_processed": sum(e["status"] == "processed" for e in events),
                                 "events": events}, indent=1).encode()
        return r

    ok = {"status": "processed", "error_message": None, "warning_message": ""}
    assert _parse_answer(answer([ok, ok]), 2) == (2, ALL_PROCESSED)
    assert _parse_answer(answer([ok, ok]), 3) is None  # not one status per event
    failed = {"status": "failed", "error_message": 'em: "status": "processed" is not hex', "warning_message": None}
    received, events = _parse_answer(answer([ok, failed]), 2)
    assert [e.status for e in events] == ["processed", "failed"] and events[1].error_message.startswith("em:")
    warned = {"status": "processed", "error_message": None, "warning_message": "currency missing"}
    _, events = _parse_answer(answer([warned, ok]), 2)
    assert events[0].warning_message == "currency missing"
