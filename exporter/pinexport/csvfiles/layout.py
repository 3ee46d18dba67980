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
SHA256_HEX = r"^[0-9a-f]{64}$"
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

    def skip_reason_expr(self) -> pl.Expr:
        """Per row: null (write it) or why it is skipped. First match wins: a non-hash identity value (so no
        plaintext ever reaches a file), the model's own _skip_reason, then no identity at all."""
        present = [_blank_to_null(pl.col(n).cast(pl.String)) for n in self.identity]
        not_hash = pl.any_horizontal([p.is_not_null() & ~p.str.contains(SHA256_HEX) for p in present])
        none = pl.all_horizontal([p.is_null() for p in present])
        expr = pl.when(not_hash).then(pl.lit(NOT_SHA256))
        if self.skip_reason:
            reason = pl.col(SKIP_REASON_COLUMN).cast(pl.String)
            expr = expr.when(reason.is_not_null()).then(reason)
        return expr.when(none).then(pl.lit(NO_IDENTITY)).otherwise(pl.lit(None, dtype=pl.String))


def _blank_to_null(e: pl.Expr) -> pl.Expr:
    return pl.when(e.str.len_bytes() == 0).then(None).otherwise(e)


def _quote_text(value: str) -> str:
    if re.search(NEEDS_QUOTES, value):
        return '"' + value.replace('"', '""') + '"'
    return value


@dataclass
class Rendered:
    """One batch as CSV bytes (no header) and each row's byte length, in order."""

    data: bytes
    row_bytes: pl.Series  # Int64


def render(batch: pl.DataFrame, layout: Layout) -> Rendered:
    """CSV lines for `batch` (already filtered to the rows to write). Quoting (RFC 4180) and formula
    neutralisation are decided per column per batch, so columns that need neither (hashes, numbers) cost only the
    cast; each row's length comes from the same string that is written, so byte counts are exact."""
    cells = []
    for name in layout.columns:
        col = pl.col(name)
        is_text = name in layout.text
        if not is_text:
            col = col.cast(pl.String)
        if name in layout.identity:
            col = _blank_to_null(col)
        cells.append((name, col, is_text))
    needs = batch.select(
        *[(c.str.contains(FORMULA_START) & ~c.str.contains(PLAIN_NUMBER)).any().alias(f"n{i}")
          for i, (_, c, t) in enumerate(cells) if t],
        *[c.str.contains(NEEDS_QUOTES).any().alias(f"q{i}") for i, (_, c, _t) in enumerate(cells)],
    ).row(0, named=True)
    exprs = []
    for i, (_, c, is_text) in enumerate(cells):
        if is_text and needs.get(f"n{i}"):
            c = pl.when(c.str.contains(FORMULA_START) & ~c.str.contains(PLAIN_NUMBER)).then(
                pl.lit("'") + c).otherwise(c)
        if needs[f"q{i}"]:
            c = pl.when(c.str.contains(NEEDS_QUOTES)).then(
                pl.lit('"') + c.str.replace_all('"', '""', literal=True) + pl.lit('"')).otherwise(c)
        exprs.append(c.fill_null(""))
    line = pl.concat_str(exprs, separator=",")
    lines = batch.select(line.alias("line"))
    row_bytes = lines.select(
        (pl.col("line").str.len_bytes().cast(pl.Int64) + len(LINE_TERMINATOR)).alias("n"))["n"]
    buf = io.BytesIO()
    lines.write_csv(buf, include_header=False, quote_style="never", line_terminator=LINE_TERMINATOR)
    data = buf.getvalue()
    total = int(row_bytes.sum() or 0)
    if len(data) != total:  # the split points below depend on it: never write a file we did not measure
        raise AssertionError(f"CSV rendering wrote {len(data)} bytes for {total} measured")
    return Rendered(data, row_bytes)
