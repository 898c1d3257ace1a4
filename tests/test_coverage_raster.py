"""Demand layers from files: a GeoTIFF grid in UTM 49N, point CSVs and town totals."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from scoring_fixtures import UTM49N, X0, Y0, coverage_of, sites_frame, to_lnglat, towns_frame

from errors import RecordError
from scoring.demand import GridDemand, PointDemand, TownDemand, load_demand

pytestmark = pytest.mark.usefixtures("english")  # messages in English for match= (tests/conftest.py)


def test_geotiff_in_metres_is_an_implicit_grid_with_exact_cell_counts(tmp_path):
    towns = towns_frame([(0, 0, 2000, 2000), (2000, 0, 4000, 2000)])
    path = tmp_path / "pop.tif"
    band = np.ones((20, 40), dtype="float32")  # 100 m cells over both towns, 1 person each
    band[0, 0] = -9999  # nodata
    with rasterio.open(path, "w", driver="GTiff", height=20, width=40, count=1, dtype="float32",
                       crs=UTM49N.to_wkt(), transform=from_origin(X0, Y0 + 2000, 100, 100), nodata=-9999) as dst:
        dst.write(band, 1)
    demand = load_demand(path, weight_field=None, towns=towns, metric_crs=UTM49N)
    assert isinstance(demand, GridDemand) and demand.shape == (20, 40)
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    table = coverage_of(towns, sites, types="book_room", radii_m=500, demand=demand).table
    # cell centres within 500 m of (1000, 1000): offsets (±50, ±150, ..., ±450)
    c = np.arange(-450, 500, 100)
    inside = int(((c[:, None] ** 2 + c[None, :] ** 2) <= 500**2).sum())
    assert table["covered_demand"].tolist() == [float(inside), 0.0]
    assert table["demand"].tolist() == [399.0, 400.0]


def test_point_csv_in_gcj02_is_converted_and_weighted(tmp_path):
    towns = towns_frame([(0, 0, 2000, 2000)])
    lng, lat = to_lnglat([1000, 1900], [1000, 1900])
    from geodata.crs import convert_points

    glng, glat = convert_points(lng, lat, "wgs84", "gcj02")
    path = tmp_path / "workers.csv"
    path.write_text("lng,lat,workers\n" + "\n".join(f"{a},{b},{w}" for a, b, w in zip(glng, glat, [30, 5], strict=True)),
                    encoding="utf-8")
    demand = load_demand(path, weight_field="workers", towns=towns, metric_crs=UTM49N, coords="gcj02")
    assert isinstance(demand, PointDemand)
    assert demand.xy - [X0, Y0] == pytest.approx(np.array([[1000, 1000], [1900, 1900]]), abs=0.01)
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    row = coverage_of(towns, sites, types="book_room", radii_m=500, demand=demand).table.iloc[0]
    assert (row["demand"], row["covered_demand"], row["uncovered_demand"]) == (35.0, 30.0, 5.0)


def test_town_totals_csv(tmp_path):
    towns = towns_frame([(0, 0, 2000, 2000)])
    path = tmp_path / "totals.csv"
    path.write_text(f"town_code,people\n{towns.code[0]},1000\n", encoding="utf-8")
    assert isinstance(load_demand(path, weight_field="people", towns=towns, metric_crs=UTM49N), TownDemand)


def test_demand_file_errors(tmp_path):
    towns = towns_frame([(0, 0, 2000, 2000)])
    path = tmp_path / "bad.csv"
    path.write_text("lng,lat,people\n111,22.6,-3\n", encoding="utf-8")
    with pytest.raises(RecordError, match="line 2.*weight '-3' is not a number >= 0"):
        load_demand(path, weight_field="people", towns=towns, metric_crs=UTM49N)
    with pytest.raises(RecordError, match="no weight field 'workers'"):
        load_demand(path, weight_field="workers", towns=towns, metric_crs=UTM49N)
    path.write_text("lng,lat,people\n999,22.6,3\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"coordinate \(999, 22.6\) is not a valid longitude/latitude"):
        load_demand(path, weight_field="people", towns=towns, metric_crs=UTM49N)
    path.write_text("name,people\nx,3\n", encoding="utf-8")
    with pytest.raises(RecordError, match="cannot read the demand layer"):
        load_demand(path, weight_field="people", towns=towns, metric_crs=UTM49N)
    with pytest.raises(FileNotFoundError):
        load_demand(tmp_path / "missing.csv", weight_field="people", towns=towns, metric_crs=UTM49N)
