"""The town clerk reads the sites and data pages at a glance (issue 13): type and status names in the
user's language, a form that asks for what is missing, a refused import that says how to import the rest,
the clerk's own towns named before typing, duplicates shown close up, local audit times, demo data flagged
in every table and export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sites.region import RegionSpec, town_index
from sites.store import SiteStore
from sites.validation import RawRecords, validate_records

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SITES_PAGE = "app_pages/sites_page.py"
DATA_PAGE = "app_pages/data_page.py"
DATA = Path(__file__).resolve().parent / "data"
#: Nine rows, six wrong, three fine (tests/test_app_data.py says which).
MIXED = DATA / "sites" / "mixed_bad_rows.csv"
IN_GUICHENG = (113.19298, 23.03047)

ZH_TYPES = "职工服务中心、职工书屋、爱心妈妈小屋、户外劳动者爱心驿站、工人文化宫"
ZH_STATUSES = "规划中、在建、开放、暂停、关闭"


@pytest.fixture(scope="module")
def towns():
    return town_index(RegionSpec())


@pytest.fixture
def local_db(app_db, monkeypatch) -> Path:
    monkeypatch.setenv("SITES_USER", "镇街填报员")
    return app_db


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


# ------------------------------------------------------------------ 1. type and status names, each language


def test_unknown_type_and_status_list_the_names_in_the_users_language(towns):
    frame = pd.DataFrame([{"name": "甲", "type": "食堂", "status": "半开", "lng": IN_GUICHENG[0],
                           "lat": IN_GUICHENG[1]}], dtype=object)
    problems = {p.code: p for p in validate_records(RawRecords(frame, [2]), crs="wgs84", towns=towns).problems}
    zh_type, en_type = problems["sites.type_unknown"].message("zh"), problems["sites.type_unknown"].message("en")
    assert zh_type.endswith(f"未知的站点类型“食堂”，应为：{ZH_TYPES}")
    assert "service_centre" not in zh_type and "book_room" not in zh_type
    assert ("expected one of: Worker service centre (service_centre), Worker book room (book_room), Nursing room "
            "(nursing_room), Outdoor-worker rest station (rest_station), Workers' cultural palace "
            "(cultural_palace)") in en_type
    zh_status = problems["sites.status_unknown"].message("zh")
    assert f"未知的状态“半开”，应为：{ZH_STATUSES}（留空视为开放）" in zh_status and "planned" not in zh_status
    assert "expected one of: Planned (planned), Under construction (under_construction), Open (open)" in (
        problems["sites.status_unknown"].message("en"))


def test_empty_type_lists_the_chinese_names(towns):
    frame = pd.DataFrame([{"name": "甲", "type": "", "lng": IN_GUICHENG[0], "lat": IN_GUICHENG[1]}], dtype=object)
    [problem] = validate_records(RawRecords(frame, [None]), crs="wgs84", towns=towns).problems
    assert problem.message("zh") == f"字段“type”：未填写站点类型，应为：{ZH_TYPES}"


def test_the_data_page_lists_chinese_type_names_for_a_bad_type(local_db):
    at = _open(DATA_PAGE)
    at.radio(key="data_crs_zh").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((MIXED.name, MIXED.read_bytes(), "text/csv")).run()
    reasons = list(at.dataframe[1].value["原因"])
    [bad_type] = [r for r in reasons if "未知的站点类型" in r]
    assert f"应为：{ZH_TYPES}" in bad_type and "_" not in bad_type


# ------------------------------------------------------------------ 4. ask for coordinates; refused import


def test_an_empty_point_asks_for_coordinates_once(local_db):
    at = _open(SITES_PAGE)
    at.text_input(key="add_name").set_value("桂城书屋")
    at.button(key="add_save").click().run()
    errors = _texts(at.error)
    assert "请填写坐标（经度、纬度）：粘贴从高德、百度或 GPS 复制的坐标，或在下方地图上点选" in errors
    assert not any("缺少经度" in e or "缺少纬度" in e for e in errors)
    assert "未保存：有 1 个问题，已在对应字段下标出" in errors


def test_a_refused_import_points_to_the_skip_invalid_choice(local_db):
    at = _open(DATA_PAGE)
    at.radio(key="data_crs_zh").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((MIXED.name, MIXED.read_bytes(), "text/csv")).run()
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    assert ("另有 3 行没有错误：勾选上方的“跳过有错误的行，只导入正确的行”，再点“确认导入”，即可只导入这 3 行；"
            "或按下表改正后重新上传") in _texts(at.info)
    with SiteStore(local_db) as store:
        assert store.count() == 0
