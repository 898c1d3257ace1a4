"""What every command of the command line shares: options, the registry and the one error handler.

The three programs (``python -m sites``, ``-m scoring``, ``-m geodata``) are
click groups built on :class:`Group`, and run through :func:`run`, the one
place that turns an outcome into an exit status:

* 0 — everything asked was done;
* 1 — an import rejected rows (with or without ``--skip-invalid``);
* 2 — bad input or usage: an unknown option or value (click's usage errors),
  a named error of :mod:`errors`, a file that cannot be read, a refused write,
  and, as the last resort, an unexpected error (:func:`incidents.cli_failure`
  logs it and shows an incident id, never a traceback);
* 130 — interrupted (Ctrl-C).

The options are defined once here and used by every command that needs them:
``--db PATH`` (default ``SITES_DB``), ``--lang zh|en`` (default
``SITES_LANGUAGE``, else ``zh``), ``--user NAME``, a coordinate-system option
(:data:`CRS`: ``wgs84|gcj02|bd09`` and the aliases of
:meth:`geodata.crs.CoordSystem.parse`) and the region options ``--boundaries
FILE``, ``--boundaries-crs``, ``--name-field``, ``--code-field``.
"""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from cli import output
from i18n import default_language, t, use_language
from settings import LANGUAGES, Language

#: The coordinate systems, as the options show them.
CRS_NAMES: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
#: Parameters that name a user's input file: an unreadable file is reported against them.
INPUT_FILE_PARAMS: tuple[str, ...] = ("file", "input", "boundaries", "demand", "candidates", "names_file", "network")


# ------------------------------------------------------------------ one invocation


@dataclass
class Invocation:
    """What :func:`run` needs to report a failure: the language, the command and its input files."""

    lang: Language = field(default_factory=default_language)
    command: str = ""
    files: list[str] = field(default_factory=list)


def _invocation() -> Invocation:
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Invocation) if ctx else None
    return found or Invocation()


def language() -> Language:
    """The language of the running command (``--lang``, else ``SITES_LANGUAGE``, else ``zh``)."""
    return _invocation().lang


class Command(click.Command):
    """A command that tells :func:`run` which command it is and which input files it was given.

    A long option may be shortened to any unambiguous prefix (``--skip`` for ``--skip-invalid``), as the
    command lines took it before click; an ambiguous one is a usage error that lists the candidates.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {}).setdefault("token_normalize_func", self._long_option)
        super().__init__(*args, **kwargs)

    def _long_option(self, token: str) -> str:
        """An option's name (click passes it without its dashes) completed from a unique prefix."""
        names = {name.lstrip("-") for param in self.params for name in (*param.opts, *param.secondary_opts)}
        names |= {"help", "h"}
        if token in names:
            return token
        hits = [name for name in names if name.startswith(token)]
        return hits[0] if len(hits) == 1 else token

    def invoke(self, ctx: click.Context) -> Any:
        inv = ctx.find_object(Invocation)
        if inv is None:
            return super().invoke(ctx)
        inv.command = ctx.command_path
        inv.files = [str(ctx.params[name]) for name in INPUT_FILE_PARAMS if ctx.params.get(name)]
        with use_language(inv.lang):  # texts worded deep inside without a language follow --lang
            return super().invoke(ctx)


class Group(click.Group):
    """A group whose commands and subgroups are :class:`Command` and :class:`Group`; ``-h`` is ``--help``
    (as it was before click), for the group and every command under it."""

    command_class = Command
    group_class = type  # subgroups are of this same class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {}).setdefault("help_option_names", ["-h", "--help"])
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        inv = ctx.find_object(Invocation)
        if inv is not None and not inv.command:
            inv.command = ctx.command_path
        return super().invoke(ctx)


def run(group: click.Group, argv: Sequence[str] | None, prog: str) -> int:
    """Run ``group`` on ``argv`` (default: the process's arguments) and return the exit status.

    The one error handler of the command line: usage errors exit 2 with click's message; every other
    failure goes to :func:`incidents.cli_failure` (1 for rejected rows, else 2; no traceback).
    """
    from incidents import cli_failure

    inv = Invocation()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = group.main(args=args, prog_name=prog, standalone_mode=False, obj=inv)
    except click.ClickException as exc:  # usage: unknown option, bad value, missing argument
        buffer = io.StringIO()
        exc.show(file=buffer)
        output.echo(buffer.getvalue().rstrip("\n"), err=True)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        return 130
    except Exception as exc:  # noqa: BLE001  (the last resort: a message, an incident id, never a traceback)
        return cli_failure(exc, inv.lang, files=inv.files, context=inv.command or prog)
    return int(code or 0)


# ------------------------------------------------------------------------ options


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> Language:
    lang: Language = value or default_language()  # type: ignore[assignment]
    inv = ctx.find_object(Invocation)
    if inv is not None:
        inv.lang = lang
    return lang


class CoordSystemType(click.ParamType):
    """``wgs84``, ``gcj02`` or ``bd09`` (and their aliases, e.g. ``amap``, ``百度``); the value is the key."""

    name = "|".join(CRS_NAMES)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from errors import CRSError
        from geodata.crs import CoordSystem

        try:
            return CoordSystem.parse(value).value
        except CRSError as exc:
            self.fail(exc.message(language()), param, ctx)

    def get_metavar(self, param: click.Parameter, *args: Any, **kwargs: Any) -> str:  # click 8.1 and 8.2+
        return "[" + "|".join(CRS_NAMES) + "]"


#: The one coordinate-system parameter type of the command line.
CRS = CoordSystemType()


class IsoDate(click.ParamType):
    """A date as ``YYYY-MM-DD``."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime.date:
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


DATE = IsoDate()

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _stack(*decorators: Decorator) -> Decorator:
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


lang_option: Decorator = click.option(
    "--lang", type=click.Choice(LANGUAGES), callback=_set_lang, is_eager=True, expose_value=True,
    help="language of messages (default: SITES_LANGUAGE, else zh)")
db_option: Decorator = click.option("--db", metavar="PATH", help="SQLite database file (default: SITES_DB)")
user_option: Decorator = click.option(
    "--user", help="who is writing, for the audit trail (default: SITES_USER or the OS user); shared mode: the "
    "account to sign in as (password from SITES_PASSWORD or standard input)")


def crs_option(*flags: str, required: bool = False, default: str | None = None, help: str = "") -> Decorator:
    """A coordinate-system option (``--crs``, ``--demand-crs``, ...) of type :data:`CRS`."""
    return click.option(*flags, type=CRS, required=required, default=default, show_default=default is not None,
                        help=help)


def region_options(*, file_argument: bool = False) -> Decorator:
    """``--boundaries FILE --boundaries-crs --name-field --code-field``: the region's boundary file.

    ``file_argument``: the file is the command's subject (``geodata info [FILE]``), given as an argument;
    there ``--crs`` is an alias of ``--boundaries-crs`` (elsewhere ``--crs`` is the system of the points).
    """
    crs_flags = ("--boundaries-crs", "--crs", "boundaries_crs") if file_argument else ("--boundaries-crs",)
    decorators: list[Decorator] = []
    if not file_argument:
        decorators.append(click.option("--boundaries", metavar="FILE", help="boundary file of the region's towns "
                                       "(default: the region the database remembers)"))
    decorators += [
        crs_option(*crs_flags, help="coordinate system of the boundary file when it has none or is GCJ-02/BD-09"),
        click.option("--name-field", help="field holding the town name (default: detected)"),
        click.option("--code-field", help="field holding the town code (default: detected)"),
    ]
    return _stack(*decorators)


def format_option(*choices: str, default: str | None = None) -> Decorator:
    """``--format`` with ``choices`` (default: the first)."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default or choices[0],
                        show_default=True, help="output format")


output_option: Decorator = click.option("--output", "-o", metavar="FILE",
                                        help="write here instead of standard output")


def store_options(*, user: bool = True) -> Decorator:
    """``--db`` (and ``--user``) and ``--lang``: the options of every command that opens the registry."""
    return _stack(db_option, *([user_option] if user else []), lang_option)


# ------------------------------------------------------------------------ registry


def requested_region(boundaries: str | None, boundaries_crs: str | None = None, name_field: str | None = None,
                     code_field: str | None = None, *, names_file: str | None = None, region_name: str | None = None):
    """The :class:`sites.region.RegionSpec` the region options name, or ``None`` without ``--boundaries``."""
    from sites.region import RegionSpec

    if not boundaries:
        return None
    return RegionSpec.file(boundaries, crs=boundaries_crs, name_field=name_field, code_field=code_field,
                           names_file=names_file, region_name=region_name)


def open_store(db: str | None, lang: Language, *, region=None, create: bool = True):
    """The registry of ``--db``. ``create``: a write makes a missing database and says where (standard
    error); a read (``create=False``) refuses a missing one and creates nothing."""
    from sites.store import SiteStore

    store = SiteStore(db, region=region, create=create)
    if store.created:
        output.echo(t("sites.db_created", lang, db=store.path.resolve()), err=True)
    return store


def load_region_and_sites(db: str | None, boundaries: str | None = None, boundaries_crs: str | None = None,
                          name_field: str | None = None, code_field: str | None = None):
    """``(region, sites frame)`` from the registry (a read): the region of ``--boundaries`` if given, else the one
    the database remembers."""
    from geodata.boundaries import load_region
    from sites.store import SiteStore

    with SiteStore(db, create=False) as store:  # a read: a missing database is an error
        region = (
            load_region(boundaries, crs=boundaries_crs, name_field=name_field, code_field=code_field,
                        crs_required=True, missing_names="codes")  # a user file's CRS is never assumed
            if boundaries else store.region()
        )
        sites = store.sites_frame()  # straight from the table: no Site object per row
    return region, sites


def load_demand_layer(demand: str | None, weight_field: str | None, demand_crs: str | None, region, *,
                      db: str | None = None, layer: str | None = None):
    """The demand layer of ``--demand-layer NAME`` (stored in the registry ``--db``) or of ``--demand FILE`` on
    ``region``'s towns, or ``None``."""
    if layer:
        from demand.store import DemandStore
        from sites.store import SiteStore

        with SiteStore(db, create=False) as store:
            return DemandStore(store).load(layer)
    if not demand:
        return None
    from scoring.demand import load_demand

    return load_demand(demand, weight_field=weight_field, towns=region.towns, metric_crs=region.metric_crs,
                       coords=demand_crs or "wgs84")


def demand_options() -> Decorator:
    """``--demand FILE --weight-field W --demand-crs``: the demand layer of coverage, siting and targets."""
    return _stack(
        click.option("--demand", metavar="FILE",
                     help="demand layer: points CSV/GeoJSON, GeoTIFF, or town totals CSV"),
        click.option("--demand-layer", metavar="NAME",
                     help="a demand layer stored in the registry (python -m sites demand-add); targets use the "
                     "layer each names without this"),
        click.option("--weight-field", metavar="W", help="the demand layer's weight field"),
        crs_option("--demand-crs", default="wgs84",
                   help="coordinate system of demand points given as longitude/latitude"),
    )


def distance_options() -> Decorator:
    """``--distance straight|network``, ``--network FILE --network-crs``, ``--walk-minutes``,
    ``--walk-speed-kmh``, ``--max-access-m``: how reach is measured (straight line, or walked along the
    streets of the stored network or of a file used without storing it)."""
    return _stack(
        click.option("--distance", type=click.Choice(["straight", "network"]), default="straight",
                     show_default=True, help="straight-line distance, or walking distance along the streets"),
        click.option("--network", metavar="FILE", help="street network to walk on (.osm.pbf or lines file), "
                     "clipped to the region, not stored (default: the one stored with set-network)"),
        crs_option("--network-crs", help="coordinate system of --network (required with it)"),
        click.option("--walk-minutes", type=float, help="radius as minutes of walking (at --walk-speed-kmh) "
                     "instead of --radius-m"),
        click.option("--walk-speed-kmh", type=float, default=4.5, show_default=True,
                     help="walking speed that turns minutes into metres"),
        click.option("--max-access-m", type=float, default=200.0, show_default=True,
                     help="a site or demand point farther than this from every street joins nothing (flagged)"),
    )


def load_network(db: str | None, network: str | None, network_crs: str | None, region, mode: str = "walk"):
    """The street network of network mode: ``--network FILE`` read and clipped to ``region`` (not stored),
    else the one stored in the registry; :class:`errors.RecordError` (``scoring.no_network``) if neither."""
    from errors import Problem, RecordError

    if network:
        from geodata.network import read_network
        from sites.network_store import region_outline

        if not network_crs:
            raise RecordError(Problem("network.crs_needed", {"file": network}))
        return read_network(network, crs=network_crs, mode=mode, region=region_outline(region))
    from sites.network_store import NetworkStore
    from sites.store import SiteStore

    with SiteStore(db, create=False) as store:
        stored = NetworkStore(store).load(mode)
    if stored is None:
        raise RecordError(Problem("scoring.no_network"))
    return stored


def comma_list(text: str | None) -> list[str]:
    """``a, b,c`` → ``["a", "b", "c"]``."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]
