"""The leadership report written to a file: the format chosen by the file's suffix.

Each writer (:mod:`reports.xlsx`, :mod:`reports.pdf`, :mod:`reports.html`) is
imported only when its format is asked for, so writing a sheet never loads the
PDF library.
"""

from __future__ import annotations

from pathlib import Path

from errors import Problem, RecordError
from reports.leadership import LeadershipReport

#: The output formats by file suffix.
FORMATS: tuple[str, ...] = (".xlsx", ".pdf", ".html")


def write_report(report: LeadershipReport, path: str | Path) -> Path:
    """Write ``report`` as XLSX, PDF or HTML, chosen by ``path``'s suffix; returns the path."""
    path = check_report_path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        from reports.xlsx import write_xlsx

        write_xlsx(report, path)
    elif suffix == ".pdf":
        from reports.pdf import write_pdf

        write_pdf(report, path)
    else:
        from reports.html import write_html

        write_html(report, path)
    return path


def check_report_path(path: str | Path) -> Path:
    """``path`` as a Path if it ends in a report format; :class:`errors.RecordError` otherwise."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise RecordError(Problem("report.bad_suffix", {"value": path.name}))
    return path
