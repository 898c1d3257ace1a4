"""``python -m scoring``: coverage, gaps and site suggestions from the registry.

* ``coverage --type T|all [--radius-m R] [--status open,...] [--as-of DATE]
  [--demand FILE --weight-field W] --format json|csv``: one row per town × type.
* ``gaps`` (same options, ``--min-area-km2``): ranked uncovered polygons as GeoJSON (WGS84).
* ``suggest --type T --count K [--radius-m R] [--candidates FILE | --grid-spacing-m M]
  [--min-per-town N] [--method auto|heuristic|exact]``: JSON with ``selected``,
  ``objective``, ``covered_before``, ``covered_after``, ``method``, ``gap``;
  progress goes to stderr.
* ``map OUT.html`` (same options, ``--town``, ``--lang``, ``--tiles``): the planner's
  map as a standalone HTML file (:mod:`maps.export`).

Every command takes ``--db PATH`` (the registry; default ``SITES_DB``) and the
region options of :func:`cli.geodata.add_boundary_options` (default: the
region the database remembers). More subcommands register themselves by
adding a :class:`Command` to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cli import targets as target_cli
from cli.geodata import add_boundary_options
from i18n import default_language
from incidents import cli_failure
from maps.export import configure_map, run_map
from scoring.selection import DEFAULT_STATUSES, STATUSES


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, help, how it adds its options and what it runs (returns an exit code)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------ shared plumbing


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """``--db`` and the region options, shared by every scoring subcommand."""
    parser.add_argument("--db", metavar="PATH", help="registry database (default: SITES_DB)")
    add_boundary_options(parser)


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--radius-m", type=float, help="catchment radius in metres (default: per type, settings)")
    parser.add_argument("--status", default=",".join(DEFAULT_STATUSES),
                        help=f"statuses that count, comma-separated (default: open; any of {', '.join(STATUSES)})")
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="count sites open on this date (opened_on/closed_on)")
    parser.add_argument("--demand", metavar="FILE", help="demand layer: points CSV/GeoJSON, GeoTIFF, or town totals CSV")
    parser.add_argument("--weight-field", metavar="W", help="the demand layer's weight field")
    parser.add_argument("--demand-crs", default="wgs84", choices=["wgs84", "gcj02", "bd09"],
                        help="coordinate system of demand points given as longitude/latitude")


def load_inputs(args: argparse.Namespace):
    """The region, the sites frame and the demand layer the options ask for."""
    from geodata.boundaries import load_region
    from scoring.demand import load_demand
    from sites.frame import sites_frame
    from sites.store import SiteStore

    with SiteStore(args.db, create=False) as store:  # a read: a missing database is an error
        region = (
            load_region(args.boundaries, crs=args.boundaries_crs, name_field=args.name_field,
                        code_field=args.code_field)
            if args.boundaries else store.region()
        )
        sites = sites_frame(store.list_sites())
    demand = None
    if getattr(args, "demand", None):
        demand = load_demand(args.demand, weight_field=args.weight_field, towns=region.towns,
                             metric_crs=region.metric_crs, coords=args.demand_crs)
    return region, sites, demand


def _statuses(args: argparse.Namespace) -> list[str]:
    return [s.strip() for s in args.status.split(",") if s.strip()]


def _query(args: argparse.Namespace, types):
    """The coverage query of the options, built and validated once (:class:`scoring.query.CoverageQuery`)."""
    from scoring.query import CoverageQuery
    from settings import get_settings

    return CoverageQuery.build(types, args.radius_m, defaults_m=get_settings().default_radii_m(),
                               statuses=_statuses(args), as_of=args.as_of)


def _even_spread_note(args: argparse.Namespace) -> str:
    from i18n import t

    return t("scoring.even_spread_note", getattr(args, "lang", None))


def _clean(value):
    """JSON-safe plain values: numpy scalars to Python, floats rounded to 6 decimals."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6) if np.isfinite(value) else None
    return value


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


# ------------------------------------------------------------------------ commands


def _configure_coverage(parser: argparse.ArgumentParser) -> None:
    add_common_options(parser)
    parser.add_argument("--type", default="all", help="site type key, or 'all' (default)")
    add_selection_options(parser)
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")


def _compute_coverage(args: argparse.Namespace):
    from scoring.coverage import coverage

    query = _query(args, args.type)
    region, sites, demand = load_inputs(args)
    return coverage(region.towns, sites, query, demand=demand)


def run_coverage(args: argparse.Namespace) -> int:
    result = _compute_coverage(args)
    table: pd.DataFrame = result.table
    if result.even_spread:
        note = _even_spread_note(args)
        table = table.assign(demand_note=note)
        print(note, file=sys.stderr)
    if args.format == "csv":
        from sites.sheets import frame_csv

        _write(frame_csv(table, float_format="%.6f"), args.output)
    else:
        _write(json.dumps(_clean(table.to_dict(orient="records")), ensure_ascii=False, indent=2), args.output)
    return 0


def _configure_gaps(parser: argparse.ArgumentParser) -> None:
    _configure_coverage(parser)
    parser.set_defaults(format="geojson")
    for action in parser._actions:
        if action.dest == "format":
            action.choices = ["geojson"]
    parser.add_argument("--min-area-km2", type=float, help="drop gaps smaller than this (default: settings)")


def run_gaps(args: argparse.Namespace) -> int:
    from scoring.gaps import gaps
    from settings import get_settings

    result = _compute_coverage(args)
    minimum = get_settings().min_gap_km2 if args.min_area_km2 is None else args.min_area_km2
    frame = gaps(result, min_area_km2=minimum)
    if "even_spread" in frame:
        frame = frame.drop(columns="even_spread").assign(demand_note=_even_spread_note(args))
    _write(frame.to_json(drop_id=True, ensure_ascii=False), args.output)
    return 0


def _configure_suggest(parser: argparse.ArgumentParser) -> None:
    add_common_options(parser)
    parser.add_argument("--type", required=True, help="site type key")
    parser.add_argument("--count", type=int, required=True, help="number of new sites")
    add_selection_options(parser)
    parser.add_argument("--candidates", metavar="FILE", help="candidate points (CSV lng/lat or GeoJSON); "
                        "default: a regular grid over the region")
    parser.add_argument("--candidates-crs", default="wgs84", choices=["wgs84", "gcj02", "bd09"])
    parser.add_argument("--grid-spacing-m", type=float, help="candidate grid spacing (default: half the radius)")
    parser.add_argument("--min-per-town", type=int, default=0, help="at least this many new sites in every town")
    parser.add_argument("--method", choices=["auto", "heuristic", "exact"], default="auto")
    parser.add_argument("--time-limit-s", type=float, default=60.0, help="time limit of the exact solve")
    parser.add_argument("--format", choices=["json"], default="json")
    parser.add_argument("--output", "-o", metavar="FILE")


def print_progress(fraction: float, message: str) -> None:
    """Progress callback of the CLI: one line per report on standard error."""
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def print_event(event) -> None:
    """The engine's progress events (:class:`scoring.progress.Progress`) worded on standard error."""
    from i18n import t

    print_progress(event.fraction, t(f"scoring.progress.{event.stage}", None, **event.params()))


def run_suggest(args: argparse.Namespace) -> int:
    from scoring.demand import read_points
    from scoring.suggest import suggest

    query = _query(args, args.type)
    region, sites, demand = load_inputs(args)
    candidates = None
    if args.candidates:
        _, lng, lat = read_points(args.candidates, coords=args.candidates_crs)
        candidates = (lng, lat)
    result = suggest(region.towns, sites, query, site_type=args.type, count=args.count,
                     candidates=candidates, grid_spacing_m=args.grid_spacing_m, demand=demand,
                     min_per_town=args.min_per_town, method=args.method, time_limit_s=args.time_limit_s,
                     progress=print_event)
    summary = result.summary()
    summary["note"] = _even_spread_note(args) if summary.pop("even_spread") else ""
    _write(json.dumps(_clean(summary), ensure_ascii=False, indent=2), args.output)
    return 0


COMMANDS: list[Command] = [
    Command("coverage", "coverage per town and site type", _configure_coverage, run_coverage),
    Command("gaps", "uncovered areas as GeoJSON (WGS84)", _configure_gaps, run_gaps),
    Command("suggest", "best places for K new sites (maximal covering)", _configure_suggest, run_suggest),
    Command("targets", "rollout targets town by town as of a date", target_cli.configure_targets,
            target_cli.run_targets),
    Command("report", "one-page leadership report (XLSX, PDF or HTML)", target_cli.configure_report,
            target_cli.run_report),
    *target_cli.edit_commands(Command),
    Command("map", "the planner's map as one HTML file that opens with no network", configure_map, run_map),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scoring", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.configure(sub.add_parser(command.name, help=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = getattr(args, "lang", None) or default_language()
    run = {c.name: c.run for c in COMMANDS}[args.command]
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001  (named errors, unreadable files, else an incident id; no traceback)
        files = [getattr(args, name, None) for name in ("boundaries", "demand", "candidates")]
        return cli_failure(exc, lang, files=files, context=f"python -m scoring {args.command}")
