"""Benchmark: the planner's map page with 5,000 sites (target: page renders in under 2 s).

A registry of 5,000 sites spread over the bundled Nanhai towns (1,070 km²; all
five types, 80 % open, the rest planned or under construction) in a temporary
SQLite file. Measured in one process, in this order:

* the map page in Streamlit's AppTest (the whole script, server side, with
  coverage, gaps, the town table and the folium map; st_folium's component is
  not drawn by AppTest): the first run (every cache cold), then a rerun after a
  pan (a new centre/zoom in the session), then a widget that changes the map but
  not the data (hide the catchment layers);
* building the folium map and rendering its HTML (our map:
  ``maps.export.planner_map``, sites as one compact array per type,
  catchment as one GeoJSON per type) against the **baseline**: the naive folium
  way, one ``folium.CircleMarker`` with an HTML popup and one ``folium.Circle``
  catchment per site;
* the standalone HTML export.

Run: ``python benchmarks/bench_map_page.py [--sites 5000] [--repeat 3]``. Figures
are medians of ``--repeat`` runs (cold runs are shown once).
"""

from __future__ import annotations

import argparse
import html
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))



def points_in_towns(towns, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points (lng, lat) drawn uniformly inside ``towns`` (EPSG:4326)."""
    from geodata.towns import town_of_points

    geoms = np.asarray(towns.geometry.values, dtype=object)
    codes = towns["code"].astype(str).to_numpy()
    minx, miny, maxx, maxy = towns.total_bounds
    xy = np.empty((0, 2))
    while len(xy) < n:
        cand = np.column_stack([rng.uniform(minx, maxx, 2 * n), rng.uniform(miny, maxy, 2 * n)])
        xy = np.vstack([xy, cand[town_of_points(geoms, codes, cand) >= 0]])
    return xy[:n]


def make_registry(path: Path, n: int, seed: int = 7) -> None:
    from geodata.boundaries import bundled_region
    from sites.store import SiteStore
    from sites.validation import RawRecords

    rng = np.random.default_rng(seed)
    xy = points_in_towns(bundled_region().towns, n, rng)
    types = rng.choice(["service_centre", "book_room", "nursing_room", "rest_station", "cultural_palace"], n,
                       p=[0.1, 0.3, 0.3, 0.25, 0.05])
    statuses = rng.choice(["open", "planned", "under_construction"], n, p=[0.8, 0.1, 0.1])
    frame = pd.DataFrame({"name": [f"站点{i}" for i in range(n)], "type": types, "status": statuses,
                          "lng": xy[:, 0], "lat": xy[:, 1], "source": "demo"}, dtype=object)
    with SiteStore(path) as store:
        store.import_records(RawRecords(frame, list(range(2, n + 2)), "bench"), actor="bench", crs="wgs84",
                             allow_duplicates=True)


def timed(fn, repeat: int) -> tuple[float, float]:
    """(first run, median of the next ``repeat``) in seconds."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    rest = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        rest.append(time.perf_counter() - start)
    return first, statistics.median(rest)


def naive_map(region, sites: pd.DataFrame, radii: dict[str, float]):
    """The baseline: one folium element per site and per catchment circle."""
    import folium

    from maps.webmap import build_map
    from settings import site_type

    m = build_map(region)
    for row in sites.itertuples():
        colour = site_type(row.type).colour
        popup = f"<b>{html.escape(row.name)}</b><br>{html.escape(row.type)}<br>{html.escape(row.status)}"
        folium.CircleMarker([row.lat, row.lng], radius=6, color=colour, fill=True, popup=popup,
                            tooltip=html.escape(row.name)).add_to(m)
        folium.Circle([row.lat, row.lng], radius=radii[row.type], color=colour, weight=1, fill=True,
                      fill_opacity=0.1).add_to(m)
    return m


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-map-"))
    db = workdir / "sites.db"
    os.environ.update({"SITES_DB": str(db), "SITES_LANGUAGE": "zh", "SITES_TILES": "none"})
    start = time.perf_counter()
    make_registry(db, args.sites)
    print(f"registry: {args.sites:,} sites written in {time.perf_counter() - start:.1f} s ({db})")

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    assert not at.exception, at.exception
    pans = []
    for i in range(args.repeat):
        at.session_state["town_map"] = {"center": {"lat": 23.0 + i / 100, "lng": 113.1}, "zoom": 12 + i}
        start = time.perf_counter()
        at.run()
        pans.append(time.perf_counter() - start)
    start = time.perf_counter()
    at.checkbox(key="map_show_catchment").uncheck().run()
    layer_switch = time.perf_counter() - start
    print(f"map page (AppTest, {args.sites:,} sites): first run {cold:.2f} s (cold caches); "
          f"rerun after a pan {statistics.median(pans):.2f} s; hide catchment (map rebuilt, no recompute) "
          f"{layer_switch:.2f} s; target < 2 s")

    from maps.export import MapOptions, compute_coverage, export_html, planner_map
    from scoring.gaps import gaps
    from scoring.query import CoverageQuery
    from settings import get_settings
    from sites.frame import sites_frame
    from sites.store import SiteStore

    with SiteStore(db) as store:
        region, sites = store.region(), sites_frame(store.list_sites())
    radii = get_settings().default_radii_m()
    query, options = CoverageQuery.build(tuple(radii), None, defaults_m=radii), MapOptions()

    first, median = timed(lambda: compute_coverage(region, sites, query), args.repeat)
    print(f"coverage, 5 types × 7 towns: {median:.2f} s (first {first:.2f} s)")
    result = compute_coverage(region, sites, query)
    gap_frame = gaps(result, min_area_km2=get_settings().min_gap_km2)

    def ours() -> int:
        return len(planner_map(region, sites, query, options, result=result, gap_frame=gap_frame).get_root().render())

    def baseline() -> int:
        return len(naive_map(region, sites, radii).get_root().render())

    size = ours()
    first, median = timed(ours, args.repeat)
    print(f"our folium map, build + render: {median:.2f} s (first {first:.2f} s), HTML {size / 1e6:.1f} MB")
    base_size = baseline()
    first_b, median_b = timed(baseline, max(1, args.repeat - 1))
    print(f"baseline (one CircleMarker + one Circle per site), build + render: {median_b:.2f} s "
          f"(first {first_b:.2f} s), HTML {base_size / 1e6:.1f} MB; ours is {median_b / median:.1f}× faster")
    first, median = timed(lambda: export_html(region, sites, query, options, result=result, gap_frame=gap_frame), 1)
    print(f"standalone HTML export: {median:.2f} s (first {first:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
