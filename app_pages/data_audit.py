"""The audit-log part of the data page: every recorded change of sites, targets and accounts, filtered.

Reads the one audit trail of the registry (:func:`database.audit.audit_log`),
newest first; filters by kind of record, record number, action, who and dates, in the ``timezone`` setting's
zone (default Asia/Shanghai) as the times are shown; the log keeps UTC.
"""

from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from app_pages.form_text import audit_table, local_dates, zone_params
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_select
from database.audit import ACTIONS, KINDS, audit_log
from i18n import t
from settings import get_settings
from sites.store import SiteStore

#: Entries shown at most, newest first; the filters reach older ones.
AUDIT_ROWS = 1000


def render_audit_log(store: SiteStore) -> None:
    """The filters (widget keys ``audit_kind``, ``audit_id``, ``audit_action``, ``audit_actor``,
    ``audit_dates``) and the log, newest first."""
    lang = current_lang()
    filters = st.columns(5)
    with filters[0]:
        kind = translated_select(tr("ui.audit.kind"), ["", *KINDS], key="audit_kind", default="",
                                 format_func=lambda k: t(f"ui.audit.kind.{k}", lang) if k else t("ui.all", lang))
    record_id = filters[1].number_input(tr("ui.audit.record"), key="audit_id", min_value=0, step=1,
                                        help=tr("ui.data.audit_id_help"))
    with filters[2]:
        action = translated_select(tr("ui.audit.action"), ["", *ACTIONS], key="audit_action", default="",
                                   format_func=lambda a: t(f"ui.audit.{a}", lang) if a else t("ui.all", lang))
    actor = filters[3].text_input(tr("ui.audit.actor"), key="audit_actor")
    dates = filters[4].date_input(tr("ui.data.audit_dates", **zone_params(get_settings().timezone)), key="audit_dates", value=[], format="YYYY-MM-DD")
    since = dates[0] if len(dates) >= 1 else None
    until = dates[1] if len(dates) == 2 else since
    zone = get_settings().timezone
    day = datetime.timedelta(days=1)  # the dates are local: read a day either side in UTC, then keep the local days
    entries = audit_log(store.database, kind=kind or None, subject_id=int(record_id) or None, action=action or None,
                        actor=actor.strip() or None, since=since and since - day, until=until and until + day,
                        limit=AUDIT_ROWS + 1)  # one more: whether older entries were left out
    more = len(entries) > AUDIT_ROWS
    entries = local_dates(entries[:AUDIT_ROWS], since, until, zone)
    st.caption(tr("ui.data.audit_more", n=f"{len(entries):,}") if more else tr("ui.data.audit_count", n=len(entries)))
    st.dataframe(pd.DataFrame(audit_table(entries, lang, zone=zone, kinds=True)), hide_index=True)
