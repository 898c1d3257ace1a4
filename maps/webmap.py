"""The folium web map of a region's towns, with no Streamlit in it.

:func:`build_map` draws the towns of a :class:`~geodata.boundaries.Region` as
outlines with a hover tooltip and a click popup (name, code, area in km²),
a permanent name label per town, the region's attribution (shown even with no
tiles) and an optional base map. The map's JavaScript/CSS comes from the
vendored copies (:mod:`maps.assets`), never from a CDN. The Streamlit
page and the headless HTML export both call it.

Base maps (``settings.TILE_PROVIDERS``):

* ``none``: no tile layer at all; works offline (default).
* ``osm``: OpenStreetMap tiles, WGS84 like the data.
* ``amap``: Amap (高德) tiles, in GCJ-02: every overlay is shifted into GCJ-02
  with :mod:`geodata.crs` so it lines up with the streets.
* ``tianditu``: Tianditu (天地图) vector tiles and labels, CGCS2000 (≈ WGS84);
  needs the key from ``SITES_TIANDITU_KEY``.

Tiles that fail to load show as blank squares; the map itself keeps working.

**One template pass.** branca renders each element's Jinja macro and then wraps
the output in a new ``Element(text)``, which compiles that text as a template
and renders it again: a ``{{ … }}`` in a town or site name would run as Python
and a ``{% for %}`` would crash the page. Every element drawn here is a
:class:`SinglePass` element (folium's ``Map``, ``TileLayer`` and
``LayerControl`` too, through thin subclasses), whose output is kept as a
:class:`Fragment` that is never parsed again. User text reaches the page only
as JSON data (``tojson``) that the browser puts into the DOM as text
(``textContent``, text nodes), never as HTML and never as template source.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from errors import MapError, Problem
from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_frame, convert_points
from i18n import t
from maps.assets import use_local_assets
from maps.style import (
    MAP_CSS,
    TOWN_HIGHLIGHT,
    TOWN_STYLE,
    MarkerStyle,
    safe_colour,
    share_colour,
)
from settings import TILE_PROVIDERS, Language

#: A transparent 1×1 GIF shown in place of a tile that fails to load (no broken-image icons).
_BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_TIANDITU_WMTS = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)

#: The map's zoom range (Leaflet levels); a base map with fewer levels lowers the maximum.
MIN_ZOOM, MAX_ZOOM = 3, 19
#: A legend starts folded on maps less high than this (pixels); the app's map is 620 px.
LEGEND_FOLD_BELOW_PX = 700


class Fragment(Element):
    """Rendered page text kept as it is: :meth:`render` returns it, nothing parses it as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Fragment"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def render_once(element: MacroElement, **kwargs: Any) -> None:
    """Render ``element``'s ``header``/``html``/``script`` macros once into its figure, as :class:`Fragment` s.

    The same as branca's ``MacroElement.render`` except that the macro output is
    never compiled and rendered a second time. Children whose ``render`` is
    branca's plain one (folium's ``ElementAddToElement``, say) are rendered the
    same way; others render themselves (a :class:`SinglePass` one does this).
    """
    figure = element.get_root()
    if not isinstance(figure, Figure):
        raise TypeError(f"{type(element).__name__} is not in a Figure")
    module = element._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            getattr(figure, part).add_child(Fragment(str(macro(element, kwargs))), name=element.get_name())
    for child in list(element._children.values()):
        if type(child).render is MacroElement.render:
            render_once(child, **kwargs)
        else:
            child.render(**kwargs)


class SinglePass(MacroElement):
    """A macro element rendered in one template pass (see :func:`render_once`).

    Put it LAST among the bases of a folium class (``class X(folium.TileLayer,
    SinglePass)``): the folium class's own ``render`` still runs, and its final
    ``super().render()`` lands here instead of in branca's two-pass render.
    """

    def render(self, **kwargs: Any) -> None:
        render_once(self, **kwargs)


class SinglePassMap(folium.Map, SinglePass):
    """``folium.Map`` rendered in one pass."""


class SinglePassTileLayer(folium.TileLayer, SinglePass):
    """``folium.TileLayer`` rendered in one pass."""


class SinglePassLayerControl(folium.LayerControl, SinglePass):
    """``folium.LayerControl`` rendered in one pass (layer names are HTML-escaped where they are made)."""


def layer_control(*, collapsed: bool = True, position: str = "topright") -> SinglePassLayerControl:
    """The layer switcher (top right), rendered in one pass."""
    return SinglePassLayerControl(collapsed=collapsed, position=position)


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


class _Attribution(SinglePass):
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


class _FocusWithoutScroll(SinglePass):
    """Leaflet focuses the map on a mouse press (for its arrow keys) with a plain ``focus()``.

    In the app the map sits in an iframe lower down a scrolling page; that ``focus()``
    scrolls the page to show the whole map between the press and the release, so the
    click lands elsewhere (or on no town) and the page jumps. This focuses with
    ``preventScroll`` instead; the keyboard still works once the map has focus.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (keyboard) {
            if (!keyboard || !keyboard.enabled()) { return; }
            keyboard.disable();
            keyboard._onMouseDown = function () {
                if (!this._focused) { this._map.getContainer().focus({preventScroll: true}); }
            };
            keyboard.enable();
        })({{ this._parent.get_name() }}.keyboard);
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusWithoutScroll"


class FitView(SinglePass):
    """Fits the map to ``bounds`` ([[south, west], [north, east]]) in the size it really has.

    The fit is not animated, so the first view the page reports (the Streamlit
    component stores it and sends it back on every rerun) is the fitted one, not
    the view half-way through a zoom animation. While the user has not moved the
    map, it is fitted again whenever its size changes (an iframe that settles into
    its column); once they pan or zoom, their view stays.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, bounds) {
            // "Moved" is remembered from the move/zoom starts that were not our own fit (a resize fires
            // none): comparing centres fails, as Leaflet recomputes the centre from rounded pixels.
            var fitting = false, moved = false;
            function fit() {
                fitting = true;
                try { map.fitBounds(bounds, {animate: false}); } finally { fitting = false; }
            }
            fit();
            map.on("movestart zoomstart", function () { if (!fitting) { moved = true; } });
            map.on("resize", function () { if (!moved) { fit(); } });
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: Sequence[Sequence[float]]):
        super().__init__()
        self._name = "FitView"
        self.bounds = [[float(v) for v in corner] for corner in bounds]


def fit_view(m: folium.Map, bounds: Sequence[Sequence[float]]) -> None:
    """Make ``m`` open fitted to ``bounds`` ([[south, west], [north, east]]), replacing an earlier fit."""
    m.add_child(FitView(bounds), name="fit_view")


def display_names(towns: gpd.GeoDataFrame, lang: Language) -> pd.Series:
    """Each town's name in ``lang``: ``name_en`` for English where it is filled in, else ``name``."""
    names = towns["name"].astype(str)
    if lang == "en" and "name_en" in towns:
        english = towns["name_en"].fillna("").astype(str)
        names = english.where(english.str.strip() != "", names)
    return names


class PointLayer(JSCSSMixin, Layer, SinglePass):
    """Many points as badge markers, built in the browser from one compact array.

    ``points``: rows of (lat, lng, style index, tooltip, popup values) with
    ``styles`` the :class:`MarkerStyle` list and ``fields`` the popup's row
    labels. Tooltips and popups are built with DOM ``textContent``, so no value
    is ever parsed as HTML, and the data reaches the page through ``tojson``
    (``<``, ``>``, ``&`` as ``\\u`` escapes). With ``cluster`` the markers go
    into a leaflet.markercluster group whose cluster badges take ``cluster_colour``.
    """

    default_js = [("markerclusterjs", "leaflet.markercluster.js")]
    default_css = [("markerclustercss", "MarkerCluster.css"), ("markerclusterdefaultcss", "MarkerCluster.Default.css")]

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var styles = {{ this.style_html|tojson }};
            var fields = {{ this.fields|tojson }};
            var points = {{ this.points|tojson }};
            var icons = styles.map(function (h) {
                return L.divIcon({html: h, className: "site-icon", iconSize: [22, 22], iconAnchor: [11, 11],
                                  popupAnchor: [0, -10], tooltipAnchor: [10, 0]});
            });
            {%- if this.cluster %}
            var group = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
                disableClusteringAtZoom: 16, maxClusterRadius: 50,
                iconCreateFunction: function (c) {
                    var d = document.createElement("div");
                    d.className = "site-cluster";
                    d.style.setProperty("--c", {{ this.cluster_colour|tojson }});
                    d.textContent = String(c.getChildCount());
                    return L.divIcon({html: d.outerHTML, className: "site-icon", iconSize: [30, 30]});
                }});
            {%- else %}
            var group = L.featureGroup();
            {%- endif %}
            var markers = points.map(function (p) {
                var m = L.marker([p[0], p[1]], {icon: icons[p[2]], title: p[3], riseOnHover: true});
                m.bindTooltip(function () { return document.createTextNode(p[3]); });
                m.bindPopup(function () {
                    var table = document.createElement("table");
                    table.className = "map-popup";
                    fields.forEach(function (label, i) {
                        if (p[4][i] === "") { return; }
                        var row = table.insertRow(), th = document.createElement("th");
                        th.textContent = label;
                        row.appendChild(th);
                        row.insertCell().textContent = p[4][i];
                    });
                    return table;
                }, {maxWidth: 360});
                return m;
            });
            {%- if this.cluster %}
            group.addLayers(markers);
            {%- else %}
            markers.forEach(function (m) { group.addLayer(m); });
            {%- endif %}
            return group;
        })();
        {% endmacro %}"""
    )

    def __init__(self, points: list[list[object]], *, styles: Sequence[MarkerStyle], fields: Sequence[str],
                 name: str, cluster: bool = False, cluster_colour: str = "#555555", show: bool = True):
        super().__init__(name=html.escape(name), overlay=True, control=True, show=show)
        self._name = "PointLayer"
        self.points = points
        self.style_html = [s.html() for s in styles]
        self.fields = list(fields)
        self.cluster = cluster
        self.cluster_colour = safe_colour(cluster_colour)
        if not cluster:
            self.default_js, self.default_css = [], []


def point_layer(frame: pd.DataFrame, *, name: str, styles: Sequence[MarkerStyle], style_column: str,
                tooltip_column: str, fields: Mapping[str, str], system: CoordSystem = CoordSystem.WGS84,
                cluster: bool = False, cluster_colour: str = "#555555", show: bool = True) -> PointLayer:
    """A :class:`PointLayer` from a table with WGS84 ``lng``/``lat`` columns (degrees).

    ``style_column`` holds each row's index into ``styles``; ``fields`` maps
    column → popup label (empty values are left out of the popup). Positions are
    shifted into ``system`` (GCJ-02 for Amap tiles) and rounded to 1e-6°.
    """
    lng, lat = convert_points(frame["lng"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float),
                              CoordSystem.WGS84, system)
    values = [frame[c].fillna("").astype(str).tolist() for c in fields]
    points = [
        [round(float(y), 6), round(float(x), 6), int(k), str(tip), [col[i] for col in values]]
        for i, (x, y, k, tip) in enumerate(zip(lng, lat, frame[style_column], frame[tooltip_column], strict=True))
    ]
    return PointLayer(points, styles=styles, fields=list(fields.values()), name=name, cluster=cluster,
                      cluster_colour=cluster_colour, show=show)


class AreaLayer(Layer, SinglePass):
    """Polygons from a GeoJSON dict (``FeatureCollection``) with a text tooltip and popup.

    ``fields``: property keys shown, ``labels`` their row labels; a property
    ``STYLE_KEY`` (an index into ``styles``, Leaflet path options) picks each
    feature's style (default: the first); ``highlight``: options applied while the
    pointer is on a feature. Tooltip and popup tables are built with DOM
    ``textContent``, so no value is ever parsed as HTML; the data reaches the page
    through ``tojson``.
    """

    STYLE_KEY = "_style"

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var styles = {{ this.styles|tojson }}, highlight = {{ this.highlight|tojson }};
            var fields = {{ this.fields|tojson }}, labels = {{ this.labels|tojson }};
            var styleKey = {{ this.STYLE_KEY|tojson }};
            function table(properties) {
                var t = document.createElement("table");
                t.className = "map-popup";
                fields.forEach(function (field, i) {
                    var value = properties[field];
                    if (value === undefined || value === null || value === "") { return; }
                    var row = t.insertRow(), th = document.createElement("th");
                    th.textContent = labels[i];
                    row.appendChild(th);
                    row.insertCell().textContent = String(value);
                });
                return t;
            }
            var group = L.geoJSON({{ this.data|tojson }}, {
                style: function (feature) { return styles[feature.properties[styleKey] || 0]; },
                onEachFeature: function (feature, layer) {
                    if (fields.length) {
                        layer.bindTooltip(function () { return table(feature.properties); }, {sticky: true});
                        layer.bindPopup(function () { return table(feature.properties); }, {maxWidth: 360});
                    }
                    if (highlight) {
                        layer.on("mouseover", function () { layer.setStyle(highlight); });
                        layer.on("mouseout", function () { group.resetStyle(layer); });
                    }
                }
            });
            return group;
        })();
        {% endmacro %}"""
    )

    def __init__(self, data: dict, *, name: str, styles: Sequence[Mapping[str, object]], fields: Sequence[str],
                 labels: Sequence[str], highlight: Mapping[str, object] | None = None, show: bool = True,
                 control: bool = True):
        super().__init__(name=html.escape(name), overlay=True, control=control, show=show)
        self._name = "AreaLayer"
        self.data = data
        self.styles = [dict(style) for style in styles]
        self.fields = list(fields)
        self.labels = list(labels)
        self.highlight = dict(highlight) if highlight else None


class TownLabels(Layer, SinglePass):
    """A permanent text label per point (``points``: rows of lat, lng, text), set as DOM text."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var group = L.layerGroup();
            {{ this.points|tojson }}.forEach(function (p) {
                var span = document.createElement("span");
                span.textContent = p[2];
                L.marker([p[0], p[1]], {icon: L.divIcon({html: span, className: "town-label", iconSize: [0, 0]}),
                                        interactive: false, keyboard: false}).addTo(group);
            });
            return group;
        })();
        {% endmacro %}"""
    )

    def __init__(self, points: list[list[object]], *, name: str = "town_labels"):
        super().__init__(name=name, overlay=True, control=False, show=True)
        self._name = "TownLabels"
        self.points = points


class TextCircle(Layer, SinglePass):
    """A circle marker at (lat, lng) whose tooltip is ``text`` as a DOM text node."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.circleMarker({{ this.location|tojson }}, {{ this.options|tojson }});
        {{ this.get_name() }}.bindTooltip(function () { return document.createTextNode({{ this.text|tojson }}); });
        {% endmacro %}"""
    )

    def __init__(self, location: Sequence[float], text: str, *, colour: str, radius_px: int = 8):
        super().__init__(name="text_circle", overlay=True, control=False, show=True)
        self._name = "TextCircle"
        self.location = [float(v) for v in location]
        self.text = str(text)
        self.options = {"radius": int(radius_px), "color": safe_colour(colour), "fillColor": safe_colour(colour),
                        "fill": True, "fillOpacity": 0.9}


def text_circle(location: Sequence[float], text: str, *, colour: str) -> TextCircle:
    """A circle marker at ``location`` ([lat, lng], WGS84) with ``text`` as its tooltip (plain text)."""
    return TextCircle(location, text, colour=colour)


def area_layer(frame: gpd.GeoDataFrame, *, name: str, style: Mapping[str, object], fields: Mapping[str, str],
               system: CoordSystem = CoordSystem.WGS84, show: bool = True,
               tolerance_deg: float = 1e-4) -> AreaLayer:
    """Polygons (EPSG:4326) as one :class:`AreaLayer` with a fixed ``style`` and a text tooltip and popup.

    ``fields`` maps column → tooltip label. Geometries are simplified by
    ``tolerance_deg`` (1e-4° ≈ 10 m, under 2 % of a 500 m radius) and rounded to 1e-5°
    (≈ 1 m) to keep the page small,
    then shifted into ``system``.
    """
    geoms = shapely.transform(shapely.simplify(np.asarray(frame.geometry.values, dtype=object), tolerance_deg),
                              lambda xy: np.round(xy, 5))
    data = gpd.GeoDataFrame({c: [str(v) for v in frame[c]] for c in fields}, geometry=geoms, crs=frame.crs)
    data = data.loc[~data.geometry.is_empty]
    if system != CoordSystem.WGS84:
        data = convert_frame(data, CoordSystem.WGS84, system)
    return AreaLayer(data.__geo_interface__, name=name, styles=[style], fields=list(fields),
                     labels=list(fields.values()), show=show)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One legend row: a marker badge (``marker``) or an area swatch (``fill`` colour, ``dashed`` border)."""

    label: str
    marker: MarkerStyle | None = None
    fill: str = "#cccccc"
    fill_opacity: float = 0.6
    dashed: bool = False


class _HtmlControl(SinglePass):
    """A Leaflet control holding a fixed HTML string (built here, with every text escaped)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            {%- if this.fold_below_px %}
            // Folded at first on a small map (open on a large one); the user's last choice wins.
            var details = div.querySelector("details"), key = {{ (this.css_class ~ "-open")|tojson }}, saved = null;
            try { saved = window.sessionStorage.getItem(key); } catch (e) { saved = null; }
            details.open = saved === null ? map.getSize().y >= {{ this.fold_below_px|int }} : saved === "1";
            details.addEventListener("toggle", function () {
                try { window.sessionStorage.setItem(key, details.open ? "1" : "0"); } catch (e) { /* no storage */ }
            });
            {%- endif %}
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, html_text: str, *, css_class: str, position: str, fold_below_px: int | None = None):
        super().__init__()
        self._name = "HtmlControl"
        self.html = html_text
        self.css_class = css_class
        self.position = position
        self.fold_below_px = fold_below_px


def legend(title: str, sections: Sequence[tuple[str, Sequence[LegendEntry]]], *,
           fold_below_px: int = LEGEND_FOLD_BELOW_PX) -> MacroElement:
    """A legend control (bottom left): ``title`` and titled sections of entries; all text escaped.

    The legend is a ``<details>`` block whose title opens and folds it. It starts
    folded (just the title) on a map less than ``fold_below_px`` high, like the
    app's, so it does not hide the towns under it, and open on a larger one, like
    a full-window export; in the browser the user's last choice is kept
    (``sessionStorage``) across redraws of the map.
    """
    parts = [f"<details open><summary>{html.escape(title)}</summary>"]
    for heading, entries in sections:
        if not entries:
            continue
        if heading:
            parts.append(f"<div><b>{html.escape(heading)}</b></div>")
        for entry in entries:
            if entry.marker is not None:
                swatch = entry.marker.html()
            else:
                border = "dashed" if entry.dashed else "solid"
                swatch = (f'<span class="swatch" style="background:{safe_colour(entry.fill)};'
                          f'opacity:{float(entry.fill_opacity):.2f};border-style:{border}"></span>')
            parts.append(f'<div class="row">{swatch}<span>{html.escape(entry.label)}</span></div>')
    parts.append("</details>")
    return _HtmlControl("".join(parts), css_class="map-legend", position="bottomleft", fold_below_px=fold_below_px)


def caption(title: str, lines: Sequence[str]) -> MacroElement:
    """A caption control (top left, under the zoom buttons): a title and lines of text, escaped."""
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    return _HtmlControl(f"<h4>{html.escape(title)}</h4>{body}", css_class="map-caption", position="topleft")


def town_features(towns: gpd.GeoDataFrame, lang: Language) -> dict:
    """The towns as GeoJSON with display properties, as plain text.

    Properties: ``code``, ``name`` (in ``lang``; Chinese when there is no
    English name) and ``area_km2`` (one decimal). Town names and codes come from
    users' files: they stay text here and the page shows them as text
    (:class:`AreaLayer`), never as HTML.
    """
    names = display_names(towns, lang)
    frame = gpd.GeoDataFrame(
        {
            "code": [str(c) for c in towns["code"]],
            "name": [str(n) for n in names],
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
    town_values: Mapping[str, float] | None = None,
    value_label: str = "",
) -> folium.Map:
    """A folium map of the region's towns, fitted to the region, using only local assets.

    Geometries are taken in WGS84 and shifted to GCJ-02 when the base map is
    Amap. ``town_values``: a share (0–1) per town code, drawn as a choropleth
    (:data:`maps.style.SHARE_CLASSES`) and shown in the tooltip as ``value_label``. Raises
    :class:`MapError` for an unknown base map, a missing Tianditu key, or map
    assets missing on this machine.
    """
    layers, system = tile_layers(tiles, tianditu_key=tianditu_key)
    towns = region.towns
    if system != CoordSystem.WGS84:
        towns = convert_frame(towns, CoordSystem.WGS84, system)
    minx, miny, maxx, maxy = (float(v) for v in towns.total_bounds)

    # The zoom range is the map's own (a tile layer is not needed for it): marker clustering and the
    # canvas site layers need a maxZoom, and with no base map (the default) nothing else gives one.
    max_zoom = min([MAX_ZOOM, *(spec.max_zoom for spec in layers)])
    m = SinglePassMap(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=None,
                      control_scale=True, zoom_snap=0.25, maxZoom=max_zoom, minZoom=MIN_ZOOM)
    for spec in layers:
        SinglePassTileLayer(tiles=spec.url, attr=spec.attribution, max_zoom=spec.max_zoom,
                            subdomains=spec.subdomains, errorTileUrl=_BLANK_TILE).add_to(m)
    m.get_root().header.add_child(Fragment(MAP_CSS), name="town_label_css")

    features = town_features(towns, lang)
    fields = ["name", "code", "area_km2"]
    labels = [t("map.field.name", lang), t("map.field.code", lang), t("map.field.area", lang)]
    styles: list[Mapping[str, object]] = [TOWN_STYLE]
    if town_values is not None:
        for feature, code in zip(features["features"], towns["code"].astype(str), strict=True):
            share = town_values.get(code)
            feature["properties"]["value"] = "" if share is None else f"{share:.1%}"
            if share is not None:
                styles.append({**TOWN_STYLE, "fillColor": share_colour(share), "fillOpacity": 0.55})
                feature["properties"][AreaLayer.STYLE_KEY] = len(styles) - 1
        fields.append("value")
        labels.append(value_label)

    AreaLayer(features, name="towns", control=False, styles=styles, fields=fields, labels=labels,
              highlight=TOWN_HIGHLIGHT).add_to(m)
    points = towns.geometry.representative_point()
    TownLabels([[float(point.y), float(point.x), feature["properties"]["name"]]
                for feature, point in zip(features["features"], points, strict=True)]).add_to(m)

    _Attribution(html.escape(region.attribution)).add_to(m)
    m.add_child(_FocusWithoutScroll(), name="focus_without_scroll")
    fit_view(m, [[miny, minx], [maxy, maxx]])
    return use_local_assets(m)
