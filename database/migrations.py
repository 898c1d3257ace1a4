"""A numbered schema step of one component of the registry database (:meth:`database.connection.Database.migrate`)."""

from __future__ import annotations

from dataclasses import dataclass

#: One statement of a step: SQL text, or SQL with ``?`` placeholders and the values bound to them
#: (text that comes from data, such as seeded names, is always bound, never spliced into the SQL).
Statement = str | tuple[str, tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step of a component: statements applied in one transaction."""

    version: int
    description: str
    statements: tuple[Statement, ...]
