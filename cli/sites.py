"""``python -m sites``: the site registry from the command line.

Every command takes ``--db PATH`` (default ``SITES_DB``), ``--lang zh|en``
(default ``SITES_LANGUAGE``, else ``zh``), ``--user NAME`` (default
``SITES_USER``, else the OS user; in ``SITES_MODE=shared`` the account to sign
in as, see :mod:`cli.accounts`) and the region options ``--boundaries FILE
[--boundaries-crs wgs84|gcj02|bd09] [--name-field F] [--code-field F]``.

A database remembers its region: the first command that creates it stores the
region (``--boundaries``, else ``SITES_BOUNDARIES``, else the bundled Nanhai
towns); a later command naming another region is refused, and ``set-region``
changes it explicitly (re-assigning every site's town).

Exit status: 0 when everything asked was done; 1 when an import rejected rows
(with or without ``--skip-invalid``); 2 on any other error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence

from accounts.permissions import Actor
from cli import accounts as account_cli
from errors import ImportRejected, Problem, ProductError
from i18n import default_language, t
from settings import Language
from sites.models import STATUSES, Site, status_lookup, type_lookup
from sites.region import RegionSpec
from sites.store import AuditEntry, SiteStore

_FIELD_OPTIONS = (("name", "--name"), ("type", "--type"), ("status", "--status"), ("lng", "--lng"),
                  ("lat", "--lat"), ("address", "--address"), ("host_org", "--host-org"),
                  ("opened_on", "--opened-on"), ("closed_on", "--closed-on"), ("notes", "--notes"),
                  ("source", "--source"))
LIST_FIELDS = ("id", "name", "type", "status", "lng", "lat", "town_code", "source", "address", "host_org",
               "opened_on", "closed_on", "notes", "created_by", "created_at", "updated_by", "updated_at",
               "version")


def build_parser() -> argparse.ArgumentParser:
    from cli.geodata import add_boundary_options

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="SQLite database file (default: SITES_DB)")
    common.add_argument("--lang", choices=["zh", "en"], help="language of messages (default: SITES_LANGUAGE or zh)")
    common.add_argument("--user", help="who is writing, for the audit trail (default: SITES_USER or OS user); "
                        "shared mode: the account to sign in as (password from SITES_PASSWORD or stdin)")
    add_boundary_options(common)

    parser = argparse.ArgumentParser(prog="python -m sites", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", parents=[common], help="import sites from CSV, XLSX or GeoJSON")
    imp.add_argument("file")
    imp.add_argument("--crs", required=True, choices=["wgs84", "gcj02", "bd09"],
                     help="coordinate system of the file's lng/lat (Amap: gcj02, Baidu: bd09, GPS: wgs84)")
    imp.add_argument("--skip-invalid", action="store_true", help="write the valid rows, report the rest")
    imp.add_argument("--allow-outside", action="store_true", help="accept points outside every town")
    imp.add_argument("--allow-duplicates", action="store_true", help="accept likely duplicates (warn only)")
    imp.add_argument("--source", default="import", help="source of rows without one (default: import)")

    for name, helptext in (("list", "list sites as JSON or CSV"), ("export", "export sites to a file")):
        cmd = sub.add_parser(name, parents=[common], help=helptext)
        if name == "export":
            cmd.add_argument("out", help="output file: .csv, .xlsx, .geojson or .gpkg")
        else:
            cmd.add_argument("--format", choices=["json", "csv"], default="json")
        cmd.add_argument("--type", action="append", help="only this type (repeatable; key or Chinese name)")
        cmd.add_argument("--town", action="append", help="only this town code (repeatable)")
        cmd.add_argument("--status", action="append", help="only this status (repeatable)")

    add = sub.add_parser("add", parents=[common], help="add one site")
    upd = sub.add_parser("update", parents=[common], help="change fields of a site")
    upd.add_argument("id", type=int)
    for cmd, required in ((add, {"name", "type", "lng", "lat"}), (upd, set())):
        for fld, flag in _FIELD_OPTIONS:
            cmd.add_argument(flag, dest=fld, required=fld in required)
        cmd.add_argument("--crs", choices=["wgs84", "gcj02", "bd09"], required=cmd is add,
                         help="coordinate system of --lng/--lat" + ("" if cmd is add else " (default: wgs84)"))
        cmd.add_argument("--allow-outside", action="store_true", help="accept a point outside every town")

    close = sub.add_parser("close", parents=[common], help="mark a site closed (a status change)")
    close.add_argument("id", type=int)
    close.add_argument("--on", help="closing date, YYYY-MM-DD (default: today)")
    delete = sub.add_parser("delete", parents=[common], help="delete a site for good (its history is kept)")
    delete.add_argument("id", type=int)
    for cmd in (upd, close, delete):
        cmd.add_argument("--if-version", type=int, metavar="N",
                         help="write only if the site is still at version N (see list); else say what changed "
                         "since, by whom and when, write nothing and exit 2")
    hist = sub.add_parser("history", parents=[common], help="who changed a site, when, from what to what")
    hist.add_argument("id", type=int)
    hist.add_argument("--format", choices=["text", "json"], default="text")
    sub.add_parser("init", parents=[common], help="make a new database (schema and region) and say where it is")
    sub.add_parser("seed-demo", parents=[common], help="load the bundled Nanhai sample (palaces + demo sites)")
    region = sub.add_parser("set-region", parents=[common],
                            help="change the database's region to --boundaries (none: bundled Nanhai)")
    region.add_argument("--allow-outside", action="store_true", help="keep sites outside every new town")
    account_cli.configure(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang: Language = args.lang or default_language()
    from errors import UnreadableFile
    from incidents import cli_failure

    try:
        return _run(args, lang)
    except ImportRejected as exc:  # exit 1 means rows were rejected; a file that cannot be read is 2
        _print_problems(exc.problems, lang)
        return 2 if isinstance(exc, UnreadableFile) else 1
    except ProductError as exc:
        _print_problems(exc.problems, lang)
        return 2
    except FileNotFoundError as exc:
        print(safe(t("sites.cli.file_not_found", lang, path=exc.filename)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001  (last resort: a message and an incident id, never a traceback)
        return cli_failure(exc, lang, files=[getattr(args, "file", None), getattr(args, "boundaries", None)],
                           context=f"python -m sites {args.command}")


def _requested_region(args: argparse.Namespace) -> RegionSpec | None:
    if not args.boundaries:
        return None
    return RegionSpec.file(args.boundaries, crs=args.boundaries_crs, name_field=args.name_field,
                           code_field=args.code_field)


#: Commands that only read: on a database file that does not exist they say so and create nothing.
READ_ONLY_COMMANDS = frozenset({"list", "export", "history"})


def _open_store(args: argparse.Namespace, lang: Language, *, region: RegionSpec | None = None) -> SiteStore:
    """The registry of ``--db``; a write (not a read) makes a missing database, and says where (stderr)."""
    reads = args.command in READ_ONLY_COMMANDS or getattr(args, "user_command", None) in ("list", "log")
    store = SiteStore(args.db, region=region, create=not reads)
    if store.created:
        print(safe(t("sites.db_created", lang, db=store.path.resolve())), file=sys.stderr)
    return store


def _init(args: argparse.Namespace, lang: Language) -> int:
    """``init``: make the database (schema and region) if it does not exist, and say where it is."""
    with _open_store(args, lang, region=_requested_region(args)) as store:
        if not store.created:
            print(safe(t("sites.db_exists", lang, db=store.path.resolve(), region=store.region_spec.describe())))
    return 0


def _run(args: argparse.Namespace, lang: Language) -> int:
    if args.command == "init":
        return _init(args, lang)
    if args.command == "set-region":
        spec = _requested_region(args) or RegionSpec()
        with _open_store(args, lang) as store:
            changed = store.set_region(spec, actor=account_cli.cli_actor(store, args),
                                       allow_outside=args.allow_outside)
        print(safe(t("sites.cli.region_set", lang, region=spec.describe(), changed=changed)))
        return 0
    with _open_store(args, lang, region=_requested_region(args)) as store:
        return _COMMANDS[args.command](store, args, lang, account_cli.cli_actor(store, args))


def _import(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    from sites.io import read_records

    try:
        records = read_records(args.file)
    except ImportRejected as exc:  # the file itself is unusable, no row was checked: exit 2, not "rows rejected"
        from errors import UnreadableFile

        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(exc.problems) from exc
    report = store.import_records(records, actor=actor, crs=args.crs, skip_invalid=args.skip_invalid,
                                  allow_outside=args.allow_outside, allow_duplicates=args.allow_duplicates,
                                  source=args.source)
    _print_problems(report.warnings + report.problems, lang)
    print(t("sites.cli.imported", lang, written=len(report.written), rejected=len(report.rejected_lines)))
    return 1 if report.rejected_lines else 0


def _filtered(store: SiteStore, args: argparse.Namespace) -> list[Site]:
    types = _keys(args.type, type_lookup(store.settings), "sites.type_unknown",
                  ", ".join(sorted(set(type_lookup(store.settings).values()))))
    statuses = _keys(args.status, status_lookup(), "sites.status_unknown", ", ".join(STATUSES))
    return store.list_sites(types=types, towns=args.town, statuses=statuses)


def _keys(values: list[str] | None, lookup: dict[str, str], code: str, allowed: str) -> list[str] | None:
    if values is None:
        return None
    out = []
    for value in values:
        key = lookup.get(" ".join(value.strip().lower().replace("_", " ").split()))
        if key is None:
            from errors import RecordError

            raise RecordError(Problem(code, {"value": value, "allowed": allowed}))
        out.append(key)
    return out


def _list(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    sites = _filtered(store, args)
    rows = [{k: s.to_dict()[k] for k in LIST_FIELDS} for s in sites]
    if args.format == "json":
        print(json_text(rows))
    else:
        from sites.sheets import csv_text

        sys.stdout.write(csv_text(LIST_FIELDS, [[row[k] for k in LIST_FIELDS] for row in rows]))
    return 0


def _export(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    from sites.io import export_sites

    count = export_sites(_filtered(store, args), args.out, towns=store.towns(), lang=lang)
    print(safe(t("sites.cli.exported", lang, count=count, path=args.out)))
    return 0


def _values(args: argparse.Namespace) -> dict[str, object]:
    return {fld: getattr(args, fld) for fld, _ in _FIELD_OPTIONS if getattr(args, fld) is not None}


def _saved(store: SiteStore, site: Site, warnings: list[Problem], lang: Language) -> int:
    _print_problems(warnings, lang)
    town = store.towns().town_name(site.town_code, lang) or "-"
    print(safe(t("sites.cli.saved", lang, id=site.id, name=site.name, town=town)))
    return 0


def _add(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    site, warnings = store.add(_values(args), actor=actor, crs=args.crs, allow_outside=args.allow_outside)
    return _saved(store, site, warnings, lang)


def _update(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    site, warnings = store.update(args.id, _values(args), actor=actor, crs=args.crs or "wgs84",
                                  allow_outside=args.allow_outside, if_version=args.if_version)
    return _saved(store, site, warnings, lang)


def _close(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    from errors import RecordError
    from sites.validation import parse_date

    day = None
    if args.on:
        day = parse_date(args.on)
        if day is None:
            raise RecordError(Problem("sites.date_bad", {"value": args.on}, field="--on"))
    site = store.close(args.id, actor=actor, closed_on=day, if_version=args.if_version)
    print(safe(t("sites.cli.closed", lang, id=site.id, name=site.name)))
    return 0


def _delete(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    site = store.delete(args.id, actor=actor, if_version=args.if_version)
    print(safe(t("sites.cli.deleted", lang, id=site.id, name=site.name)))
    return 0


def _history(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    entries = store.history(args.id)
    if args.format == "json":
        print(json_text([_entry_dict(e) for e in entries]))
        return 0
    for entry in entries:
        print(safe(f"{entry.at}  {entry.actor}  {entry.action}"))
        for fld, (before, after) in entry.changes().items():
            print(safe(f"    {fld}: {_show(before)} → {_show(after)}"))
    return 0


def _seed(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    from sites.demo import seed_demo

    report = seed_demo(store, actor=actor)
    print(t("sites.cli.imported", lang, written=len(report.written), rejected=0))
    return 0


_COMMANDS = {"import": _import, "list": _list, "export": _export, "add": _add, "update": _update,
             "close": _close, "delete": _delete, "history": _history, "seed-demo": _seed,
             "user": account_cli.run}


def _entry_dict(entry: AuditEntry) -> dict[str, object]:
    return {"id": entry.id, "site_id": entry.subject_id, "action": entry.action, "actor": entry.actor,
            "at": entry.at, "before": entry.before, "after": entry.after}


def _show(value: object) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def safe(text: str) -> str:
    """Text for a terminal: control characters (escape sequences, bells) shown escaped."""
    return "".join(ch if ch.isprintable() or ch == "\n" else ch.encode("unicode_escape", "backslashreplace").decode()
                   for ch in text)


def json_text(value: object) -> str:
    """JSON for a terminal: characters a terminal would obey (DEL, C1 controls; JSON escapes the C0 ones
    itself) and lone surrogates written as ``\\uXXXX`` escapes, so the document reads back the same."""
    from sites.sheets import UNSTORABLE

    text = json.dumps(value, ensure_ascii=False, indent=1)
    return UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _print_problems(problems: list[Problem], lang: Language) -> None:
    for problem in problems:
        prefix = f"{t('sites.cli.warning', lang)}{t('sep', lang)}" if problem.level == "warning" else ""
        print(safe(prefix + problem.message(lang)), file=sys.stderr)
