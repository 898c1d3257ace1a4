"""Service areas: a polygon drawn around the streets a site type reaches.

Method (documented for the maps and for area coverage in network mode): the
service area is every point within ``width_m`` (default 50 m) of a reached street
piece (:func:`scoring.network.reached_segments`, partial segments cut where the
radius runs out): the reached streets buffered by ``width_m`` on each side, round
ends, dissolved into one (multi)polygon. 50 m is about half a block of frontage in
Guangdong's towns: the buildings that face the reached streets. It is a picture of
reach along the streets, not an isochrone interpolated across blocks that no street
enters; a concave hull would fill rivers and walled parks back in, which is what
walking distance is meant to show.

How it is traced (:func:`service_area`): the distance to the nearest reached piece is
evaluated on a square grid of ``cell_m`` metres (default ``width_m`` / :data:`CELLS_PER_WIDTH`,
12.5 m) and the polygon is the grid's contour at ``width_m``:

1. each piece is sampled every cell and the grid node nearest each sample is marked
   with the piece;
2. a Euclidean distance transform (``scipy.ndimage.distance_transform_edt``) gives
   every node its nearest marked node, hence a nearby piece; nodes whose distance
   lies within :data:`EXACT_BAND_CELLS` cells of ``width_m`` get their exact distance to that piece (a
   point-to-segment distance), so the contour does not depend on where the samples
   fell;
3. marching squares (``contourpy``, matplotlib's contouring engine) traces the
   region ``distance < width_m`` with outer rings and holes, interpolating the level
   along the cell sides.

The distances are worked out in square windows of at most :data:`WINDOW_CELLS` cells
(plus a margin wide enough for every distance that matters), only where there are
reached streets, and written into one grid over the reached streets' extent (8 bytes
a cell: 56 MB for a 33 km district) that is contoured once, so the windows leave no
seams. An extent of more than :data:`MAX_GRID_CELLS` cells (sites spread over a city
or a province: 50 km square at 12.5 m) is traced window by window instead, each
window one node wider so that neighbours share their edge nodes, and the windows'
polygons are dissolved: memory stays at one window's work (about 100 MB) whatever
the extent. Accuracy: along straight streets the outline is the exact buffer's (the
distance is linear across them, so the interpolation is exact); round ends are drawn
as chords of the circle, about 1.4 % short of each half-disc (53 m² at 50 m); areas
come out 0.1–0.3 % under the exact buffer on street grids (tests in
``tests/test_walking_more.py``: a straight street of length L has 2·w·L + π·w²; a
river grid against GEOS's buffer with finely drawn round ends). Speed: 278,000 reached
pieces (1,000 sites at 1 km on the benchmark's 33 km district grid) about 0.7 s of CPU,
where buffering every piece and dissolving the bands with GEOS took about 10 s.

In network mode the coverage engine (:mod:`scoring.coverage`, :mod:`scoring.suggest`)
uses :class:`Walk` (the routing graph of a prepared network, built once per network)
and :func:`type_reach`: area coverage is the area of the service area inside each
town; gaps are the towns minus the service areas.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import contourpy
import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray
from scipy import ndimage

from scoring.network import Graph, ReachedStreets, attach, graph_of, reach, reached_segments, snap_points

#: Default half-width of the band drawn around reached streets (metres).
DEFAULT_WIDTH_M = 50.0
#: Grid cells per ``width_m``: the grid the service area is traced on has cells of ``width_m / 4``
#: (12.5 m at the default width).
CELLS_PER_WIDTH = 4
#: Side of the square windows the distance grid is worked in (cells; plus a margin), bounding memory.
WINDOW_CELLS = 2048
#: Largest grid traced in one piece (cells; 8 bytes each: 128 MB); a larger extent is traced window by window.
MAX_GRID_CELLS = 16_000_000
#: Nodes whose grid distance lies within this many cells of ``width_m`` get their exact distance.
EXACT_BAND_CELLS = 2.5


def service_area(streets: ReachedStreets, *, width_m: float = DEFAULT_WIDTH_M, cell_m: float | None = None,
                 window_cells: int = WINDOW_CELLS, max_grid_cells: int = MAX_GRID_CELLS) -> shapely.Geometry:
    """Every point within ``width_m`` metres of a reached street piece, as one (multi)polygon (same CRS
    as the graph); traced on a grid of ``cell_m`` metres (default ``width_m / 4``) as the module
    docstring says.

    Returns an empty polygon when nothing is reached. ``width_m`` and ``cell_m`` must be > 0.
    """
    if not width_m > 0:
        raise ValueError(f"width_m must be > 0, got {width_m}")
    cell = float(cell_m) if cell_m is not None else width_m / CELLS_PER_WIDTH
    if not cell > 0:
        raise ValueError(f"cell_m must be > 0, got {cell_m}")
    if len(streets.edge) == 0:
        return shapely.Polygon()
    ax, ay, bx, by = streets.x0, streets.y0, streets.x1, streets.y1
    # 1. samples every cell along each piece, each marking its nearest grid node (node (i, j) at (i·cell, j·cell))
    n = np.ceil(np.hypot(bx - ax, by - ay) / cell).astype(np.int64) + 1
    piece = np.repeat(np.arange(len(n)), n)
    f = (np.arange(len(piece)) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(np.maximum(n - 1, 1), n)
    gi = np.rint((ax[piece] + f * (bx - ax)[piece]) / cell).astype(np.int64)
    gj = np.rint((ay[piece] + f * (by - ay)[piece]) / cell).astype(np.int64)
    # 2. the distance grid over the marked nodes and a margin of every distance that matters, worked out window
    #    by window (only windows within the margin of a marked node; the others stay "far")
    margin = int(np.ceil(width_m / cell + EXACT_BAND_CELLS)) + 2
    i0, j0 = int(gi.min()) - margin, int(gj.min()) - margin
    n_i, n_j = int(gi.max()) + margin - i0 + 1, int(gj.max()) + margin - j0 + 1
    count_i, size_i = _even_split(n_i, window_cells, 2 * margin)
    count_j, size_j = _even_split(n_j, window_cells, 2 * margin)
    used = np.zeros((count_i, count_j), dtype=bool)
    for di in (-margin, margin):  # windows are at least 2 margins wide: a node's margin spans at most 2 per axis
        for dj in (-margin, margin):
            used[(gi + di - i0) // size_i, (gj + dj - j0) // size_j] = True
    windows = [(i0 + wi * size_i, j0 + wj * size_j) for wi, wj in np.argwhere(used).tolist()]
    if n_i * n_j <= max_grid_cells:
        # 3. one grid over the extent, "far" outside the windows worked out, traced once by marching squares
        z = np.full((n_j, n_i), 2.0 * width_m)
        for ci, cj in windows:
            ni, nj = min(size_i, i0 + n_i - ci), min(size_j, j0 + n_j - cj)
            z[cj - j0:cj - j0 + nj, ci - i0:ci - i0 + ni] = _window_distances(ci, cj, ni, nj, margin, gi, gj, piece,
                                                                              streets, width_m, cell)
        return _contour(z, i0, j0, cell, width_m)
    # 3'. an extent too large for one grid (sites spread over a city or more): each window traced on its own,
    #     one node wider so that neighbours share their edge nodes, and the windows' polygons dissolved
    parts = [_contour(_window_distances(ci, cj, min(size_i + 1, i0 + n_i - ci), min(size_j + 1, j0 + n_j - cj),
                                        margin, gi, gj, piece, streets, width_m, cell), ci, cj, cell, width_m)
             for ci, cj in windows]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _contour(z: NDArray[np.float64], i0: int, j0: int, cell: float, width_m: float) -> shapely.Geometry:
    """The region ``z < width_m`` of distances ``z`` on grid nodes from (``i0``, ``j0``), by marching squares."""
    n_j, n_i = z.shape
    gen = contourpy.contour_generator(x=(i0 + np.arange(n_i)) * cell, y=(j0 + np.arange(n_j)) * cell, z=z,
                                      fill_type=contourpy.FillType.OuterOffset, chunk_size=0)
    points, offsets = gen.filled(-1.0, width_m)
    polygons = [shapely.Polygon(p[o[0]:o[1]], [p[o[r]:o[r + 1]] for r in range(1, len(o) - 1)])
                for p, o in zip(points, offsets, strict=True)]
    if not polygons:
        return shapely.Polygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _even_split(extent: int, most: int, least: int) -> tuple[int, int]:
    """The fewest equal windows of at most ``most`` cells (at least ``least``) that span ``extent`` cells:
    (count, side)."""
    count = max(1, -(-extent // most))
    side = max(least, -(-extent // count))
    return -(-extent // side), side


def _window_distances(ci: int, cj: int, ni: int, nj: int, margin: int, gi: NDArray[np.int64], gj: NDArray[np.int64],
                      piece: NDArray[np.int64], streets: ReachedStreets, width_m: float, cell: float
                      ) -> NDArray[np.float64]:
    """Distances (metres, nj × ni) from grid nodes ``ci … ci+ni-1`` × ``cj … cj+nj-1`` to the reached streets,
    over the marked nodes within ``margin`` cells around them; exact near ``width_m``."""
    i_lo, j_lo = ci - margin, cj - margin
    span_i, span_j = ni + 2 * margin, nj + 2 * margin
    inside = (gi >= i_lo) & (gi < i_lo + span_i) & (gj >= j_lo) & (gj < j_lo + span_j)
    owner = np.full((span_j, span_i), -1, dtype=np.int32)
    owner[gj[inside] - j_lo, gi[inside] - i_lo] = piece[inside]
    near_j, near_i = ndimage.distance_transform_edt(owner < 0, return_distances=False, return_indices=True)
    near_j, near_i = near_j[margin:margin + nj, margin:margin + ni], near_i[margin:margin + nj, margin:margin + ni]
    dj = near_j - np.arange(margin, margin + nj, dtype=near_j.dtype)[:, None]
    di = near_i - np.arange(margin, margin + ni, dtype=near_i.dtype)[None, :]
    d2 = dj * dj + di * di  # squared distance to the nearest marked node, in cells
    level = width_m / cell
    z = np.where(d2 < max(level - EXACT_BAND_CELLS, 0.0) ** 2, 0.0, 2.0 * width_m)
    # exact distance to the nearest marked node's piece wherever the level may be crossed (the far side and the
    # near side of the band only need to be on their side of width_m)
    band = np.flatnonzero((d2 >= max(level - EXACT_BAND_CELLS, 0.0) ** 2) & (d2 <= (level + EXACT_BAND_CELLS) ** 2))
    row, col = np.divmod(band, ni)
    k = owner[near_j.ravel()[band], near_i.ravel()[band]]
    px, py = (ci + col) * cell, (cj + row) * cell
    ax, ay = streets.x0[k], streets.y0[k]
    vx, vy = streets.x1[k] - ax, streets.y1[k] - ay
    vv = vx * vx + vy * vy
    s = np.clip(((px - ax) * vx + (py - ay) * vy) / np.where(vv > 0, vv, 1.0), 0.0, 1.0)
    z.ravel()[band] = np.hypot(px - ax - s * vx, py - ay - s * vy)
    return z


# ------------------------------------------------------------------ the geo adapter of network mode


@dataclass(frozen=True, eq=False)
class Walk:
    """A prepared street network ready for the coverage engine: its routing graph and metric CRS.

    ``graph``: :func:`scoring.network.graph_of` of the network (metres in ``crs``);
    ``junctions``: the nodes where other than two segments meet (crossings and dead
    ends: the network's own demand points when no demand layer is given);
    ``source``: the file it came from; ``mode``: ``walk`` or ``cycle``.
    """

    graph: Graph
    crs: pyproj.CRS
    junctions: NDArray[np.int64]
    mode: str
    source: str = ""

    @classmethod
    def of(cls, network) -> Walk:
        """From a :class:`geodata.network.StreetNetwork` (built once per network object, then reused)."""
        cached = _WALKS.get(network)
        if cached is None:
            graph = graph_of(network)
            n = graph.n_nodes
            a = np.minimum(graph.edge_from, graph.edge_to)
            b = np.maximum(graph.edge_from, graph.edge_to)
            pairs = np.unique(a * n + b)
            degree = np.bincount(np.concatenate([pairs // n, pairs % n]), minlength=n)
            junctions = np.flatnonzero((degree > 0) & (degree != 2)).astype(np.int64)
            cached = cls(graph, pyproj.CRS(network.metric_crs), junctions, network.mode, str(network.source))
            _WALKS[network] = cached
        return cached

    def project(self, xy: NDArray[np.float64], crs) -> NDArray[np.float64]:
        """Points ``xy`` (n × 2, metres in ``crs``) in this network's CRS."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if pyproj.CRS(crs).equals(self.crs) or len(xy) == 0:
            return xy
        x, y = pyproj.Transformer.from_crs(crs, self.crs, always_xy=True).transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    def join(self, *groups: NDArray[np.float64], max_access_m: float) -> Joined:
        """Snap every group of points (n × 2 metres in :attr:`crs`) to the streets and split the segments
        they join (:func:`scoring.network.snap_points` + :func:`scoring.network.attach`)."""
        snaps = [snap_points(self.graph, g, max_access_m=max_access_m) for g in groups]
        graph, nodes = attach(self.graph, snaps)
        return Joined(graph, nodes, [s.access_m for s in snaps], [s.on_network for s in snaps])


_WALKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Joined:
    """Points joined to a street graph: the split ``graph``, per group the points' ``nodes`` (-1: off the
    network), ``access_m`` legs and ``on_network`` flags."""

    graph: Graph
    nodes: list[NDArray[np.int64]]
    access_m: list[NDArray[np.float64]]
    on_network: list[NDArray[np.bool_]]


@dataclass(frozen=True)
class TypeReach:
    """What the sites of one type reach along the streets: node distances ``dist`` (metres, ``inf`` beyond
    the radius), the reached street pieces and their service area (metres in the network's CRS)."""

    dist: NDArray[np.float64]
    streets: ReachedStreets
    area: shapely.Geometry


def type_reach(joined: Joined, group: int, radius_m: float, *, width_m: float = DEFAULT_WIDTH_M) -> TypeReach:
    """Reach of the points of ``joined`` group ``group`` (the sites of a type) within ``radius_m`` walked metres."""
    dist = reach(joined.graph, joined.nodes[group], joined.access_m[group], radius_m)
    streets = reached_segments(joined.graph, dist, radius_m)
    return TypeReach(dist, streets, service_area(streets, width_m=width_m))


def off_network(network, lng: NDArray[np.float64], lat: NDArray[np.float64], *, max_access_m: float
                ) -> NDArray[np.bool_]:
    """Which WGS84 points (degrees) lie farther than ``max_access_m`` from every street of ``network``."""
    walk = Walk.of(network)
    lng = np.asarray(lng, dtype=float)
    if len(lng) == 0:
        return np.zeros(0, dtype=bool)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", walk.crs, always_xy=True).transform(lng, np.asarray(lat, float))
    return ~snap_points(walk.graph, np.column_stack([x, y]), max_access_m=max_access_m).on_network
