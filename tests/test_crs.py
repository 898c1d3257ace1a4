"""geodata.crs: GCJ-02/BD-09 conversions against published values, round trips, metric CRS guards."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from errors import CRSError
from geodata.crs import (
    CoordSystem,
    areas_km2,
    convert_frame,
    convert_geometry,
    convert_point,
    convert_points,
    metric_crs,
    metric_crs_for_bounds,
    require_metric,
)

GEOD = pyproj.Geod(ellps="WGS84")


pytestmark = pytest.mark.usefixtures("english")  # messages in English for match= (tests/conftest.py)

# Guangdong's extent in degrees (WGS84).
GD_LNG = st.floats(min_value=109.6, max_value=117.4, allow_nan=False)
GD_LAT = st.floats(min_value=20.1, max_value=25.6, allow_nan=False)


def metres(lng1, lat1, lng2, lat2) -> np.ndarray:
    """Geodesic distance in metres between lon/lat points (WGS84 ellipsoid)."""
    return np.asarray(GEOD.inv(lng1, lat1, lng2, lat2)[2])


# Published examples of the coordtransform library (wandergis/coordtransform, test/app.js),
# all for the input (116.404, 39.915) in Beijing.
def test_wgs84_to_gcj02_matches_coordtransform_example():
    assert convert_point(116.404, 39.915, "wgs84", "gcj02") == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-12
    )


def test_gcj02_to_bd09_matches_coordtransform_example():
    assert convert_point(116.404, 39.915, "gcj02", "bd09") == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-12
    )


def test_inverse_directions_agree_with_coordtransform_approximations_to_a_metre():
    # coordtransform inverts with one approximate step (error of metres); ours iterates.
    lng, lat = convert_point(116.404, 39.915, "gcj02", "wgs84")
    assert metres(lng, lat, 116.39775550083061, 39.91359571849836) < 1.0
    lng, lat = convert_point(116.404, 39.915, "bd09", "gcj02")
    assert metres(lng, lat, 116.39762729119315, 39.90865673957631) < 1.0


def test_gcj02_to_wgs84_inverse_is_exact_to_a_tenth_of_a_millimetre_in_nanhai():
    gcj = (113.140950, 23.028682)  # 读书驿站(桂城南图站) as Amap gives it
    wgs = convert_point(*gcj, "gcj02", "wgs84")
    back = convert_point(*wgs, "wgs84", "gcj02")
    assert metres(*gcj, *back) < 1e-4


@settings(max_examples=200, deadline=None)
@given(GD_LNG, GD_LAT)
def test_gcj02_to_wgs84_forward_of_result_within_0_1_m(lng, lat):
    wgs = convert_point(lng, lat, "gcj02", "wgs84")
    back = convert_point(*wgs, "wgs84", "gcj02")
    assert metres(lng, lat, *back) < 0.1


@settings(max_examples=200, deadline=None)
@given(GD_LNG, GD_LAT)
def test_round_trip_wgs84_gcj02_wgs84_within_0_1_m(lng, lat):
    gcj = convert_point(lng, lat, "wgs84", "gcj02")
    back = convert_point(*gcj, "gcj02", "wgs84")
    assert metres(lng, lat, *back) < 0.1


@settings(max_examples=200, deadline=None)
@given(GD_LNG, GD_LAT)
def test_round_trip_wgs84_bd09_wgs84_within_0_1_m(lng, lat):
    bd = convert_point(lng, lat, "wgs84", "bd09")
    back = convert_point(*bd, "bd09", "wgs84")
    assert metres(lng, lat, *back) < 0.1


@settings(max_examples=200, deadline=None)
@given(GD_LNG, GD_LAT)
def test_gcj02_shift_in_guangdong_is_between_300_and_700_m(lng, lat):
    assert 300.0 < metres(lng, lat, *convert_point(lng, lat, "wgs84", "gcj02")) < 700.0


@pytest.mark.parametrize(
    ("lng", "lat"),
    [(2.3522, 48.8566), (-74.0060, 40.7128), (151.2093, -33.8688), (0.0, 0.0)],
    ids=["paris", "new-york", "sydney", "null-island"],
)
@pytest.mark.parametrize(("src", "dst"), [("wgs84", "gcj02"), ("gcj02", "wgs84")])
def test_points_outside_china_are_not_shifted(lng, lat, src, dst):
    assert convert_point(lng, lat, src, dst) == (lng, lat)


def test_nan_stays_nan_and_neighbours_are_converted():
    lng, lat = convert_points([np.nan, 113.14, 113.14], [23.03, np.nan, 23.03], "gcj02", "wgs84")
    assert np.isnan(lng[0]) and np.isnan(lat[1])
    assert (lng[2], lat[2]) == convert_point(113.14, 23.03, "gcj02", "wgs84")


def test_same_system_returns_a_copy_unchanged():
    src = np.array([113.1, 113.2])
    lng, _ = convert_points(src, [23.0, 23.1], "gcj02", "gcj02")
    lng[0] = 0.0
    assert src[0] == 113.1


def test_shapes_must_match():
    with pytest.raises(ValueError, match=r"differ in shape: \(2,\) vs \(3,\)"):
        convert_points([1.0, 2.0], [1.0, 2.0, 3.0], "wgs84", "gcj02")


def test_geometry_conversion_equals_point_conversion():
    ring = [(113.10, 23.00), (113.20, 23.00), (113.20, 23.10), (113.10, 23.10), (113.10, 23.00)]
    hole = [(113.14, 23.04), (113.16, 23.04), (113.16, 23.06), (113.14, 23.04)]
    geoms = [Polygon(ring, [hole]), LineString(ring[:3]), Point(113.15, 23.05),
             MultiPolygon([Polygon(ring), Polygon([(x + 1, y) for x, y in ring])])]
    for geom in geoms:
        moved = convert_geometry(geom, "bd09", "wgs84")
        coords = shapely.get_coordinates(geom)
        x, y = convert_points(coords[:, 0], coords[:, 1], "bd09", "wgs84")
        np.testing.assert_array_equal(shapely.get_coordinates(moved), np.column_stack([x, y]))
        assert moved.geom_type == geom.geom_type


def test_convert_frame_moves_geometries_and_labels_epsg_4326():
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(113.15, 23.05)], crs=None)
    out = convert_frame(gdf, "gcj02", "wgs84")
    assert out.crs == pyproj.CRS("EPSG:4326")
    assert (out.geometry.x[0], out.geometry.y[0]) == convert_point(113.15, 23.05, "gcj02", "wgs84")
    assert gdf.geometry.x[0] == 113.15  # the input is not modified


def test_convert_frame_refuses_a_projected_frame():
    gdf = gpd.GeoDataFrame(geometry=[Point(700000, 2550000)], crs="EPSG:32649")
    with pytest.raises(CRSError, match=r"WGS 84 / UTM zone 49N.*EPSG:4326"):
        convert_frame(gdf, "gcj02", "wgs84")


# ------------------------------------------------------------------- CoordSystem.parse


@pytest.mark.parametrize(
    ("alias", "system"),
    [("wgs84", "wgs84"), ("WGS-84", "wgs84"), ("EPSG:4326", "wgs84"), ("CGCS2000", "wgs84"), ("gps", "wgs84"),
     ("GCJ-02", "gcj02"), ("amap", "gcj02"), ("高德", "gcj02"), ("火星", "gcj02"), ("Tencent", "gcj02"),
     ("BD-09", "bd09"), ("baidu", "bd09"), ("百度", "bd09"), (" bd09ll ", "bd09")],
)
def test_parse_aliases(alias, system):
    assert CoordSystem.parse(alias) is CoordSystem(system)


def test_parse_unknown_value_names_it_and_the_choices():
    with pytest.raises(CRSError, match=r"unknown coordinate system 'mercator': expected wgs84, gcj02"):
        CoordSystem.parse("mercator")


def test_parse_unknown_value_in_chinese():
    with pytest.raises(CRSError) as info:
        CoordSystem.parse("mercator")
    assert "无法识别的坐标系“mercator”" in info.value.message("zh")


# ----------------------------------------------------------------------- metric CRS


def test_metric_crs_for_nanhai_is_utm_49n():
    from geodata.boundaries import bundled_region

    assert metric_crs(bundled_region().towns).to_epsg() == 32649


def test_metric_crs_for_shantou_is_utm_50n():
    shantou = gpd.GeoSeries([Point(116.68, 23.35)], crs="EPSG:4326")
    assert metric_crs(shantou).to_epsg() == 32650


def test_metric_crs_of_a_projected_frame_uses_its_lonlat_extent():
    nanhai = gpd.GeoSeries([Point(113.14, 23.03)], crs="EPSG:4326").to_crs("EPSG:4547")  # CGCS2000 GK 114E
    assert metric_crs(nanhai).to_epsg() == 32649


def test_metric_crs_southern_hemisphere():
    assert metric_crs_for_bounds(150.0, -34.0, 151.0, -33.0).to_epsg() == 32756


def test_metric_crs_refuses_no_crs_and_empty_extent():
    with pytest.raises(CRSError, match="has no coordinate system"):
        metric_crs(gpd.GeoSeries([Point(113.1, 23.0)]))
    with pytest.raises(CRSError, match="no usable coordinates"):
        metric_crs_for_bounds(np.nan, np.nan, np.nan, np.nan)


def test_require_metric_refuses_epsg_4326_naming_it_and_the_fix():
    with pytest.raises(CRSError, match=r"WGS 84 \(EPSG:4326\) is a geographic CRS .*geodata.crs.to_metric\(\)"):
        require_metric("EPSG:4326")


def test_require_metric_refuses_none_saying_what_to_do():
    with pytest.raises(CRSError, match=r"no coordinate system.*wgs84, gcj02 or bd09"):
        require_metric(None)


def test_require_metric_refuses_a_projection_in_feet():
    with pytest.raises(CRSError, match=r"US survey foot"):
        require_metric("EPSG:2227")  # California zone 3, US survey feet


def test_require_metric_accepts_utm_and_gauss_kruger():
    assert require_metric("EPSG:32649").to_epsg() == 32649
    assert require_metric("EPSG:4547").to_epsg() == 4547


def test_areas_km2_of_a_known_square():
    # a 2 km x 3 km rectangle drawn in UTM 49N is 6 km² whichever frame it is handed over in
    square = gpd.GeoSeries([Polygon([(700000, 2550000), (702000, 2550000), (702000, 2553000),
                                     (700000, 2553000)])], crs="EPSG:32649")
    assert areas_km2(square)[0] == pytest.approx(6.0, rel=1e-9)
    assert areas_km2(square.to_crs("EPSG:4326"))[0] == pytest.approx(6.0, rel=1e-4)
