"""The leadership report as bytes for a download button (written to a temporary directory, never the repo)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from reports.leadership import LeadershipReport, write_report

#: MIME type of each report format.
MIME: dict[str, str] = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".html": "text/html",
}


def report_bytes(report: LeadershipReport, suffix: str) -> bytes:
    """``report`` rendered by :func:`reports.leadership.write_report` in the format of ``suffix``."""
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        return write_report(report, Path(tmp) / f"report{suffix}").read_bytes()
