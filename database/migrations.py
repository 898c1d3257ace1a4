"""A numbered schema step of one component of the registry database (:meth:`database.connection.Database.migrate`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The databases the registry runs on (:attr:`database.connection.Database.dialect`).
Dialect = Literal["sqlite", "postgresql"]


@dataclass(frozen=True, slots=True)
class Only:
    """A statement run on one dialect only (the others skip it): legacy-data copies of SQLite files, PostGIS columns.

    Every other statement is written once in SQLite's SQL and translated for
    PostgreSQL by :func:`database.dialect.translate`.
    """

    dialect: Dialect
    statement: str | tuple[str, tuple[object, ...]]


#: One statement of a step: SQL text, or SQL with ``?`` placeholders and the values bound to them
#: (text that comes from data, such as seeded names, is always bound, never spliced into the SQL),
#: or such a statement for one dialect only (:class:`Only`).
Statement = str | tuple[str, tuple[object, ...]] | Only


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step of a component: statements applied in one transaction."""

    version: int
    description: str
    statements: tuple[Statement, ...]
