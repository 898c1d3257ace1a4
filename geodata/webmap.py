"""The folium web map of a region's towns, with no Streamlit in it.

:func:`build_map` draws the towns of a :class:`~geodata.boundaries.Region` as
outlines with a hover tooltip and a click popup (name, code, area in km²),
a permanent name label per town, the region's attribution (shown even with no
tiles) and an optional base map. The map's JavaScript/CSS comes from the
vendored copies (:mod:`geodata.map_assets`), never from a CDN. The Streamlit
page and the headless HTML export both call it.

Base maps (``settings.TILE_PROVIDERS``):

* ``none``: no tile layer at all; works offline (default).
* ``osm``: OpenStreetMap tiles, WGS84 like the data.
* ``amap``: Amap (高德) tiles, in GCJ-02: every overlay is shifted into GCJ-02
  with :mod:`geodata.crs` so it lines up with the streets.
* ``tianditu``: Tianditu (天地图) vector tiles and labels, CGCS2000 (≈ WGS84);
  needs the key from ``SITES_TIANDITU_KEY``.

Tiles that fail to load show as blank squares; the map itself keeps working.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from errors import MapError, Problem
from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_frame
from geodata.map_assets import use_local_assets
from i18n import register, t
from settings import TILE_PROVIDERS, Language

register(
    {
        "map.field.name": ("名称", "Name"),
        "map.field.code": ("代码", "Code"),
        "map.field.area": ("面积（km²）", "Area (km²)"),
        "map.tiles_unknown": (
            "未知底图“{value}”，应为 {choices} 之一",
            "unknown base map '{value}': expected one of {choices}",
        ),
        "map.tianditu_key": (
            "天地图底图需要密钥：请设置环境变量 SITES_TIANDITU_KEY",
            "the Tianditu base map needs a key: set the environment variable SITES_TIANDITU_KEY",
        ),
    }
)

#: A transparent 1×1 GIF shown in place of a tile that fails to load (no broken-image icons).
_BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_TIANDITU_WMTS = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)

_LABEL_CSS = """<style>
.town-label span {
  position: absolute; left: 0; top: 0; transform: translate(-50%, -50%); white-space: nowrap;
  font: 600 13px/1.2 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #1a2b4c; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; pointer-events: none;
}
html .leaflet-container { background: #f4f1ea; }
path.leaflet-interactive:focus:not(:focus-visible) { outline: none; }
</style>"""

TOWN_STYLE = {"color": "#1f4e79", "weight": 2, "fillColor": "#9ecae1", "fillOpacity": 0.25}
TOWN_HIGHLIGHT = {"weight": 4, "fillOpacity": 0.45}


@dataclass(frozen=True, slots=True)
class TileSpec:
    """One tile layer of a base map: URL template, attribution (HTML) and options."""

    url: str
    attribution: str
    max_zoom: int = 18
    subdomains: str = "abc"


def tile_layers(tiles: str, *, tianditu_key: str | None = None) -> tuple[tuple[TileSpec, ...], CoordSystem]:
    """The tile layers of base map ``tiles`` and the coordinate system they are drawn in.

    ``none`` has no layers. Raises :class:`MapError` for an unknown name and for
    ``tianditu`` without a key.
    """
    if tiles == "none":
        return (), CoordSystem.WGS84
    if tiles == "osm":
        return (
            TileSpec(
                url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                attribution='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                "contributors",
                max_zoom=19,
            ),
        ), CoordSystem.WGS84
    if tiles == "amap":
        return (
            TileSpec(
                url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
                "&x={x}&y={y}&z={z}",
                attribution="&copy; 高德地图 AutoNavi",
                subdomains="1234",
            ),
        ), CoordSystem.GCJ02
    if tiles == "tianditu":
        if not tianditu_key:
            raise MapError(Problem("map.tianditu_key"))
        return tuple(
            TileSpec(url=_TIANDITU_WMTS.format(layer=layer, key=tianditu_key),
                     attribution="&copy; 天地图 Tianditu", subdomains="01234567")
            for layer in ("vec", "cva")
        ), CoordSystem.WGS84
    raise MapError(Problem("map.tiles_unknown", {"value": tiles, "choices": ", ".join(TILE_PROVIDERS)}))


def available_tiles(tianditu_key: str | None = None) -> tuple[str, ...]:
    """The base maps that can be drawn now: all but ``tianditu`` when there is no key."""
    return tuple(p for p in TILE_PROVIDERS if p != "tianditu" or tianditu_key)


class _Attribution(MacroElement):
    """Adds a text to the map's attribution control (shown even when there are no tiles)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text = text


def display_names(towns: gpd.GeoDataFrame, lang: Language) -> pd.Series:
    """Each town's name in ``lang``: ``name_en`` for English where it is filled in, else ``name``."""
    names = towns["name"].astype(str)
    if lang == "en" and "name_en" in towns:
        english = towns["name_en"].fillna("").astype(str)
        names = english.where(english.str.strip() != "", names)
    return names


def town_features(towns: gpd.GeoDataFrame, lang: Language) -> dict:
    """The towns as GeoJSON with display properties, HTML-escaped.

    Properties: ``code``, ``name`` (in ``lang``; Chinese when there is no
    English name) and ``area_km2`` (one decimal). Values are escaped because
    folium's tooltip and popup put them into the page as HTML and town names
    come from users' files.
    """
    names = display_names(towns, lang)
    frame = gpd.GeoDataFrame(
        {
            "code": [html.escape(str(c)) for c in towns["code"]],
            "name": [html.escape(n) for n in names],
            "area_km2": [f"{a:.1f}" for a in towns["area_km2"]],
        },
        geometry=towns.geometry.values,
        crs=towns.crs,
    )
    return frame.__geo_interface__


def build_map(
    region: Region,
    *,
    lang: Language = "zh",
    tiles: str = "none",
    tianditu_key: str | None = None,
) -> folium.Map:
    """A folium map of the region's towns, fitted to the region, using only local assets.

    Geometries are taken in WGS84 and shifted to GCJ-02 when the base map is
    Amap. Raises :class:`MapError` for an unknown base map, a missing Tianditu
    key, or map assets missing on this machine.
    """
    layers, system = tile_layers(tiles, tianditu_key=tianditu_key)
    towns = region.towns
    if system != CoordSystem.WGS84:
        towns = convert_frame(towns, CoordSystem.WGS84, system)
    minx, miny, maxx, maxy = (float(v) for v in towns.total_bounds)

    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=None,
                   control_scale=True, zoom_snap=0.25)
    for spec in layers:
        folium.TileLayer(tiles=spec.url, attr=spec.attribution, max_zoom=spec.max_zoom,
                         subdomains=spec.subdomains, errorTileUrl=_BLANK_TILE).add_to(m)
    m.get_root().header.add_child(Element(_LABEL_CSS), name="town_label_css")

    features = town_features(towns, lang)
    fields = ["name", "code", "area_km2"]
    aliases = [t("map.field.name", lang), t("map.field.code", lang), t("map.field.area", lang)]
    folium.GeoJson(
        features,
        name="towns",
        style_function=lambda _feature: TOWN_STYLE,
        highlight_function=lambda _feature: TOWN_HIGHLIGHT,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
    ).add_to(m)

    labels = folium.FeatureGroup(name="town_labels", control=False)
    points = towns.geometry.representative_point()
    for feature, point in zip(features["features"], points, strict=True):
        icon = folium.DivIcon(html=f"<span>{feature['properties']['name']}</span>",
                              icon_size=(0, 0), class_name="town-label")
        folium.Marker([point.y, point.x], icon=icon, interactive=False, keyboard=False).add_to(labels)
    labels.add_to(m)

    _Attribution(html.escape(region.attribution)).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return use_local_assets(m)
