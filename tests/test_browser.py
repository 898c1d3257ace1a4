"""End to end in headless Chromium: the app's map draws the towns with the network blocked."""

from __future__ import annotations

import pytest

from geodata.boundaries import bundled_region
from maps.assets import require_assets, standalone_html
from maps.webmap import build_map
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    file_only,
    local_only,
    require_chromium,
    streamlit_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]



def test_map_renders_offline_with_labels_and_language_switch(tmp_path):
    chromium = require_chromium()
    require_assets()  # a clear failure if `python -m geodata assets` has not run; never downloads
    from playwright.sync_api import expect, sync_playwright

    blocked: list[str] = []
    vendor_served: list[tuple[str, int]] = []

    with streamlit_app(tmp_path) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            # The map's lower part is below the fold at this size: a click on it must not scroll the page (Leaflet
            # focuses the map on a mouse press; a plain focus() scrolled the page under the pointer, losing the click).
            context = browser.new_context(viewport={"width": 1400, "height": 950}, locale="zh-CN")
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.on("response", lambda r: "/app/static/vendor/" in r.url and vendor_served.append((r.url, r.status)))
            page.goto(url)

            frame = page.frame_locator(MAP_IFRAME)
            expect(frame.locator("path.town-outline")).to_have_count(7, timeout=40_000)
            expect(frame.locator(".town-label span", has_text="桂城街道")).to_be_visible()
            expect(frame.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap contributors")
            expect(frame.locator(".leaflet-tile")).to_have_count(0)
            expect(page.get_by_role("radio", name="无底图（离线）")).to_be_checked()

            # Clicking a town (at its label, which lets clicks through) selects it on the page.
            box = frame.locator(".town-label span", has_text="桂城街道").bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            expect(page.get_by_text("已选镇街：桂城街道（440605011000）")).to_be_visible(timeout=20_000)
            expect(frame.locator(".leaflet-popup-content")).to_contain_text("440605011000")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / "map.png", full_page=True)

            page.get_by_text("English", exact=True).click()
            expect(page.get_by_role("heading", name="Towns map")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("radio", name="No base map (offline)")).to_be_checked()
            # The language is part of the map, so Streamlit mounts a new map iframe and drops the old one.
            new_frame = page.locator(MAP_IFRAME).last.content_frame
            expect(new_frame.locator(".town-label span", has_text="Guicheng Subdistrict")).to_be_visible(
                timeout=30_000)
            expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=30_000)
            expect(frame.locator("path.town-outline")).to_have_count(7)
            expect(frame.locator(".town-label span", has_text="桂城街道")).to_have_count(0)
            page.screenshot(path=ARTIFACTS / "map_en.png", full_page=True)
        finally:
            browser.close()

    assert blocked == [], f"the page asked for non-local resources: {blocked}"
    served = {u.rsplit('/', 1)[-1]: status for u, status in vendor_served}
    assert served.get("leaflet.js") == 200 and served.get("leaflet.css") == 200, vendor_served


def test_standalone_export_opens_with_no_network(tmp_path):
    chromium = require_chromium()
    require_assets()
    from playwright.sync_api import expect, sync_playwright

    export = tmp_path / "map.html"
    export.write_text(standalone_html(build_map(bundled_region())), encoding="utf-8")
    requested: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 700})
            page.route("**/*", file_only(requested))
            page.goto(export.as_uri())
            expect(page.locator("path.town-outline")).to_have_count(7, timeout=20_000)
            expect(page.locator(".town-label span", has_text="狮山镇")).to_be_visible()
            expect(page.locator(".leaflet-control-zoom-in")).to_be_visible()  # leaflet.css applied
            page.screenshot(path=ARTIFACTS / "standalone.png")
        finally:
            browser.close()
    assert requested == []
