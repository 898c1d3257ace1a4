"""Gap polygons: the uncovered corners of a square worked out on paper."""

from __future__ import annotations

import numpy as np
import pytest
from scoring_fixtures import (
    UTM49N,
    coverage_of,
    sites_frame,
    to_lnglat,
    towns_frame,
)

from i18n import t
from scoring.demand import point_demand, town_demand
from scoring.gaps import gaps
from settings import get_settings

CORNER_KM2 = (4 - np.pi) / 4  # a 2 km square minus the inscribed 1 km disk, per corner


def test_square_with_central_site_leaves_four_corners():
    towns = towns_frame([(0, 0, 2000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    out = gaps(coverage_of(towns, sites, types="book_room", radii_m=1000), min_area_km2=0.0)
    assert out.crs.to_epsg() == 4326
    assert len(out) == 4
    # the disk touches the square's sides, where the 64-gon's corners poke 0.08 % past the circle
    # and are clipped: 13 m² per corner of the 215,000 m² (documented in scoring.areas)
    assert out["area_km2"].to_numpy() == pytest.approx([CORNER_KM2] * 4, abs=2e-5)
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert set(out["town_code"]) == {towns.code[0]}
    # 4 corners + disk = the town
    assert out["area_km2"].sum() + np.pi == pytest.approx(4.0, abs=1e-4)


def test_slivers_under_the_minimum_are_dropped():
    towns = towns_frame([(0, 0, 2000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    result = coverage_of(towns, sites, types="book_room", radii_m=1000)
    assert len(gaps(result, min_area_km2=CORNER_KM2 + 0.001)) == 0
    assert len(gaps(result, min_area_km2=get_settings().min_gap_km2)) == 4  # settings.min_gap_km2 is 0.01 km²


def test_gaps_are_ranked_by_uncovered_demand():
    towns = towns_frame([(0, 0, 2000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    # 7 people in the north-east corner, 3 in the south-west, 50 covered at the centre
    lng, lat = to_lnglat([1950, 50, 1000], [1950, 50, 1000])
    demand = point_demand(lng, lat, [7, 3, 50], towns=towns, crs=UTM49N)
    out = gaps(coverage_of(towns, sites, types="book_room", radii_m=1000, demand=demand), min_area_km2=get_settings().min_gap_km2)
    assert out["uncovered_demand"].tolist() == [7.0, 3.0, 0.0, 0.0]
    first = out.geometry.iloc[0].centroid
    assert first.x > towns.geometry.iloc[0].centroid.x and first.y > towns.geometry.iloc[0].centroid.y


def test_town_totals_give_each_gap_its_share_by_area():
    towns = towns_frame([(0, 0, 2000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    demand = town_demand([towns.code[0]], [400.0], town_codes=towns["code"])
    out = gaps(coverage_of(towns, sites, types="book_room", radii_m=1000, demand=demand), min_area_km2=get_settings().min_gap_km2)
    assert out["uncovered_demand"].to_numpy() == pytest.approx([400 * CORNER_KM2 / 4] * 4, rel=1e-4)
    assert out["even_spread"].all()  # the assumption travels with the figures; the edge words it:
    assert t("scoring.even_spread_note", "en") == "demand is per-town totals assumed to be spread evenly over each town"


def test_no_site_leaves_the_whole_town():
    towns = towns_frame([(0, 0, 2000, 2000), (3000, 0, 5000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 3000, "y": 1000, "status": "planned"}])
    out = gaps(coverage_of(towns, sites, types=["book_room", "nursing_room"], radii_m=300), min_area_km2=get_settings().min_gap_km2)
    assert len(out) == 4
    assert out["area_km2"].to_numpy() == pytest.approx([4.0] * 4, abs=1e-6)
    assert sorted(out["site_type"]) == ["book_room", "book_room", "nursing_room", "nursing_room"]


def test_gaps_from_the_rest_kept_by_coverage_are_the_same_polygons():
    """coverage(uncovered=True) keeps each town's rest beside its covered part; gaps split that rest
    instead of computing town − covered again: the same polygons, areas, ranks (and a town no disk
    reaches is all gap: the 2 km square 1 km to the right)."""
    towns = towns_frame([(0, 0, 2000, 2000), (3000, 0, 5000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    kept = coverage_of(towns, sites, types="book_room", radii_m=1000, uncovered=True)
    assert set(kept.uncovered) == {"book_room"}
    assert kept.uncovered["book_room"][1].area == pytest.approx(4e6)
    computed = coverage_of(towns, sites, types="book_room", radii_m=1000)
    assert computed.uncovered == {}
    a, b = gaps(kept, min_area_km2=0.0), gaps(computed, min_area_km2=0.0)
    assert len(a) == 5
    assert a["area_km2"].to_numpy() == pytest.approx([4.0] + [CORNER_KM2] * 4, abs=2e-5)
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert all(a.geometry.geom_equals_exact(b.geometry, tolerance=0))


def test_gaps_in_the_coverage_metric_crs_when_asked():
    """crs=None keeps the gaps in the coverage's UTM zone (the app's map simplifies them in metres):
    the four corners of the square, in metres, with the same areas as the WGS84 frame gives."""
    towns = towns_frame([(0, 0, 2000, 2000)])
    sites = sites_frame([{"type": "book_room", "x": 1000, "y": 1000}])
    result = coverage_of(towns, sites, types="book_room", radii_m=1000, uncovered=True)
    metric = gaps(result, min_area_km2=0.0, crs=None)
    assert metric.crs.to_epsg() == UTM49N.to_epsg()
    assert metric.geometry.area.to_numpy() / 1e6 == pytest.approx([CORNER_KM2] * 4, abs=2e-5)
    assert metric["area_km2"].tolist() == gaps(result, min_area_km2=0.0)["area_km2"].tolist()
    minx, miny, maxx, maxy = metric.total_bounds
    # towns_frame places the square's corner at UTM (0, 0) + the fixture's origin: 2 km wide in metres
    assert (maxx - minx, maxy - miny) == pytest.approx((2000, 2000), abs=1e-3)
    assert len(gaps(coverage_of(towns, sites, types="book_room", radii_m=1000),
                    min_area_km2=10.0, crs=None)) == 0
