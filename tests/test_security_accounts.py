"""Accounts on a real registry file: argon2id hashes, lockout after N wrong passwords, sessions that expire."""

from __future__ import annotations

import sqlite3

import pytest

from accounts.store import AccountStore
from errors import AccessDenied, NotFound, RecordError
from settings import Settings
from sites.store import SiteStore
from tests.security_support import DALI, GUICHENG, PASSWORDS, sql_connect

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends


@pytest.fixture
def dep(deploy_shared):
    return deploy_shared(lockout_attempts=3, lockout_minutes=10, session_hours=2)

@pytest.mark.sqlite_only  # reads the file's bytes
def test_passwords_are_argon2id_hashes_never_clear_text(dep):
    conn = sqlite3.connect(dep.db)
    hashes = dict(conn.execute("SELECT username, password_hash FROM accounts").fetchall())
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    conn.close()
    raw = b"".join(p.read_bytes() for p in dep.db.parent.glob("shared.db*"))
    for password in PASSWORDS.values():
        assert password.encode() not in raw
    assert all(password not in e.detail for e in dep.accounts.security_events() for password in PASSWORDS.values())


def test_wrong_password_n_times_locks_even_the_right_password_out(dep, clock):
    accounts = AccountStore(dep.store, clock=clock)
    for _ in range(2):
        with pytest.raises(AccessDenied, match="用户名或密码错误"):
            accounts.authenticate("gc_editor", "guess")
    assert accounts.get("gc_editor").failed_attempts == 2
    with pytest.raises(AccessDenied, match="用户名或密码错误"):
        accounts.authenticate("gc_editor", "guess")  # the third: locks
    assert accounts.get("gc_editor").locked_until == "2025-03-01T09:10:00.000Z"
    with pytest.raises(AccessDenied, match="账户已锁定至"):
        accounts.authenticate("gc_editor", PASSWORDS["gc_editor"])
    clock.advance(minutes=9)
    with pytest.raises(AccessDenied, match="账户已锁定至"):
        accounts.authenticate("gc_editor", PASSWORDS["gc_editor"])
    clock.advance(minutes=2)
    assert accounts.authenticate("gc_editor", PASSWORDS["gc_editor"]).towns == {GUICHENG}
    assert accounts.get("gc_editor").failed_attempts == 0
    log = [(e.action, e.outcome) for e in reversed(accounts.security_events(actor="gc_editor"))]
    failed, ok = ("sign_in", "failed"), ("sign_in", "ok")
    assert log == [ok, failed, failed, ("lock", "ok"), failed, failed, failed, ok]


def test_admin_unlocks_a_locked_account(dep, clock):
    accounts = AccountStore(dep.store, clock=clock)
    for _ in range(3):
        with pytest.raises(AccessDenied):
            accounts.authenticate("viewer", "guess")
    with pytest.raises(AccessDenied, match="locked|锁定"):
        accounts.authenticate("viewer", PASSWORDS["viewer"])
    with pytest.raises(AccessDenied, match="只有管理员可以解锁账户，账户“viewer”不是管理员"):
        accounts.unlock("viewer", actor=dep.viewer)
    accounts.unlock("viewer", actor=dep.admin)
    assert accounts.authenticate("viewer", PASSWORDS["viewer"]).role == "viewer"


def test_unknown_user_and_disabled_account_are_refused(dep):
    with pytest.raises(AccessDenied, match="用户名或密码错误"):
        dep.accounts.authenticate("nobody", "whatever-password")
    dep.accounts.disable("viewer", actor=dep.admin)
    with pytest.raises(AccessDenied, match="账户“viewer”已停用"):
        dep.accounts.authenticate("viewer", PASSWORDS["viewer"])
    dep.accounts.enable("viewer", actor=dep.admin)
    assert dep.accounts.authenticate("viewer", PASSWORDS["viewer"]).username == "viewer"


def test_sessions_expire_and_end_on_sign_out_disable_or_new_password(dep, clock):
    accounts = AccountStore(dep.store, clock=clock)
    token = accounts.start_session(dep.editor)
    assert accounts.resume_session(token).towns == {GUICHENG}
    accounts.grant("gc_editor", [DALI], actor=dep.admin)
    assert accounts.resume_session(token).towns == {GUICHENG, DALI}  # current grants, not the sign-in's
    clock.advance(hours=1, minutes=59)
    assert accounts.resume_session(token).username == "gc_editor"
    clock.advance(minutes=2)
    with pytest.raises(AccessDenied, match="登录已过期"):
        accounts.resume_session(token)
    token = accounts.start_session(dep.editor)
    accounts.end_session(token)
    with pytest.raises(AccessDenied, match="登录已过期"):
        accounts.resume_session(token)
    token = accounts.start_session(dep.editor)
    accounts.disable("gc_editor", actor=dep.admin)
    with pytest.raises(AccessDenied, match="登录已过期"):
        accounts.resume_session(token)
    accounts.enable("gc_editor", actor=dep.admin)
    token = accounts.start_session(dep.editor)
    accounts.set_password("gc_editor", "a-new-password", actor=dep.admin)
    with pytest.raises(AccessDenied, match="登录已过期"):
        accounts.resume_session(token)
    with pytest.raises(AccessDenied, match="用户名或密码错误"):
        accounts.authenticate("gc_editor", PASSWORDS["gc_editor"])
    conn = sql_connect(dep.db)
    assert token not in str(conn.execute("SELECT * FROM sessions").fetchall())
    conn.close()


def test_account_errors_name_the_problem(dep):
    accounts = dep.accounts
    with pytest.raises(RecordError, match="密码至少需要 10 个字符"):
        accounts.add("new", role="viewer", password="short", actor=dep.admin)
    with pytest.raises(RecordError, match="未知的角色“boss”"):
        accounts.add("new", role="boss", password="long-enough-1", actor=dep.admin)
    with pytest.raises(RecordError, match="不能含空格或控制字符"):
        accounts.add("a b", role="viewer", password="long-enough-1", actor=dep.admin)
    with pytest.raises(RecordError, match="账户“GC_EDITOR”已存在"):
        accounts.add("GC_EDITOR", role="viewer", password="long-enough-1", actor=dep.admin)
    with pytest.raises(RecordError, match="“440605999000”不是本区域的镇街代码"):
        accounts.grant("gc_editor", ["440605999000"], actor=dep.admin)
    with pytest.raises(NotFound, match="没有账户“ghost”"):
        accounts.disable("ghost", actor=dep.admin)
    with pytest.raises(RecordError, match="最后一个可用的管理员"):
        accounts.disable("root", actor=dep.admin)
    with pytest.raises(RecordError, match="最后一个可用的管理员"):
        accounts.set_role("root", "viewer", actor=dep.admin)
    assert [a.username for a in accounts.list_accounts()] == ["gc_editor", "root", "viewer"]


def test_first_account_must_be_an_admin(tmp_path):
    with SiteStore(tmp_path / "new.db", settings=Settings(mode="shared", db=tmp_path / "new.db")) as store:
        accounts = AccountStore(store)
        with pytest.raises(AccessDenied, match="请先登录"):
            accounts.add("eve", role="editor", password="long-enough-1", actor="installer")
        assert accounts.add("boss", role="admin", password="long-enough-1", actor="installer").created_by == \
            "installer"


def test_local_mode_needs_no_sign_in_and_the_local_user_is_admin(tmp_path):
    with SiteStore(tmp_path / "local.db", settings=Settings(mode="local", db=tmp_path / "local.db")) as store:
        site, _ = store.add({"name": "书屋", "type": "book_room", "lng": 113.14546, "lat": 23.11835}, actor="alice")
        store.delete(site.id, actor="alice")
        assert [e.actor for e in store.history(site.id)] == ["alice", "alice"]
