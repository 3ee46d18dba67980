"""Per-ad-account rate limit of the sandbox: one `TokenBucket` per key, `per_minute` calls, bursts up to `burst`."""

from __future__ import annotations

import threading
import time
from typing import Callable

from pinexport.ratelimit import TokenBucket


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
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, key: str) -> bool:
        """Take one token from `key`'s bucket; False (and nothing taken) when it is empty."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(self.per_minute, burst=self.burst, clock=self._clock)
        return bucket.try_acquire()
