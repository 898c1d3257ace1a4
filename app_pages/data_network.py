"""The street network part of the data page: what is stored, and loading another one (admins).

The network walking distance uses (:mod:`sites.network_store`): an OpenStreetMap
extract (``.osm.pbf``) or a lines file (GeoJSON, GeoPackage, zipped Shapefile) in a
coordinate system the user names, clipped to the region and stored with it. Only
an admin may upload one (shared mode): the role is checked, and a refusal
logged, before the upload is read (:func:`app_pages.data_import.upload_allowed`).
The stored summary (junctions, segments, length, disconnected pieces), source,
licence and date are shown to everyone, with the plain statement that only walking
is scored (a cycling network can be stored from the command line, nothing uses it).
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
from app_pages.widgets import translated_radio
from errors import AccessDenied, CRSError, RecordError, UnreadableFile
from i18n import t
from sites.network_store import NetworkInfo, NetworkStore, default_licence
from sites.store import SiteStore

#: File kinds a network upload may be, by how its name ends (the stored copy is named by this, never by the user).
NETWORK_SUFFIXES: tuple[str, ...] = (".osm.pbf", ".pbf", ".geojson", ".json", ".gpkg", ".zip")
#: Largest network upload (bytes): a clipped provincial extract fits; a whole country does not.
MAX_NETWORK_BYTES = 1_000_000_000


def _summary_table(info: NetworkInfo) -> pd.DataFrame:
    s = info.summary
    rows = [("ui.data.network_source", info.source_name), ("ui.data.network_crs", info.source_crs),
            ("ui.data.network_licence", info.licence), ("ui.data.network_loaded", f"{info.loaded_at} · {info.loaded_by}"),
            ("ui.data.network_junctions", f"{s.junctions:,}"), ("ui.data.network_segments", f"{s.segments:,}"),
            ("ui.data.network_length", f"{s.length_km:,.1f}"),
            ("ui.data.network_pieces", f"{s.pieces:,} ({s.largest_piece_share:.0%})")]
    return pd.DataFrame({tr("ui.data.network_what"): [tr(k) for k, _ in rows],
                         tr("ui.data.network_value"): [v for _, v in rows]})


def render_network(store: SiteStore) -> None:
    """The stored network's summary, then (admins) an upload with its coordinate system, mode and licence."""
    lang = current_lang()
    networks = NetworkStore(store)
    info = networks.info("walk")
    if info is None:
        st.caption(tr("ui.data.network_none"))
    else:
        st.dataframe(_summary_table(info), hide_index=True)
    st.caption(tr("ui.data.network_walk_only"))
    allowed = may_upload(REGION_ROLES)
    upload = st.file_uploader(tr("ui.data.network_upload"), type=["pbf", "geojson", "json", "gpkg", "zip"],
                              key="network_upload", help=tr("ui.data.network_help") if allowed
                              else tr("ui.data.network_role"))
    if upload is None:
        if not allowed:
            st.caption(tr("ui.data.network_role"))
        return
    if not upload_allowed(store, roles=REGION_ROLES, action="network_upload", target="network_upload"):
        return  # before the file is read
    name = upload.name.lower()
    suffix = next((s for s in NETWORK_SUFFIXES if name.endswith(s)), None)
    if suffix is None or upload.size > MAX_NETWORK_BYTES:
        st.error(tr("ui.data.network_kind", file=md_escape(upload.name)))
        return
    crs = translated_radio(tr("ui.data.network_crs"), ["wgs84", "gcj02", "bd09"], key="network_crs",
                           default="wgs84", format_func=lambda c: t(f"ui.crs.{c}", lang))
    licence = st.text_input(tr("ui.data.network_licence"), value=default_licence(name) or "",
                            key="network_licence").strip()
    if st.button(tr("ui.data.network_load"), key="network_load", type="primary", disabled=not licence):
        with tempfile.TemporaryDirectory(prefix="network-") as tmp:
            path = Path(tmp) / f"network{'.osm.pbf' if suffix.endswith('pbf') else suffix}"
            path.write_bytes(upload.getvalue())
            try:
                with st.spinner(tr("ui.data.network_loading")):
                    network = networks.read_file(path, crs=crs, mode="walk")
                    stored = networks.store(network, actor=current_actor(), source_name=upload.name,
                                            licence=licence)
            except (UnreadableFile, CRSError, RecordError, AccessDenied) as exc:
                st.error(tr("ui.data.network_refused"))
                st.dataframe(problems_table(exc.problems), hide_index=True)
                return
        st.success(tr("ui.data.network_stored", file=md_escape(stored.source_name)))
        st.dataframe(_summary_table(stored), hide_index=True)
