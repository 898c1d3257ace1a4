"""Sites as a GeoDataFrame, for the coverage engine, maps and GIS exports."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from geodata.crs import STORAGE_CRS
from sites.models import SITE_FIELDS, Site


def sites_frame(sites: Sequence[Site]) -> gpd.GeoDataFrame:
    """One row per site with every :class:`Site` field as a column and a Point
    geometry at (``lng``, ``lat``), in EPSG:4326 (WGS84 degrees).

    ``opened_on``/``closed_on`` hold ``datetime.date`` or ``None``; an empty
    input gives an empty frame with the same columns and CRS.
    """
    data = pd.DataFrame([[getattr(s, f) for f in SITE_FIELDS] for s in sites], columns=list(SITE_FIELDS))
    data["id"] = data["id"].astype("int64")
    data["lng"] = data["lng"].astype("float64")
    data["lat"] = data["lat"].astype("float64")
    geometry = gpd.points_from_xy(data["lng"], data["lat"], crs=STORAGE_CRS)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=STORAGE_CRS)
