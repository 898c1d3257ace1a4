"""The planner's map, headless: the same folium map the app shows, and its standalone HTML export.

:func:`planner_map` draws, on :func:`maps.webmap.build_map`'s towns:

* the covered share of one focus type per town as a choropleth;
* per site type, the sites as badges (type colour and glyph; planned sites
  hollow and dashed, sites under construction hollow and dotted, suspended or
  closed ones grey), clustered when there are many;
* per site type, the catchment (the part of each town within reach, from
  :class:`scoring.coverage.CoverageResult`) and the gaps (:func:`scoring.gaps.gaps`),
  each a layer that can be switched on and off;
* optional suggested sites (:func:`scoring.suggest.suggest`);
* a legend and a caption saying what is shown (region, date, radii, demo data).

Every overlay is shifted into the base map's coordinate system (GCJ-02 for Amap).
Colours, glyphs, marker kinds and area styles come from :mod:`maps.style`, the
words from :mod:`i18n`: this module only composes.
Popups and tooltips show user text as text, never as markup, and every element
is rendered in one template pass (:class:`maps.webmap.SinglePass`): a ``{{ … }}``
in a name is shown, never evaluated. Sites whose
``source`` is ``demo`` say so in their popup and in the legend.

``python -m scoring map OUT.html --db PATH`` (:mod:`cli.scoring`) writes
:func:`export_html` to a file that opens and draws with no network.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd

from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_frame, convert_points
from i18n import t
from maps.assets import standalone_html, use_local_assets
from maps.service_areas import add_service_areas
from maps.style import (
    GAP_STYLE,
    LEGEND_GREY,
    STATUS_KINDS,
    SUGGESTED_GLYPH,
    MarkerStyle,
    ShareClasses,
    catchment_style,
    status_kind,
    type_glyph,
)
from maps.webmap import (
    Detail,
    LegendEntry,
    area_layer,
    build_map,
    caption,
    display_names,
    fit_view,
    layer_control,
    legend,
    point_layer,
    point_mode,
    tile_layers,
)
from scoring.coverage import CoverageResult, coverage
from scoring.demand import Demand
from scoring.gaps import gaps
from scoring.query import CoverageQuery
from scoring.selection import counted_mask
from scoring.suggest import Suggestion
from settings import Language, SiteType, get_settings, load_site_types

#: Statuses always drawn (hollow) even when they do not count, so plans stay visible.
PLANNING_STATUSES = ("planned", "under_construction")
#: Above this many sites of a type, its markers are clustered (leaflet.markercluster, DOM badges).
CLUSTER_OVER = 200
#: Above this many sites of a type, they are drawn on one canvas from a compact array (any number: a
#: province's 50,000 draw in a fraction of a second), dots at low zoom and glyph badges from zoom 14.
CANVAS_OVER = 1_000


@dataclass(frozen=True)
class MapOptions:
    """How the planner's map is drawn (rendering only; what is computed is the
    :class:`scoring.query.CoverageQuery`). Hashable, so the app can cache on it.

    ``towns``: town codes to show (empty: all); ``focus_type``: the type of the
    choropleth and of the gaps shown at first (default: the query's first type).
    """

    towns: tuple[str, ...] = ()
    focus_type: str | None = None
    show_catchment: bool = True
    show_gaps: bool = True
    lang: Language = "zh"
    tiles: str = "none"
    tianditu_key: str | None = field(default=None, repr=False)

    def focus(self, query: CoverageQuery) -> str | None:
        """The focus type if the query has it, else the query's first type."""
        return self.focus_type if self.focus_type in query.types else (query.types[0] if query.types else None)


def source_label(source: str, lang: Language) -> str:
    """How a site's ``source`` is shown: demo, Amap and suggestions by name, anything else as stored."""
    key = f"mapx.source.{source}"
    return t(key, lang) if source in ("demo", "amap", "suggest") else source


def compute_coverage(region: Region, sites: pd.DataFrame, query: CoverageQuery,
                     demand: Demand | None = None) -> CoverageResult | None:
    """Coverage of the options' types (``None`` when no type is chosen)."""
    if not query.types:
        return None
    return coverage(region.towns, sites, query, demand=demand)


def shown_sites(sites: pd.DataFrame, query: CoverageQuery, options: MapOptions) -> pd.DataFrame:
    """Sites the map draws: of the chosen types and towns, counted (statuses, date) or still planned."""
    if len(sites) == 0:
        return sites
    mask = sites["type"].isin(query.types)
    mask &= counted_mask(sites, statuses=query.statuses, as_of=query.as_of) | sites["status"].isin(
        PLANNING_STATUSES)
    if options.towns:
        mask &= sites["town_code"].isin(options.towns)
    return sites.loc[mask]


def town_names(region: Region, lang: Language) -> dict[str, str]:
    """Town code → name in ``lang`` (as :meth:`Region.town_name` gives it), looked up once per map."""
    return dict(zip(region.towns["code"].astype(str), display_names(region.towns, lang), strict=True))


def _site_table(sites: pd.DataFrame, names: Mapping[str, str], lang: Language) -> pd.DataFrame:
    from sites.models import status_name  # the registry's status names

    kinds = list(STATUS_KINDS.values())
    status = sites["status"].astype(str)
    statuses = status.unique()
    source = sites["source"].fillna("").astype(str)
    opened = sites["opened_on"]
    return pd.DataFrame({
        "lng": sites["lng"].to_numpy(dtype=float),
        "lat": sites["lat"].to_numpy(dtype=float),
        "style": status.map({s: kinds.index(status_kind(s)) for s in statuses}).to_numpy(),
        "name": sites["name"].astype(str).to_numpy(),
        "status": status.map({s: status_name(s, lang) for s in statuses}).to_numpy(),
        "town": sites["town_code"].map(lambda c: names.get(str(c), "") if c else "").fillna("").to_numpy(),
        "address": sites["address"].fillna("").astype(str).to_numpy(),
        "host": sites["host_org"].fillna("").astype(str).to_numpy(),
        "opened": [d.isoformat() if d is not None and not pd.isna(d) else "" for d in opened],
        "source": source.map({s: source_label(s, lang) for s in source.unique()}).to_numpy(),
        "id": sites["id"].astype(str).to_numpy(),
    })


def _site_fields(lang: Language, unit: str) -> dict[str, str]:
    return {
        "name": t("map.field.name", lang), "type": t("mapx.field.type", lang),
        "status": t("mapx.field.status", lang), "town": unit,
        "address": t("mapx.field.address", lang), "host": t("mapx.field.host", lang),
        "opened": t("mapx.field.opened", lang), "source": t("mapx.field.source", lang),
        "id": t("mapx.field.id", lang),
    }


def _radius_text(radius_m: float) -> str:
    return f"{radius_m:,.0f}"


def planner_map(
    region: Region,
    sites: pd.DataFrame,
    query: CoverageQuery,
    options: MapOptions,
    *,
    result: CoverageResult | None = None,
    gap_frame: gpd.GeoDataFrame | None = None,
    suggestion: Suggestion | None = None,
    added: Collection[int] = (),
    with_caption: bool = True,
) -> folium.Map:
    """The planner's map of ``sites`` (the registry's sites frame) over ``region``.

    ``result``/``gap_frame``: coverage and gaps of ``options`` (computed here when
    not given); ``suggestion``: suggested new sites to draw (``added``: the orders of those already added to
    the registry, marked so); ``with_caption``: the
    box saying region, date, statuses, radii and sources (the app shows these
    beside the map instead). Raises
    :class:`errors.MapError` as :func:`maps.webmap.build_map` does.
    """
    lang = options.lang
    types = {st.key: st for st in load_site_types()}
    if result is None:
        result = compute_coverage(region, sites, query)
    if gap_frame is None and result is not None and options.show_gaps:
        gap_frame = gaps(result, min_area_km2=get_settings().min_gap_km2)
    _, system = tile_layers(options.tiles, tianditu_key=options.tianditu_key)
    focus = options.focus(query)
    shares = counts = None
    if result is not None and focus is not None:
        shares, counts = _town_figures(result, focus)
    label = f" · {types[focus].name(lang)}" if focus else ""
    # Hovering a town shows the focus type's covered share and sites (its gaps say theirs, see below).
    m = build_map(region, lang=lang, tiles=options.tiles, tianditu_key=options.tianditu_key, town_values=shares,
                  value_label=t("mapx.field.share", lang) + label, town_counts=counts,
                  count_label=t("mapx.field.sites", lang) + label)

    # Areas are simplified and rounded to fit the region's extent (≈ 12 m for Nanhai, ≈ 200 m for a province).
    detail = Detail.for_extent(region.towns.total_bounds)
    names = town_names(region, lang)
    unit = region.level_label(lang)  # 镇街 or 区县 (Town or County): what the popups call a unit
    if result is not None and options.show_catchment:
        for key in query.types:
            _add_catchment(m, result, key, types[key], names, system, lang, detail, unit)
            add_service_areas(m, result, sites, query, key, types[key], system, lang, detail)  # walking only
    if gap_frame is not None and len(gap_frame) and options.show_gaps:
        for key in query.types:
            of_type = gap_frame.loc[gap_frame["site_type"] == key]
            if options.towns:
                of_type = of_type.loc[of_type["town_code"].isin(options.towns)]
            if len(of_type):
                # A gap lies over most of a poorly served town: its tooltip leads with the town's covered share
                # and sites, as the town's own would, then the gap's area. The code rides along as well.
                town_share, town_sites = _town_figures(result, key) if result is not None else ({}, {})
                codes = of_type["town_code"].astype(str)
                frame = of_type.assign(town=[names.get(c, c) for c in codes], code=of_type["town_code"],
                                       share=[f"{town_share[c]:.1%}" if c in town_share else "" for c in codes],
                                       sites=[str(town_sites.get(c, "")) for c in codes],
                                       area=of_type["area_km2"].map("{:.2f}".format))
                area_layer(frame, name=t("mapx.layer.gaps", lang, type=types[key].name(lang)), style=GAP_STYLE,
                           fields={"town": unit, "share": t("mapx.field.share", lang),
                                   "sites": t("mapx.field.sites", lang), "area": t("mapx.field.area", lang),
                                   "code": t("map.field.code", lang)},
                           system=system, show=key == focus, detail=detail).add_to(m)

    shown = shown_sites(sites, query, options)
    kinds = list(STATUS_KINDS.values())
    demo_mark = t("mapx.demo_mark", lang)
    for key in query.types:
        of_type = shown.loc[shown["type"] == key] if len(shown) else shown
        if not len(of_type):
            continue
        st_ = types[key]
        table = _site_table(of_type, names, lang).assign(type=st_.name(lang))
        # Demo sites: a greyed, hatched badge (styles after the real ones) and 演示/demo in their tooltip.
        demo = of_type["source"].fillna("").astype(str).eq("demo").to_numpy()
        table["style"] = table["style"].to_numpy() + len(kinds) * demo
        table["title"] = [f"{n}{demo_mark}" if d else n for n, d in zip(table["name"], demo, strict=True)]
        styles = [MarkerStyle(st_.colour, type_glyph(st_, lang), kind, demo=d) for d in (False, True) for kind in kinds]
        point_layer(table, name=t("mapx.layer.sites", lang, type=st_.name(lang), n=len(table)), styles=styles,
                    style_column="style", tooltip_column="title", fields=_site_fields(lang, unit), system=system,
                    mode=point_mode(len(table), cluster_over=CLUSTER_OVER, canvas_over=CANVAS_OVER),
                    cluster_colour=st_.colour).add_to(m)

    if suggestion is not None and len(suggestion.selected):
        _add_suggestions(m, suggestion, types[suggestion.site_type], system, lang, unit, added)

    m.add_child(_legend(query, options, types, shown, suggestion is not None, lang, region.unit_text(
        "mapx.legend.share", lang, type=types[focus].name(lang)) if focus is not None else "",
        ShareClasses.of(shares.values()) if shares else None, region.unit_text("mapx.legend.class_towns", lang)))
    if with_caption:
        m.add_child(caption(t("mapx.title", lang), _caption_lines(region, query, options, types, shown, lang)))
    if options.towns:
        chosen = region.towns.loc[region.towns["code"].isin(options.towns)]
        if len(chosen):
            if system != CoordSystem.WGS84:
                chosen = convert_frame(chosen, CoordSystem.WGS84, system)
            minx, miny, maxx, maxy = (float(v) for v in chosen.total_bounds)
            fit_view(m, [[miny, minx], [maxy, maxx]])
    layer_control(collapsed=True, position="topright").add_to(m)
    return use_local_assets(m)


def _town_figures(result: CoverageResult, key: str) -> tuple[dict[str, float], dict[str, int]]:
    """Town code → covered share (0–1) and → counted sites, for site type ``key``."""
    rows = result.table.loc[result.table["site_type"] == key]
    codes = rows["town_code"].astype(str)
    return (dict(zip(codes, rows["covered_share"].astype(float), strict=True)),
            dict(zip(codes, rows["sites"].astype(int), strict=True)))


def _add_catchment(m: folium.Map, result: CoverageResult, key: str, site_type: SiteType, names: Mapping[str, str],
                   system: CoordSystem, lang: Language, detail: Detail, unit: str) -> None:
    rows = result.table.loc[result.table["site_type"] == key].reset_index(drop=True)
    # In the result's metric CRS: area_layer simplifies in metres, then projects the fewer vertices.
    frame = gpd.GeoDataFrame(
        {"town": [names.get(c, c) for c in rows["town_code"].astype(str)],
         "share": rows["covered_share"].map("{:.1%}".format), "sites": rows["sites"].astype(int).astype(str)},
        geometry=list(result.covered[key]), crs=result.crs,
    )
    style = catchment_style(site_type.colour)
    area_layer(frame, name=t("mapx.layer.catchment", lang, type=site_type.name(lang),
                             radius=_radius_text(result.radii_m[key])),
               style=style, fields={"town": unit, "share": t("mapx.field.share", lang),
                                    "sites": t("mapx.field.sites", lang)},
               system=system, detail=detail).add_to(m)


def _add_suggestions(m: folium.Map, suggestion: Suggestion, site_type: SiteType, system: CoordSystem,
                     lang: Language, unit: str, added: Collection[int] = ()) -> None:
    sel = suggestion.selected
    amount = "mapx.unit.km2" if suggestion.unit == "km2" else "mapx.unit.demand"
    g_lng, g_lat = convert_points(sel["lng"].to_numpy(float), sel["lat"].to_numpy(float), CoordSystem.WGS84,
                                  CoordSystem.GCJ02)
    was_added = t("mapx.suggested_added", lang)
    table = pd.DataFrame({
        "lng": sel["lng"], "lat": sel["lat"], "style": 0,
        "name": [suggested_name(int(o), site_type, str(town), lang) + (was_added if int(o) in added else "")
                 for o, town in zip(sel["order"], sel["town_name"], strict=True)],
        "order": sel["order"].astype(str),
        "town": sel["town_name"].astype(str),
        "newly": [t(amount, lang, value=float(v)) for v in sel["newly_covered"]],
        "position": [f"{x:.6f}, {y:.6f}" for x, y in zip(sel["lng"], sel["lat"], strict=True)],
        "amap": [f"{x:.6f},{y:.6f}" for x, y in zip(g_lng, g_lat, strict=True)],
    })
    fields = {"name": t("map.field.name", lang), "order": t("mapx.field.order", lang),
              "town": unit, "newly": t("mapx.field.newly", lang),
              "position": t("mapx.field.position", lang), "amap": t("mapx.field.amap", lang)}
    point_layer(table, name=t("mapx.layer.suggested", lang, type=site_type.name(lang)),
                styles=[MarkerStyle(site_type.colour, SUGGESTED_GLYPH, "suggested")], style_column="style",
                tooltip_column="name", fields=fields, system=system).add_to(m)


def suggested_name(order: int, site_type: SiteType, town: str, lang: Language) -> str:
    """The name a suggestion gets on the map and when it is added to the registry."""
    return t("mapx.suggested_name", lang, n=order, type=site_type.name(lang), town=town)


def _legend(query: CoverageQuery, options: MapOptions, types: Mapping[str, SiteType], shown: pd.DataFrame, suggested: bool,
            lang: Language, share_title: str, classes: ShareClasses | None, towns_word: str) -> folium.Element:
    type_rows = [LegendEntry(types[k].name(lang), marker=MarkerStyle(types[k].colour, type_glyph(types[k], lang)))
                 for k in query.types]
    grey = LEGEND_GREY
    status_rows = [
        LegendEntry(t("mapx.status.open", lang), marker=MarkerStyle(grey, "", "solid")),
        LegendEntry(t("mapx.status.planned", lang), marker=MarkerStyle(grey, "", "planned")),
        LegendEntry(t("mapx.status.building", lang), marker=MarkerStyle(grey, "", "building")),
        LegendEntry(t("mapx.status.inactive", lang), marker=MarkerStyle(grey, "", "inactive")),
    ]
    if suggested:
        status_rows.append(LegendEntry(t("mapx.suggested", lang), marker=MarkerStyle(grey, SUGGESTED_GLYPH, "suggested")))
    area_rows = []
    if options.show_catchment:
        area_rows.append(LegendEntry(t("mapx.catchment_walk" if query.walking else "mapx.catchment", lang),
                                     fill=grey, fill_opacity=0.35))
    if options.show_gaps:
        area_rows.append(LegendEntry(t("mapx.gap", lang), fill=GAP_STYLE["fillColor"], fill_opacity=0.3,
                                     dashed=True))
    sections: list[tuple[str, Sequence[LegendEntry]]] = [
        (t("mapx.legend.types", lang), type_rows), (t("mapx.legend.status", lang), status_rows),
        (t("mapx.legend.areas", lang), area_rows),
    ]
    if classes is not None and classes.colours:
        # The towns' own classes (by rank of their share), each with its range and how many towns it holds;
        # first, as the fill is the first thing the planner reads.
        share_rows = [
            LegendEntry((f"{low:.1%}" if low == high else f"{low:.1%}–{high:.1%}") + t(
                "mapx.legend.class_count", lang, n=n, units=towns_word), fill=colour, fill_opacity=0.8)
            for (low, high), colour, n in zip(classes.bounds, classes.colours, classes.counts, strict=True)]
        sections.insert(0, (share_title + t("mapx.legend.by_rank", lang), share_rows))  # what the colours mean
    n_demo = int((shown["source"] == "demo").sum()) if len(shown) else 0
    if n_demo:
        sections.append(("", [LegendEntry(t("mapx.caption.demo", lang, n=n_demo),
                                          marker=MarkerStyle(grey, "", "solid", demo=True))]))
    return legend(t("mapx.legend", lang), sections)


def _caption_lines(region: Region, query: CoverageQuery, options: MapOptions, types: Mapping[str, SiteType],
                   shown: pd.DataFrame, lang: Language) -> list[str]:
    from sites.models import status_name

    day = query.as_of or datetime.date.today()
    radii = query.radii  # the one place radii live (the layer labels read the same, via the result)
    items = [t("mapx.caption.walk_item" if query.walking else "mapx.caption.radius_item", lang,
               type=types[k].name(lang), radius=_radius_text(radii[k]), minutes=query.minutes(k),
               speed=query.walk_speed_kmh) for k in query.types if k in radii]
    sep = "、" if lang == "zh" else ", "
    lines = [region.unit_text("mapx.caption.region", lang, region=region.display_name(lang), n=len(region.towns)),
             t("mapx.caption.date", lang, date=day.isoformat()),
             t("mapx.caption.statuses", lang, statuses=sep.join(status_name(s, lang) for s in query.statuses))]
    if items:
        lines.append(t("mapx.caption.radius", lang, radii=sep.join(items)))
    if len(shown):
        sources = sorted({source_label(str(s), lang) for s in shown["source"].fillna("") if s})
        if sources:
            lines.append(t("mapx.caption.sources", lang, sources=sep.join(sources)))
    return lines


def export_html(region: Region, sites: pd.DataFrame, query: CoverageQuery, options: MapOptions, *,
                result: CoverageResult | None = None, gap_frame: gpd.GeoDataFrame | None = None,
                suggestion: Suggestion | None = None, added: Collection[int] = ()) -> str:
    """The planner's map as one HTML document that opens and draws with no network."""
    m = planner_map(region, sites, query, options, result=result, gap_frame=gap_frame, suggestion=suggestion,
                    added=added)
    m.get_root().title = html.escape(f"{t('mapx.title', options.lang)} · {region.display_name(options.lang)}")
    return standalone_html(m)
