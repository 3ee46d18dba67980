"""pinexport api: events/s against the sandbox (own process, faults off, validation sampled) and peak RSS.

Writes a synthetic `pinterest_conversions` model (exact contract schema, tests/exporter/api_factory.py) into a
temporary DuckDB file, starts `pinexport sandbox` as a separate process, runs `pinexport api` as another process
and reads its summary (--json) and its own peak RSS (os.wait4 rusage of that one child). Optionally repeats the
run at a larger size only for memory, and measures the payload-building step alone (columnar vs a per-event
Python dict loop) on a sample.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
ACCOUNT = "549755885175"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--events", type=int, default=1_000_000, help="events for the throughput run (default 1M)")
    p.add_argument("--memory-events", type=int, default=0,
                   help="also run once at this size for peak RSS (e.g. 10000000; 0 = skip)")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--rate-limit", type=float, default=5000.0,
                   help="exporter's calls/minute (default 5000, Pinterest's limit)")
    p.add_argument("--validate-sample", type=float, default=0.002,
                   help="share of requests the sandbox validates against the full JSON Schema (default 0.2%%: "
                   "one full validation of 1,000 events costs 0.4-0.9 s of sandbox CPU)")
    p.add_argument("--payload-sample", type=int, default=100_000,
                   help="events for the columnar-vs-dict-loop payload comparison (0 = skip)")
    p.add_argument("--workdir", help="keep files here instead of a temporary directory")


def run(args: argparse.Namespace) -> dict:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-api-"))
    work.mkdir(parents=True, exist_ok=True)
    # a reused --workdir must not carry an earlier run's ledger: it would grow with every run and skew the figures
    for state in ("state-1", "state-big"):
        shutil.rmtree(work / state, ignore_errors=True)
    now = int(time.time())
    figures: dict = {"events": args.events, "concurrency": args.concurrency, "batch_size": args.batch_size,
                     "rate_limit_per_minute": args.rate_limit, "sandbox_validate_sample": args.validate_sample}
    db = work / "model.duckdb"
    t = time.perf_counter()
    _write_model(db, args.events, now)
    figures["model_write_seconds"] = round(time.perf_counter() - t, 1)
    with _sandbox(work, args.validate_sample) as sb:
        cpu0 = sb.cpu_seconds()
        figures.update(_export(db, work / "state-1", sb.url, args, "run"))
        figures["run_sandbox_cpu_seconds"] = round(sb.cpu_seconds() - cpu0, 1)
        figures.update(_cpu_projection(figures, "run"))
        # a second run over the same model: everything is already in the ledger
        figures.update(_export(db, work / "state-1", sb.url, args, "rerun"))
    if args.memory_events:
        big = work / "model-big.duckdb"
        _write_model(big, args.memory_events, now)
        with _sandbox(work, args.validate_sample) as sb:
            res = _export(big, work / "state-big", sb.url, args, "big")
        figures.update({"memory_events": args.memory_events, **res})
        big.unlink(missing_ok=True)
    if args.payload_sample:  # last: it loads data into this process, whose forks are the measured processes
        figures.update(_payload_compare(db, min(args.payload_sample, args.events)))
    return figures


def _write_model(path: Path, n: int, now: int) -> None:
    """In a child process: DuckDB's memory for writing must not count in this process, whose forks become the
    measured exporter processes (a fork's peak RSS includes the parent's pages until exec)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from api_factory import write_synthetic; "
        "write_synthetic(sys.argv[2], int(sys.argv[3]), now=int(sys.argv[4]))"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT / "tests" / "exporter"), str(path), str(n), str(now)],
                   check=True)


class _sandbox:
    def __init__(self, work: Path, validate_sample: float) -> None:
        self.work = work
        self.validate_sample = validate_sample

    def cpu_seconds(self) -> float:
        """utime + stime of the sandbox process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> "_sandbox":
        port_file = self.work / "sandbox.port"
        port_file.unlink(missing_ok=True)
        env = dict(os.environ, PINTEREST_ACCESS_TOKEN=TOKEN)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pinexport", "sandbox", "--port", "0", "--port-file", str(port_file),
             "--rate-limit", "100000000", "--validate-sample", str(self.validate_sample)],
            env=env, stdout=subprocess.DEVNULL, stderr=open(self.work / "sandbox.log", "w"),
        )
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"sandbox did not start; see {self.work / 'sandbox.log'}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{port_file.read_text().strip()}"
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _export(db: Path, state: Path, url: str, args, label: str) -> dict:
    env = dict(os.environ, PINTEREST_ACCESS_TOKEN=TOKEN, PINTEREST_API_BASE_URL=url)
    cmd = [sys.executable, "-m", "pinexport", "api", "--ad-account-id", ACCOUNT, "--duckdb", str(db),
           "--state-dir", str(state), "--rejects", str(state / "rejects.csv"), "--json",
           "--concurrency", str(args.concurrency), "--batch-size", str(args.batch_size),
           "--rate-limit", str(args.rate_limit)]
    out_path = state.parent / f"{label}.json"
    t = time.perf_counter()
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"pinexport api exited {proc.returncode}: {err[-2000:]}")
    summary = json.loads(out_path.read_text())
    sent = summary["processed"] + summary["failed_total"]
    return {
        f"{label}_exit_code": proc.returncode,
        f"{label}_processed": summary["processed"],
        f"{label}_already_sent": summary["already_sent_total"],
        f"{label}_requests": summary["requests"],
        f"{label}_retries": summary["retries"],
        f"{label}_elapsed_seconds": summary["elapsed_seconds"],
        f"{label}_wall_seconds": round(wall, 2),
        f"{label}_events_per_second": round(sent / summary["elapsed_seconds"]) if sent else 0,
        f"{label}_events_per_second_wall": round(sent / wall) if sent else 0,
        f"{label}_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        f"{label}_exporter_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        f"{label}_load_average_after": round(os.getloadavg()[0], 1),
    }


def _cpu_projection(f: dict, label: str) -> dict:
    """The throughput the measured CPU work would allow if exporter and sandbox had the 2 cores to themselves
    ((exporter + sandbox CPU seconds) / 2 of wall time): an estimate, reported next to the wall-clock figure
    because the benchmark machine is shared and its wall clock depends on everyone else's load."""
    events = f[f"{label}_processed"]
    exporter, sandbox = f[f"{label}_exporter_cpu_seconds"], f[f"{label}_sandbox_cpu_seconds"]
    return {
        f"{label}_exporter_cpu_us_per_event": round(exporter / events * 1e6, 1) if events else None,
        f"{label}_sandbox_cpu_us_per_event": round(sandbox / events * 1e6, 1) if events else None,
        f"{label}_events_per_second_if_2_idle_cores": round(events / ((exporter + sandbox) / 2)) if events else None,
    }


def _payload_compare(db: Path, n: int) -> dict:
    """Build n events' JSON columnar (what pinexport does) and with a per-event dict loop + json.dumps."""
    import polars as pl

    from pinexport import payloads, source

    spec = source.resolve_source(duckdb_path=str(db))
    frames = []
    rows = 0
    for df in source.read_batches(spec, batch_size=50_000):
        frames.append(payloads.normalize_frame(df.head(n - rows)))
        rows += frames[-1].height
        if rows >= n:
            break
    t = time.perf_counter()
    for df in frames:
        payloads.event_json(df)
    columnar = time.perf_counter() - t
    t = time.perf_counter()
    for df in frames:
        [json.dumps(_as_dict(r), separators=(",", ":")) for r in df.iter_rows(named=True)]
    loop = time.perf_counter() - t
    del pl
    return {"payload_sample_events": rows, "payload_columnar_events_per_second": round(rows / columnar),
            "payload_dict_loop_events_per_second": round(rows / loop)}


def _as_dict(r: dict) -> dict:
    from pinexport import payloads as P

    def clean(d):
        return {k: v for k, v in d.items() if v is not None and v != [] and v != ""}

    ev = clean({k: r.get(k) for k in P.TOP_STRINGS + P.TOP_INTS + P.TOP_BOOLS})
    ev["user_data"] = clean({k: r.get(k) for k in P.USER_LISTS + P.USER_STRINGS})
    custom = clean({k: r.get(k) for k in P.CUSTOM_STRINGS + P.CUSTOM_INTS + P.CUSTOM_LISTS})
    if r.get("contents"):
        custom["contents"] = [clean(c) for c in r["contents"]]
    ev["custom_data"] = custom
    return ev
