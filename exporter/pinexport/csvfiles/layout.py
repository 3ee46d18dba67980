"""The CSV layout: which model columns become CSV columns, which rows are skipped, and how a batch of rows
becomes CSV bytes, all columnar (polars expressions, no per-row Python).

The layout itself lives in the dbt model `pinterest_conversions_csv`: every column of that model is written, in
its order, under its name, except control columns whose name starts with `_`:
- `_skip_reason` (optional): a non-null value skips the row and is counted under that reason in the manifest.
Identity columns (`email`, `email_1`..`email_4`, `madid`) must hold lowercase 64-hex SHA-256 hashes; a row with
none of them is skipped (Pinterest: "Either email or madid fields are required").
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import polars as pl

from pinexport.errors import ConfigError

CONTROL_PREFIX = "_"
SKIP_REASON_COLUMN = "_skip_reason"
IDENTITY_COLUMN = re.compile(r"^(email|email_[1-4]|madid)$")
LINE_TERMINATOR = "\r\n"  # RFC 4180

# skip reasons decided here (the model may add its own through _skip_reason)
NOT_SHA256 = "identity_not_sha256"  # an email/madid cell that is not a SHA-256 hash: never written
NO_IDENTITY = "no_email_or_madid"

# OWASP CSV injection: a text cell starting with one of these may run as a formula in a spreadsheet
FORMULA_START = r"^[=+\-@\t\r]"
# ... unless the whole cell is a plain number (e.g. "-12.50"), which a spreadsheet reads as a number
PLAIN_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
NEEDS_QUOTES = r'[,"\r\n]'

_SCALAR_KINDS = (
    pl.String, pl.Boolean, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64,
    pl.Float32, pl.Float64, pl.Decimal, pl.Date, pl.Datetime,
)
_INTEGER_KINDS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


@dataclass(frozen=True)
class Layout:
    columns: tuple[str, ...]  # written, in file order
    text: tuple[str, ...]  # String columns (the only ones that can carry a formula)
    identity: tuple[str, ...]  # email / email_N / madid among `columns`
    skip_reason: bool  # the model has a _skip_reason column

    @classmethod
    def from_schema(cls, schema: pl.Schema, describe: str) -> Layout:
        names = list(schema.names())
        control = [n for n in names if n.startswith(CONTROL_PREFIX)]
        unknown = [n for n in control if n != SKIP_REASON_COLUMN]
        if unknown:
            raise ConfigError(
                f"{describe}: unknown control column(s) {', '.join(unknown)}: columns starting with '_' are not "
                f"written; the only one pinexport understands is {SKIP_REASON_COLUMN}"
            )
        columns = [n for n in names if not n.startswith(CONTROL_PREFIX)]
        if "event_time" not in columns or schema["event_time"] not in _INTEGER_KINDS:
            raise ConfigError(
                f"{describe}: the CSV model needs an integer event_time column (Unix seconds, UTC): "
                "pinexport selects the month on it"
            )
        bad = [f"{n} ({schema[n]})" for n in columns if not isinstance(schema[n], _SCALAR_KINDS)]
        if bad:
            raise ConfigError(
                f"{describe}: CSV cells must be scalars, but {', '.join(bad)} are not: read the CSV layout model "
                "(--table pinterest_conversions_csv), not pinterest_conversions"
            )
        identity = tuple(n for n in columns if IDENTITY_COLUMN.match(n))
        if not identity:
            raise ConfigError(
                f"{describe}: the CSV layout has no email, email_1..email_4 or madid column; Pinterest requires one"
            )
        wrong = [n for n in identity if schema[n] not in (pl.String, pl.Null)]
        if wrong:
            raise ConfigError(f"{describe}: identity column(s) {', '.join(wrong)} must be text (SHA-256 hex)")
        if SKIP_REASON_COLUMN in names and schema[SKIP_REASON_COLUMN] not in (pl.String, pl.Null):
            raise ConfigError(f"{describe}: {SKIP_REASON_COLUMN} must be text (a reason code, or null)")
        return cls(
            columns=tuple(columns),
            text=tuple(n for n in columns if schema[n] == pl.String),
            identity=identity,
            skip_reason=SKIP_REASON_COLUMN in names,
        )

    def header(self) -> bytes:
        return (",".join(_quote_text(n) for n in self.columns) + LINE_TERMINATOR).encode()

    def _flag_exprs(self) -> dict[str, pl.Expr]:
        cells = [pl.col(n).cast(pl.String) for n in self.identity]
        # null or "" is no identity (booleans only: no cleaned copy of the text is built)
        absent = [c.is_null() | (c.str.len_bytes() == 0) for c in cells]
        # a 64-byte value with no character outside 0-9a-f: cheaper than one anchored regex per row
        not_hash = [~a & ((c.str.len_bytes() != 64) | c.str.contains("[^0-9a-f]")) for c, a in zip(cells, absent)]
        flags = {
            "not_hash": pl.any_horizontal(not_hash),
            "none": pl.all_horizontal(absent),
        }
        if self.skip_reason:
            flags["model"] = pl.col(SKIP_REASON_COLUMN).is_not_null()
        return flags

    def split(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
        """(the rows to write, with only the layout's columns; {skip reason: count} of the others).
        The flags are computed once, in one parallel select; reasons are counted from them."""
        flags = batch.select(**self._flag_exprs())
        not_hash = flags.get_column("not_hash")
        model = flags.get_column("model") & ~not_hash if self.skip_reason else None
        none = flags.get_column("none") & ~not_hash
        if model is not None:
            none = none & ~model
        counts = {NOT_SHA256: int(not_hash.sum()), NO_IDENTITY: int(none.sum())}
        skip = not_hash | none
        if model is not None and model.any():
            skip = skip | model
            reasons = batch.get_column(SKIP_REASON_COLUMN).cast(pl.String).filter(model)
            for reason, count in reasons.value_counts().iter_rows():
                if reason in (NOT_SHA256, NO_IDENTITY):  # the model's own reason, not pinexport's check
                    reason = f"model:{reason}"
                counts[reason] = counts.get(reason, 0) + count
        counts = {k: v for k, v in counts.items() if v}
        if not counts:
            return batch.select(self.columns), {}
        return batch.select(self.columns).filter(~skip), counts


def _blank_to_null(e: pl.Expr) -> pl.Expr:
    return pl.when(e.str.len_bytes() == 0).then(None).otherwise(e)


def _quote_text(value: str) -> str:
    if re.search(NEEDS_QUOTES, value):
        return '"' + value.replace('"', '""') + '"'
    return value


class Rendered:
    """One batch as CSV bytes (no header), and where its rows end.

    Fast path: polars writes the batch (RFC 4180 quoting); when no cell holds a CR or LF, every b"\\n" in the
    bytes ends a row (checked: as many LF and CR bytes as rows), so row boundaries are found with bytes.rfind /
    bytes.count in C. Otherwise each row's byte length is computed from the very string that is written."""

    def __init__(self, data: bytes, rows: int, ends: pl.Series | None = None) -> None:
        self.data = data
        self.rows = rows
        self._ends = ends  # exact path: byte offset just after each row
        self._rows_before = {0: 0}  # fast path: row boundary returned by cut() -> rows before it

    def cut(self, offset: int, limit: int) -> tuple[int, int]:
        """The last row boundary at or before `limit`, from the row boundary `offset`: (end, rows in between)."""
        limit = min(limit, len(self.data))
        if self._ends is None:
            before = self._rows_before.get(offset)
            if limit == len(self.data) and before is not None:  # the whole rest: no need to count its rows
                return limit, self.rows - before
            end = self.data.rfind(b"\n", offset, limit) + 1
            if end <= offset:
                return offset, 0
            rows = self.data.count(b"\n", offset, end)
            if before is not None:
                self._rows_before[end] = before + rows
            return end, rows
        k = int(self._ends.search_sorted(limit, side="right"))
        first = int(self._ends.search_sorted(offset, side="right"))
        if k <= first:
            return offset, 0
        return int(self._ends[k - 1]), k - first

    def row_size(self, offset: int) -> int:
        if self._ends is None:
            return self.data.find(b"\n", offset) + 1 - offset
        i = int(self._ends.search_sorted(offset, side="right"))
        return int(self._ends[i]) - offset


def _prepare(batch: pl.DataFrame, layout: Layout) -> tuple[pl.DataFrame, bool]:
    """(cells ready for the writer, whether any cell holds a CR or LF).

    Text cells that look like a formula get a leading ' (only in columns of this batch that have one); blank
    identity cells become nulls. Identity cells are verified hashes by now, so they need neither check. All the
    checks run in one parallel select; the fixes only where a check hit."""
    text = [n for n in layout.text if n not in layout.identity]
    checks = [pl.col(n).str.contains(FORMULA_START).any().alias(f"f:{n}") for n in text]
    checks += [(pl.col(n).cast(pl.String).str.len_bytes() == 0).any().alias(f"b:{n}") for n in layout.identity]
    checks += [pl.col(n).str.contains("[\r\n]").any().alias(f"l:{n}") for n in text]
    if not checks:
        return batch, False
    needs = batch.select(checks).row(0, named=True)
    fixes: list[pl.Expr | pl.Series] = []
    for key, hit in needs.items():
        kind, n = key.split(":", 1)
        if hit and kind == "b":
            fixes.append(_blank_to_null(pl.col(n).cast(pl.String)).alias(n))
        elif hit and kind == "f":
            fixes.append(_neutralise_formulas(batch.get_column(n)))
    line_breaks = any(hit for key, hit in needs.items() if key.startswith("l:"))
    return (batch.with_columns(fixes) if fixes else batch), line_breaks


def _neutralise_formulas(cells: pl.Series) -> pl.Series:
    """`cells` with a ' before each formula-like value; a plain number such as -12.50 is not a formula and is
    kept as is. Only the hits are rebuilt and scattered back (they are rare; the input is not modified)."""
    hits = cells.str.contains(FORMULA_START).arg_true()
    values = cells.gather(hits)
    fixed = pl.select(
        pl.when(values.str.contains(PLAIN_NUMBER)).then(values).otherwise(pl.lit("'") + values)
    ).to_series()
    return cells.clone().scatter(hits, fixed)


def render(batch: pl.DataFrame, layout: Layout) -> Rendered:
    """CSV bytes for `batch` (the rows to write). Always written by polars (RFC 4180: a cell is quoted when it
    is empty or holds a comma, quote, CR or LF; quotes doubled), so a row's bytes never depend on its batch."""
    frame = batch.select(
        pl.col(n) if isinstance(batch.schema[n], (pl.String, *_INTEGER_KINDS)) else pl.col(n).cast(pl.String)
        for n in layout.columns
    )
    safe, line_breaks = _prepare(frame, layout)
    buf = io.BytesIO()
    safe.write_csv(buf, include_header=False, line_terminator=LINE_TERMINATOR, null_value="")
    data = buf.getvalue()
    if not line_breaks:  # every b"\n" ends a row
        return Rendered(data, safe.height)
    return Rendered(data, safe.height, _row_ends(safe, len(data)))


def _row_ends(safe: pl.DataFrame, total: int) -> pl.Series:
    """Cells hold line breaks: each row's byte length, computed columnarly with the writer's quoting rule."""
    lengths = []
    for name in safe.columns:
        c = pl.col(name).cast(pl.String)
        size = c.str.len_bytes().cast(pl.Int64)
        quoted = (size == 0) | c.str.contains(NEEDS_QUOTES)
        extra = pl.when(quoted).then(2 + c.str.count_matches('"', literal=True).cast(pl.Int64)).otherwise(0)
        lengths.append(pl.when(c.is_null()).then(0).otherwise(size + extra))
    row = pl.sum_horizontal(lengths) + (len(safe.columns) - 1 + len(LINE_TERMINATOR))
    ends = safe.select(row.cum_sum().alias("end"))["end"]
    if total != (int(ends[-1]) if len(ends) else 0):  # split points depend on it: never cut unmeasured bytes
        raise AssertionError(f"CSV writer produced {total} bytes, measured {int(ends[-1])}")
    return ends
