"""The tables of the ``"accounts"`` component: accounts, town grants, sessions, sign-in failures, security log.

Applied by :class:`accounts.permissions.Authoriser` (every store has one, and
the authoriser reads principals from these tables), so a database always has
them before its first write. A migration is a record of what was applied, so
its SQL spells its values out (the roles of :data:`accounts.permissions.ROLES`
as they were) instead of reading today's constants.
"""

from __future__ import annotations

from database.migrations import Migration

COMPONENT = "accounts"

ACCOUNT_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "accounts, town grants, sessions and the security log", (
        """CREATE TABLE accounts (
            username TEXT PRIMARY KEY COLLATE NOCASE,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE account_towns (
            username TEXT NOT NULL COLLATE NOCASE,
            town_code TEXT NOT NULL,
            PRIMARY KEY (username, town_code)
        )""",
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )""",
        """CREATE TABLE security_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
            detail TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX security_log_actor ON security_log (actor)",
    )),
    # Wrong passwords for names that are no account count and lock like an account's (no enumeration).
    Migration(2, "sign-in failures of names without an account", (
        """CREATE TABLE sign_in_failures (
            username TEXT PRIMARY KEY COLLATE NOCASE,
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            last_at TEXT NOT NULL
        )""",
    )),
)
