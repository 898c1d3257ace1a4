"""Headless Chromium, network blocked: the planner's map with the demo sample, and its HTML export."""

from __future__ import annotations

import pytest
from scoring_fixtures import make_query

from maps.assets import require_assets
from maps.export import MapOptions, export_html
from sites.demo import seed_demo
from sites.frame import sites_frame
from sites.store import SiteStore
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    file_only,
    local_only,
    require_chromium,
    streamlit_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

XSS = "<img src=x onerror=alert(1)>"


def _seed(db) -> None:
    with SiteStore(db) as store:
        seed_demo(store, actor="test")
        store.add({"name": XSS, "type": "book_room", "status": "open", "lng": 113.1500, "lat": 23.0300,
                   "source": "test"}, actor="test")


def test_planner_map_shows_markers_legend_and_names_as_text(tmp_path):
    chromium = require_chromium()
    require_assets()
    from playwright.sync_api import expect, sync_playwright

    _seed(tmp_path / "sites.db")
    blocked: list[str] = []
    dialogs: list[str] = []

    with streamlit_app(tmp_path) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            frame = page.frame_locator(MAP_IFRAME)
            expect(frame.locator(".site-marker").first).to_be_visible(timeout=60_000)
            assert frame.locator(".site-marker").count() > 50
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / "planner_map.png", full_page=True)  # as it opens: legend folded
            # The legend starts folded on the app's 620 px map (only its title shows); its title opens it.
            legend = frame.locator(".map-legend")
            expect(legend.locator("summary")).to_have_text("图例")
            expect(legend.get_by_text("职工书屋")).to_be_hidden()
            legend_box = legend.bounding_box()
            assert legend_box is not None and legend_box["height"] < 40 and legend_box["width"] < 120, legend_box
            legend.locator("summary").click()
            expect(legend.get_by_text("职工书屋")).to_be_visible()
            expect(legend).to_contain_text("演示数据")
            marker = frame.get_by_title(XSS, exact=True)
            expect(marker).to_have_count(1)
            marker.dispatch_event("click")
            popup = frame.locator(".leaflet-popup-content")
            expect(popup).to_contain_text(XSS)
            expect(frame.locator('img[src="x"]')).to_have_count(0)

            page.get_by_text("English", exact=True).click()
            expect(page.get_by_role("heading", name="Towns map")).to_be_visible(timeout=30_000)
            new_frame = page.locator(MAP_IFRAME).last.content_frame
            expect(new_frame.locator(".map-legend summary")).to_have_text("Legend", timeout=60_000)
            # The new map keeps the legend as the user left it (open).
            expect(new_frame.locator(".map-legend").get_by_text("Includes demo data (not real sites)")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "planner_map_en.png", full_page=True)
        finally:
            browser.close()
    assert blocked == [], f"the page asked for non-local resources: {blocked}"
    assert dialogs == []


def test_exported_planner_map_opens_offline_with_names_as_text(tmp_path):
    chromium = require_chromium()
    require_assets()
    from playwright.sync_api import expect, sync_playwright

    db = tmp_path / "sites.db"
    _seed(db)
    with SiteStore(db) as store:
        region, sites = store.region(), sites_frame(store.list_sites())
    export = tmp_path / "map.html"
    export.write_text(export_html(region, sites, make_query(("book_room", "service_centre")), MapOptions()),
                      encoding="utf-8")
    requested: list[str] = []
    dialogs: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 850})
            page.route("**/*", file_only(requested))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(export.as_uri())
            expect(page.locator(".site-marker").first).to_be_visible(timeout=20_000)
            expect(page.locator(".map-caption")).to_contain_text("职工服务阵地地图")
            marker = page.get_by_title(XSS, exact=True)
            expect(marker).to_have_count(1)
            marker.dispatch_event("click")
            expect(page.locator(".leaflet-popup-content")).to_contain_text(XSS)
            expect(page.locator('img[src="x"]')).to_have_count(0)
            page.screenshot(path=ARTIFACTS / "planner_export.png")
        finally:
            browser.close()
    assert requested == [] and dialogs == []


def test_exported_map_shows_template_text_as_typed(tmp_path):
    """Issue 10: a site named ``{{ 7*191 }}`` reads ``{{ 7*191 }}`` in the exported map, never ``1337``."""
    chromium = require_chromium()
    require_assets()
    from playwright.sync_api import expect, sync_playwright

    name, address = "{{ 7*191 }}", "{% for x in range(3) %}x{% endfor %}"
    db = tmp_path / "sites.db"
    with SiteStore(db) as store:
        store.add({"name": name, "address": address, "host_org": "a{# c #}b", "type": "book_room",
                   "status": "open", "lng": 113.1500, "lat": 23.0300, "source": "test"}, actor="test")
        region, sites = store.region(), sites_frame(store.list_sites())
    export = tmp_path / "map.html"
    export.write_text(export_html(region, sites, make_query(("book_room",)), MapOptions()), encoding="utf-8")
    requested: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 850})
            page.route("**/*", file_only(requested))
            page.goto(export.as_uri())
            marker = page.get_by_title(name, exact=True)
            expect(marker).to_have_count(1, timeout=20_000)
            marker.hover()
            expect(page.locator(".leaflet-tooltip")).to_have_text(name)
            marker.dispatch_event("click")
            popup = page.locator(".leaflet-popup-content")
            expect(popup).to_contain_text(name)
            expect(popup).to_contain_text(address)
            expect(popup).to_contain_text("a{# c #}b")
            assert "1337" not in popup.inner_text() and "xxx" not in popup.inner_text()
            assert page.get_by_title("1337").count() == 0
            page.screenshot(path=ARTIFACTS / "export_template_text.png")
        finally:
            browser.close()
    assert requested == []
