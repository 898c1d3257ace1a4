"""The town clerk reads the sites and data pages at a glance (issue 13): type and status names in the
user's language, a form that asks for what is missing, a refused import that says how to import the rest,
the clerk's own towns named before typing, duplicates shown close up, local audit times, demo data flagged
in every table and export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sites.region import RegionSpec, town_index
from sites.store import SiteStore
from sites.validation import RawRecords, validate_records

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SITES_PAGE = "app_pages/sites_page.py"
DATA_PAGE = "app_pages/data_page.py"
DATA = Path(__file__).resolve().parent / "data"
#: Nine rows, six wrong, three fine (tests/test_app_data.py says which).
MIXED = DATA / "sites" / "mixed_bad_rows.csv"
IN_GUICHENG = (113.19298, 23.03047)

ZH_TYPES = "职工服务中心、职工书屋、爱心妈妈小屋、户外劳动者爱心驿站、工人文化宫"
ZH_STATUSES = "规划中、在建、开放、暂停、关闭"


@pytest.fixture(scope="module")
def towns():
    return town_index(RegionSpec())


@pytest.fixture
def local_db(app_db, monkeypatch) -> Path:
    monkeypatch.setenv("SITES_USER", "镇街填报员")
    return app_db


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _texts(elements) -> list[str]:
    """The elements' texts as shown (Markdown escapes such as ``\\(`` removed)."""
    return [e.value.replace("\\", "") for e in elements]


# ------------------------------------------------------------------ 1. type and status names, each language


def test_unknown_type_and_status_list_the_names_in_the_users_language(towns):
    frame = pd.DataFrame([{"name": "甲", "type": "食堂", "status": "半开", "lng": IN_GUICHENG[0],
                           "lat": IN_GUICHENG[1]}], dtype=object)
    problems = {p.code: p for p in validate_records(RawRecords(frame, [2]), crs="wgs84", towns=towns).problems}
    zh_type, en_type = problems["sites.type_unknown"].message("zh"), problems["sites.type_unknown"].message("en")
    assert zh_type.endswith(f"未知的站点类型“食堂”，应为：{ZH_TYPES}")
    assert "service_centre" not in zh_type and "book_room" not in zh_type
    assert ("expected one of: Worker service centre (service_centre), Worker book room (book_room), Nursing room "
            "(nursing_room), Outdoor-worker rest station (rest_station), Workers' cultural palace "
            "(cultural_palace)") in en_type
    zh_status = problems["sites.status_unknown"].message("zh")
    assert f"未知的状态“半开”，应为：{ZH_STATUSES}（留空视为开放）" in zh_status and "planned" not in zh_status
    assert "expected one of: Planned (planned), Under construction (under_construction), Open (open)" in (
        problems["sites.status_unknown"].message("en"))


def test_empty_type_lists_the_chinese_names(towns):
    frame = pd.DataFrame([{"name": "甲", "type": "", "lng": IN_GUICHENG[0], "lat": IN_GUICHENG[1]}], dtype=object)
    [problem] = validate_records(RawRecords(frame, [None]), crs="wgs84", towns=towns).problems
    assert problem.message("zh") == f"字段“type”：未填写站点类型，应为：{ZH_TYPES}"


def test_the_data_page_lists_chinese_type_names_for_a_bad_type(local_db):
    at = _open(DATA_PAGE)
    at.radio(key="data_crs_zh").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((MIXED.name, MIXED.read_bytes(), "text/csv")).run()
    reasons = list(at.dataframe[1].value["原因"])
    [bad_type] = [r for r in reasons if "未知的站点类型" in r]
    assert f"应为：{ZH_TYPES}" in bad_type and "_" not in bad_type


# ------------------------------------------------------------------ 4. ask for coordinates; refused import


def test_an_empty_point_asks_for_coordinates_once(local_db):
    at = _open(SITES_PAGE)
    at.text_input(key="add_name").set_value("桂城书屋")
    at.button(key="add_save").click().run()
    errors = _texts(at.error)
    assert "请填写坐标（经度、纬度）：粘贴从高德、百度或 GPS 复制的坐标，或在下方地图上点选" in errors
    assert not any("缺少经度" in e or "缺少纬度" in e for e in errors)
    assert "未保存：有 1 个问题，已在对应字段下标出" in errors


def test_a_refused_import_points_to_the_skip_invalid_choice(local_db):
    at = _open(DATA_PAGE)
    at.radio(key="data_crs_zh").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((MIXED.name, MIXED.read_bytes(), "text/csv")).run()
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    assert ("另有 3 行没有错误：勾选上方的“跳过有错误的行，只导入正确的行”，再点“确认导入”，即可只导入这 3 行；"
            "或按下表改正后重新上传") in _texts(at.info)
    with SiteStore(local_db) as store:
        assert store.count() == 0


# ------------------------------------------------------------------ 3. shared mode: the clerk's own towns


@pytest.fixture
def shared(shared_env, deploy_shared):
    """The app in shared mode on conftest's registry: gc_editor may write in 桂城街道 only."""
    return deploy_shared()


def _sign_in(user: str, lang: str = "zh") -> AppTest:
    from tests.security_support import PASSWORDS

    at = AppTest.from_file(APP, default_timeout=90).run()
    at.text_input(key="sign_in_user").set_value(user)
    at.text_input(key="sign_in_password").set_value(PASSWORDS[user])
    at.button(key="sign_in_submit").click().run()
    at.switch_page(SITES_PAGE).run()
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
    assert not at.exception, at.exception
    return at


def test_an_editor_sees_their_towns_before_typing_and_a_point_elsewhere_at_once(shared):
    from tests.security_support import IN_DALI, denials, snapshot

    at = _sign_in("gc_editor")
    assert "你可登记：桂城街道（只能新增、修改这些镇街的站点）" in _texts(at.info)  # before anything is typed
    assert not at.warning and not at.error
    at.radio(key="add_crs_zh").set_value("wgs84")
    at.text_input(key="add_coords").set_value(f"{IN_DALI['lng']},{IN_DALI['lat']}").run()
    assert ("该位置在大沥镇（440605125000），不在你可登记的镇街（桂城街道）内：保存将被拒绝。请核对坐标，或请管理员授权该镇街"
            in _texts(at.warning))  # as soon as the point is entered, before the rest of the form
    at.text_input(key="add_name").set_value("大沥驿站")
    at.radio(key="add_type_zh").set_value("rest_station")
    before = snapshot(shared.db)
    at.button(key="add_save").click().run()
    assert not at.exception, at.exception
    refusal = " ".join(_texts(at.error))
    assert "无权修改大沥镇（440605125000）的站点（已授权镇街：桂城街道（440605011000））" in refusal
    assert snapshot(shared.db) == before
    assert denials(shared.db)[-1][:2] == ("gc_editor", "create")  # refused by the registry, logged


def test_the_editor_hints_in_english(shared):
    from tests.security_support import IN_DALI

    at = _sign_in("gc_editor", "en")
    assert "You may register sites in: Guicheng Subdistrict (add and edit sites in these towns only)" in _texts(
        at.info)
    at.radio(key="add_crs_en").set_value("wgs84")
    at.text_input(key="add_name").set_value("Dali rest station")
    at.text_input(key="add_coords").set_value(f"{IN_DALI['lng']},{IN_DALI['lat']}").run()
    assert any(w.startswith("This point lies in Dali Town (440605125000), not in your towns (Guicheng Subdistrict)")
               for w in _texts(at.warning))
    at.button(key="add_save").click().run()
    assert any("may not change sites in Dali Town (440605125000); towns granted: Guicheng Subdistrict "
               "(440605011000)" in e for e in _texts(at.error))


def test_a_viewer_is_told_before_typing(shared):
    at = _sign_in("viewer")
    assert "你的账户只有查看权限，不能保存站点" in _texts(at.info)


# ------------------------------------------------------------------ 6. local times; the reporter is a person


def test_a_stored_utc_moment_is_shown_in_shanghai_time_with_its_zone():
    from app_pages.form_text import local_time, zone_params

    assert local_time("2025-06-30T20:15:00.000Z", "Asia/Shanghai") == "2025-07-01 04:15:00"  # the next day there
    assert local_time("2025-01-15T20:15:00.000Z", "Europe/London") == "2025-01-15 20:15:00"
    assert local_time("2025-06-30T20:15:00.000Z", "Europe/London") == "2025-06-30 21:15:00"  # summer time
    assert zone_params("Asia/Shanghai") == {"zone": "UTC+08:00", "zone_en": "Asia/Shanghai, UTC+08:00"}


def test_the_timezone_setting_refuses_a_made_up_zone(monkeypatch):
    from pydantic import ValidationError

    from settings import Settings

    assert Settings().timezone == "Asia/Shanghai"
    monkeypatch.setenv("SITES_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError, match="SITES_TIMEZONE='Mars/Olympus': not a time zone name"):
        Settings()


def _local(at: str, hours: int) -> str:
    import datetime

    moment = datetime.datetime.fromisoformat(at.replace("Z", "+00:00")) + datetime.timedelta(hours=hours)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def test_audit_log_and_history_show_local_time_and_keep_utc(local_db):
    with SiteStore(local_db) as store:
        site, _ = store.add({"name": "桂城书屋", "type": "book_room", "lng": IN_GUICHENG[0], "lat": IN_GUICHENG[1]},
                            actor="镇街填报员")
        [entry] = store.history(site.id)
    assert entry.at.endswith("Z")  # stored in UTC, unchanged
    at = _open(DATA_PAGE)
    log = at.dataframe[-1].value
    assert list(log["时间（UTC+08:00）"]) == [_local(entry.at, 8)]
    assert any(d.label == "日期范围（UTC+08:00）" for d in at.date_input)
    at = _open(SITES_PAGE)
    at.radio(key="sites_mode_zh").set_value("edit").run()
    history = at.dataframe[-1].value
    assert list(history["时间（UTC+08:00）"]) == [_local(entry.at, 8)]
    assert any(f"最后修改：镇街填报员，{_local(entry.at, 8)}（UTC+08:00）" in c for c in _texts(at.caption))


def test_the_audit_dates_are_local_days():
    import datetime

    from app_pages.form_text import local_dates
    from database.audit import AuditEntry

    late = AuditEntry(1, "site", 1, "create", "甲", "2025-06-30T20:15:00.000Z", None, None)  # 07-01 04:15 local
    early = AuditEntry(2, "site", 2, "create", "乙", "2025-06-30T10:00:00.000Z", None, None)  # 06-30 18:00 local
    july = datetime.date(2025, 7, 1)
    assert [e.id for e in local_dates([late, early], july, july, "Asia/Shanghai")] == [1]
    assert [e.id for e in local_dates([late, early], july, july, "UTC")] == []


def test_the_reporter_is_asked_for_not_the_servers_user(app_db, monkeypatch):
    monkeypatch.delenv("SITES_USER", raising=False)
    at = _open(SITES_PAGE)
    assert at.text_input(key="actor_input").value == ""  # not the OS user ("root")
    assert "必填：请先填写填报人姓名，每次保存都以此名字记入修改记录" in _texts(at.caption)
    at.text_input(key="add_name").set_value("桂城书屋")
    at.text_input(key="add_coords").set_value("113.15,23.04").run()
    at.button(key="add_save").click().run()
    assert "未保存：请先在页面上方填写填报人姓名" in _texts(at.error)
    with SiteStore(app_db) as store:
        assert store.count() == 0
    at.text_input(key="actor_input").set_value("王五").run()
    at.button(key="add_save").click().run()
    with SiteStore(app_db) as store:
        assert [s.created_by for s in store.list_sites()] == ["王五"]


# ------------------------------------------------------------------ 5. a likely duplicate, close up


def test_the_duplicate_view_holds_both_points_with_25_m_around():
    from app_pages.form_site import duplicate_view

    new, old = (113.15, 23.04), (113.1501, 23.04)  # about 10 m apart
    (south, west), (north, east) = duplicate_view(new, [old])
    assert west < 113.15 < 113.1501 < east and south < 23.04 < north
    metres_ns = (north - south) * 111_320
    metres_ew = (east - west) * 111_320 * 0.9203  # cos(23.04°)
    assert metres_ns == pytest.approx(50.0, abs=0.01)  # 25 m either side of one latitude
    assert metres_ew == pytest.approx(50.0 + 0.0001 * 111_320 * 0.9203, abs=0.05)


def test_a_likely_duplicate_is_shown_close_up_with_its_distance(local_db):
    import re

    with SiteStore(local_db) as store:
        store.add({"name": "桂城服务中心", "type": "service_centre", "lng": 113.15, "lat": 23.04}, actor="seed",
                  crs="gcj02")
    at = _open(SITES_PAGE)
    at.text_input(key="add_name").set_value("另一个中心")
    at.radio(key="add_type_zh").set_value("service_centre")
    at.text_input(key="add_coords").set_value("113.1501,23.04").run()  # GCJ-02, about 10 m east
    [warning] = [w for w in _texts(at.warning) if "疑似重复" in w]
    metres = re.search(r"相距 ([\d.]+) 米", warning).group(1)
    assert 9.5 < float(metres) < 11.0
    assert f"地图已放大到新位置（蓝）和疑似重复的站点 #1“桂城服务中心”（红），两者相距 {metres} 米" in _texts(at.caption)


# ------------------------------------------------------------------ 8. demo data flagged in tables and exports


@pytest.fixture
def demo_db(local_db) -> Path:
    from settings import Settings
    from sites.demo import seed_demo

    with SiteStore(local_db, settings=Settings(mode="local", db=local_db)) as store:
        seed_demo(store, actor="镇街填报员")
    return local_db


def test_site_exports_flag_demo_data_with_chinese_headers_and_names(demo_db):
    import csv
    import io

    from openpyxl import load_workbook

    from app_pages.data_files import export_bytes

    with SiteStore(demo_db) as store:
        sites = store.list_sites()
        zh_csv = list(csv.DictReader(io.StringIO(export_bytes(store, ".csv", "zh").decode("utf-8-sig"))))
        en_csv = list(csv.DictReader(io.StringIO(export_bytes(store, ".csv", "en").decode("utf-8-sig"))))
        sheet = load_workbook(io.BytesIO(export_bytes(store, ".xlsx", "zh"))).active
    n_demo = sum(s.source == "demo" for s in sites)
    assert n_demo == 116 and len(zh_csv) == 120  # the four palaces are real (Amap)
    assert list(zh_csv[0]) == ["编号", "名称", "类型", "状态", "经度", "纬度", "镇街代码", "镇街", "地址", "主办单位",
                               "开放日期", "关闭日期", "备注", "数据来源", "创建人", "创建时间", "修改人", "修改时间"]
    assert sum(r["数据来源"] == "演示数据" for r in zh_csv) == 116
    assert {r["类型"] for r in zh_csv} == set(ZH_TYPES.split("、")) and {r["状态"] for r in zh_csv} == {"开放"}
    assert sum(r["source"] == "demo" for r in en_csv) == 116 and "service_centre" in {r["type"] for r in en_csv}
    header = [c.value for c in sheet[1]]
    column = header.index("数据来源") + 1
    assert sum(sheet.cell(row=i, column=column).value == "演示数据" for i in range(2, 122)) == 116


def test_a_chinese_export_imports_back_as_demo(demo_db, tmp_path):
    from app_pages.data_files import export_bytes
    from sites.io import read_records

    with SiteStore(demo_db) as store:
        path = tmp_path / "导出.csv"
        path.write_bytes(export_bytes(store, ".csv", "zh"))
        before = sorted((s.name, s.type, s.status, s.source) for s in store.list_sites())
    with SiteStore(tmp_path / "copy.db") as copy:
        copy.import_records(read_records(path), actor="乙", crs="wgs84", allow_duplicates=True)
        assert sorted((s.name, s.type, s.status, s.source) for s in copy.list_sites()) == before


def test_the_sites_page_says_demo_in_chinese(demo_db):
    at = _open(SITES_PAGE)
    at.radio(key="sites_mode_zh").set_value("edit").run()
    picked = at.selectbox(key="edit_pick")
    demo = [o for o in picked.options if o.endswith("（演示数据）")]
    assert len(demo) == 116
    at.selectbox(key="edit_pick").set_value(int(demo[0].split()[0][1:])).run()
    assert any("来源：演示数据" in c for c in _texts(at.caption))
    assert not any("来源：demo" in c for c in _texts(at.caption))


# ------------------------------------------------------------------ 7. a focused field does not look wrong


def test_the_focus_colour_is_not_a_red():
    import colorsys
    import tomllib

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    colour = config["theme"]["primaryColor"]
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _, _ = colorsys.rgb_to_hls(r, g, b)
    assert 180 <= hue * 360 <= 250, colour  # a blue: Streamlit draws the focused field's border in this colour


# ------------------------------------------------------------------ the clerk's path in a real browser

#: A 桂城 service centre as Amap shows it (GCJ-02), and a point about 10 m east of it.
CENTRE_GCJ = (113.15, 23.04)
NEAR_GCJ = (113.1501, 23.04)
MAP_VIEW_JS = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const b = map.getBounds();
    return {south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(), zoom: map.getZoom()};
}"""


#: The border colour of a focused text input's wrapper (Streamlit draws the focus border there), as [r, g, b].
FOCUS_BORDER_JS = """e => getComputedStyle(e.parentElement).borderTopColor.match(/[\\d.]+/g).slice(0, 3).map(Number)"""


#: What an uploader shows in place of Streamlit's button text and size line (CSS ``content``; ``none``: its own).
UPLOADER_WORDS_JS = """e => [
    getComputedStyle(e.querySelector("button [data-testid=stMarkdownContainer] p"), "::after").content,
    getComputedStyle(e.querySelector("[data-testid=stFileUploaderDropzoneInstructions] span"), "::after").content]"""


def _settle(page) -> None:
    """Until the app is idle with nothing stale (a map's first view reruns the page)."""
    from tests.browser_support import settle

    settle(page, timeout_s=60)


def _map_view(page) -> dict[str, float]:
    from tests.browser_support import MAP_IFRAME

    frame = page.locator(MAP_IFRAME).last.element_handle().content_frame()
    frame.wait_for_function("() => window.L !== undefined && Object.values(window).some(v => v instanceof L.Map)")
    return frame.evaluate(MAP_VIEW_JS)


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_the_clerks_path_in_chinese_in_a_real_browser(tmp_path, monkeypatch):
    """Local mode: paste Amap coordinates, see the town and the duplicate close up, save. Shared mode: a 桂城
    editor sees their town by name before typing and a 大沥 point flagged at once. Screenshots clerk_*.png."""
    from playwright.sync_api import expect, sync_playwright

    from geodata.crs import CoordSystem, convert_point
    from tests.browser_support import (
        ARTIFACTS,
        CHROMIUM_ARGS,
        MAP_IFRAME,
        local_only,
        require_chromium,
        streamlit_app,
    )
    from tests.security_support import IN_DALI, PASSWORDS, deploy

    chromium = require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.delenv("SITES_USER", raising=False)
    local = tmp_path / "local"
    local.mkdir()
    with SiteStore(local / "sites.db") as store:
        store.add({"name": "桂城服务中心", "type": "service_centre", "lng": CENTRE_GCJ[0], "lat": CENTRE_GCJ[1]},
                  actor="种子", crs="gcj02")
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            with streamlit_app(local, timeout_s=60) as url:
                context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
                context.route("**/*", local_only(blocked))
                page = context.new_page()
                page.goto(url)
                page.get_by_role("link", name="站点填报").click()
                expect(page.get_by_role("heading", name="站点填报")).to_be_visible(timeout=60_000)
                reporter = page.get_by_label("填报人 *", exact=True)
                expect(reporter).to_have_value("")  # not the server's OS user
                expect(page.get_by_text("必填：请先填写填报人姓名", exact=False)).to_be_visible()
                _settle(page)
                name = page.get_by_label("名称 *", exact=True)
                name.focus()
                page.wait_for_timeout(600)  # past the border's transition
                red, green, blue = name.evaluate(FOCUS_BORDER_JS)
                page.screenshot(path=ARTIFACTS / "clerk_form_empty.png")
                assert blue > red + 60 and blue > green, (red, green, blue)  # the theme's blue, not a red
                reporter.fill("桂城填报员")
                reporter.press("Enter")
                _settle(page)
                name.fill("桂城职工服务中心（新）")
                name.press("Enter")
                page.get_by_text("职工服务中心", exact=True).first.click()
                _settle(page)
                coords = page.get_by_label("坐标（经度,纬度） *", exact=True)
                coords.fill(f"{NEAR_GCJ[0]},{NEAR_GCJ[1]}")  # as Amap's coordinate picker copies it
                coords.press("Enter")
                expect(page.get_by_text("所在镇街：桂城街道", exact=False)).to_be_visible(timeout=30_000)
                expect(page.get_by_text("疑似重复：与已有站点 #1“桂城服务中心”同类型", exact=False)).to_be_visible(
                    timeout=30_000)
                expect(page.get_by_text("地图已放大到新位置（蓝）和疑似重复的站点 #1", exact=False)).to_be_visible()
                _settle(page)
                view = _map_view(page)
                new = convert_point(*NEAR_GCJ, CoordSystem.GCJ02, CoordSystem.WGS84)
                old = convert_point(*CENTRE_GCJ, CoordSystem.GCJ02, CoordSystem.WGS84)
                for lng, lat in (new, old):
                    assert view["west"] < lng < view["east"] and view["south"] < lat < view["north"], view
                assert (view["east"] - view["west"]) * 102_500 < 400, view  # metres across, not the 10 km district
                page.locator(MAP_IFRAME).last.scroll_into_view_if_needed()
                page.screenshot(path=ARTIFACTS / "clerk_duplicate_zoom.png")
                page.get_by_text("我已在地图上核对，这不是重复站点，仍要保存").click()
                _settle(page)
                page.get_by_role("button", name="保存新站点").click()
                expect(page.get_by_text("已保存站点 #2“桂城职工服务中心（新）”（桂城街道）")).to_be_visible(timeout=30_000)
                page.screenshot(path=ARTIFACTS / "clerk_saved.png")

                page.get_by_role("link", name="数据导入导出").click()
                expect(page.get_by_role("heading", name="修改记录")).to_be_visible(timeout=60_000)
                _settle(page)
                expect(page.get_by_text("时间（UTC+08:00）", exact=False).first).to_be_attached()
                uploader = page.get_by_test_id("stFileUploader").first
                shown = uploader.evaluate(UPLOADER_WORDS_JS)
                assert shown == ['"选择文件"', '"单个文件不超过 20 MB"'], shown  # not "Upload", "20MB per file"
                page.screenshot(path=ARTIFACTS / "clerk_data.png")
                page.get_by_text("English", exact=True).click()
                expect(page.get_by_role("heading", name="Import sites")).to_be_visible(timeout=60_000)
                _settle(page)
                assert uploader.evaluate(UPLOADER_WORDS_JS) == ["none", "none"]  # Streamlit's own English words
                expect(uploader).to_contain_text("20MB per file")
                page.screenshot(path=ARTIFACTS / "clerk_data_en.png")
                context.close()
            with SiteStore(local / "sites.db") as store:
                added = store.get_site(2)
            assert (added.town_code, added.created_by) == ("440605011000", "桂城填报员")

            shared = tmp_path / "shared"
            shared.mkdir()
            deploy(shared / "sites.db").store.close_connection()
            monkeypatch.setenv("SITES_MODE", "shared")
            with streamlit_app(shared, timeout_s=60) as url:
                context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
                context.route("**/*", local_only(blocked))
                page = context.new_page()
                page.goto(url)
                page.get_by_label("用户名").fill("gc_editor")
                page.get_by_label("密码").fill(PASSWORDS["gc_editor"])
                page.get_by_role("button", name="登录").click()
                page.get_by_role("link", name="站点填报").click()
                expect(page.get_by_text("你可登记：桂城街道（只能新增、修改这些镇街的站点）")).to_be_visible(timeout=60_000)
                _settle(page)
                page.screenshot(path=ARTIFACTS / "clerk_shared_towns.png")
                page.get_by_text("WGS84（GPS/天地图/OSM）").first.click()
                coords = page.get_by_label("坐标（经度,纬度） *", exact=True)
                coords.fill(f"{IN_DALI['lng']},{IN_DALI['lat']}")
                coords.press("Enter")
                expect(page.get_by_text("该位置在大沥镇（440605125000），不在你可登记的镇街（桂城街道）内",
                                        exact=False)).to_be_visible(timeout=30_000)
                _settle(page)
                page.screenshot(path=ARTIFACTS / "clerk_shared_outside.png")
                context.close()
        finally:
            browser.close()
    assert blocked == []


# ------------------------------------------------------------------ 2. the data page in Chinese


def test_the_data_page_names_the_bundled_region_and_the_upload_limit_in_chinese(local_db):
    at = _open(DATA_PAGE)
    texts = " ".join(_texts(at.caption) + _texts(at.markdown) + _texts(at.info))
    assert "内置的南海区镇街" in texts and "bundled" not in texts
    assert at.file_uploader(key="data_upload").label == "站点表（CSV、XLSX、GeoJSON 或 GeoPackage）"
    css = " ".join(str(h.proto.body) for h in at.get("html"))
    assert 'content: "选择文件"' in css and 'content: "单个文件不超过 20 MB"' in css  # over Streamlit's "Upload"
