"""Coverage per town × site type: area and demand within reach of counted sites.

This is the geo adapter: it turns a region's towns and a sites frame into
metric arrays (the region's UTM zone from :mod:`geodata.crs`), calls the cores
:func:`scoring.areas.covered_areas`, :func:`scoring.demand.points_within` and
:func:`scoring.demand.grid_within`, and returns a plain table.

Units: radii in metres; areas in km² (computed in m² in the metric CRS);
demand in the unit of the demand layer's weight field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray

from errors import Problem, RecordError
from geodata.crs import STORAGE_CRS, metric_crs, require_metric
from i18n import t
from scoring.areas import DEFAULT_QUAD_SEGS, check_radius, covered_areas
from scoring.demand import Demand, GridDemand, PointDemand, TownDemand, grid_within, points_within
from scoring.selection import DEFAULT_STATUSES, select_sites
from settings import Language, get_settings, site_type_keys

#: Columns of :attr:`CoverageResult.table`, in order (demand columns only with demand).
BASE_COLUMNS = [
    "town_code", "town_name", "site_type", "radius_m", "sites", "sites_reaching",
    "area_km2", "covered_km2", "covered_share",
]
DEMAND_COLUMNS = ["demand", "covered_demand", "uncovered_demand", "covered_demand_share"]


@dataclass
class CoverageResult:
    """Coverage of every town by every requested site type.

    ``table``: one row per town × type (:data:`BASE_COLUMNS`, plus
    :data:`DEMAND_COLUMNS` when demand was given). ``covered``: per type, the
    covered part of each town (shapely, metric ``crs``, in town order).
    ``demand_covered``: per type, the boolean within-reach mask over the demand
    layer's points or weighted cells (absent for town totals). ``demand_note``:
    the assumption behind the demand figures, to show next to them.
    """

    table: pd.DataFrame
    towns_metric: NDArray
    crs: pyproj.CRS
    radii_m: dict[str, float]
    covered: dict[str, NDArray] = field(default_factory=dict)
    demand: Demand | None = None
    demand_covered: dict[str, NDArray[np.bool_]] = field(default_factory=dict)
    demand_note: str = ""


def resolve_types(types: str | Iterable[str] | None) -> tuple[str, ...]:
    """Site type keys to compute: ``None`` or ``"all"`` means every known type."""
    known = site_type_keys()
    if types is None or types == "all":
        return known
    values = (types,) if isinstance(types, str) else tuple(types)
    bad = [v for v in values if v not in known]
    if bad:
        raise RecordError([Problem("scoring.unknown_type", {"value": v, "known": ", ".join(known)}) for v in bad])
    return values


def resolve_radii(types: Sequence[str], radii_m: float | Mapping[str, float] | None) -> dict[str, float]:
    """Radius in metres per type: a number for all, a mapping per type, or the settings' defaults."""
    settings = get_settings()
    out: dict[str, float] = {}
    for key in types:
        if radii_m is None:
            value = settings.default_radius_m(key)
        elif isinstance(radii_m, Mapping):
            value = radii_m[key] if key in radii_m else settings.default_radius_m(key)
        else:
            value = radii_m
        out[key] = check_radius(value)
    return out


def site_xy(sites: pd.DataFrame, crs) -> NDArray[np.float64]:
    """Site coordinates (n × 2, metres in metric ``crs``) from a sites frame.

    Uses the point geometry of a GeoDataFrame (any CRS), else ``lng``/``lat``
    columns in WGS84 degrees.
    """
    crs = require_metric(crs, what="sites")
    if len(sites) == 0:
        return np.empty((0, 2))
    if isinstance(sites, gpd.GeoDataFrame) and sites.geometry.name in sites and sites.crs is not None:
        geom = sites.geometry.to_crs(crs)
        return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])
    missing = [c for c in ("lng", "lat") if c not in sites]
    if missing:
        raise RecordError(Problem("scoring.missing_columns", {"columns": ", ".join(missing)}))
    x, y = pyproj.Transformer.from_crs(STORAGE_CRS, crs, always_xy=True).transform(
        sites["lng"].to_numpy(dtype=float), sites["lat"].to_numpy(dtype=float)
    )
    return np.column_stack([x, y])


def coverage(
    towns: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    *,
    types: str | Iterable[str] | None = None,
    radii_m: float | Mapping[str, float] | None = None,
    statuses: Iterable[str] = DEFAULT_STATUSES,
    as_of: date | None = None,
    demand: Demand | None = None,
    crs: pyproj.CRS | None = None,
    quad_segs: int = DEFAULT_QUAD_SEGS,
    lang: Language | None = None,
) -> CoverageResult:
    """Coverage of each town (``towns``: region towns frame, EPSG:4326) by each site type.

    ``sites``: the registry's sites frame (``type``, ``status``, ``town_code``,
    ``opened_on``, ``closed_on`` and a point geometry or ``lng``/``lat``).
    Only sites counted by :func:`scoring.selection.counted_mask` cover;
    ``sites`` in the table is the number of counted sites located in the town
    (by ``town_code``), while sites of neighbouring towns also cover across the
    town line (``sites_reaching``). ``radii_m``: one radius for all types, per
    type, or ``None`` for the settings' defaults. ``crs``: metric CRS, default
    the towns' UTM zone.
    """
    types = resolve_types(types)
    radii = resolve_radii(types, radii_m)
    crs = require_metric(crs or metric_crs(towns), what="coverage")
    towns_m = np.asarray(towns.geometry.to_crs(crs).values, dtype=object)
    town_area = shapely.area(towns_m).astype(float)
    counted = select_sites(sites, statuses=statuses, as_of=as_of)
    codes = towns["code"].astype(str).to_numpy()
    names = towns["name"].astype(str).to_numpy() if "name" in towns else codes
    result = CoverageResult(pd.DataFrame(), towns_m, crs, radii, demand=demand)
    demand_total = _demand_total(demand, len(towns_m))
    if isinstance(demand, TownDemand):
        result.demand_note = t("scoring.even_spread_note", lang)
    frames = []
    for key in types:
        of_type = counted.loc[counted["type"] == key]
        xy = site_xy(of_type, crs)
        areas = covered_areas(towns_m, xy, radii[key], crs=crs, quad_segs=quad_segs)
        result.covered[key] = areas.geometry
        in_town = (
            of_type["town_code"].astype(str).value_counts() if "town_code" in of_type else pd.Series(dtype=int)
        )
        rows = pd.DataFrame(
            {
                "town_code": codes,
                "town_name": names,
                "site_type": key,
                "radius_m": radii[key],
                "sites": [int(in_town.get(c, 0)) for c in codes],
                "sites_reaching": areas.sites_reaching,
                "area_km2": town_area / 1e6,
                "covered_km2": areas.covered_m2 / 1e6,
                "covered_share": np.divide(areas.covered_m2, town_area, out=np.zeros_like(town_area),
                                           where=town_area > 0),
            }
        )
        if demand is not None:
            covered_demand = _covered_demand(result, key, of_type, rows["covered_share"].to_numpy())
            rows["demand"] = demand_total
            rows["covered_demand"] = covered_demand
            rows["uncovered_demand"] = demand_total - covered_demand
            rows["covered_demand_share"] = np.divide(
                covered_demand, demand_total, out=np.zeros_like(demand_total), where=demand_total > 0
            )
        frames.append(rows)
    result.table = pd.concat(frames, ignore_index=True)
    return result


def _demand_total(demand: Demand | None, n_towns: int) -> NDArray[np.float64]:
    if demand is None:
        return np.zeros(n_towns)
    if isinstance(demand, TownDemand):
        return demand.total.astype(float)
    keep = demand.town >= 0
    return np.bincount(demand.town[keep], weights=demand.weight[keep], minlength=n_towns).astype(float)


def _covered_demand(result: CoverageResult, key: str, of_type: pd.DataFrame,
                    share: NDArray[np.float64]) -> NDArray[np.float64]:
    demand = result.demand
    if isinstance(demand, TownDemand):
        return demand.total * share
    mask, by_town = covered_demand(demand, site_xy(of_type, demand.crs), result.radii_m[key],
                                   n_towns=len(result.towns_metric))
    result.demand_covered[key] = mask
    return by_town


def covered_demand(demand: PointDemand | GridDemand, xy: NDArray[np.float64], radius_m: float, *,
                   n_towns: int) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Which demand points (or weighted cells) lie within ``radius_m`` of sites ``xy``, and the
    covered weight per town. ``xy``: site coordinates in metres in ``demand.crs``."""
    require_metric(demand.crs, what="demand")
    if isinstance(demand, PointDemand):
        mask = points_within(xy, demand.xy, radius_m)
    else:
        mask = grid_within(xy, radius_m, x_left=demand.x_left, y_top=demand.y_top, cell_x=demand.cell_x,
                           cell_y=demand.cell_y, shape=demand.shape)[demand.cells]
    keep = mask & (demand.town >= 0)
    return mask, np.bincount(demand.town[keep], weights=demand.weight[keep], minlength=n_towns).astype(float)
