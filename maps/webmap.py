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
import json
import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from errors import MapError, Problem
from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_frame, convert_geometry, convert_points
from i18n import t
from maps.assets import use_local_assets
from maps.style import (
    MAP_CSS,
    TOWN_HIGHLIGHT,
    TOWN_STYLE,
    MarkerStyle,
    ShareClasses,
    safe_colour,
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


class _MetricScale(SinglePass):
    """A scale bar in metres and kilometres only (Leaflet's default adds miles and feet)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


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

    The fit is not animated (no view half-way through a zoom animation). While the
    user has not moved the map, it is fitted again whenever its size changes (an
    iframe that settles into its column); once they pan or zoom, their view stays,
    and it is kept in the browser tab (``sessionStorage``, per fitted extent): the
    next map with the same extent (the app's map redrawn for a new radius) opens at
    it, with no round trip to the server. A map fitted to other bounds (a chosen
    town) starts fitted. The region is fitted beside the caption and legend panels
    (``map-panel``), each side padded by its widest panel, at most a quarter of the map.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, bounds) {
            // "Moved" is remembered from the move/zoom starts that were not our own fit (a resize fires
            // none): comparing centres fails, as Leaflet recomputes the centre from rounded pixels.
            var fitting = false, moved = false, key = "map-view:" + JSON.stringify(bounds), saved = null;
            // The region is fitted beside the caption and legend panels, not under them: each side is padded
            // by its widest panel (at most a quarter of the map: a narrow map keeps its room for the region).
            function beside() {
                var cap = map.getSize().x / 4, pad = {left: 0, right: 0};
                map.getContainer().querySelectorAll(".map-panel").forEach(function (el) {
                    var corner = el.closest(".leaflet-left, .leaflet-right");
                    if (!corner || !el.offsetWidth) { return; }
                    var side = corner.classList.contains("leaflet-left") ? "left" : "right";
                    pad[side] = Math.max(pad[side], el.offsetWidth + 10);
                });
                return {paddingTopLeft: [Math.min(pad.left, cap), 0], paddingBottomRight: [Math.min(pad.right, cap), 0]};
            }
            function fit() {
                fitting = true;
                try { map.fitBounds(bounds, L.extend({animate: false}, beside())); } finally { fitting = false; }
            }
            try { saved = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
            if (saved && saved.length === 3) {
                fitting = true;
                try { map.setView([saved[0], saved[1]], saved[2], {animate: false}); } finally { fitting = false; }
                moved = true;
            } else {
                fit();
            }
            map.on("movestart zoomstart", function () { if (!fitting) { moved = true; } });
            map.on("moveend", function () {
                if (!moved) { return; }
                var c = map.getCenter();
                try { window.sessionStorage.setItem(key, JSON.stringify([c.lat, c.lng, map.getZoom()])); }
                catch (e) { /* no storage: the next map opens fitted */ }
            });
            map.on("resize", function () { if (!moved) { fit(); } });
            // again once the page's other controls (caption, legend) are on the map, so their width counts
            window.setTimeout(function () { if (!moved) { fit(); } }, 0);
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


def html_json(value: object, *, compact: bool = True) -> str:
    """``value`` as JSON to write into a ``<script>``: UTF-8 text as it is (not ``\\u`` escapes, a third of
    the size for Chinese), with ``<``, ``>``, ``&`` and ``'`` as ``\\u`` escapes as Jinja's ``tojson`` writes
    them, so no value can close the script or open markup. Serialised once: a page that is rendered
    again (the app on every rerun) only copies the text."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":") if compact else None)
    return _html_safe(text)


def _html_safe(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


#: How a :class:`PointLayer` draws its points: DOM badges, DOM badges in clusters, or one canvas.
POINT_MODES = ("markers", "cluster", "canvas")

#: The canvas site layer, defined once per page (each layer's script defines it if it is not there yet).
#: It draws all points of one layer on one canvas per redraw (batched by style: one path per style),
#: as dots at low zoom and badges with the type's glyph from zoom 14; it hit-tests on a grid of the drawn
#: positions for the tooltip (hover) and popup (click), so the canvas itself takes no pointer events and
#: the towns below stay clickable. ``canvas.dataset``: ``total`` points, ``drawn`` in view at the last redraw.
_SITE_CANVAS_JS = """
if (!window.SiteCanvas) {
window.SiteCanvas = L.Layer.extend({
    initialize: function (points, paints, describe) {
        this._p = points; this._paints = paints; this._describe = describe; this._over = -1;
    },
    onAdd: function (map) {
        var c = this._canvas = L.DomUtil.create("canvas", "site-canvas leaflet-zoom-hide");
        c.style.position = "absolute";
        c.style.pointerEvents = "none";
        c.dataset.total = String(this._p.n);
        map.getPane("overlayPane").appendChild(c);
        map.on("moveend resize viewreset", this._redraw, this);
        // On the container, not the map: Leaflet gives the map no mouse event over a town or an area.
        L.DomEvent.on(map.getContainer(), "mousemove", this._hover, this);
        L.DomEvent.on(map.getContainer(), "click", this._click, this);
        this._redraw();
    },
    onRemove: function (map) {
        L.DomUtil.remove(this._canvas);
        map.off("moveend resize viewreset", this._redraw, this);
        L.DomEvent.off(map.getContainer(), "mousemove", this._hover, this);
        L.DomEvent.off(map.getContainer(), "click", this._click, this);
        this._leave();
    },
    _radius: function () {
        var z = this._map.getZoom();
        return z >= 14 ? 11 : (z >= 11 ? 6 : 4);
    },
    _redraw: function () {
        var map = this._map, size = map.getSize(), dpr = window.devicePixelRatio || 1, c = this._canvas;
        L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
        c.width = Math.round(size.x * dpr); c.height = Math.round(size.y * dpr);
        c.style.width = size.x + "px"; c.style.height = size.y + "px";
        var ctx = c.getContext("2d"), p = this._p, r = this._radius(), paints = this._paints;
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        var xs = this._xs = new Float32Array(p.n), ys = this._ys = new Float32Array(p.n);
        var byPaint = paints.map(function () { return []; }), cell = this._cell = 2 * r + 4, grid = this._grid = {};
        var drawn = 0;
        for (var i = 0; i < p.n; i++) {
            var pt = map.latLngToContainerPoint([p.lat[i], p.lng[i]]);
            if (pt.x < -r || pt.y < -r || pt.x > size.x + r || pt.y > size.y + r) { xs[i] = NaN; continue; }
            xs[i] = pt.x; ys[i] = pt.y; drawn++;
            byPaint[p.style[i]].push(i);
            var key = Math.floor(pt.x / cell) + ":" + Math.floor(pt.y / cell);
            (grid[key] = grid[key] || []).push(i);
        }
        paints.forEach(function (paint, k) {
            var list = byPaint[k];
            if (!list.length) { return; }
            ctx.beginPath();
            list.forEach(function (i) { ctx.moveTo(xs[i] + r, ys[i]); ctx.arc(xs[i], ys[i], r, 0, 2 * Math.PI); });
            ctx.fillStyle = paint.fill; ctx.fill();
            ctx.lineWidth = r > 4 ? 2 : 1;
            ctx.setLineDash(r > 4 ? paint.dash : []);
            ctx.strokeStyle = paint.stroke; ctx.stroke();
            if (r >= 11 && paint.glyph) {
                ctx.fillStyle = paint.text;
                ctx.font = "700 12px 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";
                ctx.textAlign = "center"; ctx.textBaseline = "middle";
                list.forEach(function (i) { ctx.fillText(paint.glyph, xs[i], ys[i] + 0.5); });
            }
        });
        ctx.setLineDash([]);
        c.dataset.drawn = String(drawn);
    },
    _hit: function (point) {
        if (!this._grid) { return -1; }
        var cell = this._cell, gx = Math.floor(point.x / cell), gy = Math.floor(point.y / cell);
        var best = -1, bestD = Math.pow(this._radius() + 2, 2);
        for (var dx = -1; dx <= 1; dx++) {
            for (var dy = -1; dy <= 1; dy++) {
                (this._grid[(gx + dx) + ":" + (gy + dy)] || []).forEach(function (i) {
                    var d = Math.pow(this._xs[i] - point.x, 2) + Math.pow(this._ys[i] - point.y, 2);
                    if (d <= bestD) { bestD = d; best = i; }
                }, this);
            }
        }
        return best;
    },
    _leave: function () {
        if (this._tip && this._map) { this._map.closeTooltip(this._tip); }
        if (this._over >= 0 && this._map) { this._map.getContainer().style.cursor = ""; }
        this._over = -1;
    },
    _hover: function (e) {
        var i = this._hit(this._map.mouseEventToContainerPoint(e));
        if (i === this._over) { return; }
        this._leave();
        if (i < 0) { return; }
        this._over = i;
        this._map.getContainer().style.cursor = "pointer";
        this._tip = this._tip || L.tooltip({direction: "top", offset: [0, -this._radius()]});
        this._tip.options.offset = [0, -this._radius()];
        this._tip.setLatLng([this._p.lat[i], this._p.lng[i]]).setContent(document.createTextNode(this._p.title(i)));
        this._map.openTooltip(this._tip);
    },
    _click: function (e) {
        if (this._map.dragging && this._map.dragging.moved()) { return; }
        var i = this._hit(this._map.mouseEventToContainerPoint(e));
        if (i < 0) { return; }
        L.popup({maxWidth: 360, offset: [0, -this._radius()]}).setLatLng([this._p.lat[i], this._p.lng[i]])
            .setContent(this._describe(i)).openOn(this._map);
    }
});
}
"""


class PointLayer(JSCSSMixin, Layer, SinglePass):
    """Many points built in the browser from one compact, columnar array (not one element per point).

    ``data``: ``q`` (decimals of the positions), ``lat``/``lng`` (integers: degrees × 10^q), ``style``
    (index into ``styles``), ``title`` (the tooltip) and ``cols`` (the popup's values, one column per
    ``fields`` label; a column of few distinct values as ``{"k": codes, "v": values}``). ``mode``:
    ``markers`` (one DOM badge per point), ``cluster`` (badges in a leaflet.markercluster group whose
    badges take ``cluster_colour``) or ``canvas`` (dots and glyph badges on one canvas, see
    ``SiteCanvas``: any number of points). Tooltips and popups are built with DOM ``textContent``, so no
    value is ever parsed as HTML; the data is HTML-safe JSON (:func:`html_json`), serialised once.
    """

    default_js = [("markerclusterjs", "leaflet.markercluster.js")]
    default_css = [("markerclustercss", "MarkerCluster.css"), ("markerclusterdefaultcss", "MarkerCluster.Default.css")]

    _template = Template(
        """{% macro script(this, kwargs) %}
        {%- if this.mode == "canvas" %}{{ this.canvas_js }}{% endif %}
        var {{ this.get_name() }} = (function () {
            var data = {{ this.data_json }};
            var styles = {{ this.style_html|tojson }}, paints = {{ this.paints|tojson }};
            var fields = {{ this.fields|tojson }}, scale = Math.pow(10, -data.q);
            function value(column, i) { return Array.isArray(column) ? column[i] : column.v[column.k[i]]; }
            function popup(i) {
                var table = document.createElement("table");
                table.className = "map-popup";
                fields.forEach(function (label, j) {
                    var v = value(data.cols[j], i);
                    if (v === "" || v === undefined) { return; }
                    var row = table.insertRow(), th = document.createElement("th");
                    th.textContent = label;
                    row.appendChild(th);
                    row.insertCell().textContent = v;
                });
                return table;
            }
            var n = data.lat.length, lat = new Float64Array(n), lng = new Float64Array(n);
            for (var i = 0; i < n; i++) { lat[i] = data.lat[i] * scale; lng[i] = data.lng[i] * scale; }
            {%- if this.mode == "canvas" %}
            return new window.SiteCanvas({n: n, lat: lat, lng: lng, style: data.style,
                                          title: function (i) { return data.title[i]; }}, paints, popup);
            {%- else %}
            var icons = styles.map(function (h) {
                return L.divIcon({html: h, className: "site-icon", iconSize: [22, 22], iconAnchor: [11, 11],
                                  popupAnchor: [0, -10], tooltipAnchor: [10, 0]});
            });
            {%- if this.mode == "cluster" %}
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
            var markers = [];
            for (var k = 0; k < n; k++) {
                (function (i) {
                    var title = data.title[i];
                    var m = L.marker([lat[i], lng[i]], {icon: icons[data.style[i]], title: title, riseOnHover: true});
                    m.bindTooltip(function () { return document.createTextNode(title); });
                    m.bindPopup(function () { return popup(i); }, {maxWidth: 360});
                    markers.push(m);
                })(k);
            }
            {%- if this.mode == "cluster" %}
            group.addLayers(markers);
            {%- else %}
            markers.forEach(function (m) { group.addLayer(m); });
            {%- endif %}
            return group;
            {%- endif %}
        })();
        {% endmacro %}"""
    )

    def __init__(self, data: Mapping[str, object], *, styles: Sequence[MarkerStyle], fields: Sequence[str],
                 name: str, mode: str = "markers", cluster_colour: str = "#555555", show: bool = True):
        if mode not in POINT_MODES:
            raise ValueError(f"mode {mode!r} is not one of {POINT_MODES}")
        super().__init__(name=html.escape(name), overlay=True, control=True, show=show)
        self._name = "PointLayer"
        self.data_json = html_json(data)
        self.count = len(data["lat"])  # type: ignore[arg-type]
        self.style_html = [s.html() for s in styles]
        self.paints = [s.paint() for s in styles]
        self.fields = list(fields)
        self.mode = mode
        self.canvas_js = _SITE_CANVAS_JS
        self.cluster_colour = safe_colour(cluster_colour)
        if mode != "cluster":
            self.default_js, self.default_css = [], []

    @property
    def cluster(self) -> bool:
        """Whether the points are drawn in marker clusters."""
        return self.mode == "cluster"


def _column(values: Sequence[str]) -> list[str] | dict[str, list]:
    """A popup column as sent: the values, or (few distinct values) codes into a list of them."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    if len(values) >= 8 and len(uniques) * 4 <= len(values):
        return {"k": codes.tolist(), "v": [str(v) for v in uniques]}
    return [str(v) for v in values]


def point_data(frame: pd.DataFrame, *, style_column: str, tooltip_column: str, fields: Sequence[str],
               system: CoordSystem = CoordSystem.WGS84, decimals: int = 6) -> dict[str, object]:
    """The compact array of :class:`PointLayer` from a table with WGS84 ``lng``/``lat`` columns (degrees):
    positions shifted into ``system`` and kept as integers of 10^-``decimals`` degrees (1e-6° ≈ 0.1 m)."""
    lng, lat = convert_points(frame["lng"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float),
                              CoordSystem.WGS84, system)
    scale = 10.0 ** decimals
    return {
        "q": decimals,
        "lat": np.rint(np.asarray(lat) * scale).astype(np.int64).tolist(),
        "lng": np.rint(np.asarray(lng) * scale).astype(np.int64).tolist(),
        "style": frame[style_column].to_numpy(dtype=np.int64).tolist(),
        "title": frame[tooltip_column].astype(str).tolist(),
        "cols": [_column(frame[c].fillna("").astype(str).tolist()) for c in fields],
    }


def point_mode(count: int, *, cluster_over: int, canvas_over: int) -> str:
    """How ``count`` points are drawn: DOM badges up to ``cluster_over``, clusters up to ``canvas_over``,
    then one canvas."""
    if count > canvas_over:
        return "canvas"
    return "cluster" if count > cluster_over else "markers"


def point_layer(frame: pd.DataFrame, *, name: str, styles: Sequence[MarkerStyle], style_column: str,
                tooltip_column: str, fields: Mapping[str, str], system: CoordSystem = CoordSystem.WGS84,
                mode: str = "markers", cluster_colour: str = "#555555", show: bool = True) -> PointLayer:
    """A :class:`PointLayer` from a table with WGS84 ``lng``/``lat`` columns (degrees).

    ``style_column`` holds each row's index into ``styles``; ``fields`` maps
    column → popup label (empty values are left out of the popup). Positions are
    shifted into ``system`` (GCJ-02 for Amap tiles) and rounded to 1e-6°.
    """
    data = point_data(frame, style_column=style_column, tooltip_column=tooltip_column, fields=list(fields),
                      system=system)
    return PointLayer(data, styles=styles, fields=list(fields.values()), name=name, mode=mode,
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
            function unpack(d) {  // maps.webmap.feature_collection's packed form -> GeoJSON
                if (d.type !== "Packed") { return d; }
                var s = Math.pow(10, -d.q), c = d.c, o = d.o, t = d.geometry;
                function run(i) {  // one ring or line: its steps added up
                    var out = [], x = 0, y = 0;
                    for (var k = o[0][i]; k < o[0][i + 1]; k++) { x += c[2 * k]; y += c[2 * k + 1]; out.push([x * s, y * s]); }
                    return out;
                }
                function runs(a, b) { var out = []; for (var i = a; i < b; i++) { out.push(run(i)); } return out; }
                function polygon(i) { return runs(o[1][i], o[1][i + 1]); }
                return {type: "FeatureCollection", features: d.properties.map(function (p, g) {
                    var geometry;
                    if (t === 1) { geometry = {type: "LineString", coordinates: run(g)}; }
                    else if (t === 3) { geometry = {type: "Polygon", coordinates: polygon(g)}; }
                    else if (t === 5) { geometry = {type: "MultiLineString", coordinates: runs(o[1][g], o[1][g + 1])}; }
                    else {
                        var parts = [];
                        for (var j = o[2][g]; j < o[2][g + 1]; j++) { parts.push(polygon(j)); }
                        geometry = {type: "MultiPolygon", coordinates: parts};
                    }
                    return {type: "Feature", properties: p, geometry: geometry};
                })};
            }
            var group = L.geoJSON(unpack({{ this.data_json }}), {
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

    def __init__(self, data: dict | GeoJsonText, *, name: str, styles: Sequence[Mapping[str, object]],
                 fields: Sequence[str],
                 labels: Sequence[str], highlight: Mapping[str, object] | None = None, show: bool = True,
                 control: bool = True):
        super().__init__(name=html.escape(name), overlay=True, control=control, show=show)
        self._name = "AreaLayer"
        self.data_json = data if isinstance(data, GeoJsonText) else GeoJsonText(html_json(data, compact=False))
        self.styles = [dict(style) for style in styles]
        self.fields = list(fields)
        self.labels = list(labels)
        self.highlight = dict(highlight) if highlight else None

    @property
    def data(self) -> dict:
        """The features as the page draws them, decoded and unpacked (for checks; the page is sent the text)."""
        return unpack(json.loads(self.data_json))


class TownLabels(Layer, SinglePass):
    """A permanent text label per point (``points``: rows of lat, lng, text, rank), set as DOM text.

    The labels sit in their own pane above the site badges (and below tooltips and popups), taking no
    pointer events: a badge never hides a town's name, and the badge under a name still takes the click.
    Labels that would overlap are not drawn over each other: after each zoom (and when shown or resized)
    they are placed in ``rank`` order (0 first: the caller gives the largest town 0) and one that would touch
    a label already placed is hidden until a closer zoom leaves it room (124 county names crowd the Pearl
    River delta at the province's fitted view).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, points) {
            if (!map.getPane("townLabels")) {
                var pane = map.createPane("townLabels");
                pane.style.zIndex = 640;
                pane.style.pointerEvents = "none";
            }
            var group = L.layerGroup(), spans = [];
            points.forEach(function (p) {
                var span = document.createElement("span");
                span.textContent = p[2];
                spans.push(span);
                L.marker([p[0], p[1]], {icon: L.divIcon({html: span, className: "town-label", iconSize: [0, 0]}),
                                        interactive: false, keyboard: false, pane: "townLabels"}).addTo(group);
            });
            var order = points.map(function (p, i) { return i; });
            order.sort(function (a, b) { return points[a][3] - points[b][3] || a - b; });
            function declutter() {
                if (!map.hasLayer(group)) { return; }
                spans.forEach(function (s) { s.style.visibility = ""; });
                var rects = spans.map(function (s) { return s.getBoundingClientRect(); }), placed = [];
                order.forEach(function (i) {
                    var r = rects[i];
                    if (!r.width) { return; }
                    var hit = placed.some(function (o) {
                        return r.left < o.right + 4 && o.left < r.right + 4 && r.top < o.bottom && o.top < r.bottom;
                    });
                    if (hit) { spans[i].style.visibility = "hidden"; } else { placed.push(r); }
                });
            }
            map.on("zoomend viewreset resize", declutter);
            group.on("add", function () { window.setTimeout(declutter, 0); });
            return group;
        })({{ this._parent.get_name() }}, {{ this.points|tojson }});
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
               detail: Detail | None = None) -> AreaLayer:
    """Polygons as one :class:`AreaLayer` with a fixed ``style`` and a text tooltip and popup.

    ``frame``: in EPSG:4326 or a metric CRS (then simplified in metres, before it is projected).
    ``fields`` maps column → tooltip label. Geometries are simplified and rounded as ``detail`` says
    (default :data:`FINE`: 1e-4° ≈ 10 m, under 2 % of a 500 m radius, rounded to 1e-5°), then shifted
    into ``system``.
    """
    props = [dict(zip(fields, row, strict=True)) for row in zip(*(frame[c].astype(str).tolist() for c in fields),
                                                                  strict=True)] if fields else [{}] * len(frame)
    data = feature_collection(props, frame.geometry.values, crs=frame.crs, detail=detail or FINE, system=system)
    return AreaLayer(data, name=name, styles=[style], fields=list(fields), labels=list(fields.values()), show=show)


class GeoJsonText(str):
    """A GeoJSON FeatureCollection already written as HTML-safe JSON text (see :func:`feature_collection`)."""

    @property
    def value(self) -> dict:
        """The collection decoded and unpacked (for tests and checks; the page gets the text)."""
        return unpack(json.loads(self))


@dataclass(frozen=True, slots=True)
class Detail:
    """How finely outlines go to the page: simplified to ``tolerance_deg`` (Douglas–Peucker) and
    rounded to ``decimals`` decimals of a degree.

    :meth:`for_extent` fits both to a region: the tolerance is one pixel of a view that shows the
    whole region ``pixels`` wide (4096: sharp until about two zoom levels in from the fitted view on
    a 1,000-pixel map), the rounding a quarter of it. Nanhai (0.45°): 1.1e-4° (≈ 12 m), 5 decimals;
    Guangdong (7.6°): 1.9e-3° (≈ 200 m), 4 decimals.
    """

    tolerance_deg: float
    decimals: int

    @classmethod
    def for_extent(cls, bounds: Sequence[float], *, pixels: int = 4096) -> Detail:
        """Detail for a region of ``bounds`` (minx, miny, maxx, maxy in degrees)."""
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        extent = max(maxx - minx, maxy - miny, 1e-3)
        tolerance = min(extent / pixels, 0.01)
        decimals = int(min(max(math.ceil(-math.log10(tolerance / 4)), 3), 7))
        return cls(tolerance, decimals)


#: The detail of areas when no region extent is given (10 m, rounded to ≈ 1 m).
FINE = Detail(1e-4, 5)
#: Metres per degree of latitude (to turn a tolerance in degrees into metres for metric outlines).
_M_PER_DEG = 111_320.0


def simplified(geoms: Any, *, crs: Any, detail: Detail, system: CoordSystem = CoordSystem.WGS84) -> np.ndarray:
    """Polygons simplified and rounded as ``detail`` says, in EPSG:4326 shifted into ``system``.

    ``geoms`` in ``crs`` (EPSG:4326, or a metric CRS: simplified in metres first, so the
    reprojection moves the fewer vertices). Simplification does not keep topology (14× faster on
    province catchments; it only draws); empty results are kept as empty, so rows still line up.
    Past :data:`_CHUNK_VERTICES` vertices the rows are shared out on all cores in runs of about equal
    vertex counts (GEOS and PROJ release the GIL: 0.43 s → 0.25 s for a province's catchments and gaps).
    """
    geoms = np.asarray(geoms, dtype=object)
    source = pyproj.CRS.from_user_input(crs) if crs is not None else pyproj.CRS.from_epsg(4326)

    def one_run(part: np.ndarray) -> np.ndarray:
        if source.is_projected:
            part = shapely.simplify(part, detail.tolerance_deg * _M_PER_DEG, preserve_topology=False)
            to_wgs = pyproj.Transformer.from_crs(source, 4326, always_xy=True)
            part = shapely.transform(part, lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))
        else:
            part = shapely.simplify(part, detail.tolerance_deg, preserve_topology=False)
        if system != CoordSystem.WGS84:
            part = np.asarray(convert_geometry(part, CoordSystem.WGS84, system), dtype=object)
        return shapely.transform(part, lambda xy: np.round(xy, detail.decimals))

    runs = _vertex_runs(geoms, os.cpu_count() or 1)
    if len(runs) == 1:
        return one_run(geoms)
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        return np.concatenate(list(pool.map(one_run, (geoms[run] for run in runs))))


#: Rows with fewer vertices in all are simplified on one thread (starting threads would cost more).
_CHUNK_VERTICES = 100_000


def _vertex_runs(geoms: np.ndarray, cores: int) -> list[slice]:
    """``geoms`` cut into at most ``cores`` runs of consecutive rows with about equal vertex counts
    (one run below :data:`_CHUNK_VERTICES` vertices)."""
    counts = shapely.get_num_coordinates(geoms)
    total = int(counts.sum())
    n = min(cores, len(geoms), max(1, total // _CHUNK_VERTICES))
    if n <= 1:
        return [slice(0, len(geoms))]
    cuts = np.searchsorted(np.cumsum(counts), total * np.arange(1, n) / n, side="right").tolist()
    edges = sorted(set([0, *cuts, len(geoms)]))
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def feature_collection(properties: Sequence[Mapping[str, object]], geoms: Any, *, crs: Any = 4326,
                       detail: Detail = FINE, system: CoordSystem = CoordSystem.WGS84) -> GeoJsonText:
    """The features of ``geoms`` (see :func:`simplified`) with ``properties``, as HTML-safe JSON text
    written in one pass; features left empty are dropped.

    Polygons (or lines) are **packed**: the vertices as integers of 10^-decimals degrees, each ring's
    first vertex absolute and the rest as steps from the one before (2–4 digits instead of 9–10), with
    the ring/part offsets of :func:`shapely.to_ragged_array`; the page unpacks them into GeoJSON
    (``{"type": "Packed", "geometry": <shapely type id>, "q": decimals, "c": [...], "o": [[...]...],
    "properties": [...]}``). Anything else (points, mixed types) is written as plain GeoJSON by GEOS.
    """
    shapes = simplified(geoms, crs=crs, detail=detail, system=system)
    keep = ~(shapely.is_empty(shapes) | shapely.is_missing(shapes))
    shapes = shapes[keep]
    kept = [dict(p) for p, k in zip(properties, keep, strict=True) if k]
    types = set(shapely.get_type_id(shapes).tolist())
    if len(shapes) and (types <= {3, 6} or types <= {1, 5}):
        kind, coords, offsets = shapely.to_ragged_array(shapes)
        q = np.rint(coords * 10.0 ** detail.decimals).astype(np.int64)
        steps = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
        starts = offsets[0][:-1]
        steps[starts] = q[starts]
        props = ",".join(json.dumps(p, ensure_ascii=False) for p in kept)
        packed = (f'{{"type": "Packed", "geometry": {int(kind)}, "q": {detail.decimals}, '
                  f'"c": {json.dumps(steps.ravel().tolist(), separators=(",", ":"))}, '
                  f'"o": {json.dumps([o.tolist() for o in offsets], separators=(",", ":"))}, '
                  f'"properties": [{props}]}}')
        return GeoJsonText(_html_safe(packed))
    texts = shapely.to_geojson(shapes)
    features = ",".join(f'{{"type": "Feature", "properties": {json.dumps(p, ensure_ascii=False)}, "geometry": {g}}}'
                        for p, g in zip(kept, texts, strict=True))
    return GeoJsonText(_html_safe(f'{{"type": "FeatureCollection", "features": [{features}]}}'))


def unpack(data: Mapping[str, Any]) -> dict:
    """A packed collection (see :func:`feature_collection`) as a GeoJSON FeatureCollection; others as given.
    The same as the page's ``unpack`` (for checks in Python)."""
    if data.get("type") != "Packed":
        return dict(data)
    steps = np.asarray(data["c"], dtype=np.int64).reshape(-1, 2)
    offsets = [np.asarray(o, dtype=np.int64) for o in data["o"]]
    starts = np.zeros(len(steps), dtype=bool)
    starts[offsets[0][:-1]] = True
    ring = np.cumsum(starts) - 1
    absolute = np.cumsum(steps, axis=0)
    first = absolute[offsets[0][:-1]] - steps[offsets[0][:-1]]
    coords = (absolute - first[ring]) / 10.0 ** int(data["q"])
    shapes = shapely.from_ragged_array(shapely.GeometryType(int(data["geometry"])), coords, tuple(offsets))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)}
        for p, g in zip(data["properties"], shapes, strict=True)]}


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
            var div = L.DomUtil.create("div", {{ (this.css_class ~ " map-panel")|tojson }});
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


def town_properties(towns: gpd.GeoDataFrame, lang: Language) -> list[dict[str, str]]:
    """Each town's display properties, as plain text.

    ``code``, ``name`` (in ``lang``; Chinese when there is no English name) and
    ``area_km2`` (one decimal). Town names and codes come from users' files: they
    stay text here and the page shows them as text (:class:`AreaLayer`), never as HTML.
    """
    names = display_names(towns, lang)
    return [{"code": str(c), "name": str(n), "area_km2": f"{a:.1f}"}
            for c, n, a in zip(towns["code"], names, towns["area_km2"], strict=True)]


def build_map(
    region: Region,
    *,
    lang: Language = "zh",
    tiles: str = "none",
    tianditu_key: str | None = None,
    town_values: Mapping[str, float] | None = None,
    value_label: str = "",
    town_counts: Mapping[str, int] | None = None,
    count_label: str = "",
) -> folium.Map:
    """A folium map of the region's towns, fitted to the region, using only local assets.

    Geometries are taken in WGS84 and shifted to GCJ-02 when the base map is
    Amap. ``town_values``: a share (0–1) per town code, drawn as a choropleth in classes that separate
    the towns (:class:`maps.style.ShareClasses`) and shown first in the tooltip as ``value_label``;
    ``town_counts``: a number per town (its sites) shown next as ``count_label``. Raises
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
                      control_scale=False, zoom_snap=0.25, maxZoom=max_zoom, minZoom=MIN_ZOOM)
    for spec in layers:
        SinglePassTileLayer(tiles=spec.url, attr=spec.attribution, max_zoom=spec.max_zoom,
                            subdomains=spec.subdomains, errorTileUrl=_BLANK_TILE).add_to(m)
    m.get_root().header.add_child(Fragment(MAP_CSS), name="town_label_css")

    properties = town_properties(towns, lang)
    fields = ["name"]
    labels = [t("map.field.name", lang)]
    styles: list[Mapping[str, object]] = [TOWN_STYLE]
    if town_values is not None:
        classes = ShareClasses.of(town_values.values())
        for props in properties:
            share = town_values.get(props["code"])
            props["value"] = "" if share is None else f"{share:.1%}"
            if share is not None:
                styles.append({**TOWN_STYLE, "fillColor": classes.colour(share), "fillOpacity": 0.55})
                props[AreaLayer.STYLE_KEY] = len(styles) - 1  # type: ignore[assignment]
        fields.append("value")
        labels.append(value_label)
    if town_counts is not None:
        for props in properties:
            props["count"] = str(town_counts.get(props["code"], ""))
        fields.append("count")
        labels.append(count_label)
    fields += ["code", "area_km2"]
    labels += [t("map.field.code", lang), t("map.field.area", lang)]

    # Outlines are finer than areas (a quarter of their tolerance): sites are placed against them.
    outlines = feature_collection(properties, towns.geometry.values, detail=Detail.for_extent(
        towns.total_bounds, pixels=16384))
    AreaLayer(outlines, name="towns", control=False, styles=styles, fields=fields, labels=labels,
              highlight=TOWN_HIGHLIGHT).add_to(m)
    points = towns.geometry.representative_point()
    # where labels would overlap, the larger town keeps its name (rank 0: the largest)
    rank = np.argsort(np.argsort(-towns["area_km2"].to_numpy(dtype=float), kind="stable"), kind="stable")
    TownLabels([[float(point.y), float(point.x), props["name"], int(r)]
                for props, point, r in zip(properties, points, rank, strict=True)]).add_to(m)

    _Attribution(html.escape(region.attribution)).add_to(m)
    m.add_child(_MetricScale(), name="metric_scale")
    m.add_child(_FocusWithoutScroll(), name="focus_without_scroll")
    fit_view(m, [[miny, minx], [maxy, maxx]])
    return use_local_assets(m)
