"""Reach along the streets: the numeric core of network (walking) distance.

Everything here works on plain arrays in a projected CRS in metres (node ``x``/``y``,
edge ``from``/``to`` indices, edge lengths); no settings, language or storage. The
geo adapter that reads OpenStreetMap or a lines file into such arrays is
:mod:`geodata.network`.

Model
-----
* **Graph**: a CSR matrix (``scipy.sparse``), node × node, entry = edge length in
  metres. For walking the graph is undirected (one-way streets do not bind people
  on foot): every edge is stored in both directions. A directed graph (cycling:
  ``oneway`` flags) is walked *towards* a site, i.e. on the transposed matrix, so a
  distance is always the trip from a demand point to a site.
* **Access leg**: a point (site, candidate, demand point) joins the network at its
  orthogonal projection onto the nearest street segment (an exact search on a
  KD-tree of samples along the segments; a point lying on a junction joins at it).
  The straight distance from the point to that projection, ``access_m``, is
  **added** to the walk at both ends:
  ``distance(site, worker) = access(site) + street distance + access(worker)``.
  A point farther than ``max_access_m`` from every street is flagged (``node == -1``)
  and reaches nothing and is reached by nothing.
* **Joining** (:func:`attach`): each projection that is not a junction becomes a new
  node that splits its segment in two (lengths in proportion), so a site and a
  worker on the same block are as far apart as the street between them says.
* **Reach of a type** (:func:`reach`): one Dijkstra from a virtual source linked to
  every site of the type by its access leg (``scipy.sparse.csgraph.dijkstra`` with
  ``limit=radius_m``): the distance from the nearest site to every node, ``inf``
  beyond the radius. (A virtual source rather than ``min_only=True`` over the sites,
  because each site starts with its own access leg.)
* **Coverage matrix** candidates × demand points (:func:`coverage_matrix`), boolean
  CSR, in bounded memory: candidates are grouped in square tiles (as wide as the
  radius by default); each tile runs Dijkstra from its candidates on the sub-network
  within the radius of the tile (the nodes of the tiles around it), which is exact
  because no path of length ≤ r leaves the straight disc of radius r (every edge is
  at least as long as the straight line between its ends). Memory per block is at
  most ``max_block`` distances; never a dense candidates × junctions matrix.
* **Reached streets** (:func:`reached_segments`): a segment whose two ends are
  reached with slack ``a`` and ``b`` (radius minus distance) is reached whole when
  ``a + b ≥ length``, else as the pieces ``[0, a]`` and ``[length − b, length]``
  (a walker goes in from either end and stops where the radius runs out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

#: Smallest edge weight stored (metres): scipy's sparse graphs need positive entries.
MIN_EDGE_M = 1e-9
#: A projection closer than this to a segment end is that junction (metres).
NODE_SNAP_M = 1e-6
#: Tolerance on the radius (metres): a walk of radius + 1 µm still counts, so rounding and the
#: :data:`MIN_EDGE_M` weights never drop a point lying exactly on the radius.
TOL_M = 1e-6
#: Spacing of the samples along segments that the snapping search uses (metres).
SAMPLE_M = 100.0
#: Largest block of distances (sources × sub-network nodes) held at once in coverage_matrix.
MAX_BLOCK = 4_000_000


@dataclass(frozen=True, eq=False)
class Graph:
    """A street graph in a projected CRS (metres).

    ``x``/``y``: node coordinates. ``edge_from``/``edge_to``/``length_m``: the
    segments (length ≥ the straight distance between the ends). ``oneway``: per
    edge, 1 if it may only be travelled from ``edge_from`` to ``edge_to``, else 0
    (all 0 when not ``directed``). ``csr``: node × node lengths, both directions
    for two-way edges, the shortest kept where segments repeat.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    edge_from: NDArray[np.int64]
    edge_to: NDArray[np.int64]
    length_m: NDArray[np.float64]
    oneway: NDArray[np.int8]
    directed: bool

    @cached_property
    def csr(self) -> sp.csr_matrix:
        """Node × node lengths (built on first use)."""
        return _csr(self.n_nodes, self.edge_from, self.edge_to, self.length_m, self.oneway)

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_edges(self) -> int:
        return len(self.edge_from)

    @cached_property
    def node_tree(self) -> tuple[cKDTree, NDArray[np.int64]]:
        """KD-tree of the nodes that have a segment, and their indices (built once per graph)."""
        used = np.zeros(self.n_nodes, bool)
        used[self.edge_from] = True
        used[self.edge_to] = True
        nodes = np.flatnonzero(used)
        return cKDTree(np.column_stack([self.x[nodes], self.y[nodes]])), nodes

    @cached_property
    def segment_index(self) -> _SegmentIndex:
        """Where segments are, for snapping (built once per graph): see :func:`snap_points`."""
        return _SegmentIndex.build(self)

    @cached_property
    def toward(self) -> sp.csr_matrix:
        """The matrix to run Dijkstra on from sites: the transpose when directed (trips end at the site)."""
        if not self.directed:
            return self.csr
        t = self.csr.T.tocsr()
        t.sort_indices()
        return t


def build_graph(
    x: ArrayLike,
    y: ArrayLike,
    edge_from: ArrayLike,
    edge_to: ArrayLike,
    length_m: ArrayLike,
    *,
    oneway: ArrayLike | None = None,
    directed: bool = False,
) -> Graph:
    """A :class:`Graph` from node coordinates (metres) and segments.

    With ``directed=False`` (walking) ``oneway`` is ignored. Raises ``ValueError`` on
    indices out of range, negative or non-finite lengths, or a length shorter than
    the straight line between the segment's ends (1 mm tolerance).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    u = np.asarray(edge_from, dtype=np.int64)
    v = np.asarray(edge_to, dtype=np.int64)
    w = np.asarray(length_m, dtype=np.float64)
    n = len(x)
    if len(y) != n or not (len(u) == len(v) == len(w)):
        raise ValueError("x/y and edge_from/edge_to/length_m must be of equal lengths")
    if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError(f"edge indices must lie in 0..{n - 1}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("edge lengths must be finite and ≥ 0 metres")
    straight = np.hypot(x[u] - x[v], y[u] - y[v])
    if (w < straight - 1e-3).any():
        i = int(np.argmax(straight - w))
        raise ValueError(f"edge {i} is {w[i]:.3f} m long but its ends are {straight[i]:.3f} m apart")
    ow = np.zeros(len(u), np.int8) if (oneway is None or not directed) else np.asarray(oneway, np.int8).copy()
    if directed and oneway is not None and len(ow) != len(u):
        raise ValueError("oneway must have one flag per edge")
    ow = (ow != 0).astype(np.int8)
    return Graph(x, y, u, v, w, ow, bool(directed))


def graph_of(network) -> Graph:
    """The routing graph of a prepared network (:class:`geodata.network.StreetNetwork` or anything with its
    ``x``/``y``/``edge_from``/``edge_to``/``length_m``/``oneway``/``mode`` arrays): undirected for walking,
    directed (one-way streets bind) for cycling."""
    return build_graph(network.x, network.y, network.edge_from, network.edge_to, network.length_m,
                       oneway=network.oneway, directed=network.mode == "cycle")


def _csr(n: int, u: NDArray, v: NDArray, w: NDArray, oneway: NDArray) -> sp.csr_matrix:
    two = oneway == 0
    rows = np.concatenate([u, v[two]])
    cols = np.concatenate([v, u[two]])
    data = np.maximum(np.concatenate([w, w[two]]), MIN_EDGE_M)
    keep = rows != cols
    key = rows[keep] * n + cols[keep]
    data = data[keep]
    order = np.argsort(key)
    key, data = key[order], data[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    if len(first) < len(key):  # the same pair twice: keep the shortest
        data = np.minimum.reduceat(data, first)
        key = key[first]
    rows, cols = np.divmod(key, n)
    indptr = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=(n, n))


# ------------------------------------------------------------------------------ snapping


@dataclass(frozen=True)
class Snap:
    """Where points join the network (all in the graph's metres).

    ``node``: the junction a point joins at (``-1`` when it joins mid-segment or not
    at all); ``edge``/``t``: the segment and the fraction along it from
    ``edge_from`` (``edge == -1`` when the point is farther than ``max_access_m``
    from every street); ``access_m``: the straight distance from the point to where
    it joins (``inf`` when it does not).
    """

    node: NDArray[np.int64]
    edge: NDArray[np.int64]
    t: NDArray[np.float64]
    access_m: NDArray[np.float64]

    @property
    def on_network(self) -> NDArray[np.bool_]:
        """True for points within ``max_access_m`` of a street."""
        return (self.node >= 0) | (self.edge >= 0)

    def __len__(self) -> int:
        return len(self.node)


@dataclass(frozen=True)
class _SegmentIndex:
    """Samples along every segment at most :data:`SAMPLE_M` apart, in one KD-tree.

    The samples are the junctions that have segments (``node_ids``; each stands for its
    segments, ``inc_ptr``/``inc_edge``)
    and points inside segments longer than :data:`SAMPLE_M` (``owner``). Any point of a
    segment is within ``SAMPLE_M / 2`` of one of its samples, so every segment at most
    ``d`` from a point has a sample within ``d + SAMPLE_M / 2`` of it.
    """

    tree: cKDTree
    n_nodes: int
    node_ids: NDArray[np.int64]
    owner: NDArray[np.int64]
    inc_ptr: NDArray[np.int64]
    inc_edge: NDArray[np.int64]

    @classmethod
    def build(cls, g: Graph) -> _SegmentIndex:
        u, v = g.edge_from, g.edge_to
        ends = np.concatenate([u, v])
        order = np.argsort(ends, kind="stable")
        inc_edge = np.concatenate([np.arange(len(u)), np.arange(len(u))])[order]
        inc_ptr = np.zeros(g.n_nodes + 1, np.int64)
        np.cumsum(np.bincount(ends, minlength=g.n_nodes), out=inc_ptr[1:])
        straight = np.hypot(g.x[v] - g.x[u], g.y[v] - g.y[u])
        pieces = np.maximum(1, np.ceil(straight / SAMPLE_M).astype(np.int64))
        owner = np.repeat(np.arange(len(u)), pieces - 1)
        start = np.repeat(np.cumsum(pieces - 1) - (pieces - 1), pieces - 1)
        frac = (np.arange(len(owner)) - start + 1) / pieces[owner]
        sx = g.x[u[owner]] + frac * (g.x[v[owner]] - g.x[u[owner]])
        sy = g.y[u[owner]] + frac * (g.y[v[owner]] - g.y[u[owner]])
        used = np.flatnonzero(inc_ptr[1:] > inc_ptr[:-1])  # a junction without segments is no sample
        tree = cKDTree(np.column_stack([np.concatenate([g.x[used], sx]), np.concatenate([g.y[used], sy])]))
        return cls(tree, len(used), used, owner, inc_ptr, inc_edge)

    def near(self, xy: NDArray[np.float64], max_m: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(point, edge) pairs holding, for every point, each segment that may be its nearest one."""
        d0, _ = self.tree.query(xy)
        ok = np.flatnonzero(d0 <= max_m + SAMPLE_M / 2)
        if len(ok) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        balls = self.tree.query_ball_point(xy[ok], d0[ok] + SAMPLE_M / 2 + 1e-9)
        counts = np.fromiter((len(b) for b in balls), np.int64, len(balls))
        hits = np.fromiter(chain.from_iterable(balls), np.int64, int(counts.sum()))
        point = np.repeat(ok, counts)
        is_node = hits < self.n_nodes
        nodes, node_pt = self.node_ids[hits[is_node]], point[is_node]
        deg = self.inc_ptr[nodes + 1] - self.inc_ptr[nodes]
        first = np.repeat(self.inc_ptr[nodes] - np.r_[0, np.cumsum(deg)[:-1]], deg) + np.arange(deg.sum())
        edges = np.concatenate([self.inc_edge[first], self.owner[hits[~is_node] - self.n_nodes]])
        points = np.concatenate([np.repeat(node_pt, deg), point[~is_node]])
        return points, edges


def snap_points(graph: Graph, xy: ArrayLike, *, max_access_m: float) -> Snap:
    """Join points (``(n, 2)`` metres, the graph's CRS) to the nearest street segment.

    A point within :data:`NODE_SNAP_M` of a junction joins at it; any other point
    joins at its orthogonal projection onto the nearest segment, if that is at most
    ``max_access_m`` away (between equally near segments, the lowest edge index).
    The search is exact: a KD-tree of samples along the segments
    (:class:`_SegmentIndex`) gives every segment that can be the nearest one, and the
    distances to those are computed exactly.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    if max_access_m < 0 or not np.isfinite(max_access_m):
        raise ValueError(f"max_access_m must be a finite distance ≥ 0, got {max_access_m}")
    node = np.full(n, -1, np.int64)
    edge = np.full(n, -1, np.int64)
    t = np.zeros(n)
    access = np.full(n, np.inf)
    if n == 0 or graph.n_edges == 0:
        return Snap(node, edge, t, access)
    ok = np.isfinite(xy).all(axis=1)
    tree, used_nodes = graph.node_tree
    dist, hit = tree.query(np.where(ok[:, None], xy, 0.0), distance_upper_bound=NODE_SNAP_M)
    on_node = ok & np.isfinite(dist)
    node[on_node] = used_nodes[hit[on_node]]
    access[on_node] = dist[on_node]
    rest = np.flatnonzero(ok & ~on_node)
    if len(rest) == 0:
        return Snap(node, edge, t, access)
    u, v = graph.edge_from, graph.edge_to
    pp, ee = graph.segment_index.near(xy[rest], max_access_m)
    if len(pp) == 0:
        return Snap(node, edge, t, access)
    p_idx = rest[pp]
    x0, y0 = graph.x[u[ee]], graph.y[u[ee]]
    dx, dy = graph.x[v[ee]] - x0, graph.y[v[ee]] - y0
    seg2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        tt = np.where(seg2 > 0, ((xy[p_idx, 0] - x0) * dx + (xy[p_idx, 1] - y0) * dy) / seg2, 0.0)
    tt = np.clip(tt, 0.0, 1.0)
    acc = np.hypot(xy[p_idx, 0] - (x0 + tt * dx), xy[p_idx, 1] - (y0 + tt * dy))
    best = np.lexsort((ee, acc, p_idx))  # per point: nearest, then lowest edge index
    first = best[np.r_[True, p_idx[best][1:] != p_idx[best][:-1]]]
    first = first[acc[first] <= max_access_m]
    p_idx, e_idx, tt, acc, seg2 = p_idx[first], ee[first], tt[first], acc[first], seg2[first]
    seg_len = np.sqrt(seg2)
    at_from = tt * seg_len <= NODE_SNAP_M
    at_to = (1.0 - tt) * seg_len <= NODE_SNAP_M
    node[p_idx[at_from]] = u[e_idx[at_from]]
    node[p_idx[at_to & ~at_from]] = v[e_idx[at_to & ~at_from]]
    mid = ~(at_from | at_to)
    edge[p_idx[mid]] = e_idx[mid]
    t[p_idx[mid]] = tt[mid]
    access[p_idx] = acc
    return Snap(node, edge, t, access)


def attach(graph: Graph, snaps: Sequence[Snap]) -> tuple[Graph, list[NDArray[np.int64]]]:
    """The graph with every mid-segment join point made a node, and each point's node.

    Segments holding join points are split into a chain (from → p1 → … → to,
    lengths in proportion to the fractions ``t``); points at the same place share a
    node. Returns the new graph (old node indices unchanged, new nodes appended) and,
    per snap, the node of every point (``-1`` for points off the network).
    """
    node_all = np.concatenate([s.node for s in snaps]) if snaps else np.zeros(0, np.int64)
    edge_all = np.concatenate([s.edge for s in snaps]) if snaps else np.zeros(0, np.int64)
    t_all = np.concatenate([s.t for s in snaps]) if snaps else np.zeros(0)
    out = node_all.copy()
    mid = np.flatnonzero((node_all < 0) & (edge_all >= 0))
    if len(mid) == 0:
        return graph, _split(out, snaps)
    key_e, key_t = edge_all[mid], t_all[mid]
    order = np.lexsort((key_t, key_e))
    key_e, key_t = key_e[order], key_t[order]
    new = np.ones(len(order), bool)
    new[1:] = (key_e[1:] != key_e[:-1]) | (key_t[1:] != key_t[:-1])
    new_id = np.cumsum(new) - 1 + graph.n_nodes
    out[mid[order]] = new_id
    pe, pt, pid = key_e[new], key_t[new], new_id[new]
    u, v, length = graph.edge_from, graph.edge_to, graph.length_m
    nx = graph.x[u[pe]] + pt * (graph.x[v[pe]] - graph.x[u[pe]])
    ny = graph.y[u[pe]] + pt * (graph.y[v[pe]] - graph.y[u[pe]])
    first = np.ones(len(pe), bool)
    first[1:] = pe[1:] != pe[:-1]
    last = np.ones(len(pe), bool)
    last[:-1] = pe[1:] != pe[:-1]
    prev_node = np.where(first, u[pe], np.roll(pid, 1))
    prev_t = np.where(first, 0.0, np.roll(pt, 1))
    chain_from = np.concatenate([prev_node, pid[last]])
    chain_to = np.concatenate([pid, v[pe[last]]])
    chain_len = np.concatenate([(pt - prev_t) * length[pe], (1.0 - pt[last]) * length[pe[last]]])
    chain_ow = np.concatenate([graph.oneway[pe], graph.oneway[pe[last]]])
    keep = np.ones(graph.n_edges, bool)
    keep[pe] = False
    g = build_graph(
        np.concatenate([graph.x, nx]), np.concatenate([graph.y, ny]),
        np.concatenate([u[keep], chain_from]), np.concatenate([v[keep], chain_to]),
        np.concatenate([length[keep], chain_len]),
        oneway=np.concatenate([graph.oneway[keep], chain_ow]), directed=graph.directed,
    )
    return g, _split(out, snaps)


def _split(values: NDArray, snaps: Sequence[Snap]) -> list[NDArray[np.int64]]:
    bounds = np.cumsum([len(s) for s in snaps])[:-1]
    return [part.astype(np.int64) for part in np.split(values, bounds)]


# ---------------------------------------------------------------------------- distances


def reach(graph: Graph, nodes: ArrayLike, access_m: ArrayLike, radius_m: float) -> NDArray[np.float64]:
    """Walking distance (metres) from the nearest of the given points to every node.

    ``nodes``/``access_m``: the points' nodes (from :func:`attach`; ``-1`` ones are
    skipped) and access legs. One Dijkstra from a virtual source joined to each
    point by its access leg, bounded by ``radius_m`` (+ :data:`TOL_M`): entries beyond
    it are ``inf``. Use :func:`reached` to add a demand point's own access leg and
    compare with the radius.
    """
    nodes = np.asarray(nodes, np.int64)
    access = np.asarray(access_m, np.float64)
    valid = (nodes >= 0) & (access <= radius_m + TOL_M)
    n = graph.n_nodes
    if not valid.any():
        return np.full(n, np.inf)
    g = graph.toward
    src, w = nodes[valid], np.maximum(access[valid], MIN_EDGE_M)
    indptr = np.concatenate([g.indptr, [g.indptr[-1] + len(src)]]).astype(np.int32)
    indices = np.concatenate([g.indices, src]).astype(np.int32)
    data = np.concatenate([g.data, w])
    big = sp.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))
    dist = dijkstra(big, directed=True, indices=n, limit=radius_m + TOL_M)
    return np.asarray(dist[:n], dtype=np.float64)


def reached(dist: NDArray[np.float64], nodes: ArrayLike, access_m: ArrayLike, radius_m: float) -> NDArray[np.bool_]:
    """Which points (``nodes``/``access_m`` as from :func:`attach`) lie within ``radius_m`` given :func:`reach`'s ``dist``."""
    nodes = np.asarray(nodes, np.int64)
    access = np.asarray(access_m, np.float64)
    out = np.zeros(len(nodes), bool)
    ok = nodes >= 0
    out[ok] = dist[nodes[ok]] + access[ok] <= radius_m + TOL_M
    return out


def coverage_matrix(
    graph: Graph,
    cand_nodes: ArrayLike,
    cand_access_m: ArrayLike,
    dem_nodes: ArrayLike,
    dem_access_m: ArrayLike,
    radius_m: float,
    *,
    tile_m: float | None = None,
    max_block: int = MAX_BLOCK,
) -> sp.csr_matrix:
    """Boolean CSR, candidates × demand points: true when the walk is at most ``radius_m``.

    walk = candidate access + street distance + demand access (see the module
    docstring). Candidates are grouped in tiles of ``tile_m`` (default: the radius);
    each group runs on the sub-network of the tiles within the radius of its tile,
    ``max_block`` distances at a time; the result is what a Dijkstra on the whole
    network would give. The matrix plugs into :func:`scoring.mclp.solve_mclp`.
    """
    cn = np.asarray(cand_nodes, np.int64)
    ca = np.asarray(cand_access_m, np.float64)
    dn = np.asarray(dem_nodes, np.int64)
    da = np.asarray(dem_access_m, np.float64)
    n_c, n_d = len(cn), len(dn)
    if radius_m < 0 or not np.isfinite(radius_m):
        raise ValueError(f"radius_m must be a finite distance ≥ 0, got {radius_m}")
    g = graph.toward
    cand = np.flatnonzero((cn >= 0) & (ca <= radius_m + TOL_M))
    dem = np.flatnonzero((dn >= 0) & (da <= radius_m + TOL_M))
    if len(cand) == 0 or len(dem) == 0:
        return sp.csr_matrix((n_c, n_d), dtype=bool)
    tile = max(float(tile_m or radius_m), 1.0)
    reach_cells = max(1, int(np.ceil(radius_m / tile)))  # tiles a walk of radius_m can get across
    x0, y0 = graph.x.min(), graph.y.min()
    cx = np.floor((graph.x - x0) / tile).astype(np.int64) + reach_cells  # shifted: neighbours stay ≥ 0
    cy = np.floor((graph.y - y0) / tile).astype(np.int64) + reach_cells
    ny = int(cy.max()) + reach_cells + 1
    key = cx * ny + cy
    node_order = np.argsort(key, kind="stable")
    node_keys = key[node_order]
    dem_order = dem[np.argsort(key[dn[dem]], kind="stable")]
    dem_keys = key[dn[dem_order]]
    cand_key = key[cn[cand]]
    c_order = np.argsort(cand_key, kind="stable")
    cand, cand_key = cand[c_order], cand_key[c_order]
    starts = np.flatnonzero(np.r_[True, cand_key[1:] != cand_key[:-1]])
    ends = np.r_[starts[1:], len(cand)]
    local = np.full(graph.n_nodes, -1, np.int64)
    rows_out: list[NDArray] = []
    cols_out: list[NDArray] = []
    span = np.arange(-reach_cells, reach_cells + 1)
    for s, e in zip(starts, ends, strict=True):
        k = int(cand_key[s])
        lo = k + span * ny - reach_cells  # one key range per column of tiles
        hi = k + span * ny + reach_cells + 1
        n_lo, n_hi = np.searchsorted(node_keys, lo), np.searchsorted(node_keys, hi)
        idx = np.concatenate([node_order[a:b] for a, b in zip(n_lo, n_hi, strict=True)])
        idx.sort()
        d_lo, d_hi = np.searchsorted(dem_keys, lo), np.searchsorted(dem_keys, hi)
        dsel = np.sort(np.concatenate([dem_order[a:b] for a, b in zip(d_lo, d_hi, strict=True)]))
        if len(dsel) == 0:
            continue
        local[idx] = np.arange(len(idx))
        sub = _subgraph(g, idx, local)
        d_local = local[dn[dsel]]
        d_acc = da[dsel]
        tile_c = cand[s:e]
        src_nodes, inverse = np.unique(local[cn[tile_c]], return_inverse=True)
        step = max(1, max_block // max(len(idx), 1))
        for b in range(0, len(src_nodes), step):
            block = src_nodes[b:b + step]
            dist = dijkstra(sub, directed=True, indices=block, limit=radius_m + TOL_M)
            sel = (inverse >= b) & (inverse < b + len(block))
            rows_c = tile_c[sel]
            dd = dist[inverse[sel] - b][:, d_local] + d_acc[None, :] + ca[rows_c][:, None]
            r, c = np.nonzero(dd <= radius_m + TOL_M)
            rows_out.append(rows_c[r])
            cols_out.append(dsel[c])
        local[idx] = -1
    rows = np.concatenate(rows_out) if rows_out else np.zeros(0, np.int64)
    cols = np.concatenate(cols_out) if cols_out else np.zeros(0, np.int64)
    # each candidate's entries come from one block, already in ascending demand order: a stable sort by row
    # gives canonical CSR (sorted, no duplicates) without sorting the columns again
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(n_c + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n_c), out=indptr[1:])
    m = sp.csr_matrix((np.ones(len(rows), bool), cols[order], indptr), shape=(n_c, n_d))
    m.has_sorted_indices = True
    m.has_canonical_format = True
    return m


def _subgraph(g: sp.csr_matrix, idx: NDArray[np.int64], local: NDArray[np.int64]) -> sp.csr_matrix:
    """Rows and columns ``idx`` of ``g`` (``local`` maps a global node to its position, -1 outside)."""
    starts, ends = g.indptr[idx], g.indptr[idx + 1]
    counts = ends - starts
    take = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(counts.sum())
    cols = local[g.indices[take]]
    rows = np.repeat(np.arange(len(idx)), counts)
    keep = cols >= 0
    indptr = np.zeros(len(idx) + 1, np.int32)
    np.cumsum(np.bincount(rows[keep], minlength=len(idx)), out=indptr[1:])
    return sp.csr_matrix((g.data[take][keep], cols[keep].astype(np.int32), indptr), shape=(len(idx), len(idx)))


# ------------------------------------------------------------------------- reached streets


@dataclass(frozen=True)
class ReachedStreets:
    """The street pieces within reach, as straight pieces in metres.

    ``edge``: the segment each piece lies on; ``x0``/``y0``/``x1``/``y1``: its ends;
    ``length_m``: its length along the street.
    """

    edge: NDArray[np.int64]
    x0: NDArray[np.float64]
    y0: NDArray[np.float64]
    x1: NDArray[np.float64]
    y1: NDArray[np.float64]
    length_m: NDArray[np.float64]

    @property
    def total_m(self) -> float:
        return float(self.length_m.sum())


def reached_segments(graph: Graph, dist: NDArray[np.float64], radius_m: float) -> ReachedStreets:
    """The pieces of street within ``radius_m`` given :func:`reach`'s ``dist``.

    Whole segments where the slack at the two ends covers the length, else the
    piece from each reached end up to where the radius runs out. On a directed
    (cycling) graph pieces are drawn as for walking, from both ends: a picture of
    the reach, not a routing rule.
    """
    u, v, length = graph.edge_from, graph.edge_to, graph.length_m
    a = np.clip(radius_m - dist[u], 0.0, None)
    b = np.clip(radius_m - dist[v], 0.0, None)
    a = np.where(np.isfinite(dist[u]), np.minimum(a, length), 0.0)
    b = np.where(np.isfinite(dist[v]), np.minimum(b, length), 0.0)
    whole = (a + b >= length) & (np.isfinite(dist[u]) | np.isfinite(dist[v]))
    part_a = ~whole & (a > 0)
    part_b = ~whole & (b > 0)
    xu, yu, xv, yv = graph.x[u], graph.y[u], graph.x[v], graph.y[v]
    with np.errstate(invalid="ignore", divide="ignore"):
        fa = np.where(length > 0, a / length, 0.0)
        fb = np.where(length > 0, b / length, 0.0)
    e_w, e_a, e_b = np.flatnonzero(whole), np.flatnonzero(part_a), np.flatnonzero(part_b)
    edge = np.concatenate([e_w, e_a, e_b])
    x0 = np.concatenate([xu[e_w], xu[e_a], xv[e_b]])
    y0 = np.concatenate([yu[e_w], yu[e_a], yv[e_b]])
    x1 = np.concatenate([xv[e_w], xu[e_a] + fa[e_a] * (xv[e_a] - xu[e_a]), xv[e_b] + fb[e_b] * (xu[e_b] - xv[e_b])])
    y1 = np.concatenate([yv[e_w], yu[e_a] + fa[e_a] * (yv[e_a] - yu[e_a]), yv[e_b] + fb[e_b] * (yu[e_b] - yv[e_b])])
    lengths = np.concatenate([length[e_w], a[e_a], b[e_b]])
    return ReachedStreets(edge, x0, y0, x1, y1, lengths)
