"""The one point-in-town rule: which town holds a point.

A point inside one town belongs to it. A point on a line shared by two towns
(or in an overlap) belongs to the town with the **smallest town code** (codes
compared as text), so the answer never depends on the order of the boundary
file. A point in no town gets none (index ``-1``).

:func:`town_of_points` works in any single CRS: the towns and the points must
be in the same one (WGS84 degrees for the registry, metres for the coverage
engine). Site registration (:class:`sites.region.TownIndex`), demand layers
(:mod:`scoring.demand`) and candidate sites (:mod:`scoring.suggest`) all call it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray


def town_of_points(towns: ArrayLike, codes: Sequence[object] | ArrayLike, xy: ArrayLike) -> NDArray[np.int64]:
    """Index into ``towns`` of the town holding each point; ``-1`` where none does.

    ``towns``: shapely (multi)polygons; ``codes``: their town codes (same
    order), used only to break ties (smallest code wins); ``xy``: n × 2
    coordinates in the towns' CRS (non-finite rows get ``-1``).

    Each town is tested once against the points in its bounding box (points sorted by x, the box's strip
    cut out by binary search), with the town's outline prepared: a million grid points over seven detailed
    counties take well under a second (an STRtree query per point tested every point against an
    unprepared outline: 38 s).
    """
    towns = np.asarray(towns, dtype=object)
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    out = np.full(len(xy), -1, dtype=np.int64)
    ok = np.flatnonzero(np.isfinite(xy).all(axis=1))
    if len(ok) == 0 or len(towns) == 0:
        return out
    x, y = xy[ok, 0], xy[ok, 1]
    by_x = np.argsort(x, kind="stable")
    sorted_x = x[by_x]
    point_parts, town_parts = [], []
    for i, (minx, miny, maxx, maxy) in enumerate(shapely.bounds(towns)):
        if not np.isfinite(minx):  # an empty outline holds nothing
            continue
        strip = by_x[np.searchsorted(sorted_x, minx, "left"):np.searchsorted(sorted_x, maxx, "right")]
        near = strip[(y[strip] >= miny) & (y[strip] <= maxy)]
        if len(near):
            inside = near[shapely.intersects_xy(towns[i], x[near], y[near])]
            point_parts.append(inside)
            town_parts.append(np.full(len(inside), i, dtype=np.int64))
    if not point_parts:
        return out
    point_i, town_i = np.concatenate(point_parts), np.concatenate(town_parts)
    if len(point_i):
        keys = np.asarray([str(c) for c in codes], dtype=object)[town_i].astype(str)
        order = np.lexsort((keys, point_i))  # by point, then by code: the first of each point wins
        point_i, town_i = point_i[order], town_i[order]
        first = np.r_[True, point_i[1:] != point_i[:-1]]
        out[ok[point_i[first]]] = town_i[first]
    return out


def burn_order(codes: Sequence[object] | ArrayLike) -> NDArray[np.int64]:
    """Town indices in descending code order: rasterising towns in this order lets the smallest code
    be drawn last, so a cell centre on a shared line goes to it, as in :func:`town_of_points`."""
    keys = np.asarray([str(c) for c in codes], dtype=str)
    return np.argsort(keys, kind="stable")[::-1].astype(np.int64)
