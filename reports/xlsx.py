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

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.leadership import LeadershipReport, detail_rows
from sites.sheets import append_row, put
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
    _details(report, book.create_sheet("明细" if report.lang == "zh" else "Details"))
    _series(report, book.create_sheet("进度" if report.lang == "zh" else "Progress"))
    _sites(report, book.create_sheet("计入站点" if report.lang == "zh" else "Counted sites"))
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
    append_row(ws, list(rows.columns))
    for record in rows.itertuples(index=False):
        append_row(ws, list(record))
    ws.freeze_panes = "A2"


def _series(report: LeadershipReport, ws: Worksheet) -> None:
    append_row(ws, ["target_id", "name", "month", "date", "required", "actual", "shortfall", "towns_met",
               "towns_total", "met"])
    for line in report.targets:
        series = report.series[line.target.id]
        for record in series.itertuples(index=False):
            append_row(ws, [line.target.id, line.target.name, record.month, record.date, record.required,
                       record.actual, record.shortfall, record.towns_met, record.towns_total, bool(record.met)])
    ws.freeze_panes = "A2"



def _sites(report: LeadershipReport, ws: Worksheet) -> None:
    detail = detail_rows(report)
    append_row(ws, list(detail.columns))
    for record in detail.itertuples(index=False):
        append_row(ws, list(record))
    ws.freeze_panes = "A2"
