"""Suggested sites on the map page: pick a type and K, see K suggestions, add any of them as ``planned``.

The panel runs before the map is built (the page lays it out below the map), so
the ★ markers of a new computation are drawn in the same run. The suggestions
stay until the user dismisses them (key ``map_suggest_dismiss``) or the
registry changes under them; adding one keeps the others and marks it added.
Each row gives the position in WGS84 and in GCJ-02 (Amap's ``lng,lat`` text, with
Streamlit's copy button), each labelled with its system.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import pandas as pd
import streamlit as st

from app_pages.auth import current_actor, current_principal
from app_pages.loaders import load_street_network
from app_pages.map_widgets import set_flash
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio
from errors import ProductError
from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_point
from maps.export import suggested_name
from scoring.demand import Demand
from scoring.progress import Progress
from scoring.query import CoverageQuery
from scoring.suggest import Suggestion, suggest
from settings import site_type
from sites.store import SiteStore

#: Session key of the last suggestion (with what it was computed from).
RESULT_KEY = "map_suggest_result"
_TOKENS = itertools.count(1)


@dataclass(frozen=True)
class SuggestionRun:
    """A suggestion, the registry revision and radius (metres) it is shown for, a ``token`` that names this
    computation (the map's cache key), and ``added``: suggestion order → registry id of those added."""

    revision: int
    radius_m: float
    suggestion: Suggestion
    token: int = field(default_factory=lambda: next(_TOKENS))
    added: tuple[tuple[int, int], ...] = ()

    @property
    def key(self) -> tuple[int, tuple[tuple[int, int], ...]]:
        """What the map drawn from this run depends on."""
        return self.token, self.added


def current_run(revision: int, query: CoverageQuery) -> SuggestionRun | None:
    """The stored suggestion run if the registry and its type's radius in ``query`` are unchanged, else ``None``."""
    run: SuggestionRun | None = st.session_state.get(RESULT_KEY)
    if run is None or run.revision != revision:
        return None
    if query.radii.get(run.suggestion.site_type) != run.radius_m:
        return None
    return run


def progress_text(event: Progress) -> str:
    """A progress event of the engine in the page's words."""
    return tr(f"scoring.progress.{event.stage}", **event.params())


def amap_text(lng: float, lat: float) -> str:
    """A WGS84 position as Amap's coordinate text: GCJ-02 ``lng,lat`` with six decimals (≈ 0.1 m)."""
    g_lng, g_lat = convert_point(lng, lat, CoordSystem.WGS84, CoordSystem.GCJ02)
    return f"{g_lng:.6f},{g_lat:.6f}"


def suggestion_panel(store: SiteStore, region: Region, sites: pd.DataFrame, query: CoverageQuery,
                     demand: Demand | None, revision: int) -> SuggestionRun | None:
    """The controls (keys ``map_suggest_*``), the computation with progress, the list with the add buttons.

    Returns the suggestion run the map should draw (``None``: none).
    """
    lang = current_lang()
    st.subheader(tr("ui.mapx.suggest"))
    if not query.types:
        st.caption(tr("ui.mapx.suggest_no_type"))
        return None
    names = {k: site_type(k).name(lang) for k in query.types}
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    with cols[0]:
        key = translated_radio(tr("ui.mapx.suggest_type"), list(query.types), key="map_suggest_type",
                               default=query.types[0], format_func=names.__getitem__)
    with cols[1]:
        count = int(st.number_input(tr("ui.mapx.suggest_k"), min_value=1, max_value=30, value=3, step=1,
                                    key="map_suggest_k"))
    radius = query.radius_m(key)
    with cols[2]:
        run = st.button(tr("ui.mapx.suggest_run"), key="map_suggest_run", type="primary")
    st.caption(tr("ui.mapx.suggest_help", radius=f"{radius:,.0f}"))
    if run:
        bar = st.progress(0.0, text=tr("ui.mapx.suggest_running"))
        try:
            result = suggest(region.towns, sites, query, site_type=key, count=count, demand=demand,
                             progress=lambda e: bar.progress(min(max(e.fraction, 0.0), 1.0), text=progress_text(e)),
                             network=load_street_network(str(store.path), query.network_ref) if query.walking else None)
        except ProductError as exc:
            bar.empty()
            st.error(md_escape(exc.message(lang)))
            return current_run(revision, query)
        bar.empty()
        st.session_state[RESULT_KEY] = SuggestionRun(revision, radius, result)
    current = current_run(revision, query)
    if current is not None:
        _suggestion_list(store, region, current, lang)
    return current


def _suggestion_list(store: SiteStore, region: Region, run: SuggestionRun, lang: str) -> None:
    suggestion = run.suggestion
    kind = site_type(suggestion.site_type)
    unit = "km²" if suggestion.unit == "km2" else tr("ui.mapx.demand_unit")
    r = suggestion.mclp
    head, dismiss = st.columns([4, 1], vertical_alignment="center")
    head.caption(tr("ui.mapx.suggest_result", n=len(suggestion.selected), type=kind.name(lang),
                    before=r.covered_before, after=r.covered_after, unit=unit))
    if dismiss.button(tr("ui.mapx.suggest_dismiss"), key="map_suggest_dismiss"):
        st.session_state.pop(RESULT_KEY, None)
        st.rerun()
    if suggestion.even_spread:
        st.caption(region.unit_text("ui.mapx.even_spread", lang))  # 镇街 or 区县, as the region's level says
    added = dict(run.added)
    writer = current_principal().role != "viewer"  # a viewer sees the suggestions, no button that writes
    for row in suggestion.selected.itertuples():
        order = int(row.order)
        name = suggested_name(order, kind, str(row.town_name), lang)
        lng, lat = float(row.lng), float(row.lat)
        left, right = st.columns([4, 1], vertical_alignment="center")
        with left:
            st.text(tr("ui.mapx.suggest_row", name=name, value=float(row.newly_covered), unit=unit))
            st.caption(tr("ui.mapx.suggest_coords", lng=lng, lat=lat))
            st.code(amap_text(lng, lat), language=None)  # Streamlit's copy button: paste into Amap
        if order in added:
            right.caption(tr("ui.mapx.suggest_was_added", id=added[order]))
        elif writer and right.button(tr("ui.mapx.suggest_add"), key=f"map_suggest_add_{order}"):
            try:  # shared mode: the registry checks the account's towns and logs a refusal
                site, _warnings = store.add(
                    {"name": name, "type": suggestion.site_type, "status": "planned", "lng": lng, "lat": lat,
                     "source": "suggest",
                     "notes": tr("ui.mapx.suggest_note", value=float(row.newly_covered), unit=unit,
                                 radius=f"{suggestion.radius_m:,.0f}")},
                    actor=current_actor(), crs="wgs84")
            except ProductError as exc:
                st.error(md_escape(exc.message(lang)))
                continue
            # The others stay: the run now belongs to the registry with this site in it.
            st.session_state[RESULT_KEY] = replace(run, revision=store.revision(),
                                                   added=(*run.added, (order, int(site.id))))
            set_flash(tr("ui.mapx.suggest_added", name=md_escape(site.name), id=site.id))
            st.rerun()
