"""Walking service areas on the planner's map: the streets a site type reaches, and the circles they replace.

In network mode (:attr:`scoring.query.CoverageQuery.distance` ``== "network"``) the
catchment layer of :mod:`maps.export` already draws each type's service area
(the reached streets buffered 50 m, :mod:`scoring.service_area`, clipped to the
towns). This module adds, per type, two layers that can be switched on and off:

* the reached street pieces as lines (:attr:`scoring.coverage.CoverageResult.streets`,
  partial streets cut where the walk runs out), in the type's colour;
* for comparison, the straight-line circles of the same radius around the same
  counted sites, as dashed outlines (off by default): where a circle crosses a
  river or a walled park that the streets do not, the difference shows.

Geometries are simplified as the region's :class:`maps.webmap.Detail` says and
shifted into the base map's system, as every other overlay.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.crs import CoordSystem
from i18n import t
from maps.webmap import Detail, area_layer
from scoring.areas import disks
from scoring.coverage import CoverageResult, site_xy
from scoring.query import CoverageQuery
from scoring.selection import select_sites
from settings import Language, SiteType


def street_style(colour: str) -> dict[str, object]:
    """Leaflet path options of reached streets in a type's ``colour``."""
    return {"color": colour, "weight": 3, "opacity": 0.9}


def circle_style(colour: str) -> dict[str, object]:
    """Leaflet path options of the comparison circles: dashed outline, no fill."""
    return {"color": colour, "weight": 2, "opacity": 0.9, "dashArray": "6 6", "fill": False}


def reached_lines(result: CoverageResult, key: str) -> shapely.Geometry:
    """The reached street pieces of type ``key`` as one multi-line (metres, ``result.crs``)."""
    streets = result.streets[key]
    if len(streets.edge) == 0:
        return shapely.MultiLineString()
    coords = np.stack([np.column_stack([streets.x0, streets.y0]), np.column_stack([streets.x1, streets.y1])], axis=1)
    return shapely.multilinestrings(shapely.linestrings(coords))


def add_service_areas(m: folium.Map, result: CoverageResult, sites: pd.DataFrame, query: CoverageQuery, key: str,
                      site_type: SiteType, system: CoordSystem, lang: Language, detail: Detail) -> None:
    """Add the reached streets of ``key`` and its comparison circles to ``m`` (nothing in straight mode)."""
    if not query.walking or key not in result.streets:
        return
    radius = result.radii_m[key]
    name = site_type.name(lang)
    minutes = query.minutes(key)
    lines = gpd.GeoDataFrame({"what": [t("mapx.walk.streets_tip", lang, km=result.streets[key].total_m / 1000)]},
                             geometry=[reached_lines(result, key)], crs=result.crs)
    area_layer(lines, name=t("mapx.layer.walk_streets", lang, type=name, radius=f"{radius:,.0f}",
                             minutes=minutes, speed=query.walk_speed_kmh),
               style=street_style(site_type.colour), fields={"what": t("mapx.walk.field", lang)},
               system=system, detail=detail).add_to(m)
    counted = select_sites(sites, statuses=query.statuses, as_of=query.as_of)
    xy = site_xy(counted.loc[counted["type"] == key], result.crs)
    if len(xy):
        circles = gpd.GeoDataFrame(geometry=[shapely.union_all(disks(xy, radius, crs=result.crs))], crs=result.crs)
        area_layer(circles, name=t("mapx.layer.walk_circles", lang, type=name, radius=f"{radius:,.0f}"),
                   style=circle_style(site_type.colour), fields={}, system=system, show=False,
                   detail=detail).add_to(m)
