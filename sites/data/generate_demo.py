"""Regenerate ``nanhai_demo_sites.csv``: demo sites (not real places) inside the Nanhai towns.

Run from the project root: ``python -m sites.data.generate_demo``. Deterministic
(fixed seed); positions are uniform random points at least 200 m inside a
town's outline, in WGS84, and at least 100 m from any other demo site of the
same type. Counts follow the public Nanhai figures in DOMAIN.md.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import numpy as np
import shapely

from geodata.boundaries import bundled_region

OUT = Path(__file__).resolve().parent / "nanhai_demo_sites.csv"
SEED = 2025
NOTE = "演示数据：位置为示意，非实测 / demo data: illustrative position, not surveyed"

# (town code, type, name) of the named service centres in DOMAIN.md.
NAMED = [
    ("440605121000", "service_centre", "九江镇职工服务中心"),
    ("440605121000", "service_centre", "沙头文体公园职工服务中心"),
    ("440605121000", "service_centre", "公资园区职工服务中心"),
    ("440605121000", "service_centre", "烟南村职工服务中心"),
    ("440605125000", "service_centre", "大沥镇职工之家活动中心（一）"),
    ("440605125000", "service_centre", "大沥镇职工之家活动中心（二）"),
]
# Further demo sites per town: 21 service centres, 70 nursing rooms, 11 rest stations, 14 book rooms.
COUNTS = {
    "service_centre": {"440605011000": 3, "440605122000": 3, "440605123000": 3, "440605124000": 3,
                       "440605126000": 3},
    "nursing_room": dict.fromkeys(("440605011000", "440605121000", "440605122000", "440605123000",
                                   "440605124000", "440605125000", "440605126000"), 10),
    "rest_station": {"440605011000": 3, "440605124000": 2, "440605125000": 2, "440605126000": 1,
                     "440605122000": 1, "440605123000": 1, "440605121000": 1},
    "book_room": dict.fromkeys(("440605011000", "440605121000", "440605122000", "440605123000",
                                "440605124000", "440605125000", "440605126000"), 2),
}
LABEL = {"service_centre": "“职工·家”服务中心", "nursing_room": "爱心妈妈小屋", "rest_station": "户外劳动者爱心驿站",
         "book_room": "职工书屋"}


def main() -> None:
    rng = np.random.default_rng(SEED)
    region = bundled_region()
    metric = region.towns.to_crs(region.metric_crs)
    inner = {code: geom.buffer(-200) for code, geom in zip(metric["code"], metric.geometry, strict=True)}
    names = dict(zip(region.towns["code"], region.towns["name"], strict=True))
    placed: dict[str, list[tuple[float, float]]] = {}

    def point_in(code: str, kind: str) -> tuple[float, float]:
        geom = inner[code]
        minx, miny, maxx, maxy = geom.bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not shapely.contains_xy(geom, x, y):
                continue
            if all(np.hypot(x - a, y - b) >= 100 for a, b in placed.get(kind, [])):
                placed.setdefault(kind, []).append((x, y))
                return x, y

    rows = [(code, kind, name) for code, kind, name in NAMED]
    for kind, per_town in COUNTS.items():
        for code, count in per_town.items():
            rows += [(code, kind, f"{names[code]}{LABEL[kind]}（示例{i}）") for i in range(1, count + 1)]
    from pyproj import Transformer

    back = Transformer.from_crs(region.metric_crs, "EPSG:4326", always_xy=True)
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "type", "status", "lng", "lat", "address", "opened_on", "notes", "source"])
        for code, kind, name in rows:
            lng, lat = back.transform(*point_in(code, kind))
            opened = datetime.date(2016, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 9 * 365)))
            writer.writerow([name, kind, "open", f"{lng:.6f}", f"{lat:.6f}", "", opened.isoformat(), NOTE, "demo"])
    print(f"{len(rows)} demo sites → {OUT}")


if __name__ == "__main__":
    main()
