"""The leadership report as bytes for a download button (written to a temporary directory, never the repo)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from reports.files import write_report
from reports.leadership import LeadershipReport

#: MIME type of each report format.
MIME: dict[str, str] = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".html": "text/html",
}


def report_bytes(report: LeadershipReport, suffix: str) -> bytes:
    """``report`` rendered by :func:`reports.files.write_report` in the format of ``suffix``."""
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        return write_report(report, Path(tmp) / f"report{suffix}").read_bytes()
