"""End to end in headless Chromium (issue 12): town staff upload their own ledger on the data page in Chinese.

The ledger is a real XLSX as staff keep it: a title merged across the columns above the header row, and a
状态 column (the column the page itself asks for; it used to crash the page with "cannot insert 状态, already
exists", the preview and the import button gone). The page must show the preview with the file's 状态 column
and import every row. Then the leadership page with a share-of-demand target and no demand layer must say why
in words (no traceback) and keep the editor. Every non-local request is aborted; screenshots go to
``tests/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from sites.store import SiteStore
from targets.store import TargetStore
from tests.browser_support import ARTIFACTS, CHROMIUM_ARGS, local_only, require_chromium, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

GUICHENG, SHISHAN, LISHUI = "440605011000", "440605124000", "440605126000"


def _ledger(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["南海区职工书屋台账（2025年）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["名称", "类型", "状态", "经度", "纬度", "地址"])
    sheet.append(["桂城书屋", "职工书屋", "开放", 113.14095, 23.028682, "天佑三路"])
    sheet.append(["狮山书屋", "职工书屋", "在建", 113.01039, 23.117597, "博爱中路57号"])
    sheet.append(["里水驿站", "户外劳动者爱心驿站", "规划中", 113.164825, 23.196567, "新兴路6号"])
    book.save(path)
    return path


def test_chinese_data_page_previews_and_imports_a_ledger_with_a_status_column(tmp_path):
    chromium = require_chromium()
    from playwright.sync_api import expect, sync_playwright

    ledger = _ledger(tmp_path / "书屋台账.xlsx")
    blocked: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_app(tmp_path, timeout_s=60) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.goto(url)
            page.get_by_role("link", name="数据导入导出").click()
            expect(page.get_by_role("heading", name="修改记录")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name="下载导入模板（XLSX）")).to_be_visible(timeout=30_000)
            reporter = page.get_by_label("填报人 *", exact=True)  # a required field: the audit names a person
            reporter.fill("台账导入员")
            reporter.press("Enter")
            expect(page.get_by_text("必填：请先填写填报人姓名", exact=False)).to_have_count(0, timeout=30_000)
            expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=30_000)
            # the uploader states the product's limit (SITES_UPLOAD_MAX_MB, 20 MB), not Streamlit's 200 MB
            expect(page.get_by_text("20MB", exact=False).first).to_be_visible()
            assert page.get_by_text("200MB", exact=False).count() == 0
            page.get_by_text("WGS84（GPS/天地图/OSM）").first.click()
            page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(ledger)
            expect(page.get_by_text("共 3 行，3 行可导入，0 行有错误", exact=False)).to_be_visible(timeout=60_000)
            assert page.get_by_text("ValueError").count() == 0 and page.get_by_text("Traceback").count() == 0
            commit = page.get_by_role("button", name="确认导入")
            expect(commit).to_be_visible(timeout=30_000)
            commit.scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / "data_import_status_column.png", full_page=False)
            commit.click()
            expect(page.get_by_text("已导入 3 行，跳过 0 行").first).to_be_visible(timeout=60_000)
            page.screenshot(path=ARTIFACTS / "data_import_status_column_done.png", full_page=False)

            with SiteStore(tmp_path / "sites.db") as store:
                assert [(s.name, s.status, s.town_code) for s in store.list_sites()] == [
                    ("桂城书屋", "open", GUICHENG), ("狮山书屋", "under_construction", SHISHAN),
                    ("里水驿站", "planned", LISHUI)]
                TargetStore(store).add({"name": "人口覆盖80%", "site_type": "book_room", "scope": "region",
                                        "measure": "demand_share", "threshold": 80, "radius_m": 500,
                                        "deadline": "2025-12-31"}, actor="browser-test")

            page.get_by_role("link", name="目标进度").click()
            expect(page.get_by_text("暂时无法计算", exact=False)).to_be_visible(timeout=60_000)
            expect(page.get_by_text("已完成目标", exact=True)).to_be_visible(timeout=60_000)  # the rest evaluated
            assert page.get_by_text("Traceback").count() == 0
            page.wait_for_timeout(1500)
            page.screenshot(path=ARTIFACTS / "targets_population_target.png", full_page=False)
            expect(page.get_by_role("button", name="删除目标")).to_be_attached(timeout=30_000)
        finally:
            browser.close()
    assert blocked == [], f"the page asked for non-local resources: {blocked}"
