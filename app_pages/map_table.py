"""The town table beside the planner's map: covered share and gaps per town × type (no Streamlit here).

The page shows the whole table (also its CSV) through a compact default set of
columns (:func:`compact_columns`: the town, then the focus type's covered share,
sites, gap and rank, then the other types' covered share), and above it the
towns ranked worst first for the focus type (:func:`worst_towns`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
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
        out[t("ui.maptable.rank", lang, type=name)] = worst_first_ranks(
            rows["covered_share"].to_numpy(float), (rows["area_km2"] - rows["covered_km2"]).to_numpy(float))
    if towns:
        out = out.loc[codes.isin(towns).to_numpy()]
    return out.reset_index(drop=True)


def town_table_csv(table: pd.DataFrame) -> bytes:
    """``table`` (from :func:`town_table`) as the page's CSV download: UTF-8 with a byte-order mark so Excel
    opens it, written by the one formula-safe writer (:mod:`sites.sheets`; town names from a boundary file
    that start with ``=`` are text, numbers stay numbers)."""
    return frame_csv(table).encode("utf-8-sig")


#: The focus type's columns in the compact table, in order (their headers' keys).
_FOCUS_COLUMNS = ("ui.maptable.share", "ui.maptable.sites", "ui.maptable.gap_km2", "ui.maptable.rank")
_SHORT = ("ui.maptable.short_share", "ui.maptable.short_sites", "ui.maptable.short_gap", "ui.maptable.short_rank")


def worst_first_ranks(share: np.ndarray, gap_km2: np.ndarray) -> np.ndarray:
    """Each town's rank, 1 = worst served: the lowest covered ``share`` first, a larger uncovered area
    (``gap_km2``) first among equal shares; towns equal in both share a rank."""
    share = np.round(np.asarray(share, dtype=float), 6)
    gap = np.round(np.asarray(gap_km2, dtype=float), 6)
    order = np.lexsort((-gap, share))
    ranks = np.empty(len(share), dtype=np.int64)
    for position, i in enumerate(order):
        j = order[position - 1] if position else None
        same = j is not None and share[i] == share[j] and gap[i] == gap[j]
        ranks[i] = ranks[j] if same else position + 1
    return ranks


def compact_columns(table: pd.DataFrame, region: Region, types: tuple[str, ...], focus: str | None, *,
                    lang: Language) -> list[str]:
    """The columns the page shows by default, in order: the town name, then for ``focus`` its covered share,
    sites, gap (km²) and rank, then the covered share of each other type in ``types``."""
    columns = [region.level_label(lang)]
    if focus is not None:
        name = site_type(focus).name(lang)
        columns += [t(key, lang, type=name) for key in _FOCUS_COLUMNS]
    columns += [t("ui.maptable.share", lang, type=site_type(k).name(lang)) for k in types if k != focus]
    return [c for c in columns if c in table.columns]


def compact_labels(table: pd.DataFrame, types: tuple[str, ...], focus: str | None, *,
                   lang: Language) -> dict[str, str]:
    """Short headers of the compact columns (the full header stays the column's name, in the CSV and as the
    header's help): the focus type's columns by what they hold (覆盖率（%）, 站点数, …), the other types' covered
    share by the type's name."""
    labels: dict[str, str] = {}
    if focus is not None:
        name = site_type(focus).name(lang)
        labels.update({t(key, lang, type=name): t(short, lang) for key, short in zip(_FOCUS_COLUMNS, _SHORT,
                                                                                       strict=True)})
    labels.update({t("ui.maptable.share", lang, type=site_type(k).name(lang)):
                   t("ui.maptable.short_type", lang, type=site_type(k).name(lang)) for k in types if k != focus})
    return {column: label for column, label in labels.items() if column in table.columns}


def worst_towns(table: pd.DataFrame, region: Region, focus: str, *, lang: Language, count: int = 5) -> pd.DataFrame:
    """The ``count`` towns of ``table`` (from :func:`town_table`) worst served for ``focus``, worst first:
    columns ``rank``, ``name``, ``share`` (%), ``sites``, ``gap_km2``."""
    name = site_type(focus).name(lang)
    picked = table[[region.level_label(lang), *(t(key, lang, type=name) for key in _FOCUS_COLUMNS)]]
    picked.columns = ["name", "share", "sites", "gap_km2", "rank"]
    return picked.sort_values(["rank", "name"], kind="stable").head(count).reset_index(drop=True)
