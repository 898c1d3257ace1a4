"""One rule per geo chore: the point-in-town tie-break, the lon/lat table reader, GeoPackage import."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scoring_fixtures import UTM49N, to_lnglat, towns_frame

from errors import RecordError
from geodata.boundaries import Region
from geodata.crs import convert_point
from geodata.tables import decode_text, read_lonlat
from geodata.towns import town_of_points
from scoring.demand import PointDemand, TownDemand, assign_towns, load_demand
from scoring.suggest import grid_points
from sites.io import read_records
from sites.region import TownIndex

#: Listed first but with the larger code: "first listed" and "smallest code" disagree here.
CODES = ["440605012000", "440605011000"]
GUICHENG = "440605011000"


def test_a_point_on_a_shared_town_line_goes_to_the_smallest_code_in_sites_demand_and_candidates():
    # sites: the registry's TownIndex, WGS84; the shared corner vertex lies on both towns exactly
    towns = towns_frame([(0, 0, 2000, 4000), (2000, 0, 4000, 4000)], codes=CODES)
    index = TownIndex(Region(towns, "test", ""))
    lng, lat = to_lnglat(2000, 0)
    assert index.assign([float(lng)], [float(lat)]).tolist() == ["440605011000"]
    inside_first = to_lnglat(500, 500)
    assert index.assign([float(inside_first[0])], [float(inside_first[1])]).tolist() == ["440605012000"]
    # demand and candidates: metric polygons (metres)
    metric = np.array([shapely.box(0, 0, 2000, 4000), shapely.box(2000, 0, 4000, 4000)], dtype=object)
    xy = np.array([[2000.0, 1000.0], [500.0, 500.0], [9000.0, 0.0]])
    assert assign_towns(metric, xy, CODES).tolist() == [1, 0, -1]  # demand points
    cand, cand_town = grid_points(metric, 4000, CODES)  # one grid centre, at (2000, 2000): on the line
    assert cand.tolist() == [[2000.0, 2000.0]] and cand_town.tolist() == [1]
    # the rule itself, whatever the file order
    assert town_of_points(metric[::-1], CODES[::-1], xy).tolist() == [0, 1, -1]


def test_a_demand_csv_saved_by_excel_in_gbk_loads(tmp_path):
    towns = towns_frame([(0, 0, 2000, 2000)])
    lng, lat = to_lnglat([500, 1500, 5000], [500, 1500, 500])
    rows = "".join(f"{x:.8f},{y:.8f},{w}\n" for x, y, w in zip(lng, lat, (40, 60, 7), strict=True))
    path = tmp_path / "人口.csv"
    path.write_bytes(("经度,纬度,人数\n" + rows).encode("gbk"))
    assert decode_text(path.read_bytes())[1] == "gbk"
    demand = load_demand(path, weight_field="人数", towns=towns, metric_crs=UTM49N)
    assert isinstance(demand, PointDemand)
    assert demand.weight.tolist() == [40.0, 60.0, 7.0] and demand.town.tolist() == [0, 0, -1]
    assert demand.town_totals(1).tolist() == [100.0]
    totals = tmp_path / "镇街人数.csv"
    totals.write_bytes(f"镇街代码,人数\n{towns.code[0]},1000\n".encode("gbk"))
    by_town = load_demand(totals, weight_field="人数", towns=towns, metric_crs=UTM49N)
    assert isinstance(by_town, TownDemand) and by_town.total.tolist() == [1000.0] and by_town.even_spread


def test_one_reader_for_lon_lat_tables_in_every_encoding_and_system(tmp_path):
    text = "名称,lng_gcj02,lat_gcj02\n甲,113.140950,23.028682\n"
    expected = convert_point(113.140950, 23.028682, "gcj02", "wgs84")
    for encoding, name in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk")):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode(encoding))
        table = read_lonlat(path)  # the header names the system: no option needed
        assert table.encoding == name and table.columns == ("lng_gcj02", "lat_gcj02")
        assert (table.lng[0], table.lat[0]) == pytest.approx(expected, abs=1e-9)
        assert table.frame["名称"].tolist() == ["甲"]


def test_site_import_reads_a_geopackage_from_qgis(store, tmp_path):
    path = tmp_path / "台账.gpkg"
    frame = gpd.GeoDataFrame({"名称": ["甲书屋", "乙驿站"], "类型": ["book_room", "rest_station"],
                              "状态": ["open", "planned"]},
                             geometry=gpd.points_from_xy([113.140950, 113.15], [23.028682, 23.03]), crs="EPSG:4326")
    frame.to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    records = read_records(path)
    assert records.lines == [1, 2] and records.headers["name"] == "名称"
    report = store.import_records(records, actor="a", crs="gcj02")
    sites = store.list_sites()
    assert len(report.written) == 2
    assert [(s.name, s.type, s.status) for s in sites] == [("甲书屋", "book_room", "open"),
                                                            ("乙驿站", "rest_station", "planned")]
    assert (sites[0].lng, sites[0].lat) == pytest.approx(convert_point(113.140950, 23.028682, "gcj02", "wgs84"))
    assert sites[0].town_code == GUICHENG


def test_a_projected_geopackage_is_read_in_degrees(tmp_path):
    path = tmp_path / "utm.gpkg"
    point = gpd.GeoSeries(gpd.points_from_xy([113.140950], [23.028682]), crs="EPSG:4326").to_crs(32649)
    gpd.GeoDataFrame({"name": ["甲"], "type": ["book_room"]}, geometry=point).to_file(path, driver="GPKG",
                                                                                      engine="pyogrio")
    records = read_records(path)
    row = records.frame.iloc[0]
    assert (float(row["lng"]), float(row["lat"])) == pytest.approx((113.140950, 23.028682), abs=1e-7)


def test_demand_errors_name_the_line_in_the_file(english, tmp_path):
    towns = towns_frame([(0, 0, 2000, 2000)])
    lng, lat = to_lnglat([500], [500])
    path = tmp_path / "d.csv"
    path.write_text(f"lng,lat,people\n\n{lng[0]:.8f},{lat[0]:.8f},5\n{lng[0]:.8f},{lat[0]:.8f},-3\n", encoding="utf-8")
    with pytest.raises(RecordError, match="line 4.*weight '-3' is not a number >= 0"):
        load_demand(path, weight_field="people", towns=towns, metric_crs=UTM49N)


def test_the_data_page_accepts_a_geopackage_of_sites(tmp_path):
    from app_pages.data_files import uploaded_records

    path = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"名称": ["甲"], "类型": ["book_room"]}, geometry=gpd.points_from_xy([113.14], [23.03]),
                     crs="EPSG:4326").to_file(path, driver="GPKG", engine="pyogrio")
    records = uploaded_records("台账.gpkg", path.read_bytes())
    assert records.frame[["name", "type"]].values.tolist() == [["甲", "book_room"]]
    assert (float(records.frame["lng"].iloc[0]), float(records.frame["lat"].iloc[0])) == pytest.approx((113.14, 23.03))
