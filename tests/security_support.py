"""Shared set-up of the security tests: a shared-mode registry with an admin, a viewer and a 桂城 editor."""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from accounts.permissions import Principal
from accounts.store import AccountStore
from settings import Settings
from sites.store import SiteStore

GUICHENG, DALI = "440605011000", "440605125000"
IN_GUICHENG = {"lng": 113.19298, "lat": 23.03047}
IN_DALI = {"lng": 113.14546, "lat": 23.11835}
PASSWORDS = {"root": "root-password-1", "gc_editor": "guicheng-pass-2", "viewer": "viewer-pass-3"}


@dataclass
class Deployment:
    db: Path
    settings: Settings
    store: SiteStore
    accounts: AccountStore
    admin: Principal
    editor: Principal
    viewer: Principal
    dali_site_id: int
    guicheng_site_id: int


class Clock:
    """A settable UTC clock, starting at 2025-03-01 09:00 (pass it as ``AccountStore(..., clock=)``)."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


def shared_settings(db: Path, **overrides: object) -> Settings:
    return Settings(mode="shared", db=db, **overrides)


def deploy(db: Path, **overrides: object) -> Deployment:
    """A shared registry: accounts root (admin), gc_editor (桂城 only), viewer; one site in 大沥, one in 桂城."""
    settings = shared_settings(db, **overrides)
    store = SiteStore(db, settings=settings)
    accounts = AccountStore(store)
    accounts.add("root", role="admin", password=PASSWORDS["root"], actor="install")
    admin = accounts.authenticate("root", PASSWORDS["root"])
    accounts.add("gc_editor", role="editor", password=PASSWORDS["gc_editor"], towns=[GUICHENG], actor=admin)
    accounts.add("viewer", role="viewer", password=PASSWORDS["viewer"], actor=admin)
    dali, _ = store.add({"name": "大沥职工书屋", "type": "book_room", **IN_DALI}, actor=admin)
    guicheng, _ = store.add({"name": "桂城职工书屋", "type": "book_room", **IN_GUICHENG}, actor=admin)
    return Deployment(db, settings, store, accounts, admin,
                      accounts.authenticate("gc_editor", PASSWORDS["gc_editor"]),
                      accounts.authenticate("viewer", PASSWORDS["viewer"]), dali.id, guicheng.id)


def sql_connect(db: Path | str):
    """A raw connection to the registry at ``db`` (a SQLite file, or a PostgreSQL URL: the same SQL, translated)."""
    if "://" in str(db):
        import psycopg

        from database.dialect import PgConnection

        return PgConnection(psycopg.connect(getattr(db, "url", str(db)), autocommit=True))
    return sqlite3.connect(db)


def snapshot(db: Path) -> tuple[list[tuple], list[tuple]]:
    """Every row of ``sites`` and ``audit``, read straight from the file (to compare before/after)."""
    conn = sql_connect(db)
    try:
        return (conn.execute("SELECT * FROM sites ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM audit ORDER BY id").fetchall())
    finally:
        conn.close()


def denials(db: Path) -> list[tuple[str, str, str, str]]:
    """(actor, action, target, detail) of every refused attempt in the security log, oldest first."""
    conn = sql_connect(db)
    try:
        return conn.execute("SELECT actor, action, target, detail FROM security_log WHERE outcome = 'denied' "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()
