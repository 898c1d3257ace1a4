"""Uncovered areas: the parts of each town out of reach of every site of a type.

Built from a :class:`scoring.coverage.CoverageResult` (same radii, statuses
and date), so gaps and the coverage table always agree. Each gap is one
polygon (a town's uncovered remainder split into its connected parts), with
its area, town and, when a demand layer was given, the uncovered demand inside
it. Parts smaller than ``min_area_km2`` (default: ``settings.min_gap_km2``)
are dropped as slivers. Gaps are ranked by uncovered demand (when given), then
by area, largest first. Geometries are returned in WGS84 (EPSG:4326) for the map.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geodata.crs import STORAGE_CRS, require_metric
from scoring.coverage import CoverageResult
from scoring.demand import GridDemand, PointDemand, TownDemand
from settings import get_settings

GAP_COLUMNS = ["rank", "town_code", "town_name", "site_type", "radius_m", "area_km2", "geometry"]


def gaps(result: CoverageResult, *, min_area_km2: float | None = None) -> gpd.GeoDataFrame:
    """Ranked gap polygons for every type in ``result`` (WGS84; ``area_km2`` measured in metres).

    Columns: :data:`GAP_COLUMNS`, plus ``uncovered_demand`` when ``result``
    has a demand layer (per-town totals are spread evenly: a gap gets its share
    of the town's total by area).
    """
    require_metric(result.crs, what="gaps")
    min_m2 = (get_settings().min_gap_km2 if min_area_km2 is None else float(min_area_km2)) * 1e6
    table = result.table
    frames = []
    for key, covered in result.covered.items():
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
                "radius_m": result.radii_m[key],
                "area_km2": area / 1e6,
            },
            geometry=parts, crs=result.crs,
        )
        if result.demand is not None:
            frame["uncovered_demand"] = _gap_demand(result, key, parts, town, area)
        if result.demand_note:
            frame["demand_note"] = result.demand_note  # the even-spread assumption travels with the figures
        frames.append(frame)
    if not frames:
        return gpd.GeoDataFrame(columns=GAP_COLUMNS, geometry="geometry", crs=STORAGE_CRS)
    out = gpd.GeoDataFrame(_concat(frames), geometry="geometry", crs=result.crs)
    order = ["uncovered_demand", "area_km2"] if "uncovered_demand" in out else ["area_km2"]
    out = out.sort_values(order, ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.to_crs(STORAGE_CRS)


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def _gap_demand(result: CoverageResult, key: str, parts: NDArray, town: NDArray[np.int64],
                area_m2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Demand inside each gap polygon that no site of type ``key`` reaches."""
    demand = result.demand
    if isinstance(demand, TownDemand):
        town_area = shapely.area(result.towns_metric)
        return demand.total[town] * area_m2 / town_area[town]
    open_ = ~result.demand_covered[key]
    if isinstance(demand, PointDemand):
        xy, w = demand.xy[open_], demand.weight[open_]
        polys = parts
    else:
        assert isinstance(demand, GridDemand)
        xy, w = demand.centres(demand.cells[open_]), demand.weight[open_]
        polys = np.asarray(gpd.GeoSeries(parts, crs=result.crs).to_crs(demand.crs).values, dtype=object)
    if len(parts) == 0 or len(xy) == 0:
        return np.zeros(len(parts))
    pt_idx, poly_idx = shapely.STRtree(polys).query(shapely.points(xy), predicate="intersects")
    # a point on the line between two gaps counts once
    first = np.unique(pt_idx, return_index=True)[1]
    return np.bincount(poly_idx[first], weights=w[pt_idx[first]], minlength=len(parts)).astype(float)
