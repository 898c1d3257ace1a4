"""Attack suite, the app in shared mode: sign-in gate, a 桂城 editor and a viewer at the staff form, the admin page."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.security_support import PASSWORDS, denials, snapshot

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def dep(shared_env, deploy_shared):
    """The app in shared mode on conftest's shared registry."""
    return deploy_shared()


def _sign_in(user: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    at.text_input(key="sign_in_user").set_value(user)
    at.text_input(key="sign_in_password").set_value(password)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    return at


def test_every_page_is_behind_the_sign_in_form(dep):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [s.value for s in at.subheader] == ["登录"]
    assert not at.header  # no page ran
    at = _sign_in("gc_editor", "wrong password")
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    assert not at.header


def test_guicheng_editor_cannot_save_a_dali_site_through_the_form(dep):
    at = _sign_in("gc_editor", PASSWORDS["gc_editor"])
    assert "已登录：gc\\_editor（编辑者）" in [c.value for c in at.sidebar.caption]
    assert "账户管理" not in str(at)  # no admin page for editors
    at.switch_page("app_pages/sites_page.py").run()
    at.radio(key="sites_mode_zh").set_value("edit").run()
    at.selectbox(key="edit_pick").set_value(dep.dali_site_id).run()
    before = snapshot(dep.db)
    at.text_input(key="edit_name").set_value("<script>alert('x')</script>")
    at.button(key="edit_save").click().run()
    assert not at.exception, at.exception
    assert any("无权修改大沥镇" in e.value for e in at.error)
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][:3] == ("gc_editor", "update", f"site:{dep.dali_site_id}")


def test_viewer_cannot_close_a_site_through_the_page(dep):
    at = _sign_in("viewer", PASSWORDS["viewer"])
    at.switch_page("app_pages/sites_page.py").run()
    at.radio(key="sites_mode_zh").set_value("edit").run()
    at.selectbox(key="edit_pick").set_value(dep.dali_site_id).run()
    before = snapshot(dep.db)
    at.button(key="edit_close").click().run()
    assert not at.exception, at.exception
    assert any("只有查看权限" in e.value for e in at.error)
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][:2] == ("viewer", "close")


def test_admin_page_adds_an_editor_and_shows_the_security_log(dep):
    at = _sign_in("root", PASSWORDS["root"])
    at.switch_page("app_pages/admin_page.py").run()
    assert not at.exception, at.exception
    at.text_input(key="admin_new_user").set_value("dl_editor")
    at.selectbox(key="admin_new_role").set_value("editor")
    at.multiselect(key="admin_new_towns").set_value(["440605125000"])
    at.text_input(key="admin_new_password").set_value("dali-password-1")
    at.button(key="admin_create").click().run()
    assert not at.exception, at.exception
    account = dep.accounts.get("dl_editor")
    assert (account.role, account.towns, account.created_by) == ("editor", ("440605125000",), "root")
    assert dep.accounts.authenticate("dl_editor", "dali-password-1").towns == {"440605125000"}


def test_sign_out_ends_the_session(dep):
    at = _sign_in("viewer", PASSWORDS["viewer"])
    at.sidebar.button(key="sign_out").click().run()
    assert [s.value for s in at.subheader] == ["登录"]


def _data_upload(at: AppTest, name: str, data: bytes, key: str = "data_upload") -> AppTest:
    at.switch_page("app_pages/data_page.py").run()
    at.file_uploader(key=key).set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_guicheng_editor_import_with_a_dali_row_is_refused_in_the_app(dep):
    data = ("名称,类型,经度,纬度\n桂城新书屋,职工书屋,113.1700,23.0400\n"
            "大沥冒名书屋,职工书屋,113.1555,23.11835\n").encode()
    at = _data_upload(_sign_in("gc_editor", PASSWORDS["gc_editor"]), "mixed.csv", data)
    before = snapshot(dep.db)
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    assert any("无权修改大沥镇" in e.value for e in at.error)
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][:2] == ("gc_editor", "import")


def test_hostile_uploads_are_refused_with_a_clear_message_in_the_app(dep):
    at = _sign_in("root", PASSWORDS["root"])
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(300) + b"This program cannot be run in DOS mode"
    at = _data_upload(at, "sites.csv", exe)
    assert at.error and at.error[0].value == r"无法导入文件 sites\.csv："
    reasons = at.dataframe[0].value.to_string()
    assert "无法识别文件“sites.csv”的内容" in reasons and "与文件扩展名无关" in reasons
    assert "data_commit" not in [b.key for b in at.button]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("towns.shp", bytes(50_000_000))
        zf.writestr("../../towns.dbf", b"x")
    at = _data_upload(at, "towns.zip", bomb.getvalue(), key="region_upload")
    assert any(r"“towns\.shp”压缩比" in e.value and "疑似压缩炸弹" in e.value for e in at.error)
