"""Each kind of user of the shared deployment, on the real PostgreSQL server (``SITES_TEST_PG_URL``), through
the app's pages (AppTest): a viewer reads and writes nothing, an editor of 桂城 writes 桂城 only, an admin does
everything under their own name, a stale edit is refused, and the sign-in refuses hostile names calmly.

The browser paths (Chromium) are in ``tests/test_browser_roles.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.security_support import (
    DALI,
    GUICHENG,
    IN_DALI,
    IN_GUICHENG,
    PASSWORDS,
    denials,
    snapshot,
    sql_connect,
)

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SITES, TARGETS, DATA, ADMIN, MAP = (f"app_pages/{p}.py" for p in
                                    ("sites_page", "targets_page", "data_page", "admin_page", "map_page"))

#: The shared deployment runs on the PostgreSQL server (skipped without one; failed under CI).
pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def dep(shared_env, deploy_shared):
    """The app in shared mode on a fresh PostgreSQL schema: root (admin), gc_editor (桂城), viewer; the sample
    targets made (as ``system``: the targets store makes them on its first use)."""
    from targets.store import TargetStore

    deployment = deploy_shared()
    TargetStore(deployment.store)
    return deployment


def sign_in(user: str, lang: str = "zh", password: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    at.text_input(key="sign_in_user").set_value(user)
    at.text_input(key="sign_in_password").set_value(PASSWORDS[user] if password is None else password)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
        assert not at.exception, at.exception
    return at


def page(at: AppTest, script: str) -> AppTest:
    at.switch_page(script).run()
    assert not at.exception, (script, at.exception)
    return at


def texts(elements) -> list[str]:
    """Element texts as read (Markdown escapes removed)."""
    return [e.value.replace("\\", "") for e in elements]


def audit_rows(db) -> list[tuple]:
    conn = sql_connect(db)
    try:
        return conn.execute("SELECT kind, subject_id, action, actor FROM audit ORDER BY id").fetchall()
    finally:
        conn.close()


# ------------------------------------------------------------------ viewer


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_viewer_cannot_save_a_target_and_is_told_in_their_language(dep, lang):
    at = page(sign_in("viewer", lang), TARGETS)
    at.text_input(key="target_name").set_value("全区书屋")
    before = snapshot(dep.db)
    at.button(key="target_save").click().run()
    assert not at.exception, at.exception
    refusal = " ".join(texts(at.error))
    if lang == "zh":
        assert "只有管理员可以新增目标" in refusal and "viewer" in refusal, refusal
        assert "target." not in refusal, refusal  # no internal action key in the Chinese UI
    else:
        assert "only an administrator may add a target" in refusal, refusal
    assert snapshot(dep.db) == before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_viewer_cannot_delete_a_target_nor_import_a_target_sheet(dep, lang):
    from targets.store import TargetStore

    at = page(sign_in("viewer", lang), TARGETS)
    target = TargetStore(dep.store).list_targets()[0]  # the bundled Nanhai sample target
    at.selectbox(key="target_pick").set_value(target.id).run()
    before = snapshot(dep.db)
    at.button(key="target_delete").click().run()
    assert not at.exception, at.exception
    refusal = " ".join(texts(at.error))
    assert ("只有管理员可以删除目标，账户“viewer”不是管理员" if lang == "zh"
            else "only an administrator may delete a target; 'viewer' is not one") in refusal, refusal
    at.file_uploader(key="target_import_file").set_value(("t.csv", "镇街,目标\n桂城街道,1\n".encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    refusal = " ".join(texts(at.error))
    assert ("只有管理员可以上传目标表" if lang == "zh" else "only an administrator may upload a target sheet") in refusal
    assert "target_import_commit" not in [b.key for b in at.button]
    assert snapshot(dep.db) == before
    assert [d[:2] for d in denials(dep.db)[-2:]] == [("viewer", "target.delete"), ("viewer", "target_import")]
    assert TargetStore(dep.store).get_target(target.id) == target


def test_viewer_reads_every_page_and_writes_nothing(dep):
    at = sign_in("viewer")
    assert "已登录：viewer（查看者）" in texts(at.sidebar.caption)
    assert "账户管理" not in str(at)  # no accounts page in the navigation
    at = page(at, MAP)
    assert "map_seed_demo" not in [b.key for b in at.button]
    assert [d for d in at.dataframe if "桂城街道" in d.value.to_string()]  # the town table is there
    at = page(at, SITES)
    assert "你的账户只有查看权限，不能保存站点" in texts(at.info)
    at.radio(key="sites_mode_zh").set_value("edit").run()
    at.selectbox(key="edit_pick").set_value(dep.guicheng_site_id).run()
    before = snapshot(dep.db)
    at.text_area(key="edit_notes").set_value("查看者想改")
    at.button(key="edit_save").click().run()
    assert not at.exception, at.exception
    assert "账户“viewer”只有查看权限，不能修改数据" in texts(at.error)
    at = page(at, TARGETS)
    assert [m for m in at.metric]  # the headline figures
    at = page(at, DATA)
    captions = texts(at.caption)
    for words in ("只有编辑者和管理员可以上传导入文件", "只有管理员可以上传边界文件、更换区域",
                  "只有管理员可以添加或删除需求图层", "只有管理员可以载入路网"):
        assert words in captions, (words, captions)
    assert "demand_delete" not in [b.key for b in at.button]
    assert snapshot(dep.db) == before


# ------------------------------------------------------------------ an editor of 桂城


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_editor_adds_and_closes_in_their_town_under_their_account_name(dep, lang):
    at = page(sign_in("gc_editor", lang), SITES)
    at.radio(key=f"add_crs_{lang}").set_value("wgs84")
    at.text_input(key="add_name").set_value("桂城新驿站")
    at.radio(key=f"add_type_{lang}").set_value("rest_station")
    at.text_input(key="add_coords").set_value(f"{IN_GUICHENG['lng'] + 0.01},{IN_GUICHENG['lat']}").run()
    at.button(key="add_save").click().run()
    assert not at.exception, at.exception
    saved = [s for s in dep.store.list_sites() if s.name == "桂城新驿站"]
    assert len(saved) == 1 and saved[0].town_code == GUICHENG and saved[0].created_by == "gc_editor"
    assert any(f"#{saved[0].id}" in m for m in texts(at.success))
    at.radio(key=f"sites_mode_{lang}").set_value("edit").run()
    at.selectbox(key="edit_pick").set_value(saved[0].id).run()
    at.button(key="edit_close").click().run()
    assert not at.exception, at.exception
    assert dep.store.get_site(saved[0].id).status == "closed"
    assert [r for r in audit_rows(dep.db) if r[0] == "site" and str(r[1]) == str(saved[0].id)] == [
        ("site", str(saved[0].id), "create", "gc_editor"), ("site", str(saved[0].id), "close", "gc_editor")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_editor_cannot_move_their_site_into_another_town_through_the_form(dep, lang):
    at = page(sign_in("gc_editor", lang), SITES)
    at.radio(key=f"sites_mode_{lang}").set_value("edit").run()
    at.selectbox(key="edit_pick").set_value(dep.guicheng_site_id).run()
    before = snapshot(dep.db)
    at.text_input(key="edit_coords").set_value(f"{IN_DALI['lng'] + 0.005},{IN_DALI['lat']}").run()
    warned = " ".join(texts(at.warning))
    assert ("该位置在大沥镇（440605125000），不在你可登记的镇街（桂城街道）内" if lang == "zh"
            else "This point lies in Dali Town (440605125000), not in your towns (Guicheng Subdistrict)") in warned
    at.button(key="edit_save").click().run()
    assert not at.exception, at.exception
    refusal = " ".join(texts(at.error))
    assert ("无权修改大沥镇（440605125000）的站点（已授权镇街：桂城街道（440605011000））" if lang == "zh"
            else "may not change sites in Dali Town (440605125000); towns granted: Guicheng Subdistrict") in refusal
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][:3] == ("gc_editor", "update", f"site:{dep.guicheng_site_id}")


def test_editor_cannot_close_a_site_of_another_town(dep):
    at = page(sign_in("gc_editor"), SITES)
    at.radio(key="sites_mode_zh").set_value("edit").run()
    at.selectbox(key="edit_pick").set_value(dep.dali_site_id).run()
    before = snapshot(dep.db)
    at.button(key="edit_close").click().run()
    assert not at.exception, at.exception
    assert any("无权修改大沥镇（440605125000）的站点" in e for e in texts(at.error))
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][:3] == ("gc_editor", "close", f"site:{dep.dali_site_id}")


def test_editor_import_with_a_row_in_another_town_is_refused_naming_it(dep):
    data = ("名称,类型,经度,纬度\n桂城新书屋,职工书屋,113.1700,23.0400\n"
            f"大沥冒名书屋,职工书屋,{IN_DALI['lng'] + 0.005},{IN_DALI['lat']}\n").encode()
    at = page(sign_in("gc_editor"), DATA)
    at.radio(key="data_crs_zh").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value(("mixed.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    # the preview marks the 大沥 row before anything is committed (it said "2 行可导入" and ✅ for it)
    assert any("共 2 行，1 行可导入，1 行有错误" in m for m in texts(at.markdown)), texts(at.markdown)
    preview = at.dataframe[0].value
    assert preview[preview["行号"] == "3"]["检查结果"].tolist() == ["❌ 有错误"]
    assert "无权修改大沥镇（440605125000）的站点" in at.dataframe[1].value.to_string()
    before = snapshot(dep.db)
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    assert any("无权修改大沥镇（440605125000）" in e for e in texts(at.error)), texts(at.error)
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][:2] == ("gc_editor", "import")


def test_editor_cannot_change_targets_region_or_accounts(dep):
    at = page(sign_in("gc_editor"), TARGETS)
    at.text_input(key="target_name").set_value("桂城书屋目标")
    before = snapshot(dep.db)
    at.button(key="target_save").click().run()
    assert "只有管理员可以新增目标，账户“gc_editor”不是管理员" in texts(at.error)
    assert "账户管理" not in str(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN)  # the accounts page is not registered for an editor at all
    at = page(at, DATA)
    region = (Path(__file__).resolve().parent.parent / "geodata" / "data" / "nanhai_towns.geojson")
    at.file_uploader(key="region_upload").set_value((region.name, region.read_bytes(), "application/geo+json")).run()
    assert not at.exception, at.exception
    assert "只有管理员可以上传边界文件，账户“gc_editor”不是管理员" in texts(at.error)
    assert "region_switch" not in [b.key for b in at.button]
    assert snapshot(dep.db) == before
    assert dep.accounts.get("gc_editor").towns == (GUICHENG,)


# ------------------------------------------------------------------ the admin


def test_admin_writes_anywhere_and_every_write_names_the_account(dep):
    at = page(sign_in("root"), SITES)
    for name, point in (("大沥新书屋", IN_DALI), ("桂城新书屋", IN_GUICHENG)):
        at.radio(key="add_crs_zh").set_value("wgs84")
        at.text_input(key="add_name").set_value(name)
        at.radio(key="add_type_zh").set_value("nursing_room")
        at.text_input(key="add_coords").set_value(f"{point['lng'] + 0.002},{point['lat']}").run()
        at.button(key="add_save").click().run()
        assert not at.exception, at.exception
        assert any(name in m for m in texts(at.success)), texts(at.error)
    towns = {s.name: s.town_code for s in dep.store.list_sites()}
    assert (towns["大沥新书屋"], towns["桂城新书屋"]) == (DALI, GUICHENG)
    at = page(at, TARGETS)
    at.text_input(key="target_name").set_value("全区爱心妈妈小屋")
    at.button(key="target_save").click().run()
    assert not at.exception, at.exception
    assert "已保存目标“全区爱心妈妈小屋”" in texts(at.success)
    at = page(at, ADMIN)
    at.text_input(key="admin_new_user").set_value("dl_editor")
    at.selectbox(key="admin_new_role").set_value("editor")
    at.multiselect(key="admin_new_towns").set_value([DALI])
    at.text_input(key="admin_new_password").set_value("dali-password-1")
    at.button(key="admin_create").click().run()
    assert not at.exception, at.exception
    assert dep.accounts.get("dl_editor").created_by == "root"
    writes = audit_rows(dep.db)[-4:]
    assert [(r[0], r[2], r[3]) for r in writes] == [("site", "create", "root"), ("site", "create", "root"),
                                                    ("target", "create", "root"), ("account", "create", "root")]


def test_admin_switches_the_region_on_the_server(dep):
    at = page(sign_in("root"), DATA)
    region = (Path(__file__).resolve().parent.parent / "geodata" / "data" / "nanhai_towns.geojson")
    at.file_uploader(key="region_upload").set_value((region.name, region.read_bytes(), "application/geo+json")).run()
    assert not at.exception, at.exception
    at.radio(key="region_crs_zh").set_value("wgs84").run()
    at.text_input(key="region_title").set_value("南海区（新边界）")
    at.checkbox(key="region_confirm").check().run()
    at.button(key="region_switch").click().run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    assert any("已切换到" in m for m in texts(at.success)), texts(at.success)
    assert dep.store.region().name_zh == "南海区（新边界）"
    assert dep.store.region_info().loaded_by == "root"  # recorded under the account


# ------------------------------------------------------------------ signing in


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_signed_out_user_sees_only_the_sign_in_on_every_page(dep, lang):
    for script in (MAP, SITES, TARGETS, DATA, ADMIN):
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page(script).run()
        assert not at.exception, (script, at.exception)
        assert [s.value for s in at.subheader] == ["登录" if lang == "zh" else "Sign in"], script
        assert not at.header and not at.dataframe and not at.metric, script
        assert [t.key for t in at.text_input] == ["sign_in_user", "sign_in_password"], script


HOSTILE_NAMES = ("a\x00b", "\x1b[31mroot", "root\u202e", "=HYPERLINK(\"http://x.invalid\",\"x\")", "{{7*191}}",
                 "**root**", "<img src=x onerror=alert(1)>", "r\too\nt", "viewer\x07")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wrong_password_unknown_and_hostile_names_get_one_calm_answer(dep, lang):
    expected = ["用户名或密码错误" if lang == "zh" else "wrong user name or password"]
    for name, password in (("viewer", "not the password"), ("nobody", "not the password"),
                           *((n, PASSWORDS["viewer"]) for n in HOSTILE_NAMES)):
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["lang"] = lang
        at.run()
        at.text_input(key="sign_in_user").set_value(name)
        at.text_input(key="sign_in_password").set_value(password)
        at.button(key="sign_in_submit").click().run()
        assert not at.exception, (name, at.exception)
        assert [e.value for e in at.error] == expected, name
        assert not at.header, name  # still signed out
    logged = [r[0] for r in sql_connect(dep.db).execute(
        "SELECT actor FROM security_log WHERE action = 'sign_in' AND outcome = 'failed' ORDER BY id").fetchall()]
    assert "a\\u0000b" in logged and "\\u001b[31mroot" in logged  # kept as text, the character written out


# ------------------------------------------------------------------ two sessions, one site


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_stale_save_from_a_second_session_names_what_changed_in_words(dep, lang):
    """The admin and the 桂城 editor load the 桂城 site; the admin saves first; the editor's save is refused with
    who changed which fields, in the editor's language (no column names), and the admin's change stays."""
    admin, editor = page(sign_in("root", lang), SITES), page(sign_in("gc_editor", lang), SITES)
    for at in (admin, editor):
        at.radio(key=f"sites_mode_{lang}").set_value("edit").run()
        at.selectbox(key="edit_pick").set_value(dep.guicheng_site_id).run()
    admin.text_area(key="edit_notes").set_value("管理员先改")
    admin.radio(key=f"edit_status_{lang}").set_value("suspended")
    admin.button(key="edit_save").click().run()
    assert not admin.exception and not admin.error, texts(admin.error)
    editor.text_input(key="edit_name").set_value("桂城职工书屋（新馆）")
    editor.button(key="edit_save").click().run()
    assert not editor.exception, editor.exception
    refusal = " ".join(texts(editor.error))
    if lang == "zh":
        assert "未保存：站点 #2 在您载入的第 1 版之后已被修改（现为第 2 版）" in refusal, refusal
        assert "第 2 版：root 于 " in refusal and "修改了 状态、备注、数据来源" in refusal, refusal
    else:
        assert "not saved: site #2 was changed after version 1" in refusal, refusal
        assert "version 2: root changed status, notes, source at " in refusal, refusal
    assert "edit_reload" in [b.key for b in editor.button]
    assert editor.text_input(key="edit_name").value == "桂城职工书屋（新馆）"  # the draft is kept
    site = dep.store.get_site(dep.guicheng_site_id)
    assert (site.name, site.notes, site.status, site.version) == ("桂城职工书屋", "管理员先改", "suspended", 2)


def test_an_audit_filter_holding_nul_finds_nothing_calmly(dep):
    """Any signed-in user may filter the audit on the data page; a pasted NUL (PostgreSQL refuses the
    character) finds nothing instead of an incident."""
    at = page(sign_in("viewer"), DATA)
    at.text_input(key="audit_actor").set_value("ro\x00ot").run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    at.text_input(key="audit_actor").set_value("root").run()
    assert not at.error and any("root" in d.value.to_string() for d in at.dataframe)


def test_admin_page_refuses_a_name_with_a_control_character_and_keeps_hostile_names_as_text(dep):
    """(Chinese only: in an English AppTest the page's role selectbox words its options after the run, in
    Chinese, and AppTest cannot set it; in a browser the words are those of the run.)"""
    lang = "zh"
    at = page(sign_in("root", lang), ADMIN)
    for name in ("bad\x1bname", "tab\tname", "nul\x00name"):
        at.text_input(key="admin_new_user").set_value(name)
        at.text_input(key="admin_new_password").set_value("a long password 1")
        at.button(key="admin_create").click().run()
        assert not at.exception, (name, at.exception)
        assert texts(at.error) == ["用户名不能为空、不能含空格或控制字符，最长 64 个字符" if lang == "zh" else
                                   "a user name must be 1 to 64 characters without spaces or control characters"], name
    hostile = ("{{7*191}}", "=HYPERLINK(\"http://x.invalid\")", "<b>bold</b>", "**b**")
    for name in hostile:  # (the role: viewer, the first offered)
        at.text_input(key="admin_new_user").set_value(name)
        at.text_input(key="admin_new_password").set_value("a long password 1")
        at.button(key="admin_create").click().run()
        assert not at.exception, (name, at.exception)
    accounts = at.dataframe[0].value.iloc[:, 0].tolist()
    assert set(hostile) <= set(accounts)  # the list shows each name as typed (a table cell: text)
    assert all(dep.accounts.get(n).created_by == "root" for n in hostile)
    assert "1337" not in str(at.dataframe[0].value)


def test_an_account_disabled_meanwhile_is_signed_out_at_its_next_click(dep):
    at = page(sign_in("gc_editor"), SITES)
    dep.accounts.disable("gc_editor", actor=dep.admin)
    at.text_input(key="add_name").set_value("桂城驿站").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["登录"]
    assert "登录已过期，请重新登录" in texts(at.warning)
    assert not at.header  # no page ran
