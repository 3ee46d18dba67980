"""`pinexport api` where a careless implementation loses or doubles events: answers cut off mid-body, two runs on
one ledger, duplicate event_ids in different chunks, secrets in URIs, unexpected errors."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from api_factory import ACCOUNT, NOW, TOKEN, event

from pinexport import api, cli, ledger as ledger_mod, source
from pinexport.console import Console
from pinexport.delivery import RetryPolicy
from pinexport.errors import ExitCode
from pinexport.ledger import Ledger, LedgerBusyError


class _CutOffAnswers(BaseHTTPRequestHandler):
    """Answers 200 and announces a body, then closes the connection after a few bytes of it: Pinterest may well
    have processed the request. The first `cut` requests are cut off; later ones get a proper answer."""

    protocol_version = "HTTP/1.1"
    cut = 0
    calls: list[int] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        events = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["data"]
        type(self).calls.append(len(events))
        if len(type(self).calls) <= type(self).cut:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"num_events_received": 3, "events": [')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        body = json.dumps({"num_events_received": len(events), "num_events_processed": len(events),
                           "events": [{"status": "processed", "error_message": None, "warning_message": None}
                                      for _ in events]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def cut_off_server():
    handler = type("Handler", (_CutOffAnswers,), {"calls": [], "cut": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def options(model, state_dir, url, **kw) -> api.ApiOptions:
    return api.ApiOptions(
        ad_account_id=ACCOUNT, source=source.SourceSpec(duckdb_path=str(model.path)), token=TOKEN, base_url=url,
        state_dir=state_dir, policy=RetryPolicy(max_retries=kw.pop("max_retries", 3), backoff_base=0.01,
                                                backoff_max=0.02), **kw,
    )


def test_an_answer_cut_off_mid_body_is_retried_not_recorded_as_failed(model, state_dir, cut_off_server):
    server, handler = cut_off_server
    model.events([event(i, NOW - 3600 - i) for i in range(3)])
    url = f"http://127.0.0.1:{server.server_port}"
    handler.cut = 2  # two cut-off answers, then a good one: retried within the run

    summary = api.send_events(options(model, state_dir, url))

    assert handler.calls == [3, 3, 3]
    assert summary.processed == 3 and not summary.failed and summary.exit_code() == ExitCode.OK


def test_answers_cut_off_past_every_retry_leave_the_events_for_the_next_run(model, state_dir, cut_off_server):
    server, handler = cut_off_server
    model.events([event(i, NOW - 3600 - i) for i in range(3)])
    url = f"http://127.0.0.1:{server.server_port}"
    handler.cut = 10**6

    first = api.send_events(options(model, state_dir, url, max_retries=1))
    assert first.exit_code() == ExitCode.GAVE_UP and first.not_sent == 3 and not first.failed

    handler.cut = 0
    second = api.send_events(options(model, state_dir, url))
    assert second.processed == 3 and second.exit_code() == ExitCode.OK


def test_a_second_run_on_the_same_ledger_stops_before_sending(model, state_dir):
    model.events([event(i, NOW - 3600 - i) for i in range(3)])
    path = ledger_mod.ledger_path(state_dir, ACCOUNT)
    with Ledger(path):  # a run in progress
        with pytest.raises(LedgerBusyError, match="another pinexport run"):
            api.send_events(options(model, state_dir, "http://127.0.0.1:9"))  # nothing listens there
    with Ledger(path):  # the lock went with the first run
        pass


def test_the_cli_says_so_with_exit_2(model, state_dir, run_api):
    model.events([event(0, NOW - 3600)])
    with Ledger(ledger_mod.ledger_path(state_dir, ACCOUNT)):
        run = run_api(base_url="http://127.0.0.1:9")
    assert run.code == ExitCode.USAGE and "another pinexport run" in run.stderr


def test_a_duplicate_event_id_is_rejected_in_every_copy_whatever_the_chunks(model, sandbox, state_dir):
    rows = [event(i, NOW - 3600 - i) for i in range(5)]
    rows.append({**event(5, NOW - 3700), "event_id": rows[0]["event_id"]})  # the last row repeats the first id
    model.events(rows)

    for chunk_rows in (3, 100):  # the copies in different chunks, then in one
        summary = api.send_events(options(model, state_dir / str(chunk_rows), sandbox.url, chunk_rows=chunk_rows))
        assert summary.rejected == {"duplicate_event_id": 2}
        assert summary.processed == 4
    assert rows[0]["event_id"] not in sandbox.accepted_event_ids()


def test_duplicated_values_is_one_query_over_the_window(model):
    rows = [event(i, NOW - 3600 - i) for i in range(4)]
    rows.append({**event(9, NOW - 3700), "event_id": rows[1]["event_id"]})
    rows.append({**event(8, NOW - 30 * 86400), "event_id": rows[2]["event_id"]})  # outside the window
    model.events(rows)
    spec = source.SourceSpec(duckdb_path=str(model.path))

    assert source.duplicated_values(spec, "event_id", since=NOW - 86400).to_list() == [rows[1]["event_id"]]
    assert sorted(source.duplicated_values(spec, "event_id").to_list()) == sorted(
        [rows[1]["event_id"], rows[2]["event_id"]])


def test_a_password_in_the_uri_query_is_never_shown():
    uri = "postgresql://u@127.0.0.1:1/db?sslmode=disable&password=s3cr%40t&application_name=x"
    spec = source.resolve_source(uri=uri, environ={})
    for text in (spec.describe(), repr(spec), source.redact_uri(uri)):
        assert "s3cr" not in text and "password=***" in text
    assert source._redacted(f"cannot connect to {uri} with s3cr@t", uri).count("s3cr") == 0


def test_an_unexpected_error_is_one_line_and_exit_70(model, state_dir, monkeypatch):
    model.events([event(0, NOW - 3600)])

    def boom(*args, **kwargs):
        raise RuntimeError(f"something broke near {TOKEN}")

    from pinexport.commands import api as api_command

    monkeypatch.setattr(api_command, "send_events", boom)
    out, err = [], []
    environ = {"PINTEREST_ACCESS_TOKEN": TOKEN, "PINTEREST_API_BASE_URL": "http://127.0.0.1:9"}  # never contacted
    console = Console(stdout=_Sink(out), stderr=_Sink(err), environ=environ)
    monkeypatch.setenv("PINTEREST_ACCESS_TOKEN", TOKEN)
    code = cli.main(["api", "--ad-account-id", ACCOUNT, "--duckdb", str(model.path), "--state-dir", str(state_dir)],
                    console)
    text = "".join(err)
    assert code == ExitCode.INTERNAL
    assert "internal error (RuntimeError)" in text and TOKEN not in text and "Traceback" not in text


def test_a_rejects_path_that_is_a_directory_is_a_usage_error(model, sandbox, run_api, tmp_path):
    model.events([event(0, NOW - 3600)])
    (tmp_path / "a-directory").mkdir()
    run = run_api("--rejects", str(tmp_path / "a-directory"), base_url=sandbox.url)
    assert run.code == ExitCode.USAGE and "pinexport: error:" in run.stderr


class _Sink:
    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
