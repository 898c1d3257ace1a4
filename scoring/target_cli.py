"""``python -m scoring targets`` and ``python -m scoring report``: rollout targets from the registry.

* ``targets [--as-of DATE] [--target ID ...] --format json|csv``: one row per
  target and town with ``target_id, name, site_type, town_code, town_name,
  required, actual, met, shortfall, deadline`` and more (unit, days left, the
  sites that count, red/amber/green, the projected date at the present rate).
* ``report OUT.xlsx|OUT.pdf|OUT.html [--as-of DATE] [--lang zh|en]``: the
  one-page leadership report.

Both read the targets and sites of ``--db`` (default ``SITES_DB``); a new
database of the bundled Nanhai towns starts with the Nanhai targets.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys

import pandas as pd

#: Columns of ``targets`` output, in order (the evaluation's, then the colour and projection).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "target_id", "name", "site_type", "town_code", "town_name", "required", "actual", "met", "shortfall",
    "deadline", "unit", "days_left", "scope", "measure", "required_pct", "actual_pct", "site_ids",
    "site_names", "under_construction", "rag", "met_on_at_present_rate", "as_of",
)


def _add_options(parser: argparse.ArgumentParser) -> None:
    from scoring.cli import add_common_options

    add_common_options(parser)
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                        default=datetime.date.today(), help="evaluate as of this date (default: today)")
    parser.add_argument("--target", type=int, action="append", metavar="ID",
                        help="only this target (repeat for several; default: all)")
    parser.add_argument("--demand", metavar="FILE", help="demand layer, for demand-coverage targets")
    parser.add_argument("--weight-field", metavar="W", help="the demand layer's weight field")
    parser.add_argument("--demand-crs", default="wgs84", choices=["wgs84", "gcj02", "bd09"],
                        help="coordinate system of demand points given as longitude/latitude")


def configure_targets(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m scoring targets``."""
    _add_options(parser)
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")


def configure_report(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m scoring report``."""
    parser.add_argument("out", metavar="OUT", help="output file: .xlsx, .pdf or .html")
    _add_options(parser)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the report (default zh)")


def _build(args: argparse.Namespace, lang: str):
    from errors import NotFound, Problem
    from scoring.cli import load_inputs
    from scoring.report import build_report
    from scoring.target_store import TargetStore
    from sites.storage import SiteStore

    with SiteStore(args.db) as store:
        targets = TargetStore(store).list_targets()
    if args.target:
        known = {t.id for t in targets}
        missing = [i for i in args.target if i not in known]
        if missing:
            raise NotFound([Problem("target.not_found", {"id": i}) for i in missing])
        targets = [t for t in targets if t.id in set(args.target)]
    region, sites, demand = load_inputs(args)
    return build_report(targets, sites, region, as_of=args.as_of, lang=lang, demand=demand)  # type: ignore[arg-type]


def target_rows(report) -> pd.DataFrame:
    """The evaluated rows of a :class:`scoring.report.LeadershipReport` in :data:`OUTPUT_COLUMNS`."""
    rows = report.rows.copy()
    met_on = {line.target.id: line.projection.met_on for line in report.targets}
    rows["met_on_at_present_rate"] = [
        d.isoformat() if (d := met_on.get(i)) else None for i in rows["target_id"]
    ]
    for column in ("deadline", "as_of"):
        rows[column] = rows[column].map(lambda d: d.isoformat())
    return rows[list(OUTPUT_COLUMNS)]


def run_targets(args: argparse.Namespace) -> int:
    """Print (or write) the evaluated targets as JSON or CSV."""
    from i18n import default_language
    from scoring.cli import _clean, _write

    rows = target_rows(_build(args, default_language()))
    if args.format == "csv":
        flat = rows.copy()
        flat["site_ids"] = flat["site_ids"].map(lambda ids: ";".join(map(str, ids)))
        flat["site_names"] = flat["site_names"].map(";".join)
        _write(flat.to_csv(index=False), args.output)
    else:
        records = rows.astype(object).where(rows.notna(), None).to_dict(orient="records")
        _write(json.dumps(_clean(records), ensure_ascii=False, indent=2), args.output)
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the leadership report; say where and what it found on standard error."""
    from scoring.report import check_report_path, write_report

    check_report_path(args.out)
    report = _build(args, args.lang)
    path = write_report(report, args.out)
    print(f"{report.summary} → {path}", file=sys.stderr)
    return 0
