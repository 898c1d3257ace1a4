"""geodata.boundaries: the bundled Nanhai towns and loading user boundary files.

The hand-built towns are rectangles drawn in UTM 49N (EPSG:32649) metres near
Nanhai, so their areas are known on paper: 2 km x 2 km = 4 km², 3 km x 2 km = 6 km².
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from errors import BoundaryError, CRSError
from geodata.boundaries import OSM_ATTRIBUTION, TOWN_COLUMNS, bundled_region, load_region
from geodata.crs import convert_geometry

DATA = Path(__file__).parent / "data"
AMAP_NANHAI = DATA / "nanhai_district_amap_gcj02.geojson"
UTM49 = "EPSG:32649"
X0, Y0 = 700_000.0, 2_550_000.0  # about 113.0 E, 23.05 N

NANHAI_AREAS_KM2 = {"桂城街道": 83.7, "九江镇": 93.6, "西樵镇": 173.7, "丹灶镇": 142.4, "狮山镇": 336.9,
                    "大沥镇": 90.9, "里水镇": 149.3}


pytestmark = pytest.mark.usefixtures("english")  # messages in English for match= (tests/conftest.py)


def rect_km(x_km: float, y_km: float, w_km: float, h_km: float) -> Polygon:
    """A rectangle in UTM 49N metres, offset from (X0, Y0) in km."""
    return box(X0 + x_km * 1000, Y0 + y_km * 1000, X0 + (x_km + w_km) * 1000, Y0 + (y_km + h_km) * 1000)


def two_towns(**columns) -> gpd.GeoDataFrame:
    """Town A (4 km²) and town B (6 km²) side by side, in UTM 49N."""
    data = {"name": ["甲镇", "乙镇"], "code": ["440000000001", "440000000002"], **columns}
    return gpd.GeoDataFrame(data, geometry=[rect_km(0, 0, 2, 2), rect_km(2, 0, 3, 2)], crs=UTM49)


def write_zip(gdf: gpd.GeoDataFrame, folder: Path, *, drop: tuple[str, ...] = ()) -> Path:
    """``gdf`` written as a Shapefile and zipped (members with an extension in ``drop`` left out)."""
    shp_dir = folder / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "towns.shp", engine="pyogrio")
    target = folder / "towns.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for part in sorted(shp_dir.iterdir()):
            if part.suffix not in drop:
                zf.write(part, f"towns/{part.name}")
    return target


def area_by_name(region) -> dict[str, float]:
    return dict(zip(region.towns["name"], region.towns["area_km2"], strict=True))


# -------------------------------------------------------------------------- bundled


def test_bundled_region_areas_within_one_percent():
    region = bundled_region()
    areas = area_by_name(region)
    assert set(areas) == set(NANHAI_AREAS_KM2)
    for name, expected in NANHAI_AREAS_KM2.items():
        assert areas[name] == pytest.approx(expected, rel=0.01), name
    assert region.attribution == OSM_ATTRIBUTION
    assert region.towns.crs.to_epsg() == 4326
    assert region.metric_crs.to_epsg() == 32649


def test_bundled_region_codes_are_12_digit_strings_and_names_translate():
    region = bundled_region()
    assert all(len(code) == 12 and code.isdigit() for code in region.towns["code"])
    assert region.town_name("440605011000", "zh") == "桂城街道"
    assert region.town_name("440605011000", "en") == "Guicheng Subdistrict"
    assert region.town_name("999", "zh") == "999"


def test_load_region_reads_the_bundled_file_like_bundled_region(tmp_path):
    region = load_region(Path(bundled_region.__globals__["BUNDLED_TOWNS"]))
    assert list(region.towns.columns) == TOWN_COLUMNS
    for name, expected in NANHAI_AREAS_KM2.items():
        assert area_by_name(region)[name] == pytest.approx(expected, rel=0.01)
    assert region.attribution == OSM_ATTRIBUTION  # it has osm_id
    assert region.warnings == []


# ----------------------------------------------------------------------- good files


def test_geojson_with_upper_case_fields_and_numeric_codes(tmp_path):
    gdf = two_towns().rename(columns={"name": "NAME"}).drop(columns="code")
    gdf["ADCODE"] = [440605011000.0, 440605121000.0]  # a float column, as spreadsheets make them
    path = tmp_path / "towns.geojson"
    gdf.to_crs(4326).to_file(path, engine="pyogrio")
    region = load_region(path)
    assert list(region.towns["code"]) == ["440605011000", "440605121000"]
    assert list(region.towns["name"]) == ["甲镇", "乙镇"]
    assert list(region.towns["name_en"]) == ["", ""]
    assert region.towns["area_km2"].to_numpy() == pytest.approx([4.0, 6.0], rel=1e-4)
    assert region.attribution == "source: towns.geojson"
    assert region.source == str(path)


def test_name_en_field_is_kept(tmp_path):
    path = tmp_path / "towns.geojson"
    two_towns(name_en=["Jia", "Yi"]).to_crs(4326).to_file(path, engine="pyogrio")
    assert list(load_region(path).towns["name_en"]) == ["Jia", "Yi"]


def test_zipped_shapefile_in_utm_with_chinese_fields_is_reprojected(tmp_path):
    gdf = two_towns().rename(columns={"name": "名称", "code": "代码"})  # DBF names: 10 bytes at most
    region = load_region(write_zip(gdf, tmp_path))
    assert region.towns.crs.to_epsg() == 4326
    assert list(region.towns["name"]) == ["甲镇", "乙镇"]
    assert region.towns["area_km2"].to_numpy() == pytest.approx([4.0, 6.0], rel=1e-4)
    # the corner (X0, Y0) of town A lands where pyproj puts it in lon/lat
    expected = gpd.GeoSeries([Point(X0, Y0)], crs=UTM49).to_crs(4326)[0]
    corners = shapely.get_coordinates(region.towns.geometry[0])
    assert np.abs(corners - [expected.x, expected.y]).sum(axis=1).min() < 1e-9
    assert not list((tmp_path).glob("towns/*"))  # nothing extracted next to the zip


def test_zipped_shapefile_in_cgcs2000_gauss_kruger(tmp_path):
    gdf = two_towns().to_crs("EPSG:4547")  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
    region = load_region(write_zip(gdf, tmp_path))
    assert region.towns["area_km2"].to_numpy() == pytest.approx([4.0, 6.0], rel=1e-3)


def test_geopackage_first_layer_with_a_warning_naming_the_layers(tmp_path):
    path = tmp_path / "towns.gpkg"
    two_towns().to_file(path, layer="towns", engine="pyogrio")
    gpd.GeoDataFrame({"note": ["x"]}, geometry=[Point(X0, Y0)], crs=UTM49).to_file(
        path, layer="sites", engine="pyogrio")
    region = load_region(path)
    assert len(region.towns) == 2
    assert [w.code for w in region.warnings] == ["boundary.gpkg_layers"]
    assert "only the first, 'towns', was read" in region.warnings[0].message("en")


def test_given_fields_win_over_detection(tmp_path):
    path = tmp_path / "towns.geojson"
    two_towns(镇名=["A", "B"], 编号=["1", "2"]).to_crs(4326).to_file(path, engine="pyogrio")
    region = load_region(path, name_field="镇名", code_field="编号")
    assert list(region.towns["name"]) == ["A", "B"]
    assert list(region.towns["code"]) == ["1", "2"]


def test_empty_name_falls_back_to_code_with_a_warning(tmp_path):
    path = tmp_path / "towns.geojson"
    gdf = two_towns()
    gdf.loc[1, "name"] = " "
    gdf.to_crs(4326).to_file(path, engine="pyogrio")
    region = load_region(path)
    assert list(region.towns["name"]) == ["甲镇", "440000000002"]
    assert region.warnings[0].level == "warning"
    assert "feature 2 (code 440000000002) has no name" in region.warnings[0].message("en")


# ------------------------------------------------------------- coordinate systems


def test_gcj02_outline_is_converted_to_wgs84():
    """The Amap (GCJ-02) outline of Nanhai against the union of the OSM towns, in UTM 49N."""
    osm = bundled_region().towns.to_crs(UTM49).union_all()
    raw = load_region(AMAP_NANHAI)
    converted = load_region(AMAP_NANHAI, crs="gcj02")
    raw_km2 = raw.towns.to_crs(UTM49).union_all().symmetric_difference(osm).area / 1e6
    converted_km2 = converted.towns.to_crs(UTM49).union_all().symmetric_difference(osm).area / 1e6
    assert raw_km2 > 90
    assert converted_km2 < 13.5
    assert list(converted.towns["code"]) == ["440605"]
    assert converted.towns["area_km2"].iat[0] == pytest.approx(1071.4, rel=0.001)


def test_bd09_file_is_converted_back_to_the_wgs84_outline(tmp_path):
    wgs = two_towns().to_crs(4326)
    bd = wgs.copy()
    bd.geometry = convert_geometry(wgs.geometry.to_numpy(), "wgs84", "bd09")
    path = tmp_path / "baidu.geojson"
    bd.to_file(path, engine="pyogrio")
    region = load_region(path, crs="百度")
    for got, want in zip(region.towns.geometry, wgs.geometry, strict=True):
        assert np.abs(shapely.get_coordinates(got) - shapely.get_coordinates(want)).max() < 1e-7


def test_no_crs_and_none_given(tmp_path):
    path = write_zip(two_towns().to_crs(4326), tmp_path, drop=(".prj",))
    with pytest.raises(BoundaryError, match=r"towns.zip: the boundary file has no coordinate system.*--crs"):
        load_region(path)


def test_no_crs_lonlat_file_with_crs_given(tmp_path):
    path = write_zip(two_towns().to_crs(4326), tmp_path, drop=(".prj",))
    region = load_region(path, crs="wgs84")
    assert region.towns["area_km2"].to_numpy() == pytest.approx([4.0, 6.0], rel=1e-4)


def test_no_crs_projected_file_said_to_be_lonlat(tmp_path):
    path = write_zip(two_towns(), tmp_path, drop=(".prj",))
    with pytest.raises(BoundaryError, match=r"\(700000, 2.55e\+06\).*cannot be GCJ-02.*\.prj missing"):
        load_region(path, crs="gcj02")


def test_projected_file_said_to_be_gcj02(tmp_path):
    path = write_zip(two_towns(), tmp_path)
    with pytest.raises(BoundaryError, match=r"projected CRS WGS 84 / UTM zone 49N, so it cannot be GCJ-02"):
        load_region(path, crs="gcj02")


def test_unknown_crs_value():
    with pytest.raises(CRSError, match=r"unknown coordinate system 'mars'"):
        load_region(AMAP_NANHAI, crs="mars")


# ---------------------------------------------------------------------- error paths


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nowhere.geojson"):
        load_region("nowhere.geojson")


def test_unsupported_format(tmp_path):
    path = tmp_path / "towns.kml"
    path.write_text("<kml/>")
    with pytest.raises(BoundaryError, match=r"unsupported boundary file type '.kml'"):
        load_region(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(BoundaryError, match=r"file empty.geojson: the boundary file holds no features"):
        load_region(path)


def test_point_layer(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"name": ["a"], "code": ["1"]}, geometry=[Point(113.1, 23.0)], crs=4326).to_file(path)
    with pytest.raises(BoundaryError, match=r"must be polygons \(Polygon/MultiPolygon\), but the file holds: Point"):
        load_region(path)


def test_mixed_layer_names_every_type(tmp_path):
    path = tmp_path / "mixed.geojson"
    gpd.GeoDataFrame({"name": ["a", "b"], "code": ["1", "2"]},
                     geometry=[box(113.0, 23.0, 113.1, 23.1), LineString([(113, 23), (113.1, 23.1)])],
                     crs=4326).to_file(path)
    with pytest.raises(BoundaryError, match=r"holds: LineString, Polygon"):
        load_region(path)


def test_feature_without_geometry(tmp_path):
    path = tmp_path / "towns.geojson"
    gdf = two_towns().to_crs(4326)
    gdf.loc[1, "geometry"] = None
    gdf.to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError, match=r"feature 2 \(乙镇\) has no geometry"):
        load_region(path)


def test_named_field_missing_lists_the_fields(tmp_path):
    path = tmp_path / "towns.geojson"
    two_towns(人口=[1, 2]).to_crs(4326).to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError, match=r"there is no field '镇名'; available fields: name, code, 人口"):
        load_region(path, name_field="镇名")


def test_no_name_field_lists_the_fields(tmp_path):
    path = tmp_path / "towns.geojson"
    two_towns().rename(columns={"name": "label"}).to_crs(4326).to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError, match=r"no name field found .* available fields: label, code\. .*--name-field"):
        load_region(path)


def test_no_code_field_lists_the_fields(tmp_path):
    path = tmp_path / "towns.geojson"
    two_towns().drop(columns="code").to_crs(4326).to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError, match=r"no code field found .* available fields: name\. .*--code-field"):
        load_region(path)


def test_county_field_gives_way_to_a_name_field_and_adcode_to_code(tmp_path):
    path = tmp_path / "towns.geojson"
    two_towns(county=["南海区", "南海区"], adcode=["440605", "440605"]).to_crs(4326).to_file(path, engine="pyogrio")
    region = load_region(path)
    assert list(region.towns["name"]) == ["甲镇", "乙镇"]
    assert list(region.towns["code"]) == ["440000000001", "440000000002"]


def test_county_file_detects_county_and_adcode(tmp_path):
    path = tmp_path / "counties.geojson"
    gdf = two_towns().rename(columns={"name": "County", "code": "ADCODE"})
    gdf.to_crs(4326).to_file(path, engine="pyogrio")
    assert list(load_region(path).towns["name"]) == ["甲镇", "乙镇"]


def test_several_name_fields(tmp_path):
    path = tmp_path / "towns.geojson"
    two_towns(名称=["A", "B"]).to_crs(4326).to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError, match=r"several fields could be the name: name, 名称"):
        load_region(path)


def test_empty_and_duplicate_codes_reported_together(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"name": ["甲镇", "乙镇", "丙镇", "丁镇"], "code": ["7", "", "7", None]},
        geometry=[rect_km(0, 0, 1, 1), rect_km(1, 0, 1, 1), rect_km(2, 0, 1, 1), rect_km(3, 0, 1, 1)],
        crs=UTM49,
    ).to_crs(4326)
    path = tmp_path / "towns.geojson"
    gdf.to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError) as info:
        load_region(path)
    text = info.value.message("en")
    assert "feature 2 (乙镇) has an empty code" in text
    assert "feature 4 (丁镇) has an empty code" in text
    assert "code 7 is used more than once: features 1, 3 (甲镇, 丙镇)" in text
    assert "代码 7 重复：第 1, 3 个要素（甲镇, 丙镇）" in info.value.message("zh")


def test_overlapping_towns_named_with_the_overlap(tmp_path):
    # B starts 1 km inside A: overlap 1 km x 2 km = 2 km²
    gdf = gpd.GeoDataFrame({"name": ["甲镇", "乙镇"], "code": ["1", "2"]},
                           geometry=[rect_km(0, 0, 2, 2), rect_km(1, 0, 3, 2)], crs=UTM49)
    path = tmp_path / "towns.geojson"
    gdf.to_crs(4326).to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError, match=r"'甲镇' \(1\) and '乙镇' \(2\) overlap by 2\.00\d km² \(tolerance 0\.01"):
        load_region(path)


def test_sliver_overlap_under_the_tolerance_is_accepted(tmp_path):
    # 10 m x 2 km = 0.02 km² overlap: refused at the default 0.01 km², accepted at 0.05 km²
    gdf = gpd.GeoDataFrame({"name": ["甲镇", "乙镇"], "code": ["1", "2"]},
                           geometry=[rect_km(0, 0, 2, 2), rect_km(1.99, 0, 3, 2)], crs=UTM49)
    path = tmp_path / "towns.geojson"
    gdf.to_crs(4326).to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryError, match=r"overlap by 0\.020 km²"):
        load_region(path)
    assert len(load_region(path, overlap_tolerance_km2=0.05).towns) == 2


def test_bow_tie_is_repaired_and_reported(tmp_path):
    # corners (0,0) (2,0) (0,2) (2,2) km: two triangles meeting at (1,1), each 2 x 1 / 2 = 1 km²
    pts = [(X0, Y0), (X0 + 2000, Y0), (X0, Y0 + 2000), (X0 + 2000, Y0 + 2000), (X0, Y0)]
    bow = Polygon(pts)
    assert not bow.is_valid
    gdf = gpd.GeoDataFrame({"name": ["蝴蝶镇", "乙镇"], "code": ["1", "2"]},
                           geometry=[bow, rect_km(3, 0, 3, 2)], crs=UTM49)
    path = tmp_path / "towns.geojson"
    gdf.to_crs(4326).to_file(path, engine="pyogrio")
    region = load_region(path)
    assert region.towns.geometry.is_valid.all()
    assert region.towns.geom_type.iat[0] == "MultiPolygon"
    assert region.towns["area_km2"].to_numpy() == pytest.approx([2.0, 6.0], rel=1e-3)
    [warning] = region.warnings
    assert warning.level == "warning" and warning.code == "boundary.repaired"
    assert "'蝴蝶镇' (code 1) was invalid (Self-intersection" in warning.message("en")
    assert "→ 2.000 km²" in warning.message("en")


def test_zip_without_shp(tmp_path):
    path = tmp_path / "towns.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "no shapes here")
    with pytest.raises(BoundaryError, match=r"the zip file holds no .shp file \(it holds: readme.txt\)"):
        load_region(path)


def test_zip_missing_dbf(tmp_path):
    path = write_zip(two_towns(), tmp_path, drop=(".dbf",))
    with pytest.raises(BoundaryError, match=r"lacks towns.dbf: a Shapefile needs its .shp, .dbf and .shx"):
        load_region(path)


def test_zip_with_two_shapefiles(tmp_path):
    first = write_zip(two_towns(), tmp_path)
    with zipfile.ZipFile(first, "a") as zf:
        zf.write(tmp_path / "shp" / "towns.shp", "other/more.shp")
    with pytest.raises(BoundaryError, match=r"several .shp files \(towns/towns.shp, other/more.shp\)"):
        load_region(first)


def test_not_a_zip(tmp_path):
    path = tmp_path / "towns.zip"
    path.write_text("not a zip")
    with pytest.raises(BoundaryError, match=r"cannot read the boundary file: File is not a zip file"):
        load_region(path)


def test_broken_geojson(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(BoundaryError, match=r"file broken.geojson: cannot read the boundary file"):
        load_region(path)


def test_messages_in_chinese(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(BoundaryError) as info:
        load_region(path)
    assert info.value.message("zh") == "文件 empty.geojson：边界文件里没有任何要素"


@pytest.mark.parametrize("encoding", ["GBK", "UTF-8"])
def test_zipped_shapefile_without_cpg_reads_chinese_names(tmp_path, encoding):
    gdf = two_towns().rename(columns={"name": "名称", "code": "区划代码"})  # 8 bytes in GBK
    if encoding == "UTF-8":
        gdf = gdf.rename(columns={"区划代码": "代码"})  # DBF field names hold 10 bytes
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "towns.shp", engine="pyogrio", encoding=encoding)
    path = tmp_path / "towns.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for part in folder.iterdir():
            if part.suffix != ".cpg":
                zf.write(part, part.name)
    region = load_region(path)
    assert list(region.towns["name"]) == ["甲镇", "乙镇"]
    assert [w.code for w in region.warnings] == (["boundary.encoding_guessed"] if encoding == "GBK" else [])


def test_plain_shapefile_without_cpg_in_gbk(tmp_path):
    gdf = two_towns().rename(columns={"name": "镇街", "code": "区划代码"})
    gdf.to_file(tmp_path / "towns.shp", engine="pyogrio", encoding="GBK")
    (tmp_path / "towns.cpg").unlink()
    region = load_region(tmp_path / "towns.shp")
    assert list(region.towns["name"]) == ["甲镇", "乙镇"]
    assert region.towns["area_km2"].to_numpy() == pytest.approx([4.0, 6.0], rel=1e-4)
    assert "read as GBK" in region.warnings[0].message("en")


def test_control_characters_in_names_and_codes_are_refused_naming_feature_field_and_character(tmp_path):
    """The same rule as a site's text fields: a town name or code holding ESC or BEL (a terminal would obey it, a
    workbook cannot hold it) is refused with the feature, the field and the character; nothing is loaded."""
    path = tmp_path / "towns.geojson"
    two_towns(name=["甲镇", "\x1b[31m乙镇"], code=["440000000001", "44000000\x070002"],
              name_en=["Jia", "Yi"]).to_crs("EPSG:4326").to_file(path)
    with pytest.raises(BoundaryError) as caught:
        load_region(path, crs="wgs84")
    assert [(p.code, p.params["feature"], p.field, p.params["char"]) for p in caught.value.problems] == [
        ("boundary.text_control", 2, "code", "U+0007"), ("boundary.text_control", 2, "name", "U+001B")]
    assert "towns.geojson" in str(caught.value) and "feature 2 holds the control character U+001B" in str(caught.value)
    assert "第 2 个要素含控制字符 U+001B" in caught.value.message("zh")
