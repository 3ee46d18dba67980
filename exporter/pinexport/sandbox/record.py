"""What the sandbox accepted: per request the ad account, the test flag and (event_id, status) pairs.

Kept in memory (thread-safe) and/or appended to an NDJSON file, one line per accepted request, written and
flushed BEFORE the answer is sent, so "acknowledged" always implies "recorded". Only event ids and statuses are
stored: no user data, no token.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True)
class RecordedRequest:
    seq: int  # 1-based order in which the sandbox accepted the request
    ad_account_id: str
    test: bool  # sent with ?test=true (Pinterest does not record such events)
    events: tuple[tuple[str, str], ...]  # (event_id, status) in request order; status "processed"/"failed"
    answer_dropped: bool = False  # processed, but the connection was closed instead of answering (fault)

    def to_json(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "ad_account_id": self.ad_account_id,
                "test": self.test,
                "answer_dropped": self.answer_dropped,
                "events": self.events,  # tuples encode as JSON arrays
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> "RecordedRequest":
        d = json.loads(line)
        return cls(
            seq=d["seq"],
            ad_account_id=d["ad_account_id"],
            test=d["test"],
            events=tuple((e[0], e[1]) for e in d["events"]),
            answer_dropped=d.get("answer_dropped", False),
        )


class Recorder:
    def __init__(self, path: str | os.PathLike | None = None, keep_in_memory: bool = True) -> None:
        self._lock = threading.Lock()
        self._keep = keep_in_memory
        self._requests: list[RecordedRequest] = []
        self._seq = 0
        self._events = 0
        self._path = Path(path) if path is not None else None
        self._fh = open(self._path, "a", encoding="utf-8") if self._path is not None else None

    @property
    def path(self) -> Path | None:
        return self._path

    def add(
        self, ad_account_id: str, test: bool, events: Iterable[tuple[str, str]], answer_dropped: bool = False
    ) -> RecordedRequest:
        events = tuple(events)
        with self._lock:
            self._seq += 1
            self._events += len(events)
            rec = RecordedRequest(self._seq, ad_account_id, test, events, answer_dropped)
            if self._keep:
                self._requests.append(rec)
            if self._fh is not None:
                self._fh.write(rec.to_json() + "\n")
                self._fh.flush()
            return rec

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def counts(self) -> tuple[int, int]:
        """(accepted requests, accepted events), also when not kept in memory."""
        with self._lock:
            return self._seq, self._events

    def clear(self) -> None:
        """Forget the in-memory record (the file, if any, is left as it is)."""
        with self._lock:
            self._requests.clear()

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


def load_record(path: str | os.PathLike) -> list[RecordedRequest]:
    """Read an NDJSON record written by a sandbox (possibly another process, possibly still running).

    A last line without its newline (being written right now) is ignored.
    """
    text = Path(path).read_text(encoding="utf-8")
    lines = text.split("\n")
    return [RecordedRequest.from_json(line) for line in lines[:-1] if line.strip()]


def accepted_event_ids(records: Iterable[RecordedRequest], include_test: bool = False) -> Counter:
    """event_id -> number of times it was accepted with status "processed".

    Test requests (?test=true) are left out unless `include_test`: Pinterest does not record them.
    """
    counter: Counter = Counter()
    for rec in records:
        if rec.test and not include_test:
            continue
        counter.update(eid for eid, status in rec.events if status == "processed")
    return counter
