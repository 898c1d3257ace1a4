"""``seed-demo``: load the bundled Nanhai sample into a registry.

Real sites: Nanhai's workers' cultural palaces as Amap lists them
(``data/nanhai_palaces_amap_gcj02.csv``, GCJ-02 as delivered, converted to
WGS84 here at seed time, ``source=amap``). Demo sites: the other types in the
numbers of the public Nanhai figures (``data/nanhai_demo_sites.csv``, WGS84,
``source=demo``). See ``data/README.md``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from accounts.permissions import Actor
from geodata.crs import CoordSystem, convert_points
from sites.io import read_records
from sites.store import ImportReport, SiteStore
from sites.validation import RawRecords

DATA_DIR = Path(__file__).resolve().parent / "data"
PALACES_FILE = DATA_DIR / "nanhai_palaces_amap_gcj02.csv"
DEMO_FILE = DATA_DIR / "nanhai_demo_sites.csv"


def palace_records() -> RawRecords:
    """The Amap palaces as records in WGS84 (converted from GCJ-02 now)."""
    with open(PALACES_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lng, lat = convert_points([float(r["lng_gcj02"]) for r in rows], [float(r["lat_gcj02"]) for r in rows],
                              CoordSystem.GCJ02, CoordSystem.WGS84)
    frame = pd.DataFrame({
        "name": [r["name"] for r in rows],
        "type": "cultural_palace",
        "status": "open",
        "lng": lng.tolist(),
        "lat": lat.tolist(),
        "address": [r["address"] for r in rows],
        "notes": [f"高德 POI {r['amap_id']}（GCJ-02 已转换为 WGS84）" for r in rows],
        "source": "amap",
    }, dtype=object)
    return RawRecords(frame, list(range(2, len(rows) + 2)), PALACES_FILE.name)


def demo_records() -> RawRecords:
    """Everything ``seed-demo`` loads, as one set of WGS84 records."""
    palaces, demo = palace_records(), read_records(DEMO_FILE)
    frame = pd.concat([palaces.frame, demo.frame], ignore_index=True).astype(object)
    frame = frame.where(frame.notna(), None)
    return RawRecords(frame, palaces.lines + demo.lines, f"{PALACES_FILE.name}+{DEMO_FILE.name}")


def seed_demo(store: SiteStore, *, actor: Actor) -> ImportReport:
    """Write the sample in one transaction (all or nothing; seeding twice is rejected as duplicates)."""
    return store.import_records(demo_records(), actor=actor, crs=CoordSystem.WGS84)
