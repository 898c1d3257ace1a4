"""Benchmark: a WorldPop-style population raster in lon/lat (EPSG:4326) against the same people on a UTM grid.

The finding (issue 12): a raster of 8.6 million cells in lon/lat took 63 s where the same raster in
UTM took 2.3 s, and the whole raster was read into memory (3 GB). Now a raster is read only in the
window of the region's extent, and a lon/lat raster's cells are labelled by burning the towns onto its
own grid (no point-in-polygon per cell) and projected in one call.

Instance (synthetic, seeded): a region of 24 county boxes over 112.0–114.0° E, 21.5–24.48° N (stored
with ``sites set-region``), 300 book rooms in it, and

* ``lonlat.tif``: 2,400 × 3,580 = 8.59 M cells of 3 arc-seconds (WorldPop's grid), EPSG:4326,
  lognormal people per cell, every cell weighted (the worst case);
* ``utm.tif``: the same people resampled to UTM 49N at the cell size that gives the same number of
  cells (the baseline: "the same raster projected").

Each timing is a whole command, process start included: ``python -m scoring coverage --type
book_room --demand FILE --format json``, median of ``--repeat`` runs (default 5), with the peak
resident memory of the command's process (``ru_maxrss`` of the child). ``--old COMMIT`` also runs
the lon/lat raster once on the code of an earlier commit (e.g. 26f0bfa, before the windowed reader)
checked out into a temporary folder, labelled as one run.

Run: ``python benchmarks/bench_raster.py [--repeat 5] [--keep DIR] [--old 26f0bfa]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WEST, SOUTH, NX, NY, CELL_DEG = 112.0, 21.5, 2400, 3580, 1.0 / 1200.0  # 3 arc-seconds, WorldPop's grid

#: Runs a command and prints its wall time (s) and peak memory (kB) as JSON (the child's ru_maxrss).
_TIMER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "print(json.dumps({'wall': wall, 'rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
    "'code': r.returncode, 'out': r.stdout[-2000:], 'err': r.stderr[-2000:]}))\n"
)


def make_instance(folder: Path) -> dict[str, Path]:
    """The region file, the sites CSV and the two rasters in ``folder`` (made once, reused with --keep)."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    paths = {"region": folder / "counties.geojson", "sites": folder / "sites.csv",
             "lonlat": folder / "lonlat.tif", "utm": folder / "utm.tif"}
    if all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(12)
    east, north = WEST + NX * CELL_DEG, SOUTH + NY * CELL_DEG
    xs, ys = np.linspace(WEST, east, 5), np.linspace(SOUTH, north, 7)
    features = []
    for i in range(4):
        for j in range(6):
            ring = [[xs[i], ys[j]], [xs[i + 1], ys[j]], [xs[i + 1], ys[j + 1]], [xs[i], ys[j + 1]], [xs[i], ys[j]]]
            features.append({"type": "Feature", "properties": {"code": f"44{i + 1:02d}{j + 1:02d}",
                                                               "name": f"县{i * 6 + j + 1}"},
                             "geometry": {"type": "Polygon", "coordinates": [ring]}})
    paths["region"].write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    lng = rng.uniform(WEST + 0.01, east - 0.01, 300)
    lat = rng.uniform(SOUTH + 0.01, north - 0.01, 300)
    paths["sites"].write_text("name,type,lng,lat\n" + "".join(
        f"书屋{k},book_room,{x:.6f},{y:.6f}\n" for k, (x, y) in enumerate(zip(lng, lat, strict=True))),
        encoding="utf-8")
    people = rng.lognormal(1.0, 1.0, (NY, NX)).astype("float32")
    transform = from_origin(WEST, north, CELL_DEG, CELL_DEG)
    with rasterio.open(paths["lonlat"], "w", driver="GTiff", width=NX, height=NY, count=1, dtype="float32",
                       crs="EPSG:4326", transform=transform, tiled=True, compress="deflate") as dst:
        dst.write(people[None])
    # the same people in UTM 49N, at the cell size giving the same number of cells (density resampled)
    lat_c = north + (np.arange(NY) + 0.5) * -CELL_DEG
    cell_m2 = (111_320.0 * CELL_DEG) * (110_574.0 * CELL_DEG) * np.cos(np.radians(lat_c))
    density = people / cell_m2[:, None].astype("float32")
    t0, w0, h0 = calculate_default_transform("EPSG:4326", "EPSG:32649", NX, NY, WEST, SOUTH, east, north)
    size = abs(t0.a) * np.sqrt(w0 * h0 / (NX * NY))
    utm_t, width, height = calculate_default_transform("EPSG:4326", "EPSG:32649", NX, NY, WEST, SOUTH, east, north,
                                                       resolution=size)
    out = np.zeros((height, width), dtype="float32")
    reproject(density, out, src_transform=transform, src_crs="EPSG:4326", dst_transform=utm_t,
              dst_crs="EPSG:32649", resampling=Resampling.nearest, dst_nodata=0)
    with rasterio.open(paths["utm"], "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       crs="EPSG:32649", transform=utm_t, tiled=True, compress="deflate") as dst:
        dst.write((out * size * size)[None])
    print(f"instance: lon/lat {NX} x {NY} = {NX * NY:,} cells; UTM {width} x {height} = {width * height:,} cells "
          f"of {size:.1f} m", flush=True)
    return paths


def run(tree: Path, args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", _TIMER, sys.executable, "-m", *args], capture_output=True, text=True, cwd=tree,
                          env={**env, "PYTHONPATH": str(tree)})
    result = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{result['err']}")
    return result


def prepare(tree: Path, paths: dict[str, Path], db: Path, env: dict[str, str]) -> None:
    if db.exists():
        db.unlink()
    run(tree, ["sites", "set-region", "--boundaries", str(paths["region"]), "--boundaries-crs", "wgs84",
               "--db", str(db)], env)
    run(tree, ["sites", "import", str(paths["sites"]), "--crs", "wgs84", "--db", str(db)], env)


def coverage(tree: Path, db: Path, raster: Path, env: dict[str, str]) -> dict:
    return run(tree, ["scoring", "coverage", "--type", "book_room", "--demand", str(raster), "--format", "json",
                      "--db", str(db)], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="folder for the instance (reused when present)")
    parser.add_argument("--old", metavar="COMMIT", help="also run the lon/lat raster once on this commit's code")
    opts = parser.parse_args()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="bench-raster-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = make_instance(folder)
    env = {**os.environ, "SITES_USER": "bench", "SITES_LANGUAGE": "en", "PYTHONWARNINGS": "ignore"}
    db = folder / "bench.db"
    prepare(ROOT, paths, db, env)
    rows = []
    for label, raster in (("UTM 49N (baseline: the same raster projected)", paths["utm"]),
                          ("lon/lat EPSG:4326 (ours)", paths["lonlat"])):
        runs = [coverage(ROOT, db, raster, env) for _ in range(opts.repeat)]
        wall = statistics.median(r["wall"] for r in runs)
        rss = max(r["rss_kb"] for r in runs) / 1024 / 1024
        rows.append((label, wall, rss))
        each = ", ".join(f"{r['wall']:.2f}" for r in runs)
        print(f"{label}: median {wall:.2f} s of {opts.repeat} (runs {each}); peak memory {rss:.2f} GB", flush=True)
    (_, base, _), (_, ours, rss) = rows
    print(f"lon/lat / UTM time ratio: {ours / base:.2f} (target <= 1.0); lon/lat peak memory {rss:.2f} GB "
          f"(target < 1 GB)")
    if opts.old:
        with tempfile.TemporaryDirectory(prefix="bench-old-") as tmp:
            tree = Path(tmp)
            archive = subprocess.run(["git", "archive", opts.old], cwd=ROOT, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            old_db = folder / "old.db"
            prepare(tree, paths, old_db, env)
            once = coverage(tree, old_db, paths["lonlat"], env)
            print(f"lon/lat on {opts.old} (one run): {once['wall']:.2f} s; peak memory "
                  f"{once['rss_kb'] / 1024 / 1024:.2f} GB")


if __name__ == "__main__":
    main()
