"""The import part of the data page: upload, preview with a status per row and every error, then commit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.auth import current_actor
from app_pages.data_files import safe_name, uploaded_records
from app_pages.form_site import CRS_OPTIONS
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio
from errors import AccessDenied, ImportRejected, Problem
from i18n import t
from sites.io import IMPORT_EXTENSIONS
from sites.storage import SiteStore
from sites.validation import RawRecords


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """Line, field, level and reason of each problem, in the session's language."""
    lang = current_lang()
    return pd.DataFrame({
        tr("ui.data.col.line"): [p.row if p.row is not None else "" for p in problems],
        tr("ui.data.col.field"): [p.field or "" for p in problems],
        tr("ui.data.col.level"): [tr(f"ui.data.level.{p.level}") for p in problems],
        tr("ui.data.col.reason"): [t(p.code, lang, **p.params) for p in problems],
    })


def _preview(records: RawRecords, problems: list[Problem]) -> pd.DataFrame:
    bad = {p.row for p in problems if p.level == "error"}
    warned = {p.row for p in problems if p.level == "warning"}
    frame = records.frame.rename(columns=lambda c: records.headers.get(c, c)).copy()
    frame.insert(0, tr("ui.data.col.status"), [
        tr("ui.data.row_bad") if line in bad else tr("ui.data.row_warn") if line in warned else tr("ui.data.row_ok")
        for line in records.lines])
    frame.insert(0, tr("ui.data.col.line"), records.lines)
    return frame.astype(str)


def render_import(store: SiteStore) -> None:
    """Upload → preview (per-row status, errors table) → commit (all or nothing, or skip invalid rows)."""
    lang = current_lang()
    upload = st.file_uploader(tr("ui.data.upload"), type=[e[1:] for e in IMPORT_EXTENSIONS], key="data_upload")
    crs = translated_radio(tr("ui.form.crs"), list(CRS_OPTIONS), key="data_crs", default=CRS_OPTIONS[0],
                           format_func=lambda c: t(f"ui.crs.{c}", lang))
    options = st.columns(2)
    skip = options[0].checkbox(tr("ui.data.skip_invalid"), key="data_skip_invalid")
    allow_dup = options[1].checkbox(tr("ui.data.allow_duplicates"), key="data_allow_duplicates")
    if upload is None:
        st.caption(tr("ui.data.upload_hint"))
        return
    name = safe_name(upload.name)
    try:
        records = uploaded_records(name, upload.getvalue())
    except ImportRejected as exc:
        st.error(tr("ui.data.unreadable", file=md_escape(name)))
        st.dataframe(problems_table(exc.problems), hide_index=True)
        return
    with st.spinner(tr("ui.data.checking", n=len(records))):
        result = store.validate(records, crs=crs, allow_duplicates=allow_dup, default_source=name)
    problems = result.problems
    n_bad = len(result.rejected)
    st.markdown(tr("ui.data.preview", file=md_escape(name), n=len(records), ok=len(records) - n_bad, bad=n_bad))
    st.dataframe(_preview(records, problems), hide_index=True)
    if problems:
        st.subheader(tr("ui.data.problems"))
        st.dataframe(problems_table(problems), hide_index=True)
    if st.button(tr("ui.data.commit"), key="data_commit", type="primary"):
        _commit(store, records, crs, skip=skip, allow_dup=allow_dup, source=name)


def _commit(store: SiteStore, records: RawRecords, crs: str, *, skip: bool, allow_dup: bool, source: str) -> None:
    actor = current_actor()
    with st.status(tr("ui.data.importing", n=len(records)), expanded=True) as status:
        st.write(tr("ui.data.step_validate"))
        progress = st.progress(0.3)
        try:
            report = store.import_records(records, actor=actor, crs=crs, skip_invalid=skip,
                                          allow_duplicates=allow_dup, source=source)
        except (ImportRejected, AccessDenied) as exc:
            progress.progress(1.0)
            status.update(label=tr("ui.data.rejected"), state="error")
            st.error(md_escape(exc.problems[0].message(current_lang())))
            return
        progress.progress(1.0)
        status.update(label=tr("ui.data.imported", written=len(report.written),
                               rejected=len(report.rejected_lines)), state="complete")
    st.success(tr("ui.data.imported", written=len(report.written), rejected=len(report.rejected_lines)))
