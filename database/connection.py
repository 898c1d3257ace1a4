"""The registry's SQLite file: opening it safely, connections, transactions, migrations and the clock.

:class:`Database` owns one database file. Opening it only reads until the file
is known to be ours: a URL, a text file, a damaged or read-only file and
another program's SQLite database are refused with :class:`errors.DatabaseError`
before anything is written; a missing file is created only when asked. The file
is in WAL mode with a busy timeout. Every write runs in one ``BEGIN IMMEDIATE``
transaction (:meth:`Database.write_transaction`), so several processes may
write at once without losing anything, and a failed write leaves the file as
it was; readers never wait for a writer (:meth:`Database.read_transaction`).

Schema changes are numbered :class:`database.migrations.Migration` lists per
component (``"sites"``, ``"accounts"``, ``"targets"``, ``"audit"``), applied
by :meth:`Database.migrate` and tracked in the ``schema_version`` table.

Only this package imports :mod:`sqlite3`; the stores above receive connections
from it (:data:`Connection`). Timestamps are UTC ISO 8601 text with
milliseconds and a ``Z`` (:func:`utc_now`).
"""

from __future__ import annotations

import datetime
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from database.migrations import Migration
from errors import DatabaseError, Problem, RecordError

#: A connection handed to the stores (inside one of :class:`Database`'s transactions).
Connection = sqlite3.Connection

#: How long a writer waits for another writer's transaction, in seconds.
BUSY_TIMEOUT_S = 60.0
#: Idle connections a database keeps for reuse (more are opened while needed, then closed).
MAX_IDLE_CONNECTIONS = 8
#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: Components whose ``schema_version`` row marks a file as this program's database.
OWN_COMPONENTS = ("sites", "audit")
#: A URL (``postgresql://...``; a ``Path`` collapses ``//`` to ``/``), not a file path; Windows drives excluded.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:/")


# ---------------------------------------------------------------------- the clock


def now_utc() -> datetime.datetime:
    """The current time, timezone-aware in UTC (the default clock of every store)."""
    return datetime.datetime.now(datetime.UTC)


def utc_text(moment: datetime.datetime) -> str:
    """``moment`` as stored: UTC ISO 8601 to the millisecond with a ``Z`` (``2025-03-01T09:00:00.000Z``)."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    """The current time as stored (:func:`utc_text` of :func:`now_utc`)."""
    return utc_text(now_utc())


def parse_utc(text: str) -> datetime.datetime:
    """A stored timestamp (:func:`utc_text`) as a timezone-aware datetime."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---------------------------------------------------------------------- the file


def database_path(location: str | Path) -> Path:
    """The database file at ``location`` (``--db``/``SITES_DB``), ``~`` expanded.

    A URL (``postgresql://...``, any ``scheme://``) raises :class:`errors.DatabaseError`:
    only SQLite files are supported until a server backend exists. The password
    of a URL is never repeated in the message.
    """
    text = str(location).strip()
    if _URL.match(text):
        shown = re.sub(r"(//[^:/@]*):[^@/]*@", r"\1:***@", text.replace(":/", "://", 1) if "://" not in text
                       else text)
        raise DatabaseError(Problem("sites.db_url", {"url": shown}))
    return Path(os.path.expanduser(text))


def inspect_database(path: Path) -> str:
    """``"new"`` (no file, or an empty one) or ``"ours"``; else :class:`errors.DatabaseError`.

    Reads only: the header bytes, then the table list through a read-only
    connection, so a text file, a damaged file or another program's SQLite
    database is refused before anything is written to it (no WAL switch, no
    ``schema_version`` table). A file or folder that cannot be written is refused too.
    """
    db = str(path)
    if not path.exists():
        return "new"
    if not path.is_file():
        raise DatabaseError(Problem("sites.db_not_sqlite", {"db": db}))
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(Problem("sites.db_unusable", {"db": db, "error": exc.strerror or str(exc)})) from exc
    if not header:
        return "new"
    if header != SQLITE_HEADER:
        raise DatabaseError(Problem("sites.db_not_sqlite", {"db": db}))
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DatabaseError(Problem("sites.db_read_only", {"db": db}))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            marks = ", ".join("?" * len(OWN_COMPONENTS))
            ours = "schema_version" in tables and conn.execute(
                f"SELECT 1 FROM schema_version WHERE component IN ({marks})", OWN_COMPONENTS).fetchone() is not None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(Problem("sites.db_corrupt", {"db": db, "error": str(exc)})) from exc
    if not tables:
        return "new"
    if not ours:
        shown = ", ".join(tables[:6]) + (", …" if len(tables) > 6 else "")
        raise DatabaseError(Problem("sites.db_foreign", {"db": db, "tables": shown}))
    return "ours"


def _database_error(path: Path, exc: sqlite3.OperationalError) -> Exception:
    """A named error for a database that cannot be written (read-only, damaged); other errors as they are."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return DatabaseError(Problem("sites.db_read_only", {"db": str(path)}))
    if "malformed" in text or "not a database" in text:
        return DatabaseError(Problem("sites.db_corrupt", {"db": str(path), "error": text}))
    return exc


class Database:
    """One registry file: a pool of connections, transactions and per-component migrations.

    ``path``: the file or ``--db`` text (see :func:`database_path`). A missing
    file is made when ``create`` (check :attr:`created` and say where), else
    :class:`errors.DatabaseError`; an unusable or foreign file is refused before
    anything is written (:func:`inspect_database`). Usable as a context manager
    (closes the pool on exit).
    """

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = database_path(path)
        self._local = threading.local()
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False
        #: True when this object made the database file (callers say where: CLI, app).
        self.created = inspect_database(self.path) == "new"
        if self.created:
            if not create:
                raise DatabaseError(Problem("sites.db_missing", {"db": str(self.path)}))
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connection() as conn:
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")

    # Connections: a small pool, one connection per transaction (or plain read) at a
    # time, so one session's read never queues behind another session's write; the
    # file is in WAL mode, so readers run while a writer holds ``BEGIN IMMEDIATE``
    # or waits for another process's. Inside a transaction, the same thread's
    # reads use the transaction's connection (and see its uncommitted writes).

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(Problem("sites.db_unusable", {"db": str(self.path), "error": str(exc)})) from exc
        return conn

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """This thread's connection while inside a transaction, else one from the pool (returned after).

        For a single read; several reads that must agree use :meth:`read_transaction`.
        """
        active = getattr(self._local, "conn", None)
        if active is not None:
            yield active
            return
        with self._pool_lock:
            if self._closed:
                raise RuntimeError(f"the registry {self.path} is closed")
            conn = self._idle.pop() if self._idle else None
        conn = conn or self._connect()
        self._local.conn = conn
        try:
            yield conn
        finally:
            self._local.conn = None
            if conn.in_transaction:
                conn.rollback()
            with self._pool_lock:
                keep = not self._closed and len(self._idle) < MAX_IDLE_CONNECTIONS
                if keep:
                    self._idle.append(conn)
            if not keep:
                conn.close()

    def close(self) -> None:
        """Close the pooled connections (connections in use close when returned)."""
        with self._pool_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """A ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on any error.

        Waits up to :data:`BUSY_TIMEOUT_S` for another writer (any process);
        readers are not blocked meanwhile (WAL).
        """
        with self.connection() as conn:
            if conn.in_transaction:
                raise RuntimeError("a write transaction cannot start inside another transaction of the same thread")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _database_error(self.path, exc) from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                conn.execute("ROLLBACK")
                raise _database_error(self.path, exc) from exc

    @contextmanager
    def read_transaction(self) -> Iterator[Connection]:
        """A consistent snapshot for several reads (never waits for a writer)."""
        with self.connection() as conn:
            if conn.in_transaction:  # already inside this thread's transaction: its snapshot
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    # ------------------------------------------------------------------ migrations

    def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """Apply the migrations of ``component`` this database lacks; return its version.

        Versions are numbered from 1 per component; all pending steps run in one
        transaction, so a failed step leaves the schema as it was. An up-to-date
        schema is only read (no write lock, so opening a store never waits for a
        writer). A database newer than ``migrations`` raises :class:`errors.RecordError`.
        """
        known = max((m.version for m in migrations), default=0)
        if self._component_version(component, known) >= known:
            return known
        with self.write_transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version "
                         "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
            current = row[0] if row else 0
            self._check_not_newer(component, current, known)
            for step in sorted(migrations, key=lambda m: m.version):
                if step.version > current:
                    for statement in step.statements:
                        if isinstance(statement, str):
                            conn.execute(statement)
                        else:
                            conn.execute(*statement)
            if known > current:
                conn.execute("INSERT INTO schema_version (component, version) VALUES (?, ?) "
                             "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                             (component, known))
        return max(current, known)

    def schema_version(self, component: str) -> int:
        """The schema version of ``component`` in this file (0: none of its tables yet)."""
        with self.connection() as conn:
            return self._stored_version(conn, component)

    def _component_version(self, component: str, known: int) -> int:
        current = self.schema_version(component)
        self._check_not_newer(component, current, known)
        return current

    @staticmethod
    def _stored_version(conn: Connection, component: str) -> int:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
                            ).fetchone():
            return 0
        row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
        return int(row[0]) if row else 0

    def _check_not_newer(self, component: str, current: int, known: int) -> None:
        if current > known:
            raise RecordError(Problem("sites.schema_newer", {"db": str(self.path), "component": component,
                                                             "found": current, "known": known}))
