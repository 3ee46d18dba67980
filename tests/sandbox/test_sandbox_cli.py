"""`pinexport sandbox` as a subprocess: port file, startup line without the token, record file, clean exit."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sandbox_helpers import event, post

from pinexport.sandbox import SandboxProcess, load_record

CLI = [sys.executable, "-m", "pinexport", "sandbox"]
SECRET = "cli-secret-token-81f3"


class _Running:
    """Just enough of a Sandbox for `post()`: the URL of the subprocess."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    def events_url(self, account: str) -> str:
        return f"{self.url}/v5/ad_accounts/{account}/events"


def start(tmp_path: Path, *args: str, env_name: str = "SANDBOX_TOKEN") -> tuple[subprocess.Popen, Path]:
    port_file = tmp_path / "sandbox.port"
    env = {**os.environ, env_name: SECRET}
    proc = subprocess.Popen(
        [*CLI, "--port", "0", "--port-file", str(port_file), "--token-env", env_name, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = time.monotonic() + 60
    while not port_file.exists():
        if proc.poll() is not None:
            pytest.fail(f"sandbox exited early: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("sandbox did not write its port file within 60 s")
        time.sleep(0.05)
    return proc, port_file


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_records_and_stops_cleanly(tmp_path, sig):
    record = tmp_path / "accepted.ndjson"
    proc, port_file = start(tmp_path, "--record", str(record), "--rate-limit", "100")
    try:
        text = port_file.read_text()
        assert text.endswith("\n") and text.strip().isdigit()
        sb = _Running(int(text))
        now = int(time.time())  # the subprocess uses the real clock
        r = post(sb, [event(1, event_time=now - 60), event(2, event_time=now - 30 * 86_400)], token=SECRET)
        assert r.status_code == 200
        assert [e["status"] for e in r.json()["events"]] == ["processed", "failed"]
        assert post(sb, [event(3, event_time=now - 60)], token=SECRET, params={"test": "true"}).status_code == 200
        assert post(sb, [event(4)], token="wrong").status_code == 401
        # the record is readable by another process while the sandbox runs
        assert [rec.events[0][0] for rec in load_record(record)] == [event(1)["event_id"], event(3)["event_id"]]
    finally:
        code, out, err = stop(proc, sig)
    assert code == 0, err
    assert "listening on http://127.0.0.1:" in out and "stopped after 3 requests" in out
    assert SECRET not in out + err
    records = load_record(record)
    assert [r.test for r in records] == [False, True]
    assert SECRET not in record.read_text()


def test_cli_fault_options_apply(tmp_path):
    proc, port_file = start(tmp_path, "--fail-5xx", "1", "--seed", "1")
    try:
        sb = _Running(int(port_file.read_text()))
        assert post(sb, [event(1)], token=SECRET).status_code in (500, 503)
    finally:
        code, out, _ = stop(proc)
    assert code == 0 and "5xx 1" in out


def test_cli_needs_the_token_in_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NO_SUCH_TOKEN_VAR"}
    proc = subprocess.run([*CLI, "--token-env", "NO_SUCH_TOKEN_VAR"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 2
    assert "NO_SUCH_TOKEN_VAR" in proc.stderr


def test_cli_refuses_a_non_loopback_host(tmp_path):
    env = {**os.environ, "SANDBOX_TOKEN": SECRET}
    proc = subprocess.run([*CLI, "--token-env", "SANDBOX_TOKEN", "--host", "0.0.0.0"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert "non-loopback" in proc.stderr and SECRET not in proc.stderr + proc.stdout


def test_cli_help_lists_the_options():
    proc = subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for option in ("--port-file", "--token-env", "--record", "--rate-limit", "--fail-5xx", "--fail-429", "--slow",
                   "--slow-seconds", "--drop", "--drop-when", "--seed", "--validate-sample", "--allow-remote"):
        assert option in proc.stdout


def test_sandbox_process_helper_runs_the_module_entry_point(tmp_path):
    record = tmp_path / "r.ndjson"
    with SandboxProcess(SECRET, ["--drop", "1", "--drop-when", "after", "--seed", "2"], record_path=record) as sp:
        now = int(time.time())
        with pytest.raises(requests.ConnectionError):
            post(sp_target(sp), [event(1, event_time=now - 60)], token=SECRET)
        [rec] = sp.record  # processed and recorded although the answer was lost
        assert rec.answer_dropped and sp.accepted_event_ids() == {event(1)["event_id"]: 1}
    assert sp.stop() == 0
    assert SECRET not in sp.log() and "listening on" in sp.log()
    assert load_record(record) == sp.record
    directory = sp.log_path.parent
    assert directory.exists()  # still readable after stop()
    del sp
    gc.collect()
    assert not directory.exists()  # but not left behind in /tmp
    assert record.exists()  # a record file the caller chose is the caller's


def sp_target(sp: SandboxProcess) -> _Running:
    return _Running(sp.port)
