"""End to end in headless Chromium: staff add a site through the form and see it on the map.

The site is named ``<img src=x onerror=alert(1)>``: it must read as text on the
form page and in the map's tooltip and popup, and never run (no dialog, no
``img`` element). Every non-local request is aborted. Screenshots of the staff,
leadership and data pages go to ``tests/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maps.assets import require_assets
from sites.store import SiteStore
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    local_only,
    require_chromium,
    settle,
    streamlit_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

XSS = "<img src=x onerror=alert(1)>"
GUICHENG = "440605011000"
MIXED = Path(__file__).resolve().parent / "data" / "sites" / "mixed_bad_rows.csv"


def _settle(page) -> None:
    """Until the app is idle with one map mounted: a map's first view (centre, zoom) comes back to Python and
    reruns the page, which may mount the map again; events sent before that settles go to a map that vanishes."""
    settle(page, timeout_s=60, also=MAP_IFRAME)


def test_add_a_site_through_the_form_and_see_it_on_the_map(tmp_path):
    chromium = require_chromium()
    require_assets()
    from playwright.sync_api import expect, sync_playwright

    blocked: list[str] = []
    dialogs: list[str] = []

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_app(tmp_path, timeout_s=60) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            page.get_by_role("link", name="站点填报").click()
            expect(page.get_by_role("heading", name="站点填报")).to_be_visible(timeout=60_000)

            reporter = page.get_by_label("填报人 *", exact=True)  # a required field: the audit names a person
            reporter.fill("镇街填报员")
            reporter.press("Enter")
            expect(page.get_by_text("必填：请先填写填报人姓名", exact=False)).to_have_count(0, timeout=30_000)
            _settle(page)
            name = page.get_by_label("名称 *", exact=True)
            name.fill(XSS)
            name.press("Enter")
            coords = page.get_by_label("坐标（经度,纬度） *", exact=True)
            coords.fill("113.15, 23.04")  # as copied from Amap (GCJ-02, the default)
            coords.press("Enter")
            expect(page.get_by_text("所在镇街：桂城街道")).to_be_visible(timeout=30_000)
            _settle(page)
            expect(page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive").first).to_be_visible(
                timeout=30_000)
            page.get_by_role("button", name="保存新站点").click()
            expect(page.get_by_text(f"已保存站点 #1“{XSS}”（桂城街道）")).to_be_visible(timeout=30_000)
            assert page.locator('img[src="x"]').count() == 0
            page.screenshot(path=ARTIFACTS / "sites_add.png", full_page=False)

            # A click on the small map sets the next site's point, in WGS84.
            _settle(page)
            label = page.frame_locator(MAP_IFRAME).locator(".town-label span", has_text="狮山镇")
            label.scroll_into_view_if_needed()
            box = label.bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            expect(page.get_by_text("所在镇街：狮山镇")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("radio", name="WGS84（GPS/天地图/OSM）")).to_be_checked()
            expect(page.get_by_label("坐标（经度,纬度） *", exact=True)).not_to_have_value("")

            with SiteStore(tmp_path / "sites.db") as store:
                site = store.list_sites()[0]
            assert (site.name, site.town_code) == (XSS, GUICHENG)

            page.get_by_role("link", name="覆盖地图").click()
            expect(page.get_by_role("heading", name="镇街地图")).to_be_visible(timeout=60_000)
            _settle(page)
            frame = page.frame_locator(MAP_IFRAME)
            marker = frame.locator(f'.leaflet-marker-icon[title="{XSS}"]')
            expect(marker).to_have_count(1, timeout=60_000)
            # Events go to the marker itself: the map page may still overlay a stale skeleton for a moment.
            marker.dispatch_event("mouseover")
            expect(frame.locator(".leaflet-tooltip")).to_have_text(XSS, timeout=20_000)
            page.screenshot(path=ARTIFACTS / "map_with_site.png")
            marker.dispatch_event("click")
            expect(frame.locator(".leaflet-popup-content")).to_contain_text(XSS, timeout=20_000)
            assert frame.locator('img[src="x"]').count() == 0

            page.get_by_role("link", name="站点填报").click()
            page.get_by_text("修改或关闭站点").click()
            expect(page.get_by_role("heading", name="修改记录")).to_be_visible(timeout=30_000)
            _settle(page)  # the add form's inputs linger, stale, until the edit form's run ends
            expect(page.get_by_label("名称 *", exact=True)).to_have_value(XSS)
            page.screenshot(path=ARTIFACTS / "sites_edit.png", full_page=False)

            page.get_by_role("link", name="目标进度").click()
            expect(page.get_by_text("已完成目标", exact=True)).to_be_visible(timeout=60_000)
            page.screenshot(path=ARTIFACTS / "targets.png", full_page=False)
            page.get_by_role("heading", name="逐月进度").scroll_into_view_if_needed()
            expect(page.get_by_role("button", name="下载 PDF")).to_be_visible(timeout=30_000)
            page.screenshot(path=ARTIFACTS / "targets_progress.png", full_page=False)

            page.get_by_role("link", name="数据导入导出").click()
            expect(page.get_by_role("heading", name="修改记录")).to_be_visible(timeout=60_000)
            page.screenshot(path=ARTIFACTS / "data.png", full_page=False)
            page.get_by_text("WGS84（GPS/天地图/OSM）").first.click()
            page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(MIXED)
            expect(page.get_by_text("6 行有错误", exact=False)).to_be_visible(timeout=60_000)
            page.get_by_role("heading", name="逐行问题").scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / "data_import_preview.png", full_page=False)

            page.get_by_text("English", exact=True).click()
            page.get_by_role("link", name="Add and edit sites").click()
            expect(page.get_by_role("button", name="Save changes")).to_be_visible(timeout=60_000)
            page.screenshot(path=ARTIFACTS / "sites_edit_en.png", full_page=False)
        finally:
            browser.close()

    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert blocked == [], f"the page asked for non-local resources: {blocked}"
