"""``python -m scoring``: coverage, gaps, suggested sites, targets, the report and the map from the registry.

* ``coverage [--type T|all] [--radius-m R] [--status open,...] [--as-of DATE]
  [--demand FILE --weight-field W] [--format json|csv]``: one row per town × type.
* ``gaps`` (the same options, ``--min-area-km2``): ranked uncovered polygons as GeoJSON (WGS84).
* ``suggest [--type T] [--count K] [--radius-m R] [--candidates FILE | --grid-spacing-m M]
  [--min-per-town N] [--method auto|heuristic|exact]``: JSON with ``selected``,
  ``objective``, ``covered_before``, ``covered_after``, ``method``, ``gap``;
  progress goes to standard error. Defaults: ``--type`` is the type with the
  most uncovered area (km², counted sites, its default radius); ``--count`` is
  :data:`DEFAULT_COUNT`; with ``--method exact`` and no candidates the grid is
  :data:`EXACT_GRID_FACTOR` × the radius apart (the default grid, half the
  radius, makes a model HiGHS cannot close in a minute on a district).
* ``map OUT.html`` (the same options, ``--town``, ``--focus-type``, ``--tiles``): the
  planner's map as one HTML file that opens with no network (:mod:`maps.export`).
* ``targets``, ``report``, ``target-add|update|delete|list|history``: :mod:`cli.targets`.

Every command takes ``--db PATH`` (default ``SITES_DB``), ``--lang zh|en`` and
the region options (default: the region the database remembers); see
:mod:`cli.common` for those and the exit codes. What a command asks of the
engine is built once, in :func:`engine_inputs` (a :class:`scoring.query.CoverageQuery`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from cli import output
from cli import targets as target_cli
from cli.common import (
    CRS,
    DATE,
    Group,
    comma_list,
    demand_options,
    distance_options,
    format_option,
    help_key,
    language,
    load_demand_layer,
    load_network,
    load_region_and_sites,
    output_option,
    region_options,
    run,
    store_options,
)
from i18n import t

#: New sites ``suggest`` places when ``--count`` is not given.
DEFAULT_COUNT = 5
#: With ``--method exact`` and no ``--candidates``/``--grid-spacing-m``: grid spacing = this × the radius.
EXACT_GRID_FACTOR = 2.0


@click.group("scoring", cls=Group, help="cli.help.scoring")
def app() -> None:
    pass


for _command in target_cli.COMMANDS:
    app.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scoring ARGS``: run one command, return its exit status (0 ok, 2 bad input or usage)."""
    return run(app, argv, "python -m scoring")


# ------------------------------------------------------------------ engine inputs


@dataclass(frozen=True)
class EngineInputs:
    """What the engine is given: the region, the registry's sites frame, the query and the demand layer."""

    region: Any
    sites: Any
    query: Any
    demand: Any
    network: Any = None


def engine_inputs(params: dict[str, Any], *, types: str | Sequence[str] | None) -> EngineInputs:
    """The one place that turns a command's options into the engine's inputs.

    Reads the registry (``--db``, a read: a missing database is an error), the region (``--boundaries``
    or the database's), builds the :class:`scoring.query.CoverageQuery` (``types``: keys or ``"all"``;
    ``--radius-m``: one radius for all, else each type's default; ``--status``; ``--as-of``; ``--demand``)
    and loads the demand layer. ``--distance network``: the radius is walked metres (or ``--walk-minutes``
    at ``--walk-speed-kmh``), and the street network (``--network FILE`` or the stored one) is loaded too.
    """
    from scoring.query import CoverageQuery, DemandRef
    from settings import get_settings

    region, sites = load_region_and_sites(params["db"], params["boundaries"], params["boundaries_crs"],
                                          params["name_field"], params["code_field"])
    demand_ref = (DemandRef.stored(params["demand_layer"]) if params.get("demand_layer") else
                  DemandRef(params["demand"], params["weight_field"], params["demand_crs"] or "wgs84")
                  if params.get("demand") else None)
    radius = params["radius_m"]
    if params.get("walk_minutes") is not None:
        from scoring.query import walk_metres

        radius = walk_metres(params["walk_minutes"], params["walk_speed_kmh"])
    distance = params.get("distance") or "straight"
    query = CoverageQuery.build(types, radius, defaults_m=get_settings().default_radii_m(),
                                statuses=comma_list(params["status"]), as_of=params["as_of"], demand=demand_ref,
                                distance=distance, walk_speed_kmh=params.get("walk_speed_kmh") or 4.5,
                                max_access_m=params.get("max_access_m") or 200.0)
    demand = load_demand_layer(params["demand"], params["weight_field"], params["demand_crs"], region,
                               db=params["db"], layer=params.get("demand_layer"))
    network = (load_network(params["db"], params.get("network"), params.get("network_crs"), region)
               if query.walking else None)
    return EngineInputs(region, sites, query, demand, network)


def off_network_note(result, lang: str) -> None:
    """Network mode: say on standard error how many counted sites and demand points lie too far from every
    street to join it (they reach nothing / are reached by nothing)."""
    if not result.query.walking:
        return
    sites = sum(len(v) for v in result.off_network_sites.values())
    if sites or result.off_network_demand:
        output.echo(t("network.cli.off_network", lang, sites=sites, points=result.off_network_demand,
                      m=result.query.max_access_m), err=True)


def progress_text(event, lang: str) -> str:
    """A :class:`scoring.progress.Progress` event in words."""
    params = {k: (float("nan") if v is None else v) for k, v in event.params().items()}
    return t(f"scoring.progress.{event.stage}", lang, **params)  # type: ignore[arg-type]


def print_progress(event) -> None:
    """Progress callback of the command line: one line per event on standard error."""
    output.progress(event.fraction, progress_text(event, language()))


def _selection_options(func: Callable) -> Callable:
    for decorator in reversed((
        store_options(user=False),
        region_options(),
        click.option("--radius-m", type=float, help="cli.help.opt.radius_m"),
        click.option("--status", default="open", show_default=True,
                     help="cli.help.opt.status"),
        click.option("--as-of", type=DATE, help="cli.help.opt.as_of"),
        demand_options(),
        distance_options(),
    )):
        func = decorator(func)
    return func


def _even_spread_note(even_spread: bool, lang: str) -> str:
    return t("scoring.even_spread_note", lang) if even_spread else ""


# ------------------------------------------------------------------------ commands


def _coverage(params: dict[str, Any], types: str):
    from scoring.coverage import coverage

    inputs = engine_inputs(params, types=comma_list(types) if types != "all" else "all")
    result = coverage(inputs.region.towns, inputs.sites, inputs.query, demand=inputs.demand,
                      network=inputs.network)
    off_network_note(result, language())
    return result


@app.command("coverage", help="cli.help.coverage")
@_selection_options
@click.option("--type", "types", default="all", show_default=True, help="cli.help.opt.types")
@format_option("json", "csv")
@output_option
def coverage_command(lang, types: str, fmt: str, output: str | None, **params) -> int:
    from cli import output as out

    result = _coverage(params, types)
    table = result.table
    note = _even_spread_note(result.even_spread, lang)
    if note:
        table = table.assign(demand_note=note)
        out.echo(note, err=True)
    if fmt == "csv":
        out.write_frame_csv(table, output, float_format="%.6f")
    else:
        out.write_json(table.to_dict(orient="records"), output)
    return 0


@app.command("gaps", help="cli.help.gaps")
@_selection_options
@click.option("--type", "types", default="all", show_default=True, help="cli.help.opt.types")
@format_option("geojson")
@output_option
@click.option("--min-area-km2", type=float, help="cli.help.gaps.min_area_km2")
def gaps_command(lang, types: str, fmt: str, output: str | None, min_area_km2: float | None, **params) -> int:
    from cli import output as out
    from scoring.gaps import gaps
    from settings import get_settings

    floor = get_settings().min_gap_km2 if min_area_km2 is None else min_area_km2
    frame = gaps(_coverage(params, types), min_area_km2=floor)
    if "even_spread" in frame.columns:  # the assumption travels with the figures, in words (as before)
        frame = frame.drop(columns="even_spread").assign(demand_note=_even_spread_note(True, lang))
    out.write(frame.to_json(drop_id=True, ensure_ascii=False), output)
    return 0


def most_uncovered_type(inputs: EngineInputs) -> str:
    """The site type of ``inputs.query`` whose counted sites leave the most of the region uncovered (km²,
    each type at its radius); a tie goes to the type listed first (the settings' order of types)."""
    from scoring.coverage import coverage

    table = coverage(inputs.region.towns, inputs.sites, inputs.query, network=inputs.network).table
    uncovered = (table["area_km2"] - table["covered_km2"]).groupby(table["site_type"]).sum()
    totals = [round(float(uncovered.get(key, 0.0)), 6) for key in inputs.query.types]
    return inputs.query.types[totals.index(max(totals))]


@app.command("suggest", help="cli.help.suggest")
@_selection_options
@click.option("--type", "site_type", help="cli.help.suggest.type")
@click.option("--count", type=int, default=DEFAULT_COUNT, show_default=True, help="cli.help.suggest.count")
@click.option("--candidates", metavar="FILE", help="cli.help.suggest.candidates")
@click.option("--candidates-crs", type=CRS, default="wgs84", show_default=True,
              help="cli.help.suggest.candidates_crs")
@click.option("--grid-spacing-m", type=float,
              help=help_key("cli.help.suggest.grid_spacing_m", factor=EXACT_GRID_FACTOR))
@click.option("--min-per-town", type=int, default=0, show_default=True,
              help="cli.help.suggest.min_per_town")
@click.option("--method", type=click.Choice(["auto", "heuristic", "exact"]), default="auto", show_default=True,
              help="cli.help.suggest.method")
@click.option("--time-limit-s", type=float, default=60.0, show_default=True, help="cli.help.suggest.time_limit_s")
@format_option("json")
@output_option
def suggest_command(lang, site_type, count, candidates, candidates_crs, grid_spacing_m, min_per_town, method,
                    time_limit_s, fmt, output, **params) -> int:
    from cli import output as out
    from scoring.demand import read_points
    from scoring.suggest import suggest

    inputs = engine_inputs(params, types=[site_type] if site_type else "all")
    if not site_type:
        site_type = most_uncovered_type(inputs)
        out.echo(f"--type {site_type}", err=True)
    query = inputs.query.only(site_type)
    points = None
    if candidates:
        _, lng, lat = read_points(candidates, coords=candidates_crs)
        points = (lng, lat)
    elif grid_spacing_m is None and method == "exact":
        grid_spacing_m = EXACT_GRID_FACTOR * query.radius_m(site_type)
    result = suggest(inputs.region.towns, inputs.sites, query, site_type=site_type, count=count,
                     candidates=points, grid_spacing_m=grid_spacing_m, demand=inputs.demand,
                     min_per_town=min_per_town, method=method, time_limit_s=time_limit_s, progress=print_progress,
                     network=inputs.network)
    summary = result.summary()
    summary.setdefault("note", _even_spread_note(result.even_spread, lang))
    out.write_json(summary, output)
    return 0


@app.command("map", help="cli.help.map")
@click.argument("output", metavar="OUT.html")
@_selection_options
@click.option("--type", "types", default="all", show_default=True, help="cli.help.map.types")
@click.option("--town", default="", help="cli.help.map.town")
@click.option("--focus-type", help="cli.help.map.focus_type")
@click.option("--tiles", type=click.Choice(["none", "osm", "amap", "tianditu"]), default="none", show_default=True,
              help="cli.help.map.tiles")
@click.option("--no-catchment", is_flag=True, help="cli.help.map.no_catchment")
@click.option("--no-gaps", is_flag=True, help="cli.help.map.no_gaps")
def map_command(output: str, lang, types: str, town: str, focus_type, tiles, no_catchment, no_gaps, **params) -> int:
    from pathlib import Path

    from cli import output as out
    from maps.export import MapOptions, export_html, shown_sites
    from scoring.coverage import coverage
    from settings import get_settings

    out.progress(0.0, t("mapx.progress.load", lang))
    inputs = engine_inputs(params, types=comma_list(types) if types != "all" else "all")
    options = MapOptions(towns=tuple(comma_list(town)), focus_type=focus_type, show_catchment=not no_catchment,
                         show_gaps=not no_gaps, lang=lang, tiles=tiles, tianditu_key=get_settings().tianditu_key)
    out.progress(0.3, t("mapx.progress.coverage", lang))
    result = coverage(inputs.region.towns, inputs.sites, inputs.query, demand=inputs.demand,
                      network=inputs.network)
    off_network_note(result, lang)
    out.progress(0.7, t("mapx.progress.map", lang))
    text = export_html(inputs.region, inputs.sites, inputs.query, options, result=result)
    Path(output).write_text(text, encoding="utf-8")
    out.progress(1.0, t("mapx.written", lang, path=output,
                        n=len(shown_sites(inputs.sites, inputs.query, options))))
    return 0
