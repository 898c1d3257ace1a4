"""The leadership report as a one-page A4 PDF (fpdf2), Chinese text embedded.

The Chinese font is Noto Sans SC (SIL Open Font License 1.1) from the PyPI
package ``pylopdf-fonts-zh-cn``: nothing comes from the operating system, so
the file is the same on any machine. fpdf2 embeds only the glyphs the page uses
(a subset of a few dozen KB), so the PDF shows Chinese in every reader, with no
font installed on the reader's side either. Every coloured cell also names its
colour, so a black and white print keeps the information.
"""

from __future__ import annotations

from pathlib import Path

import pylopdf_fonts_zh_cn
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from reports.leadership import LeadershipReport
from targets.rag import RAG_COLOURS

FONT = "NotoSansSC"
#: Target columns per town-by-town table: more targets than this are printed as several tables side by side
#: in time (each with the town column), so a column never gets narrower than about a sixth of the page.
TARGETS_PER_TABLE = 6
_MARGIN_MM = 14.0
_HEAD_FILL = "#DDDDDD"


def font_path() -> Path:
    """The embedded Chinese font file (Noto Sans SC, OTF)."""
    return Path(pylopdf_fonts_zh_cn.sans_path())


def write_pdf(report: LeadershipReport, path: Path) -> None:
    """Write the one-page PDF to ``path``."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN_MM)
    pdf.set_title(report.title)
    pdf.set_author(report.region_name)
    pdf.set_lang("zh-CN" if report.lang == "zh" else "en")
    pdf.add_font(FONT, fname=str(font_path()))
    pdf.add_page()

    wrap = wrap_mode(report)

    def text(value: str, size: float, *, gap: float = 1.0, colour: str = "#111111") -> None:
        pdf.set_font(FONT, size=size)
        pdf.set_text_color(colour)
        pdf.multi_cell(0, size * 0.5, value, wrapmode=wrap, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    text(report.title, 16, gap=1.5)
    text(report.text("report.as_of", date=report.as_of.isoformat()), 9.5)
    text(report.summary, 13, gap=2)
    if report.demo_note:
        text(report.demo_note, 9.5, colour="#9C0006")
    if report.targets:
        text(report.text("report.headlines_heading"), 11.5)
        for line in report.targets:
            text(report.headline_line(line), 10, colour="#9C0006" if line.demo_sites else "#111111")
        pdf.ln(2)

    text(report.text("report.targets_heading"), 11.5)
    _table(pdf, report.target_headers, [[(c, None) for c in report.target_cells(line)] for line in report.targets],
           widths=(27, 14, 11, 12, 9, 9, 18), wrap=wrap)
    pdf.ln(3)

    text(report.text("report.towns_heading"), 11.5)
    rows = []
    shown, towns_left_out = report.printed_town_rows()
    for name, cells in shown:
        row: list[tuple[str, str | None]] = [(name, None)]
        for cell in cells:
            label = f" {report.text(f'report.rag.{cell.rag}')}" if cell.rag else ""
            row.append((cell.text + label, cell.rag))
        rows.append(row)
    headers = report.column_headers
    targets = max(len(headers) - 1, 1)
    # many targets: the town column repeated beside each group of at most TARGETS_PER_TABLE targets
    for start in range(1, max(len(headers), 2), TARGETS_PER_TABLE):
        end = min(start + TARGETS_PER_TABLE, len(headers))
        n = max(end - start, 1) if targets > TARGETS_PER_TABLE else targets
        first = min(25.0, 100.0 / (n + 1))
        _table(pdf, [headers[0], *headers[start:end]], [[row[0], *row[start:end]] for row in rows],
               widths=(first, *[(100.0 - first) / n] * n), center=True, wrap=wrap)
        if end < len(headers):
            pdf.ln(2)
    if towns_left_out:
        text(report.more_towns_text(towns_left_out), 8.5, colour="#333333")
    pdf.ln(3)

    text(report.text("report.shortfall_heading"), 11.5)
    shortfalls, shortfalls_left_out = report.printed_shortfalls()
    if shortfalls:
        _table(pdf, None, [[(report.text(f"report.rag.{rag}"), rag), (line, None)] for rag, line in shortfalls],
               widths=(6, 94), wrap=wrap)
        if shortfalls_left_out:
            text(report.more_shortfalls_text(shortfalls_left_out), 8.5, colour="#333333")
    else:
        text(report.text("report.no_shortfall"), 9.5)
    pdf.ln(3)
    if report.unavailable:
        text(report.text("report.unavailable_heading"), 11.5)
        for gone in report.unavailable:
            text(report.text("report.unavailable_line", name=gone.target.name, reason=gone.reason), 9.5,
                 colour="#9C0006")
        pdf.ln(3)
    text(report.text("report.rule_heading"), 11.5)
    text(report.rule, 8.5, colour="#333333")
    text(report.text("report.footer", attribution=report.attribution), 8, colour="#333333")
    pdf.output(str(path))


def wrap_mode(report: LeadershipReport) -> WrapMode:
    """How lines break: between characters in Chinese (CJK text has no spaces), at spaces in English ("cultural
    palace", never "cultura l palace"); a word wider than its column still breaks inside it, as it must."""
    return WrapMode.CHAR if report.lang == "zh" else WrapMode.WORD


def _table(pdf: FPDF, header: list[str] | None, rows: list[list[tuple[str, str | None]]], *,
           widths: tuple[float, ...], center: bool = False, wrap: WrapMode = WrapMode.CHAR) -> None:
    """A bordered table; each cell is ``(text, rag or None)``, coloured by its rag."""
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color("#111111")
    with pdf.table(col_widths=widths, width=pdf.epw, first_row_as_headings=header is not None,
                   headings_style=FontFace(emphasis="", fill_color=_HEAD_FILL), wrapmode=wrap,
                   text_align="LEFT", line_height=4.6, padding=1.2) as table:
        if header is not None:
            heading = table.row()
            for value in header:
                heading.cell(value)
        for values in rows:
            row = table.row()
            for i, (value, rag) in enumerate(values):
                style = FontFace(fill_color=f"#{RAG_COLOURS[rag]}") if rag else None
                row.cell(value, style=style, align="CENTER" if center and i > 0 else None)
