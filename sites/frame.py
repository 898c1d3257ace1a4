"""Sites as a GeoDataFrame, for the coverage engine, maps and GIS exports."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from geodata.crs import STORAGE_CRS
from sites.models import SITE_FIELDS, Site

#: Date columns, stored as ISO text (``YYYY-MM-DD``) or NULL.
_DATE_FIELDS = ("opened_on", "closed_on")


def sites_frame(sites: Sequence[Site]) -> gpd.GeoDataFrame:
    """One row per site with every :class:`Site` field as a column and a Point
    geometry at (``lng``, ``lat``), in EPSG:4326 (WGS84 degrees).

    ``opened_on``/``closed_on`` hold ``datetime.date`` or ``None``; an empty
    input gives an empty frame with the same columns and CRS.
    """
    return _frame(pd.DataFrame([[getattr(s, f) for f in SITE_FIELDS] for s in sites], columns=list(SITE_FIELDS)))


def stored_sites_frame(rows: Sequence[Sequence[object]]) -> gpd.GeoDataFrame:
    """:func:`sites_frame` of table rows (the values of :data:`sites.models.SITE_FIELDS` in order, dates as ISO
    text or ``None``), the same frame without building a :class:`Site` per row (a read of the whole registry:
    :meth:`sites.store.SiteStore.sites_frame`)."""
    columns = dict(zip(SITE_FIELDS, map(list, zip(*rows, strict=True)), strict=True)) if len(rows) else {}
    parsed: dict[str, datetime.date] = {}
    for key in _DATE_FIELDS if columns else ():
        columns[key] = [parsed.get(v) or parsed.setdefault(v, datetime.date.fromisoformat(v)) if v else None
                        for v in columns[key]]
    data = pd.DataFrame(columns or None, columns=list(SITE_FIELDS))
    return _frame(data)


def _frame(data: pd.DataFrame) -> gpd.GeoDataFrame:
    data["id"] = data["id"].astype("int64")
    data["lng"] = data["lng"].astype("float64")
    data["lat"] = data["lat"].astype("float64")
    geometry = gpd.points_from_xy(data["lng"], data["lat"], crs=STORAGE_CRS)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=STORAGE_CRS)
