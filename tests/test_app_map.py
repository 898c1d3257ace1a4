"""AppTest of the app shell and the planner's map page, found by widget keys (components are not rendered)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import app_pages.loaders as loaders
from geodata.boundaries import bundled_region
from sites.store import SiteStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
NANHAI_CODES = sorted(bundled_region().towns["code"])
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def app(app_db) -> AppTest:
    """The app on an empty registry."""
    return AppTest.from_file(APP, default_timeout=90).run()


@pytest.fixture
def seeded_db(app_db, demo_db) -> Path:
    """The demo sample and a site named with HTML, for the app (conftest's ``app_db`` + ``demo_db``)."""
    with SiteStore(demo_db) as store:
        store.add({"name": XSS, "type": "book_room", "status": "open", "lng": 113.1500, "lat": 23.0300,
                   "source": "test"}, actor="test")
    return demo_db


@pytest.fixture
def seeded(seeded_db) -> AppTest:
    return AppTest.from_file(APP, default_timeout=90).run()


def _table(at: AppTest):
    return at.dataframe[0].value  # the only table on the page


def _texts(at: AppTest) -> list[str]:
    return [e.value for e in (*at.caption, *at.subheader, *at.title, *at.header, *at.info, *at.warning)]


def test_app_runs_in_chinese_by_default(app):
    assert not app.exception
    assert app.title[0].value == "职工服务阵地规划"
    assert app.header[0].value == "镇街地图"
    assert app.radio(key="lang").value == "zh"
    assert app.radio(key="map_tiles_zh").value == "none"
    assert not app.error  # the map was built: its assets are present
    assert any("© OpenStreetMap contributors" in c.value for c in app.caption)


def test_empty_registry_shows_towns_and_offers_the_demo_sample(app, tmp_path):
    assert any("还没有站点" in i.value for i in app.info)
    table = _table(app)
    assert sorted(table["代码"]) == NANHAI_CODES
    assert "桂城街道" in set(table["镇街"])
    assert (table["职工书屋：覆盖率（%）"] == 0).all()
    button = app.button(key="map_seed_demo")
    assert button.label == "载入南海示例数据（演示）"
    button.click().run()
    assert not app.exception
    with SiteStore(tmp_path / "sites.db") as store:
        assert store.count() == 120
        assert {s.source for s in store.list_sites()} == {"amap", "demo"}
    assert any("已载入 120 个示例站点" in s.value for s in app.success)
    assert any("116 个为演示数据" in c.value for c in app.caption)
    assert (_table(app)["职工服务中心：覆盖率（%）"] > 0).any()


def test_radius_presets_and_custom_radius_change_the_table(seeded):
    column = "职工书屋：覆盖率（%）"
    before = _table(seeded)[column].to_numpy()
    radio = seeded.radio(key="map_radius_book_room_zh")
    assert radio.value == "500"
    assert any("10分钟生活圈" in c.value for c in seeded.caption)  # the basis next to the control
    radio.set_value("1000").run()
    bigger = _table(seeded)[column].to_numpy()
    assert (bigger >= before).all() and (bigger > before).any()
    seeded.radio(key="map_radius_book_room_zh").set_value("custom").run()
    seeded.number_input(key="map_radius_m_book_room").set_value(3000.0).run()
    custom = _table(seeded)[column].to_numpy()
    assert (custom >= bigger).all() and (custom > bigger).any()


def test_types_statuses_and_towns_filter_the_table(seeded):
    seeded.multiselect(key="map_types_zh").set_value(["book_room"]).run()
    columns = list(_table(seeded).columns)
    assert columns[:2] == ["镇街", "代码"] and all(c.startswith("职工书屋") for c in columns[2:])
    open_only = _table(seeded)["职工书屋：站点数"].sum()
    seeded.multiselect(key="map_statuses_zh").set_value(["open", "planned", "under_construction"]).run()
    assert _table(seeded)["职工书屋：站点数"].sum() >= open_only
    seeded.multiselect(key="map_towns_zh").set_value(["440605011000"]).run()
    assert list(_table(seeded)["镇街"]) == ["桂城街道"]


def test_a_pan_or_a_layer_switch_recomputes_nothing(seeded, monkeypatch):
    calls: list[tuple] = []
    real = loaders.coverage
    monkeypatch.setattr(loaders, "coverage", lambda *a, **k: calls.append(a) or real(*a, **k))
    seeded.radio(key="map_radius_rest_station_zh").set_value("1000").run()
    assert len(calls) == 1
    seeded.session_state["town_map"] = {"center": {"lat": 23.05, "lng": 113.1}, "zoom": 13}
    seeded.run()
    seeded.checkbox(key="map_show_catchment").uncheck().run()
    seeded.radio(key="lang").set_value("en").run()
    assert not seeded.exception
    assert len(calls) == 1


def test_a_write_shows_up_through_the_revision(seeded, seeded_db):
    before = int(_table(seeded)["职工书屋：站点数"].sum())
    with SiteStore(seeded_db) as store:
        store.add({"name": "新书屋", "type": "book_room", "status": "open", "lng": 113.02, "lat": 23.08}, actor="t")
    seeded.run()
    assert int(_table(seeded)["职工书屋：站点数"].sum()) == before + 1


def test_suggestions_then_add_one_as_planned(seeded, seeded_db):
    seeded.radio(key="map_suggest_type_zh").set_value("service_centre").run()
    seeded.number_input(key="map_suggest_k").set_value(2).run()
    seeded.button(key="map_suggest_run").click().run()
    assert not seeded.exception and not seeded.error
    rows = [t.value for t in seeded.text if t.value.startswith("建议新址")]
    assert len(rows) == 2 and all("新增覆盖" in r for r in rows)
    seeded.button(key="map_suggest_add_1").click().run()
    assert not seeded.exception
    with SiteStore(seeded_db) as store:
        planned = store.list_sites(statuses=["planned"], types=["service_centre"])
        suggested = [s for s in planned if s.source == "suggest"]
    assert len(suggested) == 1 and suggested[0].name.startswith("建议新址 1：职工服务中心")
    assert suggested[0].town_code in NANHAI_CODES
    assert any("已加入登记" in s.value for s in seeded.success)
    # The others stay (issue 13: adding one used to discard them), the added one marked as added.
    assert len([t.value for t in seeded.text if t.value.startswith("建议新址")]) == 2
    assert any(f"已加入登记（编号 {suggested[0].id}）" in c.value for c in seeded.caption)


def test_export_button_offers_the_html(seeded):
    seeded.button(key="map_export").click().run()
    assert not seeded.exception
    assert seeded.get("download_button")  # the download button is there once the HTML is made


def test_language_switch_turns_every_label_english(seeded):
    seeded.radio(key="lang").set_value("en").run()
    assert not seeded.exception
    assert seeded.title[0].value == "Worker Service Site Planner"
    assert seeded.header[0].value == "Towns map"
    tiles = seeded.radio(key="map_tiles_en")
    assert tiles.label == "Base map" and tiles.value == "none"
    assert tiles.options[0] == "No base map (offline)"
    assert seeded.multiselect(key="map_types_en").label == "Site types"
    table = _table(seeded)
    assert list(table.columns)[:3] == ["Town", "Code", "Worker service centre: sites"]
    assert "Guicheng Subdistrict" in set(table["Town"])
    texts = _texts(seeded) + [str(c) for c in table.columns]
    texts += [w.label for w in (*seeded.button, *seeded.radio, *seeded.multiselect, *seeded.checkbox)
              if w.key != "lang"]  # the switch itself reads "语言 / Language" in both
    assert not [x for x in texts if any("\u4e00" <= ch <= "\u9fff" for ch in x)]


def test_base_map_choice_survives_a_language_switch(app):
    app.radio(key="map_tiles_zh").set_value("osm").run()
    assert any("需要互联网" in c.value for c in app.caption)
    app.radio(key="lang").set_value("en").run()
    assert app.radio(key="map_tiles_en").value == "osm"
    assert any("needs the internet" in c.value for c in app.caption)


def test_tianditu_is_offered_only_with_a_key(app_db, monkeypatch):
    monkeypatch.setenv("SITES_TIANDITU_KEY", "test-key")
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert "天地图" in at.radio(key="map_tiles_zh").options
    at.radio(key="map_tiles_zh").set_value("tianditu").run()
    assert not at.exception and not at.error


def test_the_count_under_the_map_says_how_many_are_registered_when_some_are_not_drawn(seeded, seeded_db):
    """The map draws the chosen types and towns, counted or planned: the caption gives the number drawn and,
    when that is not every site, how many are registered and why the others are not drawn."""
    with SiteStore(seeded_db) as store:
        frame = store.sites_frame()
    total, demo = len(frame), int((frame["source"] == "demo").sum())
    assert set(frame["status"]) == {"open"}  # the sample: every site drawn by default

    def under_map() -> str:
        return next(c.value for c in seeded.caption if c.value.startswith("地图上有"))

    assert under_map() == f"地图上有 {total:,} 个站点，其中 {demo:,} 个为演示数据（非真实站点）"
    seeded.multiselect(key="map_types_zh").set_value(["book_room"]).run()
    books = frame.loc[frame["type"] == "book_room"]
    assert under_map() == (f"地图上有 {len(books):,} 个站点（登记共 {total:,} 个，其余不属所选的站点类型、镇街，或不在计入"
                           f"状态和规划、在建之列），其中 {int((books['source'] == 'demo').sum()):,} 个为演示数据（非真实站点）")
