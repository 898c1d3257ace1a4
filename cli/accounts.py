"""``python -m sites user ...``: accounts of a shared deployment, and sign-in for the CLI.

Commands (all take the common options of :mod:`cli.sites`)::

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

import argparse
import getpass
import json
import os
import sys

from accounts.permissions import ROLES, Actor
from accounts.store import Account, AccountStore
from errors import AccessDenied, Problem, RecordError
from i18n import t
from settings import Language
from sites.store import SiteStore, default_actor

#: Commands that need no sign-in in shared mode (the CLI runs where the database file is readable).
READ_COMMANDS = frozenset({"list", "export", "history"})
PASSWORD_ENV = "SITES_PASSWORD"


def configure(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``user`` and its subcommands to the parser of ``python -m sites``."""
    user = sub.add_parser("user", help="accounts of a shared deployment (add, grant, disable, ...)")
    actions = user.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", parents=[common], help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--towns", default="", help="granted town codes, comma-separated (editors)")
    add.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")
    for name, helptext in (("grant", "grant towns to an account"), ("revoke", "take towns from an account")):
        cmd = actions.add_parser(name, parents=[common], help=helptext)
        cmd.add_argument("name")
        cmd.add_argument("--towns", required=True, help="town codes, comma-separated")
    role = actions.add_parser("role", parents=[common], help="change an account's role")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=ROLES)
    passwd = actions.add_parser("passwd", parents=[common], help="set an account's password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")
    for name, helptext in (("disable", "stop an account signing in or writing"), ("enable", "re-enable"),
                           ("unlock", "clear a lockout after wrong passwords")):
        actions.add_parser(name, parents=[common], help=helptext).add_argument("name")
    listing = actions.add_parser("list", parents=[common], help="list accounts")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    log = actions.add_parser("log", parents=[common], help="the security log, newest first")
    log.add_argument("--limit", type=int, default=50)


def cli_actor(store: SiteStore, args: argparse.Namespace) -> Actor:
    """Who runs this command: the local user, or in shared mode the account signed in with its password."""
    name = args.user or default_actor()
    if store.settings.mode == "local" or args.command in READ_COMMANDS:
        return name
    accounts = AccountStore(store)
    if not args.user and not accounts.list_accounts():
        return name  # bootstrapping: only the first admin account can be created this way
    if not args.user:
        raise AccessDenied(Problem("access.sign_in_required"))
    return accounts.authenticate(args.user, _sign_in_password())


def run(store: SiteStore, args: argparse.Namespace, lang: Language, actor: Actor) -> int:
    """Run one ``user`` subcommand."""
    accounts = AccountStore(store)
    command = args.user_command
    if command in ("list", "log"):
        store.authoriser.check_admin(actor, f"account.{command}", "accounts")
    if command == "list":
        rows = [_account_dict(a) for a in accounts.list_accounts()]
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for a in rows:
                state = "disabled" if a["disabled"] else ("locked" if a["locked_until"] else "active")
                print(_safe(f"{a['username']}  {a['role']}  {state}  {','.join(a['towns']) or '-'}"))
        return 0
    if command == "log":
        for e in accounts.security_events(limit=args.limit):
            print(_safe(f"{e.at}  {e.outcome:<6}  {e.actor}  {e.action}  {e.target}  {e.detail}"))
        return 0
    if command == "add":
        account = accounts.add(args.name, role=args.role, password=_new_password(args.password_stdin),
                               towns=_codes(args.towns), actor=actor)
    elif command == "grant":
        account = accounts.grant(args.name, _codes(args.towns), actor=actor)
    elif command == "revoke":
        account = accounts.revoke(args.name, _codes(args.towns), actor=actor)
    elif command == "role":
        account = accounts.set_role(args.name, args.role, actor=actor)
    elif command == "passwd":
        account = accounts.set_password(args.name, _new_password(args.password_stdin), actor=actor)
    else:
        account = {"disable": accounts.disable, "enable": accounts.enable,
                   "unlock": accounts.unlock}[command](args.name, actor=actor)
    print(_safe(t("account.cli.saved", lang, user=account.username, role=account.role,
                  towns=",".join(account.towns) or "-", state=_state(account, lang))))
    return 0


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _stdin_line() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _sign_in_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if sys.stdin.isatty():
        return getpass.getpass(t("account.cli.password_prompt"))
    return _stdin_line()


def _new_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return _stdin_line()
    first = getpass.getpass(t("account.cli.new_password"))
    if getpass.getpass(t("account.cli.new_password_again")) != first:
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


def _safe(text: str) -> str:
    from cli.sites import safe

    return safe(text)
