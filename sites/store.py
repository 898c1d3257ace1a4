"""The site registry: sites and the region they are placed in, stored in the registry database.

:class:`SiteStore` opens the database file (``SITES_DB`` by default) as a
:class:`database.connection.Database` (:attr:`SiteStore.database`: connections,
``BEGIN IMMEDIATE`` transactions, migrations) and keeps its tables there as the
component ``"sites"`` (:data:`SITE_MIGRATIONS`); the target and account stores
sit beside it on the same database. Every write validates its records first
(:mod:`sites.validation`), assigns towns by point-in-polygon and records who
did what, when, with the values before and after, in the one audit table
(:mod:`database.audit`, kind ``site``).

Who may write is checked inside every write method by the database's one
:class:`~accounts.permissions.Authoriser` (:attr:`SiteStore.authoriser`):
``actor`` is a :class:`~accounts.permissions.Principal` (or, in ``local`` mode
only, a plain name standing for the local admin). A refused write raises
:class:`errors.AccessDenied`, changes nothing and is recorded in the security
log (:mod:`accounts.security_log`); audit rows name the account.

Positions are stored as WGS84 degrees (``lng``, ``lat``); dates as ISO text;
timestamps as UTC ISO 8601 (``...Z``).
"""

from __future__ import annotations

import datetime
import getpass
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from accounts.permissions import Actor, Authoriser, Principal, check_write, write_problem
from database import audit, postgis
from database.audit import AuditEntry
from database.connection import Connection, Database, utc_now
from database.migrations import Migration
from errors import (
    AccessDenied,
    BoundaryError,
    ImportRejected,
    NotFound,
    Problem,
    RecordError,
    StaleEdit,
)
from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_point
from settings import Settings, get_settings
from sites import region_store
from sites.models import INPUT_FIELDS, SITE_FIELDS, STATUSES, Site, SiteDraft
from sites.region import BUNDLED, RegionSpec, TownIndex, cached_index, load_spec
from sites.region_store import REGION_MIGRATIONS
from sites.validation import RawRecords, Validation, validate_records

_STATUS_LIST = ", ".join(f"'{s}'" for s in STATUSES)

SITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sites and meta", (
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
        # The audit trail of release 1 (table ``audit``) now lives in database/audit.py for every kind of record.
    )),
    # Optimistic concurrency: every write bumps a site's version; sites already stored start at 1.
    Migration(2, "row version of each site", (
        "ALTER TABLE sites ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)",
    )),
)


@dataclass
class ImportReport:
    """What an import wrote and what it rejected (problems name file, line and field)."""

    written: list[Site]
    problems: list[Problem]
    rejected_lines: list[int | None]
    total: int
    warnings: list[Problem] = field(default_factory=list)


def _missing(location: str | Path) -> bool:
    """True when ``location`` names a database file that does not exist yet (a URL is the database's to refuse)."""
    text = str(location)
    return "://" not in text and not Path(text).expanduser().exists()


def _file_name(spec: RegionSpec) -> str:
    return BUNDLED if spec.source == BUNDLED else Path(spec.source).name


def default_actor() -> str:
    """Who is writing when no one is named: ``SITES_USER``, else the OS user."""
    return os.environ.get("SITES_USER") or getpass.getuser()


class SiteStore:
    """The registry in one SQLite file or one PostgreSQL + PostGIS database (``postgresql://`` URL), same methods.

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
        requested = region or RegionSpec.from_settings(self.settings)
        location = path if path is not None else self.settings.db
        # a new database's region file is read (and its CRS checked) before the file is made
        preloaded = load_spec(requested) if requested is not None and create and _missing(location) else None
        #: The registry file: connections, transactions, migrations (shared with the target and account stores).
        self.database = Database(location, create=create)
        self.database.migrate("audit", audit.AUDIT_MIGRATIONS)  # first: the other components write to it
        self.path = self.database.path
        #: True when this store made the database file (callers say where: CLI, app).
        self.created = self.database.created
        #: The one authoriser of this database (also used by the target and account stores, and the app).
        self.authoriser = Authoriser(self.database, self.settings)
        self.database.migrate("sites", SITE_MIGRATIONS)
        self.database.migrate("region", REGION_MIGRATIONS)
        self.database.migrate(postgis.COMPONENT, postgis.GEOMETRY_MIGRATIONS)  # PostgreSQL: PostGIS geom columns
        self._spec = self._resolve_region(requested, preloaded)

    def close_connection(self) -> None:
        """Close the database's pooled connections (connections in use close when returned)."""
        self.database.close()

    def __enter__(self) -> SiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_connection()

    def _town_names(self) -> dict[str, tuple[str, str]]:
        towns = self.towns()
        return {str(c): (towns.town_name(str(c), "zh"), towns.town_name(str(c), "en")) for c in towns.codes}

    # ------------------------------------------------------------------- region

    def _meta(self, conn: Connection) -> dict[str, str]:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())

    def _resolve_region(self, requested: RegionSpec | None, preloaded: Region | None = None) -> RegionSpec:
        """The database's region spec; a database without stored towns gets them now (its file read once)."""
        with self.database.connection() as conn:
            stored = RegionSpec.from_meta(self._meta(conn))
            info = region_store.read_info(conn)
        if stored is None or info is None:
            # a new database: the requested region (default the bundled towns); a database from before the
            # region lived in it: its remembered file, read once more as it was read then (CRS as given)
            spec = stored or requested or RegionSpec()
            region = preloaded if stored is None and preloaded is not None else load_spec(
                spec, crs_required=stored is None)
            with self.database.write_transaction() as conn:
                if RegionSpec.from_meta(self._meta(conn)) is None:
                    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", spec.to_meta().items())
                if region_store.read_info(conn) is None:
                    region_store.write_region(conn, region, file_name=_file_name(spec), loaded_at=utc_now(),
                                              loaded_by=default_actor())
                stored = RegionSpec.from_meta(self._meta(conn))
        if requested is not None and requested != stored:
            raise BoundaryError(Problem("sites.region_mismatch", {
                "db": str(self.path), "stored": stored.describe(), "given": requested.describe()}))
        return stored

    @property
    def region_spec(self) -> RegionSpec:
        return self._spec

    def region(self) -> Region:
        """The region this database holds (towns in EPSG:4326, read from the database; no file is read)."""
        return self.towns().region

    def region_info(self) -> region_store.RegionInfo | None:
        """The stored region's name, level, source, licence, CRS as given and load date."""
        with self.database.connection() as conn:
            return region_store.read_info(conn)

    def towns(self) -> TownIndex:
        """Point-in-polygon index of the region's towns, read from the database (cached per revision)."""
        with self.database.connection() as conn:
            rev = region_store.revision(conn)

        def load() -> Region:
            with self.database.connection() as conn:
                region = region_store.read_region(conn)
            if region is None:  # another process emptied it: never silently another region
                raise BoundaryError(Problem("region.not_stored", {"db": str(self.path)}))
            return region

        return cached_index((str(self.path), rev), load)

    def set_region(self, spec: RegionSpec, *, actor: Actor, allow_outside: bool = False,
                   region: Region | None = None, licence: str | None = None) -> int:
        """Make ``spec`` this database's region: its file is read once (``region``: already read) and its
        towns stored in the database; every site's town is re-assigned.

        A user file's coordinate system is never assumed (:func:`sites.region.load_spec`). Sites outside
        every new town are an error unless ``allow_outside`` (they then keep no town). Each site whose
        town changes gets an ``update`` audit entry. Returns how many sites changed town. Admins only.
        """
        actor = self.authoriser.check_admin(actor, "set_region", f"region:{spec.describe()}").username
        region = region if region is not None else load_spec(spec)
        index = TownIndex(region)
        with self.database.write_transaction() as conn:
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
                    _audit(conn, "update", actor, now, site, after)
                    changed += 1
            conn.execute("DELETE FROM meta WHERE key LIKE 'region.%'")
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", spec.to_meta().items())
            region_store.write_region(conn, region, file_name=_file_name(spec), loaded_at=now, loaded_by=actor,
                                      licence=licence)
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
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "1 = 0")
                params.extend(values)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.database.connection() as conn:
            return self._select(conn, where, tuple(params))

    def sites_frame(self):
        """Every site as :func:`sites.frame.sites_frame` of :meth:`list_sites` gives it (same columns, values and
        order), read straight from the table without a :class:`Site` per row: for commands that only read."""
        from sites.frame import stored_sites_frame

        with self.database.connection() as conn:
            rows = conn.execute(f"SELECT {', '.join(SITE_FIELDS)} FROM sites ORDER BY id").fetchall()
        return stored_sites_frame(rows)

    def get_site(self, site_id: int) -> Site:
        """The site with this id; :class:`errors.NotFound` if there is none."""
        with self.database.connection() as conn:
            return self._get(conn, site_id)

    def history(self, site_id: int) -> list[AuditEntry]:
        """Every recorded write of a site, oldest first (kept after a hard delete)."""
        return audit.history(self.database, "site", int(site_id), missing=Problem("sites.not_found", {"id": site_id}))

    def count(self) -> int:
        with self.database.connection() as conn:
            return conn.execute("SELECT count(*) FROM sites").fetchone()[0]

    def revision(self) -> int:
        """A number that grows with every write to the sites (the last site audit id; 0 when none).

        Cheap (one indexed lookup), and it sees other processes' commits, so caches
        keyed on it stay valid exactly until someone writes a site.
        """
        return audit.last_id(self.database, "site")

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
        principal = self.authoriser.principal(actor)
        records = RawRecords.one(dict(values))
        towns = self.towns()
        with self.authoriser.denials(principal, "create", "site:new"):
            check_write(principal, None, None)  # a viewer is refused before anything is read
            with self.database.write_transaction() as conn:
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
        principal = self.authoriser.principal(actor)
        towns = self.towns()
        with (self.authoriser.denials(principal, "import", f"file:{records.file or '-'}"),
              self.database.write_transaction() as conn):
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
            written = self._insert_many(conn, result.drafts, principal.username, now)
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
        principal = self.authoriser.principal(actor)
        current = self.get_site(site_id)
        with self.authoriser.denials(principal, "close", f"site:{site_id}"):
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
        principal = self.authoriser.principal(actor)
        with (self.authoriser.denials(principal, "delete", f"site:{site_id}"),
              self.database.write_transaction() as conn):
            site = self._get(conn, site_id)
            check_write(principal, site, None, town_names=self._town_names())
            self._check_version(conn, site, if_version)
            conn.execute("DELETE FROM sites WHERE id = ? AND version = ?", (site_id, site.version))
            _audit(conn, "delete", principal.username, utc_now(), site, None)
        return site

    # ------------------------------------------------------------------ internals

    def _change(self, site_id: int, changes: Mapping[str, object], *, actor: Actor, crs: str | CoordSystem,
                allow_outside: bool, action: str, if_version: int | None = None) -> tuple[Site, list[Problem]]:
        principal = self.authoriser.principal(actor)
        with self.authoriser.denials(principal, action, f"site:{site_id}"):
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
        with self.database.write_transaction() as conn:
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
            _audit(conn, action, principal.username, after.updated_at, current, after)
        return after, result.warnings

    def _insert(self, conn: Connection, draft: SiteDraft, actor: str, now: str) -> Site:
        return self._insert_many(conn, [draft], actor, now)[0]

    def _insert_many(self, conn: Connection, drafts: Sequence[SiteDraft], actor: str, now: str) -> list[Site]:
        """Write new sites in order, each with its ``create`` audit entry, in a few statements for all of
        them (a 50,000-row import made 100,000; on PostgreSQL 150,000 round trips). Inside the one writer's
        transaction the new sites are exactly the rows above the largest id before (ids only grow)."""
        if not drafts:
            return []
        values = [{"town_code": d.town_code, "created_by": actor, "created_at": now, "updated_by": actor,
                   "updated_at": now, **{f: getattr(d, f) for f in INPUT_FIELDS}} for d in drafts]
        rows = [_to_row(Site(id=0, **v)) for v in values]  # type: ignore[arg-type]
        columns = [f for f in SITE_FIELDS if f != "id"]
        before = int(conn.execute("SELECT coalesce(max(id), 0) FROM sites").fetchone()[0])
        conn.executemany(f"INSERT INTO sites ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         [tuple(row[c] for c in columns) for row in rows])
        ids = [int(r[0]) for r in conn.execute("SELECT id FROM sites WHERE id > ? ORDER BY id", (before,))]
        if len(ids) != len(rows):  # cannot happen inside the write transaction; a guard should that change
            raise RuntimeError(f"{len(rows)} sites written but {len(ids)} new ids found")
        for row, i in zip(rows, ids, strict=True):
            row["id"] = i  # the row is the site's Site.to_dict(): every field in order, dates as ISO text
        audit.record_many(conn, "site", [(row["id"], "create", None, row, None) for row in rows], actor=actor, at=now)
        return [Site(id=i, **v) for v, i in zip(values, ids, strict=True)]  # type: ignore[arg-type]

    def _write_site(self, conn: Connection, site: Site) -> None:
        """Store ``site`` over the row it was made from (the row at ``site.version - 1``)."""
        row = _to_row(site)
        site_id = row.pop("id")
        cur = conn.execute(f"UPDATE sites SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ? AND version = ?",
                           (*row.values(), site_id, site.version - 1))
        if cur.rowcount != 1:  # cannot happen inside BEGIN IMMEDIATE; a guard should the transactions change
            self._check_version(conn, self._get(conn, site_id), site.version - 1)
            raise StaleEdit(Problem("sites.stale", {"id": site_id, "expected": site.version - 1, "current": "?"}))

    def _check_version(self, conn: Connection, current: Site, expected: int | None) -> None:
        """Raise :class:`errors.StaleEdit` (what changed since ``expected``) unless ``current`` is at it."""
        if expected is None or current.version == int(expected):
            return
        raise audit.stale_edit(audit.entries_of(conn, "site", current.id), code="sites.stale",
                               subject_id=current.id, expected=int(expected), current=current.version,
                               zone=self.settings.timezone)

    def _get(self, conn: Connection, site_id: int) -> Site:
        found = self._select(conn, "WHERE id = ?", (int(site_id),))
        if not found:
            raise NotFound(Problem("sites.not_found", {"id": site_id}))
        return found[0]

    @staticmethod
    def _select(conn: Connection, where: str, params: tuple) -> list[Site]:
        rows = conn.execute(f"SELECT {', '.join(SITE_FIELDS)} FROM sites {where} ORDER BY id", params)
        return [_from_row(r) for r in rows]


def _audit(conn: Connection, action: str, actor: str, at: str, before: Site | None, after: Site | None) -> None:
    """One site's write in the audit trail (kind ``site``)."""
    site = after or before
    assert site is not None
    audit.record(conn, "site", site.id, action, actor=actor, at=at,
                 before=None if before is None else before.to_dict(), after=None if after is None else after.to_dict())


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
