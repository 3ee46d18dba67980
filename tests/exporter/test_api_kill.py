"""kill -9 in the middle of a run, then a rerun: nothing lost, duplicates only from requests in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from api_factory import ACCOUNT, TOKEN

from pinexport.sandbox import Faults, Sandbox

BATCH = 200
CONCURRENCY = 3


def start_export(model_path, state_dir, url, tmp_path) -> subprocess.Popen:
    env = dict(os.environ, PINTEREST_ACCESS_TOKEN=TOKEN, PINTEREST_API_BASE_URL=url)
    return subprocess.Popen(
        [sys.executable, "-m", "pinexport", "api", "--ad-account-id", ACCOUNT, "--duckdb", str(model_path),
         "--state-dir", str(state_dir), "--rejects", str(tmp_path / "rejects.csv"), "--batch-size", str(BATCH),
         "--concurrency", str(CONCURRENCY)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_until(predicate, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


def test_kill_9_mid_run_then_rerun(model, state_dir, tmp_path):
    n = 6000
    model.synthetic(n)
    with Sandbox(token=TOKEN, seed=9, faults=Faults(slow=1.0, slow_seconds=0.15), validate_sample=0.0) as sb:
        proc = start_export(model.path, state_dir, sb.url, tmp_path)
        wait_until(lambda: sb.stats()["accepted_requests"] >= 6)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        killed_at = len(sb.accepted_event_ids())
        assert 0 < killed_at < n  # really killed in the middle
        sb.set_faults(Faults())
        rerun = start_export(model.path, state_dir, sb.url, tmp_path)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        time.sleep(0.3)  # let the sandbox finish requests the killed process left behind
        accepted = sb.accepted_event_ids()
    assert len(accepted) == n  # every eligible event accepted
    duplicates = sum(c - 1 for c in accepted.values())
    print(f"killed after {killed_at} accepted events; {duplicates} duplicates")
    assert duplicates <= CONCURRENCY * BATCH  # only requests in flight at the kill are sent twice
    assert "re-sent" in out or duplicates == 0


def test_ctrl_c_stops_and_acknowledges_what_was_answered(model, state_dir, tmp_path):
    from pinexport.ledger import Ledger

    model.synthetic(5000)
    with Sandbox(token=TOKEN, seed=9, faults=Faults(slow=1.0, slow_seconds=0.2), validate_sample=0.0) as sb:
        proc = start_export(model.path, state_dir, sb.url, tmp_path)
        wait_until(lambda: sb.stats()["accepted_requests"] >= 3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "interrupted" in err
        time.sleep(0.3)  # let the sandbox finish anything still in flight
        accepted = sb.accepted_event_ids()
    with Ledger(state_dir / f"ledger-{ACCOUNT}.sqlite3") as led:
        counts = led.counts()
    # every request answered before the process exited is acknowledged; nothing is left marked in flight
    assert counts["open_batches"] == 0 and counts["processed"] == len(accepted) < 5000
