"""Headless Chromium, network blocked: what the town map does once its page runs.

The behaviour the map's scripts produce is read in the browser, with Leaflet's public API and the DOM
(``browser_support.map_state``): labels, tile layers, attribution, the fitted view, focus without
scrolling, the folding legend, the Amap shift. Nothing here reads the generated JavaScript's text.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, box

from geodata.boundaries import OSM_ATTRIBUTION, Region
from geodata.crs import convert_geometry, convert_points
from maps.assets import require_assets, standalone_html
from maps.webmap import LEGEND_FOLD_BELOW_PX, LegendEntry, build_map, legend
from tests.browser_support import LEAFLET_MAP, map_state, open_offline

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture(scope="module", autouse=True)
def vendored() -> None:
    require_assets()  # the vendored Leaflet (scripts/setup.sh fetches it); never downloaded in tests


def _open(browser, m, folder, **size):
    return open_offline(browser, standalone_html(m), folder, **size)


def _eval(page, body: str):
    """Run ``body`` (JavaScript statements ending in ``return``) with ``map`` bound to the page's map."""
    return page.evaluate(f"() => {{ const map = {LEAFLET_MAP}; {body} }}")


def test_town_map_runs_offline_with_every_label_as_text_and_no_tiles(browser, region, tmp_path):
    page, requested = _open(browser, build_map(region, tiles="none", lang="zh"), tmp_path)
    try:
        state = map_state(page)
        assert _eval(page, "return map instanceof L.Map && map.getContainer().classList.contains('leaflet-container');")
        assert state["tile_layers"] == 0  # no base map asked: no tile layer at all
        # the permanent labels: one per town, its name set as DOM text
        assert [label["text"] for label in state["labels"]] == list(region.towns["name"])
        assert all(label["elements_in_text"] == 0 for label in state["labels"])
        assert OSM_ATTRIBUTION in state["attribution"]  # added even without tiles
        assert requested == []
    finally:
        page.context.close()


def test_crowded_town_names_give_way_to_the_larger_town_until_a_closer_zoom(browser, tmp_path):
    """Where two towns' names would overlap at the fitted view (a province's small districts in the Pearl
    River delta), the larger keeps its name and the smaller's is hidden; zoomed in, both show."""
    towns = gpd.GeoDataFrame(
        {"code": ["1", "2", "3"], "name": ["大县大县", "乙镇乙镇", "丙镇丙镇"], "area_km2": [10_000.0, 0.6, 0.5]},
        geometry=[box(113.0, 23.0, 114.0, 24.0), box(114.0, 23.500, 114.01, 23.505),
                  box(114.0, 23.505, 114.01, 23.510)], crs="EPSG:4326")
    region = Region(towns=towns, source="test", attribution="test")
    page, _ = _open(browser, build_map(region, tiles="none", lang="zh"), tmp_path)
    shown = """return [...document.querySelectorAll('.town-label span')]
                   .map(s => [s.textContent, getComputedStyle(s).visibility]);"""
    try:
        page.wait_for_function("() => [...document.querySelectorAll('.town-label span')]"
                               ".some(s => getComputedStyle(s).visibility === 'hidden')", timeout=10_000)
        assert _eval(page, shown) == [["大县大县", "visible"], ["乙镇乙镇", "visible"], ["丙镇丙镇", "hidden"]]
        _eval(page, "map.setView([23.505, 114.005], 15, {animate: false}); return null;")
        page.wait_for_function("() => [...document.querySelectorAll('.town-label span')]"
                               ".every(s => getComputedStyle(s).visibility === 'visible')", timeout=10_000)
        assert [text for text, vis in _eval(page, shown) if vis == "visible"] == ["大县大县", "乙镇乙镇", "丙镇丙镇"]
    finally:
        page.context.close()


def test_the_scale_bar_is_metric_only(browser, region, tmp_path):
    """Planners read metres and kilometres: one scale line, in m or km, no miles or feet."""
    page, _ = _open(browser, build_map(region, tiles="none", lang="zh"), tmp_path)
    try:
        lines = page.locator(".leaflet-control-scale-line").all_inner_texts()
        assert len(lines) == 1, lines
        assert re.fullmatch(r"\d+ (m|km)", lines[0].strip()), lines
    finally:
        page.context.close()


def test_english_map_labels_towns_in_english(browser, region, tmp_path):
    page, _ = _open(browser, build_map(region, lang="en"), tmp_path)
    try:
        assert "Guicheng Subdistrict" in [label["text"] for label in map_state(page)["labels"]]
    finally:
        page.context.close()


def test_html_in_a_town_name_is_a_label_text(browser, tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    towns = gpd.GeoDataFrame(
        {"code": ["<b>1</b>"], "name": [evil], "name_en": [evil], "area_km2": [1.0]},
        geometry=[box(113.0, 23.0, 113.01, 23.01)], crs="EPSG:4326",
    )
    region = Region(towns=towns, source="test", attribution="<script>x</script> contributors")
    page, _ = _open(browser, build_map(region), tmp_path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        labels = map_state(page)["labels"]
        assert [label["text"] for label in labels] == [evil]
        assert labels[0]["elements_in_text"] == 0
        assert _eval(page, "return document.querySelectorAll('img[src=x], b').length;") == 0
        assert dialogs == []
    finally:
        page.context.close()


def _fit(region) -> str:
    minx, miny, maxx, maxy = (float(v) for v in region.towns.total_bounds)
    return (f"const b = L.latLngBounds([[{miny}, {minx}], [{maxy}, {maxx}]]);"
            "return [map.getBounds().contains(b), map.getBoundsZoom(b), map.getZoom()];")


def test_map_opens_fitted_to_the_region(browser, region, tmp_path):
    page, _ = _open(browser, build_map(region), tmp_path, width=1200, height=800)
    try:
        contains, fits_at, zoom = _eval(page, _fit(region))
        assert contains  # the whole region is in view as the page opens (no zoom animation under way)
        assert fits_at == zoom  # and as close as it fits: one zoom level more would cut it
    finally:
        page.context.close()


def test_the_region_is_fitted_beside_the_caption_and_legend_not_under_them(browser, tmp_path):
    """A province exported at 1400 x 900 with its caption (top left) and open legend (bottom left): the
    region's western edge lies right of both panels (it lay under the legend: 湛江 and 茂名 hidden), its
    eastern edge inside the map, and it still fills at least half the free width."""
    from maps.webmap import caption

    towns = gpd.GeoDataFrame(
        {"code": ["1", "2"], "name": ["西县", "东县"], "area_km2": [1.0, 1.0]},
        geometry=[box(109.6, 20.2, 113.5, 25.5), box(113.5, 20.2, 117.3, 25.5)], crs="EPSG:4326")
    m = build_map(Region(towns=towns, source="test", attribution="test"), tiles="none", lang="zh")
    m.add_child(caption("职工服务阵地地图", ["广东省（124 个区县）", "服务半径：职工服务中心 1,000 米、职工书屋 500 米、"
                                             "爱心妈妈小屋 300 米"]))
    m.add_child(legend("图例", [("职工服务中心覆盖率（区县），按排位分级，红色最差",
                               [LegendEntry(f"{i}.0%–{i + 1}.0%（25 个区县）", fill="#cc0000") for i in range(5)])]))
    page, _ = _open(browser, m, tmp_path, width=1400, height=900)
    try:
        page.wait_for_function("() => document.querySelector('.map-legend details').open")
        got = _eval(page, """
            const box = map.getContainer().getBoundingClientRect();
            const right = s => document.querySelector(s).getBoundingClientRect().right - box.left;
            const west = map.latLngToContainerPoint([22.85, 109.6]).x, east = map.latLngToContainerPoint([22.85, 117.3]).x;
            return {west, east, legend: right('.map-legend'), caption: right('.map-caption'), width: map.getSize().x,
                    contains: map.getBounds().contains(L.latLngBounds([[20.2, 109.6], [25.5, 117.3]]))};""")
        assert got["contains"]
        assert got["west"] >= max(got["legend"], got["caption"]), got
        assert got["east"] <= got["width"], got
        assert got["east"] - got["west"] >= 0.5 * (got["width"] - max(got["legend"], got["caption"])), got
    finally:
        page.context.close()


def test_map_refits_on_resize_until_the_user_moves_it(browser, region, tmp_path):
    page, _ = _open(browser, build_map(region), tmp_path, width=1200, height=800)
    try:
        zoom = _eval(page, "return map.getZoom();")
        page.set_viewport_size({"width": 500, "height": 360})
        page.wait_for_function(f"() => {LEAFLET_MAP}.getSize().x === 500")
        contains, fits_at, smaller = _eval(page, _fit(region))
        assert contains and fits_at == smaller < zoom  # fitted again to the smaller map
        _eval(page, "map.setZoom(map.getZoom() + 2, {animate: false}); return null;")
        page.set_viewport_size({"width": 1200, "height": 800})
        page.wait_for_function(f"() => {LEAFLET_MAP}.getSize().x === 1200")
        assert _eval(page, "return map.getZoom();") == smaller + 2  # once moved, the user's view stays
    finally:
        page.context.close()


def test_pressing_on_the_map_focuses_it_without_scrolling_the_page(browser, region, tmp_path):
    page, _ = _open(browser, build_map(region), tmp_path, width=1000, height=800)
    try:
        assert map_state(page)["keyboard"] is True  # the arrow keys still work
        # the map lower down a page, its bottom 200 px out of view (as in the app's column)
        _eval(page, "const c = map.getContainer(); c.style.marginTop = '300px'; c.style.height = '700px';"
                    "map.invalidateSize(); document.activeElement.blur(); window.scrollTo(0, 0); return null;")
        page.mouse.move(500, 500)
        page.mouse.down()
        pressed = _eval(page, "return [window.scrollY, map.getContainer().contains(document.activeElement)];")
        page.mouse.up()
        assert pressed == [0, True]
        # the control: a plain focus() would have scrolled the page
        assert _eval(page, "document.activeElement.blur(); window.scrollTo(0, 0); map.getContainer().focus();"
                           "return window.scrollY;") > 0
    finally:
        page.context.close()


def _legend_open(browser, region, folder, height: int) -> tuple[object, bool]:
    m = build_map(region)
    m.add_child(legend("图例", [("", [LegendEntry("x")])]))
    page, _ = _open(browser, m, folder, width=1000, height=height)
    page.wait_for_selector(".map-legend details")
    return page, page.evaluate("() => document.querySelector('.map-legend details').open")


def test_legend_folds_on_small_maps_and_keeps_the_users_choice(browser, region, tmp_path):
    small, folded_open = _legend_open(browser, region, tmp_path, LEGEND_FOLD_BELOW_PX - 100)
    try:
        assert folded_open is False  # a map lower than the threshold opens with the legend folded
        small.click(".map-legend summary")
        # the browser fires "toggle" after the click returns: reload once the choice is stored (a user is slower)
        small.wait_for_function("() => window.sessionStorage.getItem('map-legend-open') === '1'")
        small.reload()
        small.wait_for_selector(".map-legend details")
        # the user's choice is kept across a redraw of the same page (sessionStorage)
        assert small.evaluate("() => document.querySelector('.map-legend details').open") is True
    finally:
        small.context.close()
    large, large_open = _legend_open(browser, region, tmp_path, LEGEND_FOLD_BELOW_PX + 100)
    try:
        assert large_open is True  # a large map (a full-window export) opens with it open
    finally:
        large.context.close()


def test_amap_base_map_draws_outlines_and_labels_shifted_into_gcj02(browser, region, tmp_path):
    page, _ = _open(browser, build_map(region, tiles="amap"), tmp_path)
    try:
        state = map_state(page)
    finally:
        page.context.close()
    first = state["geojson"][0][0]["geometry"]  # the town outlines, the first area layer
    vertex = first["coordinates"][0][0] if first["type"] == "Polygon" else first["coordinates"][0][0][0]
    src = shapely.get_coordinates(region.towns.geometry.iloc[0])[0]
    exp_lng, exp_lat = convert_points([src[0]], [src[1]], "wgs84", "gcj02")
    # the outlines are rounded to 1e-6 deg for a district (maps.webmap.Detail): the shift is hundreds of metres
    assert vertex == pytest.approx([exp_lng[0], exp_lat[0]], abs=1e-6)
    # the labels move with the outlines: each stays inside its shifted town
    shifted = region.towns.geometry.apply(lambda g: convert_geometry(g, "wgs84", "gcj02"))
    labels = state["labels"]
    assert len(labels) == len(shifted)
    for label, town in zip(labels, shifted, strict=True):
        assert town.contains(Point(label["lng"], label["lat"]))
