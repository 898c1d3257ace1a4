"""``python -m sites``: the site registry from the command line.

Commands: ``init``, ``seed-demo``, ``import FILE --crs``, ``list``, ``export OUT``,
``add``, ``update ID``, ``close ID``, ``delete ID``, ``history ID``,
``set-region``, ``set-network FILE --crs``, ``network-info``, ``network-delete``, and ``user ...`` (:mod:`cli.accounts`). Every command takes
``--db PATH`` (default ``SITES_DB``), ``--lang zh|en`` (default
``SITES_LANGUAGE``, else ``zh``), ``--user NAME`` (default ``SITES_USER``, else
the OS user; in ``SITES_MODE=shared`` the account to sign in as) and the region
options ``--boundaries FILE [--boundaries-crs wgs84|gcj02|bd09] [--name-field F]
[--code-field F]`` (:mod:`cli.common`).

A database remembers its region: the first command that creates it stores the
region (``--boundaries``, else ``SITES_BOUNDARIES``, else the bundled Nanhai
towns); a later command naming another region is refused, and ``set-region``
changes it explicitly (re-assigning every site's town). Commands that only
read (``list``, ``export``, ``history``) create no database.

Exit status: 0 when everything asked was done; 1 when an import rejected rows
(with or without ``--skip-invalid``); 2 on bad input or usage (:func:`cli.common.run`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from typing import Any

import click

from cli import output
from cli.accounts import cli_actor, user_group
from cli.common import (
    CRS,
    Group,
    format_option,
    lang_option,
    open_store,
    region_options,
    requested_region,
    run,
    store_options,
)
from errors import ImportRejected, Problem, RecordError, UnreadableFile
from i18n import t
from settings import Language

#: Columns of ``list``, in order.
LIST_FIELDS = ("id", "name", "type", "status", "lng", "lat", "town_code", "source", "address", "host_org",
               "opened_on", "closed_on", "notes", "created_by", "created_at", "updated_by", "updated_at",
               "version")
#: Site fields that ``add`` and ``update`` set, as (field, option).
FIELD_OPTIONS = (("name", "--name"), ("type", "--type"), ("status", "--status"), ("lng", "--lng"),
                 ("lat", "--lat"), ("address", "--address"), ("host_org", "--host-org"),
                 ("opened_on", "--opened-on"), ("closed_on", "--closed-on"), ("notes", "--notes"),
                 ("source", "--source"))


@click.group("sites", cls=Group, help="cli.help.sites")
def app() -> None:
    pass


app.add_command(user_group)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sites ARGS``: run one command, return its exit status (0, 1 rows rejected, 2 bad input)."""
    return run(app, argv, "python -m sites")


def registry_command(name: str, help: str, *, reads: bool = False, region: bool = True) -> Callable:
    """A command on the registry: the common options, then ``body(store, actor, lang, **params)``.

    ``reads``: the command only reads (a missing database is an error, no sign-in in shared mode).
    """

    def decorate(body: Callable[..., int]) -> click.Command:
        @app.command(name, help=help)
        @store_options()
        @region_options()
        def command(db, user, lang, boundaries, boundaries_crs, name_field, code_field, **params: Any) -> int:
            spec = requested_region(boundaries, boundaries_crs, name_field, code_field) if region else None
            with open_store(db, lang, region=spec, create=not reads) as store:
                return body(store, cli_actor(store, user, reads=reads), lang, **params)

        return command

    return decorate


def _filters(func: Callable) -> Callable:
    func = click.option("--status", multiple=True, help="cli.help.list.status")(func)
    func = click.option("--town", multiple=True, help="cli.help.list.town")(func)
    return click.option("--type", "types", multiple=True, help="cli.help.list.type")(
        func)


def _field_options(*, required: frozenset[str]) -> Callable:
    def apply(func: Callable) -> Callable:
        for fld, flag in FIELD_OPTIONS:
            func = click.option(flag, fld, required=fld in required, help=f"cli.help.site.{fld}")(func)
        return func

    return apply


def _if_version(func: Callable) -> Callable:
    return click.option("--if-version", type=int, metavar="N",
                        help="cli.help.opt.if_version_site")(func)


# ------------------------------------------------------------------------ commands


def _region_file_options(func: Callable) -> Callable:
    func = click.option("--licence", help="cli.help.init.licence")(func)
    func = click.option("--region-name", help="cli.help.init.region_name")(func)
    return click.option("--names", "names_file", metavar="FILE",
                        help="cli.help.init.names")(func)


@app.command("init", help="cli.help.init")
@store_options()
@region_options()
@_region_file_options
def _init(db, user, lang, boundaries, boundaries_crs, name_field, code_field, names_file, region_name,
          licence) -> int:
    spec = requested_region(boundaries, boundaries_crs, name_field, code_field, names_file=names_file,
                            region_name=region_name)
    with open_store(db, lang, region=spec) as store:
        if not store.created:
            output.echo(t("sites.db_exists", lang, db=store.path.resolve(), region=store.region_spec.describe()))
    return 0


@app.command("set-region", help="cli.help.set_region")
@store_options()
@region_options()
@_region_file_options
@click.option("--allow-outside", is_flag=True, help="cli.help.set_region.allow_outside")
def _set_region(db, user, lang, boundaries, boundaries_crs, name_field, code_field, names_file, region_name,
                licence, allow_outside) -> int:
    from sites.region import RegionSpec, load_spec

    spec = requested_region(boundaries, boundaries_crs, name_field, code_field, names_file=names_file,
                            region_name=region_name) or RegionSpec()
    with open_store(db, lang) as store:
        region = load_spec(spec)  # a lon/lat file without --boundaries-crs is refused: its CRS is never assumed
        output.problems(region.warnings, lang)
        changed = store.set_region(spec, actor=cli_actor(store, user), allow_outside=allow_outside, region=region,
                                   licence=licence)
        info = store.region_info()
    if info is not None:
        output.echo(t("region.cli.loaded", lang, name=info.name_zh if lang == "zh" else info.name_en,
                      count=len(region.towns), level=region.level_label(lang), crs=info.crs_given,
                      source=info.file_name, at=info.loaded_at), err=True)
    output.echo(t("sites.cli.region_set", lang, region=spec.describe(), changed=changed))
    return 0


# ------------------------------------------------------------------ demand layers (stored by name)


@click.argument("file")
@click.argument("name")
@click.option("--crs", type=CRS, help="cli.help.demand_add.crs")
@click.option("--weight-field", metavar="W", help="cli.help.demand_add.weight_field")
@click.option("--unit", default="people", show_default=True, help="cli.help.demand_add.unit")
@click.option("--replace", is_flag=True, help="cli.help.demand_add.replace")
@registry_command("demand-add", "cli.help.demand_add", region=False)
def _demand_add(store, actor, lang, *, name, file, crs, weight_field, unit, replace) -> int:
    from demand.store import DemandStore

    info = DemandStore(store).add(name, file, actor=actor, crs=crs, weight_field=weight_field, unit=unit,
                                  replace=replace)
    output.echo(t("demand.cli.added", lang, name=info.name, kind=t(f"demand.kind.{info.kind}", lang),
                  n=info.n_values, total=f"{info.total:,.0f}", unit=info.unit, crs=info.crs_given or "-",
                  source=info.source))
    return 0


@format_option("text", "json")
@registry_command("demand-list", "cli.help.demand_list", reads=True, region=False)
def _demand_list(store, actor, lang, *, fmt) -> int:
    from demand.store import DemandStore

    layers = DemandStore(store).list()
    if fmt == "json":
        output.write_json([layer.to_dict() for layer in layers], indent=1)
    elif not layers:
        output.echo(t("demand.cli.none", lang), err=True)
    for layer in layers if fmt == "text" else ():
        output.echo_row([layer.name, t(f"demand.kind.{layer.kind}", lang), f"{layer.total:,.0f} {layer.unit}",
                         str(layer.n_values), layer.crs_given or "-", layer.source, layer.loaded_at, layer.loaded_by])
    return 0


@click.argument("name")
@registry_command("demand-delete", "cli.help.demand_delete",
                  region=False)
def _demand_delete(store, actor, lang, *, name) -> int:
    from demand.store import DemandStore

    DemandStore(store).delete(name, actor=actor)
    output.echo(t("demand.cli.deleted", lang, name=name))
    return 0


@click.argument("file")
@click.option("--crs", required=True, type=CRS,
              help="cli.help.import.crs")
@click.option("--skip-invalid", is_flag=True, help="cli.help.import.skip_invalid")
@click.option("--allow-outside", is_flag=True, help="cli.help.import.allow_outside")
@click.option("--allow-duplicates", is_flag=True, help="cli.help.import.allow_duplicates")
@click.option("--source", default="import", show_default=True, help="cli.help.import.source")
@click.option("--swap-lnglat", is_flag=True,
              help="cli.help.import.swap_lnglat")
@registry_command("import", "cli.help.import")
def _import(store, actor, lang, *, file, crs, skip_invalid, allow_outside, allow_duplicates, source,
            swap_lnglat) -> int:
    from sites.io import read_records

    try:
        records = read_records(file)
    except ImportRejected as exc:  # the file itself is unusable, no row was checked: exit 2, not "rows rejected"
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(exc.problems) from exc
    if swap_lnglat:
        from sites.validation import swap_lnglat as swap
        from sites.validation import swapped_lines

        found = store.validate(records, crs=crs, allow_outside=allow_outside, allow_duplicates=allow_duplicates)
        records = swap(records, swapped_lines(found.problems))
    try:
        report = store.import_records(records, actor=actor, crs=crs, skip_invalid=skip_invalid,
                                      allow_outside=allow_outside, allow_duplicates=allow_duplicates, source=source)
    except ImportRejected as exc:  # all or nothing: say how many rows are fine and how to import only those
        summary = next((p for p in exc.problems if p.code == "sites.import_rejected"), None)
        if summary is not None:
            fine = int(summary.params["total"]) - int(summary.params["bad"])
            exc.problems.append(Problem("cli.import.skip_hint", {"n": fine}) if fine > 0
                                else Problem("cli.import.none_valid"))
        raise
    output.problems(report.warnings + report.problems, lang)
    output.echo(t("sites.cli.imported", lang, written=len(report.written), rejected=len(report.rejected_lines)))
    return 1 if report.rejected_lines else 0


@app.command("template", help="cli.help.template")
@click.argument("out", metavar="FILE.xlsx")
@lang_option
def _template(out: str, lang: Language) -> int:
    from sites.io import write_template

    if not out.lower().endswith(".xlsx"):
        raise RecordError(Problem("sites.file_format", {"ext": out, "allowed": ".xlsx"}, field="FILE"))
    path = write_template(out, lang=lang)
    output.echo(t("sites.cli.template", lang, path=path))
    return 0


@format_option("json", "csv")
@_filters
@registry_command("list", "cli.help.list", reads=True)
def _list(store, actor, lang, *, fmt, types, town, status) -> int:
    rows = [{k: s.to_dict()[k] for k in LIST_FIELDS} for s in _filtered(store, types, town, status)]
    if fmt == "json":
        output.write_json(rows, indent=1)
    else:
        output.write_csv(LIST_FIELDS, [[row[k] for k in LIST_FIELDS] for row in rows])
    return 0


@click.argument("out")
@_filters
@registry_command("export", "cli.help.export", reads=True)
def _export(store, actor, lang, *, out, types, town, status) -> int:
    from sites.io import export_sites

    count = export_sites(_filtered(store, types, town, status), out, towns=store.towns(), lang=lang)
    output.echo(t("sites.cli.exported", lang, count=count, path=out))
    return 0


@_field_options(required=frozenset({"name", "type", "lng", "lat"}))
@click.option("--crs", required=True, type=CRS, help="cli.help.add.crs")
@click.option("--allow-outside", is_flag=True, help="cli.help.opt.allow_outside_point")
@registry_command("add", "cli.help.add")
def _add(store, actor, lang, *, crs, allow_outside, **fields) -> int:
    site, warnings = store.add(_values(fields), actor=actor, crs=crs, allow_outside=allow_outside)
    return _saved(store, site, warnings, lang)


@click.argument("site_id", metavar="ID", type=int)
@_field_options(required=frozenset())
@click.option("--crs", type=CRS, help="cli.help.update.crs")
@click.option("--allow-outside", is_flag=True, help="cli.help.opt.allow_outside_point")
@_if_version
@registry_command("update", "cli.help.update")
def _update(store, actor, lang, *, site_id, crs, allow_outside, if_version, **fields) -> int:
    site, warnings = store.update(site_id, _values(fields), actor=actor, crs=crs or "wgs84",
                                  allow_outside=allow_outside, if_version=if_version)
    return _saved(store, site, warnings, lang)


@click.argument("site_id", metavar="ID", type=int)
@click.option("--on", help="cli.help.close.on")
@_if_version
@registry_command("close", "cli.help.close")
def _close(store, actor, lang, *, site_id, on, if_version) -> int:
    from sites.validation import parse_date

    day = None
    if on:
        day = parse_date(on)
        if day is None:
            raise RecordError(Problem("sites.date_bad", {"value": on}, field="--on"))
    site = store.close(site_id, actor=actor, closed_on=day, if_version=if_version)
    output.echo(t("sites.cli.closed", lang, id=site.id, name=site.name))
    return 0


@click.argument("site_id", metavar="ID", type=int)
@_if_version
@registry_command("delete", "cli.help.delete")
def _delete(store, actor, lang, *, site_id, if_version) -> int:
    site = store.delete(site_id, actor=actor, if_version=if_version)
    output.echo(t("sites.cli.deleted", lang, id=site.id, name=site.name))
    return 0


@click.argument("site_id", metavar="ID", type=int)
@format_option("text", "json")
@registry_command("history", "cli.help.history", reads=True)
def _history(store, actor, lang, *, site_id, fmt) -> int:
    entries = store.history(site_id)
    if fmt == "json":
        output.write_json([_entry_dict(e) for e in entries], indent=1)
        return 0
    for entry in entries:
        output.echo(f"{entry.at}  {entry.actor}  {entry.action}")
        for fld, (before, after) in entry.changes().items():
            output.echo(f"    {fld}: {_show(before)} → {_show(after)}")
    return 0


@registry_command("seed-demo", "cli.help.seed_demo")
def _seed(store, actor, lang) -> int:
    from sites.demo import seed_demo

    report = seed_demo(store, actor=actor)
    output.echo(t("sites.cli.imported", lang, written=len(report.written), rejected=0))
    return 0


@click.argument("file")
@click.option("--crs", required=True, type=CRS,
              help="cli.help.set_network.crs")
@click.option("--mode", type=click.Choice(["walk", "cycle"]), default="walk", show_default=True,
              help="cli.help.set_network.mode")
@click.option("--licence", help="cli.help.set_network.licence")
@registry_command("set-network", "cli.help.set_network")
def _set_network(store, actor, lang, *, file, crs, mode, licence) -> int:
    import sys

    from sites.network_store import NetworkStore, default_licence

    networks = NetworkStore(store)
    networks.authoriser.check_admin(actor, "set_network", f"network:{mode}")  # before the file is read
    licence = licence or default_licence(file)
    if not licence:
        if not sys.stdin.isatty():
            raise RecordError(Problem("network.licence_missing", {"file": file}))
        licence = click.prompt(t("network.cli.licence_prompt", lang))
    output.echo(t("network.cli.reading", lang, file=file), err=True)
    network = networks.read_file(file, crs=crs, mode=mode)
    info = networks.store(network, actor=actor, source_name=file, licence=licence)
    _network_summary(info, lang)
    return 0


@click.option("--mode", type=click.Choice(["walk", "cycle"]), default="walk", show_default=True,
              help="cli.help.network_info.mode")
@format_option("text", "json")
@registry_command("network-info", "cli.help.network_info", reads=True)
def _network_info(store, actor, lang, *, mode, fmt) -> int:
    from sites.network_store import NetworkStore

    info = NetworkStore(store).info(mode)
    if fmt == "json":
        output.write_json(info.as_dict() if info else None)
    elif info is None:
        output.echo(t("network.cli.none", lang, mode=mode))
    else:
        _network_summary(info, lang)
    return 0


@click.option("--mode", type=click.Choice(["walk", "cycle"]), default="walk", show_default=True,
              help="cli.help.network_info.mode")
@registry_command("network-delete", "cli.help.network_delete")
def _network_delete(store, actor, lang, *, mode) -> int:
    from sites.network_store import NetworkStore

    gone = NetworkStore(store).delete(mode, actor=actor)
    output.echo(t("network.cli.deleted" if gone else "network.cli.none", lang, mode=mode))
    return 0


def _network_summary(info, lang: Language) -> None:
    s = info.summary
    output.echo(t("network.cli.stored", lang, mode=info.mode, file=info.source_name, crs=info.source_crs,
                  licence=info.licence, at=info.loaded_at, by=info.loaded_by))
    output.echo(t("network.cli.summary", lang, junctions=s.junctions, segments=s.segments, km=s.length_km,
                  pieces=s.pieces, share=s.largest_piece_share))
    if info.mode != "walk":
        output.echo(t("network.cli.cycle_unscored", lang))


# ------------------------------------------------------------------------ helpers


def _filtered(store, types: tuple[str, ...], towns: tuple[str, ...], statuses: tuple[str, ...]):
    from sites.models import status_lookup, type_lookup
    from sites.validation import allowed_names

    type_keys = _keys(types, type_lookup(store.settings), "sites.type_unknown", allowed_names("type", store.settings))
    status_keys = _keys(statuses, status_lookup(), "sites.status_unknown", allowed_names("status"))
    return store.list_sites(types=type_keys, towns=list(towns) or None, statuses=status_keys)


def _keys(values: tuple[str, ...], lookup: dict[str, str], code: str, allowed: dict[str, str]) -> list[str] | None:
    if not values:
        return None
    out = []
    for value in values:
        key = lookup.get(" ".join(value.strip().lower().replace("_", " ").split()))
        if key is None:
            raise RecordError(Problem(code, {"value": value, **allowed}))
        out.append(key)
    return out


def _values(fields: dict[str, object]) -> dict[str, object]:
    return {fld: fields[fld] for fld, _ in FIELD_OPTIONS if fields.get(fld) is not None}


def _saved(store, site, warnings: list[Problem], lang: Language) -> int:
    output.problems(warnings, lang)
    town = store.towns().town_name(site.town_code, lang) or "-"
    output.echo(t("sites.cli.saved", lang, id=site.id, name=site.name, town=town))
    return 0


def _entry_dict(entry) -> dict[str, object]:
    return {"id": entry.id, "site_id": entry.subject_id, "action": entry.action, "actor": entry.actor,
            "at": entry.at, "before": entry.before, "after": entry.after}


def _show(value: object) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


# ------------------------------------------------------------------------ copy (issue 15)

#: Every component's migrations, as "module:ATTRIBUTE" (a component whose module is not there is left out).
COPY_COMPONENTS = {
    "audit": "database.audit:AUDIT_MIGRATIONS",
    "sites": "sites.store:SITE_MIGRATIONS",
    "geometry": "database.postgis:GEOMETRY_MIGRATIONS",
    "accounts": "accounts.schema:ACCOUNT_MIGRATIONS",
    "targets": "targets.store:TARGET_MIGRATIONS",
    "region": "sites.region_store:REGION_MIGRATIONS",
    "network": "sites.network_store:NETWORK_MIGRATIONS",
    "demand": "demand.store:DEMAND_MIGRATIONS",
}


def copy_components() -> dict[str, Any]:
    """The migrations of every component of this program (for ``copy``)."""
    import importlib

    found = {}
    for component, where in COPY_COMPONENTS.items():
        module, attr = where.split(":")
        try:
            found[component] = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            continue
    return found


@app.command("copy", help="cli.help.copy")
@store_options()
@click.option("--to", "to", required=True, metavar="URL|FILE", help="cli.help.copy.to")
def _copy(db, user, lang, to) -> int:
    from database.copy import copy_registry

    with open_store(db, lang, create=False) as store:
        source = store.path
        store.authoriser.check_admin(cli_actor(store, user), "copy", f"database:{to}")
    counts = copy_registry(source, to, copy_components())
    for table, count in sorted(counts.items()):
        output.echo_row([table, str(count)])
    output.echo(t("sites.copy_done", lang, tables=len(counts), rows=sum(counts.values()), db=_shown(to)))
    return 0


def _shown(location: str) -> str:
    from database.connection import database_location

    return str(database_location(location))
