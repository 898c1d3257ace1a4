"""Leadership page: targets met, town by town in red/amber/green, shortfalls, progress, the report."""

from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from app_pages.form_target import render_target_editor, render_target_import
from app_pages.form_widgets import actor_input
from app_pages.loaders import site_store
from app_pages.plain import md_escape
from app_pages.report_files import MIME, report_bytes
from app_pages.ui_text import current_lang, tr
from demand.store import DemandStore
from errors import ProductError
from geodata.boundaries import unit_words
from reports.files import FORMATS
from reports.leadership import LeadershipReport, ProgressChart, build_report, detail_rows, progress_chart
from settings import get_settings
from targets.rag import RAG_COLOURS
from targets.store import TargetStore

#: Colours in words, so the table reads without colour too.
RAG_KEYS: tuple[str, ...] = ("green", "amber", "red")
#: Rows of the counted-sites table sent to the browser at a time (the XLSX report holds them all).
DETAIL_PAGE_ROWS = 500
#: Line colours of a progress chart: the actual series, then the required one.
CHART_COLOURS: tuple[str, str] = ("#1f77b4", "#9e9e9e")


def progress_spec(chart: ProgressChart) -> dict[str, object]:
    """A Vega-Lite line chart of ``chart``: months as written in the report's language on the x axis (every
    month up to the deadline), the y axis titled with its unit, and a rule with a label at the deadline."""
    series = list(dict.fromkeys(chart.points["series"]))
    x = {"field": "month", "type": "ordinal", "sort": chart.months, "title": chart.x_title,
         "scale": {"domain": chart.months}, "axis": {"labelAngle": -45, "labelOverlap": "greedy"}}
    deadline = {"values": [{"month": chart.deadline_month, "label": chart.deadline_label}]}
    return {
        "title": {"text": chart.title, "anchor": "start", "fontSize": 14},
        "layer": [
            {"data": {"values": chart.points.to_dict("records")},
             "mark": {"type": "line", "point": True},
             "encoding": {
                 "x": x,
                 "y": {"field": "value", "type": "quantitative", "title": chart.y_title,
                       "axis": {"tickMinStep": 1}},
                 "color": {"field": "series", "type": "nominal", "title": None,
                           "scale": {"domain": series, "range": list(CHART_COLOURS[:len(series)])},
                           "legend": {"orient": "top"}},
                 "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                                "scale": {"domain": series, "range": [[1, 0], [5, 4]][:len(series)]}},
                 "tooltip": [{"field": "month", "title": chart.x_title},
                             {"field": "series", "title": " "}, {"field": "value", "title": chart.y_title}],
             }},
            {"data": deadline, "mark": {"type": "rule", "color": "#c0392b", "strokeWidth": 2},
             "encoding": {"x": x}},
            {"data": deadline, "mark": {"type": "text", "color": "#c0392b", "align": "right", "dx": -4,
                                        "baseline": "top", "y": 4},
             "encoding": {"x": x, "text": {"field": "label"}}},
        ],
    }

#: Where this session keeps its last report with what it was built from (see below).
REPORT_KEY = "targets_report"

lang = current_lang()
rag_marks = {key: tr(f"ui.targets.rag.{key}") for key in RAG_KEYS}
store = site_store(str(get_settings().db))
targets_store = TargetStore(store)
region = store.region()

st.header(tr("ui.page.targets"))
as_of = st.date_input(tr("ui.targets.as_of"), key="targets_as_of", value=datetime.date.today(),
                      format="YYYY-MM-DD")
targets = targets_store.list_targets()
demand_store = DemandStore(store)
# Everything the evaluation reads: a click that changes none of it (a page of the detail table, a chart) reuses
# the report of this session's last run (1.1 s of CPU at 50,000 sites) instead of evaluating again.
report_key = (str(store.path), store.revision(), store.region_info(), tuple(targets),
              tuple((layer.name, layer.loaded_at) for layer in demand_store.list()), as_of, lang)
report: LeadershipReport | None = None
kept = st.session_state.get(REPORT_KEY)
if kept is not None and kept[0] == report_key:
    report = kept[1]
else:
    try:
        with st.spinner(tr("ui.targets.computing")):
            report = build_report(targets, store.sites_frame(), region, as_of=as_of, lang=lang,
                                  demand_for=demand_store.demand_for())  # each target's stored layer
        st.session_state[REPORT_KEY] = (report_key, report)
    except ProductError as exc:  # the editor below stays reachable whatever the evaluation says
        st.session_state.pop(REPORT_KEY, None)
        st.error(md_escape("；".join(p.message(lang) for p in exc.problems)))
if report is not None:
    st.subheader(md_escape(report.title))
    for gone in report.unavailable:  # e.g. a share-of-demand target with no demand layer: why, per target
        st.warning(md_escape(tr("ui.targets.unavailable", id=gone.target.id, name=gone.target.name,
                                reason=gone.reason)))

if report is None:
    pass
elif not report.targets:
    st.info(tr("ui.targets.none") if not report.unavailable else tr("ui.targets.none_evaluable"))
else:
    demo_mark = report.text("report.demo_mark") if report.has_demo else None
    heads = st.columns(2)
    heads[0].metric(tr("ui.targets.met"), f"{report.met_count}/{len(report.targets)}", delta=demo_mark,
                    delta_color="inverse", delta_arrow="off")
    towns_met, towns_total = report.towns_met
    heads[1].metric(tr("ui.targets.towns_met") if region.level == "town" else  # 区县 for a county region
                    tr("ui.region.units_met", level=region.level_label(lang)), f"{towns_met}/{towns_total}",
                    delta=demo_mark, delta_color="inverse", delta_arrow="off")
    # One card per target: "工人文化宫：4/7 镇街", the deadline and days left, the target's name, its marks.
    per_row = min(3, len(report.targets))
    for start in range(0, len(report.targets), per_row):
        cards = st.columns(per_row)
        for i, line in enumerate(report.targets[start:start + per_row]):
            with cards[i].container(border=True, key=f"targets_headline_{start + i}"):
                st.markdown(f"#### {md_escape(report.headline(line, marks=False))}")
                if report.mark_words(line):  # 示例目标，含演示数据: right under the figure
                    st.markdown(f"⚠️ **{md_escape(report.mark_words(line))}**")
                days_left = (line.target.deadline - as_of).days  # not met, and overdue or within 30 days: 🔴
                deadline = md_escape(report.deadline_text(line))
                st.markdown(deadline if line.met or days_left > 30 else f"🔴 {deadline}")
                st.caption(md_escape(line.target.name))
    if report.demo_note:
        st.warning(md_escape(report.demo_note))

    st.subheader(tr("ui.targets.summary"))
    summary = pd.DataFrame([report.target_cells(line) for line in report.targets], columns=report.target_headers)
    st.dataframe(summary, hide_index=True, key="targets_summary")

    st.subheader(tr("ui.targets.by_town") if region.level == "town" else
                 tr("ui.region.by_unit", level=region.level_label(lang)))
    headers = report.column_headers
    cells = [row_cells for _, row_cells in report.town_rows]
    table = pd.DataFrame([[name, *[f"{rag_marks.get(c.rag or '', '')} {c.text}".strip() for c in row_cells]]
                          for name, row_cells in report.town_rows], columns=headers)

    def _fill(frame: pd.DataFrame) -> pd.DataFrame:
        colours = [[""] + [f"background-color: #{RAG_COLOURS[c.rag]}" if c.rag else "" for c in row]
                   for row in cells]
        return pd.DataFrame(colours, index=frame.index, columns=frame.columns)

    st.dataframe(table.style.apply(_fill, axis=None), hide_index=True, key="targets_by_town")
    st.caption(md_escape(report.rule))

    st.subheader(tr("ui.targets.shortfalls"))
    if report.shortfalls:
        st.dataframe(pd.DataFrame({tr("ui.targets.rag"): [rag_marks[r] for r, _ in report.shortfalls],
                                   tr("ui.targets.shortfall"): [text for _, text in report.shortfalls]}),
                     hide_index=True, key="targets_shortfalls")
    else:
        st.success(tr("ui.targets.no_shortfall"))

    st.subheader(tr("ui.targets.progress"))
    for line in report.targets:
        st.vega_lite_chart(progress_spec(progress_chart(report, line)), height=340,
                           key=f"targets_chart_{line.target.id}")
        st.caption(md_escape(f"{line.target.name} · {line.projection_text}"))

    st.subheader(tr("ui.targets.download"))
    downloads = st.columns(len(FORMATS))
    for column, suffix in zip(downloads, FORMATS, strict=True):
        column.download_button(tr("ui.targets.download_as", fmt=suffix[1:].upper()),
                               data=lambda suffix=suffix: report_bytes(report, suffix),
                               file_name=f"targets-{as_of.isoformat()}-{lang}{suffix}", mime=MIME[suffix],
                               key=f"targets_download_{suffix[1:]}", on_click="ignore")

    st.subheader(tr("ui.targets.detail"))
    detail = detail_rows(report)  # one row per counted site: 25,000 and more at province scale, sent a page at a time
    total, pages = len(detail), max(1, -(-len(detail) // DETAIL_PAGE_ROWS))
    if pages > 1:
        page = int(st.number_input(tr("ui.targets.detail_page", pages=pages), min_value=1, max_value=pages, value=1,
                                   step=1, key="targets_detail_page"))
        detail = detail.iloc[(page - 1) * DETAIL_PAGE_ROWS:page * DETAIL_PAGE_ROWS]
        st.caption(tr("ui.targets.detail_paged", n=f"{total:,}", first=f"{(page - 1) * DETAIL_PAGE_ROWS + 1:,}",
                      last=f"{(page - 1) * DETAIL_PAGE_ROWS + len(detail):,}"))
    else:
        st.caption(tr("ui.targets.detail_hint", n=total))
    units = unit_words(region.level, lang)  # 镇街 or 区县 in the column names
    headers = {c: tr(f"ui.targets.detail_col.{c}", **units) for c in detail.columns}
    detail = detail.rename(columns=headers)
    yes, no = report.text("report.yes"), report.text("report.no")  # demo sites flagged here too
    detail[report.text("report.field.demo")] = [yes if int(i) in report.demo_ids else no
                                                for i in detail[headers["site_id"]]]
    st.dataframe(detail, hide_index=True, key="targets_detail")

st.subheader(tr("ui.targets.edit"))
actor_input()
codes = [str(c) for c in region.towns["code"]]
render_target_editor(targets_store, codes, lambda c: region.town_name(c, lang))
render_target_import(targets_store)
