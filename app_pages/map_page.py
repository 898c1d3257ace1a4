"""Towns map page: the region's towns on an offline map, a base-map choice and a town table."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.loaders import load_region
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio
from errors import MapError
from geodata.webmap import available_tiles, build_map, display_names
from i18n import t
from settings import get_settings

#: Session keys: the base map (widget key: ``widgets.widget_key(TILES_KEY)``) and the map.
TILES_KEY = "map_tiles"
MAP_KEY = "town_map"

lang = current_lang()
settings = get_settings()
region = load_region()
towns = region.towns

st.header(tr("ui.page.map"))
st.caption(tr("ui.map.region", region=(region.name_zh if lang == "zh" else region.name_en) or region.source,
              n=len(towns), area=float(towns["area_km2"].sum())))

choices = available_tiles(settings.tianditu_key)
tiles = translated_radio(tr("ui.map.tiles"), choices, key=TILES_KEY,
                         default=settings.tiles if settings.tiles in choices else "none",
                         format_func=lambda key: tr(f"ui.tiles.{key}"))
if tiles != "none":
    st.caption(tr("ui.map.tiles_online"))

map_col, table_col = st.columns([3, 2], gap="medium")
with map_col:
    try:
        folium_map = build_map(region, lang=lang, tiles=tiles, tianditu_key=settings.tianditu_key)
    except MapError as exc:
        st.error(exc.message(lang))
    else:
        # Only a click on a town reruns the page; pans and zooms stay in the browser.
        state = st_folium(folium_map, key=MAP_KEY, height=560, use_container_width=True,
                          returned_objects=["last_active_drawing"])
        feature = (state or {}).get("last_active_drawing") or {}
        code = html.unescape(str(feature.get("properties", {}).get("code", "")))
        if code:
            st.info(tr("ui.map.selected", name=region.town_name(code, lang), code=code))
        else:
            st.caption(tr("ui.map.hint"))
    st.caption(tr("ui.map.attribution", text=region.attribution))

with table_col:
    st.subheader(tr("ui.map.towns"))
    table = pd.DataFrame(
        {
            t("map.field.name", lang): display_names(towns, lang).to_numpy(),
            t("map.field.code", lang): towns["code"].astype(str).to_numpy(),
            t("map.field.area", lang): towns["area_km2"].round(1).to_numpy(),
        }
    )
    st.dataframe(table, hide_index=True)
