"""Who may change what: roles, the signed-in principal, and the write checks.

Roles (``ROLES``):

* ``viewer``: reads everything, writes nothing.
* ``editor``: adds, edits, closes, deletes and imports sites, but only sites
  whose town is granted to the account, both before and after the change (a
  site cannot be moved into or out of a town the account does not hold). A site
  outside every town belongs to no town, so only an admin may write it.
* ``admin``: everything, including targets, the region and accounts.

A :class:`Principal` is an account as signed in: name, role and granted town
codes. In ``local`` mode (settings ``mode``) the package accepts a plain name as
the actor and treats it as :meth:`Principal.local`, an admin: one person on
their own machine owns their database. In ``shared`` mode a plain name is
refused and a principal is re-read from the accounts table at every write (see
:meth:`Authoriser.principal`), so a revoked grant or a disabled account takes
effect at once.

The checks here return or raise :class:`errors.AccessDenied`. :class:`Authoriser`
is the one authoriser of a database: the site, target and account stores and
the app's upload checks all ask it who is writing and whether they may, and it
writes every refusal to the security log (:mod:`accounts.security_log`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

from accounts.schema import ACCOUNT_MIGRATIONS, COMPONENT
from accounts.security_log import record
from database.connection import Connection, Database, utc_now
from errors import AccessDenied, Problem
from i18n import t
from settings import Settings

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in account (or the local user): ``towns`` are the granted 12-digit town codes."""

    username: str
    role: Role
    towns: frozenset[str] = frozenset()
    #: True for the no-sign-in user of ``local`` mode (never stored in the accounts table).
    local: bool = False

    @classmethod
    def local_user(cls, username: str) -> Principal:
        """The one user of a ``local`` installation: an admin, not an account."""
        return cls(username=username, role="admin", local=True)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_write_town(self, town_code: str | None) -> bool:
        if self.role == "admin":
            return True
        return self.role == "editor" and town_code is not None and town_code in self.towns


#: What the store accepts as ``actor``: a principal, or (``local`` mode only) a plain name.
Actor = str | Principal


class HasTown(Protocol):
    town_code: str | None


def write_problem(principal: Principal, before: HasTown | None, after: HasTown | None, *,
                  town_names: Mapping[str, tuple[str, str]] | None = None,
                  row: int | None = None, file: str | None = None) -> Problem | None:
    """Why ``principal`` may not turn site ``before`` into ``after`` (``None``: allowed).

    ``before`` is ``None`` for a new site, ``after`` ``None`` for a deletion.
    ``town_names`` maps town codes to (Chinese, English) names for the message.
    """
    if principal.role == "admin":
        return None
    if principal.role != "editor":
        return Problem("access.read_only", {"user": principal.username}, file=file, row=row)
    names = town_names or {}
    for site in (before, after):
        if site is None or principal.may_write_town(site.town_code):
            continue
        if site.town_code is None:
            return Problem("access.no_town", {"user": principal.username}, file=file, row=row)
        zh, en = names.get(site.town_code, (site.town_code, site.town_code))
        return Problem("access.town_not_granted", {
            "user": principal.username, "town": zh, "town_en": en, "code": site.town_code,
            **granted_towns(principal, names)}, file=file, row=row)
    return None


def granted_towns(principal: Principal, town_names: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Message parameters naming the towns granted to ``principal`` by name and code: ``granted``
    (桂城街道（440605011000）、…) and ``granted_en`` (``Guicheng Subdistrict (440605011000), …``); ``-``: none."""
    codes = sorted(principal.towns)
    pairs = [(town_names.get(c, (c, c)), c) for c in codes]
    return {"granted": "、".join(f"{zh}（{c}）" for (zh, _), c in pairs) or "-",
            "granted_en": ", ".join(f"{en} ({c})" for (_, en), c in pairs) or "-"}


def check_write(principal: Principal, before: HasTown | None, after: HasTown | None, *,
                town_names: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Raise :class:`errors.AccessDenied` unless ``principal`` may make this site change."""
    problem = write_problem(principal, before, after, town_names=town_names)
    if problem is not None:
        raise AccessDenied(problem)


def admin_only(username: str, action: str) -> Problem:
    """Why ``username`` may not do ``action`` (``target.add``, ``set_region``…): only an admin may. The action
    is named in words in each language (``access.action.<action>``: 新增目标 / add a target), never by its key."""
    return Problem("access.admin_only", {"user": username, "action": t(f"access.action.{action}", "zh"),
                                         "action_en": t(f"access.action.{action}", "en")})


def check_admin(principal: Principal, action: str) -> None:
    """Raise :class:`errors.AccessDenied` unless ``principal`` is an admin (targets, region, accounts)."""
    if principal.role != "admin":
        raise AccessDenied(admin_only(principal.username, action))


def load_principal(conn: Connection, username: str) -> Principal | None:
    """The current role and towns of an enabled account, or ``None`` (missing or disabled)."""
    row = conn.execute("SELECT username, role FROM accounts WHERE username = ? AND disabled = 0",
                       (username,)).fetchone()
    if row is None:
        return None
    towns = [r[0] for r in conn.execute("SELECT town_code FROM account_towns WHERE username = ?", (row[0],))]
    return Principal(username=row[0], role=row[1], towns=frozenset(towns))


class Authoriser:
    """Who is writing to ``database`` and whether they may; every refusal goes to the security log.

    ``settings.mode`` decides how a plain name is taken (:meth:`principal`).
    Creates the account tables (:data:`accounts.schema.ACCOUNT_MIGRATIONS`) if
    the database lacks them.
    """

    def __init__(self, database: Database, settings: Settings):
        self.database = database
        self.settings = settings
        database.migrate(COMPONENT, ACCOUNT_MIGRATIONS)

    def has_accounts(self) -> bool:
        """Whether this database has accounts (a shared deployment: ``local`` mode may not write it)."""
        with self.database.connection() as conn:
            return conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None

    def principal(self, actor: Actor) -> Principal:
        """Who is writing, as the stores trust it.

        ``local`` mode: a plain name is the local user, an admin; a principal is
        taken as given; but a database that has accounts refuses every local-mode
        write (:class:`errors.AccessDenied` saying to set ``SITES_MODE=shared`` and
        sign in), whatever ``--user`` says. ``shared`` mode: a plain name is refused
        (sign in first) and a principal's role and towns are read again from the
        accounts table (:class:`errors.AccessDenied` if it is gone or disabled).
        Every refusal is logged.
        """
        name = actor.username if isinstance(actor, Principal) else str(actor)
        if self.settings.mode == "local":
            if not self.has_accounts():
                return actor if isinstance(actor, Principal) else Principal.local_user(str(actor))
            # The database remembers it is shared: no one writes it without signing in.
            problem = Problem("access.local_mode_has_accounts", {"db": str(self.database.path)})
        elif not isinstance(actor, Principal) or actor.local:
            problem = Problem("access.sign_in_required")
        else:
            with self.database.connection() as conn:
                current = load_principal(conn, actor.username)
            if current is not None:
                return current
            problem = Problem("access.account_gone", {"user": name})
        refusal = AccessDenied(problem)
        self.log_denial(name, "write", "-", refusal)
        raise refusal

    def check_admin(self, actor: Actor, action: str, target: str) -> Principal:
        """The principal if it is an admin (targets, region, accounts); else log, raise :class:`errors.AccessDenied`."""
        principal = self.principal(actor)
        with self.denials(principal, action, target):
            check_admin(principal, action)
        return principal

    def check_role(self, actor: Actor, roles: tuple[Role, ...], action: str, target: str) -> Principal:
        """The principal if its role is one of ``roles``; else log ``action`` on ``target`` and raise.

        For a step that is no record write but must be refused all the same
        (reading an uploaded file on the server): ``roles`` without ``editor``
        say the step is for admins, with it that the account may only view.
        """
        principal = self.principal(actor)
        if principal.role in roles:
            return principal
        problem = (Problem("access.read_only", {"user": principal.username}) if "editor" in roles
                   else admin_only(principal.username, action))
        refusal = AccessDenied(problem)
        self.log_denial(principal.username, action, target, refusal)
        raise refusal

    @contextmanager
    def denials(self, principal: Principal, action: str, target: str) -> Iterator[None]:
        """Log an :class:`errors.AccessDenied` raised inside (after its transaction rolled back), then re-raise."""
        try:
            yield
        except AccessDenied as exc:
            self.log_denial(principal.username, action, target, exc)
            raise

    def log_denial(self, actor: str, action: str, target: str, exc: AccessDenied) -> None:
        """Write one refused attempt to the security log (in English, the log's language)."""
        with self.database.write_transaction() as conn:
            record(conn, at=utc_now(), actor=actor, action=action, target=target, outcome="denied",
                   detail=exc.message("en"))
