"""Area within reach: disks around sites, unioned and clipped town by town.

The core takes town polygons and site coordinates that are already in a metric
CRS (metres) and returns, for each town, the part of it within ``radius_m`` of
any site, and that part's area in m². Every function refuses a geographic CRS.

Accuracy. A disk is drawn as a regular polygon with ``4 * quad_segs`` sides
(64 by default). An inscribed polygon would lose ``1 - sin(2π/n)/(2π/n)`` of
the disk's area (0.16 % at n = 64); we draw it with the *area-equivalent*
radius ``r · sqrt((2π/n) / sin(2π/n))`` instead, so each whole disk has exactly
the area π r². What remains is the polygon's wobble around the true circle,
at most ±0.08 % of r (0.8 m at r = 1 km) and alternating in sign, which cancels
where a town line cuts across a disk. The worst case is a disk just touching a
straight town line, where only the outward corners are clipped: about 13 m² per
touching point at r = 1 km (scaling with r²), 0.0004 % of the disk.

Speed. Instead of unioning every disk of a type and overlaying the result with
the towns (the plain geopandas way), an STRtree finds, for each town, only the
disks that touch it; those few are unioned (``shapely.union_all``) and clipped
to the town. Disks that lie wholly inside a town (most of them) need no
clipping, and towns are independent, so the work grows with the number of
disks, not with the size of the province-wide union; towns are processed on a
thread pool (GEOS releases the GIL), largest first. A disk inside its town that
touches no other disk (no site within twice the radius: most of them at 300–500 m)
is not unioned at all: it is one more part of the covered area and, asked for the
town's uncovered rest, one more hole in it, the same polygons as the overlay gives
(areas equal to 1e-11) for about a quarter less work at province scale.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from geodata.crs import ground_areas_m2, require_metric

#: Segments per quarter circle for disks (a 64-gon).
DEFAULT_QUAD_SEGS = 16


def equivalent_radius_m(radius_m: float, quad_segs: int = DEFAULT_QUAD_SEGS) -> float:
    """Radius (m) of a regular ``4*quad_segs``-gon whose area equals a disk of ``radius_m``."""
    theta = 2.0 * np.pi / (4 * quad_segs)
    return float(radius_m * np.sqrt(theta / np.sin(theta)))


def disks(xy: NDArray[np.float64], radius_m: float, *, crs, quad_segs: int = DEFAULT_QUAD_SEGS) -> NDArray:
    """Polygons of area π r² around points ``xy`` (n × 2 array, metres in ``crs``); ``radius_m``
    already validated (> 0, by :class:`scoring.query.CoverageQuery`)."""
    require_metric(crs, what="site coordinates")
    radius = equivalent_radius_m(float(radius_m), quad_segs)
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    # the very polygons shapely.buffer(points, radius, quad_segs) makes (GEOS's point buffer: a ring from
    # (x + r, y) clockwise, the vertex at angle -i * 2π/n at x + r cos, y + r sin, with the C library's
    # cos and sin as here, snapped to 0 below 5e-16 as GEOS's Angle::cosSnap/sinSnap do), drawn from one ring
    # of offsets: about 3x less work for thousands of sites
    n = 4 * quad_segs
    step = 2.0 * math.pi / n
    dx = np.array([radius * _snap(math.cos(0.0 + (-i) * step)) for i in range(n)])
    dy = np.array([radius * _snap(math.sin(0.0 + (-i) * step)) for i in range(n)])
    rings = np.empty((len(xy), n + 1, 2))
    rings[:, :n, 0] = xy[:, :1] + dx
    rings[:, :n, 1] = xy[:, 1:] + dy
    rings[:, n] = rings[:, 0]
    return shapely.polygons(rings) if len(xy) else np.empty(0, dtype=object)


def _snap(value: float) -> float:
    """A sine or cosine as GEOS uses it for buffers: 0 when below 5e-16 in size."""
    return 0.0 if abs(value) < 5e-16 else value


@dataclass(frozen=True)
class CoveredAreas:
    """Per town (same order as the input towns): covered part and its area.

    ``geometry``: shapely polygons (empty where nothing is covered) in the input
    metric CRS; ``covered_m2``: their areas in m² on the ground
    (:func:`geodata.crs.ground_areas_m2`: equal-area figures when the towns span UTM zones); ``sites_reaching``: number of
    sites whose disk touches the town (including sites in neighbouring towns). ``uncovered``: asked for with
    ``covered_areas(uncovered=True)``, the rest of each town (town minus ``geometry``, the whole town where no
    disk reaches it), made on the same thread as the covered part; else ``None``.
    """

    geometry: NDArray
    covered_m2: NDArray[np.float64]
    sites_reaching: NDArray[np.int64]
    uncovered: NDArray | None = None


def covered_areas(
    towns: NDArray,
    site_xy: NDArray[np.float64],
    radius_m: float,
    *,
    crs,
    quad_segs: int = DEFAULT_QUAD_SEGS,
    uncovered: bool = False,
) -> CoveredAreas:
    """The part of each town within ``radius_m`` of any site (all in metres, ``crs``).

    ``towns``: array of shapely (multi)polygons in ``crs``; ``site_xy``: n × 2
    site coordinates in ``crs``. Sites outside a town still cover the parts of it
    they reach (coverage crosses town lines). ``uncovered``: also return each town's
    rest (what :mod:`scoring.gaps` splits into gaps), computed in the same pass.
    """
    require_metric(crs, what="towns")
    towns = np.asarray(towns, dtype=object)
    n_towns = len(towns)
    empty = shapely.from_wkt(["POLYGON EMPTY"] * n_towns) if n_towns else np.empty(0, dtype=object)
    site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    if len(site_xy) == 0 or n_towns == 0:
        geoms = np.asarray(empty, dtype=object)
        return CoveredAreas(geoms, np.zeros(n_towns), np.zeros(n_towns, dtype=np.int64),
                            _rest_of_untouched(towns, geoms, np.ones(n_towns, dtype=bool)) if uncovered else None)
    shapes = disks(site_xy, radius_m, crs=crs, quad_segs=quad_segs)
    tree = shapely.STRtree(shapes)
    town_idx, disk_idx = tree.query(towns, predicate="intersects")
    inside_town, inside_disk = tree.query(towns, predicate="contains_properly")
    inside = np.zeros(len(town_idx), dtype=bool)
    if len(inside_town):
        # pairs are sorted by town then disk in both queries: match them by a combined key
        key_all = town_idx.astype(np.int64) * len(shapes) + disk_idx
        key_in = inside_town.astype(np.int64) * len(shapes) + inside_disk
        inside = np.isin(key_all, key_in, assume_unique=True)
    geoms = np.asarray(empty, dtype=object).copy()
    counts = np.bincount(town_idx, minlength=n_towns).astype(np.int64)
    bounds = np.searchsorted(town_idx, np.arange(n_towns + 1))
    alone = isolated(site_xy, radius_m, quad_segs=quad_segs)

    def one_town(t: int):
        sl = slice(bounds[t], bounds[t + 1])
        d, whole = disk_idx[sl], inside[sl]
        single = whole & alone[d]  # inside the town and touching no other disk: nothing to union
        parts = shapes[d[whole & ~single]]
        cut = shapes[d[~whole]]
        if len(cut):
            # only disks crossing the town line are clipped; clip their union once
            parts = np.append(parts, shapely.intersection(shapely.union_all(cut), towns[t]))
        joined = shapely.union_all(parts)
        if not single.any():
            return joined, (shapely.difference(towns[t], joined) if uncovered else None)
        lone = shapes[d[single]]
        covered = _collect(np.concatenate([_polygons(joined), lone]))
        if not uncovered:
            return covered, None
        return covered, _punch(shapely.difference(towns[t], joined), lone, site_xy[d[single]])

    busy = np.flatnonzero(counts)
    rest = _rest_of_untouched(towns, geoms, counts == 0) if uncovered else None
    busy = busy[np.argsort(-counts[busy], kind="stable")]  # biggest first, for balance
    # GEOS releases the GIL, so towns are unioned on all cores
    with ThreadPoolExecutor(max_workers=min(len(busy), os.cpu_count() or 1) or 1) as pool:
        for t, (geom, left) in zip(busy, pool.map(one_town, busy), strict=True):
            geoms[t] = geom
            if rest is not None:
                rest[t] = left
    # areas as on the ground: exact within one UTM zone, corrected by the areal scale across zones
    return CoveredAreas(geoms, ground_areas_m2(geoms, crs), counts, rest)


def isolated(xy: NDArray[np.float64], radius_m: float, *, quad_segs: int = DEFAULT_QUAD_SEGS) -> NDArray[np.bool_]:
    """Per site (``xy``, metres): True when no other site lies within twice the disk's radius (the
    area-equivalent one, :func:`equivalent_radius_m`), so its disk overlaps and touches no other disk."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) < 2:
        return np.ones(len(xy), dtype=bool)
    points = shapely.points(xy)
    me, _ = shapely.STRtree(points).query(points, predicate="dwithin",
                                          distance=2.0 * equivalent_radius_m(radius_m, quad_segs))
    return np.bincount(me, minlength=len(xy)) == 1  # only itself


def _polygons(geom) -> NDArray:
    """The polygons of ``geom`` (a union's result: empty, a polygon or a multipolygon)."""
    parts = shapely.get_parts(geom)
    return parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]


def _collect(polygons: NDArray):
    """Disjoint ``polygons`` as one geometry (what their union is: no overlay needed)."""
    return polygons[0] if len(polygons) == 1 else shapely.multipolygons(polygons)


def _punch(rest, lone: NDArray, centres: NDArray[np.float64]):
    """``rest − lone``: disks ``lone`` (centred at ``centres``) lie strictly inside ``rest``'s polygons, each
    apart from every other disk and from the town line, so each is one more hole of the polygon holding its
    centre (the same polygons a difference gives, without overlaying their vertices again)."""
    parts = _polygons(rest)
    if len(parts) == 1:  # the common case: one polygon holds them all
        hit, part = np.arange(len(lone)), np.zeros(len(lone), dtype=np.intp)
    else:
        hit, part = shapely.STRtree(parts).query(shapely.points(centres), predicate="within")
    if len(hit) != len(lone):  # not expected (each centre is inside one part); the plain way then
        return shapely.difference(rest, shapely.union_all(lone))
    holes = [list(shapely.get_interior_ring(p, i) for i in range(shapely.get_num_interior_rings(p)))
             for p in parts]
    for i, k in zip(hit, part, strict=True):
        holes[k].append(shapely.get_exterior_ring(lone[i]))
    punched = [shapely.Polygon(shapely.get_exterior_ring(p), holes[k]) if len(holes[k]) else p
               for k, p in enumerate(parts)]
    return _collect(np.asarray(punched, dtype=object))


def _rest_of_untouched(towns: NDArray, covered: NDArray, untouched: NDArray[np.bool_]) -> NDArray:
    """Per town, the rest where no disk reaches (``untouched``): ``town − empty``, the very polygons a
    difference of the whole arrays gives (GEOS rewrites the town), so gaps do not depend on which path made
    them; other entries are filled by the caller."""
    rest = np.empty(len(towns), dtype=object)
    rest[untouched] = shapely.difference(towns[untouched], covered[untouched])
    return rest
