"""The leadership report as one self-contained, print-ready HTML page.

No scripts, no web fonts, no network: inline CSS sized for A4 (``@page``),
Chinese fonts taken from the reader's system through a font stack that covers
Windows (Microsoft YaHei, SimSun), macOS (PingFang SC) and Linux (Noto Sans
CJK SC, WenQuanYi). Every coloured cell also names its colour, so a black and
white print keeps the information.

The page is ``reports/templates/leadership.html.j2``, rendered once through
:data:`TEMPLATES`, the one Jinja2 environment of the reports, with autoescape
on: target names, notes, town names and every other text reach the page as
escaped data, never as markup and never as template source (a ``{{ 7*191 }}``
in a target name is shown as typed). Values are escaped as :func:`html.escape`
does (``"`` → ``&quot;``, ``'`` → ``&#x27;``).
"""

from __future__ import annotations

import html
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from reports.leadership import LeadershipReport
from targets.rag import RAG_COLOURS

#: Fonts of the page, Chinese first (trusted CSS, ours).
FONT_STACK = Markup('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
                    '"WenQuanYi Micro Hei", "SimSun", sans-serif')
#: The report templates' folder.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def _escaped(value: object) -> Markup:
    """Every ``{{ value }}`` as :func:`html.escape` writes it (markup we made ourselves stays as it is)."""
    return value if isinstance(value, Markup) else Markup(html.escape(str(value), quote=True))


#: The one Jinja2 environment of the reports: autoescape on, an undefined name is an error.
TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    finalize=_escaped,
    keep_trailing_newline=True,
)


def render_html(report: LeadershipReport) -> str:
    """The page as an HTML string (one render of ``leadership.html.j2``)."""
    template = TEMPLATES.get_template("leadership.html.j2")
    return template.render(report=report, font_stack=FONT_STACK, rag_colours=RAG_COLOURS)


def write_html(report: LeadershipReport, path: Path) -> None:
    """Write the page to ``path`` (UTF-8)."""
    path.write_text(render_html(report), encoding="utf-8")
