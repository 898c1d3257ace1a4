"""Rollout targets stored next to the sites, in the registry database.

:class:`TargetStore` keeps its tables in the registry's
:class:`database.connection.Database` as the component ``"targets"`` with its
own numbered migrations (:data:`TARGET_MIGRATIONS`), beside the site store and
through the database's own transactions: every write validates the whole
target first (:func:`targets.model.parse_target`, towns checked against the
database's region) and records who did what, when, with the values before and
after, in the one audit trail (:mod:`database.audit`, kind ``target``). Only
admins may write targets (:meth:`accounts.permissions.Authoriser.check_admin`:
a refusal raises :class:`errors.AccessDenied`, changes nothing and is logged).

Migration 2 seeds two targets in a database whose region is the bundled
Nanhai towns: the public one ("a workers' cultural palace open in every one of
the 7 towns by 2025-12-31") and an editable example for service centres. It
runs once per database, when the targets component is first created; the
seeded text is bound as parameters (:data:`SEEDS`), never spliced into SQL.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from accounts.permissions import Actor
from database import audit
from database.audit import AuditEntry
from database.connection import Connection, utc_now
from database.migrations import Migration, Statement
from errors import NotFound, Problem, RecordError
from sites.region import BUNDLED
from targets.model import EDITABLE_FIELDS, MEASURES, SCOPES, Target, parse_target, validate_target

if TYPE_CHECKING:
    from sites.store import SiteStore

COMPONENT = "targets"
_COLUMNS: tuple[str, ...] = (
    "id", "name", "site_type", "scope", "towns", "measure", "threshold", "radius_m", "statuses", "deadline",
    "notes", "new_since", "demand_layer", "created_by", "created_at", "updated_by", "updated_at", "version",
)
_SEED_ACTOR = "system"


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


#: The targets seeded in a new database of the bundled Nanhai towns: (name, site type, deadline, notes),
#: each "every town has at least one open site of the type".
SEEDS: tuple[tuple[str, str, str, str], ...] = (
    ("2025年底前每个镇街建成开放工人文化宫", "cultural_palace", "2025-12-31",
     "南海区公开目标：7个镇街各建成一座工人文化宫（2022年7座在建）"),
    ("示例：每个镇街至少1个职工服务中心", "service_centre", "2025-12-31", "示例目标，可按本地计划修改"),
)


def seed_statements(seeds: tuple[tuple[str, str, str, str], ...]) -> tuple[Statement, ...]:
    """Statements that add ``seeds`` (see :data:`SEEDS`) with their ``create`` audit entries.

    Only in a database whose region is the bundled Nanhai towns; every value is
    a bound parameter, so any text (an apostrophe, SQL) is stored as written.
    """
    now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    insert = f"""INSERT INTO targets (name, site_type, scope, towns, measure, threshold, radius_m, statuses,
            deadline, notes, created_by, created_at, updated_by, updated_at)
        SELECT ?, ?, 'each_town', '[]', 'site_count', 1, NULL, '["open"]', ?, ?, ?, {now}, ?, {now}
        WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'region.source' AND value = ?)"""
    trail = """INSERT INTO audit (kind, subject_id, action, actor, at, before, after, version)
        SELECT 'target', id, 'create', created_by, created_at, NULL,
            json_object('id', id, 'name', name, 'site_type', site_type, 'scope', scope,
                        'towns', json(towns), 'measure', measure, 'threshold', threshold,
                        'radius_m', radius_m, 'statuses', json(statuses), 'deadline', deadline,
                        'notes', notes, 'created_by', created_by, 'created_at', created_at,
                        'updated_by', updated_by, 'updated_at', updated_at), 0
        FROM targets WHERE created_by = ?"""
    rows: list[Statement] = [(insert, (name, site_type, deadline, notes, _SEED_ACTOR, _SEED_ACTOR, BUNDLED))
                             for name, site_type, deadline, notes in seeds]
    return (*rows, (trail, (_SEED_ACTOR,)))


TARGET_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "rollout targets", (
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
        # The audit trail of release 1 (table ``target_audit``) now lives in database/audit.py, kind 'target'.
    )),
    Migration(2, "seed the Nanhai targets in a database of the bundled Nanhai towns", seed_statements(SEEDS)),
    # Optimistic concurrency: every write bumps a target's version; targets already stored start at 1.
    Migration(3, "row version of each target", (
        "ALTER TABLE targets ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)",
    )),
    # "2 new cultural palaces since 2020-01-01": only sites opened on/after new_since count (NULL: every site);
    # demand_layer names the stored demand layer of a demand_share target. Portable SQL (SQLite, PostgreSQL).
    Migration(4, "new-since date and demand layer of a target", (
        "ALTER TABLE targets ADD COLUMN new_since TEXT",
        "ALTER TABLE targets ADD COLUMN demand_layer TEXT",
    )),
)


class TargetStore:
    """The targets of one registry database (created and migrated on first use).

    ``sites``: the site store of the database; the targets use its database,
    its authoriser and its region (the towns a target may name).
    """

    def __init__(self, sites: SiteStore):
        #: The site store beside this one (its region; the command line signs in through it).
        self.sites = sites
        self.database = sites.database
        self.authoriser = sites.authoriser
        self._towns = sites.towns
        self.database.migrate(COMPONENT, TARGET_MIGRATIONS)

    def _town_codes(self) -> list[str]:
        return [str(c) for c in self._towns().codes]

    # -------------------------------------------------------------------- reads

    def list_targets(self) -> list[Target]:
        """Every target, by id."""
        with self.database.read_transaction() as conn:
            return _select(conn, "", ())

    def get_target(self, target_id: int) -> Target:
        """The target with this id; :class:`errors.NotFound` if there is none."""
        with self.database.read_transaction() as conn:
            return _get(conn, target_id)

    def history(self, target_id: int) -> list[AuditEntry]:
        """Every recorded write of a target, oldest first (kept after a delete)."""
        return audit.history(self.database, "target", int(target_id),
                             missing=Problem("target.not_found", {"id": target_id}))

    # ------------------------------------------------------------------- writes

    def add(self, values: Mapping[str, object], *, actor: Actor) -> Target:
        """Validate and store a new target given as raw values (see :func:`parse_target`)."""
        actor = self.authoriser.check_admin(actor, "target.add", "target:new").username
        target = parse_target(values, town_codes=self._town_codes())
        now = utc_now()
        target = replace(target, created_by=actor, created_at=now, updated_by=actor, updated_at=now)
        with self.database.write_transaction() as conn:
            row = _to_row(target)
            del row["id"]
            cur = conn.execute(f"INSERT INTO targets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                               tuple(row.values()))
            target = replace(target, id=int(cur.lastrowid))
            _audit(conn, target.id, "create", actor, now, None, target)
        return target

    def add_many(self, targets: Sequence[Target], *, actor: Actor) -> list[Target]:
        """Store several already parsed targets (a sheet, :mod:`targets.sheet`) in ONE transaction: every
        one is validated again against the region first; any problem raises :class:`errors.RecordError`
        and nothing is written."""
        actor = self.authoriser.check_admin(actor, "target.import", f"targets:{len(targets)}").username
        codes = self._town_codes()
        problems = [p for tg in targets for p in validate_target(tg, town_codes=codes)]
        if problems:
            raise RecordError(problems)
        now = utc_now()
        stored: list[Target] = []
        with self.database.write_transaction() as conn:
            for target in targets:
                target = replace(target, id=None, created_by=actor, created_at=now, updated_by=actor,
                                 updated_at=now, version=1)
                row = _to_row(target)
                del row["id"]
                cur = conn.execute(f"INSERT INTO targets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                   tuple(row.values()))
                target = replace(target, id=int(cur.lastrowid))
                _audit(conn, target.id, "create", actor, now, None, target)
                stored.append(target)
        return stored

    def update(self, target_id: int, changes: Mapping[str, object], *, actor: Actor,
               if_version: int | None = None) -> Target:
        """Change fields of a target; the whole result is validated again. Returns the stored target.

        Every change bumps ``version``. ``if_version``: write only if the target is
        still at that version, else raise :class:`errors.StaleEdit` saying what
        changed since, by whom and when, and write nothing (check and write in one
        ``BEGIN IMMEDIATE`` transaction).
        """
        actor = self.authoriser.check_admin(actor, "target.update", f"target:{target_id}").username
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise RecordError([Problem("target.unknown_field", {"value": k, "known": ", ".join(EDITABLE_FIELDS)})
                               for k in unknown])
        codes = self._town_codes()
        with self.database.write_transaction() as conn:
            current = _get(conn, target_id)
            _check_version(conn, current, if_version, self.sites.settings.timezone)
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
        actor = self.authoriser.check_admin(actor, "target.delete", f"target:{target_id}").username
        with self.database.write_transaction() as conn:
            target = _get(conn, target_id)
            _check_version(conn, target, if_version, self.sites.settings.timezone)
            conn.execute("DELETE FROM targets WHERE id = ?", (int(target_id),))
            _audit(conn, int(target_id), "delete", actor, utc_now(), target, None)
        return target


# ---------------------------------------------------------------------- rows


def _to_row(target: Target) -> dict[str, object]:
    row = target.to_dict()
    row["towns"] = json.dumps(list(target.towns), ensure_ascii=False)
    row["statuses"] = json.dumps(list(target.statuses))
    return {k: row[k] for k in _COLUMNS}  # new_since: ISO text from to_dict


def _from_row(row: tuple) -> Target:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["towns"] = tuple(json.loads(values["towns"]))
    values["statuses"] = tuple(json.loads(values["statuses"]))
    values["deadline"] = datetime.date.fromisoformat(values["deadline"])
    values["new_since"] = datetime.date.fromisoformat(values["new_since"]) if values["new_since"] else None
    return Target(**values)


def _content(target: Target) -> dict[str, object]:
    return {k: v for k, v in target.to_dict().items() if k not in ("updated_by", "updated_at", "version")}


def _check_version(conn: Connection, current: Target, expected: int | None, zone: str) -> None:
    """Raise :class:`errors.StaleEdit` (what changed since ``expected``, times in ``zone``) unless ``current`` is
    at it."""
    if expected is None or current.version == int(expected):
        return
    subject_id = int(current.id or 0)
    raise audit.stale_edit(audit.entries_of(conn, "target", subject_id), code="target.stale", subject_id=subject_id,
                           expected=int(expected), current=current.version, zone=zone)


def _select(conn: Connection, where: str, params: tuple) -> list[Target]:
    rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM targets {where} ORDER BY id", params)
    return [_from_row(r) for r in rows]


def _get(conn: Connection, target_id: int) -> Target:
    found = _select(conn, "WHERE id = ?", (int(target_id),))
    if not found:
        raise NotFound(Problem("target.not_found", {"id": target_id}))
    return found[0]


def _audit(conn: Connection, target_id: int, action: str, actor: str, at: str,
           before: Target | None, after: Target | None) -> None:
    """One target's write in the audit trail (kind ``target``)."""
    audit.record(conn, "target", target_id, action, actor=actor, at=at,
                 before=None if before is None else before.to_dict(), after=None if after is None else after.to_dict())
