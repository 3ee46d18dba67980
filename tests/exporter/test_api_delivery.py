"""`pinexport api` end to end over real loopback HTTP against the sandbox (in-process CLI)."""

from __future__ import annotations

import csv
import json
import socket

from api_factory import event, sha
from api_factory import ACCOUNT, NOW, TOKEN

from pinexport.errors import ExitCode
from pinexport.sandbox import Faults, Sandbox
from pinexport.validate import body_errors

DAY = 86400


def window_rows():
    """5 eligible events, 2 older than 7 days, 1 in the future."""
    rows = [event(i, NOW - 3600 * (i + 1)) for i in range(5)]
    rows += [event(10, NOW - 8 * DAY), event(11, NOW - 30 * DAY), event(12, NOW + 3600)]
    return rows


def summary_of(run) -> dict:
    return json.loads(run.stdout)


def rejects(tmp_path) -> list[dict]:
    with open(tmp_path / "rejects.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_happy_path_sends_each_eligible_event_once_and_reruns_send_nothing(model, sandbox, run_api):
    rows = window_rows()
    model.events(rows)
    first = run_api("--json", base_url=sandbox.url)
    assert first.code == ExitCode.OK, first.stderr
    s = summary_of(first)
    assert s["processed"] == 5 and s["skipped_out_of_window"] == 2 and s["skipped_future"] == 1
    assert s["model_rows"] == 8 and s["reconciled"] is True
    accepted = sandbox.accepted_event_ids()
    assert set(accepted) == {r["event_id"] for r in rows[:5]} and set(accepted.values()) == {1}
    second = run_api("--json", base_url=sandbox.url)
    assert second.code == ExitCode.OK
    assert summary_of(second)["already_sent"] == {"processed": 5} and summary_of(second)["processed"] == 0
    assert sandbox.stats()["accepted_requests"] == 1


def test_incremental_runs_send_exactly_the_new_events(model, sandbox, run_api):
    model.synthetic(2500)
    assert run_api("--batch-size", "300", base_url=sandbox.url).code == ExitCode.OK
    model.synthetic(1200, start=2500)  # replaces the table: the 2500 old ones are gone, 1200 new
    model.synthetic(3700)  # the model now holds old and new events
    run = run_api("--json", "--batch-size", "300", base_url=sandbox.url)
    assert run.code == ExitCode.OK
    assert summary_of(run)["processed"] == 1200 and summary_of(run)["already_sent"] == {"processed": 2500}
    accepted = sandbox.accepted_event_ids()
    assert len(accepted) == 3700 and set(accepted.values()) == {1}


def test_human_summary_and_plain_progress_lines(model, sandbox, run_api):
    model.events(window_rows())
    run = run_api(base_url=sandbox.url)
    assert run.code == ExitCode.OK
    assert "processed:" in run.stdout and "skipped:" in run.stdout and "2 older than the window" in run.stdout
    assert "pinexport: sending" in run.stderr and "\r" not in run.stderr  # not a terminal: plain lines


def test_partial_failures_and_warnings_go_to_the_rejects_file(model, sandbox, run_api, tmp_path, state_dir):
    rows = [event(1, NOW - 60), event(2, NOW - 8 * DAY), event(3, NOW - 60, currency=None),
            event(4, NOW - 60, em=["nothex"])]
    model.events(rows)
    run = run_api("--json", "--window-days", "10", base_url=sandbox.url)
    assert run.code == ExitCode.PARTIAL_FAILURE
    s = summary_of(run)
    assert s["processed"] == 2 and s["failed_total"] == 1 and s["rejected"] == {"invalid_hash_em": 1}
    assert sum(s["warnings"].values()) == 1 and s["reconciled"]
    by_id = {r["event_id"]: r for r in rejects(tmp_path)}
    assert by_id[rows[1]["event_id"]]["status"] == "failed" and by_id[rows[1]["event_id"]]["source"] == "pinterest"
    assert by_id[rows[1]["event_id"]]["order_id"] == "o-2" and by_id[rows[1]["event_id"]]["message"]
    assert by_id[rows[2]["event_id"]]["status"] == "warning"
    assert by_id[rows[3]["event_id"]]["reason"] == "invalid_hash_em" and by_id[rows[3]["event_id"]]["source"] == "local"
    header = open(tmp_path / "rejects.csv").readline().strip()
    assert header == "event_id,order_id,source,status,reason,message"
    # failed events are acknowledged: not re-sent forever, unless asked
    again = run_api("--json", "--window-days", "10", base_url=sandbox.url)
    assert summary_of(again)["already_sent"] == {"processed": 1, "warning": 1, "failed": 1}
    retry = run_api("--json", "--window-days", "10", "--retry-failed", base_url=sandbox.url)
    assert summary_of(retry)["failed_total"] == 1 and sandbox.accepted_event_ids().get(rows[1]["event_id"]) is None


def test_no_skip_invalid_sends_nothing(model, sandbox, run_api):
    model.events([event(i, NOW - 60) for i in range(3)] + [event(9, NOW - 60, event_id=None)])
    run = run_api("--no-skip-invalid", base_url=sandbox.url)
    assert run.code == ExitCode.DATA and "Nothing was sent" in run.stderr
    assert sandbox.stats()["requests"] == 0


def test_429_storm_is_retried_until_everything_is_accepted(model, run_api):
    model.synthetic(3000)
    with Sandbox(token=TOKEN, seed=3, faults=Faults(fail_429=0.6)) as sb:
        run = run_api("--json", "--batch-size", "250", "--max-retries", "40", base_url=sb.url)
        assert run.code == ExitCode.OK, run.stderr
        assert summary_of(run)["retries"] > 0 and summary_of(run)["processed"] == 3000
        accepted = sb.accepted_event_ids()
        assert len(accepted) == 3000 and set(accepted.values()) == {1}
        assert sb.stats()["answers"]["429"] > 0


def test_retry_after_is_honoured(model, state_dir):
    """A 429 with Retry-After: the backoff waits what the header says, not the (tiny) jittered backoff."""
    from pinexport.api import ApiOptions, send_events
    from pinexport.delivery import RetryPolicy
    from pinexport.source import resolve_source

    model.synthetic(500)
    waits: list[float] = []
    with Sandbox(token=TOKEN, seed=3, faults=Faults(script=("429",)), retry_after=1) as sb:
        opts = ApiOptions(ad_account_id=ACCOUNT, source=resolve_source(duckdb_path=str(model.path)), token=TOKEN,
                          base_url=sb.url, state_dir=state_dir, policy=RetryPolicy(backoff_base=0.01, backoff_max=0.05))
        summary = send_events(opts, sleep=waits.append)
    assert summary.processed == 500 and summary.retries == 1
    assert waits == [1.0]


def test_5xx_and_dropped_connections_lose_nothing(model, run_api):
    model.synthetic(4000)
    with Sandbox(token=TOKEN, seed=5, faults=Faults(fail_5xx=0.3, drop=0.2)) as sb:
        run = run_api("--json", "--batch-size", "200", "--max-retries", "30", base_url=sb.url)
        assert run.code == ExitCode.OK, run.stderr
        accepted = sb.accepted_event_ids()
        assert len(accepted) == 4000
        # duplicates only where the sandbox processed a request and then dropped the connection
        dropped_after = sum(len(r.events) for r in sb.record if r.answer_dropped)
        assert sum(n - 1 for n in accepted.values()) <= dropped_after


def test_slow_answers_and_timeouts(model, run_api):
    model.synthetic(1200)
    with Sandbox(token=TOKEN, seed=5, faults=Faults(slow=0.5, slow_seconds=0.3)) as sb:
        run = run_api("--json", "--batch-size", "100", base_url=sb.url)
        assert run.code == ExitCode.OK and len(sb.accepted_event_ids()) == 1200
    # validation off: a fully validated 1000-event request alone may take longer than the short timeout here
    with Sandbox(token=TOKEN, faults=Faults(script=("slow",), slow_seconds=4.0), validate_sample=0.0) as sb:
        # the first answer takes longer than --timeout: retried, then accepted
        run = run_api("--json", "--resend", "--batch-size", "1000", "--timeout", "1.5", base_url=sb.url)
        assert run.code == ExitCode.OK and summary_of(run)["retries"] >= 1
        assert len(sb.accepted_event_ids()) == 1200


def test_401_stops_the_run_at_once(model, sandbox, run_api):
    model.synthetic(5000)
    run = run_api("--json", "--batch-size", "100", base_url=sandbox.url, token="wrong-token")
    assert run.code == ExitCode.AUTH
    assert "refused the access token" in run.stderr and "PINTEREST_ACCESS_TOKEN" in run.stderr
    assert sandbox.stats()["accepted_requests"] == 0
    assert sandbox.stats()["requests"] <= 4  # only what was in flight (default --concurrency 4)
    s = summary_of(run)
    assert s["not_sent"] == 5000 and s["reconciled"]
    # the right token afterwards sends everything
    assert run_api(base_url=sandbox.url).code == ExitCode.OK
    assert len(sandbox.accepted_event_ids()) == 5000


def test_403_is_an_auth_failure(model, run_api):
    model.events([event(1, NOW - 60)])
    with Sandbox(token=TOKEN, forbidden_ad_accounts=(ACCOUNT,)) as sb:
        run = run_api(base_url=sb.url)
        assert run.code == ExitCode.AUTH and "HTTP 403" in run.stderr


def test_terminal_answers_are_not_retried(model, sandbox, run_api, tmp_path):
    model.events([event(i, NOW - 60) for i in range(3)])
    run = run_api("--json", base_url=sandbox.url + "/wrong-prefix")  # the sandbox answers 404
    assert run.code == ExitCode.PARTIAL_FAILURE
    s = summary_of(run)
    assert s["retries"] == 0 and s["failed_total"] == 3 and list(s["failed"]) == ["HTTP 404: " + list(
        s["failed"])[0].split(": ", 1)[1]]
    assert {r["reason"] for r in rejects(tmp_path)} == {"http_404"}


def test_gave_up_after_the_retry_budget_then_a_rerun_completes(model, run_api):
    model.synthetic(2000)
    with Sandbox(token=TOKEN, faults=Faults(fail_5xx=1.0)) as sb:
        run = run_api("--json", "--max-retries", "2", "--batch-size", "500", base_url=sb.url)
        assert run.code == ExitCode.GAVE_UP and summary_of(run)["not_sent"] == 2000
        sb.set_faults(Faults())
        assert run_api("--batch-size", "500", base_url=sb.url).code == ExitCode.OK
        assert len(sb.accepted_event_ids()) == 2000


def test_test_events_flag(model, sandbox, run_api):
    model.events([event(1, NOW - 60)])
    assert run_api("--test-events", base_url=sandbox.url).code == ExitCode.OK
    assert [r.test for r in sandbox.record] == [True]


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_dry_run_does_no_network_and_writes_valid_bodies(model, run_api, tmp_path, state_dir):
    model.synthetic(2100)
    out = tmp_path / "payloads.ndjson"
    run = run_api("--dry-run", "--dry-run-output", str(out), "--batch-size", "1000",
                  base_url=f"http://127.0.0.1:{closed_port()}")
    assert run.code == ExitCode.OK, run.stderr
    bodies = [json.loads(line) for line in out.read_text().splitlines()]
    assert [len(b["data"]) for b in bodies] == [1000, 1000, 100]
    assert all(body_errors(json.dumps(b)) is None for b in bodies)
    assert not state_dir.exists()  # ledger untouched
    stdout_run = run_api("--dry-run", base_url="http://127.0.0.1:9")
    assert stdout_run.code == ExitCode.OK and len(stdout_run.stdout.splitlines()) == 3
    assert "would send" in stdout_run.stderr


def test_usage_errors(model, run_api, tmp_path):
    model.events([event(1, NOW - 60)])
    assert run_api(base_url="http://example.com").code == ExitCode.USAGE
    assert run_api("--batch-size", "1001", base_url="https://api.pinterest.com").code == ExitCode.USAGE
    assert run_api(base_url="https://api.pinterest.com", token=None).code == ExitCode.USAGE
    r = run_api("--token-file", str(tmp_path / "missing"), base_url="https://api.pinterest.com", token=None)
    assert r.code == ExitCode.USAGE and "token-file" in r.stderr


def test_token_never_written_anywhere(model, sandbox, run_api, tmp_path, capsys):
    secret = "pina_SECRET-do-not-leak-42"
    token_file = tmp_path / "token.txt"
    token_file.write_text(secret + "\n")
    model.events([event(i, NOW - 60) for i in range(3)] + [event(9, NOW - 60, em=["bad"])])
    outputs = []
    with Sandbox(token=secret) as sb:
        for extra in (["--json"], [], ["--dry-run", "--dry-run-output", str(tmp_path / "dry.ndjson")]):
            r = run_api("--token-file", str(token_file), *extra, base_url=sb.url, token=None)
            outputs += [r.stdout, r.stderr]
    # a refused token appears in no message either
    r = run_api("--token-file", str(token_file), "--resend", base_url=sandbox.url, token=None)
    assert r.code == ExitCode.AUTH
    outputs += [r.stdout, r.stderr]
    help_run = run_api("--help", base_url=sandbox.url)
    outputs.append(help_run.stdout)
    assert "--token-file" in capsys.readouterr().out
    for text in outputs:
        assert secret not in text
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != token_file]
    assert any(p.suffix == ".sqlite3" for p in written) and any(p.name == "rejects.csv" for p in written)
    for path in written:
        assert secret.encode() not in path.read_bytes(), path


def test_parquet_source_with_json_text_contents(model, sandbox, run_api, tmp_path):
    """A warehouse unload: Parquet files where contents is JSON text (engines without struct arrays)."""
    import duckdb

    rows = [event(i, NOW - 600) for i in range(40)]
    model.events(rows)
    con = duckdb.connect(str(model.path))
    con.execute("create table unload as select * replace (to_json(contents)::varchar as contents) "
                "from pinterest_conversions")
    (tmp_path / "unload").mkdir()
    con.execute(f"copy unload to '{tmp_path / 'unload' / 'part-0.parquet'}' (format parquet)")
    con.close()
    run = run_api("--json", "--parquet", str(tmp_path / "unload" / "*.parquet"), "--duckdb", "",
                  base_url=sandbox.url)
    assert run.code == ExitCode.OK, run.stderr
    assert summary_of(run)["processed"] == 40
    assert set(sandbox.accepted_event_ids()) == {r["event_id"] for r in rows}


def test_event_ids_that_are_not_hashes_are_tracked_too(model, sandbox, run_api):
    rows = [event(1, NOW - 60, event_id='plain "quoted" id'), event(2, NOW - 60, event_id="id-2")]
    model.events(rows)
    assert run_api(base_url=sandbox.url).code == ExitCode.OK
    again = run_api("--json", base_url=sandbox.url)
    assert summary_of(again)["already_sent"] == {"processed": 2}
    assert sandbox.accepted_event_ids() == {'plain "quoted" id': 1, "id-2": 1}


def test_library_entry_with_an_injected_clock(model, sandbox, state_dir):
    """send_events() judges the window against the clock it is given, not the wall clock."""
    from pinexport.api import ApiOptions, send_events
    from pinexport.source import resolve_source

    model.events(window_rows())  # 5 events in the last 5 hours, 2 older than 7 days, 1 an hour ahead
    opts = ApiOptions(ad_account_id=ACCOUNT, source=resolve_source(duckdb_path=str(model.path)), token=TOKEN,
                      base_url=sandbox.url, state_dir=state_dir, dry_run=True)
    later = send_events(opts, now=lambda: NOW + 2 * 3600)  # two hours on: the future event became eligible
    assert later.would_send == 6 and later.skipped_future == 0 and later.skipped_out_of_window == 2
    much_later = send_events(opts, now=lambda: NOW + 30 * DAY)
    assert much_later.would_send == 0 and much_later.skipped_out_of_window == 8
    assert sandbox.stats()["requests"] == 0
