"""The one audit trail of every kind of record: sites, targets and accounts, in the table ``audit``.

Every write of a store appends one row inside its own transaction
(:func:`record`): the ``kind`` of record (:data:`KINDS`), its id
(``subject_id``: a site's or target's number, an account's user name), the
``action``, who (``actor``), when (``at``, UTC ISO 8601), the record's values
before and after as JSON (``None`` when absent; never a password or its hash)
and the ``version`` the write produced (sites and targets; ``0`` before
versions existed, ``NULL`` for accounts).

:func:`history` reads one record's entries, :func:`audit_log` every entry
matching the filters (the data page's log), newest first; :func:`stale_edit`
turns the entries since a version into the refusal of a stale write.

Migration 1 of the component ``"audit"`` (:data:`AUDIT_MIGRATIONS`, applied by
:class:`sites.store.SiteStore` when it opens the registry, before any other
component) builds this table
and moves into it, in time order, every row of the two tables of earlier
releases: the sites' ``audit`` (``site_id``) and the targets' ``target_audit``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from database.migrations import Migration, Only
from errors import NotFound, Problem, StaleEdit
from i18n import keys, t

if TYPE_CHECKING:
    from database.connection import Connection, Database

Kind = Literal["site", "target", "account"]
#: Kinds of record the trail holds.
KINDS: tuple[Kind, ...] = ("site", "target", "account")
#: Actions the trail records (``password``: an account's password was set; never the password itself).
ACTIONS: tuple[str, ...] = ("create", "update", "close", "delete", "password")

_KIND_LIST = ", ".join(f"'{k}'" for k in KINDS)
_ACTION_LIST = ", ".join(f"'{a}'" for a in ACTIONS)
#: The version a write made, from the JSON of rows stored before the column existed.
_VERSION_SQL = ("CASE WHEN after IS NOT NULL THEN coalesce(json_extract(after, '$.version'), 0) "
                "ELSE coalesce(json_extract(before, '$.version') + 1, 0) END")

AUDIT_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "one audit table for sites, targets and accounts", (
        # The tables of earlier releases, empty if this file never had them, so the copy below always runs
        # (SQLite files only: a PostgreSQL registry starts at this release).
        Only("sqlite", """CREATE TABLE IF NOT EXISTS audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id INTEGER NOT NULL, action TEXT NOT NULL,
            actor TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT)"""),
        Only("sqlite", """CREATE TABLE IF NOT EXISTS target_audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL, action TEXT NOT NULL,
            actor TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT)"""),
        # subject_id has no declared type in SQLite: site and target numbers stay integers, user names text;
        # PostgreSQL stores it as text (see _key) and AuditEntry.from_row gives numbers back for sites and targets.
        *(Only(dialect, f"""CREATE TABLE audit_all (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ({_KIND_LIST})),
            subject_id {subject_type}NOT NULL,
            action TEXT NOT NULL CHECK (action IN ({_ACTION_LIST})),
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            before TEXT,
            after TEXT,
            version INTEGER
        )""") for dialect, subject_type in (("sqlite", ""), ("postgresql", "TEXT "))),
        Only("sqlite", f"""INSERT INTO audit_all (kind, subject_id, action, actor, at, before, after, version)
            SELECT kind, subject_id, action, actor, at, before, after, {_VERSION_SQL} FROM (
                SELECT 'site' AS kind, site_id AS subject_id, action, actor, at, before, after, id AS old_id
                FROM audit
                UNION ALL
                SELECT 'target', target_id, action, actor, at, before, after, id FROM target_audit)
            ORDER BY at, kind, old_id"""),
        Only("sqlite", "DROP TABLE audit"),
        Only("sqlite", "DROP TABLE target_audit"),
        "ALTER TABLE audit_all RENAME TO audit",
        "CREATE INDEX audit_subject ON audit (kind, subject_id)",
        "CREATE INDEX audit_kind ON audit (kind)",
    )),
)


def _key(conn: Connection, subject_id: int | str) -> int | str:
    """``subject_id`` as the column holds it: as given in SQLite, as text in PostgreSQL (one typed column)."""
    return str(subject_id) if getattr(conn, "dialect", "sqlite") == "postgresql" else subject_id


#: The columns :meth:`AuditEntry.from_row` reads, in order.
COLUMNS = "id, kind, subject_id, action, actor, at, before, after, version"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded write of a site, a target or an account.

    ``subject_id`` is the id of the record written (an account's user name);
    ``before``/``after`` are its values (``None`` when absent); ``version`` the
    record's version this write made (a delete: the one after the last; 0 before
    versions, and for accounts).
    """

    id: int
    kind: Kind
    subject_id: int | str
    action: str
    actor: str
    at: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    version: int = 0

    @classmethod
    def from_row(cls, row: Sequence[object]) -> AuditEntry:
        """From a row of :data:`COLUMNS`."""
        before, after = (json.loads(v) if v else None for v in (row[6], row[7]))  # type: ignore[arg-type]
        subject = row[2]
        if row[1] != "account" and isinstance(subject, str) and subject.lstrip("-").isdigit():
            subject = int(subject)  # PostgreSQL keeps every subject as text
        return cls(int(row[0]), row[1], subject, str(row[3]), str(row[4]), str(row[5]),  # type: ignore[arg-type]
                   before, after, int(row[8] or 0))  # type: ignore[arg-type]

    def changes(self) -> dict[str, tuple[object, object]]:
        """Fields whose value differs, as (before, after); empty and missing count as the same."""
        b, a = self.before or {}, self.after or {}
        empty = (None, "")
        return {k: (b.get(k), a.get(k)) for k in dict.fromkeys([*b, *a])
                if b.get(k) != a.get(k) and not (b.get(k) in empty and a.get(k) in empty)}


def record(conn: Connection, kind: Kind, subject_id: int | str, action: str, *, actor: str, at: str,
           before: dict[str, object] | None, after: dict[str, object] | None, version: int | None = None) -> None:
    """Append one entry inside the caller's write transaction.

    ``version``: the version the write made; by default the ``version`` of
    ``after``, or for a delete the one after ``before``'s (accounts: ``None``).
    """
    record_many(conn, kind, [(subject_id, action, before, after, version)], actor=actor, at=at)


def record_many(conn: Connection, kind: Kind,
                entries: Sequence[tuple[int | str, str, dict[str, object] | None, dict[str, object] | None,
                                        int | None]], *, actor: str, at: str) -> None:
    """Append entries ``(subject_id, action, before, after, version)`` in one statement (an import's
    50,000 entries: one round trip on PostgreSQL, not 50,000); ``version`` as :func:`record`."""

    def dump(values: dict[str, object] | None) -> str | None:
        return None if values is None else json.dumps(values, ensure_ascii=False)

    def made(before: dict[str, object] | None, after: dict[str, object] | None, version: int | None) -> int | None:
        if version is not None or kind == "account":
            return version
        last = int((before or {}).get("version") or 0)
        return int(after.get("version") or 0) if after is not None else (last + 1 if last else 0)

    conn.executemany("INSERT INTO audit (kind, subject_id, action, actor, at, before, after, version) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(kind, _key(conn, subject_id), action, actor, at, dump(before), dump(after),
                       made(before, after, version)) for subject_id, action, before, after, version in entries])


def entries_of(conn: Connection, kind: Kind, subject_id: int | str) -> list[AuditEntry]:
    """Every entry of one record, oldest first (inside the caller's transaction)."""
    rows = conn.execute(f"SELECT {COLUMNS} FROM audit WHERE kind = ? AND subject_id = ? ORDER BY id",
                        (kind, _key(conn, subject_id))).fetchall()
    return [AuditEntry.from_row(r) for r in rows]


def history(database: Database, kind: Kind, subject_id: int | str, *, missing: Problem) -> list[AuditEntry]:
    """Every recorded write of one record, oldest first (kept after a delete); ``missing`` if there is none."""
    with database.connection() as conn:
        found = entries_of(conn, kind, subject_id)
    if not found:
        raise NotFound(missing)
    return found


def last_id(database: Database, kind: Kind) -> int:
    """The id of the newest entry of ``kind`` (0 when none): grows with every write of that kind."""
    with database.connection() as conn:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit WHERE kind = ?", (kind,)).fetchone()[0])


def audit_log(database: Database, *, kind: Kind | None = None, subject_id: int | str | None = None,
              action: str | None = None, actor: str | None = None, since: datetime.date | None = None,
              until: datetime.date | None = None, limit: int = 1000) -> list[AuditEntry]:
    """Entries matching every filter given, newest first, at most ``limit`` (the data page's log).

    ``actor`` matches a part of the name, ignoring case; ``since``/``until`` are
    UTC calendar dates, both inclusive.
    """
    clauses: list[str] = []
    params: list[object] = []
    text_ids = database.dialect == "postgresql"
    if any("\x00" in str(v) for v in (subject_id, action, actor) if v is not None):
        return []  # a filter holding NUL matches nothing stored (PostgreSQL refuses the character outright)
    for column, value in (("kind", kind), ("subject_id", subject_id), ("action", action)):
        if value is not None and value != "":
            clauses.append(f"{column} = ?")
            params.append(str(value) if text_ids and column == "subject_id" else value)
    if actor:
        clauses.append("instr(lower(actor), lower(?)) > 0")
        params.append(actor)
    if since is not None:
        clauses.append("at >= ?")
        params.append(since.isoformat())
    if until is not None:
        clauses.append("at < ?")
        params.append((until + datetime.timedelta(days=1)).isoformat())
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    with database.read_transaction() as conn:
        rows = conn.execute(f"SELECT {COLUMNS} FROM audit {where} ORDER BY id DESC LIMIT ?",
                            (*params, int(limit))).fetchall()
    return [AuditEntry.from_row(r) for r in rows]


#: Fields of a record that change with every write (left out of "what changed").
_STAMP_FIELDS = frozenset({"updated_by", "updated_at", "version"})


def _field_words(fields: Sequence[str]) -> dict[str, str]:
    """``fields`` (a record's column names) in words: ``fields`` in Chinese (状态、备注), ``fields_en`` in English."""
    known = keys()
    words = {lang: [t(f"stale.field.{f}", lang) if f"stale.field.{f}" in known else f for f in fields]
             for lang in ("zh", "en")}
    return {"fields": "、".join(words["zh"]) or "-", "fields_en": ", ".join(words["en"]) or "-"}


def _wall_clock(at: str, zone: str) -> str:
    """A stored UTC moment as wall-clock time in ``zone`` with its offset: ``2025-06-30 16:15:00 (UTC+08:00)``."""
    from database.connection import parse_utc, wall_clock, zone_label

    return f"{wall_clock(at, zone)} ({zone_label(zone, parse_utc(at))})"


def stale_edit(entries: Sequence[AuditEntry], *, code: str, subject_id: int, expected: int,
               current: int, zone: str = "UTC") -> StaleEdit:
    """The refusal of a write based on version ``expected`` of a record now at ``current``.

    ``entries`` are the record's audit trail, oldest first; every write since
    ``expected`` becomes one problem: the version it made, who, when (wall-clock time in ``zone``, the
    ``timezone`` setting, with its offset: as the history tables show it) and which fields it changed.
    ``code`` is the message of the first problem (``sites.stale`` or ``target.stale``).
    """
    problems = [Problem(code, {"id": subject_id, "expected": expected, "current": current})]
    for entry in entries:
        if entry.version <= expected:
            continue
        fields = [k for k in entry.changes() if k not in _STAMP_FIELDS]
        at = _wall_clock(entry.at, zone)
        problems.append(Problem(f"stale.{entry.action}", {"version": entry.version, "actor": entry.actor,
                                                          "at": at, **_field_words(fields)}))
    return StaleEdit(problems, current_version=current)
