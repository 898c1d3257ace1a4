"""UI text of the staff (sites), leadership (targets) and data pages, Chinese first; and the audit table.

Registered with :mod:`i18n` on import (page titles live in :mod:`app_pages.ui_text`).
"""

from __future__ import annotations

from collections.abc import Sequence

from i18n import t
from settings import Language
from sites.store import AuditEntry

#: Fields left out of the "changes" column (stamps every write changes).
_STAMPS = {"updated_by", "updated_at", "created_by", "created_at", "id", "version"}


def audit_table(entries: Sequence[AuditEntry], lang: Language) -> dict[str, list[object]]:
    """Columns of an audit table: when, who, what, which site, and each changed field before → after."""
    def changes(entry: AuditEntry) -> str:
        if entry.action == "create":
            return ""
        pairs = [(k, v) for k, v in entry.changes().items() if k not in _STAMPS]
        return "; ".join(f"{k}: {_show(b)} → {_show(a)}" for k, (b, a) in pairs)

    def name(entry: AuditEntry) -> str:
        return str((entry.after or entry.before or {}).get("name", ""))

    return {
        t("ui.audit.at", lang): [e.at for e in entries],
        t("ui.audit.actor", lang): [e.actor for e in entries],
        t("ui.audit.action", lang): [t(f"ui.audit.{e.action}", lang) for e in entries],
        t("ui.audit.site", lang): [e.subject_id for e in entries],
        t("ui.audit.name", lang): [name(e) for e in entries],
        t("ui.audit.changes", lang): [changes(e) for e in entries],
    }


def _show(value: object) -> str:
    return "—" if value in (None, "") else str(value)

