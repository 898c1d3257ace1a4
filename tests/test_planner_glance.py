"""The planner at a glance (issue 13): what a suggestion is worth, in which coordinates, and the map page's
flow (AppTest, found by widget keys)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from scoring_fixtures import sites_frame, suggest_of, to_lnglat, towns_frame
from streamlit.testing.v1 import AppTest

from sites.demo import seed_demo
from sites.frame import sites_frame as registry_frame
from sites.store import SiteStore

DISK_500_KM2 = math.pi * 0.5**2  # 0.785 km²: the most one 500 m site can newly reach


def test_one_site_newly_reaches_at_most_a_disk_on_the_bundled_towns(tmp_path):
    # Seen: "新增覆盖 0.81 km²" for 500 m. The solver's 50–65 m sample grid put 322 samples in one disk.
    from scoring_fixtures import make_query

    from scoring.suggest import suggest

    with SiteStore(tmp_path / "s.db") as store:
        seed_demo(store, actor="test")
        region, sites = store.region(), registry_frame(store.list_sites())
    res = suggest(region.towns, sites, make_query(("book_room",), {"book_room": 500}), site_type="book_room",
                  count=5)
    newly = res.selected["newly_covered"].to_numpy()
    assert (newly <= DISK_500_KM2).all(), newly
    assert newly.max() == pytest.approx(DISK_500_KM2, rel=0.003)  # a whole disk of open land, to the 64-gon
    assert (res.selected["sole_covered"].to_numpy() <= newly + 1e-12).all()


def test_newly_covered_is_the_disk_less_what_an_existing_site_reaches():
    # One 4 km town; the candidate at its centre, an open site 600 m east: the lens of two 500 m disks
    # 600 m apart is 2r²·acos(d/2r) − (d/2)·√(4r² − d²) = 0.223648 km², so 0.785398 − 0.223648 = 0.561751 km².
    towns = towns_frame([(0, 0, 4000, 4000)])
    sites = sites_frame([{"type": "book_room", "x": 2600, "y": 2000, "status": "open"}])
    res = suggest_of(towns, sites, site_type="book_room", count=1, radius_m=500,
                     candidates=to_lnglat([2000], [2000]))
    assert res.selected["newly_covered"].iloc[0] == pytest.approx(0.561751, rel=0.004)
    # At the town's corner a quarter of the disk is land.
    res = suggest_of(towns, sites.iloc[:0], site_type="book_room", count=1,
                     radius_m=500, candidates=to_lnglat([0.001], [0.001]))
    assert res.selected["newly_covered"].iloc[0] == pytest.approx(DISK_500_KM2 / 4, rel=0.004)


# ---------------------------------------------------------------- the map page (AppTest, in Chinese)

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def planner(app_db, demo_db, monkeypatch) -> tuple[AppTest, list[dict]]:
    """The map page on the demo sample, and the keyword arguments of every map it builds."""
    import maps.export

    builds: list[dict] = []
    real = maps.export.planner_map
    monkeypatch.setattr(maps.export, "planner_map", lambda *a, **k: builds.append(k) or real(*a, **k))
    return AppTest.from_file(APP, default_timeout=120).run(), builds


def _rows(at: AppTest) -> list[str]:
    return [t.value for t in at.text if t.value.startswith("建议新址")]


def _suggest(at: AppTest, k: int = 3) -> None:
    at.radio(key="map_suggest_type_zh").set_value("service_centre").run()
    at.number_input(key="map_suggest_k").set_value(k).run()
    at.button(key="map_suggest_run").click().run()
    assert not at.exception and not at.error


def test_suggestions_are_on_the_map_built_in_the_run_that_computes_them(planner):
    at, builds = planner
    _suggest(at)
    # The map of the click's own run draws them (it was built before the panel computed, so ★ came a pan later).
    drawn = builds[-1]["suggestion"]
    assert drawn is not None and len(drawn.selected) == 3 and len(_rows(at)) == 3
    n = len(builds)
    at.run()  # a click on the map reruns the page: nothing is rebuilt
    assert len(builds) == n


def test_each_suggestion_gives_wgs84_and_amap_gcj02_coordinates(planner):
    from geodata.crs import CoordSystem, convert_point

    at, builds = planner
    _suggest(at, 2)
    selected = builds[-1]["suggestion"].selected
    captions = [c.value for c in at.caption if c.value.startswith("WGS84：")]
    codes = [c.value for c in at.code]
    assert len(captions) == 2 and len(codes) == 2
    for row, caption, code in zip(selected.itertuples(), captions, codes, strict=True):
        assert f"WGS84：{row.lng:.6f}, {row.lat:.6f}" in caption and "GCJ-02" in caption and "高德" in caption
        g_lng, g_lat = convert_point(row.lng, row.lat, CoordSystem.WGS84, CoordSystem.GCJ02)
        assert code == f"{g_lng:.6f},{g_lat:.6f}"  # Amap's "lng,lat", pasted as is
        # GCJ-02 is about 500–600 m off WGS84 here: more than the radius, so the system matters.
        assert 0.004 < abs(g_lng - row.lng) < 0.007


def test_adding_one_keeps_the_others_and_the_message_stays_until_the_next_action(planner, demo_db):
    at, builds = planner
    _suggest(at, 3)
    at.button(key="map_suggest_add_2").click().run()
    assert not at.exception
    with SiteStore(demo_db) as store:
        added = [s for s in store.list_sites(statuses=["planned"]) if s.source == "suggest"]
    assert [s.name[:6] for s in added] == ["建议新址 2"]
    assert len(_rows(at)) == 3  # all three kept
    assert any(f"已加入登记（编号 {added[0].id}）" in c.value for c in at.caption)
    assert [b.key for b in at.button if b.key.startswith("map_suggest_add_")] == ["map_suggest_add_1",
                                                                                   "map_suggest_add_3"]
    assert builds[-1]["added"] == (2,)  # the map marks it added
    message = "已加入登记：建议新址 2"
    assert any(message in s.value for s in at.success)
    at.session_state["town_map"] = {"last_clicked": {"lat": 23.05, "lng": 113.1}}
    at.run()  # the map's own rerun (a click): the message stays
    at.run()
    assert any(message in s.value for s in at.success)
    at.radio(key="map_radius_book_room_zh").set_value("1000").run()  # the next action clears it
    assert not any(message in s.value for s in at.success)
    assert len(_rows(at)) == 3  # a service-centre suggestion does not depend on the book-room radius
    at.button(key="map_suggest_dismiss").click().run()
    assert _rows(at) == [] and builds[-1]["suggestion"] is None


def test_a_radius_change_builds_the_map_once(planner):
    at, builds = planner
    n = len(builds)
    at.radio(key="map_radius_rest_station_zh").set_value("1000").run()
    assert len(builds) == n + 1
    at.run()
    assert len(builds) == n + 1


def test_the_demo_sample_message_stays_through_map_reruns(app_db):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.button(key="map_seed_demo").click().run()
    at.run()
    at.run()
    assert any("已载入 120 个示例站点" in s.value for s in at.success)
    at.checkbox(key="map_show_gaps").uncheck().run()
    assert not any("已载入" in s.value for s in at.success)


# ---------------------------------------------------------------- the town table

def test_worst_first_ranks_lowest_share_then_largest_gap():
    from app_pages.map_table import worst_first_ranks

    ranks = worst_first_ranks([0.5, 0.1, 0.1, 0.9, 0.5], [1.0, 5.0, 2.0, 0.0, 1.0])
    assert ranks.tolist() == [3, 1, 2, 5, 3]  # equal share and gap: equal rank


def test_town_table_is_compact_with_the_name_pinned_and_the_worst_towns_listed_first(planner):
    import json

    from app_pages.plain import md_escape

    at, _ = planner
    frame = at.dataframe[0]
    proto = frame.proto
    share = "职工服务中心：覆盖率（%）"
    assert list(proto.column_order) == ["镇街", share, "职工服务中心：站点数", "职工服务中心：空白（km²）",
                                        "职工服务中心：排名（1 为最差）", "职工书屋：覆盖率（%）",
                                        "爱心妈妈小屋：覆盖率（%）", "户外劳动者爱心驿站：覆盖率（%）",
                                        "工人文化宫：覆盖率（%）"]
    config = json.loads(proto.columns)
    assert config["镇街"]["pinned"] is True
    # Short headers in the narrow pane (the full one as the header's help, and in the CSV).
    assert [config[c]["label"] for c in list(proto.column_order)[1:6]] == [
        "覆盖率（%）", "站点数", "空白（km²）", "排名", "职工书屋（%）"]
    assert config[share]["help"] == share
    assert any(c.value.startswith("覆盖率、站点数、空白和排名为职工服务中心") for c in at.caption)
    table = frame.value
    assert len(table.columns) > 20  # the whole table is there (and in the CSV), shown compact
    worst = table.sort_values(["职工服务中心：排名（1 为最差）", "镇街"]).iloc[0]
    assert worst[share] == table[share].min()
    ranked = [m.value for m in at.markdown if "覆盖最差的镇街" in m.value]
    assert len(ranked) == 1
    lines = ranked[0].split("\n")[1:]
    assert len(lines) == 5 and lines[0].startswith(md_escape(f"1. {worst['镇街']}：覆盖 {worst[share]:.1f}%"))
    at.toggle(key="map_table_all").set_value(True).run()
    assert list(at.dataframe[0].proto.column_order) == []  # every column
    at.radio(key="map_focus_zh").set_value("book_room").run()
    assert any("职工书屋覆盖最差的镇街" in m.value for m in at.markdown)


# ---------------------------------------------------------------- the choropleth, tooltips and demo badges

def test_share_classes_separate_the_towns_and_keep_the_worst_alone():
    from maps.style import SHARE_CLASSES, ShareClasses

    # Nanhai's seven towns for service centres at 500 m, roughly: all under 20 %, one fixed class before.
    shares = [0.028, 0.059, 0.059, 0.063, 0.069, 0.08, 0.12]
    classes = ShareClasses.of(shares)
    assert len(classes.colours) == 5 and len(set(classes.colours)) == 5
    assert classes.colour(0.028) == SHARE_CLASSES[0][1] and classes.counts[0] == 1  # the worst alone, red
    assert classes.colour(0.12) == SHARE_CLASSES[-1][1]
    assert classes.colour(0.059) == classes.colour(0.059) != classes.colour(0.028)
    assert sum(classes.counts) == 7
    assert ShareClasses.of([0.9] * 7).colours == (SHARE_CLASSES[-1][1],)  # one value: its fixed class


@pytest.fixture(scope="module")
def demo_inputs(tmp_path_factory):
    path = tmp_path_factory.mktemp("glance") / "sites.db"
    with SiteStore(path) as store:
        seed_demo(store, actor="test")
        return store.region(), registry_frame(store.list_sites())


def _page_values(m) -> list:
    """The JSON data the rendered page's scripts carry (tests/html_support.py), in page order."""
    from tests.html_support import json_values

    return json_values(m.get_root().render())


def _legend_html(m) -> str:
    """The legend's HTML as the page receives it (one JSON string in the script)."""
    page = m.get_root().render()
    return json.loads(re.search(r'"\\u003cdetails(?:[^"\\]|\\.)*"', page).group(0))  # tojson escapes <


def test_town_hover_shows_covered_share_and_sites_and_the_legend_says_how_classes_are_made(demo_inputs):
    from scoring_fixtures import make_query

    from maps.export import MapOptions, planner_map
    from maps.style import ShareClasses

    region, sites = demo_inputs
    query = make_query(("service_centre", "book_room"))
    m = planner_map(region, sites, query, MapOptions())
    values = _page_values(m)
    lists = [v for v in values if isinstance(v, list) and v and all(isinstance(x, str) for x in v)]
    assert ["名称", "覆盖率 · 职工服务中心", "站点数 · 职工服务中心", "代码", "面积（km²）"] in lists  # the towns
    # A gap lies over most of its town: its tooltip leads with the town's share and sites too; so does a catchment.
    assert ["镇街", "覆盖率", "站点数", "服务空白面积（km²）", "代码"] in lists
    assert ["镇街", "覆盖率", "站点数"] in lists
    towns = next(v for v in values if isinstance(v, dict) and v.get("type") == "Packed"
                 and "value" in v["properties"][0] and "count" in v["properties"][0])
    styles = next(v for v in values if isinstance(v, list) and len(v) == 8 and all("fillColor" in x for x in v))
    props = towns["properties"]
    assert len({styles[p.get("_style", 0)]["fillColor"] for p in props}) >= 4  # seven towns, four colours or more
    shares = {p["code"]: float(p["value"].rstrip("%")) / 100 for p in props}
    worst = min(shares, key=shares.get)
    classes = ShareClasses.of(shares.values())
    assert classes.counts[0] == 1 and classes.colour(shares[worst]) == "#d7191c"  # the worst alone, red
    legend = _legend_html(m)
    assert "覆盖率（镇街），按排位分级，红色最差" in legend and "（1 个镇街）" in legend
    page = m.get_root().render()
    assert 'createPane("townLabels")' in page and 'pane: "townLabels"' in page  # labels above the badges


def _site_layers(values: list) -> list[tuple[dict, list, list]]:
    """Each site layer's data, badge HTML and canvas paints (they follow each other in the page)."""
    out = []
    for i, v in enumerate(values):
        if isinstance(v, dict) and {"q", "lat", "lng", "style", "title", "cols"} <= set(v):
            out.append((v, values[i + 1], values[i + 2]))
    return out


def test_demo_sites_are_greyed_hatched_and_say_demo(demo_inputs):
    from scoring_fixtures import make_query

    from maps.export import MapOptions, planner_map

    region, sites = demo_inputs
    m = planner_map(region, sites, make_query(("book_room", "cultural_palace")), MapOptions())
    layers = _site_layers(_page_values(m))
    assert len(layers) == 2
    (books, book_html, book_paints), (palaces, palace_html, palace_paints) = layers
    assert len(books["title"]) > 10 and len(palaces["title"]) == 4
    assert all(title.endswith("（演示）") for title in books["title"])  # every demo book room says so
    assert all("site-demo" in book_html[s] for s in books["style"])
    assert not any(title.endswith("（演示）") for title in palaces["title"])  # the four real palaces (Amap)
    assert all("site-demo" not in palace_html[s] for s in palaces["style"])
    assert book_paints[books["style"][0]]["fill"] != palace_paints[palaces["style"][0]]["fill"]


# ---------------------------------------------------------------- the planner's path in a real browser

@pytest.mark.browser
@pytest.mark.timeout(400)
def test_planner_path_in_chinese_in_a_real_browser(tmp_path):
    """Open the map, change a radius, compute suggestions (★ at once), add one (the others stay)."""
    import time

    from playwright.sync_api import expect, sync_playwright

    from maps.assets import require_assets
    from tests.browser_support import (
        ARTIFACTS,
        CHROMIUM_ARGS,
        LEAFLET_MAP,
        MAP_IFRAME,
        local_only,
        require_chromium,
        streamlit_app,
    )

    chromium = require_chromium()
    require_assets()
    with SiteStore(tmp_path / "sites.db") as store:
        seed_demo(store, actor="test")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    sent: list[int] = []  # messages the page sends the server: each widget change or map report is a rerun

    def settle(quiet_s: float = 4.0) -> None:
        """Wait until the page has sent nothing for ``quiet_s`` seconds (the map's reports come late)."""
        last, seen = time.monotonic(), len(sent)
        while time.monotonic() - last < quiet_s:
            time.sleep(0.25)
            if len(sent) != seen:
                last, seen = time.monotonic(), len(sent)

    with streamlit_app(tmp_path) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(len(frame))))
            page.goto(url)
            stars = page.frame_locator(MAP_IFRAME).locator(".leaflet-marker-pane .site-suggested")
            expect(page.frame_locator(MAP_IFRAME).locator(".site-marker").first).to_be_visible(timeout=90_000)
            settle()
            assert len(sent) == 1, sent  # the page's first run only: the new map reports nothing back (was 2–3)
            expect(page.get_by_text("职工服务中心覆盖最差的镇街")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "planner_open.png", full_page=True)
            # Hovering the worst-served town (mostly gap) shows its covered share and sites.
            map_frame = page.frame_locator(MAP_IFRAME)
            label = map_frame.locator(".town-label", has_text="狮山镇").bounding_box()
            page.mouse.move(label["x"] + 5, label["y"] - 40)
            tip = map_frame.locator(".leaflet-tooltip").last
            expect(tip).to_contain_text("覆盖率")
            expect(tip).to_contain_text("站点数")
            page.screenshot(path=ARTIFACTS / "planner_hover.png")
            # The legend opens compact: well under a third of the map.
            map_frame.locator(".map-legend summary").click()
            box, whole = (map_frame.locator(s).bounding_box() for s in (".map-legend", ".leaflet-container"))
            assert box["width"] * box["height"] < whole["width"] * whole["height"] / 4, (box, whole)
            page.screenshot(path=ARTIFACTS / "planner_legend.png")
            map_frame.locator(".map-legend summary").click()

            def zoom() -> float:
                frames = [f for f in page.frames if "streamlit_folium" in f.url and not f.is_detached()]
                assert frames, [f.url for f in page.frames]
                return frames[-1].evaluate(f"() => {LEAFLET_MAP}.getZoom()")

            opening = zoom()
            page.frame_locator(MAP_IFRAME).locator(".leaflet-control-zoom-in").click()
            page.wait_for_timeout(1000)
            assert zoom() == opening + 1
            settle()
            assert len(sent) == 1, sent  # a zoom or pan stays in the browser: no rerun
            sent.clear()
            page.locator("[data-testid=stExpander] summary", has_text="服务半径").click()
            page.get_by_role("radiogroup", name="职工书屋半径").get_by_text("1,000 米").click()
            settle()
            assert len(sent) == 1, sent  # one rerun for one change: no second redraw
            expect(page.frame_locator(MAP_IFRAME).locator(".site-marker").first).to_be_visible(timeout=60_000)
            assert zoom() == opening + 1  # the redrawn map opens at the user's view (kept in the browser)

            page.get_by_role("button", name="计算建议").click()
            expect(page.get_by_text("建议新址 3：职工服务中心", exact=False)).to_be_visible(timeout=120_000)
            expect(stars).to_have_count(3, timeout=60_000)  # drawn at once, no pan needed
            expect(page.get_by_text("高德地图坐标 GCJ-02").first).to_be_visible()
            page.screenshot(path=ARTIFACTS / "planner_suggest.png", full_page=True)
            page.get_by_role("button", name="计算建议").scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / "planner_suggest_list.png")

            page.get_by_role("button", name="加入登记（规划中）").first.click()
            message = page.get_by_text("已加入登记：建议新址 1")
            expect(message).to_be_visible(timeout=60_000)
            settle()
            expect(message).to_be_visible()  # still there once the map has redrawn (it vanished after ~1 s)
            expect(page.get_by_text("已加入登记（编号")).to_be_visible()
            for n in (2, 3):  # the others are kept
                expect(page.get_by_text(f"建议新址 {n}：职工服务中心", exact=False)).to_have_count(1)
            expect(stars).to_have_count(3, timeout=60_000)
            page.screenshot(path=ARTIFACTS / "planner_added.png", full_page=True)
            page.get_by_text("已加入登记（编号").scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / "planner_added_list.png")
        finally:
            browser.close()
    assert blocked == []


def test_the_planner_glance_in_english(app_db, demo_db, monkeypatch):
    import json

    import maps.export

    builds: list[dict] = []
    real = maps.export.planner_map
    monkeypatch.setattr(maps.export, "planner_map", lambda *a, **k: builds.append(k) or real(*a, **k))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"  # opened in English (after a switch AppTest keeps a radio's Chinese labels)
    at.run()
    at.radio(key="map_suggest_type_en").set_value("book_room").run()
    at.button(key="map_suggest_run").click().run()
    assert not at.exception and not at.error
    assert builds[-1]["suggestion"] is not None and builds[-1]["suggestion"].site_type == "book_room"
    captions = [c.value for c in at.caption if c.value.startswith("WGS84: ")]
    assert len(captions) == 3 and all("Amap position, GCJ-02 (lng,lat" in c for c in captions)
    assert at.button(key="map_suggest_dismiss").label == "Dismiss"
    at.button(key="map_suggest_add_1").click().run()
    assert any("Added to the registry: Suggested site 1" in s.value for s in at.success)
    assert any(c.value.startswith("Added (ID ") for c in at.caption)
    proto = at.dataframe[0].proto
    assert list(proto.column_order)[:5] == ["Town", "Worker service centre: covered (%)",
                                            "Worker service centre: sites", "Worker service centre: gap (km²)",
                                            "Worker service centre: rank (1 = worst)"]
    assert json.loads(proto.columns)["Town"]["pinned"] is True
    assert any(m.value.startswith("**Worst\\-served towns\\: Worker service centre**  \n1\\. Shishan Town\\: 2\\.8%")
               for m in at.markdown)


def test_what_counts_as_the_users_next_action():
    from app_pages.map_widgets import _acted

    seen = {"map_show_gaps": True, "map_suggest_add_1": False, "lang": "zh"}
    assert not _acted(seen, dict(seen))  # a map rerun
    assert not _acted(seen, {"map_show_gaps": True, "lang": "zh"})  # a button no longer drawn
    assert not _acted(seen, {**seen, "map_table_all": False})  # a control that appeared
    assert _acted(seen, {**seen, "map_show_gaps": False})  # a box unticked
    assert _acted(seen, {**seen, "map_suggest_add_1": True})  # a button pressed
    assert _acted(seen, {**seen, "map_suggest_run": True})  # a button pressed that came with this run
    assert _acted(seen, {**seen, "lang": "en"})


def test_the_map_says_demo_and_by_rank_in_english(demo_inputs):
    from scoring_fixtures import make_query

    from maps.export import MapOptions, planner_map

    region, sites = demo_inputs
    m = planner_map(region, sites, make_query(("book_room", "cultural_palace")), MapOptions(lang="en"))
    (books, _, _), (palaces, _, _) = _site_layers(_page_values(m))
    assert all(title.endswith(" (demo)") for title in books["title"])
    assert not any(title.endswith(" (demo)") for title in palaces["title"])
    legend = _legend_html(m)
    assert "Worker book room: covered share (towns); classes by rank, red is worst" in legend
    assert "(towns: 1)" in legend
    lists = [v for v in _page_values(m) if isinstance(v, list) and v and all(isinstance(x, str) for x in v)]
    assert ["Name", "Covered share · Worker book room", "Sites · Worker book room", "Code", "Area (km²)"] in lists
