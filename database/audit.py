"""The registry's audit trail across all sites, filtered (for the data page's audit log).

:meth:`sites.store.SiteStore.history` gives one site's entries; :func:`audit_log`
reads every entry matching the filters, newest first. Times are the stored
UTC ISO 8601 stamps; ``since``/``until`` are UTC calendar dates, both inclusive.
"""

from __future__ import annotations

import datetime

from sites.store import AuditEntry, SiteStore

#: Actions the audit trail records.
ACTIONS: tuple[str, ...] = ("create", "update", "close", "delete")


def audit_log(store: SiteStore, *, site_id: int | None = None, action: str | None = None,
              actor: str | None = None, since: datetime.date | None = None,
              until: datetime.date | None = None, limit: int = 1000) -> list[AuditEntry]:
    """Audit entries matching every filter given, newest first, at most ``limit``.

    ``actor`` matches a part of the name, ignoring case.
    """
    clauses: list[str] = []
    params: list[object] = []
    if site_id is not None:
        clauses.append("site_id = ?")
        params.append(int(site_id))
    if action:
        clauses.append("action = ?")
        params.append(action)
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
    with store.read_transaction() as conn:
        rows = conn.execute(f"SELECT id, site_id, action, actor, at, before, after FROM audit {where} "
                            "ORDER BY id DESC LIMIT ?", (*params, int(limit))).fetchall()
    return [AuditEntry.from_row(r) for r in rows]
