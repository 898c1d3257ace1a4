"""Data page: import with a preview, export in every format, the audit log, and the region switch."""

from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from app_pages.data_files import EXPORT_MIME, export_bytes
from app_pages.data_import import render_import
from app_pages.data_region import render_region
from app_pages.form_text import audit_table
from app_pages.form_widgets import actor_input
from app_pages.loaders import site_store
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_select
from database.audit import ACTIONS, audit_log
from i18n import t
from settings import get_settings
from sites.io import EXPORT_EXTENSIONS

lang = current_lang()
store = site_store(str(get_settings().db))

st.header(tr("ui.page.data"))
actor_input()

st.subheader(tr("ui.data.import"))
render_import(store)

st.subheader(tr("ui.data.export"))
st.caption(tr("ui.data.export_hint", n=store.count()))
buttons = st.columns(len(EXPORT_EXTENSIONS))
for column, suffix in zip(buttons, EXPORT_EXTENSIONS, strict=True):
    column.download_button(tr("ui.data.export_as", fmt=suffix[1:].upper()),
                           data=lambda suffix=suffix: export_bytes(store, suffix, lang),
                           file_name=f"sites-{datetime.date.today().isoformat()}{suffix}", mime=EXPORT_MIME[suffix],
                           key=f"data_export_{suffix[1:]}", on_click="ignore")

st.subheader(tr("ui.data.audit"))
filters = st.columns(4)
site_id = filters[0].number_input(tr("ui.audit.site"), key="audit_site", min_value=0, step=1,
                                  help=tr("ui.data.audit_site_help"))
with filters[1]:
    action = translated_select(tr("ui.audit.action"), ["", *ACTIONS], key="audit_action", default="",
                               format_func=lambda a: t(f"ui.audit.{a}", lang) if a else t("ui.all", lang))
actor = filters[2].text_input(tr("ui.audit.actor"), key="audit_actor")
dates = filters[3].date_input(tr("ui.data.audit_dates"), key="audit_dates", value=[], format="YYYY-MM-DD")
since = dates[0] if len(dates) >= 1 else None
until = dates[1] if len(dates) == 2 else since
entries = audit_log(store, site_id=int(site_id) or None, action=action or None, actor=actor.strip() or None,
                    since=since, until=until)
st.caption(tr("ui.data.audit_count", n=len(entries)))
st.dataframe(pd.DataFrame(audit_table(entries, lang)), hide_index=True)

st.subheader(tr("ui.data.region"))
render_region(store)
