"""A numbered schema step of one component of the registry database (see :meth:`sites.store.SiteStore.migrate`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step of a component: SQL statements applied in one transaction."""

    version: int
    description: str
    statements: tuple[str, ...]
