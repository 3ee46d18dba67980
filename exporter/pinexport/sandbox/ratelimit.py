"""Per-ad-account token buckets: `limit` calls per minute, bursts up to `burst` calls."""

from __future__ import annotations

import threading
import time
from typing import Callable


class RateLimiter:
    def __init__(
        self, per_minute: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if per_minute <= 0:
            raise ValueError("the rate limit must be positive")
        self.per_minute = per_minute
        self.burst = float(burst if burst is not None else per_minute)
        if self.burst < 1:
            raise ValueError("the burst must allow at least one call")
        self._rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)

    def allow(self, key: str) -> bool:
        """Take one token from `key`'s bucket; False (and nothing taken) when it is empty."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return True
            self._buckets[key] = (tokens, now)
            return False
