"""How the maps look: one place for colours, badges, glyphs and the page's CSS.

Everything a map draws takes its look from here: the town outlines and their
highlight, the choropleth classes of a covered share, the CSS of town labels,
site badges, clusters, legend and caption (:data:`MAP_CSS`), the marker kind of
each site status (open solid; planned hollow and dashed; under construction
hollow and dotted; suspended or closed grey; suggested yellow), the one-character
glyph of each site type, and the catchment and gap styles. :mod:`maps.webmap`
draws with these, :mod:`maps.export` composes the planner's map from them; no
text is worded here (the words are in :mod:`i18n`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from settings import Language, SiteType

#: The map page's own CSS: town labels, site badges by kind, clusters, legend, caption and popups.
MAP_CSS = """<style>
.town-label span {
  position: absolute; left: 0; top: 0; transform: translate(-50%, -50%); white-space: nowrap;
  font: 600 13px/1.2 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #1a2b4c; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; pointer-events: none;
}
html .leaflet-container { background: #f4f1ea; }
path.leaflet-interactive:focus:not(:focus-visible) { outline: none; }
.site-icon { background: none; border: none; }
.site-marker, .site-cluster {
  box-sizing: border-box; display: flex; align-items: center; justify-content: center; border-radius: 50%;
  font: 700 12px/1 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  background: var(--c); color: #fff; border: 2px solid #fff; box-shadow: 0 0 2px rgba(0,0,0,.6);
}
.site-marker { width: 22px; height: 22px; }
.site-marker.site-planned { background: #fff; color: var(--c); border: 2px dashed var(--c); }
.site-marker.site-building { background: #fff; color: var(--c); border: 2px dotted var(--c);
  box-shadow: inset 0 0 0 3px color-mix(in srgb, var(--c) 35%, transparent); }
.site-marker.site-inactive { background: #9e9e9e; }
.site-marker.site-suggested { width: 26px; height: 26px; background: #fff200; color: #000;
  border: 2px solid var(--c); font-size: 15px; }
.site-marker.site-demo { filter: saturate(.35); opacity: .8;
  background-image: repeating-linear-gradient(45deg, rgba(90,90,90,.55) 0 2px, transparent 2px 5px); }
.site-cluster { width: 30px; height: 30px; opacity: .9; }
.map-legend, .map-caption { background: rgba(255,255,255,.92); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 0 4px rgba(0,0,0,.3); font: 12px/1.5 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  color: #222; max-width: 320px; max-height: 55vh; overflow-y: auto; }
.map-legend h4, .map-caption h4 { margin: 0 0 4px; font-size: 13px; }
.map-legend summary { font-weight: bold; font-size: 13px; cursor: pointer; }
.map-legend { font-size: 11px; max-height: 40vh; }
.map-legend .row { display: flex; align-items: center; gap: 6px; }
.map-legend .row .site-marker { width: 18px; height: 18px; font-size: 10px; flex: none; }
.map-legend .swatch { width: 16px; height: 12px; flex: none; border: 1px solid #666; }
.map-popup th { text-align: left; padding-right: 8px; white-space: nowrap; vertical-align: top; }
</style>"""

TOWN_STYLE = {"color": "#1f4e79", "weight": 2, "fillColor": "#9ecae1", "fillOpacity": 0.25, "className": "town-outline"}
TOWN_HIGHLIGHT = {"weight": 4, "fillOpacity": 0.45}
#: The choropleth's palette, red (worst) to green, and the fixed classes of a share (0–1) it falls back to
#: when the towns cannot be told apart (all one value): upper bounds and fill colours.
SHARE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.2, "#d7191c"), (0.4, "#fdae61"), (0.6, "#ffffbf"), (0.8, "#a6d96a"), (1.0, "#1a9641"),
)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
#: Marker classes by drawing kind (see :class:`MarkerStyle`).
MARKER_KINDS = ("solid", "planned", "building", "inactive", "suggested")

#: Marker kind of each site status (see :class:`MarkerStyle`).
STATUS_KINDS: dict[str, str] = {
    "open": "solid", "planned": "planned", "under_construction": "building",
    "suspended": "inactive", "closed": "inactive",
}
#: Glyph of each built-in type's badge, Chinese and English.
TYPE_GLYPHS: dict[str, tuple[str, str]] = {
    "service_centre": ("家", "S"),
    "book_room": ("书", "B"),
    "nursing_room": ("母", "N"),
    "rest_station": ("驿", "R"),
    "cultural_palace": ("宫", "P"),
}
#: Fill opacity of a catchment area (in the type's colour).
CATCHMENT_OPACITY = 0.18
#: Style of a coverage gap: dashed red outline, light dark fill.
GAP_STYLE = {"color": "#b2182b", "weight": 1.5, "dashArray": "5 4", "fillColor": "#000000", "fillOpacity": 0.18}
#: Colour of the legend's badges and swatches that stand for every type (status kinds, catchment).
LEGEND_GREY = "#607d8b"
#: Glyph of a suggested site's badge.
SUGGESTED_GLYPH = "★"


def share_colour(share: float) -> str:
    """Fill colour of the fixed class that ``share`` (0–1) falls in (see :class:`ShareClasses`)."""
    for upper, colour in SHARE_CLASSES:
        if share < upper:
            return colour
    return SHARE_CLASSES[-1][1]


def safe_colour(colour: str) -> str:
    """``colour`` if it is a ``#rgb``/``#rrggbb`` colour, else grey (colours come from a TOML file)."""
    return colour if _COLOUR.match(colour) else "#7f7f7f"


@dataclass(frozen=True, slots=True)
class ShareClasses:
    """Choropleth classes of the towns' covered shares that separate the towns: up to five classes by
    the rank of each distinct share (quantiles of the distinct values; equal shares always in one class), so
    the lowest share is alone at the red end whatever the spread; colours from
    red (lowest share) to green along the palette. Fixed 20 % classes painted seven towns at 3–7 % one red.

    ``bounds``: the (lowest, highest) share in each class; ``colours``; ``counts``: towns per class. With one
    distinct value there is one class, coloured by the fixed class of that value.
    """

    bounds: tuple[tuple[float, float], ...]
    colours: tuple[str, ...]
    counts: tuple[int, ...]

    @classmethod
    def of(cls, shares: Iterable[float], *, most: int = 5) -> ShareClasses:
        """The classes of ``shares`` (0–1; missing values are left out)."""
        values = np.sort(np.asarray([v for v in shares if v is not None and np.isfinite(v)], dtype=float))
        if len(values) == 0:
            return cls((), (), ())
        distinct = np.unique(values)
        if len(distinct) == 1:
            return cls(((float(values[0]), float(values[0])),), (share_colour(float(values[0])),), (len(values),))
        k = min(most, len(distinct))
        # Classes by the rank of each distinct value (equal values share a class): every class is used.
        # Where classes must hold several values, the top ones do: the lowest share stays alone in red.
        klass = k - 1 - (len(distinct) - 1 - np.arange(len(distinct))) * k // len(distinct)
        n = int(klass.max()) + 1
        palette = [c for _, c in SHARE_CLASSES]
        picks = np.rint(np.linspace(0, len(palette) - 1, n)).astype(int)
        bounds = tuple((float(distinct[klass == i].min()), float(distinct[klass == i].max())) for i in range(n))
        counts = tuple(int(((values >= lo) & (values <= hi)).sum()) for lo, hi in bounds)
        return cls(bounds, tuple(palette[i] for i in picks), counts)

    def colour(self, share: float) -> str:
        """Fill colour of the class ``share`` falls in (the highest class whose lowest value it reaches)."""
        index = 0
        for i, (low, _high) in enumerate(self.bounds):
            if share >= low:
                index = i
        return self.colours[index] if self.colours else share_colour(share)


@dataclass(frozen=True, slots=True)
class MarkerStyle:
    """How one class of point is drawn: a round badge of ``colour`` with a one-character ``glyph``.

    ``kind``: ``solid`` (open), ``planned`` (hollow, dashed), ``building`` (hollow,
    dotted), ``inactive`` (grey: suspended/closed) or ``suggested`` (yellow badge).
    ``demo``: a demo site (not a real one): greyed and hatched, whatever its kind.
    """

    colour: str
    glyph: str
    kind: str = "solid"
    demo: bool = False

    def html(self) -> str:
        """The badge as HTML, with the colour checked and the glyph escaped."""
        kind = self.kind if self.kind in MARKER_KINDS else "solid"
        demo = " site-demo" if self.demo else ""
        return (f'<div class="site-marker site-{kind}{demo}" style="--c:{safe_colour(self.colour)}">'
                f"{html.escape(self.glyph[:2])}</div>")

    def paint(self) -> dict[str, object]:
        """The badge as the canvas site layer paints it (the same look as :meth:`html` and ``MAP_CSS``):
        ``fill``, ``stroke`` and ``text`` colours, the outline's ``dash`` pattern (px) and the ``glyph``."""
        colour = safe_colour(self.colour)
        kind = self.kind if self.kind in MARKER_KINDS else "solid"
        fill, stroke, text, dash = colour, "#ffffff", "#ffffff", []
        if kind == "planned":
            fill, stroke, text, dash = "#ffffff", colour, colour, [4, 3]
        elif kind == "building":
            fill, stroke, text, dash = "#ffffff", colour, colour, [1, 2]
        elif kind == "inactive":
            fill = "#9e9e9e"
        elif kind == "suggested":
            fill, stroke, text = "#fff200", colour, "#000000"
        if self.demo:  # greyed, as the hatched DOM badge
            fill, stroke = _towards_grey(fill), _towards_grey(stroke)
            dash = dash or [2, 2]
        return {"fill": fill, "stroke": stroke, "text": text, "dash": dash, "glyph": self.glyph[:2]}


def _towards_grey(colour: str) -> str:
    """``colour`` (``#rrggbb`` or ``#rgb``) mixed half and half with mid grey."""
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    mixed = [(int(c[i:i + 2], 16) + 0x9e) // 2 for i in (0, 2, 4)]
    return "#" + "".join(f"{v:02x}" for v in mixed)


def type_glyph(site_type: SiteType, lang: Language) -> str:
    """The one-character glyph on ``site_type``'s badge (a type from a TOML file: its name's first character)."""
    glyphs = TYPE_GLYPHS.get(site_type.key)
    if glyphs:
        return glyphs[0] if lang == "zh" else glyphs[1]
    return site_type.name(lang)[:1]


def status_kind(status: str) -> str:
    """The marker kind a site of ``status`` is drawn as (``solid`` for a status not listed)."""
    return STATUS_KINDS.get(status, "solid")


def catchment_style(colour: str) -> dict[str, object]:
    """Leaflet path options of a catchment area in a type's ``colour`` (thin outline, light fill)."""
    return {"color": colour, "weight": 1, "fillColor": colour, "fillOpacity": CATCHMENT_OPACITY}
