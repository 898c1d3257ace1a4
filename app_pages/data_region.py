"""The region part of the data page: load another boundary file, preview its towns on the map, then switch.

The region lives in the database: the page shows its name, level (镇街/区县), source, CRS as given,
licence and load date. A file's coordinate system is never assumed: the radio has nothing chosen
until the user says wgs84, gcj02 or bd09 (or "as the file says" for a projected file), and the
preview waits for it. A file with codes and no names loads with its codes as names (a warning).
The switch goes through :meth:`sites.store.SiteStore.set_region`, which
refuses (naming each site) when existing sites would fall outside every new town.
Only an admin may upload a boundary file (shared mode): the role is checked,
and a refusal logged, before the upload is read, loaded or drawn
(:func:`app_pages.data_import.upload_allowed`). Town names and codes from the
file reach the preview map as text only (:mod:`maps.webmap`).
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import platformdirs
import streamlit as st
from streamlit_folium import st_folium

from app_pages.auth import current_actor
from app_pages.data_files import BOUNDARY_KINDS, boundary_fields, safe_name
from app_pages.data_import import REGION_ROLES, may_upload, problems_table, upload_allowed
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from errors import AccessDenied, BoundaryError, CRSError, ImportRejected, RecordError
from geodata.boundaries import Region, load_region
from i18n import t
from maps.webmap import build_map, display_names
from settings import APP_NAME, get_settings
from sites.region import BUNDLED, RegionSpec, TownIndex
from sites.store import SiteStore
from sites.uploads import KINDS, check_upload

#: Coordinate systems of a boundary file; ``file``: as the file itself says (projected files only).
BOUNDARY_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09", "file")


def _spec_values() -> tuple[str | None, str | None, str | None]:
    state = st.session_state
    crs = state.get(f"region_crs_{current_lang()}")
    return (None if crs in (None, "file") else crs, state.get("region_name_field") or None,
            state.get("region_code_field") or None)


def _region_now(store: SiteStore) -> None:
    """The stored region: name, units and their level, source, CRS as given, licence, load date."""
    lang = current_lang()
    info = store.region_info()
    region = store.region()
    if info is None:
        return
    st.caption(tr("ui.data.region_stored", name=md_escape(region.display_name(lang)), n=len(region.towns),
                  level=region.level_label(lang), crs=md_escape(info.crs_given),
                  source=t("sites.region.bundled", lang) if info.source == BUNDLED else md_escape(info.file_name),
                  licence=md_escape(info.licence or "-"), at=info.loaded_at))


def render_region(store: SiteStore) -> None:
    """Upload a boundary file, choose its coordinate system and fields, preview, confirm the switch."""
    lang = current_lang()
    _region_now(store)
    allowed = may_upload(REGION_ROLES)
    upload = st.file_uploader(tr("ui.data.region_upload"), type=["geojson", "json", "gpkg", "zip"],
                              key="region_upload", help=None if allowed else tr("ui.data.region_role"))
    if upload is None:
        if not allowed:
            st.caption(tr("ui.data.region_role"))
        return
    if not upload_allowed(store, roles=REGION_ROLES, action="region_preview", target="region_upload"):
        return  # before the file is read, loaded or drawn
    data = upload.getvalue()
    try:
        kind = check_upload(upload.name, data, BOUNDARY_KINDS)
    except ImportRejected as exc:
        st.error(md_escape(exc.message(lang)))
        return
    with tempfile.TemporaryDirectory(prefix="region-") as tmp:
        path = Path(tmp) / f"boundaries{KINDS[kind][2]}"  # the user's file name never becomes a path
        path.write_bytes(data)
        try:
            fields = boundary_fields(path)
        except Exception as exc:  # noqa: BLE001  (GDAL raises many kinds; the user sees why)
            shown = safe_name(upload.name)  # the user's name, never the server's temporary path
            st.error(tr("ui.data.region_unreadable", file=md_escape(shown),
                        error=md_escape(str(exc).replace(str(path), shown))))
            return
        # nothing preselected: a boundary file's coordinate system is never assumed
        chosen = st.radio(tr("ui.data.region_crs"), list(BOUNDARY_CRS), index=None, key=f"region_crs_{lang}",
                          format_func=lambda c: t(f"ui.crs.{c}", lang), horizontal=True)
        cols = st.columns(2)
        choices = ["", *fields]
        for col, key, label in ((cols[0], "region_name_field", "ui.data.name_field"),
                                (cols[1], "region_code_field", "ui.data.code_field")):
            if st.session_state.get(key) not in choices:
                st.session_state[key] = ""
            col.selectbox(tr(label), choices, key=key, format_func=lambda f: f or t("ui.data.detect", lang))
        crs, name_field, code_field = _spec_values()
        if chosen is None:
            st.info(tr("ui.data.region_crs_first"))
            return
        try:
            with st.spinner(tr("ui.data.region_loading")):
                region = load_region(path, crs=crs, name_field=name_field, code_field=code_field,
                                     crs_required=chosen != "file", missing_names="codes")
        except (BoundaryError, CRSError) as exc:
            st.error(tr("ui.data.region_bad"))
            st.dataframe(problems_table(exc.problems), hide_index=True)
            return
        _preview(region, store)
        cols = st.columns(2)
        name = cols[0].text_input(tr("ui.data.region_name"), value=region.name_zh, key="region_title").strip()
        licence = cols[1].text_input(tr("ui.data.region_licence"), value=region.licence, key="region_licence").strip()
        if name:
            region.name_zh = region.name_en = name
        st.checkbox(tr("ui.data.region_confirm"), key="region_confirm")
        if st.button(tr("ui.data.region_switch"), key="region_switch", type="primary",
                     disabled=not st.session_state.get("region_confirm")):
            _switch(store, path, crs, name_field, code_field, region, licence)


def _preview(region: Region, store: SiteStore) -> None:
    lang = current_lang()
    st.markdown(tr("ui.region.preview", n=len(region.towns), level=region.level_label(lang),
                   area=float(region.towns["area_km2"].sum())))
    for warning in region.warnings:
        st.warning(md_escape(warning.message(lang)))
    left, right = st.columns([3, 2])
    with left:
        st_folium(build_map(region, lang=lang), key="region_preview_map", height=420, use_container_width=True,
                  returned_objects=[])
    with right:
        st.dataframe(pd.DataFrame({t("map.field.name", lang): display_names(region.towns, lang).to_numpy(),
                                   t("map.field.code", lang): region.towns["code"].astype(str).to_numpy(),
                                   t("map.field.area", lang): region.towns["area_km2"].round(1).to_numpy()}),
                     hide_index=True)
    sites = store.list_sites()
    outside = sum(code is None for code in TownIndex(region).assign([s.lng for s in sites], [s.lat for s in sites]))
    if outside:
        st.error(tr("ui.data.region_orphans", n=outside, total=len(sites)))


def _switch(store: SiteStore, path: Path, crs: str | None, name_field: str | None, code_field: str | None,
            region: Region, licence: str) -> None:
    """Switch to ``region`` (read once above; its towns go into the database). A copy of the file is kept
    next to the database as a record of where the outlines came from; nothing reads it again."""
    db = get_settings().db  # a server's URL (PostgreSQL) has no folder: the copy goes to the app's data folder
    keep_dir = (db.parent if isinstance(db, Path) else Path(platformdirs.user_data_dir(APP_NAME))) / "regions"
    keep_dir.mkdir(parents=True, exist_ok=True)
    kept = keep_dir / f"{datetime.datetime.now():%Y%m%d-%H%M%S}-{path.name}"
    shutil.copyfile(path, kept)
    region.source = str(kept)
    actor = current_actor()
    try:
        changed = store.set_region(RegionSpec.file(kept, crs=crs, name_field=name_field, code_field=code_field,
                                                   region_name=region.name_zh), actor=actor, region=region,
                                   licence=licence or None)
    except (RecordError, BoundaryError, AccessDenied) as exc:
        kept.unlink(missing_ok=True)
        st.error(tr("ui.data.region_refused"))
        st.dataframe(problems_table(exc.problems), hide_index=True)
        return
    st.success(tr("ui.data.region_switched", region=md_escape(kept.name), changed=changed))
