"""Every page at city and province scale (issue 12): what a user finds unusable at 50,000 sites, fixed.

* The sites page's picker (修改或关闭站点) listed every site that matched: 50,000 options in one
  selectbox, built from a Site object per row on every run. It lists the first
  :data:`app_pages.sites_page.PICK_LIMIT` by number, says how many match and how to narrow them (name,
  address, number, unit, type), and finds a site by its number (``#123``).
* On a county region the sites page and its form said 镇街 / town (the unit filter, the site's caption,
  the converted point's caption): they say 区县 / county.

Known answers: 50,000 sites numbered 1..50,000 in two 0.1° × 0.1° counties (蓬江区 and 江海区, the codes
and names table of ``test_scale_findings``), site *i* named ``站点{i}``, every third in 江海区.
Speed is measured in ``/tmp``-free reports, never asserted here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sites.region import RegionSpec
from sites.store import SiteStore
from sites.validation import RawRecords
from tests.test_i18n import _visible_texts
from tests.test_scale_findings import TOWN_WORDS, _counties

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "app_pages/sites_page.py"
N = 50_000
PENGJIANG, JIANGHAI = "440703", "440704"
#: Sites the picker lists at most: ``PICK_LIMIT`` of app_pages/sites_page.py (a page script: not importable).
PICK_LIMIT = 200

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def province_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry of 50,000 sites over two counties (site i: 站点{i}; i % 3 == 0 in 江海区), built once."""
    folder = tmp_path_factory.mktemp("page_scale")
    counties, names = _counties(folder)
    db = folder / "counties_50000.db"
    ids = np.arange(1, N + 1)
    rng = np.random.default_rng(12)
    lng = np.where(ids % 3 == 0, 113.1, 113.0) + rng.uniform(0.001, 0.099, N)
    lat = 22.5 + rng.uniform(0.001, 0.099, N)
    frame = pd.DataFrame({"name": [f"站点{i}" for i in ids], "type": "book_room", "status": "open", "lng": lng,
                          "lat": lat, "address": [f"某路{i}号" for i in ids], "source": "test"}).astype(object)
    with SiteStore(db) as store:
        store.set_region(RegionSpec.file(counties, crs="wgs84", names_file=names), actor="admin")
        store.import_records(RawRecords(frame, list(range(2, N + 2)), "sheet"), actor="test", crs="wgs84",
                             allow_duplicates=True)
        assert store.count() == N
    return db


@pytest.fixture
def big_db(app_db: Path, province_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(province_file, app_db)
    monkeypatch.setenv("SITES_USER", "page-scale")
    return app_db


def _edit_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = lang
    at.session_state["map_types"] = []  # the map page opens first: no type on it, no 50,000-site coverage to wait for
    at.session_state["sites_mode"] = "edit"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _ids(at: AppTest) -> list[int]:
    return list(at.selectbox(key="edit_pick").options)


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ("共 50,000 个站点符合条件", f"只列出编号最小的 {PICK_LIMIT} 个", "区县")),
    ("en", ("50,000 sites match", f"the {PICK_LIMIT} with the lowest numbers", "county")),
])
def test_the_sites_picker_at_50000_sites_lists_a_page_and_says_how_many_match(big_db, lang, words):
    at = _edit_page(lang)
    assert [int(o.split()[0][1:]) for o in _ids(at)] == list(range(1, PICK_LIMIT + 1))
    captions = " ".join(c.value for c in at.caption)
    assert all(w in captions for w in words), captions
    # a part of the name narrows the list: 站点4999 and 站点49990..49999, 11 sites, no caption about a page
    at.text_input(key="edit_filter_search").set_value("站点4999").run()
    assert [int(o.split()[0][1:]) for o in _ids(at)] == [4999, *range(49990, 50000)]
    assert words[0] not in " ".join(c.value for c in at.caption)
    # the site's number finds it (with or without #), and the unit filter narrows the rest
    at.text_input(key="edit_filter_search").set_value("#123").run()
    assert 123 in [int(o.split()[0][1:]) for o in _ids(at)]
    at.text_input(key="edit_filter_search").set_value("").run()
    at.selectbox(key=f"edit_filter_town_{lang}").set_value(JIANGHAI).run()
    assert [int(o.split()[0][1:]) for o in _ids(at)] == list(range(3, 3 * PICK_LIMIT + 1, 3))
    assert f"{N // 3:,}" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sites_page_of_a_county_region_says_county_never_town(big_db, lang):
    at = _edit_page(lang)
    texts = [text for _, text in _visible_texts(at)]
    site_caption = next(text for text in texts if text.startswith(("站点 #1 ", "Site #1 ")))
    assert ("区县：蓬江区" if lang == "zh" else "County: 蓬江区") in site_caption
    assert [text for text in texts if TOWN_WORDS[lang].search(text)] == []


def _targets_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = lang
    at.session_state["map_types"] = []  # the map page opens first: no type on it, no 50,000-site coverage to wait for
    at.run()
    at.switch_page("app_pages/targets_page.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ("共 50,000 行，这里是第 1–500 行", "共 50,000 行，这里是第 49,501–50,000 行", ["区县代码", "区县"])),
    ("en", ("50,000 rows, here rows 1–500", "50,000 rows, here rows 49,501–50,000", ["County code", "County"])),
])
def test_the_counted_sites_table_at_50000_sites_is_sent_a_page_at_a_time(big_db, lang, words):
    """A target of a book room in each county counts all 50,000 sites: the table was sent whole (50,000 rows on
    every run); it is sent 500 rows a page, the caption says which rows of how many, the XLSX holds them all."""
    from targets.store import TargetStore

    with SiteStore(big_db) as store:
        TargetStore(store).add({"name": "每县书屋", "site_type": "book_room", "scope": "each_town",
                                "measure": "site_count", "threshold": 1, "deadline": "2026-12-31"}, actor="admin")
    at = _targets_page(lang)
    table = at.dataframe[-1].value  # the counted-sites table, last on the page
    assert len(table) == 500
    assert list(table.columns[2:4]) == words[2]
    assert words[0] in " ".join(c.value for c in at.caption)
    at.number_input(key="targets_detail_page").set_value(100).run()
    table = at.dataframe[-1].value  # the counted-sites table, last on the page
    assert len(table) == 500 and words[1] in " ".join(c.value for c in at.caption)
    assert table.iloc[:, 4].astype(int).nunique() == 500  # 500 different counted sites on the last page


#: The import sheet's own header names, quoted by the targets page's hint (targets/sheet.py reads these words).
SHEET_HEADERS = "镇街代码或镇街名称"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["targets_page", "data_page", "admin_page"])
def test_the_other_pages_of_a_county_region_say_county_never_town(big_db, lang, page):
    """Was: 每个镇街/指定镇街 (target scope), 从表格批量导入逐镇目标, 区域（镇街边界）, 授权镇街 on a county region."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = lang
    at.session_state["map_types"] = []  # the map page opens first: no type on it, no 50,000-site coverage to wait for
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception and not at.error, at.exception or [e.value for e in at.error]
    texts = [text for _, text in _visible_texts(at)]
    assert [text for text in texts if TOWN_WORDS[lang].search(text.replace(SHEET_HEADERS, ""))] == []
    units = {"zh": {"targets_page": "每个区县", "data_page": "区域（区县边界）", "admin_page": "授权区县"},
             "en": {"targets_page": "every county", "data_page": "Region (county boundaries)",
                    "admin_page": "Counties granted"}}[lang][page]
    assert any(units in text for text in texts), texts


@pytest.mark.parametrize(("lang", "said"), [("zh", "最新的 1,000 条记录（最新在前）；更早的记录未列出"),
                                            ("en", "The newest 1,000 entries (newest first); older ones are not listed")])
def test_the_audit_log_of_50000_imported_sites_says_older_entries_are_left_out(big_db, lang, said):
    """The log lists the newest 1,000 of the 50,000 import entries; its caption said '1000 条记录', as if that
    were all of them."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = lang
    at.session_state["map_types"] = []  # the map page opens first: no type on it, no 50,000-site coverage to wait for
    at.run()
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception and not at.error
    log = next(frame.value for frame in at.dataframe if len(frame.value) == 1000)
    assert said in " ".join(c.value for c in at.caption)
    # a record number reaches an older entry: site 1's import, the oldest
    at.number_input(key="audit_id").set_value(1).run()
    captions = " ".join(c.value for c in at.caption)
    assert len(log) == 1000 and said not in captions
    assert re.search(r"(^| )[1-9] (条记录（最新在前）|entries \(newest first\))", captions), captions


@pytest.mark.parametrize(("lang", "said"), [("zh", "预览只列出 1,000 行（共 3,000 行）"),
                                            ("en", "The preview lists 1,000 of the 3,000 rows")])
def test_a_large_upload_previews_a_page_of_rows_with_the_bad_ones_first(big_db, tmp_path, lang, said):
    """3,000 service centres on a 200 m grid (no duplicates), lines 1502 and 3001 with latitude 95: the preview was
    every row (50,000 at province scale, all sent to the browser); it lists 1,000, the two bad lines first."""
    lng, lat = np.meshgrid(113.01 + 0.0025 * np.arange(60), 22.505 + 0.0018 * np.arange(50))
    sheet = pd.DataFrame({"name": [f"中心{i}" for i in range(3000)], "type": "service_centre",
                          "lng": lng.ravel(), "lat": lat.ravel()})
    sheet.loc[[1500, 2999], "lat"] = 95.0
    path = tmp_path / "centres.csv"
    sheet.to_csv(path, index=False)
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = lang
    at.session_state["map_types"] = []  # the map page opens first: no type on it, no 50,000-site coverage to wait for
    at.run()
    at.switch_page("app_pages/data_page.py").run()
    at.radio(key=f"data_crs_{lang}").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception and not at.error
    preview = at.dataframe[0].value
    assert len(preview) == 1000 and said in " ".join(c.value for c in at.caption)
    assert preview.iloc[:3, 0].astype(int).tolist() == [1502, 3001, 2]  # the bad lines, then the rest by line
    assert at.dataframe[1].value.iloc[:, 0].astype(int).tolist() == [1502, 3001]  # the problems: both, in full
