"""Hand-built towns and sites for the coverage engine's tests (no network, no files).

Towns are squares laid out in UTM 49N (EPSG:32649) near its central meridian
(111° E) and stored in WGS84, as the region's towns frame is; projected back
to UTM 49N they are the same squares (vertices round-trip to < 1 mm).
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pyproj
import shapely

UTM49N = pyproj.CRS.from_epsg(32649)
X0, Y0 = 500_000.0, 2_500_000.0  # metres in UTM 49N, about 111° E, 22.6° N
_TO_WGS84 = pyproj.Transformer.from_crs(UTM49N, "EPSG:4326", always_xy=True)


def to_lnglat(x, y):
    """UTM 49N metres (offsets from X0, Y0) to WGS84 degrees."""
    return _TO_WGS84.transform(np.asarray(x, dtype=float) + X0, np.asarray(y, dtype=float) + Y0)


def towns_frame(boxes: list[tuple[float, float, float, float]], codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Towns from (minx, miny, maxx, maxy) boxes in metres relative to (X0, Y0)."""
    codes = codes or [f"44060501{i}000" for i in range(len(boxes))]
    geoms = shapely.transform(
        [shapely.box(*b) for b in boxes],
        lambda c: np.column_stack(to_lnglat(c[:, 0], c[:, 1])),
    )
    return gpd.GeoDataFrame(
        {"code": codes, "name": [f"镇{i}" for i in range(len(boxes))], "name_en": [f"Town {i}" for i in range(len(boxes))],
         "area_km2": [(b[2] - b[0]) * (b[3] - b[1]) / 1e6 for b in boxes]},
        geometry=list(geoms), crs="EPSG:4326",
    )


def sites_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Sites with x/y in metres relative to (X0, Y0); fields as the registry's sites frame."""
    defaults = {"status": "open", "opened_on": None, "closed_on": None, "town_code": None, "name": "站点"}
    full = [{**defaults, "id": i + 1, **r} for i, r in enumerate(rows)]
    x = np.array([r["x"] for r in full], dtype=float)
    y = np.array([r["y"] for r in full], dtype=float)
    lng, lat = to_lnglat(x, y)
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k not in ("x", "y")} for r in full],
        geometry=gpd.points_from_xy(lng, lat), crs="EPSG:4326",
    )
    frame["lng"], frame["lat"] = lng, lat
    return frame


TODAY = date(2025, 6, 30)


def make_query(types, radii_m=None, *, statuses=("open",), as_of=None):
    """A :class:`scoring.query.CoverageQuery` as the edge builds it (defaults from the settings)."""
    from scoring.query import CoverageQuery
    from settings import get_settings

    return CoverageQuery.build(types, radii_m, defaults_m=get_settings().default_radii_m(), statuses=statuses,
                               as_of=as_of)


def coverage_of(towns, sites, *, types=None, radii_m=None, statuses=("open",), as_of=None, **engine):
    """Build the query at the edge, then run the engine (:func:`scoring.coverage.coverage`) with it."""
    from scoring.coverage import coverage

    return coverage(towns, sites, make_query(types, radii_m, statuses=statuses, as_of=as_of), **engine)


def suggest_of(towns, sites, *, site_type, radius_m=None, statuses=("open",), as_of=None, **engine):
    """Build the query for one type, then run :func:`scoring.suggest.suggest` with it."""
    from scoring.suggest import suggest

    return suggest(towns, sites, make_query(site_type, radius_m, statuses=statuses, as_of=as_of),
                   site_type=site_type, **engine)


def progress_words(lang="en"):
    """A progress callback that words each event as the edge does; returns (callback, list of (fraction, text))."""
    from i18n import t

    seen: list[tuple[float, str]] = []
    return (lambda e: seen.append((e.fraction, t(f"scoring.progress.{e.stage}", lang, **e.params())))), seen
