"""The map page's sidebar: site types, distance mode and radius per type, statuses, towns, date, layers, demand layer.

Next to the radii, a switch (key ``map_distance``) says how reach is measured:
直线距离 (straight) or 步行距离 (walking along the street network stored with
the region). Walking, the radius is read as walked metres, or as minutes at a
stated speed (``map_walk_unit``, ``map_walk_speed``; 4.5 km/h = 75 m a minute), and
how far a site or demand point may lie from every street before it joins nothing
(``map_max_access``, metres, 200 by default); the sites that lie farther are listed.

It is the edge where the map's :class:`scoring.query.CoverageQuery` is built and
validated, once per run; the page passes it whole to the loaders and the map.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.data_import import UPLOAD_ROLES, may_upload, upload_allowed
from app_pages.loaders import current_store, save_upload
from app_pages.map_widgets import translated_multiselect
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio, translated_select
from errors import ImportRejected, RecordError
from geodata.boundaries import Region
from maps.export import MapOptions
from maps.webmap import available_tiles, display_names
from scoring.query import MAX_ACCESS_M, WALK_SPEED_KMH, CoverageQuery, DemandRef, walk_metres, walk_minutes
from scoring.selection import DEFAULT_STATUSES
from settings import Settings, load_site_types
from sites.models import STATUSES, status_name

#: Radius presets in metres (GB 50180-2018 walking circles); "custom" opens a number field.
RADIUS_PRESETS: tuple[str, ...] = ("300", "500", "1000", "custom")
TILES_KEY = "map_tiles"


def _radius_control(key: str, default_m: float, label: str, basis: str) -> float:
    default = f"{default_m:.0f}" if f"{default_m:.0f}" in RADIUS_PRESETS else "custom"
    choice = translated_radio(label, RADIUS_PRESETS, key=f"map_radius_{key}", default=default,
                              format_func=lambda v: tr("ui.mapx.custom") if v == "custom" else tr("ui.mapx.radius_preset", m=int(v)))
    st.caption(tr("ui.mapx.basis", text=basis))
    if choice != "custom":
        return float(choice)
    return float(st.number_input(tr("ui.mapx.radius_m"), min_value=50.0, max_value=50_000.0, step=50.0,
                                 value=float(default_m), key=f"map_radius_m_{key}"))


def sidebar_options(region: Region, settings: Settings) -> tuple[CoverageQuery, MapOptions, str | None]:
    """Draw the sidebar controls (every widget keyed ``map_*``) and return what they ask for: the
    validated query (types, radii, statuses, date, demand layer), the rendering options and the
    uploaded demand file's name (``None`` without one). A query that cannot be built stops the page
    with the reason."""
    lang = current_lang()
    site_types = load_site_types(settings)
    names = {t.key: t.name(lang) for t in site_types}
    defaults = settings.default_radii_m()
    with st.sidebar:
        st.subheader(tr("ui.mapx.controls"))
        types = translated_multiselect(tr("ui.mapx.types"), list(names), key="map_types", default=list(names),
                                       format_func=names.__getitem__)
        radii: dict[str, float] = {}
        codes = region.towns["code"].astype(str).tolist()
        town_names = dict(zip(codes, display_names(region.towns, lang), strict=True))
        distance, speed, network_ref, max_access = _distance_control(
            names, town_names, region.unit_text("ui.mapx.off_network_town", lang))
        with st.expander(tr("ui.mapx.radii"), expanded=False):
            minutes = distance == "network" and st.session_state.get("map_walk_unit") == "minutes"
            for site_type in site_types:
                if site_type.key in types:
                    if minutes:
                        radii[site_type.key] = _minutes_control(site_type.key, defaults[site_type.key], speed,
                                                                tr("ui.mapx.minutes_of", type=site_type.name(lang)))
                        continue
                    radii[site_type.key] = _radius_control(site_type.key, defaults[site_type.key],
                                                           tr("ui.mapx.radius_of", type=site_type.name(lang)),
                                                           site_type.radius_basis(lang))
        statuses = translated_multiselect(tr("ui.mapx.statuses"), list(STATUSES), key="map_statuses",
                                          default=list(DEFAULT_STATUSES),
                                          format_func=lambda s: status_name(s, lang))
        st.caption(tr("ui.mapx.statuses_help"))
        towns = translated_multiselect(region.unit_text("ui.mapx.towns", lang), codes, key="map_towns", default=[],
                                       format_func=town_names.__getitem__,
                                       placeholder=region.unit_text("ui.mapx.all_towns", lang))
        as_of = st.date_input(tr("ui.mapx.as_of"), value=datetime.date.today(), key="map_as_of")
        focus = translated_radio(tr("ui.mapx.focus"), types or [""], key="map_focus",
                                 default=types[0] if types else "", horizontal=False,
                                 format_func=lambda k: names.get(k, "—"))
        show_catchment = st.checkbox(tr("ui.mapx.show_catchment"), value=True, key="map_show_catchment")
        show_gaps = st.checkbox(tr("ui.mapx.show_gaps"), value=True, key="map_show_gaps")
        choices = available_tiles(settings.tianditu_key)
        tiles = translated_radio(tr("ui.map.tiles"), choices, key=TILES_KEY,
                                 default=settings.tiles if settings.tiles in choices else "none",
                                 format_func=lambda key: tr(f"ui.tiles.{key}"), horizontal=False)
        if tiles != "none":
            st.caption(tr("ui.map.tiles_online"))
        demand, demand_name = _demand_choice(region)
    try:
        query = CoverageQuery(types=tuple(types), radii_m=tuple(radii.items()), statuses=tuple(statuses),
                              as_of=as_of if isinstance(as_of, datetime.date) else None, demand=demand,
                              distance=distance, walk_speed_kmh=speed, network_ref=network_ref,
                              max_access_m=max_access)
    except RecordError as exc:
        st.error(md_escape(exc.message(lang)))
        st.stop()
    options = MapOptions(towns=tuple(towns), focus_type=focus or None, show_catchment=show_catchment,
                         show_gaps=show_gaps, lang=lang, tiles=tiles, tianditu_key=settings.tianditu_key)
    return query, options, demand_name


def _distance_control(type_names: dict[str, str], town_names: dict[str, str], town_header: str
                      ) -> tuple[str, float, str, float]:
    """The switch 直线距离 / 步行距离 and, walking, the unit of the radius (metres or minutes), the speed and
    the access limit (metres from the nearest street).

    Returns ``(distance, walk_speed_kmh, network_ref, max_access_m)``. Walking needs the network stored with the region
    (data page, or ``python -m sites set-network``); without one the switch says so and straight is used.
    """
    from sites.network_store import NetworkStore

    distance = translated_radio(tr("ui.mapx.distance"), ["straight", "network"], key="map_distance",
                                default="straight", format_func=lambda k: tr(f"ui.mapx.distance_mode.{k}"))
    if distance != "network":
        return "straight", WALK_SPEED_KMH, "", MAX_ACCESS_M
    info = NetworkStore(current_store()).info("walk")
    if info is None:
        st.warning(tr("ui.mapx.no_network"))
        return "straight", WALK_SPEED_KMH, "", MAX_ACCESS_M
    translated_radio(tr("ui.mapx.walk_unit"), ["metres", "minutes"], key="map_walk_unit", default="metres",
                     format_func=lambda k: tr(f"ui.mapx.walk_unit.{k}"))
    speed = float(st.number_input(tr("ui.mapx.walk_speed"), min_value=1.0, max_value=30.0, step=0.5,
                                  value=WALK_SPEED_KMH, key="map_walk_speed"))
    max_access = float(st.number_input(tr("ui.mapx.max_access"), min_value=10.0, max_value=5_000.0, step=10.0,
                                       value=MAX_ACCESS_M, key="map_max_access", help=tr("ui.mapx.max_access_help")))
    st.caption(tr("ui.mapx.walk_note", speed=speed, per_minute=walk_metres(1.0, speed),
                  junctions=info.summary.junctions, file=md_escape(info.source_name), m=f"{max_access:,.0f}"))
    ref = f"walk@{info.loaded_at}"
    _off_network_warning(ref, max_access, type_names, town_names, town_header)
    return "network", speed, ref, max_access


def _off_network_warning(network_ref: str, max_access_m: float, type_names: dict[str, str],
                         town_names: dict[str, str], town_header: str) -> None:
    """Say how many registry sites lie farther than ``max_access_m`` from every street (they join no street and
    cover nothing on foot), and list them: name, type, town."""
    from app_pages.loaders import load_sites, load_street_network
    from scoring.service_area import off_network

    store = current_store()
    db = str(store.path)
    network = load_street_network(db, network_ref)
    sites = load_sites(db, store.revision())
    if network is None or not len(sites):
        return
    far = off_network(network, sites["lng"].to_numpy(float), sites["lat"].to_numpy(float),
                      max_access_m=max_access_m)
    if not far.any():
        return
    st.warning(tr("ui.mapx.off_network", n=int(far.sum()), m=f"{max_access_m:,.0f}"))
    off = sites.loc[far]
    with st.expander(tr("ui.mapx.off_network_list", n=int(far.sum())), expanded=False):
        st.dataframe(pd.DataFrame({
            tr("ui.mapx.off_network_name"): off["name"].astype(str).to_numpy(),
            tr("ui.mapx.off_network_type"): [type_names.get(str(k), str(k)) for k in off["type"]],
            town_header: [town_names.get(str(c), "—") for c in off["town_code"]],
        }), hide_index=True, key="map_off_network")


def _minutes_control(key: str, default_m: float, speed_kmh: float, label: str) -> float:
    """A radius given as walking minutes at ``speed_kmh``; returns metres."""
    value = st.number_input(label, min_value=1.0, max_value=120.0, step=1.0,
                            value=float(round(walk_minutes(default_m, speed_kmh))), key=f"map_minutes_{key}")
    metres = walk_metres(float(value), speed_kmh)
    st.caption(tr("ui.mapx.minutes_is", m=f"{metres:,.0f}", speed=speed_kmh))
    return metres


def _demand_choice(region: Region) -> tuple[DemandRef | None, str | None]:
    """The demand layer: one stored in the registry by name (data page, ``python -m sites demand-add``;
    ``map_demand_layer``, offered when there is one), else a file uploaded here. Returns the reference
    and the name shown; ``(None, None)`` without one."""
    from demand.store import DemandStore

    stored = [info.name for info in DemandStore(current_store()).list()]
    if stored:
        name = translated_select(tr("ui.mapx.demand_stored"), ["", *stored], key="map_demand_layer", default="",
                                 format_func=lambda n: n or tr("ui.mapx.demand_none"))
        if name:
            return DemandRef.stored(name), name
    return _demand_upload(region)


def _demand_upload(region: Region) -> tuple[DemandRef | None, str | None]:
    """The demand layer upload: an editor or an admin (a file stored and parsed on the server is a write;
    a viewer reads only, see :mod:`accounts.permissions`). The role is checked, and a refusal logged, first."""
    allowed = may_upload(UPLOAD_ROLES)
    upload = st.file_uploader(tr("ui.mapx.demand"), type=["csv", "geojson", "gpkg", "tif", "tiff"],
                              key="map_demand",
                              help=region.unit_text("ui.mapx.demand_help", current_lang()) if allowed
                              else tr("ui.mapx.demand_role"))
    if upload is None:
        return None, None
    if not upload_allowed(current_store(), roles=UPLOAD_ROLES, action="demand_upload", target="map_demand"):
        return None, None  # before the file is read or stored
    weight = st.text_input(tr("ui.mapx.weight_field"), key="map_weight_field").strip()
    try:
        path = save_upload(upload.getvalue(), upload.name)
    except ImportRejected as exc:
        st.error(md_escape(exc.message(current_lang())))
        return None, None
    return DemandRef(str(path), weight or None), Path(upload.name).name
