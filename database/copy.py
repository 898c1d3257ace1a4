"""A whole registry from one database to another (SQLite file ⇄ PostgreSQL), in one transaction, checked by counts.

:func:`copy_registry` builds the target's schema with the same migrations the
source was made with (every component in the source's ``schema_version``,
given by the caller, so this layer imports no store) and copies every table's
rows — sites, targets, accounts, sessions, security log, audit trail, region,
demand layers, street networks, whatever the components hold — with their ids,
inside ONE write transaction of the target; it then compares each table's row
count with the source's and rolls everything back on any difference or error.
The target must be new (no tables of ours): a copy never merges into a registry.
Computed columns (PostGIS ``geom``) are made by the target itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from database.connection import Database, ServerURL
from database.migrations import Migration
from errors import DatabaseError, Problem

#: Rows fetched and written per batch.
BATCH = 5000


def copy_registry(source: str | Path | ServerURL, target: str | Path | ServerURL,
                  components: Mapping[str, Sequence[Migration]]) -> dict[str, int]:
    """Copy the registry at ``source`` into the new database ``target``; returns rows per table (as checked).

    ``components``: the migrations of every component the program knows (a
    source component not among them, or at another version, is refused before
    anything is written).
    """
    with Database(source, create=False) as src, Database(target, create=True) as dst:
        try:
            return _copy(src, dst, components)
        except BaseException:
            if dst.created and isinstance(dst.path, Path):  # a file this copy made: nothing half-made stays
                dst.close()
                for leftover in dst.path.parent.glob(dst.path.name + "*"):
                    leftover.unlink(missing_ok=True)
            raise


def _copy(src: Database, dst: Database, components: Mapping[str, Sequence[Migration]]) -> dict[str, int]:
    with src.read_transaction() as sconn:
        versions = dict(sconn.execute("SELECT component, version FROM schema_version").fetchall())
        unknown = sorted(c for c in versions if c not in components)
        behind = sorted(c for c, v in versions.items()
                        if c in components and v != max((m.version for m in components[c]), default=0))
        if unknown or behind:
            raise DatabaseError(Problem("sites.copy_versions", {"db": str(src.path),
                                                               "components": ", ".join(unknown + behind)}))
        tables = [t for t in src.tables(sconn) if t != "schema_version"]
        with dst.write_transaction() as dconn:
            if dst.tables(dconn):
                raise DatabaseError(Problem("sites.copy_target_not_empty", {"db": str(dst.path)}))
            first, last = ("audit", "sites", "region"), ("geometry",)  # as SiteStore applies them
            order = ([c for c in first if c in versions]
                     + [c for c in versions if c not in first + last] + [c for c in last if c in versions])
            for component in order:
                dst.apply_migrations(dconn, component, components[component])
            made = set(dst.tables(dconn))
            missing = [t for t in tables if t not in made]
            if missing:
                raise DatabaseError(Problem("sites.copy_versions", {"db": str(src.path),
                                                                   "components": ", ".join(missing)}))
            for table in made - {"schema_version"}:
                dconn.execute(f"DELETE FROM {table}")  # rows a migration seeded: the source's come instead
            counts = {}
            for table in tables:
                counts[table] = _copy_table(src, sconn, dst, dconn, table)
            for table in tables:
                if "id" in dst.columns(dconn, table):
                    dst.reset_identity(dconn, table)
            checked = {t: int(dconn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
            if checked != counts:
                wrong = ", ".join(f"{t}: {counts[t]} → {checked[t]}" for t in tables if checked[t] != counts[t])
                raise DatabaseError(Problem("sites.copy_count_mismatch", {"db": str(dst.path), "tables": wrong}))
    return counts


def _copy_table(src: Database, sconn, dst: Database, dconn, table: str) -> int:
    theirs = set(dst.columns(dconn, table))
    columns = [c for c in src.columns(sconn, table) if c in theirs]
    names = ", ".join(columns)
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    fix = _audit_subject(dst.dialect, columns) if table == "audit" else None
    cursor = sconn.execute(f"SELECT {names} FROM {table}")
    rows = cursor.fetchall()
    total = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        if fix is not None:
            batch = [fix(r) for r in batch]
        dconn.executemany(insert, batch)
        total += len(batch)
    return total


def _audit_subject(dialect: str, columns: list[str]):
    """The audit trail's ``subject_id``: text on PostgreSQL, numbers again for sites and targets in SQLite."""
    kind, subject = columns.index("kind"), columns.index("subject_id")

    def fix(row: tuple) -> tuple:
        value = row[subject]
        if dialect == "postgresql":
            value = str(value)
        elif row[kind] != "account" and isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        return (*row[:subject], value, *row[subject + 1:])

    return fix
