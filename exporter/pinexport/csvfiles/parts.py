"""Cut rendered CSV rows into part files that each stay within a row limit and a byte limit.

The bytes counted are the bytes written (header included), so the limits are hard. Rows are never split: the
row limit is applied by slicing the batch before it is rendered, the byte limit by cutting the rendered bytes at
the last row boundary that fits (`Rendered.cut`, C-speed, no loop over rows). Each part is written as
`<name>.partial`, checksummed while written, fsynced, then renamed to `<name>`. Writing and hashing run on one
background thread (both release the GIL), overlapping the rendering of the next batch; at most
`QUEUE_DEPTH` rendered batches wait for it, so memory stays bounded.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import polars as pl

from pinexport.csvfiles.layout import Rendered
from pinexport.errors import DataError

QUEUE_DEPTH = 2


class RowTooLargeError(DataError):
    """One row (plus the header) is larger than --max-bytes: no file can hold it."""


@dataclass(frozen=True)
class PartInfo:
    name: str
    rows: int
    bytes: int
    sha256: str


class _OpenPart:
    """Counts are updated at once (the splitting decisions need them); the bytes go through the I/O thread."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.path = directory / name
        self.partial = directory / (name + ".partial")
        self.fh: BinaryIO | None = None
        self.sha = hashlib.sha256()
        self.rows = 0
        self.bytes = 0

    # --- on the I/O thread
    def write(self, data: memoryview | bytes) -> None:
        if self.fh is None:
            self.fh = open(self.partial, "wb")  # noqa: SIM115 - closed in finish()/abandon()
        self.fh.write(data)
        self.sha.update(data)

    def finish(self) -> None:
        assert self.fh is not None
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.partial, self.path)

    def abandon(self) -> None:
        if self.fh is not None:
            self.fh.close()


class _IoThread:
    """Runs (function, args) jobs in order on one thread; the first error is re-raised to the producer."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="pinexport-csv-io", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._error is None:
                try:
                    job[0](*job[1:])
                except BaseException as exc:  # noqa: BLE001 - handed to the producer
                    self._error = exc

    def submit(self, *job) -> None:
        self.raise_error()
        self._jobs.put(job)

    def raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def join(self) -> None:
        self._jobs.put(None)
        self._thread.join()
        self.raise_error()


class PartWriter:
    """Append batches of rows; parts are opened on demand, so no rows means no file."""

    def __init__(
        self, directory: Path, name_for: Callable[[int], str], header: bytes, *, max_rows: int, max_bytes: int
    ) -> None:
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        if len(header) >= max_bytes:
            raise RowTooLargeError(
                f"--max-bytes {max_bytes:,} leaves no room for a row after the {len(header)}-byte header"
            )
        self.directory = directory
        self.name_for = name_for
        self.header = header
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self._infos: list[_OpenPart] = []
        self._current: _OpenPart | None = None
        self._rows_done = 0  # rows handed over so far, for error messages
        self._io = _IoThread()

    def write(self, frame: pl.DataFrame, render: Callable[[pl.DataFrame], Rendered]) -> None:
        """Write `frame`'s rows in order; `render` turns a slice of it into CSV bytes."""
        pos = 0
        while pos < frame.height:
            part = self._current or self._open()
            take = min(frame.height - pos, self.max_rows - part.rows)
            if take == 0:
                self._close()
                continue
            # the slice fits the current part by rows; a new part (after a byte cut) has room for all of it
            self._write_rendered(render(frame.slice(pos, take)))
            pos += take

    def _write_rendered(self, rendered: Rendered) -> None:
        data, offset = rendered.data, 0
        view = memoryview(data)
        while offset < len(data):
            part = self._current or self._open()
            end, rows = rendered.cut(offset, offset + self.max_bytes - part.bytes)
            if rows == 0:
                if part.rows == 0:
                    raise RowTooLargeError(
                        f"row {self._rows_done + 1:,} of the export is {rendered.row_size(offset):,} bytes; with "
                        f"the {len(self.header):,}-byte header it cannot fit in a file of --max-bytes "
                        f"{self.max_bytes:,}"
                    )
                self._close()
                continue
            self._append(part, view[offset:end], rows)
            offset = end
            if offset < len(data):  # the rest does not fit in this part
                self._close()

    def close(self) -> list[PartInfo]:
        if self._current is not None:
            self._close()
        self._io.join()
        return [PartInfo(p.name, p.rows, p.bytes, p.sha.hexdigest()) for p in self._infos]

    def abandon(self) -> None:
        """Stop after an error: wait for the I/O thread, close what is open (the caller removes the files)."""
        try:
            self._io.join()
        except BaseException:  # noqa: BLE001 - the original error is what matters
            pass
        if self._current is not None:
            self._current.abandon()
            self._current = None

    def _open(self) -> _OpenPart:
        part = _OpenPart(self.directory, self.name_for(len(self._infos) + 1))
        self._current = part
        self._infos.append(part)
        self._append(part, self.header, 0)
        return part

    def _append(self, part: _OpenPart, data: memoryview | bytes, rows: int) -> None:
        part.bytes += len(data)
        part.rows += rows
        self._rows_done += rows
        self._io.submit(part.write, data)

    def _close(self) -> None:
        assert self._current is not None
        self._io.submit(self._current.finish)
        self._current = None
