"""AppTest of the data page: import preview and commit, exports, the audit log and the region switch."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.data_files import export_bytes
from sites.store import SiteStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "app_pages/data_page.py"
DATA = Path(__file__).resolve().parent / "data"
MIXED = DATA / "sites" / "mixed_bad_rows.csv"
DISTRICT = DATA / "nanhai_district_amap_gcj02.geojson"
XSS = "<img src=x onerror=alert(1)>"
#: Lines of mixed_bad_rows.csv that are wrong (WGS84): swapped, latitude 95, no name, unknown type,
#: in Guangzhou, longitude not a number; lines 2, 3 and 10 are fine.
BAD_LINES = {4, 5, 6, 7, 8, 9}


@pytest.fixture
def db(app_db, monkeypatch) -> Path:
    """conftest's ``app_db``, written by the user ``data-test``."""
    monkeypatch.setenv("SITES_USER", "data-test")
    return app_db


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, path: Path, crs: str = "wgs84") -> AppTest:
    at.radio(key="data_crs_zh").set_value(crs)
    at.file_uploader(key="data_upload").set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_import_preview_shows_row_errors_and_commit_writes_nothing_until_fixed(db):
    at = _upload(_open(), MIXED)
    preview, problems = at.dataframe[0].value, at.dataframe[1].value
    assert len(preview) == 9
    bad = set(preview.loc[preview["检查结果"] == "❌ 有错误", "行号"].astype(int))
    assert bad == BAD_LINES
    assert set(problems["行号"].astype(int)) == BAD_LINES
    assert {"name", "type"} <= set(problems["字段"])
    assert any("经纬度似乎填反了" in r for r in problems["原因"])
    at.button(key="data_commit").click().run()
    assert any("未写入" in e.value for e in at.error)
    with SiteStore(db) as store:
        assert store.count() == 0
    at.checkbox(key="data_skip_invalid").check().run()
    at.button(key="data_commit").click().run()
    assert any("已导入 3 行，跳过 6 行" in s.value for s in at.success)
    with SiteStore(db) as store:
        sites = store.list_sites()
    assert sorted(s.name for s in sites) == ["测试书屋乙", "测试服务中心甲", "测试辛"]
    assert {s.source for s in sites} == {MIXED.name}  # real data carries its source
    assert {s.created_by for s in sites} == {"data-test"}


def test_exports_keep_names_as_text(db):
    with SiteStore(db) as store:
        store.add({"name": XSS, "type": "book_room", "lng": 113.14, "lat": 23.03}, actor="a", crs="wgs84")
        csv_text = export_bytes(store, ".csv", "zh").decode("utf-8-sig")
        geojson = json.loads(export_bytes(store, ".geojson", "en"))
        assert export_bytes(store, ".xlsx", "zh")[:2] == b"PK"
        assert export_bytes(store, ".gpkg", "zh")[:15] == b"SQLite format 3"
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows[0]["名称"] == XSS and rows[0]["镇街"] == "桂城街道"
    assert geojson["features"][0]["properties"]["name"] == XSS
    at = _open()
    assert [b.label for b in at.get("download_button")] == ["下载导入模板（XLSX）", "下载 CSV", "下载 XLSX", "下载 GEOJSON", "下载 GPKG"]


def test_audit_log_filters(db):
    with SiteStore(db) as store:
        a, _ = store.add({"name": "甲", "type": "book_room", "lng": 113.14, "lat": 23.03}, actor="张三", crs="wgs84")
        store.add({"name": "乙", "type": "book_room", "lng": 113.01, "lat": 23.11}, actor="李四", crs="wgs84")
        store.close(a.id, actor="李四")
    at = _open()
    log = at.dataframe[-1].value
    assert list(log["操作"]) == ["关闭", "新增", "新增"]  # newest first
    at.text_input(key="audit_actor").set_value("李四").run()
    assert list(at.dataframe[-1].value["名称"]) == ["甲", "乙"]
    at.selectbox(key="audit_action_zh").set_value("create").run()
    assert list(at.dataframe[-1].value["名称"]) == ["乙"]


def _square(tmp_path: Path) -> Path:
    path = tmp_path / "far_towns.geojson"
    ring = [[110.0, 21.0], [110.1, 21.0], [110.1, 21.1], [110.0, 21.1], [110.0, 21.0]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"镇名": "远方镇", "镇代码": "440800001000"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    return path


def _region_upload(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="region_upload").set_value((path.name, path.read_bytes(), "application/geo+json")).run()
    assert not at.exception, at.exception
    return at


def test_region_switch_refuses_to_orphan_sites_then_switches(db, tmp_path):
    with SiteStore(db) as store:
        store.add({"name": "桂城中心", "type": "service_centre", "lng": 113.14, "lat": 23.03}, actor="a", crs="wgs84")
    at = _region_upload(_open(), _square(tmp_path))
    at.radio(key="region_crs_zh").set_value("wgs84")
    at.selectbox(key="region_name_field").set_value("镇名")
    at.selectbox(key="region_code_field").set_value("镇代码").run()
    assert any("预览：1 个镇街" in m.value for m in at.markdown)
    assert any("切换将被拒绝" in e.value for e in at.error)
    at.checkbox(key="region_confirm").check().run()
    at.button(key="region_switch").click().run()
    assert any("未切换" in e.value for e in at.error)
    with SiteStore(db) as store:
        assert store.region_spec.source == "bundled:nanhai"

    at = _region_upload(_open(), DISTRICT)
    at.radio(key="region_crs_zh").set_value("gcj02").run()
    assert any("预览：1 个区县" in m.value for m in at.markdown)
    at.checkbox(key="region_confirm").check().run()
    at.button(key="region_switch").click().run()
    assert any("已切换" in s.value for s in at.success)
    with SiteStore(db) as store:
        # kept under a generated name: the uploaded file's name never becomes a path
        assert store.region_spec.source.endswith("-boundaries.geojson") and store.region_spec.crs == "gcj02"
        assert store.list_sites()[0].town_code == "440605"


def test_english_switch_covers_preview_errors_and_buttons(db):
    at = _open()
    at.radio(key="lang").set_value("en").run()
    at.radio(key="data_crs_en").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((MIXED.name, MIXED.read_bytes(), "text/csv")).run()
    assert not at.exception
    assert at.header[0].value == "Data"
    preview, problems = at.dataframe[0].value, at.dataframe[1].value
    assert list(problems.columns) == ["Line", "Field", "Level", "Reason"]
    assert (preview["Check"] == "❌ error").sum() == len(BAD_LINES)
    assert any("look swapped" in r for r in problems["Reason"])
    assert at.button(key="data_commit").label == "Import now"
    assert [b.label for b in at.get("download_button")][:2] == ["Download the import template (XLSX)", "Download CSV"]
    labels = [w.label for w in (*at.text_input, *at.radio, *at.button, *at.checkbox, *at.selectbox)]
    assert not any("\u4e00" <= ch <= "\u9fff" for text in labels if text != "语言 / Language" for ch in text)


def test_a_click_that_changes_nothing_does_not_check_the_file_again(db, monkeypatch):
    """The preview's check of an upload is kept while the file, the options, the swaps asked, the registry
    and the user stay the same: the skip box or the language checks nothing again (1.4 s of CPU at 50,000
    rows); another coordinate system, or a write to the registry, checks again, and the preview follows."""
    checks: list[str] = []
    real = SiteStore.validate
    monkeypatch.setattr(SiteStore, "validate", lambda self, records, **k: checks.append(k["crs"])
                        or real(self, records, **k))
    at = _upload(_open(), MIXED)
    assert checks == ["wgs84"]
    at.checkbox(key="data_skip_invalid").check().run()
    at.radio(key="lang").set_value("en").run()
    assert checks == ["wgs84"] and not at.exception
    preview = at.dataframe[0].value  # the same preview, in English: line, check, then the file's columns
    assert set(preview.loc[preview.iloc[:, 1].str.contains("❌"), preview.columns[0]].astype(int)) == BAD_LINES
    at.radio(key="data_crs_en").set_value("gcj02").run()
    assert checks == ["wgs84", "gcj02"]
    with SiteStore(db) as store:
        store.add({"name": "别处书屋", "type": "book_room", "lng": 113.02, "lat": 23.08}, actor="other", crs="wgs84")
    at.run()
    assert checks == ["wgs84", "gcj02", "gcj02"]
