"""What the sandbox checks in a request body: request-level problems (-> 400) and per-event statuses.

Pure functions, no I/O, so they are cheap to test and to benchmark. The per-event loop is deliberately tight:
the sandbox must keep up with 80+ requests of 1000 events per second on one core.
"""

from __future__ import annotations

import bisect
import functools
import json
import operator
import re
from dataclasses import dataclass
from typing import Any

from pinexport import schema as pinexport_schema

MAX_EVENTS = 1000
DAY_SECONDS = 86_400

# Documented values (the spec lists them in descriptions only, not as enums).
EVENT_NAMES = frozenset(
    {
        "add_payment_info", "add_to_cart", "add_to_wishlist", "app_install", "checkout", "custom",
        "initiate_checkout", "lead", "page_visit", "search", "signup", "subscribe", "view_category",
        "view_content", "watch_video",
    }
)
# Identifier fields whose entries must be SHA-256 hashes (lowercase hex, 64 characters), else the event fails.
# (Pinterest matches on the other hashed fields too, but only these decide whether an event can be matched.)
IDENTIFIER_HASH_FIELDS = ("em", "hashed_maids")

_HEX64 = re.compile(r"[0-9a-f]{64}")


class RequestInvalid(ValueError):
    """The whole request is invalid (HTTP 400); the message names the problem."""


@dataclass(frozen=True)
class EventOutcome:
    status: str  # "processed" | "failed"
    error_message: str | None = None
    warning_message: str | None = None


def schema_problem(body: Any) -> str | None:
    """None when the body is valid against the schema, else a message naming the (most relevant) problem.
    The fast gate (pinexport.schema.is_valid) answers for valid bodies; jsonschema decides and explains the rest."""
    from jsonschema.exceptions import best_match

    if pinexport_schema.is_valid("body", body):
        return None
    error = best_match(pinexport_schema.authority("body").iter_errors(body))
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    return f"{where or 'body'}: {error.message}"


def structural_events(body: Any) -> list[dict]:
    """The cheap checks that always run (even when schema validation is sampled out); returns body["data"].

    Checks what the per-event loop relies on: `data` is a list of 1..1000 objects, each with a string
    `event_id`, an integer `event_time` and an object `user_data`.
    """
    if not isinstance(body, dict):
        raise RequestInvalid("body: must be a JSON object with a 'data' array")
    data = body.get("data")
    if not isinstance(data, list):
        raise RequestInvalid("data: required, must be an array of events")
    n = len(data)
    if n == 0:
        raise RequestInvalid("data: must hold at least 1 event")
    if n > MAX_EVENTS:
        raise RequestInvalid(f"data: holds {n} events, at most {MAX_EVENTS} are allowed per request")
    for i, event in enumerate(data):
        if type(event) is not dict:
            raise RequestInvalid(f"data[{i}]: must be an object")
        if type(event.get("event_id")) is not str:
            raise RequestInvalid(f"data[{i}].event_id: required, must be a string")
        if type(event.get("event_time")) is not int:
            raise RequestInvalid(f"data[{i}].event_time: required, must be an integer (Unix seconds)")
        if type(event.get("user_data")) is not dict:
            raise RequestInvalid(f"data[{i}].user_data: required, must be an object")
    return data


def event_outcomes(data: list[dict], now: float, *, window_days: int = 7) -> list[EventOutcome]:
    """One outcome per event, in order. `data` must have passed `structural_events`."""
    oldest = now - window_days * DAY_SECONDS
    newest = now
    processed = PROCESSED
    out: list[EventOutcome] = []
    append = out.append
    hex64 = _HEX64.fullmatch
    for event in data:
        user = event["user_data"]
        error = None
        t = event["event_time"]
        if t < oldest:
            error = f"event_time {t} is older than {window_days} days"
        elif t > newest:
            error = f"event_time {t} is in the future"
        elif event.get("event_name") not in EVENT_NAMES:
            error = f"event_name {_short(event.get('event_name'))} is not a documented event name"
        else:
            for field in IDENTIFIER_HASH_FIELDS:
                values = user.get(field)
                if values:
                    if type(values) is not list:
                        error = f"user_data.{field} must be an array of hashes"
                        break
                    for j, v in enumerate(values):
                        if type(v) is not str or not hex64(v):
                            error = f"user_data.{field}[{j}] is not a lowercase hex SHA-256 hash"
                            break
                    if error:
                        break
            if error is None and not (
                user.get("em") or user.get("hashed_maids")
                or (user.get("client_ip_address") and user.get("client_user_agent"))
            ):
                error = "user_data has no identifier: needs em, hashed_maids, or client_ip_address with client_user_agent"
        if error is not None:
            append(EventOutcome("failed", error_message=error))
            continue
        custom = event.get("custom_data")
        if custom and custom.get("value") is not None and not custom.get("currency"):
            append(MISSING_CURRENCY)
        else:
            append(processed)
    return out


PROCESSED = EventOutcome("processed")
MISSING_CURRENCY = EventOutcome(
    "processed", warning_message="custom_data.currency is missing: the ad account's currency is assumed for value"
)


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


_PROCESSED_JSON = '{"status":"processed","error_message":null,"warning_message":null}'


def response_json(outcomes: list[EventOutcome]) -> bytes:
    """The 200 body (ConversionApiResponse), built without a dict per event for the common case."""
    parts = []
    n_processed = 0
    for o in outcomes:
        if o.status == "processed":
            n_processed += 1
        if o is PROCESSED:
            parts.append(_PROCESSED_JSON)
        else:
            parts.append(
                json.dumps(
                    {"status": o.status, "error_message": o.error_message, "warning_message": o.warning_message},
                    separators=(",", ":"),
                )
            )
    return (
        f'{{"num_events_received":{len(outcomes)},"num_events_processed":{n_processed},'
        f'"events":[{",".join(parts)}]}}'
    ).encode()


# ---- fast path --------------------------------------------------------------------------------------------------
# json.loads of a 1000-event body (~1.3 MB, ~60k objects) plus the loop above costs more than the sandbox's time
# budget per request on a small machine. For requests that are not schema-validated (see `validate_sample`), the
# server first tries this scan of the text: a few regular-expression passes locate each event (by the key every
# event starts with) and the fields the statuses depend on. Events that are certainly clean get "processed"; every
# other event (bad hash, out of the window, no em/hashed_maids, value without currency, ...) is decoded on its own
# and goes through `event_outcomes`, so statuses and messages are those of the full path. When the layout is not
# what the scan expects (an escaped event_id, a count that does not add up...), it returns None and the request
# takes the full path. Bodies that are schema-invalid in ways the scan does not see can be accepted: that is the
# documented price of sampling validation.

_BODY_HEAD = re.compile(rb'\s*\{\s*"data"\s*:\s*\[\s*\{\s*"([a-z_]+)"\s*:')
_BODY_END = re.compile(rb"\}\s*\]\s*\}\s*$")
_EVENT_FIELDS = re.compile(rb'"event_(id|name|time)"\s*:\s*(?:"([^"\\]*)"|(-?\d+)(?![\d.eE]))?')
_EM_ARRAYS = re.compile(rb'"em"\s*:\s*\[([^\]]*)\]')
_MAIDS_ARRAYS = re.compile(rb'"hashed_maids"\s*:\s*\[([^\]]*)\]')
_HASH_LIST = re.compile(rb'(?:\s*"[0-9a-f]{64}"\s*,)*\s*"[0-9a-f]{64}"\s*')
_CURRENCY = re.compile(rb'"currency"\s*:\s*"[^"\\]')
_VALUE = re.compile(rb'"value"\s*:\s*(?!null)')
# keys of an event object that no nested object uses: the first key of the events can anchor them
_ANCHOR_KEYS = frozenset(
    {
        b"action_source", b"app_info", b"custom_data", b"device_brand", b"device_carrier", b"device_info",
        b"device_model", b"device_type", b"event_id", b"event_name", b"event_source_url", b"event_time",
        b"language", b"opt_out", b"partner_name", b"user_data", b"wifi",
    }
)
_EVENT_NAMES_BYTES = frozenset(n.encode() for n in EVENT_NAMES)
_DECODER = json.JSONDecoder()
_start = re.Match.start
_groups = re.Match.groups
_group1 = operator.methodcaller("group", 1)


def fast_outcomes(raw: bytes, now: float, *, window_days: int = 7) -> tuple[list[str], list[EventOutcome]] | None:
    """(event_ids, outcomes) of `raw` as the full path would give them, or None when the scan cannot tell.

    Each pass maps match positions to event numbers with bisect (C-level map); Python loops over events run only
    for the events that need a closer look.
    """
    head = _BODY_HEAD.match(raw)
    if head is None or head.group(1) not in _ANCHOR_KEYS or not _BODY_END.search(raw, max(0, len(raw) - 32)):
        return None
    fields = list(_EVENT_FIELDS.finditer(raw))
    positions = list(map(_start, fields))
    groups = list(map(_groups, fields))
    # Every event starts with the same key (serializers keep key order) and follows "[" or "},". An event where
    # it is not first, or that follows something else than an object (5, "x", [], null), merges with the event
    # before it (two event_ids in one event); a stray anchor key makes an event without event_id: all of these
    # fail the one-per-event checks below. (A stray object without that key between two events is the one
    # malformation only the sampled schema validation sees.)
    anchor = head.group(1)
    starts: list[int] | None = None
    if anchor.startswith(b"event_") and anchor[6:] in (b"id", b"name", b"time"):  # usual: no pass of its own
        starts = [p - 1 for p, g in zip(positions, groups) if g[0] == anchor[6:]]
        if not starts or starts[0] != head.start(1) - 2 or not all(raw[p - 2 : p + 1] == b"},{" for p in starts[1:]):
            starts = None  # not the compact layout: take the general pass
    if starts is None:
        pattern = rb'(?:\[|\}\s*,)\s*(\{)\s*"%s"\s*:' % anchor
        starts = [m.start(1) for m in re.finditer(pattern, raw)]
    n = len(starts)
    if not 1 <= n <= MAX_EVENTS:
        return None
    where = functools.partial(bisect.bisect_right, starts)
    one_each = list(range(1, n + 1))  # event numbers (1-based) when every event has exactly one match
    events_of = list(map(where, positions))
    per_key = {}
    for key in (b"id", b"name", b"time"):
        per_key[key] = [g for e, g in zip(events_of, groups) if g[0] == key]
        if [e for e, g in zip(events_of, groups) if g[0] == key] != one_each:
            return None  # missing or duplicated: the full path says what is wrong
    ids = [g[1] for g in per_key[b"id"]]
    names = [g[1] for g in per_key[b"name"]]
    times = [g[2] for g in per_key[b"time"]]
    if None in ids or None in times:
        return None  # not plainly encoded (escapes, floats, strings...): the full path decides
    try:
        event_ids = [x.decode("utf-8") for x in ids]  # type: ignore[union-attr]
    except UnicodeDecodeError:
        return None

    suspect = bytearray(n)
    if not _EVENT_NAMES_BYTES.issuperset(names):
        for i, name in enumerate(names):
            if name not in _EVENT_NAMES_BYTES:
                suspect[i] = 1
    t = list(map(int, times))  # type: ignore[arg-type]
    oldest = now - window_days * DAY_SECONDS
    if min(t) < oldest or max(t) > now:
        for i, x in enumerate(t):
            if x < oldest or x > now:
                suspect[i] = 1

    identified = bytearray(n)
    for pattern in (_EM_ARRAYS, _MAIDS_ARRAYS) if b'"hashed_maids"' in raw else (_EM_ARRAYS,):
        matches = list(pattern.finditer(raw))
        where_ = list(map(where, map(_start, matches)))
        contents = list(map(_group1, matches))
        if where_ == one_each and _HASH_LIST.fullmatch(b",".join(contents)):
            identified = bytearray(b"\x01" * n)  # the usual case: one valid, non-empty list per event
            continue
        for e, content in zip(where_, contents):
            if content.strip():
                if _HASH_LIST.fullmatch(content):
                    identified[e - 1] = 1
                else:
                    suspect[e - 1] = 1
    currency = list(map(where, map(_start, _CURRENCY.finditer(raw))))
    if currency != one_each:  # some events have no currency: those with a value get a warning
        with_currency = set(currency)
        for e in map(where, map(_start, _VALUE.finditer(raw))):
            if e not in with_currency:
                suspect[e - 1] = 1

    outcomes: list[EventOutcome] = [PROCESSED] * n
    for i in range(n):
        if suspect[i] or not identified[i]:
            end = starts[i + 1] if i + 1 < n else len(raw)
            try:
                event, _ = _DECODER.raw_decode(raw[starts[i] : end].decode("utf-8"))
                structural_events({"data": [event]})
            except (ValueError, RequestInvalid):
                return None
            if event.get("event_id") != event_ids[i]:
                return None
            outcomes[i] = event_outcomes([event], now, window_days=window_days)[0]
    return event_ids, outcomes
