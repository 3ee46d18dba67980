"""Cut rendered CSV rows into part files that each stay within a row limit and a byte limit.

The bytes counted are the bytes written (header included), so the limits are hard. Rows are never split: a part
ends at a row boundary, found with a cumulative sum of the rows' byte lengths and a binary search, not a loop over
rows. Each part is written as `<name>.partial`, checksummed while written, fsynced, then renamed to `<name>`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import polars as pl

from pinexport.errors import DataError


class RowTooLargeError(DataError):
    """One row (plus the header) is larger than --max-bytes: no file can hold it."""


@dataclass(frozen=True)
class PartInfo:
    name: str
    rows: int
    bytes: int
    sha256: str


class _OpenPart:
    def __init__(self, directory: Path, name: str, header: bytes) -> None:
        self.name = name
        self.path = directory / name
        self.partial = directory / (name + ".partial")
        self.fh: BinaryIO = open(self.partial, "wb")  # noqa: SIM115 - closed in finish()
        self.sha = hashlib.sha256()
        self.rows = 0
        self.bytes = 0
        self.write(header, 0)

    def write(self, data: memoryview | bytes, rows: int) -> None:
        self.fh.write(data)
        self.sha.update(data)
        self.bytes += len(data)
        self.rows += rows

    def finish(self) -> PartInfo:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.partial, self.path)
        return PartInfo(self.name, self.rows, self.bytes, self.sha.hexdigest())

    def abandon(self) -> None:
        self.fh.close()


class PartWriter:
    """Append batches of rendered rows; parts are opened on demand, so no rows means no file."""

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
        self.parts: list[PartInfo] = []
        self._current: _OpenPart | None = None
        self._rows_before = 0  # rows written before the current batch, for error messages

    def write(self, data: bytes, row_bytes: pl.Series) -> None:
        """`data` is the concatenation of rows whose byte lengths are `row_bytes` (in order)."""
        n = row_bytes.len()
        if n == 0:
            return
        ends = row_bytes.cast(pl.Int64).cum_sum()  # ends[i] = byte offset just after row i
        view = memoryview(data)
        pos, offset = 0, 0  # next row to write, its byte offset in data
        while pos < n:
            part = self._current or self._open()
            room_rows = self.max_rows - part.rows
            # rows pos..k-1 fit if ends[k-1] - offset <= room in bytes
            limit = offset + (self.max_bytes - part.bytes)
            k = min(int(ends.search_sorted(limit, side="right")), pos + room_rows)
            if k <= pos:
                if part.rows == 0:
                    size = int(row_bytes[pos])
                    raise RowTooLargeError(
                        f"row {self._rows_before + pos + 1:,} of the export is {size:,} bytes; with the "
                        f"{len(self.header):,}-byte header it cannot fit in a file of --max-bytes "
                        f"{self.max_bytes:,}"
                    )
                self._close()
                continue
            end = int(ends[k - 1])
            part.write(view[offset:end], k - pos)
            pos, offset = k, end
            if pos < n:  # the part is full (by rows or bytes): the next row goes to a new part
                self._close()
        self._rows_before += n

    def close(self) -> list[PartInfo]:
        if self._current is not None:
            self._close()
        return self.parts

    def abandon(self) -> None:
        if self._current is not None:
            self._current.abandon()
            self._current = None

    def _open(self) -> _OpenPart:
        self._current = _OpenPart(self.directory, self.name_for(len(self.parts) + 1), self.header)
        return self._current

    def _close(self) -> None:
        assert self._current is not None
        self.parts.append(self._current.finish())
        self._current = None
