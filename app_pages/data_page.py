"""Data page: import with a preview, export in every format, the audit log, and the region switch."""

from __future__ import annotations

import datetime

import streamlit as st

from app_pages.data_audit import render_audit_log
from app_pages.data_demand import render_demand
from app_pages.data_files import EXPORT_MIME, export_bytes
from app_pages.data_import import render_import
from app_pages.data_network import render_network
from app_pages.data_region import render_region
from app_pages.form_widgets import actor_input
from app_pages.loaders import site_store
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import uploader_words
from geodata.boundaries import unit_words
from settings import get_settings
from sites.io import EXPORT_EXTENSIONS

lang = current_lang()
store = site_store(str(get_settings().db))

st.header(tr("ui.page.data"))
uploader_words()
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
render_audit_log(store)

st.subheader(tr("ui.data.region", **unit_words(store.towns().region.level, lang)))  # 镇街 or 区县
render_region(store)

st.subheader(tr("ui.data.demand"))
render_demand(store)

st.subheader(tr("ui.data.network"))
render_network(store)
