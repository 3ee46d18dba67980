"""`pinexport csv` end to end on a temp DuckDB file shaped like pinterest_conversions_csv: month boundaries,
manifest, privacy, formula injection, reruns, crash safety, the 30-day warning, the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path

import pytest

from csvdata import COLUMNS, all_output_text, data_rows, manifest, parts, read_csv, row, sha, ts, write_model
from pinexport import cli
from pinexport.console import Console
from pinexport.csvfiles import export as export_mod
from pinexport.csvfiles import parts as parts_mod
from pinexport.csvfiles.export import export_csv
from pinexport.csvfiles.window import month_window, range_window
from pinexport.errors import ExitCode
from pinexport.source import resolve_source

NOW = dt.datetime(2026, 11, 5, tzinfo=dt.timezone.utc)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["csv", *argv], Console(stdout=out, stderr=err, environ={}))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "model.duckdb"


def order_ids(out: Path, label: str) -> list[str]:
    return [r[COLUMNS.index("order_id")] for r in data_rows(out, label)]


def test_month_boundaries_are_utc_and_half_open(tmp_path, db):
    write_model(db, [
        row("sep-last", ts(2026, 9, 30, 23, 59, 59)),
        row("oct-first", ts(2026, 10, 1, 0, 0, 0)),
        row("oct-mid", ts(2026, 10, 15, 12)),
        row("oct-last", ts(2026, 10, 31, 23, 59, 59)),
        row("nov-first", ts(2026, 11, 1, 0, 0, 0)),
        row("dec-last", ts(2026, 12, 31, 23, 59, 59)),
        row("jan-first", ts(2027, 1, 1)),
    ])
    spec = resolve_source(duckdb_path=str(db), table="pinterest_conversions_csv")
    export_csv(spec, month_window("2026-10"), tmp_path / "out", now=NOW)
    assert order_ids(tmp_path / "out", "2026-10") == ["oct-first", "oct-mid", "oct-last"]
    export_csv(spec, month_window("2026-12"), tmp_path / "out", now=NOW)
    assert order_ids(tmp_path / "out", "2026-12") == ["dec-last"]
    export_csv(spec, month_window("2027-01"), tmp_path / "out", now=NOW)
    assert order_ids(tmp_path / "out", "2027-01") == ["jan-first"]
    export_csv(spec, range_window("2026-09-30T23:59:59Z", "2026-10-01T00:00:01Z"), tmp_path / "out", now=NOW)
    assert order_ids(tmp_path / "out", "20260930T235959Z_20261001T000001Z") == ["sep-last", "oct-first"]


def test_manifest_matches_the_files(tmp_path, db):
    write_model(db, [row(f"o{i:04d}", ts(2026, 10, 1) + i * 600) for i in range(2500)]
                + [row("nobody", ts(2026, 10, 2), email=None), row("gone", ts(2026, 10, 3), skip="opt_out")])
    code, out, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "out"),
                             "--max-rows", "1000", "--max-bytes", "90kB", "--as-of", "2026-11-05T00:00:00Z")
    assert code == ExitCode.OK, err
    m = manifest(tmp_path / "out", "2026-10")
    files = parts(tmp_path / "out", "2026-10")
    assert [f["name"] for f in m["files"]] == [f.name for f in files]
    assert len(files) >= 3
    for entry, f in zip(m["files"], files):
        raw = f.read_bytes()
        assert entry["bytes"] == len(raw) <= 90_000
        assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
        assert entry["rows"] == len(read_csv(f)) - 1 <= 1000
        assert entry["sha256"] in out and entry["name"] in out
    assert m["month"] == "2026-10" and m["label"] == "2026-10"
    assert m["range"]["since"] == "2026-10-01T00:00:00Z" and m["range"]["until"] == "2026-11-01T00:00:00Z"
    assert m["source"] == f"duckdb:{db}#pinterest_conversions_csv"
    assert m["columns"] == COLUMNS
    assert m["totals"] == {"events_read": 2502, "rows_written": 2500, "rows_skipped": 2, "files": len(files),
                           "bytes": sum(f.stat().st_size for f in files)}
    assert m["skipped"] == {"no_email_or_madid": 1, "opt_out": 1}
    assert m["limits"] == {"max_rows": 1000, "max_bytes": 90_000, "bytes_include_header": True}
    assert dt.datetime.strptime(m["generated_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert "2 events skipped (no_email_or_madid: 1, opt_out: 1)" in err


def test_no_plaintext_email_reaches_any_output(tmp_path, db):
    plain = "jane.doe@example.com"
    write_model(db, [
        row("ok", ts(2026, 10, 2)),
        row("plain-email", ts(2026, 10, 3), email=plain),
        row("upper-hash", ts(2026, 10, 4), email=sha(plain).upper()),
        row("plain-maid", ts(2026, 10, 5), email=None, madid="AEBE52E7-03EE-455A-B3C4-E57283966239"),
    ])
    code, out, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "out"))
    assert code == ExitCode.PARTIAL_FAILURE
    assert "3 row(s) held back" in err
    text = all_output_text(tmp_path / "out") + out + err
    for secret in (plain, "AEBE52E7", sha(plain).upper()):
        assert secret not in text
    assert order_ids(tmp_path / "out", "2026-10") == ["ok"]
    assert manifest(tmp_path / "out", "2026-10")["skipped"] == {"identity_not_sha256": 3}


def test_only_layout_columns_are_written(tmp_path, db):
    import duckdb

    write_model(db, [row("o1", ts(2026, 10, 2))])
    con = duckdb.connect(str(db))
    con.execute("alter table pinterest_conversions_csv add column _skip_note varchar default 'x'")
    con.close()
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "out"))
    assert code == ExitCode.USAGE and "unknown control column(s) _skip_note" in err


def test_formula_injection_is_neutralised(tmp_path, db):
    write_model(db, [
        row("=HYPERLINK(\"http://x\",\"y\")", ts(2026, 10, 2), value="-12.50"),
        row("@SUM(1+1)", ts(2026, 10, 3), value="=1+2"),
        row("+cmd|' /C calc'!A0", ts(2026, 10, 4)),
        row("-2+3", ts(2026, 10, 5)),
    ])
    run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "out"))
    rows = data_rows(tmp_path / "out", "2026-10")
    oid, val = COLUMNS.index("order_id"), COLUMNS.index("value")
    assert [r[oid] for r in rows] == ["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1+1)", "'+cmd|' /C calc'!A0", "'-2+3"]
    assert [r[val] for r in rows] == ["-12.50", "'=1+2", "10.00", "10.00"]
    for r in rows:
        assert all(not c or c[0] not in "=+@\t\r" for c in r)


def test_rerun_replaces_that_months_files_only(tmp_path, db):
    out = tmp_path / "out"
    write_model(db, [row(f"o{i}", ts(2026, 10, 2) + i) for i in range(30)] + [row("sep", ts(2026, 9, 9))])
    assert run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(out), "--max-rows", "7")[0] == 0
    assert run_cli("--duckdb", str(db), "--month", "2026-09", "--out", str(out))[0] == 0
    (out / "notes.txt").write_text("mine")
    (out / "pinterest_offline_conversions_2026-10-01_2026-10-15_part-001.csv").write_text("other label")
    assert len(parts(out, "2026-10")) == 5
    write_model(db, [row(f"n{i}", ts(2026, 10, 3) + i) for i in range(10)])
    assert run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(out), "--max-rows", "7")[0] == 0
    assert [p.name for p in parts(out, "2026-10")] == [
        "pinterest_offline_conversions_2026-10_part-001.csv", "pinterest_offline_conversions_2026-10_part-002.csv"]
    assert order_ids(out, "2026-10") == [f"n{i}" for i in range(10)]
    assert manifest(out, "2026-10")["totals"]["rows_written"] == 10
    assert order_ids(out, "2026-09") == ["sep"], "another month is untouched"
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "pinterest_offline_conversions_2026-10-01_2026-10-15_part-001.csv").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".pinexport-csv-tmp-")]


def test_empty_month_replaces_old_files_with_an_empty_manifest(tmp_path, db):
    out = tmp_path / "out"
    write_model(db, [row("o1", ts(2026, 10, 2))])
    run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(out))
    write_model(db, [])
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(out))
    assert code == 0 and "no events" in err
    assert parts(out, "2026-10") == []
    assert manifest(out, "2026-10")["files"] == []


def test_crash_mid_write_leaves_nothing_that_looks_complete(tmp_path, db, monkeypatch):
    out = tmp_path / "out"
    write_model(db, [row(f"old{i}", ts(2026, 10, 2) + i) for i in range(5)])
    run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(out), "--max-rows", "2")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    write_model(db, [row(f"new{i}", ts(2026, 10, 2) + i) for i in range(50)])

    calls = {"n": 0}
    real_write = parts_mod._OpenPart.write

    def failing_write(self, data):
        calls["n"] += 1
        if calls["n"] == 6:  # after a few parts are complete in the temp dir
            raise OSError(28, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(parts_mod._OpenPart, "write", failing_write)
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(out), "--max-rows", "2",
                           "--batch-size", "3")
    assert code == ExitCode.USAGE and "No space left on device; nothing was published" in err
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before, "the previous complete set is untouched, no new part or manifest appeared"
    assert not [p for p in out.iterdir() if p.is_dir()], "the temp dir is removed"


def test_killed_run_leaves_only_a_hidden_temp_dir_that_the_next_run_removes(tmp_path, db, monkeypatch):
    out = tmp_path / "out"
    write_model(db, [row(f"o{i}", ts(2026, 10, 2) + i) for i in range(5)])

    def die(*args, **kwargs):  # the process dies just before publishing: no cleanup code runs
        raise SystemExit("killed")

    monkeypatch.setattr(export_mod, "publish", die)
    monkeypatch.setattr(export_mod.shutil, "rmtree", lambda *a, **k: None)
    with pytest.raises(SystemExit):
        export_csv(resolve_source(duckdb_path=str(db), table="pinterest_conversions_csv"), month_window("2026-10"),
                   out, now=NOW)
    monkeypatch.undo()
    [tmp] = list(out.iterdir())
    assert tmp.name == f".pinexport-csv-tmp-{os.getpid()}" and tmp.is_dir()
    assert not list(out.glob("*.csv")) and not list(out.glob("*manifest*"))
    dead = out / ".pinexport-csv-tmp-999999999"
    tmp.rename(dead)
    assert run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(out))[0] == 0
    assert not dead.exists()
    assert len(parts(out, "2026-10")) == 1


def test_thirty_day_warning_counts_old_events(tmp_path, db):
    now = dt.datetime(2026, 11, 10, 12, tzinfo=dt.timezone.utc)
    cutoff = int((now - dt.timedelta(days=30)).timestamp())
    write_model(db, [
        row("a", ts(2026, 10, 1)), row("b", cutoff - 1), row("c", cutoff), row("d", ts(2026, 10, 31)),
        row("e", ts(2026, 10, 5), email=None),  # skipped: not counted as written
    ])
    code, out, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "o"),
                             "--as-of", "2026-11-10T12:00:00Z")
    assert code == 0
    assert "2 of 4 events written are older than 30 days (before 2026-10-11T12:00:00Z)" in err
    assert manifest(tmp_path / "o", "2026-10")["warnings"] == {
        "as_of": "2026-11-10T12:00:00Z", "older_than_30_days": 2, "in_future": 0}


def test_json_output_is_the_manifest(tmp_path, db):
    write_model(db, [row("a", ts(2026, 10, 1))])
    code, out, _ = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "o"), "--json")
    assert code == 0 and json.loads(out) == manifest(tmp_path / "o", "2026-10")


def test_sort_orders_by_event_time_then_order_id(tmp_path, db):
    write_model(db, [row("b", ts(2026, 10, 2)), row("c", ts(2026, 10, 1)), row("a", ts(2026, 10, 2))])
    run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "stored"))
    assert order_ids(tmp_path / "stored", "2026-10") == ["b", "c", "a"]
    run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "sorted"), "--sort")
    assert order_ids(tmp_path / "sorted", "2026-10") == ["c", "a", "b"]
    assert manifest(tmp_path / "sorted", "2026-10")["row_order"].startswith("event_time, order_id")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "o"], "--month YYYY-MM"),
        (["--out", "o", "--since", "2026-10-01"], "both --since and --until"),
        (["--out", "o", "--month", "2026-10", "--since", "2026-10-01"], "not both"),
        (["--out", "o", "--month", "2026-13"], "YYYY-MM"),
    ],
)
def test_usage_errors(tmp_path, db, argv, message):
    write_model(db, [])
    code, _, err = run_cli("--duckdb", str(db), *argv)
    assert code == ExitCode.USAGE and message in err


def test_pointing_at_the_api_model_is_refused_clearly(tmp_path):
    import duckdb

    db = tmp_path / "m.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table pinterest_conversions as select 1::bigint as event_time, ['x']::varchar[] as em")
    con.execute("insert into pinterest_conversions values (1790812900, [])")
    con.close()
    code, _, err = run_cli("--duckdb", str(db), "--table", "pinterest_conversions", "--month", "2026-10",
                           "--out", str(tmp_path / "o"))
    assert code == ExitCode.USAGE and "pinterest_conversions_csv" in err


@pytest.mark.parametrize(("text", "value"), [("4900000000", 4_900_000_000), ("4.9GB", 4_900_000_000),
                                             ("500MB", 500_000_000), ("1GiB", 2**30), ("64k", 64_000)])
def test_size_option(text, value):
    from pinexport.commands.csv import parse_size

    assert parse_size(text) == value


def test_error_mid_stream_on_duckdb_stops_cleanly(tmp_path, db):
    rows = [row(f"o{i}", ts(2026, 10, 2) + i) for i in range(40)]
    rows[25]["order_id"] = "x" * 400
    write_model(db, rows)
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "o"),
                           "--max-bytes", "400", "--batch-size", "7")
    assert code == ExitCode.DATA and "row 26 of the export is" in err
    assert list((tmp_path / "o").iterdir()) == []


def test_a_view_is_read_through_the_source_reader(tmp_path, db):
    import duckdb

    write_model(db, [row("b", ts(2026, 10, 2)), row("a", ts(2026, 10, 1))], table="events")
    con = duckdb.connect(str(db))
    con.execute("create view pinterest_conversions_csv as select * from events")
    con.close()
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "o"), "--sort")
    assert code == 0, err
    assert order_ids(tmp_path / "o", "2026-10") == ["a", "b"]
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "p"))
    assert code == 0, err
    assert sorted(order_ids(tmp_path / "p", "2026-10")) == ["a", "b"]


def test_output_path_that_is_a_file_is_a_usage_error(tmp_path, db):
    write_model(db, [row("a", ts(2026, 10, 1))])
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "file"))
    assert code == ExitCode.USAGE and "not a directory" in err
    code, _, err = run_cli("--duckdb", str(db), "--month", "2026-10", "--out", str(tmp_path / "file" / "sub"))
    assert code == ExitCode.USAGE and "cannot write the CSV files" in err


def test_missing_model_is_a_clear_source_error(tmp_path):
    code, _, err = run_cli("--duckdb", str(tmp_path / "none.duckdb"), "--month", "2026-10", "--out", str(tmp_path))
    assert code == ExitCode.USAGE and "does not exist" in err
