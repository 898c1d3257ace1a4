"""The leadership report as an Excel workbook (openpyxl).

Sheet 1 is the one page (fit to one A4 page when printed): title, date,
targets met, the targets table, the town-by-town table with red/amber/green
fills, the shortfall list, the targets that cannot be evaluated (with why) and
the colour rule. Sheet 2 holds every evaluated row (required, actual,
shortfall, how many sites count); sheet 3 the monthly series of each target;
sheet 4 the sites that count, one row per target, town and site (a list in one
cell would pass Excel's 32,767 characters at about 3,000 sites).

Every cell is written by the one formula-safe writer (:mod:`sites.sheets`): a
target, town or site name that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is stored as text with a leading ``'``, never as a formula;
numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.leadership import LeadershipReport, detail_rows
from settings import site_type
from sites.sheets import append_row, put
from targets.model import MEASURES, SCOPES
from targets.rag import RAG_COLOURS

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDDDDD")
_FONT = "等线"


def write_xlsx(report: LeadershipReport, path: Path) -> None:
    """Write the workbook to ``path``."""
    book = Workbook()
    page = book.active
    page.title = "报告" if report.lang == "zh" else "Report"
    _page(report, page)
    _details(report, book.create_sheet(report.text("report.sheet.details")))
    _series(report, book.create_sheet(report.text("report.sheet.progress")))
    _sites(report, book.create_sheet(report.text("report.sheet.sites")))
    book.save(path)


def _page(report: LeadershipReport, ws: Worksheet) -> None:
    width = max(len(report.column_headers), len(report.target_headers))
    append_row(ws, [report.title])
    ws["A1"].font = Font(name=_FONT, size=16, bold=True)
    append_row(ws, [report.text("report.as_of", date=report.as_of.isoformat())])
    append_row(ws, [report.summary])
    ws["A3"].font = Font(name=_FONT, size=13, bold=True)
    append_row(ws, [report.demo_note or None])
    ws.cell(row=ws.max_row, column=1).font = Font(name=_FONT, bold=True, color="9C0006")
    _heading(ws, report.text("report.headlines_heading"))
    for line in report.targets:
        append_row(ws, [report.headline_line(line)])
        ws.cell(row=ws.max_row, column=1).font = Font(name=_FONT, bold=True,
                                                      color="9C0006" if line.demo_sites else None)
    _heading(ws, report.text("report.targets_heading"))
    _table(ws, report.target_headers, [report.target_cells(line) for line in report.targets])
    append_row(ws, [])
    _heading(ws, report.text("report.towns_heading"))
    start = ws.max_row + 1
    _table(ws, report.column_headers, [[name] + [c.text for c in cells] for name, cells in report.town_rows])
    for i, (_, cells) in enumerate(report.town_rows):
        for j, cell in enumerate(cells):
            target = ws.cell(row=start + 1 + i, column=2 + j)
            target.alignment = Alignment(horizontal="center")
            if cell.rag:
                target.fill = PatternFill("solid", fgColor=RAG_COLOURS[cell.rag])
                put(target, f"{cell.text} {report.text(f'report.rag.{cell.rag}')}")
    append_row(ws, [])
    _heading(ws, report.text("report.shortfall_heading"))
    for rag, line in report.shortfalls or [(None, report.text("report.no_shortfall"))]:
        append_row(ws, [f"【{report.text(f'report.rag.{rag}')}】{line}" if rag else line])
        if rag:
            ws.cell(row=ws.max_row, column=1).fill = PatternFill("solid", fgColor=RAG_COLOURS[rag])
    if report.unavailable:
        append_row(ws, [])
        _heading(ws, report.text("report.unavailable_heading"))
        for gone in report.unavailable:
            append_row(ws, [report.text("report.unavailable_line", name=gone.target.name, reason=gone.reason)])
            ws.cell(row=ws.max_row, column=1).font = Font(name=_FONT, color="9C0006")
    append_row(ws, [])
    _heading(ws, report.text("report.rule_heading"))
    append_row(ws, [report.rule])
    ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.row_dimensions[ws.max_row].height = 48
    append_row(ws, [report.text("report.footer", attribution=report.attribution)])
    ws.column_dimensions["A"].width = 30
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 18
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _heading(ws: Worksheet, text: str) -> None:
    append_row(ws, [text])
    ws.cell(row=ws.max_row, column=1).font = Font(name=_FONT, size=12, bold=True)


def _table(ws: Worksheet, header: list[str], rows: list[list[object]]) -> None:
    append_row(ws, header)
    for j in range(len(header)):
        cell = ws.cell(row=ws.max_row, column=1 + j)
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEAD
        cell.border = _BOX
    for row in rows:
        append_row(ws, row)
        for j in range(len(row)):
            ws.cell(row=ws.max_row, column=1 + j).border = _BOX


def _details(report: LeadershipReport, ws: Worksheet) -> None:
    rows = report.rows.copy()
    rows.insert(rows.columns.get_loc("site_ids"), "counted_sites", rows["site_ids"].map(len))
    rows = rows.drop(columns=["site_ids", "site_names"])  # the sites themselves: sheet 4, one row each
    _words_table(report, ws, list(rows.columns), rows.itertuples(index=False))


def _series(report: LeadershipReport, ws: Worksheet) -> None:
    """Each target month by month: towns meeting it (of those counted), then the sums over its towns in its
    unit (a per-town target's 现有合计 counts sites, not towns)."""
    columns = ["target_id", "name", "month", "date", "towns_met", "towns_total", "met", "required_sum",
               "actual_sum", "shortfall_sum", "unit"]
    records = ([line.target.id, line.target.name, r.month, r.date, r.towns_met, r.towns_total, bool(r.met),
                r.required, r.actual, r.shortfall, line.target.unit]
               for line in report.targets for r in report.series[line.target.id].itertuples(index=False))
    _words_table(report, ws, columns, records)


def _sites(report: LeadershipReport, ws: Worksheet) -> None:
    detail = detail_rows(report)
    detail["demo"] = [int(i) in report.demo_ids for i in detail["site_id"]]
    _words_table(report, ws, list(detail.columns), detail.itertuples(index=False))


def _words_table(report: LeadershipReport, ws: Worksheet, columns: list[str], records: Iterable[Sequence[object]]) -> None:
    """A detail sheet in the report's language: headers in words, keys and flags as words (是/否, 已达标, 红,
    工人文化宫), numbers and dates as they are; every cell through the formula-safe writer."""
    append_row(ws, [report.text(_FIELDS[c], unit=report.unit_label, units=report.units_title) for c in columns])
    for j in range(len(columns)):
        ws.cell(row=1, column=1 + j).font = Font(name=_FONT, bold=True)
    for record in records:
        append_row(ws, [_word(report, c, v) for c, v in zip(columns, record, strict=True)])
    ws.freeze_panes = "A2"


def _word(report: LeadershipReport, column: str, value: object) -> object:
    """A cell of a detail sheet: a key or flag in words, anything else unchanged."""
    if column == "met":
        return report.text("report.met" if value else "report.not_met")
    if column == "demo":
        return report.text("report.yes" if value else "report.no")
    if column == "rag":
        return report.text(_RAG[str(value)]) if str(value) in _RAG else value
    if column == "site_type":
        try:
            return site_type(str(value)).name(report.lang)
        except KeyError:
            return value
    if column == "scope" and value in SCOPES:
        return report.text(f"scope.{value}")
    if column == "measure" and value in MEASURES:
        return report.text(f"measure.{value}")
    if column == "unit" and str(value) in _UNITS:
        return report.text(_UNITS[str(value)])
    return value


#: The header key of every column a detail sheet may have.
_FIELDS: dict[str, str] = {c: f"report.field.{c}" for c in (
    "target_id", "name", "site_type", "scope", "measure", "town_code", "town_name", "required", "actual", "met",
    "shortfall", "unit", "deadline", "days_left", "required_pct", "actual_pct", "counted_sites",
    "under_construction", "as_of", "rag", "demo_sites", "month", "date", "towns_met", "towns_total", "site_id",
    "site_name", "demo", "required_sum", "actual_sum", "shortfall_sum")}
_RAG: dict[str, str] = {"red": "report.rag.red", "amber": "report.rag.amber", "green": "report.rag.green"}
_UNITS: dict[str, str] = {"sites": "unit.sites", "km2": "unit.km2", "people": "unit.people"}
