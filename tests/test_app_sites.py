"""AppTest of the staff page (add, edit, close, history), checked against the real SQLite registry."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.form_coords import parse_pasted
from geodata.crs import CoordSystem, convert_point
from sites.store import SiteStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "app_pages/sites_page.py"
GUICHENG = "440605011000"
#: A point in Guicheng as Amap (GCJ-02) shows it.
GCJ_LNG, GCJ_LAT = 113.15, 23.04
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def db(app_db, monkeypatch) -> Path:
    """conftest's ``app_db``, written by the user ``staff-test``."""
    monkeypatch.setenv("SITES_USER", "staff-test")
    return app_db


def _open(mode: str = "add") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    if mode != "add":
        at.radio(key="sites_mode_zh").set_value(mode).run()
    assert not at.exception, at.exception
    return at


def _fill(at: AppTest, name: str, coords: str) -> AppTest:
    at.text_input(key="add_name").set_value(name)
    at.text_input(key="add_coords").set_value(coords)
    return at.run()


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_submitted_form_adds_a_site_converted_from_gcj02(db):
    at = _open()
    assert at.header[0].value == "站点填报"
    assert at.radio(key="add_crs_zh").value == "gcj02"  # staff copy from Amap
    at.text_input(key="actor_input").set_value("李四").run()
    _fill(at, XSS, f"{GCJ_LNG}, {GCJ_LAT}")
    at.text_input(key="add_address").set_value("桂城街道南海大道")
    at.radio(key="add_type_zh").set_value("rest_station")
    at.run()
    lng, lat = convert_point(GCJ_LNG, GCJ_LAT, CoordSystem.GCJ02, CoordSystem.WGS84)
    assert any(f"{lng:.6f}, {lat:.6f}" in c and "桂城街道" in c for c in _texts(at.caption))
    at.button(key="add_save").click().run()
    assert not at.exception

    with SiteStore(db) as store:
        sites = store.list_sites()
        assert len(sites) == 1
        site = sites[0]
        assert site.name == XSS and site.type == "rest_station" and site.address == "桂城街道南海大道"
        assert site.lng == pytest.approx(lng, abs=1e-9) and site.lat == pytest.approx(lat, abs=1e-9)
        assert 200 < abs(site.lng - GCJ_LNG) * 102_000 + abs(site.lat - GCJ_LAT) * 111_000 < 1500  # Amap shift
        assert site.town_code == GUICHENG
        assert site.created_by == "李四"
        assert [e.action for e in store.history(site.id)] == ["create"]
    # the name is shown escaped (as text), and the form is empty again
    assert any("\\<img src\\=x onerror\\=alert\\(1\\)\\>" in s for s in _texts(at.success))
    assert at.text_input(key="add_name").value == ""


def test_bad_entry_shows_its_errors_and_writes_nothing(db):
    at = _open()
    _fill(at, "", "113.2644,23.1291")  # Guangzhou (Tianhe), GCJ-02: outside Nanhai
    errors = " ".join(_texts(at.error))
    assert "不在任何已加载的镇街内" in errors  # shown before saving, next to the coordinates
    at.button(key="add_save").click().run()
    errors = " ".join(_texts(at.error))
    assert "名称为空" in errors
    assert "未保存" in errors
    with SiteStore(db) as store:
        assert store.count() == 0
    assert at.text_input(key="add_coords").value == "113.2644,23.1291"  # nothing the user typed is lost


def test_a_draft_survives_a_visit_to_another_page(db):
    at = _open()
    _fill(at, "未完成的草稿", "113.15,23.04")
    at.switch_page("app_pages/targets_page.py").run()
    at.switch_page(PAGE).run()
    assert at.text_input(key="add_name").value == "未完成的草稿"
    assert at.text_input(key="add_coords").value == "113.15,23.04"


def test_swapped_and_unreadable_pastes(db):
    at = _open()
    _fill(at, "九江驿站", f"{GCJ_LAT},{GCJ_LNG}")
    assert any("纬度,经度" in i for i in _texts(at.info))
    at.button(key="add_save").click().run()
    with SiteStore(db) as store:
        assert store.list_sites()[0].town_code == GUICHENG
    _fill(at, "x", "桂城某处")
    assert any("无法从“桂城某处”中读出经度和纬度" in e for e in _texts(at.error))


def test_likely_duplicate_needs_a_confirmation(db):
    with SiteStore(db) as store:
        store.add({"name": "桂城服务中心", "type": "service_centre", "lng": GCJ_LNG, "lat": GCJ_LAT},
                  actor="seed", crs="gcj02")
    at = _open()
    _fill(at, "另一个中心", f"{GCJ_LNG + 0.0001},{GCJ_LAT}")  # about 10 m away, same type
    assert any("疑似重复" in w for w in _texts(at.warning))
    at.button(key="add_save").click().run()
    assert any("请在地图上核对" in e for e in _texts(at.error))
    with SiteStore(db) as store:
        assert store.count() == 1
    at.checkbox(key="add_dup_ok").check().run()
    at.button(key="add_save").click().run()
    with SiteStore(db) as store:
        assert store.count() == 2


def test_edit_and_close_are_audited(db):
    with SiteStore(db) as store:
        site, _ = store.add({"name": "大沥书屋", "type": "book_room", "lng": 113.105, "lat": 23.105,
                             "source": "demo"}, actor="seed", crs="wgs84")
    at = _open("edit")
    assert at.selectbox(key="edit_pick").value == site.id
    assert at.text_input(key="edit_name").value == "大沥书屋"
    at.text_input(key="edit_name").set_value("大沥职工书屋")
    at.button(key="edit_save").click().run()
    assert not at.exception
    at.date_input(key="edit_close_date").set_value(datetime.date(2025, 6, 30))
    at.button(key="edit_close").click().run()
    with SiteStore(db) as store:
        stored = store.get_site(site.id)
        assert stored.name == "大沥职工书屋" and stored.status == "closed"
        assert stored.closed_on == datetime.date(2025, 6, 30)
        assert (stored.lng, stored.lat) == (site.lng, site.lat)  # an edit without a move keeps the point
        history = store.history(site.id)
    assert [(e.action, e.actor) for e in history] == [("create", "seed"), ("update", "staff-test"),
                                                       ("close", "staff-test")]
    table = at.dataframe[-1].value  # the history, last on the page
    assert list(table["操作"]) == ["新增", "修改", "关闭"]
    assert "name: 大沥书屋 → 大沥职工书屋" in table["修改内容（原值 → 新值）"].iloc[1]
    assert any("演示数据" in o for o in at.selectbox(key="edit_pick").options)


def test_english_switch_covers_the_form(db):
    at = _open()
    at.radio(key="lang").set_value("en").run()
    assert at.header[0].value == "Add and edit sites"
    assert at.text_input(key="add_name").label == "Name *"
    assert at.radio(key="add_crs_en").value == "gcj02"
    assert at.button(key="add_save").label == "Save new site"
    _fill(at, "", "113.2644,23.1291")
    at.button(key="add_save").click().run()
    errors = " ".join(_texts(at.error))
    assert "the name is empty" in errors and "outside every loaded town" in errors
    labels = [w.label for w in (*at.text_input, *at.radio, *at.button, *at.date_input)]
    assert not any("\u4e00" <= ch <= "\u9fff" for text in labels if text != "语言 / Language" for ch in text)


@pytest.mark.parametrize(("text", "lng", "lat", "swapped"), [
    ("113.14,23.03", 113.14, 23.03, False),
    ("113.14, 23.03", 113.14, 23.03, False),
    ("113.14 23.03", 113.14, 23.03, False),
    ("113.14，23.03", 113.14, 23.03, False),
    ("23.03,113.14", 113.14, 23.03, True),  # latitude first, as Google copies it
    ("113.324520,23.099994", 113.32452, 23.099994, False),  # Amap's 复制坐标
    ("https://uri.amap.com/marker?position=113.3245,23.0999&name=x", 113.3245, 23.0999, False),
    ("经度：113.331084 纬度：23.112223", 113.331084, 23.112223, False),  # Baidu's 拾取坐标, labelled
])
def test_pasted_coordinates(text, lng, lat, swapped):
    point = parse_pasted(text)
    assert point is not None
    assert (point.lng, point.lat, point.swapped) == (pytest.approx(lng), pytest.approx(lat), swapped)


def test_text_without_a_pair_is_not_a_point():
    assert parse_pasted("桂城某处") is None
    assert parse_pasted("") is None


def test_the_close_buttons_message_shows_under_it_not_under_the_save_button(db):
    """Closing a site answers below 关闭站点 (its own message), not in the form's place under 保存修改."""
    with SiteStore(db) as store:
        site, _ = store.add({"name": "大沥书屋", "type": "book_room", "lng": 113.105, "lat": 23.105},
                            actor="seed", crs="wgs84")
    at = _open("edit")
    at.button(key="edit_close").click().run()
    order = []

    def walk(node) -> None:  # the page's headings and messages in the order they are shown
        for child in getattr(node, "children", {}).values():
            if child.type in ("subheader", "success", "error"):
                order.append(str(child.value))
            walk(child)

    walk(at.main)
    texts = order
    closed = next(i for i, v in enumerate(texts) if v.startswith(f"已关闭站点 #{site.id}"))
    assert texts.index("关闭站点") < closed < texts.index("修改记录"), texts
