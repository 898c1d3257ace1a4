"""``python -m scoring targets`` and ``python -m scoring report``: rollout targets from the registry.

* ``targets [--as-of DATE] [--target ID ...] --format json|csv``: one row per
  target and town with ``target_id, name, site_type, town_code, town_name,
  required, actual, met, shortfall, deadline`` and more (unit, days left, the
  sites that count, red/amber/green, the projected date at the present rate).
* ``report OUT.xlsx|OUT.pdf|OUT.html [--as-of DATE] [--lang zh|en]``: the
  one-page leadership report.
* ``target-add --name N --type T --scope S --measure M --threshold X --deadline D
  [--towns C,C] [--radius-m R] [--statuses open,...] [--notes ...]``,
  ``target-update ID [the same options] [--if-version N]``, ``target-delete ID``, ``target-list``,
  ``target-history ID``: edit the stored targets; every write is audited
  (``--user``, default ``SITES_USER`` or the OS user).

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
    "site_names", "under_construction", "demo_sites", "rag", "met_on_at_present_rate", "as_of",
)


def _add_options(parser: argparse.ArgumentParser) -> None:
    from cli.scoring import add_common_options

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
    from cli.scoring import load_inputs
    from errors import NotFound, Problem
    from reports.leadership import build_report
    from sites.store import SiteStore
    from targets.store import TargetStore

    with SiteStore(args.db, create=False) as store:
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
    """The evaluated rows of a :class:`reports.leadership.LeadershipReport` in :data:`OUTPUT_COLUMNS`."""
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
    from cli.scoring import _clean, _write
    from i18n import default_language

    rows = target_rows(_build(args, default_language()))
    if args.format == "csv":
        flat = rows.copy()
        flat["site_ids"] = flat["site_ids"].map(lambda ids: ";".join(map(str, ids)))
        flat["site_names"] = flat["site_names"].map(";".join)
        from sites.sheets import frame_csv

        _write(frame_csv(flat), args.output)
    else:
        records = rows.astype(object).where(rows.notna(), None).to_dict(orient="records")
        _write(json.dumps(_clean(records), ensure_ascii=False, indent=2), args.output)
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the leadership report; say where and what it found on standard error."""
    from reports.leadership import check_report_path, write_report

    check_report_path(args.out)
    report = _build(args, args.lang)
    path = write_report(report, args.out)
    print(f"{report.summary} → {path}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------- editing

#: Option → target field, for target-add and target-update.
_FIELD_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--name", "name", "target name"),
    ("--type", "site_type", "site type key"),
    ("--scope", "scope", "each_town | region | towns"),
    ("--towns", "towns", "town codes, comma-separated (scope towns)"),
    ("--measure", "measure", "site_count | area_share | demand_share"),
    ("--threshold", "threshold", "number of sites, or percent covered"),
    ("--radius-m", "radius_m", "radius in metres (coverage measures)"),
    ("--statuses", "statuses", "counted statuses, comma-separated (default open)"),
    ("--deadline", "deadline", "YYYY-MM-DD"),
    ("--notes", "notes", "free text"),
)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", help="registry database (default: SITES_DB)")
    parser.add_argument("--user", help="who is writing: for the audit trail in local mode; in shared mode the account "
                        "to sign in as (password from SITES_PASSWORD or standard input)")


def configure_target_edit(parser: argparse.ArgumentParser, *, with_id: bool) -> None:
    """Options of ``target-add`` (``with_id=False``) and ``target-update``."""
    if with_id:
        parser.add_argument("id", type=int)
    _store_options(parser)
    for option, field, help_text in _FIELD_OPTIONS:
        parser.add_argument(option, dest=f"field_{field}", metavar=field.upper(), help=help_text)
    if with_id:
        parser.add_argument("--if-version", type=int, metavar="N",
                            help="write only if the target is still at version N (see target-list); else say "
                            "what changed since, by whom and when, write nothing and exit 2")


def configure_target_id(parser: argparse.ArgumentParser) -> None:
    """Options of ``target-delete`` and ``target-history``."""
    parser.add_argument("id", type=int)
    _store_options(parser)


def _fields(args: argparse.Namespace) -> dict[str, object]:
    return {field: value for _, field, _ in _FIELD_OPTIONS
            if (value := getattr(args, f"field_{field}")) is not None}


def _target_store(args: argparse.Namespace):
    from sites.store import SiteStore
    from targets.store import TargetStore

    return TargetStore(SiteStore(args.db, create=False))  # no new database here: python -m sites init


def _print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _actor(store, args: argparse.Namespace):
    """Who writes: the local user, or in shared mode the account signed in as ``python -m sites`` does it."""
    from cli.accounts import cli_actor

    return cli_actor(store.sites, args)


def run_target_add(args: argparse.Namespace) -> int:
    """Add a target; print it as JSON."""
    store = _target_store(args)
    _print_json(store.add(_fields(args), actor=_actor(store, args)).to_dict())
    return 0


def run_target_update(args: argparse.Namespace) -> int:
    """Change the given fields of a target; print it as JSON."""
    store = _target_store(args)
    _print_json(store.update(args.id, _fields(args), actor=_actor(store, args),
                             if_version=args.if_version).to_dict())
    return 0


def run_target_delete(args: argparse.Namespace) -> int:
    """Delete a target (its history stays); print what was deleted."""
    store = _target_store(args)
    _print_json(store.delete(args.id, actor=_actor(store, args)).to_dict())
    return 0


def run_target_list(args: argparse.Namespace) -> int:
    """Print every stored target as JSON."""
    _print_json([t.to_dict() for t in _target_store(args).list_targets()])
    return 0


def run_target_history(args: argparse.Namespace) -> int:
    """Print a target's audit trail: who changed what, when, from what to what."""
    entries = _target_store(args).history(args.id)
    _print_json([{"action": e.action, "actor": e.actor, "at": e.at,
                  "changes": {k: list(v) for k, v in e.changes().items()}} for e in entries])
    return 0


def edit_commands(command: type) -> list:
    """The editing subcommands as ``command(name, help, configure, run)`` (``cli.scoring.Command``)."""
    return [
        command("target-add", "add a rollout target", lambda p: configure_target_edit(p, with_id=False),
                run_target_add),
        command("target-update", "change fields of a target", lambda p: configure_target_edit(p, with_id=True),
                run_target_update),
        command("target-delete", "delete a target (its history is kept)", configure_target_id, run_target_delete),
        command("target-list", "list the stored targets as JSON", _store_options, run_target_list),
        command("target-history", "who changed a target, when, from what to what", configure_target_id,
                run_target_history),
    ]
