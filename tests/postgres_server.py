"""A real PostgreSQL server for the tests that need one.

initdb and pg_ctl into a temporary folder: the server listens on 127.0.0.1 and a
free port only, and asks for a password (SCRAM) that Tandem gets from PGPASSWORD,
never from the URL, as a real deployment's would. Each test gets a database of its
own; the server stops when the session ends.

Where PostgreSQL is not installed these tests skip with the reason in pytest's
summary; with TANDEM_REQUIRE_POSTGRES=1 (which .ci/run sets once it installed
PostgreSQL) they fail instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROLE = "tandem"
PASSWORD = "tandem-test-only-7f3a"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        # Not under pytest's folders: they are private to this user, and the server
        # runs as "postgres" when the tests run as root (initdb refuses root).
        self.root = Path(tempfile.mkdtemp(prefix="tandem-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.root.chmod(0o755)

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        password_file = self.root / "password"
        password_file.write_text(PASSWORD)
        if self.as_user:
            owner = pwd.getpwnam("postgres")
            os.chown(password_file, owner.pw_uid, owner.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            ROLE,
            f"--pwfile={password_file}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        )
        password_file.unlink()
        # The port was free when probed; another test process (pytest-xdist's workers
        # each start a server) can take it before this server binds it: try another.
        for attempt in range(3):
            try:
                self._start_on(self.port)
                return
            except subprocess.CalledProcessError:
                if attempt == 2 or "already in use" not in self._log():
                    raise
                self.port = _free_port()

    def _start_on(self, port: int) -> None:
        options = (
            f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def _log(self) -> str:
        try:
            return (self.root / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, role: str = ROLE) -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), password=PASSWORD, autocommit=True) as db:
            db.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin(f"CREATE DATABASE {name}")
        return name


def start_or_skip() -> PostgresServer:
    bin_dir = binaries()
    if bin_dir is None:
        message = "PostgreSQL is not installed (no initdb): the PostgreSQL store tests skip"
        if os.environ.get("TANDEM_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + ", but TANDEM_REQUIRE_POSTGRES=1 says it must run")
        pytest.skip(message + "; .ci/run installs it")
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except subprocess.CalledProcessError as error:
        server.stop()
        pytest.fail(f"PostgreSQL is installed but did not start: {error.stderr or error}")
    return server


@contextlib.contextmanager
def running() -> Iterator[PostgresServer]:
    """A server while the block runs, with its password where libpq reads it (as
    Tandem's users are told to give it: PGPASSWORD, never the URL); both undone after."""
    server = start_or_skip()
    previous = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = PASSWORD
    try:
        yield server
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = previous
