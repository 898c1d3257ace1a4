"""Local accounts of a shared deployment: passwords, roles, town grants, lockout, sessions.

The tables live in the registry database as the component ``"accounts"``
(:data:`accounts.schema.ACCOUNT_MIGRATIONS`, applied by the database's
:class:`~accounts.permissions.Authoriser`):

* ``accounts``: user name (unique, case-insensitive), role, the argon2id hash of
  the password (``argon2-cffi``; the password itself is never stored or
  logged), a disabled flag, the count of wrong passwords in a row and
  ``locked_until``;
* ``account_towns``: the town codes granted to an editor;
* ``sessions``: SHA-256 of each session token (the token itself only goes to
  the signed-in client) and when it expires;
* ``security_log``: see :mod:`accounts.security_log`.

Lockout: ``settings.lockout_attempts`` wrong passwords in a row lock the
account for ``settings.lockout_minutes``; while locked, even the right password
is refused. The count is race-free: each attempt first *reserves* its slot in one
``BEGIN IMMEDIATE`` transaction (refused at once if locked; the slot that reaches
the limit sets the lock), then verifies the password outside any transaction
(argon2 never holds the write lock), then records the outcome; so N parallel
attempts verify at most ``lockout_attempts`` passwords per lock period, and a
right password after them is refused while the lock lasts. A right password
clears the count and the lock (only its holder can do that).

No enumeration: a name without an account gets the same treatment, in
``sign_in_failures``: its wrong passwords are counted and lock it the same way,
the password is verified against a dummy argon2id hash of the same cost, and
the refusals are the same :class:`errors.Problem` (code and text:
``access.bad_credentials``, then ``access.locked`` with the same time). Only
the right password of a disabled account says it is disabled. Sessions end ``settings.session_hours`` after sign-in, when the
account is disabled, or at sign-out.

Every change of an account needs an admin (:meth:`Authoriser.check_admin
<accounts.permissions.Authoriser.check_admin>`), except the very first account of
a database, which must be an admin (bootstrapping a shared deployment from the
server's command line). Every change is also written to the one audit trail
(:mod:`database.audit`, kind ``account``): the account before and after (role,
towns, disabled, lock), never a password or its hash; a new password is the
action ``password``.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from accounts.permissions import ROLES, Actor, Principal, Role, load_principal
from accounts.security_log import SecurityEvent, events, record
from database import audit
from database.connection import Connection, now_utc, parse_utc, utc_text
from errors import AccessDenied, NotFound, Problem, RecordError

if TYPE_CHECKING:
    from sites.store import SiteStore

MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 64

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes)
_DUMMY_HASH: list[str] = []


@dataclass(frozen=True, slots=True)
class Account:
    """An account as stored (without its password hash)."""

    username: str
    role: Role
    towns: tuple[str, ...]
    disabled: bool
    failed_attempts: int
    locked_until: str | None
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str

    def principal(self) -> Principal:
        return Principal(username=self.username, role=self.role, towns=frozenset(self.towns))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(name: str) -> str:
    """The user name as stored: NFKC, stripped; :class:`errors.RecordError` if unusable."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    if not text or len(text) > MAX_USERNAME_LENGTH or any(ch.isspace() or not ch.isprintable() for ch in text):
        raise RecordError(Problem("account.username_bad", {"max": MAX_USERNAME_LENGTH}))
    return text


def possible_username(name: str) -> bool:
    """Whether ``name`` could be an account's name as stored (:func:`normalise_username`'s rule)."""
    try:
        return normalise_username(name) == name
    except RecordError:
        return False


def printable(text: str) -> str:
    """``text`` with every character that is not printable (NUL, ESC, newline…) written as ``\\uXXXX``: a name
    that is no account's, as the security log and messages keep it."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


class AccountStore:
    """Accounts of one registry database. ``clock`` gives the time (UTC), for tests of expiry.

    ``sites``: the site store of the database; the accounts use its database,
    its authoriser and its region (the towns an editor may be granted).
    """

    def __init__(self, sites: SiteStore, *, clock: Callable[[], datetime.datetime] = now_utc):
        self.database = sites.database
        self.authoriser = sites.authoriser
        self.settings = sites.settings
        self._towns = sites.towns
        self._clock = clock

    # -------------------------------------------------------------------- reads

    def list_accounts(self) -> list[Account]:
        with self.database.read_transaction() as conn:
            names = [r[0] for r in conn.execute("SELECT username FROM accounts ORDER BY username")]
            return [self._get(conn, n) for n in names]

    def get(self, username: str) -> Account:
        """The account; :class:`errors.NotFound` if there is none."""
        with self.database.read_transaction() as conn:
            return self._get(conn, username)

    def security_events(self, *, actor: str | None = None, limit: int = 1000) -> list[SecurityEvent]:
        """The newest security-log events (sign-ins, refusals, account changes), newest first."""
        with self.database.read_transaction() as conn:
            return events(conn, actor=actor, limit=limit)

    # ------------------------------------------------------------------- writes

    def add(self, username: str, *, role: str, password: str, towns: Iterable[str] = (),
            actor: Actor) -> Account:
        """Create an account (admin only, except the first account of a database, which must be an admin).

        ``towns`` are granted town codes of the database's region (for editors).
        """
        username = normalise_username(username)
        role_ = _role(role)
        _check_password(password)
        codes = self._town_codes(towns)
        with self.database.read_transaction() as conn:
            empty = conn.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0
        if empty and role_ == "admin":
            by = actor.username if isinstance(actor, Principal) else str(actor)
        else:
            by = self.authoriser.check_admin(actor, "account.add", f"account:{username}").username
        password_hash = _HASHER.hash(password)
        now = utc_text(self._clock())
        with self.database.write_transaction() as conn:
            if conn.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
                raise RecordError(Problem("account.exists", {"user": username}))
            conn.execute("INSERT INTO accounts (username, role, password_hash, created_by, created_at, updated_by, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (username, role_, password_hash, by, now, by, now))
            conn.executemany("INSERT INTO account_towns (username, town_code) VALUES (?, ?)",
                             [(username, c) for c in codes])
            record(conn, at=now, actor=by, action="account.add", target=f"account:{username}", outcome="ok",
                   detail=f"role={role_} towns={','.join(codes)}")
            account = self._get(conn, username)
            audit.record(conn, "account", account.username, "create", actor=by, at=now, before=None,
                         after=_audited(account))
            return account

    def grant(self, username: str, towns: Iterable[str], *, actor: Actor) -> Account:
        """Add town codes to an account's grants."""
        codes = self._town_codes(towns)
        return self._change(username, "account.grant", actor, f"towns+={','.join(codes)}",
                            lambda conn, name: conn.executemany(
                                "INSERT OR IGNORE INTO account_towns (username, town_code) VALUES (?, ?)",
                                [(name, c) for c in codes]))

    def revoke(self, username: str, towns: Iterable[str], *, actor: Actor) -> Account:
        """Remove town codes from an account's grants."""
        codes = [str(c).strip() for c in towns]
        return self._change(username, "account.revoke", actor, f"towns-={','.join(codes)}",
                            lambda conn, name: conn.executemany(
                                "DELETE FROM account_towns WHERE username = ? AND town_code = ?",
                                [(name, c) for c in codes]))

    def set_role(self, username: str, role: str, *, actor: Actor) -> Account:
        role_ = _role(role)

        def apply(conn: Connection, name: str) -> None:
            if role_ != "admin":
                self._keep_an_admin(conn, name)
            conn.execute("UPDATE accounts SET role = ? WHERE username = ?", (role_, name))

        return self._change(username, "account.role", actor, f"role={role_}", apply)

    def set_password(self, username: str, password: str, *, actor: Actor) -> Account:
        """Set a new password (admin only); ends the account's sessions and any lock."""
        _check_password(password)
        password_hash = _HASHER.hash(password)

        def apply(conn: Connection, name: str) -> None:
            conn.execute("UPDATE accounts SET password_hash = ?, failed_attempts = 0, locked_until = NULL "
                         "WHERE username = ?", (password_hash, name))
            conn.execute("DELETE FROM sessions WHERE username = ?", (name,))

        return self._change(username, "account.password", actor, "", apply)

    def disable(self, username: str, *, actor: Actor) -> Account:
        """Disable an account: it can no longer sign in, its sessions end, its writes are refused."""
        def apply(conn: Connection, name: str) -> None:
            self._keep_an_admin(conn, name)
            conn.execute("UPDATE accounts SET disabled = 1 WHERE username = ?", (name,))
            conn.execute("DELETE FROM sessions WHERE username = ?", (name,))

        return self._change(username, "account.disable", actor, "", apply)

    def enable(self, username: str, *, actor: Actor) -> Account:
        return self._change(username, "account.enable", actor, "", lambda conn, name: conn.execute(
            "UPDATE accounts SET disabled = 0 WHERE username = ?", (name,)))

    def unlock(self, username: str, *, actor: Actor) -> Account:
        """Clear a lockout and the count of wrong passwords."""
        return self._change(username, "account.unlock", actor, "", lambda conn, name: conn.execute(
            "UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE username = ?", (name,)))

    # ------------------------------------------------------------------ sign-in

    def authenticate(self, username: str, password: str) -> Principal:
        """The principal of ``username`` if ``password`` is right and the account may sign in.

        Raises :class:`errors.AccessDenied` for a wrong name or password (one
        message for both), a locked name (the same message whether or not it is
        an account; even with the right password) or, after the right password,
        a disabled account. Every attempt is logged; the password never is.
        """
        name = unicodedata.normalize("NFKC", str(username)).strip()[:MAX_USERNAME_LENGTH * 4]
        now = self._clock()
        if not possible_username(name):  # a space or control character (NUL: PostgreSQL refuses it): no account
            _verify(_dummy_hash(), password)  # the same answer at the same cost as any wrong name
            with self.database.write_transaction() as conn:
                self._log_attempt(conn, printable(name), "access.bad_credentials (not a possible user name)", now)
            raise AccessDenied(Problem("access.bad_credentials"))
        password_hash, locks = self._reserve_attempt(name, now)
        verified = _verify(password_hash or _dummy_hash(), password) and password_hash is not None
        if not verified:
            self._refuse(name, "access.bad_credentials", {}, now,
                         lock=locks, known=password_hash is not None)
        rehash = _HASHER.check_needs_rehash(password_hash)
        new_hash = _HASHER.hash(password) if rehash else password_hash
        with self.database.write_transaction() as conn:
            row = conn.execute("SELECT username, disabled FROM accounts WHERE username = ?", (name,)).fetchone()
            if row is None:  # deleted meanwhile
                self._log_attempt(conn, name, "access.bad_credentials", now)
                problem = Problem("access.bad_credentials")
            else:
                name = row[0]
                conn.execute("UPDATE accounts SET failed_attempts = 0, locked_until = NULL, password_hash = ? "
                             "WHERE username = ?", (new_hash, name))
                if row[1]:
                    self._log_attempt(conn, name, "access.disabled", now)
                    problem = Problem("access.disabled", {"user": name})
                else:
                    record(conn, at=utc_text(now), actor=name, action="sign_in", target=f"account:{name}", outcome="ok")
                    principal = load_principal(conn, name)
        if row is None or row[1]:
            raise AccessDenied(problem)
        assert principal is not None
        return principal

    def start_session(self, principal: Principal) -> str:
        """A new session token for a signed-in principal (keep it secret; only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        expires = now + datetime.timedelta(hours=self.settings.session_hours)
        with self.database.write_transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (utc_text(now),))
            conn.execute("INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
                         (_token_hash(token), principal.username, utc_text(now), utc_text(expires)))
        return token

    def resume_session(self, token: str) -> Principal:
        """The principal of a live session, with its current role and towns.

        :class:`errors.AccessDenied` when the session is unknown, expired, or its account disabled.
        """
        now = self._clock()
        with self.database.read_transaction() as conn:
            row = conn.execute("SELECT username, expires_at FROM sessions WHERE token_hash = ?",
                               (_token_hash(token),)).fetchone()
            principal = load_principal(conn, row[0]) if row else None
        if row is None or parse_utc(row[1]) <= now or principal is None:
            raise AccessDenied(Problem("access.session_expired"))
        return principal

    def end_session(self, token: str) -> None:
        """Sign out: the token stops working."""
        with self.database.write_transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))

    # ---------------------------------------------------------------- internals

    def _get(self, conn: Connection, username: str) -> Account:
        if not possible_username(username):  # no account holds a control character (nor could PostgreSQL store it)
            raise NotFound(Problem("account.not_found", {"user": printable(username)}))
        row = conn.execute("SELECT username, role, disabled, failed_attempts, locked_until, created_by, created_at, "
                           "updated_by, updated_at FROM accounts WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise NotFound(Problem("account.not_found", {"user": username}))
        towns = tuple(r[0] for r in conn.execute(
            "SELECT town_code FROM account_towns WHERE username = ? ORDER BY town_code", (row[0],)))
        return Account(username=row[0], role=row[1], towns=towns, disabled=bool(row[2]), failed_attempts=row[3],
                       locked_until=row[4], created_by=row[5], created_at=row[6], updated_by=row[7],
                       updated_at=row[8])

    def _change(self, username: str, action: str, actor: Actor, detail: str,
                apply: Callable[[Connection, str], object]) -> Account:
        by = self.authoriser.check_admin(actor, action, f"account:{username}").username
        now = utc_text(self._clock())
        with self.database.write_transaction() as conn:
            before = self._get(conn, username)
            name = before.username
            apply(conn, name)
            conn.execute("UPDATE accounts SET updated_by = ?, updated_at = ? WHERE username = ?", (by, now, name))
            record(conn, at=now, actor=by, action=action, target=f"account:{name}", outcome="ok", detail=detail)
            after = self._get(conn, name)
            audit.record(conn, "account", name, "password" if action == "account.password" else "update",
                         actor=by, at=now, before=_audited(before), after=_audited(after))
            return after

    @staticmethod
    def _keep_an_admin(conn: Connection, name: str) -> None:
        others = conn.execute("SELECT count(*) FROM accounts WHERE role = 'admin' AND disabled = 0 "
                              "AND username <> ?", (name,)).fetchone()[0]
        is_admin = conn.execute("SELECT 1 FROM accounts WHERE username = ? AND role = 'admin' AND disabled = 0",
                                (name,)).fetchone()
        if is_admin and others == 0:
            raise RecordError(Problem("account.last_admin", {"user": name}))

    def _town_codes(self, towns: Iterable[str]) -> list[str]:
        codes = sorted({str(c).strip() for c in towns if str(c).strip()})
        known = {str(c) for c in self._towns().codes}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise RecordError([Problem("account.town_unknown", {"code": c, "known": ", ".join(sorted(known))})
                               for c in unknown])
        return codes

    def _reserve_attempt(self, name: str, now: datetime.datetime) -> tuple[str | None, bool]:
        """Count this attempt before its password is checked, in one write transaction.

        Returns (the account's password hash, or ``None`` for a name without an
        account; whether this attempt set the lock). A name that is locked is
        refused here, without a password check, the same way for accounts and
        other names. The attempt that reaches ``lockout_attempts`` locks the
        name at once, so parallel attempts cannot check more passwords than that.
        """
        limit = self.settings.lockout_attempts
        with self.database.write_transaction() as conn:
            row = conn.execute("SELECT username, password_hash, failed_attempts, locked_until FROM accounts "
                               "WHERE username = ?", (name,)).fetchone()
            table = "accounts"
            if row is None:
                table = "sign_in_failures"
                conn.execute("DELETE FROM sign_in_failures WHERE locked_until IS NOT NULL AND locked_until <= ?",
                             (utc_text(now),))
                found = conn.execute("SELECT username, failed_attempts, locked_until FROM sign_in_failures "
                                     "WHERE username = ?", (name,)).fetchone()
                if found is None:
                    conn.execute("INSERT INTO sign_in_failures (username, failed_attempts, last_at) VALUES (?, 0, ?)",
                                 (name, utc_text(now)))
                    found = (name, 0, None)
                row = (found[0], None, found[1], found[2])
            key, password_hash, failed, locked_until = row
            if locked_until and parse_utc(locked_until) > now:
                self._log_attempt(conn, name, "access.locked" + ("" if table == "accounts" else " (no such account)"),
                                  now)
                locked = Problem("access.locked", {"until": _local_time(locked_until)})
            else:
                locked = None
                failed += 1
                locks = failed >= limit
                until = utc_text(now + datetime.timedelta(minutes=self.settings.lockout_minutes)) if locks else None
                conn.execute(f"UPDATE {table} SET failed_attempts = ?, locked_until = ? WHERE username = ?",
                             (0 if locks else failed, until, key))
                if table == "sign_in_failures":
                    conn.execute("UPDATE sign_in_failures SET last_at = ? WHERE username = ?", (utc_text(now), key))
        if locked is not None:
            raise AccessDenied(locked)
        return password_hash, locks

    def _refuse(self, name: str, code: str, params: dict[str, object], now: datetime.datetime, *,
                lock: bool = False, known: bool = True) -> NoReturn:
        with self.database.write_transaction() as conn:
            if lock:
                row = conn.execute("SELECT locked_until FROM accounts WHERE username = ? UNION ALL "
                                   "SELECT locked_until FROM sign_in_failures WHERE username = ?",
                                   (name, name)).fetchone()
                if row is not None and row[0]:
                    if known:
                        conn.execute("DELETE FROM sessions WHERE username = ?", (name,))
                    record(conn, at=utc_text(now), actor=name, action="lock", target=f"account:{name}", outcome="ok",
                           detail=f"{self.settings.lockout_attempts} wrong passwords; locked until {row[0]}"
                           + ("" if known else " (no such account)"))
            self._log_attempt(conn, name, code if known else f"{code} (no such account)", now)
        raise AccessDenied(Problem(code, params))

    @staticmethod
    def _log_attempt(conn: Connection, name: str, detail: str, now: datetime.datetime) -> None:
        record(conn, at=utc_text(now), actor=name, action="sign_in", target=f"account:{name}", outcome="failed",
               detail=detail)


def _audited(account: Account) -> dict[str, object]:
    """An account as the audit trail keeps it (it never holds a password or its hash)."""
    values = asdict(account)
    values["towns"] = list(account.towns)
    return values


def _role(role: str) -> Role:
    value = str(role).strip().lower()
    if value not in ROLES:
        raise RecordError(Problem("account.role_unknown", {"value": role, "allowed": ", ".join(ROLES)}))
    return value  # type: ignore[return-value]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RecordError(Problem("account.password_short", {"min": MIN_PASSWORD_LENGTH}))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_HASHER.hash(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def _local_time(stamp: str) -> str:
    """A stored UTC time as the server's local time, to the minute (for messages)."""
    return parse_utc(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
