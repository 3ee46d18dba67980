"""The scan used for requests that are not schema-validated must agree with the full path.

Property: whenever the fast path answers, its event ids and outcomes (statuses, messages, warnings) are exactly
those of the full path (json.loads + per-event loop); it answers for every body of the usual layout.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_helpers import NOW, TOKEN, event, post, sha

from pinexport.sandbox import Sandbox
from pinexport.sandbox.checks import PROCESSED, event_outcomes, fast_outcomes, structural_events

DAY = 86_400

# ways an event can be dirty (or clean but unusual), each a function of the event index
VARIANTS = {
    "clean": lambda i: event(i),
    "bad_em": lambda i: event(i, user_data={"em": ["abc"]}),
    "upper_em": lambda i: event(i, user_data={"em": [sha(str(i)).upper()]}),
    "empty_em": lambda i: event(i, user_data={"em": [], "hashed_maids": [sha(str(i))]}),
    "maids_only": lambda i: event(i, user_data={"hashed_maids": [sha(str(i))]}),
    "bad_maid": lambda i: event(i, user_data={"em": [sha(str(i))], "hashed_maids": ["x"]}),
    "ip_ua": lambda i: event(i, user_data={"client_ip_address": "203.0.113.1", "client_user_agent": "UA"}),
    "two_ems": lambda i: event(i, user_data={"em": [sha(str(i)), sha(f"{i}b")]}),
    "old": lambda i: event(i, event_time=NOW - 8 * DAY),
    "edge": lambda i: event(i, event_time=NOW - 7 * DAY),
    "future": lambda i: event(i, event_time=NOW + 1),
    "now": lambda i: event(i, event_time=NOW),
    "no_currency": lambda i: event(i, custom_data={"value": "1.00"}),
    "empty_currency": lambda i: event(i, custom_data={"value": "1.00", "currency": ""}),
    "null_value": lambda i: event(i, custom_data={"value": None}),
    "no_custom": lambda i: {k: v for k, v in event(i).items() if k != "custom_data"},
    "odd_name": lambda i: event(i, event_name="purchase"),
    "escaped_id": lambda i: event(i, event_id=f'id-"{i}"'),
    "unicode_id": lambda i: event(i, event_id=f"id-é-{i}"),
}


def full_path(raw: bytes) -> tuple[list[str], list]:
    data = structural_events(json.loads(raw))
    return [e["event_id"] for e in data], event_outcomes(data, NOW)


def encode(events: list[dict], compact: bool, ascii_only: bool) -> bytes:
    seps = (",", ":") if compact else (", ", ": ")
    return json.dumps({"data": events}, separators=seps, ensure_ascii=ascii_only).encode()


@settings(max_examples=300, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(sorted(VARIANTS)), min_size=1, max_size=12),
    compact=st.booleans(),
    ascii_only=st.booleans(),
)
def test_fast_path_gives_the_full_path_outcomes(kinds, compact, ascii_only):
    events = [VARIANTS[k](i) for i, k in enumerate(kinds)]
    raw = encode(events, compact, ascii_only)
    fast = fast_outcomes(raw, NOW)
    if fast is not None:
        assert fast == full_path(raw)
    escaped = "escaped_id" in kinds or ("unicode_id" in kinds and ascii_only)
    assert (fast is None) == escaped  # only an escaped event_id makes it decline, for these bodies


def test_fast_path_handles_a_full_batch():
    events = [event(i) for i in range(1000)]
    events[500] = VARIANTS["bad_em"](500)
    raw = encode(events, True, True)
    ids, outcomes = fast_outcomes(raw, NOW)
    assert ids == [e["event_id"] for e in events]
    assert outcomes[500].status == "failed" and outcomes.count(PROCESSED) == 999
    assert fast_outcomes(encode([event(i) for i in range(1001)], True, True), NOW) is None


def test_fast_path_declines_what_it_cannot_tell():
    assert fast_outcomes(b"{not json", NOW) is None
    assert fast_outcomes(b'{"data": []}', NOW) is None
    assert fast_outcomes(b"[]", NOW) is None
    assert fast_outcomes(b"\xff\xfe", NOW) is None
    no_time = {k: v for k, v in event(1).items() if k != "event_time"}
    assert fast_outcomes(encode([event(0), no_time], True, True), NOW) is None
    float_time = event(1, event_time=NOW - 10.5)
    assert fast_outcomes(encode([float_time], True, True), NOW) is None
    # events whose first keys differ: no common anchor
    reordered = {"user_data": event(2)["user_data"], **{k: v for k, v in event(2).items() if k != "user_data"}}
    assert fast_outcomes(encode([event(1), reordered], True, True), NOW) is None
    # an element that is not an object, at the end or between events, in both layouts
    assert fast_outcomes(b'{"data":[{"event_id":"a","event_name":"checkout","event_time":1},5]}', NOW) is None
    for junk in ("5", '"x"', "[]", "null", "true"):
        for compact in (True, False):
            raw = encode([event(1), event(2)], compact, True)
            sep = b"}," if compact else b"}, "
            cut = raw.index(sep + (b'{"event_name"' if compact else b'{"event_name"')) + len(sep)
            bad = raw[:cut] + junk.encode() + b"," + raw[cut:]
            assert fast_outcomes(bad, NOW) is None, bad[cut - 5 : cut + 20]


def test_server_answers_the_same_with_and_without_validation():
    bodies = [
        [event(i) for i in range(50)],
        [VARIANTS[k](i) for i, k in enumerate(sorted(VARIANTS))],
        [event(1), event(2, user_data={"em": ["nope"]})],  # dirty, but the fast path can tell
    ]
    answers = {}
    for sample in (1.0, 0.0):
        with Sandbox(token=TOKEN, now=lambda: NOW, validate_sample=sample) as sb:
            answers[sample] = [post(sb, b).json() for b in bodies]
            records = [r.events for r in sb.record]
            stats = sb.stats()
        answers[sample].append(records)
        if sample == 0.0:
            assert stats["fast_path_requests"] == 2 and stats["schema_validated_requests"] == 0
        else:
            assert stats["fast_path_requests"] == 0 and stats["schema_validated_requests"] == 3
    assert answers[1.0] == answers[0.0]


def test_validate_sample_is_a_share_of_requests():
    with Sandbox(token=TOKEN, now=lambda: NOW, validate_sample=0.5, seed=5) as sb:
        for i in range(40):
            assert post(sb, [event(i)]).status_code == 200
        validated = sb.stats()["schema_validated_requests"]
    assert 5 <= validated <= 35  # seeded: deterministic, and neither none nor all
