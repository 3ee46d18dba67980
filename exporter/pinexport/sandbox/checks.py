"""What the sandbox checks in a request body: request-level problems (-> 400) and per-event statuses.

Pure functions, no I/O, so they are cheap to test and to benchmark. The per-event loop is deliberately tight:
the sandbox must keep up with 80+ requests of 1000 events per second on one core.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

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


@functools.lru_cache(maxsize=1)
def schema_validator():
    """Draft 2020-12 validator of the request body, from the package's copy of the shared schema."""
    from jsonschema import Draft202012Validator

    text = resources.files("pinexport").joinpath("schema/conversion_events.schema.json").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_problem(body: Any) -> str | None:
    """None when the body is valid against the schema, else a message naming the (most relevant) problem."""
    from jsonschema.exceptions import best_match

    error = best_match(schema_validator().iter_errors(body))
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


@functools.lru_cache(maxsize=64)
def all_processed_json(n: int) -> bytes:
    """The 200 body for n events, all processed without warning."""
    return (
        f'{{"num_events_received":{n},"num_events_processed":{n},"events":[{",".join([_PROCESSED_JSON] * n)}]}}'
    ).encode()


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
# json.loads of a 1000-event body (~1.3 MB, ~60k objects) alone costs more than the sandbox's time budget per
# request on a small machine. For requests that are not schema-validated (see `validate_sample`), the server first
# tries this byte-level scan: it only answers when it can tell that EVERY event is clean (all processed, no
# warning); on any doubt (a count that does not add up, an escaped string, a bad hash, an event out of the window,
# a missing currency...) it returns None and the request takes the full path (json.loads + the loop above), which
# is the reference behaviour. Bodies that are schema-invalid in ways these checks do not see can then be accepted:
# that is the documented price of sampling validation.

_BODY_START = re.compile(rb"\s*\{\s*\"data\"\s*:\s*\[")
_BODY_END = re.compile(rb"\]\s*\}\s*$")
_EVENT_FIELDS = re.compile(rb'"event_(id|name|time)"\s*:\s*(?:("[^"\\]*")|(-?\d+)(?![\d.eE]))?')
_EM_ARRAYS = re.compile(rb'"em"\s*:\s*\[([^\]]*)\]')
_EM_CONTENT = re.compile(rb'(?:\s*"[0-9a-f]{64}"\s*,)*\s*"[0-9a-f]{64}"\s*')
_CURRENCY = re.compile(rb'"currency"\s*:\s*"[^"\\]+"')
_VALUE = re.compile(rb'"value"\s*:\s*(?!null)')
_EVENT_NAMES_QUOTED = frozenset(f'"{n}"'.encode() for n in EVENT_NAMES)


def fast_clean_event_ids(raw: bytes, now: float, *, window_days: int = 7) -> list[str] | None:
    """The event_ids of `raw` when every event is certainly clean (would be "processed" without warning), else None."""
    if not _BODY_START.match(raw) or not _BODY_END.search(raw, max(0, len(raw) - 16)):
        return None
    ids: list[bytes] = []
    names = 0
    times: list[bytes] = []
    for key, string, number in _EVENT_FIELDS.findall(raw):
        if key == b"id":
            if not string:
                return None
            ids.append(string)
        elif key == b"name":
            if string not in _EVENT_NAMES_QUOTED:
                return None
            names += 1
        else:
            if not number:
                return None
            times.append(number)
    n = len(ids)
    if not 1 <= n <= MAX_EVENTS or names != n or len(times) != n:
        return None
    t = [int(x) for x in times]
    if min(t) < now - window_days * DAY_SECONDS or max(t) > now:
        return None
    if b'"hashed_maids"' in raw:
        return None  # its hashes are checked on the full path
    ems = _EM_ARRAYS.findall(raw)
    if len(ems) != n or not _EM_CONTENT.fullmatch(b",".join(ems)):
        return None  # an event without em (other identifiers are checked on the full path), or a bad hash
    if _VALUE.search(raw) and len(_CURRENCY.findall(raw)) != n:
        return None  # some event may carry a value without a currency: the full path finds which
    try:
        return [s[1:-1].decode("utf-8") for s in ids]
    except UnicodeDecodeError:
        return None
