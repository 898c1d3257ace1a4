"""The demand-layer part of the data page: the stored layers (everyone), adding and deleting them (admins).

A layer is read once (:class:`demand.store.DemandStore`) and kept in the database with its name, kind,
source, CRS as given, unit and date; coverage and targets name it. A points file's coordinate system is
never assumed: the radio has nothing chosen. In shared mode only an admin may upload or delete; the role
is checked, and a refusal logged, before the upload is read (:func:`app_pages.data_import.upload_allowed`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.auth import current_actor
from app_pages.data_import import REGION_ROLES, may_upload, problems_table, upload_allowed
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from demand.store import DemandStore
from errors import AccessDenied, CRSError, NotFound, RecordError, UnreadableFile
from i18n import t
from sites.store import SiteStore

#: What a demand upload may be, by how its name ends (the stored copy is named by this, never by the user).
DEMAND_SUFFIXES: tuple[str, ...] = (".csv", ".geojson", ".json", ".gpkg", ".tif", ".tiff")
#: Largest demand upload (bytes): a province's population raster fits.
MAX_DEMAND_BYTES = 2_000_000_000


def layers_table(store: DemandStore) -> pd.DataFrame:
    """The stored layers, one row each, in the page's language."""
    lang = current_lang()
    rows = store.list()
    return pd.DataFrame({
        tr("ui.demand.col.name"): [r.name for r in rows],
        tr("ui.demand.col.kind"): [t(f"demand.kind.{r.kind}", lang) for r in rows],
        tr("ui.demand.col.total"): [f"{r.total:,.0f} {r.unit}" for r in rows],
        tr("ui.demand.col.count"): [r.n_values for r in rows],
        tr("ui.demand.col.crs"): [r.crs_given or "-" for r in rows],
        tr("ui.demand.col.source"): [r.source for r in rows],
        tr("ui.demand.col.loaded"): [f"{r.loaded_at} · {r.loaded_by}" for r in rows],
    })


def render_demand(store: SiteStore) -> None:
    """The stored layers, then (admins) add one from an upload, or delete one."""
    lang = current_lang()
    layers = DemandStore(store)
    table = layers_table(layers)
    if table.empty:
        st.caption(tr("ui.demand.none"))
    else:
        st.dataframe(table, hide_index=True)
    allowed = may_upload(REGION_ROLES)
    if not allowed:
        st.caption(tr("ui.demand.role"))
        return
    names = [r.name for r in layers.list()]
    if names:
        cols = st.columns([3, 1])
        gone = cols[0].selectbox(tr("ui.demand.delete_pick"), names, index=None, key="demand_delete_pick",
                                 placeholder=tr("ui.demand.delete_placeholder"))
        if cols[1].button(tr("ui.demand.delete"), key="demand_delete", disabled=gone is None):
            try:
                layers.delete(gone, actor=current_actor())
            except (AccessDenied, NotFound) as exc:
                st.error(md_escape(exc.message(lang)))
            else:
                st.success(tr("ui.demand.deleted", name=md_escape(gone)))
                st.rerun()
    region = store.region()  # its unit (镇街 or 区县) words the totals-per-unit kind
    upload = st.file_uploader(region.unit_text("ui.demand.upload", lang), type=[s[1:] for s in DEMAND_SUFFIXES],
                              key="demand_upload")
    if upload is None:
        return
    if not upload_allowed(store, roles=REGION_ROLES, action="demand_add", target="demand_upload"):
        return  # before the file is read
    suffix = next((s for s in DEMAND_SUFFIXES if upload.name.lower().endswith(s)), None)
    if suffix is None or upload.size > MAX_DEMAND_BYTES:
        st.error(tr("ui.demand.kind_bad", file=md_escape(upload.name)))
        return
    cols = st.columns(3)
    name = cols[0].text_input(tr("ui.demand.name"), key="demand_name").strip()
    weight = cols[1].text_input(tr("ui.demand.weight_field"), key="demand_weight").strip() or None
    unit = cols[2].text_input(tr("ui.demand.unit"), value=tr("ui.demand.unit_default"), key="demand_unit").strip()
    crs = st.radio(tr("ui.demand.crs"), ["wgs84", "gcj02", "bd09"], index=None, key=f"demand_crs_{lang}",
                   format_func=lambda c: t(f"ui.crs.{c}", lang), horizontal=True,
                   help=region.unit_text("ui.demand.crs_help", lang))
    if st.button(tr("ui.demand.add"), key="demand_add", type="primary", disabled=not name):
        with tempfile.TemporaryDirectory(prefix="demand-") as tmp:
            path = Path(tmp) / f"demand{suffix}"  # the user's file name never becomes a path
            path.write_bytes(upload.getvalue())
            try:
                with st.spinner(tr("ui.demand.loading")):
                    info = layers.add(name, path, actor=current_actor(), crs=crs, weight_field=weight,
                                      unit=unit or "people", file_name=upload.name)  # its source: the user's file
            except (RecordError, UnreadableFile, CRSError, AccessDenied) as exc:
                st.error(tr("ui.demand.refused"))
                st.dataframe(problems_table(exc.problems), hide_index=True)
                return
        st.success(t("demand.cli.added", lang, name=md_escape(info.name), kind=t(f"demand.kind.{info.kind}", lang),
                     n=info.n_values, total=f"{info.total:,.0f}", unit=md_escape(info.unit),
                     crs=info.crs_given or "-", source=md_escape(upload.name)))
