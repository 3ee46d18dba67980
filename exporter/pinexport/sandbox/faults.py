"""Fault injection: which requests the sandbox answers badly, decided by a seeded RNG (or a fixed script)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

# Fault names, as used in `Faults.script` and in `Sandbox.stats()["faults"]`.
OK = "ok"
ERROR_500 = "500"
ERROR_503 = "503"
ERROR_429 = "429"
SLOW = "slow"
DROP_BEFORE = "drop_before"  # close the connection before reading the body: nothing processed
DROP_AFTER = "drop_after"  # process and record the request, then close without answering: the answer is lost
FAULT_NAMES = (OK, ERROR_500, ERROR_503, ERROR_429, SLOW, DROP_BEFORE, DROP_AFTER)
DROP_WHEN = ("before", "after", "any")


@dataclass(frozen=True)
class Faults:
    """Shares (probabilities 0..1) of requests that get a fault; all off by default.

    Per request at most one fault applies, drawn in this order: drop, 5xx, 429, slow. A slow request is
    otherwise handled normally (after `slow_seconds`). `script` forces the outcome of the first requests (in
    arrival order, one name of FAULT_NAMES each) before the random draws start: deterministic tests.
    """

    fail_5xx: float = 0.0  # answered 500 or 503 (half each)
    fail_429: float = 0.0  # answered 429 although the rate limit was not reached
    slow: float = 0.0
    slow_seconds: float = 1.0
    drop: float = 0.0
    drop_when: str = "any"  # "before" | "after" | "any" (either, half each)
    script: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("fail_5xx", "fail_429", "slow", "drop"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1, not {value}")
        if self.slow_seconds < 0:
            raise ValueError("slow_seconds must not be negative")
        if self.drop_when not in DROP_WHEN:
            raise ValueError(f"drop_when must be one of {', '.join(DROP_WHEN)}")
        unknown = [s for s in self.script if s not in FAULT_NAMES]
        if unknown:
            raise ValueError(f"unknown fault name(s) in script: {unknown}; known: {', '.join(FAULT_NAMES)}")
        object.__setattr__(self, "script", tuple(self.script))

    @property
    def any(self) -> bool:
        return bool(self.fail_5xx or self.fail_429 or self.slow or self.drop or self.script)

    def describe(self) -> str:
        if not self.any:
            return "faults off"
        parts = []
        if self.fail_5xx:
            parts.append(f"5xx {self.fail_5xx:g}")
        if self.fail_429:
            parts.append(f"429 {self.fail_429:g}")
        if self.slow:
            parts.append(f"slow {self.slow:g} ({self.slow_seconds:g}s)")
        if self.drop:
            parts.append(f"drop {self.drop:g} ({self.drop_when})")
        if self.script:
            parts.append(f"script of {len(self.script)}")
        return "faults: " + ", ".join(parts)


class FaultPlan:
    """Thread-safe source of per-request fault decisions: the script first, then seeded random draws."""

    def __init__(self, faults: Faults, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._faults = faults
        self._script = list(faults.script)

    @property
    def faults(self) -> Faults:
        return self._faults

    def replace(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._script = list(faults.script)

    def next(self) -> str:
        with self._lock:
            if self._script:
                return self._script.pop(0)
            f = self._faults
            if not (f.fail_5xx or f.fail_429 or f.slow or f.drop):
                return OK
            r = self._rng.random
            if f.drop and r() < f.drop:
                if f.drop_when == "before":
                    return DROP_BEFORE
                if f.drop_when == "after":
                    return DROP_AFTER
                return DROP_BEFORE if r() < 0.5 else DROP_AFTER
            if f.fail_5xx and r() < f.fail_5xx:
                return ERROR_500 if r() < 0.5 else ERROR_503
            if f.fail_429 and r() < f.fail_429:
                return ERROR_429
            if f.slow and r() < f.slow:
                return SLOW
            return OK
