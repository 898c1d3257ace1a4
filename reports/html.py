"""The leadership report as one self-contained, print-ready HTML page.

No scripts, no web fonts, no network: inline CSS sized for A4 (``@page``),
Chinese fonts taken from the reader's system through a font stack that covers
Windows (Microsoft YaHei, SimSun), macOS (PingFang SC) and Linux (Noto Sans
CJK SC, WenQuanYi). Every coloured cell also names its colour, so a black and
white print keeps the information.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from reports.leadership import LeadershipReport
from targets.rag import RAG_COLOURS

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
              '"WenQuanYi Micro Hei", "SimSun", sans-serif')

_CSS = """
@page { size: A4; margin: 14mm; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: %(font)s; font-size: 9.5pt; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 15pt; margin: 0 0 1.5mm; }
h2 { font-size: 11pt; margin: 3.5mm 0 1.5mm; }
p { margin: 1mm 0; }
.summary { font-size: 13pt; font-weight: bold; }
table { border-collapse: collapse; width: 100%%; page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 0.8mm 1.6mm; text-align: left; }
th { background: #ddd; }
td.cell { text-align: center; }
td { white-space: nowrap; } td:first-child { white-space: normal; }
%(rag)s
ul { margin: 0; padding-left: 5mm; }
li { margin: 0.3mm 0; }
.demo { color: #9c0006; font-weight: bold; }
.rule, .footer { font-size: 8.5pt; color: #333; }
@media print { body { max-width: none; } }
"""


def render_html(report: LeadershipReport) -> str:
    """The page as an HTML string."""
    rag_css = "\n".join(f".{rag} {{ background: #{colour}; }}" for rag, colour in RAG_COLOURS.items())
    css = _CSS % {"font": FONT_STACK, "rag": rag_css}
    e = escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if report.lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(report.title)}</title><style>{css}</style></head><body>",
        f"<h1>{e(report.title)}</h1>",
        f"<p>{e(report.text('report.as_of', date=report.as_of.isoformat()))}</p>",
        f'<p class="summary">{e(report.summary)}</p>',
        f'<p class="demo">{e(report.demo_note)}</p>' if report.demo_note else "",
        f"<h2>{e(report.text('report.targets_heading'))}</h2>",
        _table(report.target_headers, [[e(c) for c in report.target_cells(line)] for line in report.targets]),
        f"<h2>{e(report.text('report.towns_heading'))}</h2>",
    ]
    rows = []
    for name, cells in report.town_rows:
        tds = [f"<td>{e(name)}</td>"]
        for cell in cells:
            if cell.rag:
                label = e(report.text(f"report.rag.{cell.rag}"))
                tds.append(f'<td class="cell {cell.rag}">{e(cell.text)} {label}</td>')
            else:
                tds.append(f'<td class="cell">{e(cell.text)}</td>')
        rows.append("".join(tds))
    head = "".join(f"<th>{e(h)}</th>" for h in report.column_headers)
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>"
                 + "".join(f"<tr>{r}</tr>" for r in rows) + "</tbody></table>")
    parts.append(f"<h2>{e(report.text('report.shortfall_heading'))}</h2>")
    if report.shortfalls:
        parts.append("<ul>" + "".join(f'<li class="{rag}">【{e(report.text(f"report.rag.{rag}"))}】{e(line)}</li>'
                                      for rag, line in report.shortfalls) + "</ul>")
    else:
        parts.append(f"<p>{e(report.text('report.no_shortfall'))}</p>")
    parts += [
        f"<h2>{e(report.text('report.rule_heading'))}</h2>",
        f'<p class="rule">{e(report.rule)}</p>',
        f'<p class="footer">{e(report.text("report.footer", attribution=report.attribution))}</p>',
        "</body></html>",
    ]
    return "\n".join(parts)


def write_html(report: LeadershipReport, path: Path) -> None:
    """Write the page to ``path`` (UTF-8)."""
    path.write_text(render_html(report), encoding="utf-8")


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
