"""The planner's map: sites by type over the towns, catchment and gaps, covered share, suggestions.

Data flow: the sidebar (:mod:`app_pages.map_controls`) builds and validates the
:class:`scoring.query.CoverageQuery` (what is computed) and the renderer's
:class:`maps.export.MapOptions` (how it is drawn); coverage and gaps come from
loaders cached on the registry's revision and the query; the folium map is built once per data/options
change and kept in this session. Only clicks on the map rerun the page; a pan or
zoom stays in the browser, which opens the next map at the same view
(:class:`maps.webmap.FitView`). The suggestion panel runs before the map is built
so new suggestions are drawn at once; messages stay until the next action
(:func:`app_pages.map_widgets.show_flash`).
"""

from __future__ import annotations

import copy

import streamlit as st
from streamlit_folium import st_folium

from app_pages.auth import current_actor, current_principal
from app_pages.loaders import current_store, load_coverage, load_demand_layer, load_gaps, load_sites
from app_pages.map_controls import sidebar_options
from app_pages.map_suggest import SuggestionRun, suggestion_panel
from app_pages.map_table import compact_columns, compact_labels, town_table, town_table_csv, worst_towns
from app_pages.map_widgets import set_flash, show_flash
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from errors import MapError, ProductError
from geodata.crs import CoordSystem, convert_point
from maps.export import export_html, planner_map, shown_sites
from maps.webmap import tile_layers
from settings import get_settings, site_type
from sites.demo import seed_demo
from sites.region import BUNDLED
from sites.store import SiteStore

#: What st_folium reports of a click: on the bare map, or on a feature (town, gap, catchment, site).
CLICKS = ("last_clicked", "last_object_clicked")
#: Session keys: the st_folium state (also its widget key), the built map and the export.
MAP_KEY = "town_map"
BUILT_KEY = "map_built"
EXPORT_KEY = "map_export_html"


def _added(run: SuggestionRun | None) -> tuple[int, ...]:
    """Orders of the suggestions of ``run`` already added to the registry."""
    return tuple(order for order, _ in run.added) if run is not None else ()


def clicked_town(store: SiteStore, state: dict, system: CoordSystem) -> str | None:
    """Code of the town under the newest click on the map, whatever layer was clicked.

    A click comes in the base map's coordinate ``system`` (GCJ-02 on Amap tiles,
    else WGS84) and is converted to WGS84 for the point-in-polygon test. The
    selection stays until the next click.
    """
    seen = st.session_state.setdefault("map_clicks_seen", {})
    for kind in CLICKS:
        click = state.get(kind)
        if click and click != seen.get(kind):
            seen[kind] = click
            lng, lat = convert_point(float(click["lng"]), float(click["lat"]), system, CoordSystem.WGS84)
            code = store.towns().assign([lng], [lat])[0]
            st.session_state["map_selected_town"] = None if code is None else str(code)
    return st.session_state.get("map_selected_town")


lang = current_lang()
settings = get_settings()
store = current_store()
db = str(store.path)
region = store.region()
towns = region.towns

st.header(region.unit_text("ui.mapx.page", lang))  # 镇街 or 区县: the region's level names every unit
st.caption(region.unit_text("ui.mapx.region", lang, region=md_escape(region.display_name(lang)), n=len(towns),
                            area=float(towns["area_km2"].sum())))
show_flash()  # a message stays until the user's next action (a map rerun is not one)

query, options, demand_name = sidebar_options(region, settings)
revision = store.revision()
sites = load_sites(db, revision)

if len(sites) == 0:
    st.info(region.unit_text("ui.mapx.empty", lang))
    if store.region_spec.source == BUNDLED and current_principal().is_admin and st.button(tr("ui.mapx.seed_demo"), key="map_seed_demo"):
        with st.spinner(tr("ui.mapx.seeding")):
            report = seed_demo(store, actor=current_actor())
        set_flash(tr("ui.mapx.seeded", n=len(report.written)))
        st.rerun()

demand = None
if query.demand is not None:
    try:
        demand = load_demand_layer(db, query.demand)
        st.caption(tr("ui.mapx.demand_loaded", name=md_escape(demand_name)))
    except (ProductError, OSError) as exc:
        st.error(md_escape(exc.message(lang) if isinstance(exc, ProductError) else str(exc)))
        query = query.replace(demand=None)

result = gap_frame = None
if query.types:
    with st.spinner(tr("ui.mapx.computing")):
        result = load_coverage(db, revision, query)
        gap_frame = load_gaps(db, revision, query)
else:
    st.warning(tr("ui.mapx.no_types"))

shown = shown_sites(sites, query, options)
map_col, table_col = st.columns([3, 2], gap="medium")
# The suggestion panel sits below the map but runs first: suggestions computed in this run are on this map.
with st.container():
    run = suggestion_panel(store, region, sites, query, demand, revision)
suggestion = run.suggestion if run is not None else None
with map_col:
    # The map is rebuilt only when what it draws changes (a click reruns the page but hits every cache).
    built_key = (db, revision, query, options, run.key if run is not None else None)
    built = st.session_state.get(BUILT_KEY)
    try:
        # The spinner stands on every run, not only when drawing: an element that comes and goes before the map
        # would shift the map's place in the page, and Streamlit would mount a new map iframe (losing the view).
        with st.spinner(tr("ui.mapx.drawing")):
            if built is None or built[0] != built_key:
                built = (built_key, planner_map(region, sites, query, options, result=result, gap_frame=gap_frame,
                                                suggestion=suggestion, added=_added(run), with_caption=False))
                st.session_state[BUILT_KEY] = built
                st.session_state.pop(EXPORT_KEY, None)
    except MapError as exc:
        st.error(md_escape(exc.message(lang)))
    else:
        # folium's render adds to the elements it renders, so each run draws a copy: same HTML, same iframe.
        # render=False: st_folium renders the map itself once; rendering the whole figure first only doubled it.
        # Only clicks come back: a new map reporting its first view (or a pan) would rerun the page and redraw
        # it a second time; the browser keeps the view itself (maps.webmap.FitView) for the next map.
        state = st_folium(copy.deepcopy(built[1]), key=MAP_KEY, height=620, use_container_width=True, render=False,
                          returned_objects=list(CLICKS))
        code = clicked_town(store, state or {}, tile_layers(options.tiles, tianditu_key=options.tianditu_key)[1])
        if code:
            st.info(region.unit_text("ui.mapx.selected", lang, name=md_escape(region.town_name(code, lang)),
                                     code=md_escape(code)))
        else:
            st.caption(tr("ui.mapx.hint"))
    n_demo = int((shown["source"] == "demo").sum()) if len(shown) else 0
    # the map draws the chosen types and towns, counted or planned: when that is not every site, say how many
    # are registered and why the rest are not drawn
    on_map = (region.unit_text("ui.mapx.shown_of", lang, n=len(shown), total=len(sites)) if len(shown) < len(sites)
              else tr("ui.mapx.shown", n=len(shown)))
    st.caption(on_map + (tr("ui.mapx.demo_note", n=n_demo) if n_demo else ""))
    st.caption(tr("ui.map.attribution", text=region.attribution))
    if built is not None and st.button(tr("ui.mapx.export"), key="map_export"):
        with st.spinner(tr("ui.mapx.exporting")):
            st.session_state[EXPORT_KEY] = export_html(region, sites, query, options, result=result, gap_frame=gap_frame,
                                                       suggestion=suggestion, added=_added(run))
    if EXPORT_KEY in st.session_state:
        st.download_button(tr("ui.mapx.download"), st.session_state[EXPORT_KEY].encode("utf-8"),
                           file_name="worker-sites-map.html", mime="text/html", key="map_download")

with table_col:
    st.subheader(region.unit_text("ui.mapx.unit_list", lang))
    if result is not None:
        table = town_table(region, result, gap_frame, lang=lang, towns=options.towns)
        if result.even_spread:
            st.caption(region.unit_text("ui.mapx.even_spread", lang))
        focus = options.focus(query)
        if focus is not None:  # the planner's first question, above the fold: which town is worst served
            worst = worst_towns(table, region, focus, lang=lang)
            st.markdown("**" + md_escape(region.unit_text("ui.maptable.worst", lang, type=site_type(focus).name(lang)))
                        + "**  \n" + "  \n".join(
                            md_escape(tr("ui.maptable.worst_row", rank=int(r.rank), name=r.name, share=float(r.share),
                                         sites=int(r.sites), gap=float(r.gap_km2))) for r in worst.itertuples()))
        all_columns = st.toggle(tr("ui.maptable.all_columns"), key="map_table_all")
        # The whole table is sent (and downloaded); by default it shows its compact columns under short headers
        # (the full header as their help), the name pinned.
        config = {} if all_columns else {
            column: st.column_config.Column(label=label, help=column)
            for column, label in compact_labels(table, query.types, focus, lang=lang).items()}
        if focus is not None and not all_columns:
            st.caption(tr("ui.maptable.compact_note", type=site_type(focus).name(lang)))
        st.dataframe(table, hide_index=True, key="map_town_table",
                     column_order=None if all_columns else compact_columns(table, region, query.types, focus,
                                                                           lang=lang),
                     column_config={**config, region.level_label(lang): st.column_config.TextColumn(pinned=True)})
        st.download_button(region.unit_text("ui.mapx.table_csv", lang), town_table_csv(table),
                           file_name="town-coverage.csv", mime="text/csv", key="map_table_csv")
