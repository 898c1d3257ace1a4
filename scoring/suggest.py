"""Where the next sites would help most: the geo adapter around :mod:`scoring.mclp`.

:func:`suggest` turns a region's towns, the registry's sites, candidate points
and a demand layer into metric arrays, builds the sparse coverage matrix
(candidates × demand points within ``radius_m``), marks demand already within
reach of counted sites of the type (they stay fixed and add nothing), and
solves the maximal covering location problem.

Demand: a :class:`~scoring.demand.PointDemand` or
:class:`~scoring.demand.GridDemand` is used as is. Without a demand layer the
objective is *area*: the towns are sampled on a regular grid (``sample_m``
apart) and each sample stands for ``sample_m²`` of land, so objective values
are km² to within the sampling resolution. Per-town totals
(:class:`~scoring.demand.TownDemand`) are spread evenly over the same samples.

Candidates: a user's points (inside the region) or a regular grid over the
region's towns, ``grid_spacing_m`` apart (default: half the radius). A point on
a shared town line belongs to the town with the smallest code
(:func:`geodata.towns.town_of_points`).

Network mode (``query.distance == "network"``, a prepared street network given):
the same solver on the walking coverage matrix (:func:`scoring.network.coverage_matrix`:
candidate access leg + street distance + demand access leg ≤ the radius).
Without a demand layer the demand is the network's street junctions, one each
(unit ``junctions``); candidates and demand points farther than
``query.max_access_m`` from every street are left out (``off_network`` says how
many candidates). The objective is then exactly the number (or weight) of
junctions/points the chosen sites newly reach on foot.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from numpy.typing import NDArray

from errors import Problem, RecordError
from geodata.crs import STORAGE_CRS, metric_crs, require_metric
from scoring.coverage import site_xy
from scoring.demand import Demand, assign_towns, points_within
from scoring.mclp import EXACT_MAX_NNZ, MCLPResult, coverage_matrix, solve_mclp
from scoring.progress import Progress, ProgressCallback, quiet
from scoring.query import CoverageQuery
from scoring.selection import select_sites

#: Most area samples drawn when no demand layer is given.
MAX_AREA_SAMPLES = 250_000


@dataclass(frozen=True)
class Suggestion:
    """The suggested sites and what they achieve.

    ``selected``: one row per new site in the order chosen, with ``lng``,
    ``lat`` (WGS84), ``town_code``, ``town_name``, ``newly_covered`` (demand
    within its reach not reached before) and ``sole_covered`` (the part no other
    site reaches). ``unit``: ``demand`` (weights of the demand layer) or
    ``km2`` (area, when no demand layer was given). ``even_spread``: demand is
    per-town totals spread evenly (the edge says so next to the figures).
    ``mclp``: the solver's full result.
    """

    selected: pd.DataFrame
    site_type: str
    radius_m: float
    unit: str
    even_spread: bool
    candidates: int
    demand_points: int
    mclp: MCLPResult
    distance: str = "straight"
    off_network: int = 0

    def summary(self) -> dict:
        """Plain dict for JSON: selected rows plus objective, before/after, method and gap."""
        r = self.mclp
        return {
            "site_type": self.site_type, "radius_m": self.radius_m, "unit": self.unit,
            "even_spread": self.even_spread,
            "selected": self.selected.to_dict(orient="records"),
            "objective": r.objective, "covered_before": r.covered_before, "covered_after": r.covered_after,
            "total": r.total, "method": r.method, "gap": r.gap, "bound": r.bound, "status": r.status,
            "candidates": self.candidates, "demand_points": self.demand_points, "seconds": round(r.seconds, 3),
            **({"distance": self.distance, "candidates_off_network": self.off_network}
               if self.distance == "network" else {}),
        }


def grid_points(towns_metric: NDArray, spacing_m: float, codes) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Centres of a ``spacing_m`` grid (metres) that fall inside the towns, and their town index
    (``codes``: the towns' codes, for the smallest-code rule on shared lines)."""
    import shapely

    spacing_m = float(spacing_m)
    if not np.isfinite(spacing_m) or spacing_m <= 0:
        raise RecordError(Problem("scoring.bad_grid_spacing", {"value": spacing_m}))
    minx, miny, maxx, maxy = shapely.total_bounds(towns_metric)
    xs = np.arange(minx + spacing_m / 2, maxx, spacing_m)
    ys = np.arange(miny + spacing_m / 2, maxy, spacing_m)
    xy = np.column_stack([np.repeat(xs, len(ys)), np.tile(ys, len(xs))])
    town = assign_towns(towns_metric, xy, codes)
    keep = town >= 0
    return xy[keep], town[keep]


def suggest(
    towns: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    query: CoverageQuery,
    *,
    site_type: str,
    count: int,
    candidates: tuple[NDArray, NDArray] | None = None,
    grid_spacing_m: float | None = None,
    demand: Demand | None = None,
    min_per_town: int = 0,
    method: str = "auto",
    time_limit_s: float = 60.0,
    exact_max_nnz: int = EXACT_MAX_NNZ,
    sample_m: float | None = None,
    progress: ProgressCallback | None = None,
    network=None,
) -> Suggestion:
    """Choose ``count`` new sites of ``site_type`` maximising newly covered demand (or area).

    ``towns``: region towns (EPSG:4326); ``sites``: the registry's sites frame
    (existing sites of the type counted by ``query``'s statuses and date stay
    fixed); the radius (metres) is ``query.radius_m(site_type)``;
    ``candidates``: WGS84 ``(lng, lat)`` arrays, or ``None`` for a grid
    ``grid_spacing_m`` apart; ``demand``: the loaded layer of ``query.demand``;
    ``min_per_town``: at least this many *new* sites in every town.
    ``progress(event)`` gets :class:`scoring.progress.Progress` events.
    ``network``: the prepared street network, required in network mode (module docstring).
    """
    if site_type not in query.types:
        raise RecordError(Problem("scoring.unknown_type", {"value": site_type, "known": ", ".join(query.types)}))
    radius = query.radius_m(site_type)
    if query.walking:
        return _suggest_walking(towns, sites, query, site_type=site_type, count=count, candidates=candidates,
                                grid_spacing_m=grid_spacing_m, demand=demand, min_per_town=min_per_town,
                                method=method, time_limit_s=time_limit_s, exact_max_nnz=exact_max_nnz,
                                sample_m=sample_m, progress=progress, network=network)
    crs = require_metric(demand.crs if demand is not None and demand.crs is not None else metric_crs(towns),
                         what="suggestions")
    towns_m = np.asarray(towns.geometry.to_crs(crs).values, dtype=object)
    codes = towns["code"].astype(str).to_numpy()
    progress = progress or quiet
    progress(Progress("matrix", 0.0))

    area_km2 = float(np.sum([g.area for g in towns_m])) / 1e6
    step = sample_m or max(radius / 10, np.sqrt(area_km2 * 1e6 / MAX_AREA_SAMPLES))
    if demand is None:
        dem_xy, _ = grid_points(towns_m, step, codes)
        weight, unit = np.full(len(dem_xy), step * step / 1e6), "km2"
    else:
        samples, sample_town = grid_points(towns_m, step, codes) if demand.crs is None else (None, None)
        dem_xy, weight = demand.weighted_points(samples, sample_town, len(towns_m))
        unit = "demand"

    cand_xy, cand_town = _candidates(towns_m, codes, crs, candidates, grid_spacing_m or radius / 2)
    if len(cand_xy) == 0:
        raise RecordError(Problem("scoring.no_candidates"))

    counted = select_sites(sites, statuses=query.statuses, as_of=query.as_of)
    existing = site_xy(counted.loc[counted["type"] == site_type], crs)
    covered = points_within(existing, dem_xy, radius)
    matrix = coverage_matrix(cand_xy, dem_xy, radius)
    result = solve_mclp(matrix, weight, count, covered=covered, group=cand_town, min_per_group=min_per_town,
                        method=method, time_limit_s=time_limit_s, exact_max_nnz=exact_max_nnz,
                        progress=progress)
    selected = _selected_table(result, cand_xy, cand_town, crs, towns, codes)
    if unit == "km2":
        chosen = cand_xy[result.selected]
        selected["newly_covered"], selected["sole_covered"] = exact_new_area_km2(chosen, existing, towns_m, radius)
    even_spread = bool(demand is not None and demand.even_spread)
    return Suggestion(selected, site_type, radius, unit, even_spread, len(cand_xy), len(dem_xy), result)


def exact_new_area_km2(chosen_xy: NDArray[np.float64], existing_xy: NDArray[np.float64], towns_metric: NDArray,
                       radius_m: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Land (km²) each chosen site newly reaches, and reaches alone, measured on geometry rather than on the
    solver's samples (a sample grid puts up to 3 % more points in a disk than its area, so one 500 m site read
    0.81 km² where a disk holds at most 0.785).

    All in metres of one metric CRS. A site's reach is its disk (a 64-gon inscribed in the circle, so never
    more than π·``radius_m``²) within the towns; *newly*: less what the ``existing_xy`` sites and the sites
    chosen before it reach; *alone*: less what the existing and every other chosen site reach.
    """
    import shapely

    disks = shapely.buffer(shapely.points(np.asarray(chosen_xy, dtype=float).reshape(-1, 2)), radius_m, quad_segs=16)
    old = shapely.buffer(shapely.points(np.asarray(existing_xy, dtype=float).reshape(-1, 2)), radius_m, quad_segs=16)
    towns_tree, old_tree = shapely.STRtree(towns_metric), shapely.STRtree(old)
    newly, alone = np.zeros(len(disks)), np.zeros(len(disks))
    for i, disk in enumerate(disks):
        land = shapely.intersection(disk, shapely.union_all(towns_metric[towns_tree.query(disk)]))
        land = shapely.difference(land, shapely.union_all(old[old_tree.query(disk)]))
        newly[i] = shapely.difference(land, shapely.union_all(disks[:i])).area / 1e6
        alone[i] = shapely.difference(land, shapely.union_all(np.delete(disks, i))).area / 1e6
    return newly, alone


def _suggest_walking(towns, sites, query, *, site_type, count, candidates, grid_spacing_m, demand, min_per_town,
                     method, time_limit_s, exact_max_nnz, sample_m, progress, network) -> Suggestion:
    """:func:`suggest` on walking distance (the module docstring's network mode)."""
    from scoring.network import coverage_matrix as walk_matrix
    from scoring.network import reach, reached
    from scoring.service_area import Walk

    if network is None:
        raise RecordError(Problem("scoring.no_network"))
    radius = query.radius_m(site_type)
    walk = Walk.of(network)
    crs = walk.crs
    towns_m = np.asarray(towns.geometry.to_crs(crs).values, dtype=object)
    codes = towns["code"].astype(str).to_numpy()
    progress = progress or quiet
    progress(Progress("matrix", 0.0))
    g = walk.graph
    if demand is None:
        jxy = np.column_stack([g.x[walk.junctions], g.y[walk.junctions]])
        inside = assign_towns(towns_m, jxy, codes) >= 0
        dem_xy, weight, unit = jxy[inside], np.ones(int(inside.sum())), "junctions"
    elif demand.crs is not None:
        dem_xy, weight, unit = walk.project(demand.points(), demand.crs), np.asarray(demand.weight, float), "demand"
    else:
        area_km2 = float(np.sum([t.area for t in towns_m])) / 1e6
        step = sample_m or max(radius / 10, np.sqrt(area_km2 * 1e6 / MAX_AREA_SAMPLES))
        samples, sample_town = grid_points(towns_m, step, codes)
        dem_xy, weight = demand.weighted_points(samples, sample_town, len(towns_m))
        unit = "demand"
    cand_xy, cand_town = _candidates(towns_m, codes, crs, candidates, grid_spacing_m or radius / 2)
    counted = select_sites(sites, statuses=query.statuses, as_of=query.as_of)
    existing = site_xy(counted.loc[counted["type"] == site_type], crs)
    joined = walk.join(existing, cand_xy, dem_xy, max_access_m=query.max_access_m)
    on = joined.on_network[1]
    off_network = int((~on).sum())
    cand_xy, cand_town = cand_xy[on], cand_town[on]
    cand_nodes, cand_access = joined.nodes[1][on], joined.access_m[1][on]
    if len(cand_xy) == 0:
        raise RecordError(Problem("scoring.no_candidates"))
    dist = reach(joined.graph, joined.nodes[0], joined.access_m[0], radius)
    covered = reached(dist, joined.nodes[2], joined.access_m[2], radius)
    matrix = walk_matrix(joined.graph, cand_nodes, cand_access, joined.nodes[2], joined.access_m[2], radius)
    result = solve_mclp(matrix, weight, count, covered=covered, group=cand_town, min_per_group=min_per_town,
                        method=method, time_limit_s=time_limit_s, exact_max_nnz=exact_max_nnz,
                        progress=progress)
    selected = _selected_table(result, cand_xy, cand_town, crs, towns, codes)
    even_spread = bool(demand is not None and demand.even_spread)
    return Suggestion(selected, site_type, radius, unit, even_spread, len(cand_xy), len(dem_xy), result,
                      "network", off_network)


def _candidates(towns_m, codes, crs, candidates, spacing_m: float):
    """Candidate points (metres in ``crs``) and their town index: a grid ``spacing_m`` apart over the towns,
    or the given WGS84 ``(lng, lat)`` arrays, keeping those inside a town (the one point-in-town rule)."""
    if candidates is None:
        return grid_points(towns_m, spacing_m, codes)
    lng, lat = (np.asarray(a, dtype=float) for a in candidates)
    x, y = pyproj.Transformer.from_crs(STORAGE_CRS, crs, always_xy=True).transform(lng, lat)
    cand_xy = np.column_stack([x, y])
    cand_town = assign_towns(towns_m, cand_xy, codes)
    return cand_xy[cand_town >= 0], cand_town[cand_town >= 0]


def _selected_table(result, cand_xy, cand_town, crs, towns, codes) -> pd.DataFrame:
    """The chosen candidates in order, in WGS84, with their town and what each newly (and alone) covers."""
    chosen = result.selected
    lng, lat = pyproj.Transformer.from_crs(crs, STORAGE_CRS, always_xy=True).transform(
        cand_xy[chosen, 0], cand_xy[chosen, 1])
    names = towns["name"].astype(str).to_numpy() if "name" in towns else codes
    return pd.DataFrame({
        "order": np.arange(1, len(chosen) + 1),
        "lng": np.round(lng, 6), "lat": np.round(lat, 6),
        "town_code": codes[cand_town[chosen]], "town_name": names[cand_town[chosen]],
        "newly_covered": result.newly_covered, "sole_covered": result.sole_covered,
    })
