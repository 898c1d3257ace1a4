"""AppTest of the app shell and the towns map page (components are not rendered by AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.boundaries import bundled_region

APP = str(Path(__file__).resolve().parent.parent / "app.py")
NANHAI_CODES = sorted(bundled_region().towns["code"])


@pytest.fixture
def app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("SITES_DB", str(tmp_path / "sites.db"))
    monkeypatch.setenv("SITES_LANGUAGE", "zh")
    monkeypatch.setenv("SITES_TILES", "none")
    monkeypatch.delenv("SITES_TIANDITU_KEY", raising=False)
    return AppTest.from_file(APP, default_timeout=60).run()


def _table(at: AppTest):
    return at.dataframe[0].value  # the only table on the page


def test_app_runs_in_chinese_by_default(app):
    assert not app.exception
    assert app.title[0].value == "职工服务阵地规划"
    assert app.header[0].value == "镇街地图"
    assert app.radio(key="lang").value == "zh"
    assert app.radio(key="map_tiles_zh").value == "none"
    assert not app.error  # the map was built: its assets are present
    assert any("© OpenStreetMap contributors" in c.value for c in app.caption)


def test_town_table_lists_the_seven_towns(app):
    table = _table(app)
    assert list(table.columns) == ["名称", "代码", "面积（km²）"]
    assert sorted(table["代码"]) == NANHAI_CODES
    assert "桂城街道" in set(table["名称"])
    assert table["面积（km²）"].sum() == pytest.approx(1070.5, abs=0.5)


def test_language_switch_turns_every_label_english(app):
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Worker Service Site Planner"
    assert app.header[0].value == "Towns map"
    tiles = app.radio(key="map_tiles_en")
    assert tiles.label == "Base map" and tiles.value == "none"
    assert tiles.options[0] == "No base map (offline)"
    table = _table(app)
    assert list(table.columns) == ["Name", "Code", "Area (km²)"]
    assert "Guicheng Subdistrict" in set(table["Name"])
    texts = [e.value for e in (*app.caption, *app.subheader, *app.title, *app.header)]
    assert not any(ch >= "\u4e00" and ch <= "\u9fff" for text in texts for ch in text)


def test_base_map_choice_survives_a_language_switch(app):
    app.radio(key="map_tiles_zh").set_value("osm").run()
    assert any("需要互联网" in c.value for c in app.caption)
    app.radio(key="lang").set_value("en").run()
    assert app.radio(key="map_tiles_en").value == "osm"
    assert any("needs the internet" in c.value for c in app.caption)


def test_tianditu_is_offered_only_with_a_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SITES_DB", str(tmp_path / "sites.db"))
    monkeypatch.setenv("SITES_TIANDITU_KEY", "test-key")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "天地图" in at.radio(key="map_tiles_zh").options
    at.radio(key="map_tiles_zh").set_value("tianditu").run()
    assert not at.exception and not at.error
