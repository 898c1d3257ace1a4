"""Rollout targets on the command line: ``python -m scoring targets``, ``report`` and ``target-*``.

* ``targets [--as-of DATE] [--target ID ...] --format json|csv``: one row per
  target and town with ``target_id, name, site_type, town_code, town_name,
  required, actual, met, shortfall, deadline`` and more (unit, days left, the
  number of sites that count, red/amber/green, the projected date at the present
  rate). ``--detail``: the sites that count instead, one row per site and target
  and town (a cell never holds a list: Excel's 32,767 characters are reached at
  about 3,000 site names). A target that cannot be evaluated (no demand layer) is
  named on standard error with its reason; the others are printed.
* ``target-import FILE [--type T] [--deadline D] [--name PREFIX] ...``: per-town
  targets from a sheet (:mod:`targets.sheet`), all or nothing.
* ``report OUT.xlsx|OUT.pdf|OUT.html [--as-of DATE] [--lang zh|en]``: the
  one-page leadership report.
* ``target-add --name N --type T --scope S --measure M --threshold X --deadline D
  [--towns C,C] [--radius-m R] [--statuses open,...] [--notes ...]``,
  ``target-update ID [the same options] [--if-version N]``, ``target-delete ID``, ``target-list``,
  ``target-history ID``: edit the stored targets; every write is audited
  (``--user``, default ``SITES_USER`` or the OS user; shared mode signs in as
  :mod:`cli.accounts` says).

All read the targets and sites of ``--db`` (default ``SITES_DB``) and never make
a database (``python -m sites init`` does). The commands are added to
``python -m scoring`` by :mod:`cli.scoring` (:data:`COMMANDS`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import click
import pandas as pd

from cli import output
from cli.common import (
    DATE,
    Command,
    demand_options,
    distance_options,
    format_option,
    load_demand_layer,
    load_network,
    load_region_and_sites,
    output_option,
    region_options,
    store_options,
)
from i18n import t

#: Columns of ``targets`` output, in order (the evaluation's, then the colour and projection).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "target_id", "name", "site_type", "town_code", "town_name", "required", "actual", "met", "shortfall",
    "deadline", "unit", "days_left", "scope", "measure", "required_pct", "actual_pct", "site_ids",
    "site_names", "under_construction", "demo_sites", "rag", "met_on_at_present_rate", "as_of", "new_since",
    "counted_sites",
)
#: Columns of the CSV summary: the lists of counted sites are in the detail table (``--detail``), one row each.
CSV_COLUMNS: tuple[str, ...] = tuple(c for c in OUTPUT_COLUMNS if c not in ("site_ids", "site_names"))


def _evaluation_options(func: Callable) -> Callable:
    for decorator in reversed((
        store_options(user=False),
        region_options(),
        click.option("--as-of", type=DATE, default=None, help="cli.help.opt.target_as_of"),
        click.option("--target", "target_ids", type=int, multiple=True, metavar="ID",
                     help="cli.help.opt.target"),
        demand_options(),
        distance_options(),
    )):
        func = decorator(func)
    return func


def stored_demand(db: str | None):
    """``demand_for(target)``: the demand layer each target names, from the registry (:mod:`demand.store`,
    imported and opened at the first target that asks: a run without demand targets loads none of it)."""
    opened = []

    def demand_for(target):
        if not opened:
            from demand.store import DemandStore
            from sites.store import SiteStore

            store = SiteStore(db, create=False)  # pooled connections, closed with the process
            opened.append(DemandStore(store).demand_for())
        return opened[0](target)

    return demand_for


def build(params: dict, lang: str):
    """The :class:`reports.leadership.LeadershipReport` of the stored targets the options ask for."""
    from errors import NotFound, Problem
    from reports.leadership import build_report
    from sites.store import SiteStore
    from targets.store import TargetStore

    with SiteStore(params["db"], create=False) as store:
        targets = TargetStore(store).list_targets()
    wanted = params["target_ids"]
    if wanted:
        known = {t.id for t in targets}
        missing = [i for i in wanted if i not in known]
        if missing:
            raise NotFound([Problem("target.not_found", {"id": i}) for i in missing])
        targets = [t for t in targets if t.id in set(wanted)]
    region, sites = load_region_and_sites(params["db"], params["boundaries"], params["boundaries_crs"],
                                          params["name_field"], params["code_field"])
    demand = load_demand_layer(params["demand"], params["weight_field"], params["demand_crs"], region,
                               db=params["db"], layer=params.get("demand_layer"))
    as_of = params["as_of"] or datetime.date.today()
    from targets.coverage import Distance, measured_by
    from targets.evaluate import share_coverages, shared_evaluation

    walking = params.get("distance") == "network"
    how = Distance(params.get("distance") or "straight",
                   load_network(params["db"], params.get("network"), params.get("network_crs"), region)
                   if walking else None, params.get("walk_speed_kmh") or 4.5, params.get("max_access_m") or 200.0)
    with measured_by(how), shared_evaluation():  # reach as asked (straight or walking); town names once
        share_coverages(targets, sites, region, as_of=as_of, demand=demand)  # area targets' coverages side by side
        report = build_report(targets, sites, region, as_of=as_of, lang=lang, demand=demand,  # type: ignore[arg-type]
                              demand_for=None if demand is not None else stored_demand(params["db"]))
    for gone in report.unavailable:
        output.echo(t("target.cli.unavailable", lang, id=gone.target.id, name=gone.target.name,
                      reason=gone.reason), err=True)
    return report


def target_rows(report) -> pd.DataFrame:
    """The evaluated rows of a :class:`reports.leadership.LeadershipReport` in :data:`OUTPUT_COLUMNS`."""
    rows = report.rows.copy()
    met_on = {line.target.id: line.projection.met_on for line in report.targets}
    rows["met_on_at_present_rate"] = [
        d.isoformat() if (d := met_on.get(i)) else None for i in rows["target_id"]
    ]
    for column in ("deadline", "as_of"):
        rows[column] = rows[column].map(lambda d: d.isoformat())
    since = {line.target.id: line.target.new_since for line in report.targets}
    rows["new_since"] = [d.isoformat() if (d := since.get(i)) else None for i in rows["target_id"]]
    rows["counted_sites"] = rows["site_ids"].map(len).astype(int)
    return rows[list(OUTPUT_COLUMNS)]


@click.command("targets", cls=Command, help="cli.help.targets")
@_evaluation_options
@format_option("json", "csv")
@output_option
@click.option("--detail", is_flag=True,
              help="cli.help.targets.detail")
def targets_command(lang, fmt, output: str | None, detail: bool, **params) -> int:
    """Print (or write) the evaluated targets, or their counted sites (``--detail``), as JSON or CSV."""
    from cli import output as out
    from reports.leadership import detail_rows

    report = build(params, lang)
    if detail:
        rows = detail_rows(report)
    else:
        rows = target_rows(report)
        if fmt == "csv":
            rows = rows[list(CSV_COLUMNS)]
    if fmt == "csv":
        out.write_frame_csv(rows, output)
    else:
        out.write_json(rows.astype(object).where(rows.notna(), None).to_dict(orient="records"), output)
    return 0


@click.command("report", cls=Command, help="cli.help.report")
@click.argument("out", metavar="OUT")
@_evaluation_options
def report_command(out: str, lang, **params) -> int:
    """Write the leadership report; say where and what it found on standard error."""
    from reports.files import check_report_path, write_report

    check_report_path(out)
    report = build(params, lang)
    path = write_report(report, out)
    output.echo(f"{report.summary} → {path}", err=True)
    return 0


# ------------------------------------------------------------------- editing

#: Option → target field, for target-add and target-update.
FIELD_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--name", "name", "cli.help.target_add.name"),
    ("--type", "site_type", "cli.help.target_add.type"),
    ("--scope", "scope", "cli.help.target_add.scope"),
    ("--towns", "towns", "cli.help.target_add.towns"),
    ("--measure", "measure", "cli.help.target_add.measure"),
    ("--threshold", "threshold", "cli.help.target_add.threshold"),
    ("--radius-m", "radius_m", "cli.help.opt.radius_m_target"),
    ("--statuses", "statuses", "cli.help.target_add.statuses"),
    ("--deadline", "deadline", "cli.help.target_add.deadline"),
    ("--notes", "notes", "cli.help.target_add.notes"),
    ("--new-since", "new_since", "cli.help.target_add.new_since"),
    ("--demand-layer", "demand_layer", "cli.help.target_add.demand_layer"),
)


def _field_options(func: Callable) -> Callable:
    for flag, fld, help_text in reversed(FIELD_OPTIONS):
        func = click.option(flag, f"field_{fld}", metavar=fld.upper(), help=help_text)(func)
    return func


def _fields(params: dict) -> dict[str, object]:
    return {fld: value for _, fld, _ in FIELD_OPTIONS if (value := params.get(f"field_{fld}")) is not None}


def _target_store(db: str | None):
    from sites.store import SiteStore
    from targets.store import TargetStore

    return TargetStore(SiteStore(db, create=False))  # no new database here: python -m sites init


def _actor(store, user: str | None):
    """Who writes: the local user, or in shared mode the account signed in as ``python -m sites`` does it."""
    from cli.accounts import cli_actor  # accounts (argon2, audit log) only for commands that write

    return cli_actor(store.sites, user)


@click.command("target-add", cls=Command, help="cli.help.target_add")
@store_options()
@_field_options
def target_add(db, user, lang, **params) -> int:
    """Add a target; print it as JSON."""
    store = _target_store(db)
    output.write_json(store.add(_fields(params), actor=_actor(store, user)).to_dict())
    return 0


@click.command("target-update", cls=Command, help="cli.help.target_update")
@click.argument("target_id", metavar="ID", type=int)
@store_options()
@_field_options
@click.option("--if-version", type=int, metavar="N",
              help="cli.help.target_update.if_version")
def target_update(target_id: int, db, user, lang, if_version, **params) -> int:
    """Change the given fields of a target; print it as JSON."""
    store = _target_store(db)
    output.write_json(store.update(target_id, _fields(params), actor=_actor(store, user),
                                   if_version=if_version).to_dict())
    return 0


@click.command("target-delete", cls=Command, help="cli.help.target_delete")
@click.argument("target_id", metavar="ID", type=int)
@store_options()
def target_delete(target_id: int, db, user, lang) -> int:
    """Delete a target (its history stays); print what was deleted."""
    store = _target_store(db)
    output.write_json(store.delete(target_id, actor=_actor(store, user)).to_dict())
    return 0


@click.command("target-list", cls=Command, help="cli.help.target_list")
@store_options()
def target_list(db, user, lang) -> int:
    """Print every stored target as JSON."""
    output.write_json([t.to_dict() for t in _target_store(db).list_targets()])
    return 0


@click.command("target-history", cls=Command, help="cli.help.target_history")
@click.argument("target_id", metavar="ID", type=int)
@store_options()
def target_history(target_id: int, db, user, lang) -> int:
    """Print a target's audit trail: who changed what, when, from what to what."""
    entries = _target_store(db).history(target_id)
    output.write_json([{"action": e.action, "actor": e.actor, "at": e.at,
                        "changes": {k: list(v) for k, v in e.changes().items()}} for e in entries])
    return 0


@click.command("target-import", cls=Command,
               help="cli.help.target_import")
@click.argument("file", metavar="FILE")
@store_options()
@click.option("--name", "field_name", metavar="PREFIX", help="cli.help.target_import.name")
@click.option("--type", "field_site_type", metavar="SITE_TYPE", help="cli.help.target_import.type")
@click.option("--deadline", "field_deadline", metavar="DEADLINE", help="cli.help.target_import.deadline")
@click.option("--measure", "field_measure", metavar="MEASURE", help="cli.help.target_import.measure")
@click.option("--radius-m", "field_radius_m", metavar="RADIUS_M", help="cli.help.opt.radius_m_target")
@click.option("--statuses", "field_statuses", metavar="STATUSES", help="cli.help.target_import.statuses")
@click.option("--new-since", "field_new_since", metavar="NEW_SINCE", help="cli.help.target_import.new_since")
def target_import(file: str, db, user, lang, **params) -> int:
    """Read every row, check all of them, then store all in one transaction (or none); print them as JSON."""
    from errors import ImportRejected
    from targets.sheet import parse_target_sheet

    store = _target_store(db)
    actor = _actor(store, user)
    defaults = {k[len("field_"):]: v for k, v in params.items() if k.startswith("field_") and v is not None}
    try:
        sheet = parse_target_sheet(file, store.sites.towns(), defaults=defaults)
    except ImportRejected as exc:
        output.problems(exc.problems, lang)
        return 1
    output.problems(sheet.warnings, lang)
    stored = store.add_many(sheet.targets, actor=actor)
    output.echo(t("target.sheet_imported", lang, n=len(stored), file=sheet.file), err=True)
    output.write_json([tg.to_dict() for tg in stored])
    return 0


#: The commands of this module, in the order ``python -m scoring --help`` lists them.
COMMANDS: tuple[click.Command, ...] = (targets_command, report_command, target_add, target_update, target_delete,
                                      target_list, target_history, target_import)
