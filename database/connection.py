"""The registry's database — a SQLite file or a PostgreSQL + PostGIS server: connections, transactions, migrations, the clock.

:class:`Database` owns one database. A file is only read until it is known to
be ours: a text file, a damaged or read-only file and another program's SQLite
database are refused with :class:`errors.DatabaseError` before anything is
written; a missing file is created only when asked. The file is in WAL mode
with a busy timeout. A ``postgresql://`` URL (:class:`ServerURL`) opens a
PostgreSQL database through psycopg 3 (:mod:`database.dialect` translates the
stores' SQLite SQL): PostGIS is checked (and added when allowed), another
program's tables refused, and server errors named (unreachable, wrong
password, no such database). Every write runs in one writer's transaction
(:meth:`Database.write_transaction`: ``BEGIN IMMEDIATE``, or on the server an
advisory lock), so several processes and app servers may write at once without
losing anything, and a failed write leaves the database as it was; readers
never wait for a writer (:meth:`Database.read_transaction`).

Schema changes are numbered :class:`database.migrations.Migration` lists per
component (``"sites"``, ``"accounts"``, ``"targets"``, ``"audit"``, …), applied
by :meth:`Database.migrate` in one transaction and tracked in the
``schema_version`` table.

Only this package imports :mod:`sqlite3` and :mod:`psycopg`; the stores above
receive connections from it (:data:`Connection`). Timestamps are UTC ISO 8601
text with milliseconds and a ``Z`` (:func:`utc_now`).
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

from database.migrations import Migration, Only
from errors import DatabaseError, Problem, RecordError

#: A connection handed to the stores (inside one of :class:`Database`'s transactions): sqlite3's, or
#: :class:`database.dialect.PgConnection` with the same surface.
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


def wall_clock(at: str, zone: str) -> str:
    """A stored timestamp as wall-clock time in ``zone`` (an IANA name, the ``timezone`` setting):
    ``2025-06-30 16:15:00``. ``ValueError``/``TypeError`` for text that is no stored timestamp."""
    from zoneinfo import ZoneInfo

    return parse_utc(at).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def zone_label(zone: str, at: datetime.datetime | None = None) -> str:
    """``zone`` by its offset from UTC at ``at`` (default now): ``UTC+08:00``."""
    from zoneinfo import ZoneInfo

    offset = (at or datetime.datetime.now(datetime.UTC)).astimezone(ZoneInfo(zone)).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


# ---------------------------------------------------------------------- the file


class ServerURL:
    """A PostgreSQL server's database, as a libpq URL (``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?host=/dir]``).

    ``str()`` shows it with the password masked (for messages and logs); :attr:`url`
    is the URL to connect with. :meth:`resolve` returns itself, so callers that
    show ``store.path.resolve()`` of a file show the URL.
    """

    def __init__(self, url: str):
        self.url = url

    def __str__(self) -> str:
        return _masked(self.url)

    def __repr__(self) -> str:
        return f"ServerURL({_masked(self.url)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerURL) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    def resolve(self) -> ServerURL:
        return self

    @property
    def name(self) -> str:
        """The database name (for messages)."""
        return self.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _masked(url: str) -> str:
    return re.sub(r"(//[^:/@]*):[^@/]*@", r"\1:***@", url)


#: Schemes of a PostgreSQL server (libpq's two spellings).
SERVER_SCHEMES = ("postgresql", "postgres")


def database_location(location: str | Path | ServerURL) -> Path | ServerURL:
    """The database at ``location`` (``--db``/``SITES_DB``): a SQLite file (``~`` expanded) or a server URL.

    ``postgresql://`` and ``postgres://`` URLs name a PostgreSQL server (a
    ``Path`` that collapsed ``//`` to ``/`` is read back as the URL); any other
    ``scheme://`` raises :class:`errors.DatabaseError` (the password of a URL is
    never repeated in the message).
    """
    if isinstance(location, ServerURL):
        return location
    text = str(location).strip()
    if _URL.match(text):
        scheme, rest = text.split(":", 1)
        url = f"{scheme}://{rest.lstrip('/')}" if not rest.startswith("//") else text
        if scheme.lower() in SERVER_SCHEMES:
            return ServerURL(url)
        raise DatabaseError(Problem("sites.db_url", {"url": _masked(url)}))
    return Path(os.path.expanduser(text))


def database_path(location: str | Path) -> Path:
    """The SQLite file at ``location``; a URL raises :class:`errors.DatabaseError` (callers that need a file)."""
    found = database_location(location)
    if isinstance(found, ServerURL):
        raise DatabaseError(Problem("sites.db_url", {"url": str(found)}))
    return found


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


def _server_problem(url: ServerURL, exc: Exception) -> Problem:
    """Why a PostgreSQL server refused the connection, as a named problem (the password never shown)."""
    text = str(exc).strip()
    first = next((line for line in text.splitlines() if line.strip()), text)
    first = _masked(first.removeprefix("connection failed: "))
    params = {"db": str(url), "error": first}
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered \
            or ("role" in lowered and "does not exist" in lowered):
        return Problem("sites.db_pg_auth", params)
    if "database" in lowered and "does not exist" in lowered:
        return Problem("sites.db_pg_no_database", {**params, "name": url.name})
    return Problem("sites.db_pg_unreachable", params)


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection, naming its dialect (:attr:`dialect`) like :class:`database.dialect.PgConnection`."""

    dialect = "sqlite"
    usable = True


#: Advisory lock key of the one writer of a PostgreSQL registry (SQLite's ``BEGIN IMMEDIATE``).
WRITE_LOCK_KEY = 0x5175_0015
#: Extensions a PostgreSQL registry needs: geometry columns, case-insensitive user names.
PG_EXTENSIONS = ("postgis", "citext")


class Database:
    """One registry: a SQLite file or a PostgreSQL database; a pool of connections, transactions, migrations.

    ``path``: the file, or a ``postgresql://`` URL, or the ``--db`` text (see
    :func:`database_location`). A missing file is made when ``create`` (check
    :attr:`created` and say where), else :class:`errors.DatabaseError`; an
    unusable or foreign file is refused before anything is written
    (:func:`inspect_database`). A server database must exist (its DBA makes it);
    an unreachable server, a refused sign-in, a database without PostGIS (and
    without the right to add it) or another program's tables are
    :class:`errors.DatabaseError` with the reason. Usable as a context manager
    (closes the pool on exit).

    Both databases get the same SQL (SQLite's dialect; translated for PostgreSQL
    by :mod:`database.dialect`) and the same guarantees: one writer at a time
    (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock
    taken first, so every version check and its write, and every lockout count,
    run alone), readers never wait for a writer (WAL; MVCC snapshots), and
    migrations run in one transaction (PostgreSQL's DDL is transactional too).
    """

    def __init__(self, path: str | Path | ServerURL, *, create: bool = True):
        self.path: Path | ServerURL = database_location(path)
        #: ``"sqlite"`` or ``"postgresql"`` (see :class:`database.migrations.Only`).
        self.dialect = "postgresql" if isinstance(self.path, ServerURL) else "sqlite"
        self._local = threading.local()
        self._pool_lock = threading.Lock()
        self._idle: list = []
        self._closed = False
        if self.dialect == "postgresql":
            self.created = self._prepare_server()
            if self.created and not create:
                self.close()
                raise DatabaseError(Problem("sites.db_missing", {"db": str(self.path)}))
            return
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

    def _connect(self):
        if self.dialect == "postgresql":
            return self._connect_server()
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False, factory=SqliteConnection)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(Problem("sites.db_unusable", {"db": str(self.path), "error": str(exc)})) from exc
        return conn

    # ------------------------------------------------------------------ PostgreSQL

    def _connect_server(self):
        import psycopg

        from database.dialect import PgConnection

        try:
            raw = psycopg.connect(self.path.url, autocommit=True, connect_timeout=10,  # type: ignore[union-attr]
                                  application_name="sites")
        except psycopg.OperationalError as exc:
            raise DatabaseError(_server_problem(self.path, exc)) from exc
        raw.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return PgConnection(raw)

    def _prepare_server(self) -> bool:
        """Check a server database before use: PostGIS and citext present (added if allowed), no foreign tables.

        Returns whether it holds none of the registry's tables yet (``created``).
        """
        import psycopg

        db = str(self.path)
        with self.connection() as conn:
            have = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
            for ext in PG_EXTENSIONS:
                if ext in have:
                    continue
                available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = ?", (ext,)).fetchone()
                if not available:
                    raise DatabaseError(Problem("sites.db_pg_extension_missing", {"db": db, "ext": ext}))
                try:
                    conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
                except psycopg.Error as exc:
                    raise DatabaseError(Problem("sites.db_pg_extension_denied", {
                        "db": db, "ext": ext, "error": str(exc).strip().splitlines()[0]})) from exc
            tables = self.tables(conn)
            ours = "schema_version" in tables and conn.execute(
                f"SELECT 1 FROM schema_version WHERE component IN ({', '.join('?' * len(OWN_COMPONENTS))})",
                OWN_COMPONENTS).fetchone() is not None
        if tables and not ours:
            shown = ", ".join(tables[:6]) + (", …" if len(tables) > 6 else "")
            raise DatabaseError(Problem("sites.db_foreign", {"db": db, "tables": shown}))
        return not tables

    def tables(self, conn: Connection) -> list[str]:
        """The registry's tables in this database, by name (SQLite's internal and PostGIS's own left out)."""
        if self.dialect == "postgresql":
            sql = ("SELECT c.relname FROM pg_class c WHERE c.relkind IN ('r', 'p') "
                   "AND c.relnamespace = current_schema()::regnamespace "
                   "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
                   "AND d.objid = c.oid AND d.deptype = 'e') ORDER BY c.relname")
        else:
            sql = ("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                   "ORDER BY name")
        return [r[0] for r in conn.execute(sql)]

    def columns(self, conn: Connection, table: str) -> list[str]:
        """The stored (not computed) columns of ``table``, in order."""
        if self.dialect == "postgresql":
            rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                "AND table_schema = current_schema() AND is_generated = 'NEVER' "
                                "ORDER BY ordinal_position", (table,))
            return [r[0] for r in rows]
        return [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{table}")') if r[6] == 0]

    def reset_identity(self, conn: Connection, table: str, column: str = "id") -> None:
        """After rows were written with explicit ids: new rows get ids above them (PostgreSQL identities)."""
        if self.dialect == "postgresql":
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                         f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")

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
        if conn is not None and not conn.usable:
            conn.close()
            conn = None
        conn = conn or self._connect()
        self._local.conn = conn
        try:
            yield conn
        finally:
            self._local.conn = None
            if conn.usable and conn.in_transaction:
                conn.rollback()
            with self._pool_lock:
                keep = conn.usable and not self._closed and len(self._idle) < MAX_IDLE_CONNECTIONS
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
        """The one writer's transaction: committed on success, rolled back on any error.

        SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: ``BEGIN`` and the database's
        advisory write lock (:data:`WRITE_LOCK_KEY`), so writers of every app
        server and process take turns as on SQLite. Waits up to
        :data:`BUSY_TIMEOUT_S` for another writer; readers are not blocked meanwhile.
        """
        with self.connection() as conn:
            if conn.in_transaction:
                raise RuntimeError("a write transaction cannot start inside another transaction of the same thread")
            try:
                if self.dialect == "postgresql":
                    conn.execute("BEGIN")
                    conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                else:
                    conn.execute("BEGIN IMMEDIATE")
            except Exception as exc:
                if conn.usable and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._write_error(exc) from exc
            try:
                yield conn
            except BaseException:
                if conn.usable:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except Exception as exc:
                if conn.usable and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._write_error(exc) from exc

    def _write_error(self, exc: Exception) -> Exception:
        if isinstance(exc, sqlite3.OperationalError):
            return _database_error(self.path, exc)  # type: ignore[arg-type]
        return exc

    @contextmanager
    def read_transaction(self) -> Iterator[Connection]:
        """A consistent snapshot for several reads (never waits for a writer)."""
        with self.connection() as conn:
            if conn.in_transaction:  # already inside this thread's transaction: its snapshot
                yield conn
                return
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ" if self.dialect == "postgresql" else "BEGIN")
            try:
                yield conn
            finally:
                if conn.usable:
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
            return self.apply_migrations(conn, component, migrations)

    def apply_migrations(self, conn: Connection, component: str, migrations: Sequence[Migration]) -> int:
        """:meth:`migrate` inside the caller's write transaction (``python -m sites copy`` builds a schema in it)."""
        known = max((m.version for m in migrations), default=0)
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version "
                     "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
        current = row[0] if row else 0
        self._check_not_newer(component, current, known)
        for step in sorted(migrations, key=lambda m: m.version):
            if step.version > current:
                for statement in step.statements:
                    if isinstance(statement, Only):
                        if statement.dialect != self.dialect:
                            continue
                        statement = statement.statement
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

    def _stored_version(self, conn: Connection, component: str) -> int:
        if "schema_version" not in self.tables(conn):
            return 0
        row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
        return int(row[0]) if row else 0

    def _check_not_newer(self, component: str, current: int, known: int) -> None:
        if current > known:
            raise RecordError(Problem("sites.schema_newer", {"db": str(self.path), "component": component,
                                                             "found": current, "known": known}))
