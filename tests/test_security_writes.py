"""Attack suite, writes: a viewer and a 桂城 editor try to change 大沥 sites through the store (the
form's path), an import and the CLI. Each attempt is refused, changes nothing, and is logged."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.permissions import Principal
from errors import AccessDenied
from sites.io import read_records
from sites.region import RegionSpec
from targets.store import TargetStore
from tests.security_support import (
    DALI,
    GUICHENG,
    IN_DALI,
    IN_GUICHENG,
    PASSWORDS,
    denials,
    snapshot,
)

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ store (the form's path)

STORE_ATTACKS = {
    "update": lambda d, who: d.store.update(d.dali_site_id, {"name": "<script>alert(1)</script>"}, actor=who),
    "close": lambda d, who: d.store.close(d.dali_site_id, actor=who),
    "delete": lambda d, who: d.store.delete(d.dali_site_id, actor=who),
    "create": lambda d, who: d.store.add({"name": "假站点", "type": "book_room", **IN_DALI}, actor=who),
}


@pytest.mark.parametrize("attack", sorted(STORE_ATTACKS))
@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_viewer_and_guicheng_editor_cannot_touch_a_dali_site(dep, attack, who):
    principal = getattr(dep, who)
    before = snapshot(dep.db)
    expected = "只有查看权限" if who == "viewer" else r"无权修改大沥镇（440605125000）的站点"
    with pytest.raises(AccessDenied, match=expected):
        STORE_ATTACKS[attack](dep, principal)
    assert snapshot(dep.db) == before
    actor, action, target, detail = denials(dep.db)[-1]
    assert (actor, action) == (principal.username, attack)
    assert target == ("site:new" if attack == "create" else f"site:{dep.dali_site_id}")
    assert ("may only view" if who == "viewer" else "may not change sites in Dali Town") in detail


def test_editor_cannot_move_own_site_into_dali_or_claim_a_dali_site_into_guicheng(dep):
    before = snapshot(dep.db)
    with pytest.raises(AccessDenied, match="大沥镇"):
        dep.store.update(dep.guicheng_site_id, IN_DALI, actor=dep.editor)
    with pytest.raises(AccessDenied, match="大沥镇"):
        dep.store.update(dep.dali_site_id, IN_GUICHENG, actor=dep.editor)
    assert snapshot(dep.db) == before


def test_editor_writes_own_town_and_audit_names_the_account(dep):
    site, _ = dep.store.add({"name": "桂城爱心驿站", "type": "rest_station", "lng": 113.1700, "lat": 23.0400},
                            actor=dep.editor)
    assert site.town_code == GUICHENG
    dep.store.update(site.id, {"notes": "改"}, actor=dep.editor)
    dep.store.close(site.id, actor=dep.editor)
    assert [(e.action, e.actor) for e in dep.store.history(site.id)] == [
        ("create", "gc_editor"), ("update", "gc_editor"), ("close", "gc_editor")]
    assert dep.store.get_site(site.id).created_by == "gc_editor"


def test_a_forged_principal_is_re_read_from_the_accounts_table(dep):
    forged = dataclasses.replace(dep.editor, role="admin", towns=frozenset({DALI}))
    with pytest.raises(AccessDenied, match="无权修改大沥镇"):
        dep.store.delete(dep.dali_site_id, actor=forged)
    with pytest.raises(AccessDenied, match="不存在或已停用"):
        dep.store.delete(dep.dali_site_id, actor=Principal("nobody", "admin"))
    with pytest.raises(AccessDenied, match="请先登录"):
        dep.store.delete(dep.dali_site_id, actor=Principal.local_user("root"))
    with pytest.raises(AccessDenied, match="请先登录"):
        dep.store.delete(dep.dali_site_id, actor="root")
    assert dep.store.get_site(dep.dali_site_id).name == "大沥职工书屋"


def test_revoked_grant_and_disabled_account_take_effect_at_once(dep):
    dep.accounts.revoke("gc_editor", [GUICHENG], actor=dep.admin)
    with pytest.raises(AccessDenied, match="已授权镇街：-"):
        dep.store.update(dep.guicheng_site_id, {"notes": "x"}, actor=dep.editor)
    dep.accounts.grant("gc_editor", [GUICHENG], actor=dep.admin)
    dep.store.update(dep.guicheng_site_id, {"notes": "x"}, actor=dep.editor)
    dep.accounts.disable("gc_editor", actor=dep.admin)
    with pytest.raises(AccessDenied, match="账户“gc_editor”不存在或已停用"):
        dep.store.update(dep.guicheng_site_id, {"notes": "y"}, actor=dep.editor)
    assert dep.store.get_site(dep.guicheng_site_id).notes == "x"


def test_targets_region_and_accounts_are_admin_only(dep):
    targets = TargetStore(dep.store)
    target = targets.list_targets()[0]
    for who in (dep.viewer, dep.editor):
        with pytest.raises(AccessDenied, match=rf"只有管理员可以修改目标，账户“{who.username}”不是管理员"):
            targets.update(target.id, {"threshold": 0}, actor=who)
        with pytest.raises(AccessDenied, match=r"只有管理员可以删除目标"):
            targets.delete(target.id, actor=who)
        with pytest.raises(AccessDenied, match=r"只有管理员可以更换区域"):
            dep.store.set_region(RegionSpec(), actor=who)
        with pytest.raises(AccessDenied, match=r"只有管理员可以授权镇街"):
            dep.accounts.grant(who.username, [DALI], actor=who)
    assert targets.get_target(target.id) == target
    assert dep.accounts.get("gc_editor").towns == (GUICHENG,)
    assert [d[1] for d in denials(dep.db)].count("account.grant") == 2


# ----------------------------------------------------------------------------------- import

def _write_import(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.csv"
    path.write_text("名称,类型,经度,纬度\n"
                    f"桂城新书屋,职工书屋,{113.1700},{23.0400}\n"
                    f"大沥冒名书屋,职工书屋,{IN_DALI['lng'] + 0.01},{IN_DALI['lat']}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_import_with_a_dali_row_is_refused_whole(dep, tmp_path, who):
    records = read_records(_write_import(tmp_path))
    before = snapshot(dep.db)
    expected = "只有查看权限" if who == "viewer" else r"文件 mixed.csv，第 3 行：账户“gc_editor”无权修改大沥镇"
    for skip_invalid in (False, True):
        with pytest.raises(AccessDenied, match=expected):
            dep.store.import_records(records, actor=getattr(dep, who), crs="wgs84", skip_invalid=skip_invalid)
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][1:3] == ("import", "file:mixed.csv")


def test_editor_imports_own_town_rows(dep, tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("名称,类型,经度,纬度\n桂城新书屋,职工书屋,113.1700,23.0400\n", encoding="utf-8")
    report = dep.store.import_records(read_records(path), actor=dep.editor, crs="wgs84")
    assert [(s.town_code, s.created_by) for s in report.written] == [(GUICHENG, "gc_editor")]


# -------------------------------------------------------------------------------------- CLI

def _cli(dep, *args: str, user: str | None, password: str | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITES_")}
    env.update(SITES_MODE="shared", SITES_DB=str(dep.db), SITES_LANGUAGE="zh")
    if password is not None:
        env["SITES_PASSWORD"] = password
    command = [sys.executable, "-m", "sites", *args] + (["--user", user] if user else [])
    return subprocess.run(command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("who", ["viewer", "gc_editor"])
def test_cli_writes_to_a_dali_site_are_refused(dep, tmp_path, who):
    site_id = str(dep.dali_site_id)
    attempts = [("update", site_id, "--name", "改名"), ("close", site_id), ("delete", site_id),
                ("add", "--name", "假", "--type", "book_room", "--lng", str(IN_DALI["lng"] + 0.005),
                 "--lat", str(IN_DALI["lat"]), "--crs", "wgs84"),
                ("import", str(_write_import(tmp_path)), "--crs", "wgs84")]
    before = snapshot(dep.db)
    logged = len(denials(dep.db))
    for attempt in attempts:
        result = _cli(dep, *attempt, user=who, password=PASSWORDS[who])
        assert result.returncode == 2, (attempt, result.stderr)
        assert ("只有查看权限" if who == "viewer" else "无权修改大沥镇") in result.stderr
    assert snapshot(dep.db) == before
    assert [(a, act) for a, act, _, _ in denials(dep.db)[logged:]] == [
        (who, "update"), (who, "close"), (who, "delete"), (who, "create"), (who, "import")]


def test_cli_needs_the_right_password_and_a_user_in_shared_mode(dep):
    site_id = str(dep.dali_site_id)
    before = snapshot(dep.db)
    wrong = _cli(dep, "update", site_id, "--name", "x", user="root", password="not-the-password")
    assert wrong.returncode == 2 and "用户名或密码错误" in wrong.stderr
    anonymous = _cli(dep, "update", site_id, "--name", "x", user=None)
    assert anonymous.returncode == 2 and "请先登录" in anonymous.stderr
    assert snapshot(dep.db) == before
    via_stdin = _cli(dep, "update", site_id, "--name", "管理员改名", user="root", stdin=PASSWORDS["root"] + "\n")
    assert via_stdin.returncode == 0, via_stdin.stderr
    assert dep.store.history(dep.dali_site_id)[-1].actor == "root"


def test_cli_user_commands_bootstrap_then_admin_only(tmp_path):
    db = tmp_path / "fresh.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITES_")}
    env.update(SITES_MODE="shared", SITES_DB=str(db), SITES_LANGUAGE="en")

    def run(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sites", "user", *args], cwd=ROOT, env={**env, **extra},
                              input=stdin, capture_output=True, text=True, timeout=120)

    editor_first = run("add", "eve", "--role", "editor", "--password-stdin", stdin="eve-password-1\n")
    assert editor_first.returncode == 2 and "sign in first" in editor_first.stderr
    first = run("add", "boss", "--role", "admin", "--password-stdin", stdin="boss-password-1\n")
    assert first.returncode == 0 and "account 'boss': role admin" in first.stdout
    second = run("add", "eve", "--role", "editor", "--password-stdin", stdin="eve-password-1\n")
    assert second.returncode == 2 and "sign in first" in second.stderr
    added = run("add", "eve", "--role", "editor", "--towns", GUICHENG, "--password-stdin", "--user", "boss",
                stdin="eve-password-1\n", SITES_PASSWORD="boss-password-1")
    assert added.returncode == 0, added.stderr
    by_editor = run("grant", "eve", "--towns", DALI, "--user", "eve", SITES_PASSWORD="eve-password-1")
    assert by_editor.returncode == 2 and "only an administrator may grant towns;" in by_editor.stderr
    listing = run("list", "--user", "boss", SITES_PASSWORD="boss-password-1")
    assert listing.stdout.splitlines() == ["boss  admin  active  -", f"eve  editor  active  {GUICHENG}"]
    log = run("log", "--user", "boss", SITES_PASSWORD="boss-password-1")
    assert "denied  eve  account.grant" in log.stdout
    for secret in ("boss-password-1", "eve-password-1"):
        assert secret.encode() not in db.read_bytes()


def _scoring_cli(dep, *args: str, user: str | None, password: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITES_")}
    env.update(SITES_MODE="shared", SITES_DB=str(dep.db), SITES_LANGUAGE="zh")
    if password is not None:
        env["SITES_PASSWORD"] = password
    command = [sys.executable, "-m", "scoring", *args] + (["--user", user] if user else [])
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_scoring_target_commands_sign_in_like_the_sites_cli(dep):
    target = TargetStore(dep.store).list_targets()[0]
    before = TargetStore(dep.store).list_targets()
    editor = _scoring_cli(dep, "target-update", str(target.id), "--threshold", "0", user="gc_editor",
                          password=PASSWORDS["gc_editor"])
    assert editor.returncode == 2 and "只有管理员可以修改目标，账户“gc_editor”不是管理员" in editor.stderr
    anonymous = _scoring_cli(dep, "target-delete", str(target.id), user=None, password=None)
    assert anonymous.returncode == 2 and "请先登录" in anonymous.stderr
    wrong = _scoring_cli(dep, "target-delete", str(target.id), user="root", password="not-the-password")
    assert wrong.returncode == 2 and "用户名或密码错误" in wrong.stderr
    assert TargetStore(dep.store).list_targets() == before
    admin = _scoring_cli(dep, "target-update", str(target.id), "--threshold", "2", user="root",
                         password=PASSWORDS["root"])
    assert admin.returncode == 0, admin.stderr
    assert TargetStore(dep.store).get_target(target.id).threshold == 2
    assert TargetStore(dep.store).history(target.id)[-1].actor == "root"
