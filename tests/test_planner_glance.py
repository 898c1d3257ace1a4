"""The planner at a glance (issue 13): what a suggestion is worth, in which coordinates, and the map page's
flow (AppTest, found by widget keys)."""

from __future__ import annotations

import math

import pytest
from scoring_fixtures import sites_frame, suggest_of, to_lnglat, towns_frame

from sites.demo import seed_demo
from sites.frame import sites_frame as registry_frame
from sites.store import SiteStore

DISK_500_KM2 = math.pi * 0.5**2  # 0.785 km²: the most one 500 m site can newly reach


def test_one_site_newly_reaches_at_most_a_disk_on_the_bundled_towns(tmp_path):
    # Seen: "新增覆盖 0.81 km²" for 500 m. The solver's 50–65 m sample grid put 322 samples in one disk.
    from scoring_fixtures import make_query

    from scoring.suggest import suggest

    with SiteStore(tmp_path / "s.db") as store:
        seed_demo(store, actor="test")
        region, sites = store.region(), registry_frame(store.list_sites())
    res = suggest(region.towns, sites, make_query(("book_room",), {"book_room": 500}), site_type="book_room",
                  count=5)
    newly = res.selected["newly_covered"].to_numpy()
    assert (newly <= DISK_500_KM2).all(), newly
    assert newly.max() == pytest.approx(DISK_500_KM2, rel=0.003)  # a whole disk of open land, to the 64-gon
    assert (res.selected["sole_covered"].to_numpy() <= newly + 1e-12).all()


def test_newly_covered_is_the_disk_less_what_an_existing_site_reaches():
    # One 4 km town; the candidate at its centre, an open site 600 m east: the lens of two 500 m disks
    # 600 m apart is 2r²·acos(d/2r) − (d/2)·√(4r² − d²) = 0.223648 km², so 0.785398 − 0.223648 = 0.561751 km².
    towns = towns_frame([(0, 0, 4000, 4000)])
    sites = sites_frame([{"type": "book_room", "x": 2600, "y": 2000, "status": "open"}])
    res = suggest_of(towns, sites, site_type="book_room", count=1, radius_m=500,
                     candidates=to_lnglat([2000], [2000]))
    assert res.selected["newly_covered"].iloc[0] == pytest.approx(0.561751, rel=0.004)
    # At the town's corner a quarter of the disk is land.
    res = suggest_of(towns, sites.iloc[:0], site_type="book_room", count=1,
                     radius_m=500, candidates=to_lnglat([0.001], [0.001]))
    assert res.selected["newly_covered"].iloc[0] == pytest.approx(DISK_500_KM2 / 4, rel=0.004)
