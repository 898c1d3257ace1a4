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
:meth:`sites.store.SiteStore.principal`), so a revoked grant or a disabled
account takes effect at once.

The checks here return or raise :class:`errors.AccessDenied`; the store calls
them inside every write and logs the refusal (:mod:`accounts.security_log`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from errors import AccessDenied, Problem

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
            "granted": ", ".join(sorted(principal.towns)) or "-"}, file=file, row=row)
    return None


def check_write(principal: Principal, before: HasTown | None, after: HasTown | None, *,
                town_names: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Raise :class:`errors.AccessDenied` unless ``principal`` may make this site change."""
    problem = write_problem(principal, before, after, town_names=town_names)
    if problem is not None:
        raise AccessDenied(problem)


def check_admin(principal: Principal, action: str) -> None:
    """Raise :class:`errors.AccessDenied` unless ``principal`` is an admin (targets, region, accounts)."""
    if principal.role != "admin":
        raise AccessDenied(Problem("access.admin_only", {"user": principal.username, "action": action}))
