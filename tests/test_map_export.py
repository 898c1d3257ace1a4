"""The planner's map built headless and exported as standalone HTML (maps.export, python -m scoring map)."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from scoring_fixtures import make_query

from geodata.crs import CoordSystem, convert_points
from i18n import t
from maps.assets import require_assets, standalone_html
from maps.export import CLUSTER_OVER, MapOptions, export_html, planner_map
from sites.demo import seed_demo
from sites.frame import sites_frame
from sites.store import SiteStore
from tests.browser_support import map_state, open_offline
from tests.html_support import json_values

ROOT = Path(__file__).resolve().parent.parent
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    require_assets()
    path = tmp_path_factory.mktemp("map") / "sites.db"
    with SiteStore(path) as store:
        seed_demo(store, actor="test")
        store.add({"name": XSS, "type": "book_room", "status": "open", "lng": 113.15, "lat": 23.03,
                   "address": "<script>alert(2)</script>", "source": "test"}, actor="test")
        store.add({"name": "规划书屋", "type": "book_room", "status": "planned", "lng": 113.05, "lat": 23.10},
                  actor="test")
    return path


@pytest.fixture(scope="module")
def inputs(db):
    with SiteStore(db) as store:
        return store.region(), sites_frame(store.list_sites())


def _site_groups(browser, page_html: str, folder: Path) -> dict[str, dict]:
    """The groups of site markers the page draws in Chromium, by their name in the layer control
    (``browser_support.map_state``): ``{"cluster": bool, "markers": [{title, lat, lng, badge, popup}]}``."""
    page, _ = open_offline(browser, page_html, folder)
    try:
        return {group["name"]: group for group in map_state(page)["groups"]}
    finally:
        page.context.close()


def _popup(marker: dict, field: str, lang: str = "zh") -> str:
    """The value of one popup row of a marker, by its label (empty when the row is left out)."""
    label = t(f"mapx.field.{field}", lang) if field != "name" else t("map.field.name", lang)
    return dict(marker["popup"]).get(label, "")


def _is_site_data(value: object) -> bool:
    """A site layer's compact data: positions as integers, titles, popup columns (maps.webmap.point_data)."""
    return isinstance(value, dict) and {"q", "lat", "lng", "style", "title", "cols"} <= set(value)


class _Tags(HTMLParser):
    """Start tags of a document (script and style contents are data, as in a browser)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_xss_site_name_is_text_in_the_export(inputs):
    region, sites = inputs
    page = export_html(region, sites, make_query(("book_room",), {"book_room": 500.0}), MapOptions())
    parser = _Tags()
    parser.feed(page)
    assert [t for t, _ in parser.tags if t == "img"] == []
    assert not any(t == "script" and "src" in a for t, a in parser.tags)  # everything inlined
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # the name, JSON-escaped, as data


@pytest.mark.browser
def test_site_names_are_text_in_the_tooltip_and_popup(inputs, browser, tmp_path):
    region, sites = inputs
    page, requested = open_offline(browser, export_html(region, sites, make_query(("book_room",)), MapOptions()),
                                   tmp_path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        marker = page.get_by_title(XSS, exact=True)
        marker.hover()
        assert page.locator(".leaflet-tooltip").inner_text() == XSS  # popups/tooltips are built as text
        marker.click()
        cells = page.locator(".leaflet-popup-content td").all_inner_texts()
        assert XSS in cells and "<script>alert(2)</script>" in cells
        assert page.evaluate("() => document.querySelectorAll('img[src=x], .leaflet-popup-content script').length") == 0
        assert dialogs == [] and requested == []
    finally:
        page.context.close()


def test_sites_are_drawn_with_a_legend_of_statuses(inputs):
    region, sites = inputs
    m = planner_map(region, sites, make_query(("book_room", "cultural_palace"),
                                              {"book_room": 500.0, "cultural_palace": 5000.0}), MapOptions())
    page = m.get_root().render()
    assert "map-legend" in page and "\\u5f00\\u653e" in page  # the legend lists 开放 (solid)


@pytest.mark.browser
def test_sites_are_drawn_by_type_and_status_with_demo_marked(inputs, browser, tmp_path):
    region, sites = inputs
    m = planner_map(region, sites, make_query(("book_room", "cultural_palace"),
                                              {"book_room": 500.0, "cultural_palace": 5000.0}), MapOptions())
    groups = _site_groups(browser, standalone_html(m), tmp_path)
    books = next(v for k, v in groups.items() if k.startswith("职工书屋"))
    by_name = {marker["title"]: marker for marker in books["markers"]}
    assert XSS in by_name and "规划书屋" in by_name  # planned sites show although only open ones count
    assert "site-planned" in by_name["规划书屋"]["badge"]
    assert "site-solid" in by_name[XSS]["badge"]
    assert any("演示数据" in value for marker in books["markers"] for _, value in marker["popup"])
    palaces = next(v for k, v in groups.items() if k.startswith("工人文化宫"))
    assert all("高德地图" in _popup(marker, "source") for marker in palaces["markers"])


@pytest.mark.browser
def test_amap_base_map_shifts_sites_into_gcj02(inputs, browser, tmp_path):
    region, sites = inputs
    query, options = make_query(("book_room",), {"book_room": 500.0}), MapOptions(tiles="amap")
    markers = next(iter(_site_groups(browser, standalone_html(planner_map(region, sites, query, options)),
                                     tmp_path).values()))["markers"]
    shown = {marker["title"]: (marker["lng"], marker["lat"]) for marker in markers}
    row = sites.loc[sites["name"] == XSS].iloc[0]
    lng, lat = convert_points(np.array([row["lng"]]), np.array([row["lat"]]), CoordSystem.WGS84, CoordSystem.GCJ02)
    assert shown[XSS] == pytest.approx((float(lng[0]), float(lat[0])), abs=2e-6)
    assert abs(shown[XSS][0] - row["lng"]) > 1e-3  # hundreds of metres, not nothing


@pytest.mark.browser
def test_many_sites_are_clustered(inputs, browser, tmp_path):
    region, sites = inputs
    many = sites.loc[sites["type"] == "nursing_room"]
    many = many.loc[np.repeat(many.index.to_numpy(), CLUSTER_OVER // len(many) + 1)]
    m = planner_map(region, many, make_query(("nursing_room",), {"nursing_room": 300.0}), MapOptions())
    group = next(iter(_site_groups(browser, standalone_html(m), tmp_path).values()))
    assert group["cluster"] and len(group["markers"]) > CLUSTER_OVER


@pytest.mark.browser
def test_exported_page_draws_cluster_badges(inputs, browser, tmp_path):
    region, sites = inputs
    many = sites.loc[sites["type"] == "nursing_room"]
    many = many.loc[np.repeat(many.index.to_numpy(), CLUSTER_OVER // len(many) + 1)]
    page, _ = open_offline(browser, export_html(region, many, make_query(("nursing_room",)), MapOptions()),
                           tmp_path, name="export.html")
    try:
        page.wait_for_selector(".site-cluster", timeout=5_000)  # markers are added in chunks
        assert page.locator(".site-cluster").count() > 0  # the exported page draws cluster badges
    finally:
        page.context.close()


@pytest.mark.browser
def test_town_filter_shows_only_that_towns_sites(inputs, browser, tmp_path):
    region, sites = inputs
    m = planner_map(region, sites, make_query(("book_room",), {"book_room": 500.0}),
                    MapOptions(towns=("440605011000",), lang="en"))
    group = next(iter(_site_groups(browser, standalone_html(m), tmp_path).values()))
    assert {_popup(marker, "town", "en") for marker in group["markers"]} == {"Guicheng Subdistrict"}


def test_town_filter_and_english(inputs):
    region, sites = inputs
    m = planner_map(region, sites, make_query(("book_room",), {"book_room": 500.0}),
                    MapOptions(towns=("440605011000",), lang="en"))
    page = re.sub(r"\\u([0-9a-f]{4})", lambda g: chr(int(g.group(1), 16)), m.get_root().render())
    assert "Legend" in page and "Worker service sites map" in page and "Radii: Worker book room 500 m" in page
    assert "图例" not in page


def test_cli_writes_a_standalone_map(db, tmp_path):
    out = tmp_path / "map.html"
    proc = subprocess.run([sys.executable, "-m", "scoring", "map", str(out), "--db", str(db), "--type",
                           "book_room,rest_station", "--radius-m", "800"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[100%]" in proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "\\u003cimg src=x onerror=alert(1)\\u003e" in page
    assert "<title>职工服务阵地地图 · 佛山市南海区</title>" in page
    layers = [value for value in json_values(page) if _is_site_data(value)]  # the data of the two site layers
    assert len(layers) == 2 and all(layer["title"] for layer in layers)
    assert all(len(layer["lat"]) == len(layer["lng"]) == len(layer["title"]) for layer in layers)
    caption = re.sub(r"\\u([0-9a-f]{4})", lambda g: chr(int(g.group(1), 16)), page)
    assert "服务半径：职工书屋 800 米、户外劳动者爱心驿站 800 米" in caption


def test_cli_reports_an_unknown_type(db, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "scoring", "map", str(tmp_path / "x.html"), "--db", str(db),
                           "--type", "nope"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "nope" in proc.stderr
    assert not (tmp_path / "x.html").exists()
