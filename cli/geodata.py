"""``python -m geodata``: convert coordinate systems, describe boundary files, fetch map assets.

* ``convert IN OUT --from gcj02 --to wgs84``: GeoJSON, GeoPackage or CSV.
* ``info [FILE] [--crs ...] [--name-field F] [--code-field F] --format json|table``:
  each town's code, name and area in km² (no FILE: the bundled Nanhai towns).
* ``assets``: fetch Leaflet and friends from the npm registry into static/vendor.
"""

from __future__ import annotations

import argparse
import json
import sys

from i18n import default_language
from incidents import cli_failure


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    conv = sub.add_parser("convert", help="convert a file between wgs84, gcj02 and bd09")
    conv.add_argument("input")
    conv.add_argument("output")
    conv.add_argument("--from", dest="src", required=True, help="wgs84 | gcj02 | bd09")
    conv.add_argument("--to", dest="dst", required=True, help="wgs84 | gcj02 | bd09")

    info = sub.add_parser("info", help="towns of a boundary file with their areas")
    info.add_argument("file", nargs="?", help="boundary file (default: bundled Nanhai towns)")
    add_boundary_options(info, positional=True)
    info.add_argument("--format", choices=["json", "table"], default="table")

    assets = sub.add_parser("assets", help="fetch the map's JavaScript/CSS for offline use")
    assets.add_argument("--force", action="store_true", help="fetch again even if present")
    return parser


def add_boundary_options(parser: argparse.ArgumentParser, *, positional: bool = False) -> None:
    """The region options shared by ``python -m geodata``, ``-m sites`` and ``-m scoring``."""
    if not positional:
        parser.add_argument("--boundaries", metavar="FILE", help="boundary file of the region's towns")
    # ``--crs`` is an alias only where the file is the command's subject (geodata info FILE);
    # elsewhere ``--crs`` names the system of the points (``sites import --crs``).
    flags = ("--boundaries-crs", "--crs") if positional else ("--boundaries-crs",)
    parser.add_argument(*flags, dest="boundaries_crs", choices=["wgs84", "gcj02", "bd09"],
                        help="coordinate system of the boundary file when it has none or is GCJ-02/BD-09")
    parser.add_argument("--name-field", help="field holding the town name (default: detected)")
    parser.add_argument("--code-field", help="field holding the town code (default: detected)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = default_language()
    try:
        if args.command == "convert":
            from geodata.convert import convert_file

            report = convert_file(args.input, args.output, args.src, args.dst)
            print(report.summary(lang))
        elif args.command == "info":
            from geodata.boundaries import bundled_region, load_region

            region = (
                load_region(args.file, crs=args.boundaries_crs, name_field=args.name_field,
                            code_field=args.code_field)
                if args.file
                else bundled_region()
            )
            for problem in region.warnings:
                print(problem.message(lang), file=sys.stderr)
            rows = [
                {"code": r.code, "name": r.name, "name_en": r.name_en, "area_km2": round(float(r.area_km2), 3)}
                for r in region.towns.itertuples()
            ]
            if args.format == "json":
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for row in rows:
                    print(f"{row['code']}\t{row['name']}\t{row['area_km2']:.1f} km²")
                print(f"{len(rows)} towns, {sum(r['area_km2'] for r in rows):.1f} km²; {region.attribution}")
        elif args.command == "assets":
            from maps.assets import fetch_assets

            fetch_assets(force=args.force, log=lambda msg: print(msg, file=sys.stderr))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001  (named errors, unreadable files, else an incident id; no traceback)
        files = [getattr(args, "input", None), getattr(args, "file", None)]
        return cli_failure(exc, lang, files=files, context=f"python -m geodata {args.command}")
    return 0
