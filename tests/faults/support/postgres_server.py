"""A dedicated PostgreSQL cluster on a free 127.0.0.1 port, for tests that stop, restart or crash it.

The binaries are pgserver's bundled PostgreSQL 16 (a pip dependency, so present on any machine with the project's
dependencies), else the newest ``/usr/lib/postgresql/*/bin``; ``FAULTS_PG_BIN`` names another directory. PostgreSQL
refuses to run as root: as root, the cluster belongs to and runs as the OS user ``pgserver`` (the one pgserver itself
creates and uses), and every ``initdb``/``pg_ctl`` call runs as that user.

Trust authentication, TCP only (no unix socket), ``fsync=off``: the faults here are process crashes, not power
loss, and a committed transaction's WAL is written to the OS before the commit returns, so an immediate shutdown
(or a crashed server) still recovers every commit. Pass ``fsync=True`` to pay for real flushes.

Never touches the machine's own PostgreSQL: its own data directory, its own port, stopped by its own postmaster PID.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Literal, Self

import psycopg
from support.network import free_port

Mode = Literal["smart", "fast", "immediate"]
OS_USER = "pgserver"
START_ATTEMPTS = 3


def postgres_bin_dir() -> Path:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    if os.environ.get("FAULTS_PG_BIN"):
        return Path(os.environ["FAULTS_PG_BIN"])
    # pgserver's own bin directory, found without importing pgserver (its import has side effects).
    spec = importlib.util.find_spec("pgserver")
    for location in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(location) / "pginstall" / "bin"
        if (bundled / "pg_ctl").exists():
            return bundled
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if system:
        return system[-1].parent
    raise RuntimeError("no PostgreSQL binaries: install pgserver or PostgreSQL, or set FAULTS_PG_BIN")


def _os_user() -> str | None:
    """The OS user to run PostgreSQL as (None: the current, non-root, user)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "-s", "/bin/sh", OS_USER], check=True, capture_output=True)
    return OS_USER


def _open_to_others(path: Path) -> None:
    """Let another OS user traverse to ``path`` and read and execute what is in it (the binaries, as root)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if mode & 0o005 != 0o005:
            parent.chmod(mode | 0o055)


class PostgresServer:
    """One PostgreSQL cluster of its own; ``start()`` initialises it on first use. A context manager too."""

    def __init__(self, *, fsync: bool = False, bin_dir: Path | None = None, parent_dir: str | None = None) -> None:
        self.bin_dir = bin_dir or postgres_bin_dir()
        self.fsync = fsync
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-", dir=parent_dir))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = 0
        self.user = _os_user()
        self._started = False

    # lifecycle -------------------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the server (initdb first if the cluster is new); wait until it accepts connections."""
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        for attempt in range(START_ATTEMPTS):
            if not self.port or attempt:
                self._set_port(free_port())
            try:
                self._pg_ctl("start", "-w", "-t", "30", "-l", str(self.log))
                break
            except subprocess.CalledProcessError:
                if attempt == START_ATTEMPTS - 1 or "could not bind" not in self._log_text():
                    raise RuntimeError(f"PostgreSQL did not start:\n{self._log_text()[-3000:]}") from None
        if not self._started:
            self._started = True
            atexit.register(self.cleanup)
        self._wait_connectable()
        return self

    def stop(self, mode: Mode = "fast") -> None:
        """Stop the server, by its postmaster PID (``pg_ctl stop``).

        ``fast``: roll back sessions, checkpoint; ``immediate``: like a crash, recovery runs on the next start;
        ``smart``: wait for sessions to end.
        """
        if self.pid() is None:
            return
        try:
            self._pg_ctl("stop", "-m", mode, "-w", "-t", "30")
        except subprocess.CalledProcessError:
            self._kill_tree()

    def restart(self, mode: Mode = "fast") -> None:
        """Stop with ``mode`` and start again on the same port with the same data."""
        self.stop(mode)
        self.start()

    def cleanup(self) -> None:
        """Stop the server (immediately) and delete its directory."""
        with contextlib.suppress(Exception):
            self.stop("immediate")
        self._kill_tree()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.cleanup()

    # access ----------------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database."""
        return self.url_of("postgres")

    def url_of(self, database: str) -> str:
        """SQLAlchemy (``postgresql+psycopg``) URL of ``database`` on this server."""
        if not self.port:
            raise RuntimeError("the server was never started")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """libpq connection string of ``database`` (for psycopg directly)."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database} connect_timeout=5"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        with psycopg.connect(self.dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url_of(name)

    def pid(self) -> int | None:
        """The postmaster's PID while it runs (from ``postmaster.pid``), else None."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    # internals -------------------------------------------------------------------------------------------------

    def _run(self, *argv: str) -> None:
        subprocess.run(
            [str(self.bin_dir / argv[0]), *argv[1:]],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self.user,
            timeout=60,
        )

    def _initdb(self) -> None:
        self.data.mkdir(mode=0o700)
        self.log.touch()
        if self.user is not None:
            _open_to_others(self.root)
            _open_to_others(self.bin_dir)
            if (self.bin_dir.parent / "lib").exists():
                _open_to_others(self.bin_dir.parent / "lib")
            entry = pwd.getpwnam(self.user)
            for path in (self.data, self.log):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")

    def _set_port(self, port: int) -> None:
        self.port = port
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(port),
            "unix_socket_directories": "''",
            "fsync": "on" if self.fsync else "off",
            "full_page_writes": "on" if self.fsync else "off",
            "max_connections": "100",
            "shared_buffers": "32MB",
        }
        conf = self.data / "postgresql.auto.conf"
        conf.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()))
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(conf, entry.pw_uid, entry.pw_gid)

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), *options, action)

    def _wait_connectable(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.dsn(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def _kill_tree(self) -> None:
        """SIGKILL the postmaster's children, then the postmaster (the last resort of ``cleanup``)."""
        pid = self.pid()
        if pid is None:
            return
        for child in _children(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            children.extend(int(child) for child in task.read_text().split())
    return children
