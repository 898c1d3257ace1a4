"""Uncovered areas: the parts of each town out of reach of every site of a type.

Built from a :class:`scoring.coverage.CoverageResult` (same radii, statuses
and date), so gaps and the coverage table always agree. Each gap is one
polygon (a town's uncovered remainder split into its connected parts), with
its area, town and, when a demand layer was given, the uncovered demand inside
it. Parts smaller than ``min_area_km2`` (the caller passes its setting,
``settings.min_gap_km2``) are dropped as slivers. Gaps are ranked by uncovered demand (when given), then
by area, largest first. Geometries are returned in WGS84 (EPSG:4326), or in the
coverage's metric CRS when asked (``crs=None``: a map simplifies them in metres
before it projects the fewer vertices).

The uncovered rest of each town is ``town − covered``; when the coverage kept it
(``coverage(uncovered=True)``, made beside the covered part in the same pass) it is
split as it is, else it is computed here: the same polygons either way.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geodata.crs import STORAGE_CRS, require_metric
from scoring.coverage import CoverageResult

GAP_COLUMNS = ["rank", "town_code", "town_name", "site_type", "radius_m", "area_km2", "geometry"]


def gaps(result: CoverageResult, *, min_area_km2: float, crs=STORAGE_CRS) -> gpd.GeoDataFrame:
    """Ranked gap polygons for every type in ``result`` (in ``crs``, default WGS84; ``None``: the
    result's metric CRS; ``area_km2`` measured in metres either way).

    Columns: :data:`GAP_COLUMNS`, plus ``uncovered_demand`` when ``result``
    has a demand layer (per-town totals are spread evenly: a gap gets its share
    of the town's total by area).
    """
    require_metric(result.crs, what="gaps")
    min_m2 = float(min_area_km2) * 1e6
    table = result.table
    frames = []
    for key, covered in result.covered.items():
        rest = result.uncovered.get(key)
        if rest is None:
            rest = shapely.difference(result.towns_metric, covered)
        parts, town = shapely.get_parts(rest, return_index=True)
        area = shapely.area(parts)
        keep = area >= min_m2
        parts, town, area = parts[keep], town[keep], area[keep]
        rows = table.loc[table["site_type"] == key].reset_index(drop=True)
        frame = gpd.GeoDataFrame(
            {
                "town_code": rows["town_code"].to_numpy()[town],
                "town_name": rows["town_name"].to_numpy()[town],
                "site_type": key,
                "radius_m": result.query.radius_m(key),
                "area_km2": area / 1e6,
            },
            geometry=parts, crs=result.crs,
        )
        if result.demand is not None:
            frame["uncovered_demand"] = result.demand.gap_weights(
                parts, town, area, towns_metric=result.towns_metric, parts_crs=result.crs,
                covered=result.demand_covered.get(key))
        if result.even_spread:
            frame["even_spread"] = True  # the assumption travels with the figures; the edge words it
        frames.append(frame)
    if not frames:
        return gpd.GeoDataFrame(columns=GAP_COLUMNS, geometry="geometry", crs=result.crs if crs is None else crs)
    out = gpd.GeoDataFrame(_concat(frames), geometry="geometry", crs=result.crs)
    order = ["uncovered_demand", "area_km2"] if "uncovered_demand" in out else ["area_km2"]
    out = out.sort_values(order, ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.to_crs(crs) if crs is not None else out


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    import pandas as pd

    return pd.concat(frames, ignore_index=True)
