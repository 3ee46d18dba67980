"""Helpers for the sandbox tests (a module name of its own: conftest.py names collide across test folders)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import requests

from pinexport.sandbox import Sandbox

TOKEN = "sandbox-test-token-5f2c"
ACCOUNT = "549755885175"
NOW = 1_790_000_000  # the sandbox's injected "now" (Unix seconds)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def event(i: int, **overrides: Any) -> dict:
    """A clean event: processed by the sandbox without warning."""
    ev = {
        "event_name": "checkout",
        "action_source": "offline",
        "event_time": NOW - 3600 - i,
        "event_id": sha(f"order-{i}|checkout"),
        "user_data": {"em": [sha(f"user{i}@example.com")], "ph": [sha(f"1555000{i:04d}")]},
        "custom_data": {
            "currency": "USD",
            "value": "72.39",
            "order_id": f"order-{i}",
            "num_items": 2,
            "content_ids": ["p1"],
            "contents": [{"id": "p1", "item_price": "36.20", "quantity": 2}],
        },
    }
    ev.update(overrides)
    return ev


def post(sb: Sandbox, events: list[dict] | None = None, *, token: str | None = TOKEN, account: str = ACCOUNT,
         params: dict | None = None, body: bytes | None = None, session: requests.Session | None = None,
         **kw: Any) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if body is None:
        body = json.dumps({"data": events}).encode()
    return (session or requests).post(sb.events_url(account), data=body, headers=headers, params=params,
                                      timeout=kw.pop("timeout", 30), **kw)
