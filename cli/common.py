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

Help (``--help``/``-h``) is in the language of the messages: :func:`choose_language` (``--lang`` anywhere on
the command line, else ``SITES_LANGUAGE``, else ``zh``). Every help text in the code is a key of
``i18n/tables/cli_help.py`` (``help="cli.help.…"``), worded when the help is formatted (:class:`HelpText`),
click's own words (Usage, Options, Commands, [default: …], [required]) included.
"""

from __future__ import annotations

import datetime
import sys
import unicodedata
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


#: Where :meth:`HelpText.parse_args` keeps the ``--lang`` value found on the command line (``ctx.meta`` is
#: shared by a group's context and its command's).
LANG_ON_COMMAND_LINE = "cli.lang_on_command_line"
#: The prefix of a help text's key: ``help="cli.help.…"`` is worded when help is formatted.
HELP_KEY_PREFIX = "cli.help."


def choose_language(ctx: click.Context | None, value: str | None = None) -> Language:
    """The one rule for a command's language, of its messages and of its help: ``value`` (its ``--lang``), else
    a ``--lang`` anywhere on the command line, else ``SITES_LANGUAGE``, else ``zh``."""
    found = value or (ctx.meta.get(LANG_ON_COMMAND_LINE) if ctx is not None else None)
    return found if found in LANGUAGES else default_language()  # type: ignore[return-value]


def _lang_in(args: Sequence[str]) -> str | None:
    """The last ``--lang X`` / ``--lang=X`` of ``args`` (before a ``--``), or ``None``."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    return found


#: The values of help texts with ``{placeholders}``: key -> parameters (see :func:`help_key`).
_HELP_PARAMS: dict[str, dict[str, object]] = {}


def help_key(key: str, **params: object) -> str:
    """``help=help_key("cli.help.…", factor=2.0)``: a help text's key with the values of its placeholders."""
    _HELP_PARAMS[key] = params
    return key


def help_text(text: str | None, lang: Language) -> str:
    """A help text in ``lang``: a ``cli.help.…`` key worded, anything else as it is."""
    if text and text.startswith(HELP_KEY_PREFIX):
        return t(text, lang, **_HELP_PARAMS.get(text, {}))
    return text or ""


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (a Chinese character takes two)."""
    return sum(2 if _is_wide(ch) else 1 for ch in text)


#: Characters a line does not start with (they stay with the word before them), and does not end with.
_CLOSING = frozenset("，。；：、）》」』”’,.;:)]!?！？")
_OPENING = frozenset("（《「『“‘([")


def _is_wide(ch: str) -> bool:
    """A character that takes two columns on a terminal (Chinese characters and punctuation)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns: a line may break at a space or between two
    Chinese characters, never inside a Latin word, option name, number or ``[default: …]``, nor before closing
    punctuation."""
    tokens: list[str] = []  # words, single wide characters, and the spaces between words
    word = ""
    for ch in " ".join(text.split("\n")):
        if word.startswith("[") and "]" not in word:  # "[默认：open]" is kept whole
            word += ch
        elif ch == " " or _is_wide(ch):
            if word:
                tokens.append(word)
                word = ""
            if ch == " " and tokens and tokens[-1].isspace():
                tokens[-1] += ch  # "help  [default: x]" keeps its two spaces
            else:
                tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    lines: list[str] = []
    line = ""
    for i, token in enumerate(tokens):
        if token.isspace():
            if line:
                line += token
            continue
        tail = token  # the token and the closing punctuation that must stay with it
        for after in tokens[i + 1:]:
            if after not in _CLOSING:
                break
            tail += after
        if line and _width(line.rstrip() + tail) > width and token not in _CLOSING:
            carry = ""
            while line and line[-1] in _OPENING:  # an opening bracket goes to the next line with its word
                line, carry = line[:-1], line[-1] + carry
            lines.append(line.rstrip())
            line = carry
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


class _HelpFormatter(click.HelpFormatter):
    """Click's formatter, wrapping by terminal columns (a Chinese character takes two) with :func:`_wrap`."""

    def write_heading(self, heading: str) -> None:
        colon = "：" if heading and _is_wide(heading[-1]) else ":"  # 选项：/ Options:
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for line in _wrap(text, max(self.width - self.current_indent, 11)):
            self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((len(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - len(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _wrap(second, max(self.width - first_col - 2, 10))
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class _HelpContext(click.Context):
    formatter_class = _HelpFormatter


class HelpText:
    """``--help`` in the command's language (:func:`choose_language`): the command's help, its short help in a
    group's list, every option's help and click's own words, worded from ``cli.help.*`` keys when the help is
    formatted. Mixed into :class:`Command` and :class:`Group`."""

    context_class = _HelpContext

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        found = _lang_in(args)
        if found is not None:
            ctx.meta[LANG_ON_COMMAND_LINE] = found
        return super().parse_args(ctx, args)  # type: ignore[misc]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "cli.help.word.show_help"
        return option

    def get_short_help_str(self, limit: int = 45) -> str:
        ctx = click.get_current_context(silent=True)
        lang = choose_language(ctx)
        text = help_text(self.short_help or self.help, lang)  # type: ignore[attr-defined]
        text = " ".join(text.split())
        if _width(text) <= limit:
            return text
        if lang == "zh":
            return _wrap(text, limit - 3)[0].rstrip("，；：、（") + "..."
        cut = ""
        for word in text.split():  # English: whole words (a Chinese header name in it stays whole)
            if _width(f"{cut} {word}") > limit - 3:
                break
            cut = f"{cut} {word}".strip()
        return cut.rstrip(",;:(") + "..."

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        word = t("cli.help.word.usage", choose_language(ctx))  # "用法：" / "Usage:"
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=word if word.endswith("：") else f"{word} ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = help_text(self.help, choose_language(ctx))  # type: ignore[attr-defined]
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = choose_language(ctx)
        rows = [row for param in self.get_params(ctx)  # type: ignore[attr-defined]
                if (row := _help_row(param, ctx, lang)) is not None]
        if rows:
            with formatter.section(t("cli.help.word.options", lang)):
                formatter.write_dl(rows)


def _help_row(param: click.Parameter, ctx: click.Context, lang: Language) -> tuple[str, str] | None:
    """One line of the options' list: the option's names and metavar, then its help and click's
    ``[default: …; required]`` in ``lang``."""
    record = param.get_help_record(ctx)
    if isinstance(param, click.Argument):  # named in the usage line; listed only with a help text of its own
        return (record[0], help_text(param.help, lang)) if record is not None and param.help else None
    if record is None or not isinstance(param, click.Option):
        return record
    text = help_text(param.help, lang)
    extra = param.get_help_extra(ctx)
    items = []
    if "envvars" in extra:
        items.append(t("cli.help.word.env_var", lang, var=", ".join(extra["envvars"])))
    if "default" in extra:
        items.append(t("cli.help.word.default", lang, default=extra["default"]))
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(t("cli.help.word.required", lang))
    if items:
        joined = t("cli.help.word.separator", lang).join(items)
        text = f"{text}  [{joined}]" if text else f"[{joined}]"
    return record[0], text


class Command(HelpText, click.Command):
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


class Group(HelpText, click.Group):
    """A group whose commands and subgroups are :class:`Command` and :class:`Group`; ``-h`` is ``--help``
    (as it was before click), for the group and every command under it. Its help lists the commands with
    their short help in the command's language."""

    command_class = Command
    group_class = type  # subgroups are of this same class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {}).setdefault("help_option_names", ["-h", "--help"])
        super().__init__(*args, **kwargs)
        # ``python -m sites --lang en --help``: the group takes --lang too (its commands follow it)
        self.params.append(click.Option(["--lang"], type=click.Choice(LANGUAGES), callback=_set_lang,
                                        is_eager=True, expose_value=False, help="cli.help.opt.lang"))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        with formatter.section(t("cli.help.word.commands", choose_language(ctx))):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])

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
        output.echo(_click_error(exc), err=True)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        return 130
    except Exception as exc:  # noqa: BLE001  (the last resort: a message, an incident id, never a traceback)
        return cli_failure(exc, inv.lang, files=inv.files, context=inv.command or prog)
    return int(code or 0)


def _click_error(exc: click.ClickException) -> str:
    """A usage error as click shows it, its words in the command's language: the usage line, where to find
    help, then ``Error: message`` (the message is click's or, for a bad value, the product's own)."""
    ctx = getattr(exc, "ctx", None)
    lang = choose_language(ctx)
    lines: list[str] = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            option = max(ctx.command.get_help_option_names(ctx), key=len)
            lines.append(t("cli.help.word.try_help", lang, command=f"{ctx.command_path} {option}"))
        lines.append("")
    lines.append(t("cli.help.word.error", lang, message=exc.format_message()))
    return "\n".join(lines)


# ------------------------------------------------------------------------ options


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> Language:
    lang = choose_language(ctx, value)
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
    help="cli.help.opt.lang")
db_option: Decorator = click.option("--db", metavar="PATH", help="cli.help.opt.db")
user_option: Decorator = click.option(
    "--user", help="cli.help.opt.user")


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
        decorators.append(click.option("--boundaries", metavar="FILE", help="cli.help.opt.boundaries"))
    decorators += [
        crs_option(*crs_flags, help="cli.help.opt.boundaries_crs"),
        click.option("--name-field", help="cli.help.opt.name_field"),
        click.option("--code-field", help="cli.help.opt.code_field"),
    ]
    return _stack(*decorators)


def format_option(*choices: str, default: str | None = None) -> Decorator:
    """``--format`` with ``choices`` (default: the first)."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default or choices[0],
                        show_default=True, help="cli.help.opt.format")


output_option: Decorator = click.option("--output", "-o", metavar="FILE",
                                        help="cli.help.opt.output")


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
                     help="cli.help.opt.demand"),
        click.option("--demand-layer", metavar="NAME",
                     help="cli.help.opt.demand_layer"),
        click.option("--weight-field", metavar="W", help="cli.help.opt.weight_field"),
        crs_option("--demand-crs", default="wgs84",
                   help="cli.help.opt.demand_crs"),
    )


def distance_options() -> Decorator:
    """``--distance straight|network``, ``--network FILE --network-crs``, ``--walk-minutes``,
    ``--walk-speed-kmh``, ``--max-access-m``: how reach is measured (straight line, or walked along the
    streets of the stored network or of a file used without storing it)."""
    return _stack(
        click.option("--distance", type=click.Choice(["straight", "network"]), default="straight",
                     show_default=True, help="cli.help.opt.distance"),
        click.option("--network", metavar="FILE", help="cli.help.opt.network"),
        crs_option("--network-crs", help="cli.help.opt.network_crs"),
        click.option("--walk-minutes", type=float, help="cli.help.opt.walk_minutes"),
        click.option("--walk-speed-kmh", type=float, default=4.5, show_default=True,
                     help="cli.help.opt.walk_speed_kmh"),
        click.option("--max-access-m", type=float, default=200.0, show_default=True,
                     help="cli.help.opt.max_access_m"),
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
