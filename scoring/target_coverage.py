"""Covered area and covered demand per town for coverage targets (thin geo adapter).

Projects the region's towns and the counted sites to the region's metric CRS
(UTM zone, metres) and calls the coverage engine's cores:
:func:`scoring.areas.covered_areas` for area and :func:`scoring.demand.points_within`
/ :func:`scoring.demand.grid_within` for demand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj

from errors import Problem, RecordError
from geodata.boundaries import Region
from geodata.crs import STORAGE_CRS
from scoring.areas import covered_areas
from scoring.demand import Demand, GridDemand, TownDemand, grid_within, points_within
from scoring.targets import Target


def town_coverage(target: Target, counted: pd.DataFrame, region: Region, *,
                  demand: Demand | None = None) -> pd.DataFrame:
    """Per town of ``region``: ``town_code``, ``total`` and ``covered`` for ``target``'s measure.

    ``counted``: the sites that count, with WGS84 ``lng``/``lat`` columns
    (degrees). For ``area_share`` the values are km² (the part of each town
    within ``target.radius_m`` metres of a counted site, sites in neighbouring
    towns included); for ``demand_share`` they are the demand layer's weight
    (people), and ``demand`` must be given, aligned with the region's towns.
    """
    crs = region.metric_crs
    towns_m = np.asarray(region.towns.geometry.to_crs(crs).values, dtype=object)
    xy = _site_xy(counted, crs)
    codes = [str(c) for c in region.towns["code"]]
    radius_m = float(target.radius_m or 0.0)
    if target.measure == "area_share":
        covered = covered_areas(towns_m, xy, radius_m, crs=crs)
        return pd.DataFrame({"town_code": codes, "total": np.asarray(region.towns["area_km2"], dtype=float),
                             "covered": covered.covered_m2 / 1e6})
    if demand is None:
        raise RecordError(Problem("target.no_demand", {"name": target.name}))
    n = len(codes)
    if isinstance(demand, TownDemand):
        covered = covered_areas(towns_m, xy, radius_m, crs=crs)
        share = covered.covered_m2 / np.maximum(np.asarray(region.towns["area_km2"], dtype=float) * 1e6, 1e-12)
        return pd.DataFrame({"town_code": codes, "total": demand.total, "covered": demand.total * share})
    if isinstance(demand, GridDemand):
        site_xy = _site_xy(counted, demand.crs)
        mask = grid_within(site_xy, radius_m, x_left=demand.x_left, y_top=demand.y_top, cell_x=demand.cell_x,
                           cell_y=demand.cell_y, shape=demand.shape)[demand.cells]
    else:
        mask = points_within(_site_xy(counted, demand.crs), demand.xy, radius_m)
    inside = demand.town >= 0
    total = np.bincount(demand.town[inside], weights=demand.weight[inside], minlength=n)
    hit = inside & mask
    covered_w = np.bincount(demand.town[hit], weights=demand.weight[hit], minlength=n)
    return pd.DataFrame({"town_code": codes, "total": total[:n], "covered": covered_w[:n]})


def _site_xy(counted: pd.DataFrame, crs: pyproj.CRS) -> np.ndarray:
    """Site positions in metres of ``crs`` (n × 2) from WGS84 ``lng``/``lat``."""
    if counted.empty:
        return np.empty((0, 2))
    to_m = pyproj.Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)
    x, y = to_m.transform(counted["lng"].to_numpy(dtype=float), counted["lat"].to_numpy(dtype=float))
    return np.column_stack([x, y])
