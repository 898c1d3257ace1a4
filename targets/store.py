"""Rollout targets stored next to the sites, in the registry's SQLite file.

:class:`TargetStore` keeps its tables in the database of a
:class:`sites.store.SiteStore` as the component ``"targets"`` with its own
numbered migrations (:data:`TARGET_MIGRATIONS`), and writes through the site
store's transactions: every write validates the whole target first
(:func:`targets.model.parse_target`, towns checked against the database's
region) and records who did what, when, with the values before and after, in
``target_audit``. Only admins may write targets
(:meth:`sites.store.SiteStore.authorize_admin`: a refusal raises
:class:`errors.AccessDenied`, changes nothing and is logged).

Migration 2 seeds two targets in a database whose region is the bundled
Nanhai towns: the public one ("a workers' cultural palace open in every one of
the 7 towns by 2025-12-31") and an editable example for service centres. It
runs once per database, when the targets component is first created.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import replace

from accounts.permissions import Actor
from errors import NotFound, Problem, RecordError
from sites.region import BUNDLED
from sites.store import AuditEntry, Migration, SiteStore, stale_edit, utc_now
from targets.model import EDITABLE_FIELDS, MEASURES, SCOPES, Target, parse_target

COMPONENT = "targets"
_COLUMNS: tuple[str, ...] = (
    "id", "name", "site_type", "scope", "towns", "measure", "threshold", "radius_m", "statuses", "deadline",
    "notes", "created_by", "created_at", "updated_by", "updated_at", "version",
)
_NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_SEED_ACTOR = "system"


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _seed(name: str, site_type: str, deadline: str, notes: str) -> str:
    """INSERT of one each-town, at-least-one-open-site target, only in a bundled-Nanhai database."""
    return f"""INSERT INTO targets (name, site_type, scope, towns, measure, threshold, radius_m, statuses,
            deadline, notes, created_by, created_at, updated_by, updated_at)
        SELECT '{name}', '{site_type}', 'each_town', '[]', 'site_count', 1, NULL, '["open"]', '{deadline}',
            '{notes}', '{_SEED_ACTOR}', {_NOW_SQL}, '{_SEED_ACTOR}', {_NOW_SQL}
        WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'region.source' AND value = '{BUNDLED}')"""


TARGET_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "rollout targets and their audit trail", (
        f"""CREATE TABLE targets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            site_type TEXT NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ({_sql_list(SCOPES)})),
            towns TEXT NOT NULL DEFAULT '[]',
            measure TEXT NOT NULL CHECK (measure IN ({_sql_list(MEASURES)})),
            threshold REAL NOT NULL,
            radius_m REAL,
            statuses TEXT NOT NULL DEFAULT '["open"]',
            deadline TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE target_audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            target_id INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            before TEXT,
            after TEXT
        )""",
        "CREATE INDEX target_audit_target ON target_audit (target_id)",
    )),
    Migration(2, "seed the Nanhai targets in a database of the bundled Nanhai towns", (
        _seed("2025年底前每个镇街建成开放工人文化宫", "cultural_palace", "2025-12-31",
              "南海区公开目标：7个镇街各建成一座工人文化宫（2022年7座在建）"),
        _seed("示例：每个镇街至少1个职工服务中心", "service_centre", "2025-12-31",
              "示例目标，可按本地计划修改"),
        f"""INSERT INTO target_audit (target_id, action, actor, at, before, after)
            SELECT id, 'create', created_by, created_at, NULL,
                json_object('id', id, 'name', name, 'site_type', site_type, 'scope', scope,
                            'towns', json(towns), 'measure', measure, 'threshold', threshold,
                            'radius_m', radius_m, 'statuses', json(statuses), 'deadline', deadline,
                            'notes', notes, 'created_by', created_by, 'created_at', created_at,
                            'updated_by', updated_by, 'updated_at', updated_at)
            FROM targets WHERE created_by = '{_SEED_ACTOR}'""",
    )),
    # Optimistic concurrency: every write bumps a target's version; targets already stored start at 1.
    Migration(3, "row version of each target", (
        "ALTER TABLE targets ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)",
    )),
)


class TargetStore:
    """The targets of one registry database (created and migrated on first use)."""

    def __init__(self, sites: SiteStore):
        self.sites = sites
        sites.migrate(COMPONENT, TARGET_MIGRATIONS)

    def _town_codes(self) -> list[str]:
        return [str(c) for c in self.sites.region().towns["code"]]

    # -------------------------------------------------------------------- reads

    def list_targets(self) -> list[Target]:
        """Every target, by id."""
        with self.sites.read_transaction() as conn:
            return _select(conn, "", ())

    def get_target(self, target_id: int) -> Target:
        """The target with this id; :class:`errors.NotFound` if there is none."""
        with self.sites.read_transaction() as conn:
            return _get(conn, target_id)

    def history(self, target_id: int) -> list[AuditEntry]:
        """Every recorded write of a target, oldest first (kept after a delete)."""
        with self.sites.read_transaction() as conn:
            rows = conn.execute("SELECT id, target_id, action, actor, at, before, after FROM target_audit "
                                "WHERE target_id = ? ORDER BY id", (int(target_id),)).fetchall()
        if not rows:
            raise NotFound(Problem("target.not_found", {"id": target_id}))
        return [AuditEntry.from_row(r) for r in rows]

    # ------------------------------------------------------------------- writes

    def add(self, values: Mapping[str, object], *, actor: Actor) -> Target:
        """Validate and store a new target given as raw values (see :func:`parse_target`)."""
        actor = self.sites.authorize_admin(actor, "target.add", "target:new").username
        target = parse_target(values, town_codes=self._town_codes())
        now = utc_now()
        target = replace(target, created_by=actor, created_at=now, updated_by=actor, updated_at=now)
        with self.sites.write_transaction() as conn:
            row = _to_row(target)
            del row["id"]
            cur = conn.execute(f"INSERT INTO targets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                               tuple(row.values()))
            target = replace(target, id=int(cur.lastrowid))
            _audit(conn, target.id, "create", actor, now, None, target)
        return target

    def update(self, target_id: int, changes: Mapping[str, object], *, actor: Actor,
               if_version: int | None = None) -> Target:
        """Change fields of a target; the whole result is validated again. Returns the stored target.

        Every change bumps ``version``. ``if_version``: write only if the target is
        still at that version, else raise :class:`errors.StaleEdit` saying what
        changed since, by whom and when, and write nothing (check and write in one
        ``BEGIN IMMEDIATE`` transaction).
        """
        actor = self.sites.authorize_admin(actor, "target.update", f"target:{target_id}").username
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise RecordError([Problem("target.unknown_field", {"value": k, "known": ", ".join(EDITABLE_FIELDS)})
                               for k in unknown])
        codes = self._town_codes()
        with self.sites.write_transaction() as conn:
            current = _get(conn, target_id)
            _check_version(conn, current, if_version)
            raw = {k: v for k, v in current.to_dict().items() if k in EDITABLE_FIELDS}
            raw.update(changes)
            parsed = parse_target(raw, town_codes=codes)
            after = replace(parsed, id=current.id, created_by=current.created_by, created_at=current.created_at,
                            updated_by=actor, updated_at=utc_now(), version=current.version + 1)
            if _content(after) == _content(current):
                return current
            row = _to_row(after)
            del row["id"]
            conn.execute(f"UPDATE targets SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ? AND version = ?",
                         (*row.values(), current.id, current.version))
            _audit(conn, current.id, "update", actor, after.updated_at, current, after)
        return after

    def delete(self, target_id: int, *, actor: Actor, if_version: int | None = None) -> Target:
        """Remove a target (its audit history stays); returns what was deleted. ``if_version`` as for :meth:`update`."""
        actor = self.sites.authorize_admin(actor, "target.delete", f"target:{target_id}").username
        with self.sites.write_transaction() as conn:
            target = _get(conn, target_id)
            _check_version(conn, target, if_version)
            conn.execute("DELETE FROM targets WHERE id = ?", (int(target_id),))
            _audit(conn, int(target_id), "delete", actor, utc_now(), target, None)
        return target


# ---------------------------------------------------------------------- rows


def _to_row(target: Target) -> dict[str, object]:
    row = target.to_dict()
    row["towns"] = json.dumps(list(target.towns), ensure_ascii=False)
    row["statuses"] = json.dumps(list(target.statuses))
    return {k: row[k] for k in _COLUMNS}


def _from_row(row: tuple) -> Target:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["towns"] = tuple(json.loads(values["towns"]))
    values["statuses"] = tuple(json.loads(values["statuses"]))
    values["deadline"] = datetime.date.fromisoformat(values["deadline"])
    return Target(**values)


def _content(target: Target) -> dict[str, object]:
    return {k: v for k, v in target.to_dict().items() if k not in ("updated_by", "updated_at", "version")}


def _check_version(conn: sqlite3.Connection, current: Target, expected: int | None) -> None:
    """Raise :class:`errors.StaleEdit` (what changed since ``expected``) unless ``current`` is at it."""
    if expected is None or current.version == int(expected):
        return
    rows = conn.execute("SELECT id, target_id, action, actor, at, before, after FROM target_audit "
                        "WHERE target_id = ? ORDER BY id", (int(current.id or 0),)).fetchall()
    raise stale_edit([AuditEntry.from_row(r) for r in rows], code="target.stale", subject_id=int(current.id or 0),
                     expected=int(expected), current=current.version)


def _select(conn: sqlite3.Connection, where: str, params: tuple) -> list[Target]:
    rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM targets {where} ORDER BY id", params)
    return [_from_row(r) for r in rows]


def _get(conn: sqlite3.Connection, target_id: int) -> Target:
    found = _select(conn, "WHERE id = ?", (int(target_id),))
    if not found:
        raise NotFound(Problem("target.not_found", {"id": target_id}))
    return found[0]


def _audit(conn: sqlite3.Connection, target_id: int, action: str, actor: str, at: str,
           before: Target | None, after: Target | None) -> None:
    def dump(target: Target | None) -> str | None:
        return None if target is None else json.dumps(target.to_dict(), ensure_ascii=False)

    conn.execute("INSERT INTO target_audit (target_id, action, actor, at, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                 (target_id, action, actor, at, dump(before), dump(after)))
