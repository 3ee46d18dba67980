"""The layout rules: which columns are written, skip reasons, RFC 4180 quoting, formula neutralisation."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from csvdata import sha
from pinexport.csvfiles.layout import NO_IDENTITY, NOT_SHA256, Layout, render
from pinexport.errors import ConfigError

H = sha("someone@example.com")


def frame(**cols) -> pl.DataFrame:
    base = {"email": [H], "madid": [None], "event_time": [1], "order_id": ["o1"]}
    base.update(cols)
    n = max(len(v) for v in base.values())
    base = {k: (v if len(v) == n else v * n) for k, v in base.items()}
    return pl.DataFrame(base, schema_overrides={"madid": pl.String, "email": pl.String})


def lines(df: pl.DataFrame) -> list[list[str]]:
    layout = Layout.from_schema(df.schema, "t")
    out = render(df.select(layout.columns), layout)
    text = out.data.decode()
    # every row boundary the splitter may cut at is the end of a whole row
    expected_ends, total = [], 0
    for line in _physical_rows(text):
        total += len(line.encode()) + 2
        expected_ends.append(total)
    ends, offset = [], 0
    while offset < len(out.data):
        end, rows = out.cut(offset, offset + out.row_size(offset))
        assert rows == 1
        ends.append(end)
        offset = end
    assert ends == expected_ends and out.rows == len(expected_ends)
    assert out.cut(0, len(out.data)) == (len(out.data), out.rows)
    return list(csv.reader(io.StringIO(text, newline="")))


def _physical_rows(text: str) -> list[str]:
    """Split on CRLF outside quotes (the reference for the writer's per-row byte lengths)."""
    rows, cur, quoted = [], [], False
    i = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        if not quoted and text.startswith("\r\n", i):
            rows.append("".join(cur))
            cur = []
            i += 2
            continue
        cur.append(c)
        i += 1
    return rows


def test_columns_are_written_in_model_order_without_control_columns():
    df = frame(_skip_reason=[None], value=["1.50"])
    layout = Layout.from_schema(df.schema, "t")
    assert layout.columns == ("email", "madid", "event_time", "order_id", "value")
    assert layout.header() == b"email,madid,event_time,order_id,value\r\n"
    assert layout.identity == ("email", "madid")


@pytest.mark.parametrize("text", ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"x\")"])
def test_formula_starts_are_neutralised(text):
    [[*_, cell]] = lines(frame(order_id=[text]))
    assert cell == "'" + text


@pytest.mark.parametrize("text", ["-12.50", "+3", "12", "-0.5", "hello", "a=b", "O'Brien"])
def test_plain_numbers_and_ordinary_text_are_kept(text):
    [[*_, cell]] = lines(frame(order_id=[text]))
    assert cell == text


def test_numeric_columns_are_never_prefixed():
    rows = lines(frame(event_time=[-5]))
    assert rows[0][2] == "-5"


@pytest.mark.parametrize("text", ['a,b', 'say "hi"', "two\nlines", "cr\rhere", "crlf\r\nx", "ünï,cødé ☃", '"'])
def test_specials_round_trip_as_one_row(text):
    rows = lines(frame(order_id=[text, "plain"]))
    assert [r[3] for r in rows] == [text, "plain"]


def test_nulls_and_empty_identity_are_empty_cells():
    rows = lines(frame(email=[""], madid=[sha("m")]))
    assert rows[0][0] == "" and rows[0][1] == sha("m")


def skip_reasons(df: pl.DataFrame) -> list[str | None]:
    """The reason each row is skipped (None: written), one row at a time, and the whole batch reconciles."""
    layout = Layout.from_schema(df.schema, "t")
    reasons = []
    for i in range(df.height):
        keep, counts = layout.split(df.slice(i, 1))
        assert keep.height + sum(counts.values()) == 1 and keep.columns == list(layout.columns)
        reasons.append(next(iter(counts)) if counts else None)
    keep, counts = layout.split(df)
    assert keep.height == reasons.count(None)
    assert counts == {r: reasons.count(r) for r in set(reasons) - {None}}
    return reasons


def test_skip_reasons_in_priority_order():
    df = frame(
        email=[H, None, "", "Someone@Example.com", H.upper(), None, H],
        madid=[None, sha("m"), None, None, None, None, None],
        _skip_reason=[None, None, None, None, None, "opt_out", "opt_out"],
    )
    assert skip_reasons(df) == [None, None, NO_IDENTITY, NOT_SHA256, NOT_SHA256, "opt_out", "opt_out"]


def test_a_model_reason_named_like_pinexports_own_is_kept_apart():
    """A model skipping rows with the reason 'identity_not_sha256' must not raise pinexport's plaintext alarm."""
    df = frame(email=[H, H], _skip_reason=[NOT_SHA256, None])
    assert skip_reasons(df) == [f"model:{NOT_SHA256}", None]


def test_plaintext_identity_is_never_rendered_as_kept():
    df = frame(email=["jane@example.com"])
    assert skip_reasons(df) == [NOT_SHA256]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"email": pl.List(pl.String), "event_time": pl.Int64}, "scalars"),
        ({"em": pl.String, "event_time": pl.Int64}, "email"),
        ({"email": pl.String, "event_time": pl.String}, "integer event_time"),
        ({"email": pl.String}, "integer event_time"),
        ({"email": pl.String, "event_time": pl.Int64, "_other": pl.String}, "control column"),
        ({"email": pl.Int64, "event_time": pl.Int64}, "text"),
    ],
)
def test_layouts_that_cannot_work_are_refused(schema, message):
    with pytest.raises(ConfigError, match=message):
        Layout.from_schema(pl.Schema(schema), "t")


def test_a_rows_bytes_do_not_depend_on_its_batch():
    values = ["plain", "a,b", "line\nbreak", "", "=1", 'q"q', "cr\rx", "ünï"]
    df = frame(order_id=values, event_time=list(range(len(values))))
    layout = Layout.from_schema(df.schema, "t")
    whole = render(df, layout).data  # this batch takes the exact path (cells with line breaks)
    one_by_one = b"".join(render(df.slice(i, 1), layout).data for i in range(df.height))
    assert whole == one_by_one
