"""The database layer on real SQLite files: migrations, the one audit trail of every kind of record (and the
data page's log of it), seeding with bound parameters. That only database/ imports sqlite3 is checked with
the other room rules in tests/test_layout.py."""

from __future__ import annotations

import datetime
import json
import sqlite3
from pathlib import Path

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from accounts.store import AccountStore
from database.audit import AUDIT_MIGRATIONS, audit_log
from database.connection import Database, parse_utc, utc_text
from database.migrations import Migration
from errors import AccessDenied, RecordError, StaleEdit
from sites.store import SiteStore
from targets.store import TARGET_MIGRATIONS, TargetStore, seed_statements
from tests.security_support import GUICHENG, PASSWORDS, Deployment, sql_connect

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
IN_GUICHENG = {"lng": 113.19298, "lat": 23.03047}

# ---------------------------------------------------------------------------------------- an older database

#: The registry as the previous release made it (sites 2, targets 3): two audit tables, written by hand.
OLD_SCHEMA = (
    "CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    "INSERT INTO schema_version VALUES ('sites', 2), ('targets', 3)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT INTO meta VALUES ('region.source', 'bundled:nanhai')",
    """CREATE TABLE sites (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, type TEXT NOT NULL,
        status TEXT NOT NULL, lng REAL NOT NULL, lat REAL NOT NULL, town_code TEXT,
        address TEXT NOT NULL DEFAULT '', host_org TEXT NOT NULL DEFAULT '', opened_on TEXT, closed_on TEXT,
        notes TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1)""",
    """CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, site_id INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'close', 'delete')),
        actor TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT)""",
    "CREATE INDEX audit_site ON audit (site_id)",
    """CREATE TABLE targets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, site_type TEXT NOT NULL,
        scope TEXT NOT NULL, towns TEXT NOT NULL DEFAULT '[]', measure TEXT NOT NULL, threshold REAL NOT NULL,
        radius_m REAL, statuses TEXT NOT NULL DEFAULT '["open"]', deadline TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL, created_at TEXT NOT NULL,
        updated_by TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1)""",
    """CREATE TABLE target_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        actor TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT)""",
    "CREATE INDEX target_audit_target ON target_audit (target_id)",
)

T1, T2, T3, T4, T5 = (f"2024-0{m}-01T08:00:00.000Z" for m in range(1, 6))


def _site(version: int, notes: str, at: str) -> dict[str, object]:
    return {"id": 1, "name": "旧书屋", "type": "book_room", "status": "open", "lng": IN_GUICHENG["lng"],
            "lat": IN_GUICHENG["lat"], "town_code": GUICHENG, "address": "", "host_org": "", "opened_on": None,
            "closed_on": None, "notes": notes, "source": "", "created_by": "old", "created_at": T1,
            "updated_by": "old", "updated_at": at, "version": version}


def _target(version: int | None, threshold: float, at: str) -> dict[str, object]:
    values: dict[str, object] = {
        "id": 1, "name": "每镇一宫", "site_type": "cultural_palace", "scope": "each_town", "towns": [],
        "measure": "site_count", "threshold": threshold, "radius_m": None, "statuses": ["open"],
        "deadline": "2025-12-31", "notes": "", "created_by": "system", "created_at": T2, "updated_by": "boss",
        "updated_at": at}
    if version is not None:
        values["version"] = version
    return values


def _old_database(path: Path) -> Path:
    """Sites: created (T1), updated (T3), a second site created and deleted (T4, T5); a target seeded (T2),
    updated (T4); rows in the two old tables, each numbered from 1."""
    conn = sqlite3.connect(path)
    for statement in OLD_SCHEMA:
        conn.execute(statement)
    site = _site(2, "新备注", T3)
    conn.execute("INSERT INTO sites (name, type, status, lng, lat, town_code, notes, created_by, created_at, "
                 "updated_by, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 ("旧书屋", "book_room", "open", IN_GUICHENG["lng"], IN_GUICHENG["lat"], GUICHENG, "新备注",
                  "old", T1, "old", T3, 2))
    gone = {**_site(1, "", T4), "id": 2, "name": "已删"}
    site_rows = [(1, "create", "old", T1, None, _site(1, "", T1)),
                 (1, "update", "editor", T3, _site(1, "", T1), site),
                 (2, "create", "old", T4, None, gone),
                 (2, "delete", "editor", T5, gone, None)]
    conn.executemany("INSERT INTO audit (site_id, action, actor, at, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                     [(i, a, who, at, b and json.dumps(b, ensure_ascii=False), f and json.dumps(f, ensure_ascii=False))
                      for i, a, who, at, b, f in site_rows])
    conn.execute("INSERT INTO targets (name, site_type, scope, measure, threshold, deadline, created_by, created_at, "
                 "updated_by, updated_at, version) VALUES ('每镇一宫', 'cultural_palace', 'each_town', 'site_count', "
                 "2, '2025-12-31', 'system', ?, 'boss', ?, 2)", (T2, T4))
    target_rows = [(1, "create", "system", T2, None, _target(None, 1.0, T2)),
                   (1, "update", "boss", T4, _target(None, 1.0, T2), _target(2, 2.0, T4))]
    conn.executemany("INSERT INTO target_audit (target_id, action, actor, at, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                     [(i, a, who, at, b and json.dumps(b, ensure_ascii=False), json.dumps(f, ensure_ascii=False))
                      for i, a, who, at, b, f in target_rows])
    conn.commit()
    conn.close()
    return path


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sql_connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_migrating_an_old_database_keeps_every_audit_row_in_the_one_table_in_time_order(tmp_path):
    db = _old_database(tmp_path / "old.db")
    with SiteStore(db) as store:
        assert store.database.schema_version("audit") == 1
        targets = TargetStore(store)
        assert _rows(db, "SELECT kind, subject_id, action, actor, at, version FROM audit ORDER BY id") == [
            ("site", 1, "create", "old", T1, 1),
            ("target", 1, "create", "system", T2, 0),  # the seed predates versions
            ("site", 1, "update", "editor", T3, 2),
            ("site", 2, "create", "old", T4, 1),
            ("target", 1, "update", "boss", T4, 2),
            ("site", 2, "delete", "editor", T5, 2),
        ]
        tables = {r[0] for r in _rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "target_audit" not in tables and "audit_all" not in tables
        # each store reads its own history from the one table, values intact
        assert [(e.action, e.version) for e in store.history(1)] == [("create", 1), ("update", 2)]
        assert store.history(1)[1].changes()["notes"] == ("", "新备注")
        assert [e.action for e in store.history(2)] == ["create", "delete"]
        assert [(e.action, e.version) for e in targets.history(1)] == [("create", 0), ("update", 2)]
        assert targets.history(1)[1].changes()["threshold"] == (1.0, 2.0)
        # a stale write is still explained from the migrated rows, at Beijing time as the history shows it
        with pytest.raises(StaleEdit, match=r"第 2 版：editor 于 2024-03-01 16:00:00 \(UTC\+08:00\) 修改了 备注"):
            store.update(1, {"name": "新名"}, actor="A", if_version=1)
        with pytest.raises(StaleEdit, match=r"第 2 版：boss 于 2024-04-01 16:00:00 \(UTC\+08:00\) 修改了 目标值"):
            targets.update(1, {"notes": "x"}, actor="A", if_version=1)
        # and new writes follow in the same table
        store.update(1, {"name": "新名"}, actor="A", if_version=2)
        targets.update(1, {"notes": "x"}, actor="A", if_version=2)
        assert [(e.kind, e.subject_id, e.version) for e in audit_log(store.database, limit=2)] == [
            ("target", 1, 3), ("site", 1, 3)]
    with SiteStore(db) as again:  # opening it again migrates nothing twice
        assert len(audit_log(again.database)) == 8


@pytest.mark.sqlite_only
def test_a_new_database_has_one_audit_table_and_the_seeded_targets_in_it(store):
    targets = TargetStore(store)
    site, _ = store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    tables = {r[0] for r in _rows(store.path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"audit", "targets", "sites"} <= tables and "target_audit" not in tables
    assert [(e.kind, e.subject_id, e.action, e.actor) for e in audit_log(store.database)] == [
        ("site", site.id, "create", "a"), ("target", 2, "create", "system"), ("target", 1, "create", "system")]
    assert [t.name for t in targets.list_targets()][0].startswith("2025年底前")


def test_the_site_revision_moves_with_site_writes_only(store):
    targets = TargetStore(store)
    assert store.revision() == 0
    store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    after_site = store.revision()
    assert after_site > 0
    targets.update(1, {"threshold": 2}, actor="boss")
    assert store.revision() == after_site  # a target edit does not throw away the map's caches


# ---------------------------------------------------------------------------------------- accounts and targets


def test_target_and_account_changes_appear_in_the_audit_log_without_a_password(dep: Deployment):
    database = dep.store.database
    targets = TargetStore(dep.store)
    targets.update(1, {"threshold": 2}, actor=dep.admin)
    dep.accounts.set_role("viewer", "editor", actor=dep.admin)
    dep.accounts.grant("viewer", [GUICHENG], actor=dep.admin)
    dep.accounts.set_password("gc_editor", "a-new-password-99", actor=dep.admin)
    dep.accounts.disable("gc_editor", actor=dep.admin)

    accounts = audit_log(database, kind="account")
    assert [(e.subject_id, e.action, e.actor) for e in reversed(accounts)] == [
        ("root", "create", "install"), ("gc_editor", "create", "root"), ("viewer", "create", "root"),
        ("viewer", "update", "root"), ("viewer", "update", "root"), ("gc_editor", "password", "root"),
        ("gc_editor", "update", "root")]
    role, grant = accounts[3], accounts[2]
    assert role.changes()["role"] == ("viewer", "editor") and "towns" not in role.changes()
    assert grant.changes()["towns"] == ([], [GUICHENG]) and "role" not in grant.changes()
    assert accounts[0].changes()["disabled"] == (False, True)
    assert accounts[2].after is not None and accounts[2].after["username"] == "viewer"
    assert accounts[0].version == 0
    [target] = audit_log(database, kind="target", action="update")
    assert (target.subject_id, target.actor, target.changes()["threshold"]) == (1, "root", (1.0, 2.0))
    assert {e.kind for e in audit_log(database)} == {"site", "target", "account"}
    raw = " ".join(str(r) for r in _rows(dep.db, "SELECT before, after FROM audit WHERE kind = 'account'"))
    assert "argon2" not in raw and "password_hash" not in raw
    assert not any(p in raw for p in [*PASSWORDS.values(), "a-new-password-99"])


def test_a_refused_account_change_writes_no_audit_row(dep: Deployment):
    before = _rows(dep.db, "SELECT * FROM audit")
    with pytest.raises(AccessDenied, match="只有管理员"):
        AccountStore(dep.store).set_role("viewer", "admin", actor=dep.editor)
    assert _rows(dep.db, "SELECT * FROM audit") == before


# ---------------------------------------------------------------------------------------- seeding with parameters


@pytest.mark.parametrize("text", ["O'Brien's 宫", "'); DROP TABLE targets;--", "\"quoted\" and \\ backslash"])
def test_a_seeded_target_keeps_apostrophes_and_sql_as_text(store, text):
    seeds = ((text, "cultural_palace", "2025-12-31", f"notes: {text}"),)
    steps = (TARGET_MIGRATIONS[0], Migration(2, "seed", seed_statements(seeds)), *TARGET_MIGRATIONS[2:])
    assert store.database.migrate("targets", steps) == len(TARGET_MIGRATIONS)
    targets = TargetStore(store)  # already at the last version: seeds nothing more
    [seeded] = targets.list_targets()
    assert (seeded.name, seeded.notes, seeded.created_by) == (text, f"notes: {text}", "system")
    [entry] = targets.history(seeded.id)
    assert entry.after is not None and (entry.after["name"], entry.after["notes"]) == (text, f"notes: {text}")
    with store.database.connection() as conn:
        assert "targets" in store.database.tables(conn)


def test_seeds_only_go_into_a_database_of_the_bundled_towns(tmp_path):
    boundaries = tmp_path / "towns.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": "1", "name": "甲镇"},
        "geometry": {"type": "Polygon", "coordinates": [[[113.0, 23.0], [113.1, 23.0], [113.1, 23.1],
                                                         [113.0, 23.1], [113.0, 23.0]]]}}]}), encoding="utf-8")
    from sites.region import RegionSpec

    with SiteStore(tmp_path / "other.db", region=RegionSpec.file(boundaries, crs="wgs84")) as other:
        assert TargetStore(other).list_targets() == []
        assert audit_log(other.database, kind="target") == []


# ---------------------------------------------------------------------------------------- migrations (moved)


def test_another_component_adds_its_own_tables(db):
    with Database(db) as database:
        steps = [Migration(1, "t", ("CREATE TABLE things (id INTEGER PRIMARY KEY)",)),
                 Migration(2, "t2", ("ALTER TABLE things ADD COLUMN label TEXT",))]
        assert database.migrate("things", steps[:1]) == 1
        assert database.migrate("things", steps) == 2
        assert database.migrate("things", steps) == 2
        with database.write_transaction() as conn:
            conn.execute("INSERT INTO things (label) VALUES ('x')")
        with pytest.raises(RecordError, match="比本程序支持的（1）新"):
            database.migrate("things", steps[:1])


def test_failed_migration_changes_nothing(db):
    with Database(db) as database:
        bad = [Migration(1, "ok", ("CREATE TABLE t1 (id INTEGER)",)), Migration(2, "bad", ("CREATE TABLE oops (",))]
        with pytest.raises((sqlite3.OperationalError, psycopg.errors.SyntaxError)):
            database.migrate("broken", bad)
        assert database.schema_version("broken") == 0
        with database.read_transaction() as conn:
            assert "t1" not in database.tables(conn)


def test_a_database_with_only_the_audit_table_is_ours_when_opened_again(db):
    with Database(db) as database:
        assert database.created and database.schema_version("audit") == 0
        assert database.migrate("audit", AUDIT_MIGRATIONS) == 1
    with Database(db, create=False) as again:
        assert not again.created and again.schema_version("audit") == 1


def test_the_clock_writes_and_reads_utc_to_the_millisecond():
    moment = datetime.datetime(2025, 3, 1, 17, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert utc_text(moment) == "2025-03-01T09:00:00.123Z"
    assert parse_utc("2025-03-01T09:00:00.123Z") == moment.replace(microsecond=123000)


# ---------------------------------------------------------------------------------------- the data page


def test_the_data_page_log_shows_sites_and_targets_with_a_kind_filter(app_db):
    with SiteStore(app_db) as store:
        store.add({"name": "甲", "type": "book_room", **IN_GUICHENG}, actor="张三")
        TargetStore(store).update(1, {"threshold": 3}, actor="李四")
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception, at.exception
    log = at.dataframe[-1].value
    assert list(log["类别"]) == ["目标", "目标", "目标", "站点"]  # newest first: the update, the two seeds, the site
    assert list(log["操作"])[:2] == ["修改", "新增"]
    assert log["修改内容（原值 → 新值）"].iloc[0] == "threshold: 1.0 → 3.0"
    at.selectbox(key="audit_kind_zh").set_value("site").run()
    assert list(at.dataframe[-1].value["名称"]) == ["甲"]
    at.selectbox(key="audit_kind_zh").set_value("target").run()
    at.number_input(key="audit_id").set_value(1).run()
    assert list(at.dataframe[-1].value["操作"]) == ["修改", "新增"]


def test_the_data_page_log_shows_account_changes_to_a_signed_in_admin(shared_env, deploy_shared):
    dep = deploy_shared()
    dep.accounts.set_role("viewer", "editor", actor=dep.admin)
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.text_input(key="sign_in_user").set_value("root")
    at.text_input(key="sign_in_password").set_value(PASSWORDS["root"])
    at.button(key="sign_in_submit").click().run()
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="audit_kind_zh").set_value("account").run()
    log = at.dataframe[-1].value
    assert list(log["名称"]) == ["viewer", "viewer", "gc_editor", "root"]  # newest first
    assert set(log["类别"]) == {"账户"}
    assert log["修改内容（原值 → 新值）"].iloc[0] == "role: viewer → editor"
