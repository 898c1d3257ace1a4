"""The town table beside the planner's map: covered share and gaps per town × type (no Streamlit here)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.boundaries import Region
from i18n import t
from maps.webmap import display_names
from scoring.coverage import CoverageResult
from settings import Language, site_type
from sites.sheets import frame_csv


def town_table(region: Region, result: CoverageResult, gap_frame: gpd.GeoDataFrame | None, *, lang: Language,
               towns: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per town (all, or those in ``towns``): per type, the counted sites in the town,
    the covered share of its area in %, the uncovered area in km² and the number of gap
    patches (from ``gap_frame``, the ranked gaps of ``result``), plus the covered share of
    demand when ``result`` has a demand layer. Headers are in ``lang``.
    """
    codes = region.towns["code"].astype(str)
    out = pd.DataFrame({region.level_label(lang): display_names(region.towns, lang).to_numpy(),  # 镇街 or 区县
                        t("ui.maptable.code", lang): codes.to_numpy()})
    table = result.table
    for key in result.query.types:
        name = site_type(key).name(lang)
        rows = table.loc[table["site_type"] == key].set_index("town_code").reindex(codes)
        out[t("ui.maptable.sites", lang, type=name)] = rows["sites"].to_numpy()
        out[t("ui.maptable.share", lang, type=name)] = (rows["covered_share"] * 100).round(1).to_numpy()
        out[t("ui.maptable.gap_km2", lang, type=name)] = (rows["area_km2"] - rows["covered_km2"]).round(2).to_numpy()
        if gap_frame is not None:
            counts = gap_frame.loc[gap_frame["site_type"] == key, "town_code"].value_counts()
            out[t("ui.maptable.gaps", lang, type=name)] = [int(counts.get(c, 0)) for c in codes]
        if "covered_demand_share" in rows:
            out[t("ui.maptable.demand", lang, type=name)] = (rows["covered_demand_share"] * 100).round(1).to_numpy()
    if towns:
        out = out.loc[codes.isin(towns).to_numpy()]
    return out.reset_index(drop=True)


def town_table_csv(table: pd.DataFrame) -> bytes:
    """``table`` (from :func:`town_table`) as the page's CSV download: UTF-8 with a byte-order mark so Excel
    opens it, written by the one formula-safe writer (:mod:`sites.sheets`; town names from a boundary file
    that start with ``=`` are text, numbers stay numbers)."""
    return frame_csv(table).encode("utf-8-sig")
