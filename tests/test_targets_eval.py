"""Targets evaluated as of a date, on hand-built sites with answers worked out on paper,
and on the real cultural palaces of Nanhai imported from Amap (GCJ-02) into a real registry."""

from __future__ import annotations

import datetime
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from errors import RecordError
from geodata.boundaries import Region, bundled_region
from scoring.demand import TownDemand
from sites.frame import sites_frame
from sites.models import Site
from sites.store import SiteStore
from targets.evaluate import COLUMNS, evaluate_targets
from targets.model import Target
from targets.store import TargetStore
from tests.targets_support import import_palaces

GUICHENG, JIUJIANG, XIQIAO, DANZAO, SHISHAN, DALI, LISHUI = (
    "440605011000", "440605121000", "440605122000", "440605123000", "440605124000", "440605125000",
    "440605126000",
)
AS_OF = datetime.date(2025, 6, 30)
PALACE = Target("每镇一宫", "cultural_palace", "each_town", "site_count", 1, datetime.date(2025, 12, 31), id=1)


def _site(i: int, town: str, *, status: str = "open", kind: str = "cultural_palace",
          opened: str | None = None, closed: str | None = None) -> Site:
    day = datetime.date.fromisoformat
    return Site(i, f"site {i}", kind, status, 113.0, 23.0, town,
                opened_on=day(opened) if opened else None, closed_on=day(closed) if closed else None)


@pytest.fixture
def nanhai(region) -> Region:
    """conftest's bundled ``region``."""
    return region


def test_each_town_count_rows_and_values(nanhai) -> None:
    sites = sites_frame([
        _site(1, JIUJIANG), _site(2, SHISHAN, opened="2025-01-10"), _site(3, SHISHAN),
        _site(4, DALI, status="under_construction"), _site(5, LISHUI, kind="book_room"),
    ])
    table = evaluate_targets([PALACE], sites, nanhai, as_of=AS_OF)
    assert list(table.columns) == list(COLUMNS)
    assert list(table["town_code"]) == [GUICHENG, JIUJIANG, XIQIAO, DANZAO, SHISHAN, DALI, LISHUI]
    assert list(table["town_name"]) == ["桂城街道", "九江镇", "西樵镇", "丹灶镇", "狮山镇", "大沥镇", "里水镇"]
    assert list(table["actual"]) == [0, 1, 0, 0, 2, 0, 0]
    assert list(table["met"]) == [False, True, False, False, True, False, False]
    assert list(table["shortfall"]) == [1, 0, 1, 1, 0, 1, 1]
    assert list(table["under_construction"]) == [0, 0, 0, 0, 0, 1, 0]
    assert table["site_ids"].iloc[4] == [2, 3]
    assert set(table["days_left"]) == {184}  # 2025-06-30 → 2025-12-31
    assert set(table["unit"]) == {"sites"}


def test_as_of_dates_decide_which_sites_count(nanhai) -> None:
    sites = sites_frame([
        _site(1, JIUJIANG, opened="2025-03-01"),
        _site(2, DANZAO, closed="2025-04-01"),
        _site(3, LISHUI, status="closed", opened="2020-01-01", closed="2025-04-01"),
    ])
    counts = [PALACE]
    before = evaluate_targets(counts, sites, nanhai, as_of=datetime.date(2025, 2, 28)).set_index("town_code")
    on = evaluate_targets(counts, sites, nanhai, as_of=datetime.date(2025, 3, 1)).set_index("town_code")
    assert not before.loc[JIUJIANG, "met"] and on.loc[JIUJIANG, "met"]
    # closed_on is the first day a site no longer counts
    assert on.loc[DANZAO, "met"]
    assert not evaluate_targets(counts, sites, nanhai, as_of=datetime.date(2025, 4, 1)).set_index(
        "town_code").loc[DANZAO, "met"]
    # a site recorded as closed counts only if the target counts closed sites, and only before closed_on
    assert not on.loc[LISHUI, "met"]
    history = Target("t", "cultural_palace", "each_town", "site_count", 1, datetime.date(2025, 12, 31),
                     statuses=("open", "closed"), id=2)
    assert evaluate_targets([history], sites, nanhai, as_of=datetime.date(2025, 3, 31)).set_index(
        "town_code").loc[LISHUI, "met"]


def test_region_and_listed_town_scopes(nanhai) -> None:
    sites = sites_frame([_site(1, JIUJIANG), _site(2, SHISHAN), _site(3, SHISHAN), _site(4, None)])
    region = Target("全区5宫", "cultural_palace", "region", "site_count", 5, datetime.date(2024, 12, 31), id=7)
    listed = Target("两镇", "cultural_palace", "towns", "site_count", 2, datetime.date(2026, 1, 1),
                    towns=(SHISHAN, GUICHENG), id=8)
    table = evaluate_targets([region, listed], sites, nanhai, as_of=AS_OF)
    whole = table.iloc[0]
    # the site outside every town (town_code None) does not count for the region
    assert (whole["town_code"], whole["town_name"], whole["required"], whole["actual"], whole["shortfall"]) == (
        None, "佛山市南海区", 5, 3, 2)
    assert whole["days_left"] == -181
    assert list(table["town_code"].iloc[1:]) == [SHISHAN, GUICHENG]
    assert list(table["shortfall"].iloc[1:]) == [0, 2]
    english = evaluate_targets([region], sites, nanhai, as_of=AS_OF, lang="en")
    assert english["town_name"].iloc[0] == "Nanhai District, Foshan"


def test_no_targets_gives_an_empty_table_with_the_columns(nanhai) -> None:
    table = evaluate_targets([], sites_frame([]), nanhai, as_of=AS_OF)
    assert table.empty and list(table.columns) == list(COLUMNS)
    assert evaluate_targets([PALACE], sites_frame([]), nanhai, as_of=AS_OF)["shortfall"].sum() == 7


# ------------------------------------------------------------------ coverage


@pytest.fixture(scope="module")
def squares() -> Region:
    """Two 10 km × 10 km towns side by side in UTM 49N, stored in WGS84 (area 100 km² each)."""
    x0, y0 = 700_000.0, 2_540_000.0
    towns = gpd.GeoDataFrame(
        {"code": ["A", "B"], "name": ["甲镇", "乙镇"], "name_en": ["A", "B"]},
        geometry=[shapely.box(x0, y0, x0 + 10_000, y0 + 10_000), shapely.box(x0 + 10_000, y0, x0 + 20_000, y0 + 10_000)],
        crs="EPSG:32649",
    ).to_crs("EPSG:4326")
    towns["area_km2"] = [100.0, 100.0]
    towns = towns[["code", "name", "name_en", "area_km2", "geometry"]]
    return Region(towns=towns, source="test:squares", attribution="test")


def _site_at(i: int, x: float, y: float, town: str) -> Site:
    lng, lat = gpd.GeoSeries([shapely.Point(x, y)], crs="EPSG:32649").to_crs("EPSG:4326").iloc[0].coords[0]
    return Site(i, f"centre {i}", "service_centre", "open", lng, lat, town)


def test_area_share_against_the_disk_area(squares) -> None:
    # one centre in the middle of town A, radius 1 km: covered π km² of A's 100 km², nothing of B
    sites = sites_frame([_site_at(1, 705_000, 2_545_000, "A")])
    low = Target("3%", "service_centre", "each_town", "area_share", 3, datetime.date(2026, 1, 1),
                 radius_m=1000, id=1)
    high = Target("5%", "service_centre", "region", "area_share", 5, datetime.date(2026, 1, 1),
                  radius_m=1000, id=2)
    table = evaluate_targets([low, high], sites, squares, as_of=AS_OF)
    a, b, region = table.iloc[0], table.iloc[1], table.iloc[2]
    assert a["actual"] == pytest.approx(math.pi, rel=1e-4) and a["required"] == pytest.approx(3.0)
    assert a["met"] and a["shortfall"] == 0 and a["unit"] == "km2"
    assert a["actual_pct"] == pytest.approx(math.pi, rel=1e-4) and a["required_pct"] == 3
    assert not b["met"] and b["shortfall"] == pytest.approx(3.0) and b["actual"] == 0
    # region: 5 % of 200 km² = 10 km² required, π covered
    assert region["required"] == pytest.approx(10.0)
    assert region["shortfall"] == pytest.approx(10.0 - math.pi, rel=1e-4)
    assert region["actual_pct"] == pytest.approx(math.pi / 2, rel=1e-4)


def test_coverage_crosses_town_lines(squares) -> None:
    # a centre in A, 500 m from the line with B: with radius 1 km it covers a circular segment of B
    sites = sites_frame([_site_at(1, 709_500, 2_545_000, "A")])
    target = Target("b", "service_centre", "towns", "area_share", 1, datetime.date(2026, 1, 1),
                    radius_m=1000, towns=("B",), id=1)
    row = evaluate_targets([target], sites, squares, as_of=AS_OF).iloc[0]
    segment_km2 = (math.acos(0.5) - 0.5 * math.sqrt(1 - 0.25)) * 1.0  # r² (θ − sinθcosθ), θ = acos(d/r)
    assert row["actual"] == pytest.approx(segment_km2, rel=2e-3)
    assert row["site_ids"] == []  # the site covers B but is not located in it


def test_demand_share_with_town_totals(squares) -> None:
    sites = sites_frame([_site_at(1, 705_000, 2_545_000, "A")])
    demand = TownDemand(total=pd.Series([10_000.0, 4_000.0]).to_numpy())
    target = Target("d", "service_centre", "each_town", "demand_share", 10, datetime.date(2026, 1, 1),
                    radius_m=1000, id=1)
    table = evaluate_targets([target], sites, squares, as_of=AS_OF, demand=demand)
    # demand spread evenly: A has π % of its 10,000 people covered, i.e. 314.16; 10 % = 1,000 required
    assert table["actual"].iloc[0] == pytest.approx(100 * math.pi, rel=1e-4)
    assert table["shortfall"].iloc[0] == pytest.approx(1000 - 100 * math.pi, rel=1e-4)
    assert table["unit"].iloc[0] == "people"
    assert table["shortfall"].iloc[1] == pytest.approx(400)
    with pytest.raises(RecordError, match="目标“d”按需求覆盖率计算，但没有提供需求图层"):
        evaluate_targets([target], sites, squares, as_of=AS_OF)


# ------------------------------------------------------- the real Nanhai palaces


def test_nanhai_palace_target_four_of_seven_towns(tmp_path) -> None:
    sites = SiteStore(tmp_path / "nanhai.db")
    import_palaces(sites)
    palace = TargetStore(sites).list_targets()[0]
    region = sites.region()
    table = evaluate_targets([palace], sites_frame(sites.list_sites()), region, as_of=AS_OF)
    assert int(table["met"].sum()) == 4 and len(table) == 7
    assert sorted(table.loc[~table["met"], "town_name"]) == sorted(["桂城街道", "西樵镇", "大沥镇"])
    counted = dict(zip(table["town_name"], table["site_names"], strict=True))
    assert counted["九江镇"] == ["南海区工人文化宫"]
    assert counted["狮山镇"] == ["南海区工人文化宫狮山宫"]
    assert counted["丹灶镇"] == ["南海区工人文化宫丹灶宫"]
    assert counted["里水镇"] == ["南海区工人文化宫里水宫"]

    # give the Lishui palace an opening date: before it, Lishui is not met
    lishui = next(s for s in sites.list_sites() if "里水" in s.name)
    sites.update(lishui.id, {"opened_on": "2024-09-28"}, actor="test")
    frame = sites_frame(sites.list_sites())
    before = evaluate_targets([palace], frame, region, as_of=datetime.date(2024, 9, 27)).set_index("town_name")
    after = evaluate_targets([palace], frame, region, as_of=datetime.date(2024, 9, 28)).set_index("town_name")
    assert not before.loc["里水镇", "met"] and int(before["met"].sum()) == 3
    assert after.loc["里水镇", "met"] and int(after["met"].sum()) == 4


@settings(max_examples=40, deadline=None)
@given(towns=st.lists(st.sampled_from([GUICHENG, JIUJIANG, XIQIAO, DANZAO, SHISHAN, DALI, LISHUI]), max_size=12),
       threshold=st.integers(min_value=1, max_value=3))
def test_count_invariants(towns: list[str], threshold: int) -> None:
    """shortfall = max(0, required − actual); met ⇔ no shortfall; one more open site never adds shortfall."""
    region = bundled_region()
    target = Target("t", "cultural_palace", "each_town", "site_count", threshold, datetime.date(2026, 1, 1), id=1)
    sites = [_site(i, code) for i, code in enumerate(towns, start=1)]
    table = evaluate_targets([target], sites_frame(sites), region, as_of=AS_OF)
    assert (table["shortfall"] == (table["required"] - table["actual"]).clip(lower=0)).all()
    assert (table["met"] == (table["shortfall"] == 0)).all()
    assert table["actual"].sum() == len(towns)
    more = evaluate_targets([target], sites_frame([*sites, _site(99, GUICHENG)]), region, as_of=AS_OF)
    assert (more["shortfall"] <= table["shortfall"]).all()
    assert more["shortfall"].sum() == table["shortfall"].sum() - (table["shortfall"].iloc[0] > 0)


def test_coverages_shared_ahead_side_by_side_give_the_same_table(squares) -> None:
    # the command computes its area targets' coverages on two threads before evaluating (share_coverages):
    # the same rows as evaluating each alone — two types, two radii, a "new since" target, a count target
    from dataclasses import replace

    from targets.evaluate import share_coverages, shared_evaluation

    day = datetime.date.fromisoformat
    sites = sites_frame([
        _site_at(1, 705_000, 2_545_000, "A"), _site_at(2, 709_500, 2_545_000, "A"),
        replace(_site_at(3, 712_000, 2_541_000, "B"), name="新", type="book_room", opened_on=day("2025-03-01")),
        replace(_site_at(4, 715_000, 2_548_000, "B"), name="旧", type="book_room", opened_on=day("2019-03-01")),
    ])
    targets = [
        Target("3%", "service_centre", "each_town", "area_share", 3, datetime.date(2026, 1, 1), radius_m=1000, id=1),
        Target("2 km", "service_centre", "region", "area_share", 10, datetime.date(2026, 1, 1), radius_m=2000, id=2),
        Target("新书屋", "book_room", "each_town", "area_share", 1, datetime.date(2026, 1, 1), radius_m=500,
               new_since=day("2025-01-01"), id=3),
        Target("书屋", "book_room", "each_town", "area_share", 1, datetime.date(2026, 1, 1), radius_m=500, id=4),
        PALACE,
    ]
    alone = evaluate_targets(targets, sites, squares, as_of=AS_OF)
    with shared_evaluation():
        share_coverages(targets, sites, squares, as_of=AS_OF)
        shared = evaluate_targets(targets, sites, squares, as_of=AS_OF)
    pd.testing.assert_frame_equal(shared, alone)
    b_new = shared.loc[(shared["target_id"] == 3) & (shared["town_code"] == "B")].iloc[0]
    b_all = shared.loc[(shared["target_id"] == 4) & (shared["town_code"] == "B")].iloc[0]
    assert b_new["actual"] == pytest.approx(b_all["actual"] / 2, rel=1e-9) and b_new["site_ids"] == [3]
    share_coverages(targets, sites, squares, as_of=AS_OF)  # outside a shared evaluation: nothing, no error
