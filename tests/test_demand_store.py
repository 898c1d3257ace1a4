"""Demand layers stored in the database (issue 12): named, with source, CRS, unit and date; coverage and
targets name them, so ``scoring targets``/``report`` evaluate a population target with no ``--demand``; a
target whose layer is gone says why; rasters are read in the region's window, in any CRS.

Known answers: 100 people at 桂城's site and 50 in 狮山 far from it (points, town totals); a raster of 10 people
per cell in lon/lat and the same people on a UTM grid give each town the same total within cell-edge effects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from cli.scoring import main as scoring_main
from cli.sites import main as sites_main
from demand.store import DemandStore
from errors import AccessDenied, NotFound
from scoring.demand import load_demand, read_raster_window
from scoring.query import DemandRef
from sites.store import SiteStore

GUICHENG, SHISHAN, DALI = "440605011000", "440605124000", "440605121000"
SITE = (113.19298, 23.03047)  # in 桂城, WGS84
FAR = (113.00610, 23.14190)  # in 狮山



def _points(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(f"lng,lat,pop\n{SITE[0]},{SITE[1]},100\n{FAR[0]},{FAR[1]},50\n", encoding="utf-8")
    return path


def _totals(tmp_path: Path) -> Path:
    path = tmp_path / "census.csv"
    path.write_text(f"town_code,pop\n{GUICHENG},100\n{SHISHAN},50\n", encoding="utf-8")
    return path


def _lonlat_raster(path: Path, *, bounds=(112.80, 22.75, 113.35, 23.45), cell_deg=0.002, value=10.0) -> Path:
    west, south, east, north = bounds
    nx, ny = round((east - west) / cell_deg), round((north - south) / cell_deg)
    with rasterio.open(path, "w", driver="GTiff", width=nx, height=ny, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(west, north, cell_deg, cell_deg), nodata=-1) as dst:
        dst.write(np.full((1, ny, nx), value, dtype="float32"))
    return path


def _utm_raster(path: Path, source: Path) -> Path:
    """The people of ``source`` on a UTM 49N grid (sum-preserving: density × cell area)."""
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with rasterio.open(source) as src:
        transform, width, height = calculate_default_transform(src.crs, "EPSG:32649", src.width, src.height,
                                                               *src.bounds, resolution=150)
        band = src.read(1)
        density = np.empty((height, width), dtype="float32")
        # people per m² in the source (cell areas by latitude), carried over, then × the UTM cell area
        lat = src.transform.f + (np.arange(src.height) + 0.5) * src.transform.e
        cell_m2 = (111_320.0 * src.transform.a) * (110_574.0 * -src.transform.e) * np.cos(np.radians(lat))
        reproject(band / cell_m2[:, None], density, src_transform=src.transform, src_crs=src.crs,
                  dst_transform=transform, dst_crs="EPSG:32649", resampling=Resampling.nearest, dst_nodata=0)
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       crs="EPSG:32649", transform=transform) as dst:
        dst.write((density * 150.0 * 150.0)[None])
    return path


def _target(cli, db: Path, layer: str) -> None:
    code, _, err = cli(scoring_main, "target-add", "--name", "人口覆盖", "--type", "book_room", "--scope", "region",
                       "--measure", "demand_share", "--threshold", "50", "--radius-m", "1000", "--deadline",
                       "2026-06-30", "--demand-layer", layer, db=db)
    assert code == 0, err


def _book_room(cli, db: Path) -> None:
    code, _, err = cli(sites_main, "add", "--name", "桂城书屋", "--type", "book_room", "--lng", str(SITE[0]), "--lat",
                       str(SITE[1]), "--crs", "wgs84", db=db)
    assert code == 0, err


# ------------------------------------------------------------------ the commands


def test_demand_add_list_delete(tmp_path, cli):
    db = tmp_path / "s.db"
    code, _, err = cli(sites_main, "demand-add", "people", str(_points(tmp_path)), "--weight-field", "pop", db=db)
    assert code == 2 and all(s in err for s in ("wgs84", "gcj02", "bd09"))  # a points file's CRS is never assumed
    code, out, err = cli(sites_main, "demand-add", "people", str(_points(tmp_path)), "--weight-field", "pop",
                         "--crs", "wgs84", "--unit", "workers", db=db)
    assert code == 0 and "total 150 workers" in out, err
    code, _, err = cli(sites_main, "demand-add", "people", str(_points(tmp_path)), "--weight-field", "pop",
                       "--crs", "wgs84", db=db)
    assert code == 2 and "--replace" in err
    assert cli(sites_main, "demand-add", "census", str(_totals(tmp_path)), "--weight-field", "pop", db=db)[0] == 0
    code, out, _ = cli(sites_main, "demand-list", "--format", "json", db=db)
    layers = {row["name"]: row for row in json.loads(out)}
    assert layers["people"]["kind"] == "points" and layers["people"]["crs_given"] == "wgs84"
    assert layers["people"]["unit"] == "workers" and layers["people"]["source"] == "people.csv"
    assert layers["census"]["kind"] == "town_totals" and layers["census"]["total"] == 150
    assert layers["people"]["loaded_at"].endswith("Z") and layers["people"]["loaded_by"] == "tester"
    assert cli(sites_main, "demand-delete", "census", db=db)[0] == 0
    code, _, err = cli(sites_main, "demand-delete", "census", db=db)
    assert code == 2 and "no demand layer named 'census'" in err and "people" in err


def test_only_an_admin_stores_layers(dep, tmp_path):
    with pytest.raises(AccessDenied):
        DemandStore(dep.store).add("p", _points(tmp_path), crs="wgs84", weight_field="pop", actor=dep.editor)


def test_the_file_is_read_once(tmp_path):
    db = tmp_path / "s.db"
    with SiteStore(db) as store:
        DemandStore(store).add("people", _points(tmp_path), crs="wgs84", weight_field="pop", actor="admin")
    (tmp_path / "people.csv").unlink()
    with SiteStore(db) as store:
        assert DemandStore(store).load("people").town_totals(7).sum() == 150


def test_coverage_query_names_a_stored_layer(tmp_path, cli):
    db = tmp_path / "s.db"
    _book_room(cli, db)
    cli(sites_main, "demand-add", "people", str(_points(tmp_path)), "--weight-field", "pop", "--crs", "wgs84", db=db)
    code, out, err = cli(scoring_main, "coverage", "--type", "book_room", "--demand-layer", "people", "--format",
                         "json", db=db)
    assert code == 0, err
    rows = {r["town_code"]: r for r in json.loads(out)}
    assert (rows[GUICHENG]["demand"], rows[GUICHENG]["covered_demand"]) == (100, 100)
    assert (rows[SHISHAN]["demand"], rows[SHISHAN]["covered_demand"]) == (50, 0)
    assert DemandRef.stored("people") == DemandRef(layer="people") and DemandRef.stored("people").path == ""


# ------------------------------------------------------------------ targets evaluate with no --demand


@pytest.mark.parametrize("kind", ["points", "town_totals", "raster"])
def test_population_target_evaluates_on_its_stored_layer(tmp_path, cli, kind):
    db = tmp_path / "s.db"
    _book_room(cli, db)
    if kind == "points":
        args = [str(_points(tmp_path)), "--weight-field", "pop", "--crs", "wgs84"]
    elif kind == "town_totals":
        args = [str(_totals(tmp_path)), "--weight-field", "pop"]
    else:
        args = [str(_lonlat_raster(tmp_path / "pop.tif"))]
    assert cli(sites_main, "demand-add", "pop", *args, db=db)[0] == 0
    _target(cli, db, "pop")
    code, out, err = cli(scoring_main, "targets", "--as-of", "2025-12-31", "--format", "json", db=db)
    assert code == 0, err
    row = next(r for r in json.loads(out) if r["measure"] == "demand_share")
    if kind == "points":  # 100 of 150 people within 1 km of the book room
        assert row["actual_pct"] == pytest.approx(100 * 100 / 150)
    elif kind == "town_totals":  # spread evenly: 桂城's covered area share of its 100 people
        assert 0 < row["actual_pct"] < 100 * 100 / 150
    else:  # π km² of a ~1,070 km² district at an even density
        assert row["actual_pct"] == pytest.approx(100 * np.pi / 1071.4, rel=0.05)
    code, _, err = cli(scoring_main, "report", str(tmp_path / "r.html"), db=db)
    assert code == 0, err


def test_a_target_whose_layer_is_gone_says_why(tmp_path, cli):
    db = tmp_path / "s.db"
    cli(sites_main, "demand-add", "pop", str(_totals(tmp_path)), "--weight-field", "pop", db=db)
    _target(cli, db, "pop")
    assert cli(sites_main, "demand-delete", "pop", db=db)[0] == 0
    code, out, err = cli(scoring_main, "targets", "--format", "json", db=db)
    assert code == 0 and "Traceback" not in err
    assert "the demand layer 'pop' of target '人口覆盖' no longer exists" in err
    assert all(r["measure"] != "demand_share" for r in json.loads(out))  # the others are still reported
    code, _, err = cli(scoring_main, "report", str(tmp_path / "r.html"), db=db)
    assert code == 0 and "no longer exists" in err


# ------------------------------------------------------------------ rasters: windowed, any CRS


def test_raster_in_lonlat_and_the_same_people_in_utm_give_equal_town_totals(tmp_path, region):
    lonlat = _lonlat_raster(tmp_path / "ll.tif")
    utm = _utm_raster(tmp_path / "utm.tif", lonlat)
    a = load_demand(lonlat, weight_field=None, towns=region.towns, metric_crs=region.metric_crs)
    b = load_demand(utm, weight_field=None, towns=region.towns, metric_crs=region.metric_crs)
    ta, tb = a.town_totals(len(region.towns)), b.town_totals(len(region.towns))
    assert ta.sum() > 100_000
    assert np.abs(ta / tb - 1).max() < 0.02  # cell-edge effects: 220 m and 150 m cells labelled by their centres
    # the lon/lat raster counts only cells whose centre lies in a town (clipped to the region)
    assert a.kind == "grid" and len(a.points()) == np.count_nonzero(a.town >= 0) == len(a.weight)


def test_raster_is_read_only_in_the_window_of_the_region(tmp_path, region):
    wide = _lonlat_raster(tmp_path / "wide.tif", bounds=(110.0, 21.0, 117.0, 25.0), cell_deg=0.01)
    band, transform, crs = read_raster_window(wide, bounds_wgs84=tuple(region.towns.total_bounds))
    minx, miny, maxx, maxy = region.towns.total_bounds
    assert band.shape[0] * band.shape[1] < 0.01 * 700 * 400  # the region's window, not the province
    assert transform.c <= minx and transform.c + band.shape[1] * transform.a >= maxx
    assert transform.f >= maxy and transform.f + band.shape[0] * transform.e <= miny
    assert crs.to_epsg() == 4326


def test_stored_raster_keeps_only_its_window(tmp_path):
    wide = _lonlat_raster(tmp_path / "wide.tif", bounds=(110.0, 21.0, 117.0, 25.0), cell_deg=0.01)
    with SiteStore(tmp_path / "s.db") as store:
        info = DemandStore(store).add("pop", wide, actor="admin")
        assert info.kind == "raster" and info.n_values < 0.01 * 700 * 400
        assert DemandStore(store).load("pop").town_totals(7).sum() > 0
    with SiteStore(tmp_path / "s.db") as store, pytest.raises(NotFound, match="nope"):
        DemandStore(store).load("nope")


# ------------------------------------------------------------------ the data page


def test_data_page_adds_lists_and_deletes_a_layer(app_db, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SITES_USER", "demand-test")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=90).run()
    at.switch_page("app_pages/data_page.py").run()
    assert any("还没有需求图层" in c.value for c in at.caption)
    census = _totals(tmp_path)
    at.file_uploader(key="demand_upload").set_value((census.name, census.read_bytes(), "text/csv")).run()
    assert at.radio(key="demand_crs_zh").value is None  # never assumed
    at.text_input(key="demand_name").set_value("人口普查")
    at.text_input(key="demand_weight").set_value("pop").run()
    at.button(key="demand_add").click().run()
    assert not at.exception, at.exception
    assert any("已保存需求图层“人口普查”" in s.value for s in at.success)
    with SiteStore(app_db) as store:
        assert [(r.name, r.kind, r.total, r.unit, r.source) for r in DemandStore(store).list()] == [
            ("人口普查", "town_totals", 150.0, "人", census.name)]  # its source: the user's file, not the server's copy
    at.run()  # the list above the form shows the new layer on the next run
    assert any("人口普查" in list(df.value.iloc[:, 0]) for df in at.dataframe)
    at.selectbox(key="demand_delete_pick").set_value("人口普查").run()
    at.button(key="demand_delete").click().run()
    assert not at.exception, at.exception
    with SiteStore(app_db) as store:
        assert DemandStore(store).list() == []


def test_targets_page_evaluates_a_population_target_and_says_when_its_layer_is_gone(app_db, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from targets.store import TargetStore

    monkeypatch.setenv("SITES_USER", "demand-test")
    with SiteStore(app_db) as store:
        store.add({"name": "桂城书屋", "type": "book_room", "lng": SITE[0], "lat": SITE[1]}, actor="a", crs="wgs84")
        DemandStore(store).add("pop", _points(tmp_path), crs="wgs84", weight_field="pop", actor="admin")
        TargetStore(store).add({"name": "人口覆盖", "site_type": "book_room", "scope": "region",
                                "measure": "demand_share", "threshold": 50, "radius_m": 1000,
                                "deadline": "2026-06-30", "demand_layer": "pop"}, actor="admin")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=90).run()
    at.switch_page("app_pages/targets_page.py").run()
    assert not at.exception, at.exception
    assert not [w for w in at.warning if "人口覆盖" in w.value]  # evaluated, not set aside
    assert any("人口覆盖" in str(df.value.to_numpy().tolist()) for df in at.dataframe)
    with SiteStore(app_db) as store:
        DemandStore(store).delete("pop", actor="admin")
    at.run()
    assert not at.exception, at.exception
    assert any("人口覆盖" in w.value and "已不存在" in w.value for w in at.warning)


def test_lonlat_grid_cells_within_reach_match_the_metric_distance():
    """The ellipse rule on a lon/lat grid against every cell centre projected to UTM 49N: the same cells,
    but for centres within 0.5 m of the circle (the linearisation's second-order term)."""
    import pyproj

    from scoring.demand import lonlat_grid_within, points_within

    x_left, y_top, cell, shape = 113.0, 23.2, 1 / 1200, (360, 480)
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
    rng = np.random.default_rng(3)
    sites = np.column_stack([rng.uniform(113.05, 113.35, 20), rng.uniform(22.95, 23.15, 20)])
    for radius in (300.0, 1000.0, 5000.0):
        mask = lonlat_grid_within(sites, to_utm, radius, x_left=x_left, y_top=y_top, cell_x=cell, cell_y=cell,
                                  shape=shape)
        rows, cols = np.divmod(np.arange(shape[0] * shape[1]), shape[1])
        x, y = to_utm.transform(x_left + (cols + 0.5) * cell, y_top - (rows + 0.5) * cell)
        centres = np.column_stack([x, y])
        sx, sy = to_utm.transform(sites[:, 0], sites[:, 1])
        exact = points_within(np.column_stack([sx, sy]), centres, radius)
        assert exact.sum() > 100
        differ = np.flatnonzero(mask != exact)
        if len(differ):
            from scipy.spatial import cKDTree

            nearest, _ = cKDTree(np.column_stack([sx, sy])).query(centres[differ])
            assert np.abs(nearest - radius).max() < 0.5
