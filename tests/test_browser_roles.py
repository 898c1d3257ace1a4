"""The shared deployment in Chromium, on the real PostgreSQL server, as each kind of user would use it.

A viewer reads the map, the sites, the targets and the data page and every write they try is refused in
words; the 桂城 editor is refused a point in 大沥 by name; two sessions editing one site: the second save is
refused and nothing is lost; a signed-out browser sees only the sign-in, whatever page it asks for.
Screenshots go to ``tests/artifacts/roles_*.png``. The same paths without a browser: ``test_shared_roles.py``.
"""

from __future__ import annotations

import pytest

from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    local_only,
    require_chromium,
    settle,
    streamlit_app,
)
from tests.security_support import GUICHENG, IN_DALI, IN_GUICHENG, PASSWORDS, denials, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600),
              pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]

#: Nothing on a page moves for this long (ms) when a run has settled.
LONG = 90_000


@pytest.fixture
def served(shared_env, deploy_shared, tmp_path):
    """(deployment, URL, Chromium) of the app in shared mode on a fresh PostgreSQL schema."""
    from playwright.sync_api import sync_playwright

    from targets.store import TargetStore

    dep = deploy_shared()
    TargetStore(dep.store)  # the sample targets, made before anyone looks (as `sites init` does)
    chromium = require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_app(tmp_path, timeout_s=90, db=dep.db) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield dep, url, browser
        finally:
            browser.close()


def open_page(browser, url: str, blocked: list[str]):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.route("**/*", local_only(blocked))
    page = context.new_page()
    page.on("dialog", lambda d: (blocked.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(url)
    return page


def sign_in(page, user: str, password: str | None = None, role: str | None = None) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_label("用户名")).to_be_visible(timeout=LONG)
    settle(page)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(PASSWORDS.get(user, "") if password is None else password)
    page.get_by_role("button", name="登录").click()
    if role:
        expect(page.get_by_text(f"已登录：{user}（{role}）")).to_be_visible(timeout=LONG)
        settle(page)


def go(page, link: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible(timeout=LONG)
    settle(page)


def text_of(page) -> str:
    return page.evaluate("() => document.body.innerText").replace("\u2060", "")


def test_a_viewer_reads_every_page_and_each_write_is_refused_in_words(served):
    from playwright.sync_api import expect

    dep, url, browser = served
    blocked: list[str] = []
    page = open_page(browser, url, blocked)
    sign_in(page, "viewer", role="查看者")
    before = snapshot(dep.db)

    # the map: the towns and both sites are there; suggestions come without a button that writes
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator("path.town-outline")).to_have_count(7, timeout=LONG)
    expect(page.get_by_role("link", name="账户管理")).to_have_count(0)
    page.get_by_role("button", name="计算建议").click()
    expect(page.get_by_text("WGS84").first).to_be_visible(timeout=LONG)
    settle(page)
    expect(page.get_by_role("button", name="加入登记（规划中）")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "roles_viewer_map.png", full_page=True)

    # the sites page: told before typing; closing a site is refused by name
    go(page, "站点填报", "站点填报")
    expect(page.get_by_text("你的账户只有查看权限，不能保存站点")).to_be_visible()
    page.get_by_text("修改或关闭站点").click()
    settle(page)
    page.get_by_role("button", name="关闭此站点").click()
    expect(page.get_by_text("账户“viewer”只有查看权限，不能修改数据")).to_be_visible(timeout=LONG)
    page.screenshot(path=ARTIFACTS / "roles_viewer_close.png", full_page=True)

    # the targets page: the figures, and a save refused in words (no internal key)
    go(page, "目标进度", "目标进度")
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="保存目标").click()
    expect(page.get_by_text("只有管理员可以新增目标，账户“viewer”不是管理员")).to_be_visible(timeout=LONG)

    # the data page: exports offered, each upload says who may use it
    go(page, "数据导入导出", "数据导入导出")
    for words in ("只有编辑者和管理员可以上传导入文件", "只有管理员可以上传边界文件、更换区域",
                  "只有管理员可以添加或删除需求图层", "只有管理员可以载入路网"):
        expect(page.get_by_text(words).first).to_be_visible()
    expect(page.get_by_role("button", name="CSV").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "roles_viewer_data.png", full_page=True)

    # the accounts page by its address: a new browser session, so the sign-in first; then not there for a viewer
    page.goto(f"{url}/admin")
    sign_in(page, "viewer", role="查看者")
    assert "新建账户" not in text_of(page) and "安全日志" not in text_of(page)

    # English: the same refusal in English words
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Signed in: viewer (viewer)")).to_be_visible(timeout=LONG)
    go(page, "Targets", "Targets")
    page.get_by_role("button", name="Save target").click()
    expect(page.get_by_text("only an administrator may add a target; 'viewer' is not one")).to_be_visible(
        timeout=LONG)
    go(page, "Add and edit sites", "Add and edit sites")
    expect(page.get_by_text("Your account may only view: it cannot save a site")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "roles_viewer_en.png", full_page=True)

    assert snapshot(dep.db) == before
    assert [d[:2] for d in denials(dep.db)] == [("viewer", "close"), ("viewer", "target.add"),
                                                ("viewer", "target.add")]
    assert blocked == []


def test_the_guicheng_editor_is_refused_a_dali_point_by_name_and_saves_in_guicheng(served):
    from playwright.sync_api import expect

    dep, url, browser = served
    blocked: list[str] = []
    page = open_page(browser, url, blocked)
    sign_in(page, "gc_editor", role="编辑者")
    go(page, "站点填报", "站点填报")
    expect(page.get_by_text("你可登记：桂城街道（只能新增、修改这些镇街的站点）")).to_be_visible()
    page.get_by_role("radio", name="WGS84（GPS/天地图/OSM）").check(force=True)
    settle(page)
    page.get_by_label("名称 *", exact=True).fill("大沥冒名驿站")
    coords = page.get_by_label("坐标（经度,纬度） *", exact=True)
    coords.fill(f"{IN_DALI['lng'] + 0.005},{IN_DALI['lat']}")
    coords.press("Enter")
    expect(page.get_by_text("该位置在大沥镇（440605125000），不在你可登记的镇街（桂城街道）内", exact=False)).to_be_visible(
        timeout=LONG)
    settle(page)
    before = snapshot(dep.db)
    page.get_by_role("button", name="保存新站点").click()
    expect(page.get_by_text("无权修改大沥镇（440605125000）的站点（已授权镇街：桂城街道（440605011000））",
                            exact=False)).to_be_visible(timeout=LONG)
    page.screenshot(path=ARTIFACTS / "roles_editor_dali_refused.png", full_page=True)
    assert snapshot(dep.db) == before
    assert denials(dep.db)[-1][:2] == ("gc_editor", "create")

    coords.fill(f"{IN_GUICHENG['lng'] + 0.01},{IN_GUICHENG['lat']}")
    coords.press("Enter")
    expect(page.get_by_text("所在镇街：桂城街道", exact=False)).to_be_visible(timeout=LONG)
    settle(page)
    page.get_by_label("名称 *", exact=True).fill("桂城新驿站")
    page.get_by_label("名称 *", exact=True).press("Enter")
    settle(page)
    page.get_by_role("button", name="保存新站点").click()
    expect(page.get_by_text("已保存站点 #3“桂城新驿站”（桂城街道）")).to_be_visible(timeout=LONG)
    saved = dep.store.get_site(3)
    assert (saved.town_code, saved.created_by) == (GUICHENG, "gc_editor")

    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Signed in: gc_editor (editor)")).to_be_visible(timeout=LONG)
    settle(page)
    expect(page.get_by_role("link", name="Accounts")).to_have_count(0)
    go(page, "Targets", "Targets")
    page.get_by_role("button", name="Save target").click()
    expect(page.get_by_text("only an administrator may add a target; 'gc_editor' is not one")).to_be_visible(
        timeout=LONG)
    page.screenshot(path=ARTIFACTS / "roles_editor_en.png", full_page=True)
    assert blocked == []


def open_site(page, search: str) -> None:
    """The sites page in edit mode on the one site found by ``search``."""
    from playwright.sync_api import expect

    go(page, "站点填报", "站点填报")
    page.get_by_text("修改或关闭站点").click()
    settle(page)
    box = page.get_by_label("按名称、地址或编号搜索")
    box.fill(search)
    box.press("Enter")
    expect(page.get_by_label("名称 *", exact=True)).to_have_value(search, timeout=LONG)
    settle(page)


def test_two_sessions_edit_one_site_the_second_save_is_refused_and_nothing_is_lost(served):
    from playwright.sync_api import expect

    dep, url, browser = served
    blocked: list[str] = []
    admin, editor = open_page(browser, url, blocked), open_page(browser, url, blocked)
    sign_in(admin, "root", role="管理员")
    sign_in(editor, "gc_editor", role="编辑者")
    for page in (admin, editor):  # both load version 1 of the 桂城 site
        open_site(page, "桂城职工书屋")
    notes = admin.get_by_label("备注", exact=True)
    notes.fill("管理员先改：周末开放")
    admin.get_by_label("地址", exact=True).click()  # the text area takes its value when it loses focus
    settle(admin)
    admin.get_by_role("button", name="保存修改").click()
    expect(admin.get_by_text("已更新站点 #2“桂城职工书屋”（桂城街道）")).to_be_visible(timeout=LONG)

    name = editor.get_by_label("名称 *", exact=True)
    name.fill("桂城职工书屋（新馆）")
    name.press("Enter")
    settle(editor)
    editor.get_by_role("button", name="保存修改").click()
    expect(editor.get_by_text("未保存：站点 #2 在您载入的第 1 版之后已被修改（现为第 2 版）", exact=False)).to_be_visible(
        timeout=LONG)
    expect(editor.get_by_text("第 2 版：root 于 ", exact=False)).to_contain_text("修改了 备注、数据来源")  # in words
    expect(name).to_have_value("桂城职工书屋（新馆）")  # the editor's draft is kept
    expect(editor.get_by_role("button", name="重新载入该站点的当前内容（放弃我未保存的修改）")).to_be_visible()
    editor.screenshot(path=ARTIFACTS / "roles_stale_refused.png", full_page=True)
    site = dep.store.get_site(dep.guicheng_site_id)
    assert (site.name, site.notes, site.version, site.updated_by) == ("桂城职工书屋", "管理员先改：周末开放", 2, "root")

    editor.get_by_role("button", name="重新载入该站点的当前内容（放弃我未保存的修改）").click()
    expect(editor.get_by_label("备注", exact=True)).to_have_value("管理员先改：周末开放", timeout=LONG)
    settle(editor)
    name.fill("桂城职工书屋（新馆）")
    name.press("Enter")
    settle(editor)
    editor.get_by_role("button", name="保存修改").click()
    expect(editor.get_by_text("已更新站点 #2“桂城职工书屋（新馆）”（桂城街道）")).to_be_visible(timeout=LONG)
    site = dep.store.get_site(dep.guicheng_site_id)
    assert (site.name, site.notes, site.version, site.updated_by) == ("桂城职工书屋（新馆）", "管理员先改：周末开放", 3,
                                                                      "gc_editor")
    assert blocked == []


HOSTILE = ("<img src=x onerror=alert(1)>", "{{7*191}}", "=1+1", "**root**", "[l](http://x.invalid)")


def test_a_signed_out_browser_sees_only_the_sign_in_and_hostile_names_stay_text(served):
    from playwright.sync_api import expect

    dep, url, browser = served
    blocked: list[str] = []
    page = open_page(browser, url, blocked)
    for path in ("", "/sites", "/targets", "/data", "/admin"):
        page.goto(f"{url}{path}")
        expect(page.get_by_label("用户名")).to_be_visible(timeout=LONG)
        settle(page)
        shown = text_of(page)
        assert "覆盖地图" not in shown and "站点填报" not in shown and "桂城" not in shown, (path, shown)
        assert page.locator(MAP_IFRAME).count() == 0 and page.get_by_test_id("stDataFrame").count() == 0
    for name in HOSTILE:
        sign_in(page, name, password="not-the-password-1")
        expect(page.get_by_text("用户名或密码错误")).to_be_visible(timeout=LONG)
        settle(page)
        assert page.locator('img[src="x"]').count() == 0 and page.locator("a[href*='x.invalid']").count() == 0
        assert "1337" not in text_of(page) and "已登录" not in text_of(page)
    page.screenshot(path=ARTIFACTS / "roles_signed_out.png", full_page=True)
    assert blocked == []  # (no alert() dialog either)
