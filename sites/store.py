"""The site registry's storage: a SQLite file behind one small interface.

:class:`SiteStore` owns one database file (``SITES_DB`` by default). The file
is in WAL mode with a busy timeout, and every write runs in one
``BEGIN IMMEDIATE`` transaction, so several processes may write at once
without losing anything, and a failed or interrupted write leaves the database
as it was. Every write validates its records first (:mod:`sites.validation`),
assigns towns by point-in-polygon and records who did what, when, with the
values before and after, in the ``audit`` table.

Schema changes are versioned :class:`Migration` lists per component: the
registry's own is ``"sites"``; another module keeps its own tables in the same
file by calling :meth:`SiteStore.migrate` with its component name and its own
numbered migrations (versions are tracked per component in ``schema_version``).

Who may write is checked inside every write method (:mod:`accounts.permissions`):
``actor`` is a :class:`~accounts.permissions.Principal` (or, in ``local`` mode only, a
plain name standing for the local admin). A refused write raises
:class:`errors.AccessDenied`, changes nothing and is recorded in the security
log (:mod:`accounts.security_log`); audit rows name the account.

Positions are stored as WGS84 degrees (``lng``, ``lat``); dates as ISO text;
timestamps as UTC ISO 8601 (``...Z``).
"""

from __future__ import annotations

import datetime
import getpass
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from accounts.permissions import Actor, Principal, check_admin, check_write, write_problem
from accounts.security_log import record
from accounts.store import ACCOUNT_MIGRATIONS, load_principal
from database.migrations import Migration
from errors import (
    AccessDenied,
    BoundaryError,
    DatabaseError,
    ImportRejected,
    NotFound,
    Problem,
    RecordError,
    StaleEdit,
)
from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_point
from settings import Settings, get_settings
from sites.models import INPUT_FIELDS, SITE_FIELDS, STATUSES, Site, SiteDraft
from sites.region import RegionSpec, TownIndex, town_index
from sites.validation import RawRecords, Validation, validate_records

#: How long a writer waits for another writer's transaction, in seconds.
BUSY_TIMEOUT_S = 60.0
#: Idle connections a store keeps for reuse (more are opened while needed, then closed).
MAX_IDLE_CONNECTIONS = 8
#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: A URL (``postgresql://...``; a ``Path`` collapses ``//`` to ``/``), not a file path; Windows drives excluded.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:/")


_STATUS_LIST = ", ".join(f"'{s}'" for s in STATUSES)

SITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sites, audit trail and meta", (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE sites (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            type TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ({_STATUS_LIST})),
            lng REAL NOT NULL CHECK (lng BETWEEN -180 AND 180),
            lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
            town_code TEXT,
            address TEXT NOT NULL DEFAULT '',
            host_org TEXT NOT NULL DEFAULT '',
            opened_on TEXT,
            closed_on TEXT,
            notes TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX sites_type_town ON sites (type, town_code)",
        "CREATE INDEX sites_town ON sites (town_code)",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            site_id INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'close', 'delete')),
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            before TEXT,
            after TEXT
        )""",
        "CREATE INDEX audit_site ON audit (site_id)",
    )),
    # Optimistic concurrency: every write bumps a site's version; sites already stored start at 1.
    Migration(2, "row version of each site", (
        "ALTER TABLE sites ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)",
    )),
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded write of a site (or of a target, which keeps its trail the same way).

    ``subject_id`` is the id of the record written; ``before``/``after`` are its
    values (``None`` when absent).
    """

    id: int
    subject_id: int
    action: str
    actor: str
    at: str
    before: dict[str, object] | None
    after: dict[str, object] | None

    @classmethod
    def from_row(cls, row: Sequence[object]) -> AuditEntry:
        """From ``(id, subject id, action, actor, at, before JSON, after JSON)``."""
        before, after = (json.loads(v) if v else None for v in (row[5], row[6]))
        return cls(int(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]), before, after)

    def changes(self) -> dict[str, tuple[object, object]]:
        """Fields whose value differs, as (before, after); empty and missing count as the same."""
        b, a = self.before or {}, self.after or {}
        empty = (None, "")
        return {k: (b.get(k), a.get(k)) for k in dict.fromkeys([*b, *a])
                if b.get(k) != a.get(k) and not (b.get(k) in empty and a.get(k) in empty)}

    @property
    def version(self) -> int:
        """The record's version this write produced (a delete: the one after the last); 0 before versions."""
        if self.after is not None:
            return int(self.after.get("version") or 0)
        before = int((self.before or {}).get("version") or 0)
        return before + 1 if before else 0


#: Fields of a record that change with every write (left out of "what changed").
_STAMP_FIELDS = frozenset({"updated_by", "updated_at", "version"})


def stale_edit(entries: Sequence[AuditEntry], *, code: str, subject_id: int, expected: int,
               current: int) -> StaleEdit:
    """The refusal of a write based on version ``expected`` of a record now at ``current``.

    ``entries`` are the record's audit trail, oldest first; every write since
    ``expected`` becomes one problem: the version it made, who, when (UTC) and
    which fields it changed. ``code`` is the message of the first problem
    (``sites.stale`` or ``target.stale``).
    """
    problems = [Problem(code, {"id": subject_id, "expected": expected, "current": current})]
    for entry in entries:
        if entry.version <= expected:
            continue
        fields = [k for k in entry.changes() if k not in _STAMP_FIELDS] or ["-"]
        at = entry.at.replace("T", " ").removesuffix("Z")[:19] + " UTC"
        problems.append(Problem(f"stale.{entry.action}", {"version": entry.version, "actor": entry.actor,
                                                          "at": at, "fields": ", ".join(fields)}))
    return StaleEdit(problems, current_version=current)


@dataclass
class ImportReport:
    """What an import wrote and what it rejected (problems name file, line and field)."""

    written: list[Site]
    problems: list[Problem]
    rejected_lines: list[int | None]
    total: int
    warnings: list[Problem] = field(default_factory=list)


def default_actor() -> str:
    """Who is writing when no one is named: ``SITES_USER``, else the OS user."""
    return os.environ.get("SITES_USER") or getpass.getuser()


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


def _inspect_database(path: Path) -> str:
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
            ours = "schema_version" in tables and conn.execute(
                "SELECT 1 FROM schema_version WHERE component = 'sites'").fetchone() is not None
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


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SiteStore:
    """The registry in one SQLite file; a PostGIS backend may follow behind the same methods.

    ``path``: the database file (default ``settings.get_settings().db``). A
    missing file is created with its schema when ``create`` (check ``created``
    and say where), else :class:`errors.DatabaseError`; a URL, a text file, a
    damaged or read-only file, or another program's SQLite database is refused
    with :class:`errors.DatabaseError` before anything is written to it. ``region``: the region asked for (``--boundaries``);
    ``None`` means "whatever the database remembers", or for a new database
    ``SITES_BOUNDARIES``, else the bundled Nanhai towns. A database remembers its
    region; asking for another raises :class:`errors.BoundaryError` (change it with
    :meth:`set_region`).
    """

    def __init__(self, path: str | Path | None = None, *, region: RegionSpec | None = None,
                 settings: Settings | None = None, create: bool = True):
        self.settings = settings or get_settings()
        self.path = database_path(path if path is not None else self.settings.db)
        self._local = threading.local()
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False
        #: True when this store made the database file (callers say where: CLI, app).
        self.created = _inspect_database(self.path) == "new"
        if self.created:
            if not create:
                raise DatabaseError(Problem("sites.db_missing", {"db": str(self.path)}))
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        self.migrate("sites", SITE_MIGRATIONS)
        self.migrate("accounts", ACCOUNT_MIGRATIONS)
        self._spec = self._resolve_region(region or RegionSpec.from_settings(self.settings))

    # ------------------------------------------------------------------ plumbing
    #
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
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection while inside a transaction, else one from the pool (returned after)."""
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

    def close_connection(self) -> None:
        """Close the pooled connections (connections in use close when returned)."""
        with self._pool_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __enter__(self) -> SiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_connection()

    @contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on any error.

        Waits up to :data:`BUSY_TIMEOUT_S` for another writer (any process);
        readers are not blocked meanwhile (WAL).
        """
        with self._connection() as conn:
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
    def read_transaction(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads (never waits for a writer)."""
        with self._connection() as conn:
            if conn.in_transaction:  # already inside this thread's transaction: its snapshot
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """Apply the migrations of ``component`` this database lacks; return its version.

        Versions are numbered from 1 per component; all pending steps run in one
        transaction, so a failed step leaves the schema as it was. An up-to-date
        schema is only read (no write lock, so opening a store never waits for a writer).
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
                        conn.execute(statement)
            if known > current:
                conn.execute("INSERT INTO schema_version (component, version) VALUES (?, ?) "
                             "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                             (component, known))
        return max(current, known)

    def _component_version(self, component: str, known: int) -> int:
        with self._connection() as conn:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
                                ).fetchone():
                return 0
            row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
        current = row[0] if row else 0
        self._check_not_newer(component, current, known)
        return current

    def _check_not_newer(self, component: str, current: int, known: int) -> None:
        if current > known:
            raise RecordError(Problem("sites.schema_newer", {"db": str(self.path), "component": component,
                                                             "found": current, "known": known}))

    def schema_version(self, component: str = "sites") -> int:
        with self._connection() as conn:
            row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
        return row[0] if row else 0

    def has_accounts(self) -> bool:
        """Whether this database has accounts (a shared deployment: ``local`` mode may not write it)."""
        with self._connection() as conn:
            return conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None

    # -------------------------------------------------------------- permissions

    def principal(self, actor: Actor) -> Principal:
        """Who is writing, as the store trusts it.

        ``local`` mode: a plain name is the local user, an admin; a principal is
        taken as given; but a database that has accounts refuses every local-mode
        write (:class:`errors.AccessDenied` saying to set ``SITES_MODE=shared`` and
        sign in), whatever ``--user`` says. ``shared`` mode: a plain name is refused (sign in first)
        and a principal's role and towns are read again from the accounts table
        (:class:`errors.AccessDenied` if it is gone or disabled).
        """
        name = actor.username if isinstance(actor, Principal) else str(actor)
        if self.settings.mode == "local":
            if not self.has_accounts():
                return actor if isinstance(actor, Principal) else Principal.local_user(str(actor))
            # The database remembers it is shared: no one writes it without signing in.
            problem = Problem("access.local_mode_has_accounts", {"db": str(self.path)})
        elif not isinstance(actor, Principal) or actor.local:
            problem = Problem("access.sign_in_required")
        else:
            with self._connection() as conn:
                current = load_principal(conn, actor.username)
            if current is not None:
                return current
            problem = Problem("access.account_gone", {"user": name})
        self._log_denial(name, "write", "-", AccessDenied(problem))
        raise AccessDenied(problem)

    def authorize_admin(self, actor: Actor, action: str, target: str) -> Principal:
        """The principal if it is an admin; else log the attempt and raise :class:`errors.AccessDenied`."""
        principal = self.principal(actor)
        with self._denials(principal, action, target):
            check_admin(principal, action)
        return principal

    @contextmanager
    def _denials(self, principal: Principal, action: str, target: str) -> Iterator[None]:
        """Record an :class:`errors.AccessDenied` raised inside (after its transaction rolled back)."""
        try:
            yield
        except AccessDenied as exc:
            self._log_denial(principal.username, action, target, exc)
            raise

    def _log_denial(self, actor: str, action: str, target: str, exc: AccessDenied) -> None:
        with self.write_transaction() as conn:
            record(conn, at=utc_now(), actor=actor, action=action, target=target, outcome="denied",
                   detail=exc.message("en"))

    def _town_names(self) -> dict[str, tuple[str, str]]:
        towns = self.towns()
        return {str(c): (towns.town_name(str(c), "zh"), towns.town_name(str(c), "en")) for c in towns.codes}

    # ------------------------------------------------------------------- region

    def _meta(self, conn: sqlite3.Connection) -> dict[str, str]:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())

    def _resolve_region(self, requested: RegionSpec | None) -> RegionSpec:
        with self._connection() as conn:
            stored = RegionSpec.from_meta(self._meta(conn))
        if stored is None:  # a new database: store its region (read first, so opening never waits on a writer)
            with self.write_transaction() as conn:
                stored = RegionSpec.from_meta(self._meta(conn))
                if stored is None:
                    stored = requested or RegionSpec()
                    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", stored.to_meta().items())
        if requested is not None and requested != stored:
            raise BoundaryError(Problem("sites.region_mismatch", {
                "db": str(self.path), "stored": stored.describe(), "given": requested.describe()}))
        return stored

    @property
    def region_spec(self) -> RegionSpec:
        return self._spec

    def region(self) -> Region:
        """The region this database remembers (towns in EPSG:4326)."""
        return self.towns().region

    def towns(self) -> TownIndex:
        """Point-in-polygon index of the region's towns (cached per region file and mtime)."""
        return town_index(self._spec)

    def set_region(self, spec: RegionSpec, *, actor: Actor, allow_outside: bool = False) -> int:
        """Make ``spec`` this database's region and re-assign every site's town.

        Sites outside every new town are an error unless ``allow_outside``
        (they then keep no town). Each site whose town changes gets an ``update``
        audit entry. Returns how many sites changed town. Admins only.
        """
        actor = self.authorize_admin(actor, "set_region", f"region:{spec.describe()}").username
        index = town_index(spec)
        with self.write_transaction() as conn:
            sites = self._select(conn, "", ())
            codes = index.assign([s.lng for s in sites], [s.lat for s in sites])
            outside = [s for s, c in zip(sites, codes, strict=True) if c is None]
            if outside and not allow_outside:
                raise RecordError([
                    Problem("sites.site_outside_region", {"id": s.id, "name": s.name, "region": spec.describe()})
                    for s in outside])
            now = utc_now()
            changed = 0
            for site, code in zip(sites, codes, strict=True):
                if code != site.town_code:
                    after = replace(site, town_code=code, updated_by=actor, updated_at=now,
                                    version=site.version + 1)
                    self._write_site(conn, after)
                    self._audit(conn, site.id, "update", actor, now, site, after)
                    changed += 1
            conn.execute("DELETE FROM meta WHERE key LIKE 'region.%'")
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", spec.to_meta().items())
        self._spec = spec
        return changed

    # -------------------------------------------------------------------- reads

    def list_sites(self, *, types: Iterable[str] | None = None, towns: Iterable[str] | None = None,
                   statuses: Iterable[str] | None = None) -> list[Site]:
        """Sites matching every filter given (each a set of accepted values), by id."""
        clauses: list[str] = []
        params: list[object] = []
        for column, values in (("type", types), ("town_code", towns), ("status", statuses)):
            if values is not None:
                values = list(values)
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "0")
                params.extend(values)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connection() as conn:
            return self._select(conn, where, tuple(params))

    def get_site(self, site_id: int) -> Site:
        """The site with this id; :class:`errors.NotFound` if there is none."""
        with self._connection() as conn:
            return self._get(conn, site_id)

    def history(self, site_id: int) -> list[AuditEntry]:
        """Every recorded write of a site, oldest first (kept after a hard delete)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT id, site_id, action, actor, at, before, after FROM audit WHERE site_id = ? ORDER BY id",
                (site_id,)).fetchall()
        if not rows:
            raise NotFound(Problem("sites.not_found", {"id": site_id}))
        return [AuditEntry.from_row(r) for r in rows]

    def count(self) -> int:
        with self._connection() as conn:
            return conn.execute("SELECT count(*) FROM sites").fetchone()[0]

    def revision(self) -> int:
        """A number that grows with every write to the sites (the last audit id; 0 when none).

        Cheap (one indexed lookup), and it sees other processes' commits, so caches
        keyed on it stay valid exactly until someone writes.
        """
        with self._connection() as conn:
            return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0])

    # ------------------------------------------------------------------- writes

    def validate(self, records: RawRecords, *, crs: str | CoordSystem, allow_outside: bool = False,
                 allow_duplicates: bool = False, default_source: str = "",
                 exclude_id: int | None = None) -> Validation:
        """Validate records against this database's region and sites, writing nothing (for forms)."""
        existing = [s for s in self.list_sites() if s.id != exclude_id]
        return validate_records(records, crs=crs, towns=self.towns(), existing=existing,
                                allow_outside=allow_outside,
                                duplicates="warning" if allow_duplicates else "error",
                                default_source=default_source, settings=self.settings)

    def add(self, values: Mapping[str, object], *, actor: Actor, crs: str | CoordSystem = "wgs84",
            allow_outside: bool = False) -> tuple[Site, list[Problem]]:
        """Validate and store one new site given as raw values in ``crs``.

        A likely duplicate is a warning here (returned with the site); every
        error raises :class:`errors.RecordError` and writes nothing.
        """
        principal = self.principal(actor)
        records = RawRecords.one(dict(values))
        towns = self.towns()
        with self._denials(principal, "create", "site:new"):
            check_write(principal, None, None)  # a viewer is refused before anything is read
            with self.write_transaction() as conn:
                result = validate_records(records, crs=crs, towns=towns, existing=self._select(conn, "", ()),
                                          allow_outside=allow_outside, duplicates="warning",
                                          settings=self.settings)
                if result.errors:
                    raise RecordError(result.problems)
                check_write(principal, None, result.drafts[0], town_names=self._town_names())
                site = self._insert(conn, result.drafts[0], principal.username, utc_now())
        return site, result.warnings

    def import_records(self, records: RawRecords, *, actor: Actor, crs: str | CoordSystem,
                       skip_invalid: bool = False, allow_outside: bool = False,
                       allow_duplicates: bool = False, source: str = "") -> ImportReport:
        """Validate every record, then write them in one transaction.

        All or nothing by default: any invalid record raises
        :class:`errors.ImportRejected` (its ``problems`` name every bad line) and
        nothing is written. ``skip_invalid`` writes the valid records and reports
        the rest. Likely duplicates are errors unless ``allow_duplicates``.
        ``source`` fills records without their own source. A record the actor may
        not write (a town not granted) refuses the whole import with
        :class:`errors.AccessDenied` naming every such line, whatever ``skip_invalid``.
        """
        principal = self.principal(actor)
        towns = self.towns()
        with self._denials(principal, "import", f"file:{records.file or '-'}"), self.write_transaction() as conn:
            check_write(principal, None, None)
            result = validate_records(records, crs=crs, towns=towns, existing=self._select(conn, "", ()),
                                      allow_outside=allow_outside,
                                      duplicates="warning" if allow_duplicates else "error",
                                      default_source=source, settings=self.settings)
            rejected_lines = [records.lines[i] for i in result.rejected]
            if result.rejected and not skip_invalid:
                summary = Problem("sites.import_rejected", {"bad": len(result.rejected), "total": len(records)},
                                  file=records.file)
                raise ImportRejected([summary, *result.problems])
            names = self._town_names()
            denied = [p for draft in result.drafts
                      if (p := write_problem(principal, None, draft, town_names=names, file=records.file,
                                             row=draft.row)) is not None]
            if denied:
                raise AccessDenied(denied)
            now = utc_now()
            written = [self._insert(conn, draft, principal.username, now) for draft in result.drafts]
        return ImportReport(written, result.errors, rejected_lines, len(records), result.warnings)

    def update(self, site_id: int, changes: Mapping[str, object], *, actor: Actor,
               crs: str | CoordSystem = "wgs84", allow_outside: bool = False,
               if_version: int | None = None) -> tuple[Site, list[Problem]]:
        """Change fields of a site; ``lng``/``lat`` given are in ``crs``.

        The whole resulting record is validated again and its town re-assigned.
        Returns the stored site (its ``version`` one higher, unless nothing
        changed) and warnings (likely duplicates). ``if_version``: write only if
        the site is still at that version, else raise :class:`errors.StaleEdit`
        saying what changed since, by whom and when, and write nothing (the
        check and the write are one ``BEGIN IMMEDIATE`` transaction).
        """
        return self._change(site_id, changes, actor=actor, crs=crs, allow_outside=allow_outside,
                            action="update", if_version=if_version)

    def close(self, site_id: int, *, actor: Actor, closed_on: datetime.date | None = None,
              if_version: int | None = None) -> Site:
        """Mark a site closed (a status change, audited as ``close``); ``closed_on`` defaults to today.

        ``if_version`` as for :meth:`update`.
        """
        principal = self.principal(actor)
        current = self.get_site(site_id)
        with self._denials(principal, "close", f"site:{site_id}"):
            check_write(principal, current, None, town_names=self._town_names())
        if current.status == "closed" and if_version in (None, current.version):
            raise RecordError(Problem("sites.already_closed", {"id": site_id}))
        day = closed_on or datetime.date.today()
        site, _ = self._change(site_id, {"status": "closed", "closed_on": day.isoformat()}, actor=principal,
                               crs="wgs84", allow_outside=True, action="close", if_version=if_version)
        return site

    def delete(self, site_id: int, *, actor: Actor, if_version: int | None = None) -> Site:
        """Remove a site for good (its audit history stays); returns what was deleted.

        ``if_version`` as for :meth:`update`.
        """
        principal = self.principal(actor)
        with self._denials(principal, "delete", f"site:{site_id}"), self.write_transaction() as conn:
            site = self._get(conn, site_id)
            check_write(principal, site, None, town_names=self._town_names())
            self._check_version(conn, site, if_version)
            conn.execute("DELETE FROM sites WHERE id = ? AND version = ?", (site_id, site.version))
            self._audit(conn, site_id, "delete", principal.username, utc_now(), site, None)
        return site

    # ------------------------------------------------------------------ internals

    def _change(self, site_id: int, changes: Mapping[str, object], *, actor: Actor, crs: str | CoordSystem,
                allow_outside: bool, action: str, if_version: int | None = None) -> tuple[Site, list[Problem]]:
        principal = self.principal(actor)
        with self._denials(principal, action, f"site:{site_id}"):
            return self._change_checked(site_id, changes, principal=principal, crs=crs,
                                        allow_outside=allow_outside, action=action, if_version=if_version)

    def _change_checked(self, site_id: int, changes: Mapping[str, object], *, principal: Principal,
                        crs: str | CoordSystem, allow_outside: bool, action: str,
                        if_version: int | None = None) -> tuple[Site, list[Problem]]:
        unknown = set(changes) - set(INPUT_FIELDS)
        if unknown:
            raise ValueError(f"unknown site fields: {', '.join(sorted(unknown))}")
        if not changes:
            raise RecordError(Problem("sites.no_changes"))
        crs = CoordSystem.parse(crs)
        towns = self.towns()
        names = self._town_names()
        with self.write_transaction() as conn:
            current = self._get(conn, site_id)
            check_write(principal, current, None, town_names=names)
            self._check_version(conn, current, if_version)
            raw: dict[str, object] = {f: getattr(current, f) for f in INPUT_FIELDS}
            raw["opened_on"], raw["closed_on"] = current.opened_on, current.closed_on
            moving = "lng" in changes or "lat" in changes
            if moving and crs != CoordSystem.WGS84:
                raw["lng"], raw["lat"] = convert_point(current.lng, current.lat, CoordSystem.WGS84, crs)
            raw.update(changes)
            existing = [s for s in self._select(conn, "", ()) if s.id != site_id]
            # Unchanged positions are stored WGS84; only a move is read in ``crs``.
            result = validate_records(RawRecords.one(raw), crs=crs if moving else CoordSystem.WGS84,
                                      towns=towns, existing=existing,
                                      allow_outside=allow_outside or (not moving and current.town_code is None),
                                      duplicates="warning", settings=self.settings)
            if result.errors:
                raise RecordError(result.problems)
            draft = result.drafts[0]
            check_write(principal, current, draft, town_names=names)
            after = replace(current, **{f: getattr(draft, f) for f in INPUT_FIELDS}, town_code=draft.town_code,
                            updated_by=principal.username, updated_at=utc_now(), version=current.version + 1)
            if _same_content(current, after):
                return current, result.warnings
            self._write_site(conn, after)
            self._audit(conn, site_id, action, principal.username, after.updated_at, current, after)
        return after, result.warnings

    def _insert(self, conn: sqlite3.Connection, draft: SiteDraft, actor: str, now: str) -> Site:
        values = {f: getattr(draft, f) for f in INPUT_FIELDS}
        site = Site(id=0, town_code=draft.town_code, created_by=actor, created_at=now, updated_by=actor,
                    updated_at=now, **values)  # type: ignore[arg-type]
        row = _to_row(site)
        del row["id"]
        cur = conn.execute(f"INSERT INTO sites ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                           tuple(row.values()))
        site = replace(site, id=int(cur.lastrowid))
        self._audit(conn, site.id, "create", actor, now, None, site)
        return site

    def _write_site(self, conn: sqlite3.Connection, site: Site) -> None:
        """Store ``site`` over the row it was made from (the row at ``site.version - 1``)."""
        row = _to_row(site)
        site_id = row.pop("id")
        cur = conn.execute(f"UPDATE sites SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ? AND version = ?",
                           (*row.values(), site_id, site.version - 1))
        if cur.rowcount != 1:  # cannot happen inside BEGIN IMMEDIATE; a guard should the transactions change
            self._check_version(conn, self._get(conn, site_id), site.version - 1)
            raise StaleEdit(Problem("sites.stale", {"id": site_id, "expected": site.version - 1, "current": "?"}))

    def _check_version(self, conn: sqlite3.Connection, current: Site, expected: int | None) -> None:
        """Raise :class:`errors.StaleEdit` (what changed since ``expected``) unless ``current`` is at it."""
        if expected is None or current.version == int(expected):
            return
        rows = conn.execute("SELECT id, site_id, action, actor, at, before, after FROM audit "
                            "WHERE site_id = ? ORDER BY id", (current.id,)).fetchall()
        raise stale_edit([AuditEntry.from_row(r) for r in rows], code="sites.stale", subject_id=current.id,
                         expected=int(expected), current=current.version)

    @staticmethod
    def _audit(conn: sqlite3.Connection, site_id: int, action: str, actor: str, at: str,
               before: Site | None, after: Site | None) -> None:
        def dump(site: Site | None) -> str | None:
            return None if site is None else json.dumps(site.to_dict(), ensure_ascii=False)

        conn.execute("INSERT INTO audit (site_id, action, actor, at, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                     (site_id, action, actor, at, dump(before), dump(after)))

    def _get(self, conn: sqlite3.Connection, site_id: int) -> Site:
        found = self._select(conn, "WHERE id = ?", (int(site_id),))
        if not found:
            raise NotFound(Problem("sites.not_found", {"id": site_id}))
        return found[0]

    @staticmethod
    def _select(conn: sqlite3.Connection, where: str, params: tuple) -> list[Site]:
        rows = conn.execute(f"SELECT {', '.join(SITE_FIELDS)} FROM sites {where} ORDER BY id", params)
        return [_from_row(r) for r in rows]


def _to_row(site: Site) -> dict[str, object]:
    row = {f: getattr(site, f) for f in SITE_FIELDS}
    for key in ("opened_on", "closed_on"):
        row[key] = row[key].isoformat() if row[key] else None
    return row


def _from_row(row: tuple) -> Site:
    values = dict(zip(SITE_FIELDS, row, strict=True))
    for key in ("opened_on", "closed_on"):
        values[key] = datetime.date.fromisoformat(values[key]) if values[key] else None
    return Site(**values)


def _same_content(a: Site, b: Site) -> bool:
    skip = {"updated_by", "updated_at", "version"}
    return all(getattr(a, f) == getattr(b, f) for f in SITE_FIELDS if f not in skip)
