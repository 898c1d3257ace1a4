"""Walking distance, more known answers: the service-area polygon's method (scoring/service_area.py).

The service area is every point within ``w`` of a reached street piece. A straight street of
length L has exactly 2·w·L + π·w² of it; a grid's band is checked against GEOS's buffer with
finely drawn round ends (256 segments a quarter: the exact area to 1e-5).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from scoring.network import ReachedStreets, attach, build_graph, reach, reached_segments, snap_points
from scoring.service_area import service_area

X0, Y0 = 700_123.4, 2_530_456.7  # UTM-sized coordinates, off the grid's nodes


def streets(pieces: np.ndarray) -> ReachedStreets:
    """Pieces (n × 2 × 2, metres) as reached streets."""
    pieces = np.asarray(pieces, dtype=float).reshape(-1, 2, 2)
    return ReachedStreets(np.arange(len(pieces)), pieces[:, 0, 0], pieces[:, 0, 1], pieces[:, 1, 0],
                          pieces[:, 1, 1], np.hypot(*(pieces[:, 1] - pieces[:, 0]).T))


def exact_band(pieces: np.ndarray, width_m: float) -> shapely.Geometry:
    return shapely.union_all(shapely.buffer(shapely.linestrings(np.asarray(pieces, float)), width_m, quad_segs=256))


@pytest.mark.parametrize("length_m", [1000.0, 250.0, 37.0])
@pytest.mark.parametrize("angle", [0.0, 0.3, np.pi / 4])
def test_a_straight_street_has_two_w_l_plus_pi_w_squared(length_m, angle):
    """One street of length L, w = 50 m: area 2·w·L + π·w² (107,854 m² at L = 1 km) to 0.2 % at 1 km, 0.5 %
    at 250 m, 1.5 % at 37 m (the round ends, traced on a 12.5 m grid, come out about 1.4 % short of the
    disc: about 106 m² for the two); the polygon is one piece without holes, holds the street, and its
    outline is everywhere within 1 m of the exact one."""
    w = 50.0
    a = np.array([X0, Y0])
    b = a + length_m * np.array([np.cos(angle), np.sin(angle)])
    area = service_area(streets([[a, b]]), width_m=w)
    expected = 2 * w * length_m + np.pi * w * w
    assert area.area == pytest.approx(expected, rel={1000.0: 2e-3, 250.0: 5e-3, 37.0: 1.5e-2}[length_m])
    assert area.area < expected  # round ends traced as chords: never more than the exact band
    assert isinstance(area, shapely.Polygon) and len(area.interiors) == 0 and area.is_valid
    street = shapely.LineString([a, b])
    assert area.contains(street)
    assert shapely.hausdorff_distance(area.exterior, street.buffer(w, quad_segs=256).exterior) < 1.0


def test_a_point_piece_is_a_disc():
    """A piece of length 0 (a site on a street whose walk ends where it starts): the disc π·w²."""
    area = service_area(streets([[[X0, Y0], [X0, Y0]]]), width_m=50.0)
    assert area.area == pytest.approx(np.pi * 2500, rel=2e-2)


def test_nothing_reached_is_an_empty_polygon_and_widths_are_checked():
    empty = streets(np.zeros((0, 2, 2)))
    assert service_area(empty).is_empty
    with pytest.raises(ValueError, match="width_m"):
        service_area(streets([[[0, 0], [1, 1]]]), width_m=-1)
    with pytest.raises(ValueError, match="cell_m"):
        service_area(streets([[[0, 0], [1, 1]]]), cell_m=0)


def _river_grid_reach(radius_m: float):
    """The 31 × 31 grid of 100 m blocks with a river between rows -1 and 0 and one bridge at column 8 (as in
    tests/test_network.py), walked from (0, 0); the reached pieces in metres offset to (X0, Y0)."""
    half = 15
    ii, jj = np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1), indexing="ij")
    ij = np.column_stack([ii.ravel(), jj.ravel()])
    index = {(int(i), int(j)): k for k, (i, j) in enumerate(ij)}
    u, v = [], []
    for (i, j), k in index.items():
        if (i + 1, j) in index:
            u.append(k)
            v.append(index[(i + 1, j)])
        if (i, j + 1) in index and not (j == -1 and i != 8):
            u.append(k)
            v.append(index[(i, j + 1)])
    g = build_graph(X0 + ij[:, 0] * 100.0, Y0 + ij[:, 1] * 100.0, np.array(u), np.array(v), np.full(len(u), 100.0))
    snap = snap_points(g, [[X0, Y0]], max_access_m=1.0)
    g2, (nodes,) = attach(g, [snap])
    dist = reach(g2, nodes, snap.access_m, radius_m)
    return reached_segments(g2, dist, radius_m), ij


def test_the_river_grid_band_matches_the_exact_buffer_in_any_number_of_windows():
    """River grid, 1,050 m walk: the traced band's area is the exact band's to 0.5 % (1.41 km²), their
    symmetric difference under 1 % of it; worked in one window or in windows of 40 cells (many seams), the polygon
    is the same (areas equal to 1e-9). No junction across the river that the walk misses is inside."""
    reached_streets, ij = _river_grid_reach(1050.0)
    pieces = np.stack([np.column_stack([reached_streets.x0, reached_streets.y0]),
                       np.column_stack([reached_streets.x1, reached_streets.y1])], axis=1)
    exact = exact_band(pieces, 50.0)
    one = service_area(reached_streets)
    many = service_area(reached_streets, window_cells=40)
    assert one.area == pytest.approx(exact.area, rel=5e-3)
    assert shapely.symmetric_difference(one, exact).area < 1e-2 * exact.area
    assert many.area == pytest.approx(one.area, rel=1e-9)
    assert one.is_valid and many.is_valid
    across = shapely.points(X0 + 100.0 * np.array([0, 1, -1, -5]), Y0 + 100.0 * np.array([-1, -1, -1, -2]))
    assert not shapely.intersects(one, across).any()


def test_two_far_apart_streets_make_two_parts_and_no_grid_between():
    """Two streets 40 km apart: two parts of 2·w·L + π·w² each (the empty windows between are skipped)."""
    a = [[X0, Y0], [X0 + 300.0, Y0]]
    b = [[X0 + 40_000.0, Y0 + 40_000.0], [X0 + 40_000.0, Y0 + 40_300.0]]
    area = service_area(streets([a, b]), window_cells=256)
    assert len(shapely.get_parts(area)) == 2
    assert area.area == pytest.approx(2 * (2 * 50 * 300 + np.pi * 2500), rel=5e-3)



def test_a_district_block_of_streets_is_traced_whole():
    """A 10 km × 10 km jittered grid of streets 75 m apart, every one reached (35,644 pieces): one service area
    whose area lies between the blocks' total and the grid's bounding square grown by w (the time it takes,
    about 0.08 s of CPU where a GEOS buffer dissolve took 1.2 s, is bench_network.py's to show)."""
    n = 134
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    rng = np.random.default_rng(1)
    x = X0 + ii.ravel() * 75.0 + rng.uniform(-15, 15, ii.size)
    y = Y0 + jj.ravel() * 75.0 + rng.uniform(-15, 15, ii.size)
    k = np.arange(ii.size).reshape(n, n)
    u = np.concatenate([k[:-1, :].ravel(), k[:, :-1].ravel()])
    v = np.concatenate([k[1:, :].ravel(), k[:, 1:].ravel()])
    pieces = np.stack([np.column_stack([x[u], y[u]]), np.column_stack([x[v], y[v]])], axis=1)
    area = service_area(streets(pieces))
    side = 133 * 75.0
    assert 0.95 * side**2 < area.area < (side + 2 * 65.0) ** 2


# ------------------------------------------------------------------------- the app's access limit


def test_the_map_page_sets_the_access_limit_and_lists_the_sites_beyond_it(app_db, tmp_path):
    """River grid registry plus a rest station in the town's corner, 269 m from the nearest street: at the
    default 200 m the sidebar warns of 1 site and lists it (name, type, town); at 300 m it joins the
    network (no warning) and the caption states the 300 m limit."""
    from streamlit.testing.v1 import AppTest

    from cli.sites import main as sites_main
    from tests.test_network_integration import APP, _to_lonlat, grid_registry

    grid_registry(tmp_path, str(app_db))
    lng, lat = _to_lonlat([1690.0], [1690.0])
    assert sites_main(["add", "--db", str(app_db), "--name", "角落驿站", "--type", "rest_station", "--lng",
                       f"{lng[0]:.7f}", "--lat", f"{lat[0]:.7f}", "--crs", "wgs84"]) == 0
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.radio(key="map_distance_zh").set_value("network").run()
    assert not at.exception, at.exception
    assert at.number_input(key="map_max_access").value == 200.0
    assert [w.value for w in at.sidebar.warning] == [
        "1 个站点离最近的道路超过 200 米，未接入路网，不参与步行覆盖（请核对坐标或路网范围）"]
    listed = [e for e in at.sidebar.expander if e.label == "未接入路网的站点（1 个）"]
    assert len(listed) == 1
    table = listed[0].dataframe[0].value
    assert table.to_dict("records") == [{"站点": "角落驿站", "类型": "户外劳动者爱心驿站", "所在镇街": "测试镇"}]
    at.number_input(key="map_max_access").set_value(300.0).run()
    assert not at.exception, at.exception
    assert not at.sidebar.warning
    assert any("离道路超过 300 米的站点和需求点不接入路网" in c.value for c in at.sidebar.caption)


# ------------------------------------------------------------------------------- only walking is scored


def test_a_stored_cycling_network_says_nothing_is_scored_on_it(tmp_path, capsys):
    """set-network --mode cycle and network-info --mode cycle say, in both languages, that coverage, gaps and
    suggestions walk only; the walking network's output does not."""
    from cli.sites import main as sites_main
    from tests.test_network_integration import grid_registry

    db = grid_registry(tmp_path, str(tmp_path / "grid.db"))
    walk_out = capsys.readouterr().out
    assert "骑行" not in walk_out
    lines = tmp_path / "streets.geojson"
    assert sites_main(["set-network", str(lines), "--crs", "wgs84", "--mode", "cycle", "--licence", "synthetic",
                       "--db", db]) == 0
    out = capsys.readouterr().out
    assert "注意：覆盖、空白和选址只按步行计算，用步行路网；骑行路网已保存，但暂不参与任何计算" in out
    assert sites_main(["network-info", "--mode", "cycle", "--db", db, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "coverage, gaps and suggestions are scored on foot only" in out and "nothing is scored on it" in out
    assert sites_main(["network-info", "--db", db, "--lang", "en"]) == 0
    assert "scored on foot only" not in capsys.readouterr().out


def test_the_data_page_says_only_walking_is_scored(app_db, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.test_network_integration import APP, grid_registry

    grid_registry(tmp_path, str(app_db))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("覆盖、空白和选址只按步行计算，用这里的步行路网。") for c in at.caption)


# ------------------------------------------------------------------ the map: caption, legend, screenshots


def test_the_map_says_walked_metres_and_minutes_and_shows_areas_against_circles(tmp_path, browser):
    """Helsinki's real streets (the bundled extract), two rest stations, 500 m: walking, the caption reads
    'A 步行 500 米 / 7 分钟（4.5 公里/小时）' and the legend '步行服务范围…'; straight, '500 米' and '服务范围'
    without them. In the browser the service area (polygon), the reached streets and the dashed circles are
    drawn; the circles hold more than the service area. Screenshots: tests/artifacts/walking_helsinki.png
    (walking, circles on) and walking_helsinki_straight.png."""
    pytest.importorskip("osmium")
    from cli.scoring import main as scoring_main
    from cli.sites import main as sites_main
    from tests.browser_support import ARTIFACTS, map_state, open_offline
    from tests.test_network_integration import PBF, _show_all_overlays, _write_region

    region = _write_region(tmp_path / "helsinki.geojson", (24.93, 60.16, 24.96, 60.175))
    db = str(tmp_path / "h.db")
    assert sites_main(["init", "--db", db, "--boundaries", str(region), "--boundaries-crs", "wgs84"]) == 0
    assert sites_main(["set-network", str(PBF), "--crs", "wgs84", "--db", db]) == 0
    for name, lng, lat in (("A", 24.9420, 60.1670), ("B", 24.9480, 60.1655)):
        assert sites_main(["add", "--db", db, "--name", name, "--type", "rest_station", "--lng", str(lng),
                           "--lat", str(lat), "--crs", "wgs84"]) == 0
    pages = {}
    for mode in ("network", "straight"):
        out = tmp_path / f"{mode}.html"
        assert scoring_main(["map", str(out), "--db", db, "--type", "rest_station", "--radius-m", "500", "--no-gaps",
                             "--distance", mode, "--lang", "zh"]) == 0
        pages[mode] = out.read_text(encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    texts = {}
    for mode, shot in (("network", "walking_helsinki.png"), ("straight", "walking_helsinki_straight.png")):
        page, requested = open_offline(browser, pages[mode], tmp_path, width=1100, height=900, name=f"{mode}.html")
        try:
            names = _show_all_overlays(page)
            page.wait_for_timeout(400)
            texts[mode] = page.locator("body").inner_text()
            if mode == "network":
                assert any("直线 500 米圆（对比）" in n for n in names), names
                layers = map_state(page)["geojson"]
                kinds = {f["geometry"]["type"] for layer in layers for f in layer}
                assert "MultiLineString" in kinds and kinds & {"Polygon", "MultiPolygon"}, kinds
            page.screenshot(path=str(ARTIFACTS / shot))
            assert requested == []
        finally:
            page.context.close()
    assert "户外劳动者爱心驿站 步行 500 米 / 7 分钟（4.5 公里/小时）" in texts["network"]
    assert "步行服务范围（可达街道两侧 50 米）" in texts["network"]
    assert "户外劳动者爱心驿站 500 米" in texts["straight"] and "步行" not in texts["straight"]


def test_an_extent_too_large_for_one_grid_is_traced_window_by_window_to_the_same_polygon():
    """River grid reach traced with a grid cap of 1,000 cells and windows of 40 cells (so window by window,
    dissolved): the same area as one grid to 1e-6, one valid part, the exact band's area to 0.5 %."""
    reached_streets, _ = _river_grid_reach(1050.0)
    one = service_area(reached_streets)
    windowed = service_area(reached_streets, window_cells=40, max_grid_cells=1_000)
    assert windowed.area == pytest.approx(one.area, rel=1e-6)
    assert windowed.is_valid and len(shapely.get_parts(windowed)) == len(shapely.get_parts(one))
    assert shapely.symmetric_difference(windowed, one).area < 1e-6 * one.area
