"""The audit table of the app: one site's history (sites page) and the log of every record (data page).

Texts: ``ui.audit.*`` in :mod:`i18n.tables.app_form`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from database.audit import AuditEntry
from database.connection import parse_utc, wall_clock, zone_label
from i18n import t
from settings import Language

#: Fields left out of the "changes" column (stamps every write changes).
_STAMPS = {"updated_by", "updated_at", "created_by", "created_at", "id", "version"}


def local_time(at: str, zone: str) -> str:
    """A stored UTC moment (``2025-06-30T08:15:00.000Z``) as wall-clock time in ``zone`` (an IANA name such as
    ``Asia/Shanghai``, the ``timezone`` setting): ``2025-06-30 16:15:00``. Text that is no stored moment is
    returned as it is."""
    try:
        return wall_clock(at, zone)
    except (TypeError, ValueError):
        return at


def zone_params(zone: str, now: datetime.datetime | None = None) -> dict[str, str]:
    """Message parameters naming ``zone`` by its offset from UTC now: ``zone`` (``UTC+08:00``) and ``zone_en``
    (``Asia/Shanghai, UTC+08:00``)."""
    label = zone_label(zone, now)
    return {"zone": label, "zone_en": f"{zone}, {label}"}


def local_dates(entries: Sequence[AuditEntry], since: datetime.date | None, until: datetime.date | None,
                zone: str) -> list[AuditEntry]:
    """The entries whose moment falls on a calendar date from ``since`` to ``until`` (inclusive) in ``zone``."""
    tz = ZoneInfo(zone)
    return [e for e in entries
            if (since is None or parse_utc(e.at).astimezone(tz).date() >= since)
            and (until is None or parse_utc(e.at).astimezone(tz).date() <= until)]


def audit_table(entries: Sequence[AuditEntry], lang: Language, *, zone: str,
                kinds: bool = False) -> dict[str, list[object]]:
    """Columns of an audit table: when (in ``zone``, the ``timezone`` setting; stored in UTC), who, what,
    which record, and each changed field before → after.

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
        t("ui.audit.at", lang, **zone_params(zone)): [local_time(e.at, zone) for e in entries],
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

