"""The planner's map built headless and exported as standalone HTML (maps.export, python -m scoring map)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from scoring_fixtures import make_query

from geodata.crs import CoordSystem, convert_points
from maps.assets import require_assets
from maps.export import CLUSTER_OVER, MapOptions, export_html, planner_map
from maps.webmap import PointLayer
from sites.demo import seed_demo
from sites.frame import sites_frame
from sites.store import SiteStore

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


def _layers(m) -> dict[str, PointLayer]:
    return {layer.layer_name: layer for layer in m._children.values() if isinstance(layer, PointLayer)}


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
    assert "textContent" in page  # popups/tooltips are built as text


def test_sites_are_drawn_by_type_and_status_with_demo_marked(inputs):
    region, sites = inputs
    m = planner_map(region, sites, make_query(("book_room", "cultural_palace"),
                                              {"book_room": 500.0, "cultural_palace": 5000.0}), MapOptions())
    layers = _layers(m)
    books = next(v for k, v in layers.items() if k.startswith("职工书屋"))
    by_name = {p[3]: p for p in books.points}
    assert XSS in by_name and "规划书屋" in by_name  # planned sites show although only open ones count
    assert 'site-planned' in books.style_html[by_name["规划书屋"][2]]
    assert 'site-solid' in books.style_html[by_name[XSS][2]]
    assert any("演示数据" in value for p in books.points for value in p[4])
    palaces = next(v for k, v in layers.items() if k.startswith("工人文化宫"))
    assert all("高德地图" in p[4][-2] for p in palaces.points)
    page = m.get_root().render()
    assert "map-legend" in page and "\\u5f00\\u653e" in page  # the legend lists 开放 (solid)


def test_amap_base_map_shifts_sites_into_gcj02(inputs):
    region, sites = inputs
    query, options = make_query(("book_room",), {"book_room": 500.0}), MapOptions(tiles="amap")
    points = next(iter(_layers(planner_map(region, sites, query, options)).values())).points
    shown = {p[3]: (p[1], p[0]) for p in points}
    row = sites.loc[sites["name"] == XSS].iloc[0]
    lng, lat = convert_points(np.array([row["lng"]]), np.array([row["lat"]]), CoordSystem.WGS84, CoordSystem.GCJ02)
    assert shown[XSS] == pytest.approx((float(lng[0]), float(lat[0])), abs=2e-6)
    assert abs(shown[XSS][0] - row["lng"]) > 1e-3  # hundreds of metres, not nothing


def test_many_sites_are_clustered(inputs):
    region, sites = inputs
    many = sites.loc[sites["type"] == "nursing_room"]
    many = many.loc[np.repeat(many.index.to_numpy(), CLUSTER_OVER // len(many) + 1)]
    m = planner_map(region, many, make_query(("nursing_room",), {"nursing_room": 300.0}), MapOptions())
    layer = next(iter(_layers(m).values()))
    assert layer.cluster and len(layer.points) > CLUSTER_OVER
    assert "L.markerClusterGroup" in export_html(region, many, make_query(("nursing_room",)), MapOptions())


def test_town_filter_and_english(inputs):
    region, sites = inputs
    m = planner_map(region, sites, make_query(("book_room",), {"book_room": 500.0}),
                    MapOptions(towns=("440605011000",), lang="en"))
    layer = next(iter(_layers(m).values()))
    assert {p[4][3] for p in layer.points} == {"Guicheng Subdistrict"}
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
    points = re.findall(r"var points = (\[.*?\]);\n", page)
    assert len(points) == 2 and all(json.loads(p) for p in points)
    caption = re.sub(r"\\u([0-9a-f]{4})", lambda g: chr(int(g.group(1), 16)), page)
    assert "服务半径：职工书屋 800 米、户外劳动者爱心驿站 800 米" in caption


def test_cli_reports_an_unknown_type(db, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "scoring", "map", str(tmp_path / "x.html"), "--db", str(db),
                           "--type", "nope"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "nope" in proc.stderr
    assert not (tmp_path / "x.html").exists()
