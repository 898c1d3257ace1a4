"""Rollout targets on the command line: ``python -m scoring targets``, ``report`` and ``target-*``.

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
from cli.accounts import cli_actor
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

#: Columns of ``targets`` output, in order (the evaluation's, then the colour and projection).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "target_id", "name", "site_type", "town_code", "town_name", "required", "actual", "met", "shortfall",
    "deadline", "unit", "days_left", "scope", "measure", "required_pct", "actual_pct", "site_ids",
    "site_names", "under_construction", "demo_sites", "rag", "met_on_at_present_rate", "as_of",
)


def _evaluation_options(func: Callable) -> Callable:
    for decorator in reversed((
        store_options(user=False),
        region_options(),
        click.option("--as-of", type=DATE, default=None, help="evaluate as of this date (default: today)"),
        click.option("--target", "target_ids", type=int, multiple=True, metavar="ID",
                     help="only this target (repeat for several; default: all)"),
        demand_options(),
        distance_options(),
    )):
        func = decorator(func)
    return func


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
    demand = load_demand_layer(params["demand"], params["weight_field"], params["demand_crs"], region)
    as_of = params["as_of"] or datetime.date.today()
    from targets.coverage import Distance, measured_by

    walking = params.get("distance") == "network"
    how = Distance(params.get("distance") or "straight",
                   load_network(params["db"], params.get("network"), params.get("network_crs"), region)
                   if walking else None, params.get("walk_speed_kmh") or 4.5, params.get("max_access_m") or 200.0)
    with measured_by(how):  # coverage targets measure reach as asked (straight or walking)
        return build_report(targets, sites, region, as_of=as_of, lang=lang, demand=demand)  # type: ignore[arg-type]


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


@click.command("targets", cls=Command, help="rollout targets town by town as of a date")
@_evaluation_options
@format_option("json", "csv")
@output_option
def targets_command(lang, fmt, output: str | None, **params) -> int:
    """Print (or write) the evaluated targets as JSON or CSV."""
    from cli import output as out

    rows = target_rows(build(params, lang))
    if fmt == "csv":
        flat = rows.copy()
        flat["site_ids"] = flat["site_ids"].map(lambda ids: ";".join(map(str, ids)))
        flat["site_names"] = flat["site_names"].map(";".join)
        out.write_frame_csv(flat, output)
    else:
        out.write_json(rows.astype(object).where(rows.notna(), None).to_dict(orient="records"), output)
    return 0


@click.command("report", cls=Command, help="one-page leadership report (XLSX, PDF or HTML)")
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
    return cli_actor(store.sites, user)


@click.command("target-add", cls=Command, help="add a rollout target")
@store_options()
@_field_options
def target_add(db, user, lang, **params) -> int:
    """Add a target; print it as JSON."""
    store = _target_store(db)
    output.write_json(store.add(_fields(params), actor=_actor(store, user)).to_dict())
    return 0


@click.command("target-update", cls=Command, help="change fields of a target")
@click.argument("target_id", metavar="ID", type=int)
@store_options()
@_field_options
@click.option("--if-version", type=int, metavar="N",
              help="write only if the target is still at version N (see target-list); else say what changed "
              "since, by whom and when, write nothing and exit 2")
def target_update(target_id: int, db, user, lang, if_version, **params) -> int:
    """Change the given fields of a target; print it as JSON."""
    store = _target_store(db)
    output.write_json(store.update(target_id, _fields(params), actor=_actor(store, user),
                                   if_version=if_version).to_dict())
    return 0


@click.command("target-delete", cls=Command, help="delete a target (its history is kept)")
@click.argument("target_id", metavar="ID", type=int)
@store_options()
def target_delete(target_id: int, db, user, lang) -> int:
    """Delete a target (its history stays); print what was deleted."""
    store = _target_store(db)
    output.write_json(store.delete(target_id, actor=_actor(store, user)).to_dict())
    return 0


@click.command("target-list", cls=Command, help="list the stored targets as JSON")
@store_options()
def target_list(db, user, lang) -> int:
    """Print every stored target as JSON."""
    output.write_json([t.to_dict() for t in _target_store(db).list_targets()])
    return 0


@click.command("target-history", cls=Command, help="who changed a target, when, from what to what")
@click.argument("target_id", metavar="ID", type=int)
@store_options()
def target_history(target_id: int, db, user, lang) -> int:
    """Print a target's audit trail: who changed what, when, from what to what."""
    entries = _target_store(db).history(target_id)
    output.write_json([{"action": e.action, "actor": e.actor, "at": e.at,
                        "changes": {k: list(v) for k, v in e.changes().items()}} for e in entries])
    return 0


#: The commands of this module, in the order ``python -m scoring --help`` lists them.
COMMANDS: tuple[click.Command, ...] = (targets_command, report_command, target_add, target_update, target_delete,
                                      target_list, target_history)
