"""Run the sandbox in a separate process (e.g. to `kill -9` the exporter without touching the sandbox, or to
measure the exporter without sharing its interpreter). The token goes through the environment, never argv."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections import Counter
from pathlib import Path
from typing import Sequence

from pinexport.sandbox.record import RecordedRequest, accepted_event_ids, load_record

TOKEN_ENV = "PINEXPORT_SANDBOX_TOKEN"


class SandboxProcess:
    """`python -m pinexport.sandbox` as a child process; a context manager.

    `args` are extra CLI options (e.g. ["--fail-5xx", "0.1", "--seed", "1"]). The record file defaults to a
    fresh temporary file; `record` re-reads it (the child flushes each line before answering). The temporary
    directory (log, port file, default record) is removed when the object is garbage-collected.
    """

    def __init__(
        self,
        token: str,
        args: Sequence[str] = (),
        *,
        record_path: str | os.PathLike | None = None,
        host: str = "127.0.0.1",
        startup_timeout: float = 60.0,
        python: str = sys.executable,
    ) -> None:
        if not token:
            raise ValueError("the sandbox needs a non-empty token")
        self._token = token
        self._args = list(args)
        self._host = host
        self._startup_timeout = startup_timeout
        self._python = python
        self._dir = Path(tempfile.mkdtemp(prefix="pinexport-sandbox-"))
        # the log, port file and default record stay readable after stop(); the directory goes with the object
        # (or at interpreter exit)
        self._remove_dir = weakref.finalize(self, shutil.rmtree, str(self._dir), True)
        self.record_path = Path(record_path) if record_path is not None else self._dir / "accepted.ndjson"
        self.log_path = self._dir / "sandbox.log"
        self._proc: subprocess.Popen | None = None
        self.port: int | None = None

    def start(self) -> "SandboxProcess":
        port_file = self._dir / "port"
        env = {**os.environ, TOKEN_ENV: self._token}
        cmd = [self._python, "-m", "pinexport.sandbox", "--host", self._host, "--port", "0",
               "--port-file", str(port_file), "--token-env", TOKEN_ENV, "--record", str(self.record_path),
               *self._args]
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + self._startup_timeout
        while not port_file.exists():
            if self._proc.poll() is not None:
                raise RuntimeError(f"the sandbox exited with {self._proc.returncode}: {self.log()}")
            if time.monotonic() > deadline:
                self._proc.kill()
                raise RuntimeError(f"the sandbox did not start within {self._startup_timeout:g} s: {self.log()}")
            time.sleep(0.05)
        self.port = int(port_file.read_text())
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Signal the child and wait; returns its exit code (0 after SIGTERM/SIGINT)."""
        if self._proc is None:
            return 0
        if self._proc.poll() is None:
            self._proc.send_signal(sig)
            try:
                self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        return self._proc.returncode

    def __enter__(self) -> "SandboxProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the sandbox is not running")
        host = self._host.strip("[]")
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def record(self) -> list[RecordedRequest]:
        return load_record(self.record_path) if self.record_path.exists() else []

    def accepted_event_ids(self, include_test: bool = False) -> Counter:
        return accepted_event_ids(self.record, include_test=include_test)

    def log(self) -> str:
        """The child's stdout+stderr so far (never holds the token)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
