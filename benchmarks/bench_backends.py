"""Benchmark: the same commands on SQLite and on PostgreSQL + PostGIS, with 50,000 sites, and concurrent editing.

Instance (seeded): 50,000 sites on a grid inside the bundled Nanhai towns (about
130 m apart, five types in turn, never likely duplicates), in one CSV (WGS84).
Every timing is a whole command, process start and imports included, median of
``--repeat`` runs (default 5), both backends measured in the same run:

* **import**: ``python -m sites import sites.csv --crs wgs84`` into a new registry (validation, towns,
  one transaction with 50,000 audit rows);
* **edit**: ``python -m sites update ID --notes … --if-version N`` on the 50,000-site registry;
* **coverage**: ``python -m scoring coverage`` (every type, default radii) on it;
* **concurrent edit** (counts, not a timing): 20 processes each editing the same 100 sites with version
  checks (``tests/test_postgres.py``'s editor): how many writes landed, how many were refused with a
  reason, and whether every site's audit chain is consecutive (none lost).

Run: ``scripts/pg-dev.sh`` (prints the server URL), then
``python benchmarks/bench_backends.py --pg URL [--repeat 5] [--sites 50000]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = Path(__file__).resolve().parent / ".cache"
TYPES = ("book_room", "service_centre", "cultural_palace", "rest_station", "nursing_room")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SITES_LANGUAGE": "en", "SITES_MODE": "local",
       "SITES_USER": "bench"}


def make_csv(count: int) -> Path:
    from sites.region import RegionSpec, town_index

    path = CACHE / f"backends_{count}.csv"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    index = town_index(RegionSpec())
    step = 0.0013
    xs, ys = np.meshgrid(np.arange(112.88, 113.27, step), np.arange(22.83, 23.27, step))
    lng, lat = xs.ravel(), ys.ravel()
    codes = index.assign(list(lng), list(lat))
    inside = [(x, y) for x, y, c in zip(lng, lat, codes, strict=True) if c is not None]
    if len(inside) < count:
        raise SystemExit(f"only {len(inside)} grid points inside the towns")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "type", "status", "lng", "lat"])
        for i, (x, y) in enumerate(inside[:count]):
            out.writerow([f"站点 {i}", TYPES[i % len(TYPES)], "open", f"{x:.6f}", f"{y:.6f}"])
    return path


def admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(sql)


def new_db(kind: str, pg: str, tmp: Path) -> str:
    if kind == "sqlite":
        return str(tmp / f"{uuid.uuid4().hex}.db")
    from tests.conftest import pg_url

    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin(pg, f"CREATE DATABASE {name} TEMPLATE sites_template")
    return pg_url(name, pg)


def drop(kind: str, pg: str, db: str) -> None:
    if kind == "postgresql":
        admin(pg, f"DROP DATABASE IF EXISTS {db.split('?')[0].rsplit('/', 1)[1]} WITH (FORCE)")
    else:
        for p in Path(db).parent.glob(Path(db).name + "*"):
            p.unlink()


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], env=ENV, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    return took


def concurrent_edit(kind: str, pg: str, tmp: Path) -> dict[str, object]:
    from sites.store import SiteStore
    from tests.test_postgres import EDITOR, _grid_points, _records

    db = new_db(kind, pg, tmp)
    try:
        points = _grid_points(100)
        with SiteStore(db) as store:
            ids = [s.id for s in store.import_records(_records(points), actor="seed", crs="wgs84").written]
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", EDITOR, db, f"editor{k:02d}", json.dumps(ids)], env=ENV,
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for k in range(20)]
        runs = [json.loads(p.communicate()[0]) for p in procs]
        took = time.perf_counter() - started
        landed = sum(len(r["landed"]) for r in runs)
        refused = sum(len(r["refused"]) for r in runs)
        with SiteStore(db) as store:
            chains = all([e.version for e in store.history(i)] == list(range(1, store.get_site(i).version + 1))
                         for i in ids)
            versions = sum(store.get_site(i).version - 1 for i in ids)
        return {"writes": 2000, "landed": landed, "refused": refused, "versions_made": versions,
                "chains_consecutive": chains, "seconds": round(took, 1)}
    finally:
        drop(kind, pg, db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=os.environ.get("SITES_TEST_PG_URL"), help="server URL (scripts/pg-dev.sh)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sites", type=int, default=50_000)
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit("give --pg URL (scripts/pg-dev.sh prints it)")
    data = make_csv(args.sites)
    tmp = CACHE / "dbs"
    tmp.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[str, float]] = {}
    counts = {}
    for kind in ("sqlite", "postgresql"):
        imports, edits, coverages = [], [], []
        kept = None
        for r in range(args.repeat):
            db = new_db(kind, args.pg, tmp)
            imports.append(timed(["-m", "sites", "import", str(data), "--crs", "wgs84", "--db", db]))
            if r == 0:
                kept = db
            else:
                drop(kind, args.pg, db)
        for r in range(args.repeat):
            edits.append(timed(["-m", "sites", "update", str(1 + r), "--notes", f"bench {r}", "--if-version", "1",
                                "--db", kept]))
            coverages.append(timed(["-m", "scoring", "coverage", "--db", kept]))
        drop(kind, args.pg, kept)
        table[kind] = {"import": statistics.median(imports), "edit": statistics.median(edits),
                       "coverage": statistics.median(coverages)}
        counts[kind] = concurrent_edit(kind, args.pg, tmp)
    print(f"{args.sites:,} sites; whole commands, median of {args.repeat} (seconds)")
    print(f"{'command':<10} {'SQLite':>9} {'PostgreSQL':>11}")
    for step in ("import", "edit", "coverage"):
        print(f"{step:<10} {table['sqlite'][step]:>9.2f} {table['postgresql'][step]:>11.2f}")
    print("concurrent edit, 20 processes x the same 100 sites with version checks:")
    for kind, c in counts.items():
        print(f"  {kind}: {json.dumps(c)}")


if __name__ == "__main__":
    main()
