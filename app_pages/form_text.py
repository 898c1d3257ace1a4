"""The audit table of the app: one site's history (sites page) and the log of every record (data page).

Texts: ``ui.audit.*`` in :mod:`i18n.tables.app_form`.
"""

from __future__ import annotations

from collections.abc import Sequence

from database.audit import AuditEntry
from i18n import t
from settings import Language

#: Fields left out of the "changes" column (stamps every write changes).
_STAMPS = {"updated_by", "updated_at", "created_by", "created_at", "id", "version"}


def audit_table(entries: Sequence[AuditEntry], lang: Language, *, kinds: bool = False) -> dict[str, list[object]]:
    """Columns of an audit table: when, who, what, which record, and each changed field before → after.

    One site's history by default; ``kinds``: the data page's log of every kind of
    record (sites, targets, accounts), with a kind column and plain id/name headings.
    """
    def changes(entry: AuditEntry) -> str:
        if entry.action == "create":
            return ""
        pairs = [(k, v) for k, v in entry.changes().items() if k not in _STAMPS]
        return "; ".join(f"{k}: {_show(b)} → {_show(a)}" for k, (b, a) in pairs)

    def name(entry: AuditEntry) -> str:
        values = entry.after or entry.before or {}
        return str(values.get("name", values.get("username", "")))

    columns: dict[str, list[object]] = {
        t("ui.audit.at", lang): [e.at for e in entries],
        t("ui.audit.actor", lang): [e.actor for e in entries],
        t("ui.audit.action", lang): [t(f"ui.audit.{e.action}", lang) for e in entries],
    }
    if kinds:
        columns[t("ui.audit.kind", lang)] = [t(f"ui.audit.kind.{e.kind}", lang) for e in entries]
    columns[t("ui.audit.record" if kinds else "ui.audit.site", lang)] = [str(e.subject_id) if kinds else e.subject_id
                                                                          for e in entries]
    columns[t("ui.audit.record_name" if kinds else "ui.audit.name", lang)] = [name(e) for e in entries]
    columns[t("ui.audit.changes", lang)] = [changes(e) for e in entries]
    return columns


def _show(value: object) -> str:
    return "—" if value in (None, "") else str(value)

