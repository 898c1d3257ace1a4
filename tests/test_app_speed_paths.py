"""The app's coverage loaders share work (no timing here: benchmarks/bench_app_browser.py and
bench_map_scale.py --app measure speed): coverage is cached per type, so a radius change recomputes the
changed type only; the gaps are split from the rest that coverage kept and stay in its metric CRS."""

from __future__ import annotations

import pytest
import shapely

from app_pages.loaders import load_coverage, load_gaps, load_sites, site_store
from scoring.coverage import coverage
from scoring.gaps import gaps
from scoring.query import CoverageQuery
from settings import get_settings


def _query(**radii: float) -> CoverageQuery:
    defaults = get_settings().default_radii_m()
    return CoverageQuery.build(None, {**defaults, **radii}, defaults_m=defaults)


def test_a_radius_change_recomputes_only_that_type(demo_db):
    db = str(demo_db)
    revision = site_store(db).revision()
    before = load_coverage(db, revision, _query())
    after = load_coverage(db, revision, _query(book_room=1000))
    for key in before.query.types:
        # the same objects, taken from the per-type cache, for every type whose radius stayed
        assert (after.covered[key] is before.covered[key]) == (key != "book_room")
    assert after.radii_m["book_room"] == 1000
    # and the merged result is the whole query's coverage, row for row
    whole = coverage(site_store(db).region().towns, load_sites(db, revision), after.query)
    assert after.table.equals(whole.table)
    assert after.table["site_type"].unique().tolist() == list(after.query.types)


def test_the_apps_gaps_are_the_engines_gaps_in_metres(demo_db):
    db = str(demo_db)
    revision = site_store(db).revision()
    query = _query()
    app = load_gaps(db, revision, query)
    result = load_coverage(db, revision, query)
    assert app.crs == result.crs and app.crs.is_projected
    plain = gaps(coverage(site_store(db).region().towns, load_sites(db, revision), query),
                 min_area_km2=get_settings().min_gap_km2)
    assert len(app) == len(plain) > 0
    words = ["rank", "town_code", "town_name", "site_type", "radius_m"]
    assert app[words].equals(plain[words])
    # lone disks become holes without an overlay: the same areas to float rounding (1e-13 km² here)
    assert app["area_km2"].to_numpy() == pytest.approx(plain["area_km2"].to_numpy(), rel=1e-12, abs=0)
    # the same polygons, in the coverage's UTM zone instead of WGS84
    mine = shapely.normalize(app.to_crs(plain.crs).geometry.values)
    assert shapely.equals_exact(mine, shapely.normalize(plain.geometry.values), 1e-9).all()



def test_the_server_imports_the_product_before_it_listens_but_not_the_map_component():
    """``python -m app_pages.serve`` (scripts/run-app.sh) imports the engine, maps and stores before Streamlit
    starts, so the first user does not wait for them; streamlit-folium is left to the running server (declared
    before it, its component is never served and the map stays blank: the browser tests start the app this way)."""
    import subprocess
    import sys

    code = ("import sys; from app_pages.serve import preload; names = preload(); "
            "print(int('streamlit_folium' in sys.modules), int('__main__' in ' '.join(names)), "
            "*[int(m in sys.modules) for m in ('geopandas', 'maps.export', 'scoring.coverage', 'sites.store', "
            "'reports.leadership')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0", "1", "1", "1", "1", "1"]
