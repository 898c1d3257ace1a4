"""Suggested sites on the map page: pick a type and K, see K suggestions, add one as ``planned``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app_pages.loaders import load_street_network
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio
from errors import ProductError
from geodata.boundaries import Region
from maps.export import suggested_name
from scoring.demand import Demand
from scoring.progress import Progress
from scoring.query import CoverageQuery
from scoring.suggest import Suggestion, suggest
from settings import site_type
from sites.store import SiteStore, default_actor

#: Session key of the last suggestion (with what it was computed from).
RESULT_KEY = "map_suggestion"


@dataclass(frozen=True)
class SuggestionRun:
    """A suggestion and the registry revision and radius (metres) it was computed for."""

    revision: int
    radius_m: float
    suggestion: Suggestion


def current_suggestion(revision: int, query: CoverageQuery) -> Suggestion | None:
    """The stored suggestion if the registry and its type's radius in ``query`` are unchanged, else ``None``."""
    run: SuggestionRun | None = st.session_state.get(RESULT_KEY)
    if run is None or run.revision != revision:
        return None
    if query.radii.get(run.suggestion.site_type) != run.radius_m:
        return None
    return run.suggestion


def progress_text(event: Progress) -> str:
    """A progress event of the engine in the page's words."""
    return tr(f"scoring.progress.{event.stage}", **event.params())


def suggestion_panel(store: SiteStore, region: Region, sites: pd.DataFrame, query: CoverageQuery,
                     demand: Demand | None, revision: int) -> None:
    """The controls (keys ``map_suggest_*``), the computation with progress, the table and the add buttons."""
    lang = current_lang()
    st.subheader(tr("ui.mapx.suggest"))
    if not query.types:
        st.caption(tr("ui.mapx.suggest_no_type"))
        return
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
            st.error(exc.message(lang))
            return
        bar.empty()
        st.session_state[RESULT_KEY] = SuggestionRun(revision, radius, result)
    suggestion = current_suggestion(revision, query)
    if suggestion is None:
        return
    _suggestion_table(store, suggestion, lang)


def _suggestion_table(store: SiteStore, suggestion: Suggestion, lang: str) -> None:
    kind = site_type(suggestion.site_type)
    unit = "km²" if suggestion.unit == "km2" else tr("ui.mapx.demand_unit")
    r = suggestion.mclp
    st.caption(tr("ui.mapx.suggest_result", n=len(suggestion.selected), type=kind.name(lang),
                  before=r.covered_before, after=r.covered_after, unit=unit))
    if suggestion.even_spread:
        st.caption(tr("scoring.even_spread_note"))
    for row in suggestion.selected.itertuples():
        name = suggested_name(int(row.order), kind, str(row.town_name), lang)
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.text(tr("ui.mapx.suggest_row", name=name, value=float(row.newly_covered), unit=unit,
                         lng=float(row.lng), lat=float(row.lat)))
        if right.button(tr("ui.mapx.suggest_add"), key=f"map_suggest_add_{int(row.order)}"):
            site, _warnings = store.add(
                {"name": name, "type": suggestion.site_type, "status": "planned", "lng": float(row.lng),
                 "lat": float(row.lat), "source": "suggest",
                 "notes": tr("ui.mapx.suggest_note", value=float(row.newly_covered), unit=unit,
                             radius=f"{suggestion.radius_m:,.0f}")},
                actor=default_actor(), crs="wgs84")
            st.session_state.pop(RESULT_KEY, None)
            st.session_state["map_flash"] = tr("ui.mapx.suggest_added", name=site.name, id=site.id)
            st.rerun()
