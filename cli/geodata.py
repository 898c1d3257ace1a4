"""``python -m geodata``: convert coordinate systems, describe boundary files, fetch map assets.

* ``convert IN OUT --from gcj02 --to wgs84``: GeoJSON, GeoPackage or CSV.
* ``info [FILE] [--crs ...] [--name-field F] [--code-field F] [--format json|table]``:
  each town's code, name and area in km² (no FILE: the region of ``--db`` if
  given, else the bundled Nanhai towns). A longitude/latitude FILE needs ``--crs
  wgs84|gcj02|bd09`` (its coordinate system is never assumed, as for ``sites set-region``).
* ``assets [--force]``: fetch Leaflet and friends from the npm registry into static/vendor.

Every command takes ``--lang zh|en``; exit codes as :mod:`cli.common` says.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from cli import output
from cli.common import CRS, Group, db_option, format_option, lang_option, region_options, run


@click.group("geodata", cls=Group, help="cli.help.geodata")
def app() -> None:
    pass


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m geodata ARGS``: run one command, return its exit status (0 ok, 2 bad input or usage)."""
    return run(app, argv, "python -m geodata")


@app.command("convert", help="cli.help.convert")
@click.argument("input")
@click.argument("output_file", metavar="OUTPUT")
@click.option("--from", "src", type=CRS, required=True, help="cli.help.convert.from")
@click.option("--to", "dst", type=CRS, required=True, help="cli.help.convert.to")
@lang_option
def convert_command(input: str, output_file: str, src: str, dst: str, lang) -> int:
    from geodata.convert import convert_file

    report = convert_file(input, output_file, src, dst)
    output.echo(report.summary(lang))
    return 0


@app.command("info", help="cli.help.info")
@click.argument("file", required=False)
@region_options(file_argument=True)
@db_option
@format_option("table", "json")
@lang_option
def info_command(file: str | None, boundaries_crs, name_field, code_field, db, fmt, lang) -> int:
    from geodata.boundaries import bundled_region, load_region

    if file:
        region = load_region(file, crs=boundaries_crs, name_field=name_field, code_field=code_field,
                             crs_required=True)  # asked, never assumed, as sites set-region does
    elif db:
        from sites.store import SiteStore

        with SiteStore(db, create=False) as store:
            region = store.region()
    else:
        region = bundled_region()
    output.problems(region.warnings, lang)
    rows = [
        {"code": r.code, "name": r.name, "name_en": r.name_en, "area_km2": round(float(r.area_km2), 3)}
        for r in region.towns.itertuples()
    ]
    if fmt == "json":
        output.write_json(rows)
        return 0
    for row in rows:
        output.echo_row([row["code"], row["name"], f"{row['area_km2']:.1f} km²"])
    output.echo(f"{len(rows)} towns, {sum(r['area_km2'] for r in rows):.1f} km²; {region.attribution}")
    return 0


@app.command("assets", help="cli.help.assets")
@click.option("--force", is_flag=True, help="cli.help.assets.force")
@lang_option
def assets_command(force: bool, lang) -> int:
    from maps.assets import fetch_assets

    fetch_assets(force=force, log=lambda msg: output.echo(msg, err=True))
    return 0
