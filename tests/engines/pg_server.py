"""A throwaway PostgreSQL server for the engine tests: initdb into a temp dir, loopback only, a free port.

PostgreSQL refuses to run as root, so when the tests run as root (CI) the server runs as the `postgres` system
user (created by the Debian package) via `runuser`. Unix sockets are disabled; clients connect over TCP to
127.0.0.1 with a random password (scram-sha-256), which never leaves this process except in the pwfile that
initdb reads (deleted right after).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pinexport.processes import pid_alive

BINDIR_ENV = "PINTEREST_PG_BINDIR"
DIR_PREFIX = "pinexport-pg-"
OWNER_FILE = "owner.pid"  # the pid of the process that started the server, for sweep_stale_servers


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """Directory holding initdb, pg_ctl and postgres: $PINTEREST_PG_BINDIR, the newest Debian install, or PATH."""
    if os.environ.get(BINDIR_ENV):
        return Path(os.environ[BINDIR_ENV])
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/postgres and pg_ctl on PATH). "
        "Run `bash scripts/test.sh` as root on Debian (it installs the `postgresql` package), install it "
        f"yourself, or set {BINDIR_ENV}."
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """Start with `.start()`, stop with `.stop()` (idempotent); or use as a context manager."""

    bindir: Path = field(default_factory=find_bindir)
    user: str = "pinexport"
    dbname: str = "pinterest"
    host: str = "127.0.0.1"
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)
    base_dir: Path | None = None
    _run_as: str | None = None
    _started: bool = False

    @property
    def data_dir(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "data"

    @property
    def uri(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.dbname}"

    def env(self) -> dict[str, str]:
        """The environment variables profiles.example.yml's `postgres` target reads."""
        return {
            "PINTEREST_PG_HOST": self.host,
            "PINTEREST_PG_PORT": str(self.port),
            "PINTEREST_PG_USER": self.user,
            "DBT_ENV_SECRET_PINTEREST_PG_PASSWORD": self.password,
            "PINTEREST_PG_DBNAME": self.dbname,
        }

    def _cmd(self, *args: str) -> list[str]:
        if self._run_as:
            return ["runuser", "-u", self._run_as, "--", *args]
        return list(args)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run(self._cmd(*args), capture_output=True, text=True, cwd=self.base_dir)
        if proc.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def start(self) -> "PostgresServer":
        if self._started:
            return self
        sweep_stale_servers(self.bindir)
        self.base_dir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
        (self.base_dir / OWNER_FILE).write_text(f"{os.getpid()}\n")
        if os.geteuid() == 0:
            self._run_as = "postgres" if _user_exists("postgres") else "nobody"
            entry = pwd.getpwnam(self._run_as)
            os.chown(self.base_dir, entry.pw_uid, entry.pw_gid)
        os.chmod(self.base_dir, 0o700)
        pwfile = self.base_dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._run_as:
            entry = pwd.getpwnam(self._run_as)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        pwfile.chmod(0o600)
        try:
            self._run(
                str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", self.user, f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--encoding=UTF8",
                "--locale=C.UTF-8", "--no-sync",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        last_error: Exception | None = None
        for _ in range(3):  # the free port may be taken between probing and binding
            self.port = self.port or free_port()
            options = (
                f"-c listen_addresses={self.host} -c port={self.port} -c unix_socket_directories='' "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20 "
                "-c shared_buffers=128MB"
            )
            try:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.base_dir / "server.log"),
                    "-o", options, "-w", "-t", "60", "start",
                )
                self._started = True
                break
            except RuntimeError as exc:
                last_error = exc
                self.port = 0
        if not self._started:
            log = (self.base_dir / "server.log").read_text(errors="replace")[-2000:]
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start: {last_error}\n{log}")
        self._create_database()
        return self

    def _create_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    host=self.host, port=self.port, user=self.user, password=self.password, dbname="postgres",
                    autocommit=True,
                ) as con:
                    con.execute(f'create database "{self.dbname}"')
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def connect(self, **kwargs):
        import psycopg

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=self.dbname, **kwargs
        )

    def stop(self) -> None:
        if self.base_dir is None:
            return
        if self._started:
            subprocess.run(
                self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"),
                capture_output=True,
                cwd=self.base_dir,
            )
            self._started = False
        shutil.rmtree(self.base_dir, ignore_errors=True)
        self.base_dir = None

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def sweep_stale_servers(bindir: Path, tmp: Path | None = None) -> list[Path]:
    """Stop and remove the throwaway servers whose owning process is gone (a test run killed with SIGKILL
    never reaches stop()). A directory whose owner is alive, or that has no owner file, is left alone.
    Returns the directories removed."""
    removed = []
    for base in sorted(Path(tmp or tempfile.gettempdir()).glob(f"{DIR_PREFIX}*")):
        try:
            owner = int((base / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue
        if pid_alive(owner):
            continue
        data = base / "data"
        if (data / "postmaster.pid").exists():
            command = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            if os.geteuid() == 0:
                command = ["runuser", "-u", base.owner(), "--", *command]
            subprocess.run(command, capture_output=True, cwd=base)
        shutil.rmtree(base, ignore_errors=True)
        removed.append(base)
    return removed


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
