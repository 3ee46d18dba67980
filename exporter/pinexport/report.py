"""The run summary (text for people, JSON for orchestrators), its exit code, and the rejects file.

Counts reconcile: every row of the model is exactly one of processed, failed (by Pinterest), rejected (invalid
locally), skipped (outside the window, in the future, no event_time), already sent (the ledger), not sent (the
run stopped early) or, in a dry run, would be sent.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from pinexport.errors import ExitCode

REJECT_COLUMNS = ("event_id", "order_id", "source", "status", "reason", "message")


@dataclass
class RunSummary:
    ad_account_id: str
    source: str
    dry_run: bool = False
    test_events: bool = False
    window_start: int = 0
    window_end: int = 0
    model_rows: int = 0
    skipped_out_of_window: int = 0
    skipped_future: int = 0
    skipped_no_event_time: int = 0
    already_sent: Counter = field(default_factory=Counter)  # ledger status -> events
    rejected: Counter = field(default_factory=Counter)  # local reason code -> events
    received: int = 0  # num_events_received over answered requests
    processed: int = 0
    failed: Counter = field(default_factory=Counter)  # Pinterest message -> events (incl. whole refused requests)
    warnings: Counter = field(default_factory=Counter)  # Pinterest warning -> events (subset of processed)
    would_send: int = 0  # dry run
    not_sent: int = 0  # the run stopped before these were answered
    resent_in_flight: int = 0  # sent again because an earlier run died with them in flight
    requests: int = 0
    retries: int = 0
    elapsed_seconds: float = 0.0
    stopped: str | None = None  # 'auth' | 'gave_up'
    stop_message: str | None = None
    rejects_file: str | None = None

    # --- derived ------------------------------------------------------------------------------------------------
    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def skipped_total(self) -> int:
        return self.skipped_out_of_window + self.skipped_future + self.skipped_no_event_time

    @property
    def already_total(self) -> int:
        return sum(self.already_sent.values())

    @property
    def accounted(self) -> int:
        return (
            self.processed + self.failed_total + self.rejected_total + self.skipped_total + self.already_total
            + self.not_sent + self.would_send
        )

    @property
    def events_per_second(self) -> float:
        done = self.processed + self.failed_total
        return done / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0

    def exit_code(self) -> ExitCode:
        if self.stopped == "auth":
            return ExitCode.AUTH
        if self.stopped == "gave_up":
            return ExitCode.GAVE_UP
        if self.failed_total or self.rejected_total:
            return ExitCode.PARTIAL_FAILURE
        return ExitCode.OK

    # --- output -------------------------------------------------------------------------------------------------
    def to_json(self) -> dict:
        d = asdict(self)
        for k in ("already_sent", "rejected", "failed", "warnings"):
            d[k] = dict(getattr(self, k).most_common())
        d.update(
            failed_total=self.failed_total, rejected_total=self.rejected_total, skipped_total=self.skipped_total,
            already_sent_total=self.already_total, reconciled=self.accounted == self.model_rows,
            events_per_second=round(self.events_per_second, 1), exit_code=int(self.exit_code()),
            elapsed_seconds=round(self.elapsed_seconds, 3),
        )
        return d

    def render(self) -> str:
        mode = "dry run" if self.dry_run else ("test events" if self.test_events else "live")
        lines = [f"pinexport api: ad account {self.ad_account_id} ({mode}), {self.source}"]
        lines.append(f"  model rows:            {self.model_rows:>12,}")
        if self.dry_run:
            lines.append(f"  would send:            {self.would_send:>12,}  (every payload validated against the schema)")
        else:
            lines.append(f"  received by Pinterest: {self.received:>12,}  in {self.requests:,} requests"
                         f" ({self.retries:,} retries)")
            lines.append(f"  processed:             {self.processed:>12,}")
            lines.append(f"  failed (by Pinterest): {self.failed_total:>12,}")
            lines += _top(self.failed)
        lines.append(f"  rejected (invalid):    {self.rejected_total:>12,}")
        lines += _top(self.rejected)
        lines.append(f"  skipped:               {self.skipped_total:>12,}  ({self.skipped_out_of_window:,} older than"
                     f" the window, {self.skipped_future:,} in the future, {self.skipped_no_event_time:,} without"
                     " event_time)")
        lines.append(f"  already sent:          {self.already_total:>12,}"
                     + (f"  ({self.already_sent.get('failed', 0):,} of them failed earlier: not re-sent;"
                        " --retry-failed or --resend sends them again)" if self.already_sent.get("failed") else ""))
        if self.not_sent:
            lines.append(f"  not sent (stopped):    {self.not_sent:>12,}  (a rerun sends them)")
        if self.warnings:
            lines.append(f"  warnings:              {sum(self.warnings.values()):>12,}  (processed, with a warning)")
            lines += _top(self.warnings)
        if self.resent_in_flight:
            lines.append(f"  re-sent {self.resent_in_flight:,} events left in flight by an earlier run"
                         " (the only possible duplicates)")
        if self.rejects_file and (self.failed_total or self.rejected_total or self.warnings):
            lines.append(f"  details per event: {self.rejects_file}")
        if not self.dry_run and self.elapsed_seconds:
            lines.append(f"  {self.elapsed_seconds:.1f}s, {self.events_per_second:,.0f} events/s")
        if self.stop_message:
            lines.append(f"  STOPPED: {self.stop_message}")
        return "\n".join(lines)


def _top(counter: Counter, n: int = 10) -> list[str]:
    out = [f"      {count:>10,}  {reason}" for reason, count in counter.most_common(n)]
    if len(counter) > n:
        out.append(f"      {sum(c for _, c in counter.most_common()[n:]):>10,}  ({len(counter) - n} other reasons)")
    return out


class RejectsWriter:
    """CSV of events that were not accepted as-is: event_id, order_id, source, status, reason, message.

    Only identifiers and reasons: no user data. Created (with its header) when the run starts, so an old file is
    never mistaken for this run's."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self.rows = 0
        self._fh: IO[str] | None = None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "w", newline="", encoding="utf-8")
            self._csv = csv.writer(self._fh)
            self._csv.writerow(REJECT_COLUMNS)

    def write(self, rows) -> None:
        """rows: iterable of (event_id, order_id, source, status, reason, message)."""
        if self._fh is None:
            return
        before = self.rows
        for row in rows:
            self._csv.writerow(["" if v is None else v for v in row])
            self.rows += 1
        if self.rows != before:
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def dumps(summary: RunSummary) -> str:
    return json.dumps(summary.to_json(), sort_keys=True)
