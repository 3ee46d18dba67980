"""A token bucket shared by every sending thread (the sandbox uses it too, one per ad account): at most `rate_per_minute` requests per minute on average, with
bursts of up to `burst` requests (default: one second's worth). `pause_until()` lets a `Retry-After` answer hold
every thread back, not only the one that received it.

Clock and sleep are injectable so tests need no real time.
"""

from __future__ import annotations

import threading
import time
from typing import Callable


class TokenBucket:
    def __init__(
        self,
        rate_per_minute: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        self.rate = rate_per_minute / 60.0  # tokens per second
        self.capacity = float(burst) if burst is not None else max(1.0, self.rate)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take a token if one is available right now; never waits."""
        return self._reserve() <= 0

    def _reserve(self) -> float:
        """Take a token if one is available now; else return how long to wait (seconds)."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1.0 - 1e-9:  # tolerance: float refills like 0.1 * 10 may land just below 1
                self._tokens = max(0.0, self._tokens - 1.0)
                return 0.0
            return (1.0 - self._tokens) / self.rate

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Block until a request may be sent. Returns False if `stop` was set while waiting."""
        while True:
            if stop is not None and stop.is_set():
                return False
            wait = self._reserve()
            if wait <= 0:
                return True
            # wake up regularly so a stop request is noticed quickly
            self._sleep(min(wait, 0.25))

    def pause_until(self, when: float) -> None:
        """No token is handed out before `when` (a clock() value)."""
        with self._lock:
            self._paused_until = max(self._paused_until, when)
