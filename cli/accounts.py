"""``python -m sites user ...``: accounts of a shared deployment, and sign-in for the command line.

Commands (each takes ``--db``, ``--user``, ``--lang`` and the region options)::

    user add NAME --role viewer|editor|admin [--towns CODE,...] [--password-stdin]
    user grant NAME --towns CODE,...      user revoke NAME --towns CODE,...
    user role NAME --role ROLE            user passwd NAME [--password-stdin]
    user disable NAME   user enable NAME   user unlock NAME
    user list [--format text|json]        user log [--limit N]

A new password is read from a prompt (twice) or, with ``--password-stdin``,
from a line of standard input; never from an argument, which other users
could read in the process list.

Sign-in (``SITES_MODE=shared``): every command except ``list``, ``export`` and
``history`` needs ``--user NAME`` and that account's password, from the
environment variable ``SITES_PASSWORD`` or else the first line of standard
input (a prompt on a terminal). The signed-in account goes through the same
checks as the app (:mod:`accounts.permissions`). The one exception is the first
account of a database (it must be an admin): it can be created without
signing in, from the server's shell. In ``local`` mode nobody signs in and
``--user`` (default ``SITES_USER``, else the OS user) is the local admin.
"""

from __future__ import annotations

import getpass
import os
import sys

import click

from accounts.permissions import ROLES, Actor
from accounts.store import Account, AccountStore
from cli import output
from cli.common import Group, format_option, open_store, region_options, requested_region, store_options
from errors import AccessDenied, Problem, RecordError
from i18n import t
from settings import Language

PASSWORD_ENV = "SITES_PASSWORD"


def cli_actor(store, user: str | None, *, reads: bool = False) -> Actor:
    """Who runs this command: the local user, or in shared mode the account signed in with its password.

    ``store``: the :class:`sites.store.SiteStore`; ``reads``: the command only reads (no sign-in needed).
    """
    from sites.store import default_actor

    name = user or default_actor()
    if store.settings.mode == "local" or reads:
        return name
    accounts = AccountStore(store)
    if not user and not accounts.list_accounts():
        return name  # bootstrapping: only the first admin account can be created this way
    if not user:
        raise AccessDenied(Problem("access.sign_in_required"))
    return accounts.authenticate(user, _sign_in_password())


# ------------------------------------------------------------------------ commands


@click.group("user", cls=Group, help="cli.help.user")
def user_group() -> None:
    pass


def _account_command(name: str, help: str, *, reads: bool = False):
    """A ``user`` subcommand: the common options, then ``body(accounts, actor, lang, **params)``."""

    def decorate(body):
        @user_group.command(name, help=help)
        @store_options()
        @region_options()
        def command(db, user, lang, boundaries, boundaries_crs, name_field, code_field, **params) -> int:
            region = requested_region(boundaries, boundaries_crs, name_field, code_field)
            with open_store(db, lang, region=region, create=not reads) as store:
                actor = cli_actor(store, user, reads=False)
                return body(store, AccountStore(store), actor, lang, **params)

        command.__doc__ = body.__doc__
        return command

    return decorate


def _saved(account: Account, lang: Language) -> int:
    output.echo(t("account.cli.saved", lang, user=account.username, role=account.role,
                  towns=",".join(account.towns) or "-", state=_state(account, lang)))
    return 0


@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="cli.help.user_add.role")
@click.option("--towns", default="", help="cli.help.user_add.towns")
@click.option("--password-stdin", is_flag=True, help="cli.help.opt.password_stdin")
@_account_command("add", "cli.help.user_add")
def _add(store, accounts, actor, lang, *, name, role, towns, password_stdin) -> int:
    return _saved(accounts.add(name, role=role, password=_new_password(password_stdin, lang), towns=_codes(towns),
                               actor=actor), lang)


for _verb, _help in (("grant", "cli.help.user_grant"), ("revoke", "cli.help.user_revoke")):
    def _towns_body(store, accounts, actor, lang, *, name, towns, _verb=_verb) -> int:
        return _saved(getattr(accounts, _verb)(name, _codes(towns), actor=actor), lang)

    click.argument("name")(click.option("--towns", required=True, help="cli.help.opt.towns")(
        _account_command(_verb, _help)(_towns_body)))


@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="cli.help.user_add.role")
@_account_command("role", "cli.help.user_role")
def _role(store, accounts, actor, lang, *, name, role) -> int:
    return _saved(accounts.set_role(name, role, actor=actor), lang)


@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="cli.help.opt.password_stdin")
@_account_command("passwd", "cli.help.user_passwd")
def _passwd(store, accounts, actor, lang, *, name, password_stdin) -> int:
    return _saved(accounts.set_password(name, _new_password(password_stdin, lang), actor=actor), lang)


for _verb, _help, _method in (("disable", "cli.help.user_disable", "disable"),
                              ("enable", "cli.help.user_enable", "enable"),
                              ("unlock", "cli.help.user_unlock", "unlock")):
    def _state_body(store, accounts, actor, lang, *, name, _method=_method) -> int:
        return _saved(getattr(accounts, _method)(name, actor=actor), lang)

    click.argument("name")(_account_command(_verb, _help)(_state_body))


@format_option("text", "json")
@_account_command("list", "cli.help.user_list", reads=True)
def _list(store, accounts, actor, lang, *, fmt) -> int:
    store.authoriser.check_admin(actor, "account.list", "accounts")
    rows = [_account_dict(a) for a in accounts.list_accounts()]
    if fmt == "json":
        output.write_json(rows)
        return 0
    for a in rows:
        state = "disabled" if a["disabled"] else ("locked" if a["locked_until"] else "active")
        output.echo(f"{a['username']}  {a['role']}  {state}  {','.join(a['towns']) or '-'}")
    return 0


@click.option("--limit", type=int, default=50, show_default=True, help="cli.help.user_log.limit")
@_account_command("log", "cli.help.user_log", reads=True)
def _log(store, accounts, actor, lang, *, limit) -> int:
    store.authoriser.check_admin(actor, "account.log", "accounts")
    for e in accounts.security_events(limit=limit):
        output.echo(f"{e.at}  {e.outcome:<6}  {e.actor}  {e.action}  {e.target}  {e.detail}")
    return 0


# ------------------------------------------------------------------------ helpers


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _stdin_line() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _sign_in_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if sys.stdin.isatty():
        from cli.common import language

        return getpass.getpass(t("account.cli.password_prompt", language()))
    return _stdin_line()


def _new_password(from_stdin: bool, lang: Language) -> str:
    if from_stdin or not sys.stdin.isatty():
        return _stdin_line()
    first = getpass.getpass(t("account.cli.new_password", lang))
    if getpass.getpass(t("account.cli.new_password_again", lang)) != first:
        raise RecordError(Problem("account.password_mismatch"))
    return first


def _state(account: Account, lang: Language) -> str:
    key = "disabled" if account.disabled else "locked" if account.locked_until else "active"
    return t(f"account.state.{key}", lang)


def _account_dict(account: Account) -> dict[str, object]:
    return {"username": account.username, "role": account.role, "towns": list(account.towns),
            "disabled": account.disabled, "locked_until": account.locked_until,
            "failed_attempts": account.failed_attempts, "created_by": account.created_by,
            "created_at": account.created_at, "updated_by": account.updated_by, "updated_at": account.updated_at}
