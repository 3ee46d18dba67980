"""The throwaway PostgreSQL server does not outlive a test run killed with SIGKILL for longer than the next start."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from engine_harness import engine_unavailable

HERE = Path(__file__).resolve().parent

# a child process starts a server and is then killed before it can stop it, as a SIGKILLed pytest would be
START_AND_WAIT = f"""
import sys, time
sys.path.insert(0, {str(HERE)!r})
from pg_server import PostgresServer
server = PostgresServer().start()
print(server.base_dir, server.port, flush=True)
time.sleep(600)
"""


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def test_a_server_whose_owner_was_killed_is_stopped_and_removed_by_the_sweep():
    from pg_server import PostgresUnavailable, find_bindir, sweep_stale_servers

    try:
        bindir = find_bindir()
    except PostgresUnavailable as exc:
        engine_unavailable(str(exc))
    pytest.importorskip("psycopg")
    child = subprocess.Popen([sys.executable, "-c", START_AND_WAIT], stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line, "the child did not start a server"
        base, port = Path(line.split()[0]), int(line.split()[1])
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert accepts_connections(port), "the orphaned server should still be up before the sweep"

    removed = sweep_stale_servers(bindir)

    assert base in removed
    assert not base.exists()
    assert not accepts_connections(port)


def test_the_sweep_leaves_a_live_owners_server_alone(postgres_server):
    from pg_server import sweep_stale_servers

    removed = sweep_stale_servers(postgres_server.bindir)

    assert postgres_server.base_dir not in removed
    assert postgres_server.base_dir.exists()
    with postgres_server.connect() as con:
        assert con.execute("select 1").fetchone() == (1,)
