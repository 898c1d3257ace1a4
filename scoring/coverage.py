"""Coverage per town × site type: area and demand within reach of counted sites.

This is the geo adapter: it turns a region's towns and a sites frame into
metric arrays (the region's UTM zone from :mod:`geodata.crs`), calls the cores
:func:`scoring.areas.covered_areas`, :func:`scoring.demand.points_within` and
:func:`scoring.demand.grid_within`, and returns a plain table.

Units: radii in metres; areas in km² (computed in m² in the metric CRS);
demand in the unit of the demand layer's weight field.

Network mode (``query.distance == "network"``, a prepared street network given):
radii are walked metres along the streets, access legs included
(:mod:`scoring.network`). Per town × type the table then says how many street
junctions lie in the town (``junctions``) and how many the sites reach
(``junctions_reached``, ``junctions_share``); ``covered_km2`` is the area of the
type's service area (:mod:`scoring.service_area`: reached streets buffered
50 m) inside the town; demand points count when walked to within the radius;
``sites_reaching`` counts sites whose walk reaches a junction of the town;
``sites_off_network`` counts the town's counted sites farther than
``query.max_access_m`` from every street (they reach nothing).
``result.off_network_demand`` counts such demand points.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray

from errors import Problem, RecordError
from geodata.crs import STORAGE_CRS, ground_areas_m2, metric_crs, require_metric
from scoring.areas import DEFAULT_QUAD_SEGS, covered_areas
from scoring.demand import Demand
from scoring.query import CoverageQuery
from scoring.selection import select_sites


@dataclass
class CoverageResult:
    """Coverage of every town by every type of ``query``.

    ``table``: one row per town × type (``town_code``, ``town_name``,
    ``site_type``, ``radius_m``, ``sites``, ``sites_reaching``, ``area_km2``,
    ``covered_km2``, ``covered_share``, plus ``demand``, ``covered_demand``,
    ``uncovered_demand``, ``covered_demand_share`` when demand was given). ``covered``: per type, the covered part of each town (shapely,
    metric ``crs``, in town order). ``demand_covered``: per type, the boolean
    within-reach mask over the demand layer's points or weighted cells (absent
    for town totals). ``even_spread``: the demand figures assume per-town totals
    spread evenly over each town (show that next to them). ``uncovered``: per type,
    each town minus its covered part, when ``coverage(uncovered=True)`` asked for it
    (:func:`scoring.gaps.gaps` then splits it instead of computing it again).
    """

    table: pd.DataFrame
    towns_metric: NDArray
    crs: pyproj.CRS
    query: CoverageQuery
    covered: dict[str, NDArray] = field(default_factory=dict)
    demand: Demand | None = None
    demand_covered: dict[str, NDArray[np.bool_]] = field(default_factory=dict)
    #: Network mode: per type, the reached street pieces (metres, :attr:`crs`).
    streets: dict = field(default_factory=dict)
    #: Network mode: per type, the ids (or row labels) of counted sites too far from every street.
    off_network_sites: dict[str, list] = field(default_factory=dict)
    #: Network mode: demand points too far from every street.
    off_network_demand: int = 0
    uncovered: dict[str, NDArray] = field(default_factory=dict)

    @classmethod
    def merged(cls, parts: list[CoverageResult], query: CoverageQuery) -> CoverageResult:
        """One result for ``query`` from results of its types computed one type each (straight-line
        coverage of the same towns, sites, statuses, date and demand): rows and per-type parts put
        together in ``query``'s type order. A cache per type (the app's) then recomputes only the type
        whose radius changed."""
        if not parts:
            raise ValueError("merged() needs at least one result")
        by_type = {part.query.types[0]: part for part in parts}
        ordered = [by_type[key] for key in query.types]
        first = ordered[0]
        out = cls(pd.concat([p.table for p in ordered], ignore_index=True), first.towns_metric, first.crs, query,
                  demand=first.demand)
        for part in ordered:
            out.covered.update(part.covered)
            out.demand_covered.update(part.demand_covered)
            out.uncovered.update(part.uncovered)
        return out

    @property
    def radii_m(self) -> dict[str, float]:
        """Radius in metres per type (from :attr:`query`, the one place radii live)."""
        return self.query.radii

    @property
    def even_spread(self) -> bool:
        return bool(self.demand is not None and self.demand.even_spread)


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


#: The last outlines projected by :func:`towns_metric`, one tuple replaced whole (threads of the app's server
#: read it at the same time): their geometry array (kept to compare by identity), a fingerprint of it, the CRS,
#: the outlines in metres and their areas.
_PROJECTED: tuple | None = None


def towns_metric(towns: gpd.GeoDataFrame, crs: pyproj.CRS) -> tuple[NDArray, NDArray[np.float64]]:
    """The towns' outlines in metric ``crs`` (shapely, town order) and their areas on the ground (m²: equal-area
    figures when the region spans UTM zones, :func:`geodata.crs.ground_areas_m2`).

    The last outlines asked are kept, so a series of coverages of the same region (a targets evaluation: one per
    coverage target and type) projects them once: kept while the very same geometry array, with the same
    number of coordinates and bounds, is asked in the same CRS. Fresh arrays are returned each time."""
    global _PROJECTED
    geoms = towns.geometry.array
    raw = np.asarray(geoms, dtype=object)
    fingerprint = (len(raw), int(shapely.get_num_coordinates(raw).sum()), tuple(shapely.total_bounds(raw)))
    last = _PROJECTED  # read once: another thread may replace it meanwhile
    if last is not None and last[0] is geoms and last[1] == fingerprint and last[2] == crs:
        made, area = last[3], last[4]
    else:
        made = np.asarray(towns.geometry.to_crs(crs).values, dtype=object)
        area = ground_areas_m2(made, crs)
        _PROJECTED = (geoms, fingerprint, crs, made, area)
    return made.copy(), area.copy()


def coverage(
    towns: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    query: CoverageQuery,
    *,
    demand: Demand | None = None,
    crs: pyproj.CRS | None = None,
    quad_segs: int = DEFAULT_QUAD_SEGS,
    network=None,
    uncovered: bool = False,
) -> CoverageResult:
    """Coverage of each town (``towns``: region towns frame, EPSG:4326) by each type of ``query``.

    ``sites``: the registry's sites frame (``type``, ``status``, ``town_code``,
    ``opened_on``, ``closed_on`` and a point geometry or ``lng``/``lat``).
    Only sites counted by :func:`scoring.selection.counted_mask` (the query's
    statuses and date) cover; ``sites`` in the table is the number of counted
    sites located in the town (by ``town_code``), while sites of neighbouring
    towns also cover across the town line (``sites_reaching``). Radii (metres)
    come from ``query``, already validated. ``demand``: the loaded layer of
    ``query.demand``. ``crs``: metric CRS, default the towns' UTM zone.
    ``network``: the prepared street network (:class:`geodata.network.StreetNetwork`),
    required when ``query.distance`` is ``network`` (see the module docstring).
    ``uncovered``: also keep each town's rest per type (:attr:`CoverageResult.uncovered`, straight
    lines only), made in the same pass as the covered part, for :func:`scoring.gaps.gaps`.
    """
    if query.walking:
        return network_coverage(towns, sites, query, demand=demand, network=network)
    crs = require_metric(crs or metric_crs(towns), what="coverage")
    towns_m, town_area = towns_metric(towns, crs)
    counted = select_sites(sites, statuses=query.statuses, as_of=query.as_of)
    codes = towns["code"].astype(str).to_numpy()
    names = towns["name"].astype(str).to_numpy() if "name" in towns else codes
    result = CoverageResult(pd.DataFrame(), towns_m, crs, query, demand=demand)
    n_towns = len(towns_m)
    demand_total = demand.town_totals(n_towns) if demand is not None else np.zeros(n_towns)
    frames = []
    by_type = {key: counted.loc[counted["type"] == key] for key in query.types}

    def type_areas(key: str):
        return covered_areas(towns_m, site_xy(by_type[key], crs), query.radius_m(key), crs=crs,
                             quad_segs=quad_segs, uncovered=uncovered)

    # types side by side (each unions its towns on a thread pool of its own): one type's steps that run on
    # one thread (disks, tree queries) overlap another's unions
    with ThreadPoolExecutor(max_workers=max(1, min(len(query.types), 3))) as pool:
        made = dict(zip(query.types, pool.map(type_areas, query.types), strict=True))
    for key in query.types:
        radius = query.radius_m(key)
        of_type = by_type[key]
        areas = made[key]
        result.covered[key] = areas.geometry
        if areas.uncovered is not None:
            result.uncovered[key] = areas.uncovered
        in_town = (
            of_type["town_code"].astype(str).value_counts() if "town_code" in of_type else pd.Series(dtype=int)
        )
        rows = pd.DataFrame(
            {
                "town_code": codes,
                "town_name": names,
                "site_type": key,
                "radius_m": radius,
                "sites": [int(in_town.get(c, 0)) for c in codes],
                "sites_reaching": areas.sites_reaching,
                "area_km2": town_area / 1e6,
                "covered_km2": areas.covered_m2 / 1e6,
                "covered_share": np.divide(areas.covered_m2, town_area, out=np.zeros_like(town_area),
                                           where=town_area > 0),
            }
        )
        if demand is not None:
            demand_xy = site_xy(of_type, demand.crs) if demand.crs is not None else None
            mask, covered_demand = demand.covered(demand_xy, radius, n_towns=n_towns,
                                                  covered_share=rows["covered_share"].to_numpy())
            if mask is not None:
                result.demand_covered[key] = mask
            rows["demand"] = demand_total
            rows["covered_demand"] = covered_demand
            rows["uncovered_demand"] = demand_total - covered_demand
            rows["covered_demand_share"] = np.divide(
                covered_demand, demand_total, out=np.zeros_like(demand_total), where=demand_total > 0
            )
        frames.append(rows)
    result.table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return result


def network_coverage(
    towns: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    query: CoverageQuery,
    *,
    demand: Demand | None = None,
    network=None,
) -> CoverageResult:
    """Coverage along the streets (``query.distance == "network"``), in the network's metric CRS.

    See the module docstring for the columns; raises :class:`errors.RecordError` without a network.
    """
    import scipy.sparse as sp

    from geodata.towns import town_of_points
    from scoring.network import coverage_matrix, reached
    from scoring.service_area import Walk, type_reach

    if network is None:
        raise RecordError(Problem("scoring.no_network"))
    walk = Walk.of(network)
    crs = walk.crs
    towns_m = np.asarray(towns.geometry.to_crs(crs).values, dtype=object)
    town_area = ground_areas_m2(towns_m, crs)  # equal-area figures when the region spans UTM zones
    n_towns = len(towns_m)
    counted = select_sites(sites, statuses=query.statuses, as_of=query.as_of)
    codes = towns["code"].astype(str).to_numpy()
    names = towns["name"].astype(str).to_numpy() if "name" in towns else codes
    result = CoverageResult(pd.DataFrame(), towns_m, crs, query, demand=demand)
    g = walk.graph
    junction_xy = np.column_stack([g.x[walk.junctions], g.y[walk.junctions]])
    junction_town = town_of_points(towns_m, codes, junction_xy)
    junctions_in = np.bincount(junction_town[junction_town >= 0], minlength=n_towns)
    by_type = [counted.loc[counted["type"] == key] for key in query.types]
    groups = [site_xy(frame, crs) for frame in by_type]
    points = None
    if demand is not None and demand.crs is not None:
        points = walk.project(demand.points(), demand.crs)
        groups.append(points)
    joined = walk.join(*groups, max_access_m=query.max_access_m)
    if points is not None:
        result.off_network_demand = int((~joined.on_network[-1]).sum())
    demand_total = demand.town_totals(n_towns) if demand is not None else np.zeros(n_towns)
    town_of_junction = sp.csr_matrix(
        (np.ones(int((junction_town >= 0).sum())), (np.flatnonzero(junction_town >= 0),
                                                     junction_town[junction_town >= 0])),
        shape=(len(walk.junctions), n_towns))
    frames = []
    for i, key in enumerate(query.types):
        radius = query.radius_m(key)
        frame = by_type[i]
        tr = type_reach(joined, i, radius)
        result.streets[key] = tr.streets
        covered = np.asarray(shapely.intersection(tr.area, towns_m), dtype=object)
        result.covered[key] = covered
        covered_m2 = shapely.area(covered).astype(float)
        hit = np.isfinite(tr.dist[walk.junctions])
        reached_in = np.bincount(junction_town[hit & (junction_town >= 0)], minlength=n_towns)
        reach_rows = coverage_matrix(joined.graph, joined.nodes[i], joined.access_m[i], walk.junctions,
                                     np.zeros(len(walk.junctions)), radius)
        sites_reaching = np.asarray(((reach_rows.astype(float) @ town_of_junction) > 0).sum(axis=0)).ravel()
        off = ~joined.on_network[i]
        result.off_network_sites[key] = (frame["id"].tolist() if "id" in frame else frame.index.tolist())
        result.off_network_sites[key] = [s for s, o in zip(result.off_network_sites[key], off, strict=True) if o]
        town_col = frame["town_code"].astype(str) if "town_code" in frame else pd.Series([""] * len(frame))
        in_town = town_col.value_counts()
        off_in_town = town_col[off].value_counts()
        share = np.divide(covered_m2, town_area, out=np.zeros_like(town_area), where=town_area > 0)
        rows = pd.DataFrame({
            "town_code": codes,
            "town_name": names,
            "site_type": key,
            "radius_m": radius,
            "sites": [int(in_town.get(c, 0)) for c in codes],
            "sites_reaching": sites_reaching.astype(np.int64),
            "area_km2": town_area / 1e6,
            "covered_km2": covered_m2 / 1e6,
            "covered_share": share,
            "distance": "network",
            "walk_minutes": query.minutes(key),
            "walk_speed_kmh": query.walk_speed_kmh,
            "junctions": junctions_in.astype(np.int64),
            "junctions_reached": reached_in.astype(np.int64),
            "junctions_share": np.divide(reached_in, junctions_in, out=np.zeros(n_towns), where=junctions_in > 0),
            "sites_off_network": [int(off_in_town.get(c, 0)) for c in codes],
        })
        if demand is not None:
            if points is not None:
                mask = reached(tr.dist, joined.nodes[-1], joined.access_m[-1], radius)
                result.demand_covered[key] = mask
                town = np.asarray(demand.town)
                ok = mask & (town >= 0)
                covered_demand = np.bincount(town[ok], weights=np.asarray(demand.weight)[ok], minlength=n_towns)
            else:  # town totals: spread evenly, so the covered share of area
                _, covered_demand = demand.covered(None, radius, n_towns=n_towns, covered_share=share)
            rows["demand"] = demand_total
            rows["covered_demand"] = covered_demand
            rows["uncovered_demand"] = demand_total - covered_demand
            rows["covered_demand_share"] = np.divide(
                covered_demand, demand_total, out=np.zeros_like(demand_total), where=demand_total > 0)
        frames.append(rows)
    result.table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return result
