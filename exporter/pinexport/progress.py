"""Progress of a run on stderr: a redrawn bar on a terminal, one plain log line per interval otherwise."""

from __future__ import annotations

import time
from typing import Callable

from pinexport.console import Console


class Progress:
    def __init__(
        self,
        console: Console,
        total: int,
        *,
        label: str = "sending",
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool = True,
    ) -> None:
        self.console = console
        self.total = max(0, int(total))
        self.label = label
        self.interactive = console.interactive
        self.interval = interval if interval is not None else (0.2 if self.interactive else 10.0)
        self.clock = clock
        self.enabled = enabled
        self.started = clock()
        self._last_draw = float("-inf")
        self.done = 0
        self.retries = 0
        self._drawn = False
        self._last_done: int | None = None

    def update(self, done: int, *, retries: int = 0, force: bool = False) -> None:
        self.done, self.retries = done, retries
        if not self.enabled:
            return
        now = self.clock()
        if not force and now - self._last_draw < self.interval:
            return
        if force and not self.interactive and done == self._last_done:
            return  # the final line would repeat the last one
        self._last_draw = now
        self._last_done = done
        elapsed = now - self.started
        rate = done / elapsed if elapsed >= 0.5 else 0.0
        pct = (100.0 * done / self.total) if self.total else 100.0
        retry_text = f", {retries} retries" if retries else ""
        if self.interactive:
            width = 30
            filled = int(width * min(pct, 100.0) / 100.0)
            bar = "#" * filled + "-" * (width - filled)
            self.console.stderr.write(
                f"\r{self.label} [{bar}] {pct:5.1f}% {done:,}/{self.total:,} events, {rate:,.0f}/s{retry_text}   "
            )
            self.console.stderr.flush()
            self._drawn = True
        else:
            self.console.err(
                f"pinexport: {self.label} {done:,}/{self.total:,} events ({pct:.1f}%), {rate:,.0f} events/s"
                f"{retry_text}, {elapsed:.0f}s elapsed"
            )

    def finish(self) -> None:
        if not self.enabled:
            return
        self.update(self.done, retries=self.retries, force=True)
        if self.interactive and self._drawn:
            self.console.stderr.write("\n")
            self.console.stderr.flush()
