"""The sandbox endpoint over real loopback HTTP: answers, per-event statuses, auth, validation, record."""

from __future__ import annotations

import gzip
import json

import pytest
import requests
from jsonschema import Draft202012Validator
from sandbox_helpers import ACCOUNT, NOW, TOKEN, event, post, sha

from pinexport.sandbox import Sandbox, SandboxError, load_record
from pinexport.schema import document

DAY = 86_400


def response_validator(name: str) -> Draft202012Validator:
    schema = document()
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{name}"})


def test_happy_path_answers_per_schema_and_records(sandbox):
    events = [event(i) for i in range(3)]
    r = post(sandbox, events)
    assert r.status_code == 200
    body = r.json()
    response_validator("ConversionApiResponse").validate(body)
    assert body["num_events_received"] == 3 and body["num_events_processed"] == 3
    assert [e["status"] for e in body["events"]] == ["processed"] * 3
    [rec] = sandbox.record
    assert rec.ad_account_id == ACCOUNT and rec.test is False and rec.answer_dropped is False
    assert rec.events == tuple((e["event_id"], "processed") for e in events)
    assert sandbox.accepted_event_ids() == {e["event_id"]: 1 for e in events}


def test_keep_alive_session_serves_many_requests(sandbox):
    with requests.Session() as s:
        for k in range(20):
            assert post(sandbox, [event(k)], session=s).status_code == 200
    assert sum(sandbox.accepted_event_ids().values()) == 20


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_missing_or_wrong_token_is_401_and_nothing_recorded(sandbox, token):
    r = post(sandbox, [event(1)], token=token)
    assert r.status_code == 401
    assert r.json() == {"code": 2, "message": "Authentication failed."}
    response_validator("Error").validate(r.json())
    assert TOKEN not in r.text
    assert sandbox.record == []


def test_other_auth_scheme_is_401(sandbox):
    r = requests.post(sandbox.events_url(ACCOUNT), json={"data": [event(1)]},
                      headers={"Authorization": f"Basic {TOKEN}"}, timeout=30)
    assert r.status_code == 401


def test_forbidden_ad_account_is_403():
    with Sandbox(token=TOKEN, now=lambda: NOW, forbidden_ad_accounts=["111"]) as sb:
        r = post(sb, [event(1)], account="111")
        assert r.status_code == 403 and r.json()["code"] == 29
        assert post(sb, [event(1)], account="222").status_code == 200
        assert [rec.ad_account_id for rec in sb.record] == ["222"]


@pytest.mark.parametrize("account", ["abc", "1234567890123456789", "12a"])
def test_bad_ad_account_id_is_400(sandbox, account):
    r = post(sandbox, [event(1)], account=account)
    assert r.status_code == 400
    assert "ad_account_id" in r.json()["message"]


def test_schema_invalid_body_is_400_naming_the_problem(sandbox):
    r = post(sandbox, [event(0), event(1, unknown_field=1)])
    assert r.status_code == 400
    body = r.json()
    response_validator("Error").validate(body)
    assert body["code"] == 4196
    assert "data[1]" in body["message"] and "unknown_field" in body["message"]
    assert sandbox.record == []


def test_schema_invalid_type_is_400(sandbox):
    r = post(sandbox, [event(0, custom_data={"value": 72.39, "currency": "USD"})])  # value must be a string
    assert r.status_code == 400
    assert "data[0].custom_data.value" in r.json()["message"]


def test_identifier_rule_of_the_schema_is_enforced(sandbox):
    # ip without user agent, and no em/hashed_maids: the schema's anyOf fails -> 400
    r = post(sandbox, [event(0, user_data={"client_ip_address": "203.0.113.9"})])
    assert r.status_code == 400 and "data[0].user_data" in r.json()["message"]


def test_more_than_1000_events_is_400(sandbox):
    r = post(sandbox, [event(i) for i in range(1001)])
    assert r.status_code == 400
    assert "1001 events" in r.json()["message"]
    assert sandbox.record == []


def test_1000_events_is_fine(sandbox):
    r = post(sandbox, [event(i) for i in range(1000)])
    assert r.status_code == 200 and r.json()["num_events_processed"] == 1000


@pytest.mark.parametrize("validate_sample", [1.0, 0.0])
@pytest.mark.parametrize(
    "body, needle",
    [
        (b"{not json", "not valid JSON"),
        (b'{"data": []}', "at least 1"),
        (b'{"data": {}}', "data"),
        (b"[]", "body"),
        (json.dumps({"data": [{k: v for k, v in event(0).items() if k != "event_id"}]}).encode(), "event_id"),
        (json.dumps({"data": [event(0, event_time="1790000000")]}).encode(), "event_time"),
        (json.dumps({"data": [event(i) for i in range(1001)]}).encode(), "at most 1000"),
    ],
)
def test_structural_checks_always_run(body, needle, validate_sample):
    with Sandbox(token=TOKEN, now=lambda: NOW, validate_sample=validate_sample, seed=1) as sb:
        r = post(sb, body=body)
        assert r.status_code == 400, r.text
        assert needle in r.json()["message"]
        assert sb.record == []


def test_per_event_failures_and_warnings_in_order(sandbox):
    events = [
        event(0),
        event(1, user_data={"em": ["NOT-A-HASH"]}),
        event(2, user_data={"em": [sha("x").upper()]}),  # hex, but not lowercase
        event(3, event_time=NOW - 8 * DAY),
        event(4, event_time=NOW + 600),
        event(5, user_data={"em": [], "ph": [sha("1")]}),  # no usable identifier
        event(6, custom_data={"value": "10.00"}),  # value without currency: processed with a warning
        event(7, user_data={"hashed_maids": [sha("maid")]}),  # other identifiers are fine
        event(8, user_data={"client_ip_address": "203.0.113.9", "client_user_agent": "Mozilla/5.0"}),
        event(9, event_name="purchase"),  # not a documented event name
        event(10, event_time=NOW - 7 * DAY),  # exactly at the window's edge: still in
    ]
    r = post(sandbox, events)
    assert r.status_code == 200
    body = r.json()
    response_validator("ConversionApiResponse").validate(body)
    statuses = [e["status"] for e in body["events"]]
    assert statuses == ["processed", "failed", "failed", "failed", "failed", "failed", "processed", "processed",
                        "processed", "failed", "processed"]
    assert body["num_events_received"] == 11 and body["num_events_processed"] == 5
    msgs = [e["error_message"] for e in body["events"]]
    assert "em[0]" in msgs[1] and "hash" in msgs[1]
    assert "em[0]" in msgs[2]
    assert "older than 7 days" in msgs[3]
    assert "future" in msgs[4]
    assert "identifier" in msgs[5]
    assert "event_name" in msgs[9]
    assert all(m is None for i, m in enumerate(msgs) if statuses[i] == "processed")
    warnings = [e["warning_message"] for e in body["events"]]
    assert "currency" in warnings[6]
    assert [w for i, w in enumerate(warnings) if i != 6] == [None] * 10
    [rec] = sandbox.record
    assert [s for _, s in rec.events] == statuses
    assert set(sandbox.accepted_event_ids()) == {events[i]["event_id"] for i in (0, 6, 7, 8, 10)}
    stats = sandbox.stats()
    assert (stats["processed_events"], stats["failed_events"], stats["warnings"]) == (5, 6, 1)


def test_test_flag_is_recorded_and_left_out_of_accepted_ids(sandbox):
    assert post(sandbox, [event(1)], params={"test": "true"}).status_code == 200
    assert post(sandbox, [event(2)], params={"test": "false"}).status_code == 200
    assert post(sandbox, [event(3)]).status_code == 200
    assert [rec.test for rec in sandbox.record] == [True, False, False]
    assert set(sandbox.accepted_event_ids()) == {event(2)["event_id"], event(3)["event_id"]}
    assert set(sandbox.accepted_event_ids(include_test=True)) == {event(i)["event_id"] for i in (1, 2, 3)}
    assert post(sandbox, [event(4)], params={"test": "yes"}).status_code == 400


def test_duplicates_are_counted(sandbox):
    post(sandbox, [event(1), event(2)])
    post(sandbox, [event(1)])
    assert sandbox.accepted_event_ids() == {event(1)["event_id"]: 2, event(2)["event_id"]: 1}


def test_gzip_body_is_accepted(sandbox):
    raw = gzip.compress(json.dumps({"data": [event(1)]}).encode())
    r = requests.post(sandbox.events_url(ACCOUNT), data=raw, timeout=30, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 200 and r.json()["num_events_processed"] == 1


def test_unknown_path_and_method(sandbox):
    r = requests.post(f"{sandbox.url}/v5/ad_accounts/{ACCOUNT}/other", json={}, timeout=30)
    assert r.status_code == 404 and set(r.json()) == {"code", "message"}
    r = requests.get(sandbox.events_url(ACCOUNT), timeout=30)
    assert r.status_code == 405 and set(r.json()) == {"code", "message"}


def test_record_file_matches_memory_and_holds_no_payload(tmp_path):
    path = tmp_path / "accepted.ndjson"
    with Sandbox(token=TOKEN, now=lambda: NOW, record_path=str(path)) as sb:
        post(sb, [event(1), event(2, event_time=NOW - 30 * DAY)])
        post(sb, [event(3)], params={"test": "true"})
        post(sb, [event(4)], token="wrong")
        assert load_record(path) == sb.record  # written before the answer: visible at once
    records = load_record(path)
    assert [(r.seq, r.test) for r in records] == [(1, False), (2, True)]
    assert records[0].events == ((event(1)["event_id"], "processed"), (event(2)["event_id"], "failed"))
    text = path.read_text()
    assert event(1)["user_data"]["em"][0] not in text and TOKEN not in text and "order-1" not in text
    # a line being written (no newline yet) is ignored by readers
    with open(path, "a") as fh:
        fh.write('{"seq": 3, "ad_acc')
    assert len(load_record(path)) == 2


def test_record_file_without_memory_keeps_counts(tmp_path):
    path = tmp_path / "r.ndjson"
    with Sandbox(token=TOKEN, now=lambda: NOW, record_path=str(path), keep_record_in_memory=False) as sb:
        post(sb, [event(1), event(2)])
        assert sb.record == []
        assert sb.stats()["accepted_events"] == 2
    assert len(load_record(path)[0].events) == 2


def test_non_loopback_host_is_refused():
    with pytest.raises(SandboxError, match="non-loopback"):
        Sandbox(host="0.0.0.0", token=TOKEN)
    with pytest.raises(SandboxError, match="non-loopback"):
        Sandbox(host="8.8.8.8", token=TOKEN)
    Sandbox(host="0.0.0.0", token=TOKEN, allow_remote=True)  # allowed on purpose (not started here)
    Sandbox(host="localhost", token=TOKEN)


def test_empty_token_is_refused():
    with pytest.raises(SandboxError):
        Sandbox(token="")


def test_ipv6_loopback():
    try:
        sb = Sandbox(host="::1", token=TOKEN, now=lambda: NOW).start()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with sb:
        assert sb.url.startswith("http://[::1]:")
        assert post(sb, [event(1)]).status_code == 200


def test_chunked_body_is_accepted(sandbox):
    raw = json.dumps({"data": [event(1), event(2)]}).encode()
    r = requests.post(sandbox.events_url(ACCOUNT), data=iter([raw[:100], raw[100:]]), timeout=30,
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["num_events_processed"] == 2


def test_body_without_length_is_411(sandbox):
    import socket

    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=30) as s:
        s.sendall(f"POST /v5/ad_accounts/{ACCOUNT}/events HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {TOKEN}\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):  # the sandbox closes the connection after this answer
            chunks.append(chunk)
        answer = b"".join(chunks).decode()
    assert answer.startswith("HTTP/1.1 411") and '"code"' in answer
