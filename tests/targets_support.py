"""Shared by the target and report tests: Nanhai's real cultural palaces in a real registry."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sites.store import SiteStore

PALACES_CSV = Path(__file__).parent / "data" / "nanhai_cultural_palaces_amap_gcj02.csv"


def import_palaces(store: SiteStore) -> None:
    """Add the four confirmed branches of the district palace as open, in GCJ-02 as Amap gives them.

    工人文化宫(盐步直街) is skipped: Amap lists it as an entertainment venue (unconfirmed).
    """
    rows = pd.read_csv(PALACES_CSV, dtype=str)
    for row in rows.itertuples():
        if "盐步" in row.name:
            continue
        store.add({"name": row.name, "type": "cultural_palace", "status": "open", "lng": row.lng_gcj02,
                   "lat": row.lat_gcj02, "address": row.address, "source": f"amap:{row.amap_id}"},
                  actor="test", crs="gcj02")
