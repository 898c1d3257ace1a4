"""Attack suite, sheets as staff keep them (issue 12): hostile sheets in, hostile values out.

What the other suites already cover is not repeated here (test_security_formulas: every CSV/XLSX output
neutralised, control characters in rows refused, stale ``<dimension>``; test_sheets_real: title rows,
merged cells, GBK, the 状态 column, the template; test_security_uploads: zip bombs, DTDs, renamed programs;
test_security_templates / test_security_glance: markup and template syntax in the maps, report and pages).
Here:

* an XLSX whose merged ranges reach column XFD or overlap (a few bytes that used to fill billions of cells);
* a file's name on the data page: the error names the user's file (not the server's ``upload.csv``), a
  name with markup, ``{{ }}`` or a formula is shown and stored as typed (and comes out neutralised), a
  name with a control character is stored without it;
* ``--source`` with a control character is refused before anything is written;
* a refused import (CLI and page) leaves the sites and the audit trail as they were;
* the counted-sites detail table (``scoring targets --detail``) neutralises hostile site and target names.

Every file is real: XLSX written by openpyxl (a ``mergeCell`` added by editing the zip, as a hand-edited or
generated workbook has it), GBK bytes as Excel in China saves them.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from app_pages.data_files import uploaded_records
from cli.scoring import main as scoring_main
from cli.sites import main as sites_main
from errors import ImportRejected
from sites.io import read_records, read_rows
from sites.sheets import FORMULA_START
from sites.store import SiteStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "app_pages/data_page.py"
#: 桂城 and 狮山 (WGS84): inside the bundled Nanhai towns.
GUICHENG, SHISHAN = (113.14095, 23.028682), (113.01039, 23.117597)
HOSTILE_NAMES = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1)", "<img src=x onerror=alert(1)>",
                 "{{7*7}}{% for x in y %}")


def _counts(db: Path) -> tuple[int, int]:
    """(sites, audit entries) of a registry."""
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT count(*) FROM sites").fetchone()[0],
                conn.execute("SELECT count(*) FROM audit").fetchone()[0])


def _with_merges(path: Path, *refs: str) -> Path:
    """``path`` (an openpyxl workbook) with ``<mergeCell>`` ranges added to its first sheet by editing the zip."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cells = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
                data = data.replace(b"</sheetData>", f'</sheetData><mergeCells count="{len(refs)}">{cells}'
                                                     "</mergeCells>".encode())
            out.writestr(item, data)
    tmp.replace(path)
    return path


def _book(path: Path, rows: int) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "经度", "纬度"])
    for k in range(rows):
        sheet.append([f"书屋{k}", "职工书屋", GUICHENG[0], GUICHENG[1] + k * 1e-4])
    book.save(path)
    return path


# ------------------------------------------------------------------ merged ranges out of bounds


def test_a_merged_range_to_column_xfd_adds_no_cells(tmp_path):
    """A range ``A2:XFD2001`` (Excel's last column) on a 4-column sheet used to widen every row to 16,384 cells
    (32 M cells, 250 MB for 2,000 rows; a 50,000-row sheet ran out of memory)."""
    path = _with_merges(_book(tmp_path / "wide.xlsx", 2000), "A2:XFD2001")
    rows = read_rows(path)
    assert max(len(cells) for _, cells in rows) == 4
    assert rows[0] == (1, ["名称", "类型", "经度", "纬度"])
    assert rows[1] == (2, ["书屋0"] * 4) and rows[-1] == (2001, ["书屋0"] * 4)  # as the sheet shows the merged block


def test_overlapping_merged_ranges_are_refused_by_name(tmp_path):
    """Fifty copies of one range (Excel never writes overlapping ranges): refused, naming the file, not filled
    fifty times over."""
    path = _with_merges(_book(tmp_path / "重叠.xlsx", 60), *["A2:D61"] * 50)
    with pytest.raises(ImportRejected) as caught:
        read_records(path)
    (problem,) = caught.value.problems
    assert problem.code == "sites.merged_overlap" and problem.file == "重叠.xlsx"
    assert "合并单元格相互重叠" in problem.message("zh") and "merged cells overlap" in problem.message("en")


def test_merged_title_and_merged_type_still_read_as_the_sheet_shows_them(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["南海区书屋台账"])
    sheet.merge_cells("A1:D1")
    sheet.append(["名称", "类型", "经度", "纬度"])
    sheet.append(["桂城书屋", "职工书屋", *GUICHENG])
    sheet.append(["狮山书屋", None, *SHISHAN])
    sheet.merge_cells("B3:B4")
    book.save(tmp_path / "台账.xlsx")
    records = read_records(tmp_path / "台账.xlsx")
    assert records.lines == [3, 4] and list(records.frame["type"]) == ["职工书屋", "职工书屋"]


def test_one_stray_value_far_to_the_right_is_refused_naming_its_cell(tmp_path):
    """A 5 KB workbook with one value in XFD400 spans 6.5 M cells from A1; one in XFD20000, 330 M (14 GB as
    Python values: the server ran out of memory). Refused before it is read, naming the cell, both languages."""
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "经度", "纬度"])
    sheet.append(["桂城书屋", "职工书屋", *GUICHENG])
    sheet.cell(row=400, column=16384, value="x")
    book.save(tmp_path / "台账.xlsx")
    assert (tmp_path / "台账.xlsx").stat().st_size < 10_000
    with pytest.raises(ImportRejected) as caught:
        read_records(tmp_path / "台账.xlsx")
    (problem,) = caught.value.problems
    assert problem.file == "台账.xlsx"
    assert "单元格 XFD400（400 行 × 16384 列" in problem.message("zh")
    assert "reaches cell XFD400 (400 rows × 16384 columns" in problem.message("en")


def test_a_sheet_of_fifty_thousand_rows_and_thirty_columns_is_read(tmp_path):
    """The limit leaves real ledgers alone: 1.5 M cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["名称", "类型", "经度", "纬度", *(f"备注{k}" for k in range(26))])
    for k in range(50_000):
        sheet.append([f"书屋{k}", "职工书屋", GUICHENG[0], GUICHENG[1], *([None] * 25), "x"])
    book.save(tmp_path / "big.xlsx")
    records = read_records(tmp_path / "big.xlsx")
    assert len(records.frame) == 50_000 and records.lines[-1] == 50_001


# ------------------------------------------------------------------ --source and refused imports leave nothing


def test_source_option_with_a_control_character_is_refused_before_anything_is_written(tmp_path, cli):
    db = tmp_path / "r.db"
    assert cli(sites_main, "init", db=db)[0] == 0
    path = tmp_path / "ok.csv"
    path.write_text(f"名称,类型,经度,纬度\n好书屋,book_room,{GUICHENG[0]},{GUICHENG[1]}\n", encoding="utf-8")
    before = _counts(db)
    code, out, err = cli(sites_main, "import", str(path), "--crs", "wgs84", "--source", "\x1b[31m红色",
                         db=db, lang="zh")
    assert code == 2 and _counts(db) == before
    assert "文件 ok.csv" in err and "U+001B" in err and "\x1b" not in err + out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_gbk_ledger_changes_nothing_and_names_file_row_and_field(tmp_path, cli, lang):
    """A GBK ledger with a title row, hostile text and one bad longitude: exit 1, every bad row named in the
    user's language, and neither a site nor an audit entry written."""
    db = tmp_path / "r.db"
    assert cli(sites_main, "init", db=db)[0] == 0
    lines = ["南海区职工书屋台账（2025年）,,,,", "名称,类型,经度,纬度,主办单位"]
    lines += [f"{name},职工书屋,{GUICHENG[0] + k * 0.001},{GUICHENG[1]},{name}" for k, name in enumerate(HOSTILE_NAMES)]
    lines.append("坏书屋,职工书屋,东经113度,23.03,")
    path = tmp_path / "台账.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    before = _counts(db)
    code, _, err = cli(sites_main, "import", str(path), "--crs", "wgs84", db=db, lang=lang)
    assert code == 1 and _counts(db) == before == (0, 0)
    bad_line = len(lines)  # the title row is line 1, the header line 2
    if lang == "zh":
        assert f"文件 台账.csv，第 {bad_line} 行，字段“经度”" in err and "东经113度" in err
    else:
        assert f"台账.csv, line {bad_line}, field '经度'" in err and "东经113度" in err


# ------------------------------------------------------------------ the data page: file names


@pytest.fixture
def page_db(app_db, monkeypatch) -> Path:
    """The registry the data page opens (SQLite), written as ``sheet-attacker``."""
    monkeypatch.setenv("SITES_USER", "sheet-attacker")
    return app_db


def _page(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes, lang: str = "zh") -> AppTest:
    at.radio(key=f"data_crs_{lang}").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> str:
    return "\n".join(e.value for kind in (at.markdown, at.error, at.info, at.warning, at.success) for e in kind)


def test_an_unreadable_upload_is_named_by_the_users_file_name():
    """The reader works on a generated path (``upload.csv``); its problems used to name that path."""
    with pytest.raises(ImportRejected) as caught:
        uploaded_records("{{7*7}}.csv", b"foo,bar\n1,2\n")
    assert {p.file for p in caught.value.problems} == {"{{7*7}}.csv"}
    assert "upload.csv" not in caught.value.message("zh")
    records = uploaded_records("../../etc/passwd.csv", f"名称,类型,经度,纬度,乱列\n书屋,book_room,{GUICHENG[0]},"
                                                        f"{GUICHENG[1]},x\n".encode())
    assert records.file == "passwd.csv" and {p.file for p in records.warnings} == {"passwd.csv"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_refusal_names_the_users_file_and_writes_nothing(page_db, lang):
    name = "<img src=x onerror=alert(1)>.csv"
    data = f"名称,类型,经度,纬度\n好书屋,book_room,{GUICHENG[0]},{GUICHENG[1]}\n坏书屋,book_room,abc,23.03\n".encode()
    at = _page(lang)
    before = _counts(page_db)
    at = _upload(at, name, data, lang)
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    errors = "\n".join(e.value for e in at.error)
    assert "upload.csv" not in errors
    assert ("<img src=x onerror=alert(1)>.csv" in errors.replace("\\", "")), errors
    assert _counts(page_db) == before


def test_data_page_stores_a_hostile_file_name_as_typed_and_exports_it_neutralised(page_db):
    name = "=cmd|' C calc'!A0 {{7*7}}.csv"
    data = f"名称,类型,经度,纬度\n好书屋,book_room,{GUICHENG[0]},{GUICHENG[1]}\n".encode()
    at = _upload(_page(), name, data)
    assert "49" not in _shown(at)
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    with SiteStore(page_db) as store:
        (site,) = store.list_sites()
        assert site.source == name
        from app_pages.data_files import export_bytes

        rows = list(csv.reader(io.StringIO(export_bytes(store, ".csv", "zh").decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'" + name in cells and not any(c.startswith(FORMULA_START) for c in cells)


def test_data_page_drops_control_characters_from_a_file_name_before_storing_it(page_db):
    """A file name is not the user's typing: its control characters are dropped (they used to be stored as the
    sites' source and written raw to the database)."""
    data = f"名称,类型,经度,纬度\n好书屋,book_room,{GUICHENG[0]},{GUICHENG[1]}\n".encode()
    at = _upload(_page(), "台账\x1b[31m\x07.csv", data)
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    with SiteStore(page_db) as store:
        assert [s.source for s in store.list_sites()] == ["台账[31m.csv"]


# ------------------------------------------------------------------ counted-sites detail table


def test_counted_sites_detail_csv_neutralises_site_and_target_names(tmp_path, cli):
    db = tmp_path / "r.db"
    assert cli(sites_main, "init", db=db)[0] == 0
    with SiteStore(db) as store:
        for k, name in enumerate(HOSTILE_NAMES):
            store.add({"name": name, "type": "book_room", "lng": GUICHENG[0] + k * 0.001, "lat": GUICHENG[1],
                       "host_org": name}, actor="tester")
    code, _, err = cli(scoring_main, "target-add", "--name", "@SUM(A1)", "--type", "book_room", "--scope", "region",
                       "--measure", "site_count", "--threshold", "3", "--deadline", "2030-12-31", db=db)
    assert code == 0, err
    code, out, err = cli(scoring_main, "targets", "--detail", "--format", "csv", db=db)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(FORMULA_START) for c in cells)
    assert {"'" + n if n.startswith(FORMULA_START) else n for n in HOSTILE_NAMES} <= set(cells)
    assert "'@SUM(A1)" in cells
    assert len(rows) == 1 + len(HOSTILE_NAMES)  # one row per counted site


# ------------------------------------------------------------------ control characters in targets


def _target_counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT count(*) FROM targets").fetchone()[0],
                conn.execute("SELECT count(*) FROM audit WHERE kind = 'target'").fetchone()[0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_target_name_or_notes_with_a_control_character_is_refused(tmp_path, cli, lang):
    """Target names and notes went into the database raw (ESC, BEL) and on into every report; they are refused
    now as in every other stored text (sites.sheets.UNSTORABLE), naming the field, never echoing the character."""
    db = tmp_path / "r.db"
    assert cli(sites_main, "init", db=db)[0] == 0 and cli(scoring_main, "target-list", db=db)[0] == 0
    before = _target_counts(db)
    code, out, err = cli(scoring_main, "target-add", "--name", "书屋\x1b[2J目标", "--type", "book_room", "--scope",
                         "region", "--measure", "site_count", "--threshold", "3", "--deadline", "2030-12-31",
                         "--notes", "a\x07b", db=db, lang=lang)
    assert code == 2 and _target_counts(db) == before
    assert "U+001B" in err and "U+0007" in err and "\x1b" not in err + out and "\x07" not in err + out
    assert ("含有无法保存的控制字符" if lang == "zh" else "control character") in err


def test_target_sheet_with_a_control_character_writes_no_target(tmp_path, cli):
    db = tmp_path / "r.db"
    assert cli(sites_main, "init", db=db)[0] == 0 and cli(scoring_main, "target-list", db=db)[0] == 0
    path = tmp_path / "目标.csv"
    path.write_bytes("南海区2026年书屋目标\n镇街名称,目标数量,目标名称,备注\n桂城街道,2,桂城书屋,=1+1\n狮山镇,3,狮山\x1b[31m书屋,\n"
                     .encode("gbk"))
    before = _target_counts(db)
    code, _, err = cli(scoring_main, "target-import", str(path), "--type", "book_room", "--deadline", "2030-12-31",
                       db=db, lang="zh")
    assert code == 1 and _target_counts(db) == before
    assert "文件 目标.csv，第 4 行，字段“目标名称”：含有无法保存的控制字符 U+001B" in err


@pytest.mark.parametrize("option", ["name", "unit"])
def test_demand_layer_name_or_unit_with_a_control_character_is_refused(tmp_path, cli, option):
    db = tmp_path / "r.db"
    assert cli(sites_main, "init", db=db)[0] == 0
    path = tmp_path / "people.csv"
    path.write_text(f"lng,lat,pop\n{GUICHENG[0]},{GUICHENG[1]},100\n", encoding="utf-8")
    name, unit = ("人口\x1b[31m", "people") if option == "name" else ("人口", "人\x07")
    code, out, err = cli(sites_main, "demand-add", name, str(path), "--crs", "wgs84", "--weight-field", "pop",
                         "--unit", unit, db=db, lang="zh")
    assert code == 2 and "含有无法保存的控制字符" in err and "\x1b" not in err + out and "\x07" not in err + out
    code, out, _ = cli(sites_main, "demand-list", "--format", "json", db=db)
    assert code == 0 and json.loads(out) == []


# ------------------------------------------------------------------ Streamlit's own table download (Chromium)


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_no_table_on_the_pages_offers_streamlits_raw_csv_download(tmp_path):
    """Streamlit's table toolbar has a "Download as CSV" button on every st.dataframe, writing the cells raw:
    the data page's change log gave ``=HYPERLINK(""http://x.invalid"",""y"")`` as a live formula. The button is
    hidden (the product's own downloads go through sites.sheets); the toolbar's other buttons stay."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser_support import ARTIFACTS, CHROMIUM_ARGS, local_only, require_chromium, streamlit_app

    chromium = require_chromium()
    with SiteStore(tmp_path / "sites.db") as store:
        store.add({"name": '=HYPERLINK("http://x.invalid","y")', "type": "book_room", "lng": GUICHENG[0],
                   "lat": GUICHENG[1], "address": "+cmd|' /C calc'!A0"}, actor="attacker")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    with streamlit_app(tmp_path, timeout_s=60) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.goto(url)
            page.get_by_role("link", name="数据导入导出").click()
            expect(page.get_by_role("heading", name="修改记录")).to_be_visible(timeout=60_000)
            table = page.locator('[data-testid="stDataFrame"]').last
            expect(table).to_be_visible(timeout=30_000)
            table.scroll_into_view_if_needed()
            table.hover()
            expect(page.get_by_role("button", name="Search").last).to_be_visible(timeout=10_000)
            page.screenshot(path=str(ARTIFACTS / "sheet_attacks_table_toolbar.png"))
            assert page.locator('button[aria-label="Download as CSV"]').count() >= 1  # rendered by Streamlit ...
            expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)  # ... but never offered
        finally:
            browser.close()
    assert blocked == []


def test_an_unreadable_boundary_upload_is_named_by_the_users_file_name(page_db):
    """The region switch read the file under a generated name and its error named that (boundaries.geojson) and
    showed the server's temporary path."""
    at = _page()
    at.file_uploader(key="region_upload").set_value(("{{7*7}}<img src=x onerror=alert(1)>镇界.geojson", b'{"type": "Nonsense"}',
                                                      "application/geo+json")).run()
    assert not at.exception, at.exception
    errors = "\n".join(e.value for e in at.error).replace("\\", "")
    assert "无法读取 {{7*7}}<img src=x onerror=alert(1)>镇界.geojson：" in errors, errors
    assert "boundaries.geojson" not in errors and "/tmp/" not in errors


def test_excels_unicode_text_is_refused_with_how_to_save_it(page_db):
    """Excel's 另存为"Unicode 文本" gives UTF-16 (tab-separated): the page said only that it was no CSV."""
    data = b"\xff\xfe" + f"名称\t类型\t经度\t纬度\r\n桂城书屋\t职工书屋\t{GUICHENG[0]}\t{GUICHENG[1]}\r\n".encode("utf-16-le")
    with pytest.raises(ImportRejected) as caught:
        uploaded_records("台账.csv", data)
    assert caught.value.message("zh") == "文件 台账.csv：无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV"
    at = _upload(_page("en"), "台账.csv", data, "en")
    reasons = at.dataframe[0].value.iloc[:, -1].tolist()
    assert reasons == ["cannot read the file's text encoding; save it as a UTF-8 or GBK CSV"]


# ------------------------------------------------------------------ numbers as typed or pasted


def test_coordinates_typed_full_width_or_pasted_with_invisible_characters_import(tmp_path, cli):
    """Full-width digits (a Chinese input method: １１３．０１０３９) and a zero-width space or BOM pasted along
    from a web page were refused as "not a number" while the message showed the same digits. They import now
    exactly as the plain digits do; a longitude in words is still refused, naming file, line and column. The
    first pair is Amap's own (GCJ-02) for 南海区工人文化宫狮山宫 (tests/data): it lands in 狮山镇."""
    typed = ["名称,类型,经度,纬度",
             "狮山书屋,职工书屋,１１３．０１０３９０,２３．１１７５９７",
             "桂城书屋,职工书屋,113.14095\u200b,\ufeff23.028682",
             "里水书屋,职工书屋,113.164825°,23.196567°",
             "坏书屋,职工书屋,东经113度,23.028682"]
    plain = ["名称,类型,经度,纬度", "狮山书屋,职工书屋,113.010390,23.117597", "桂城书屋,职工书屋,113.14095,23.028682",
             "里水书屋,职工书屋,113.164825,23.196567"]
    stored, said = [], {}
    for name, lines in (("typed", typed), ("plain", plain)):
        db, path = tmp_path / f"{name}.db", tmp_path / f"{name}.csv"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
        code, _, err = cli(sites_main, "import", str(path), "--crs", "gcj02", "--skip-invalid", db=db, lang="zh")
        assert code == (1 if name == "typed" else 0), err
        said[name] = err
        with SiteStore(db) as store:
            stored.append([(s.name, s.lng, s.lat, s.town_code) for s in store.list_sites()])
    assert "文件 typed.csv，第 5 行，字段“经度”" in said["typed"] and "东经113度" in said["typed"]
    assert "第 2 行" not in said["typed"] and "第 3 行" not in said["typed"] and "第 4 行" not in said["typed"]
    assert stored[0] == stored[1] and len(stored[0]) == 3
    assert stored[0][0][3] == "440605124000"


def test_dates_typed_full_width_or_pasted_with_invisible_characters_import(tmp_path):
    """An XLSX ledger whose 开放日期 column is text typed full-width (２０２５年６月３０日) or pasted with a zero-width
    space: refused as "not a date" before, read as the date now; a day that does not exist is still refused."""
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "经度", "纬度", "开放日期"])
    sheet.append(["桂城书屋", "职工书屋", *GUICHENG, "２０２５年６月３０日"])
    sheet.append(["狮山书屋", "职工书屋", *SHISHAN, "２０２５－０６－３０\u200b"])
    sheet.append(["里水书屋", "职工书屋", 113.164825, 23.196567, "２０２５年２月３０日"])
    book.save(tmp_path / "台账.xlsx")
    db = tmp_path / "r.db"
    with SiteStore(db) as store:
        report = store.import_records(read_records(tmp_path / "台账.xlsx"), actor="tester", crs="wgs84",
                                      skip_invalid=True)
        assert [(s.name, s.opened_on.isoformat()) for s in store.list_sites()] == [
            ("桂城书屋", "2025-06-30"), ("狮山书屋", "2025-06-30")]
    assert report.rejected_lines == [4]
    (problem,) = [p for p in report.problems if p.level == "error"]
    assert (problem.file, problem.row, problem.field, problem.code) == ("台账.xlsx", 4, "开放日期", "sites.date_bad")


def test_a_pair_typed_full_width_in_the_form_reads_as_typed():
    """The form read １１３．１４０９５，２３．０２８６８２ as 95.0, 23.0 (Python's \\d matches full-width digits, the
    full-width point did not match)."""
    from app_pages.form_coords import parse_pasted

    assert parse_pasted("１１３．１４０９５，２３．０２８６８２") == parse_pasted("113.14095,23.028682")
    assert parse_pasted("经度：１１３．１４０９５　纬度：２３．０２８６８２").lng == 113.14095


def test_street_network_licence_with_a_control_character_is_refused_and_the_file_name_is_cleaned(tmp_path, cli):
    db = tmp_path / "r.db"
    assert cli(sites_main, "init", db=db)[0] == 0
    lng, lat = GUICHENG
    lines = [[[lng - 0.002, lat], [lng, lat], [lng + 0.002, lat]], [[lng, lat - 0.002], [lng, lat], [lng, lat + 0.002]]]
    streets = tmp_path / "街道\x1b[31m.geojson"
    streets.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"highway": "residential"},
         "geometry": {"type": "LineString", "coordinates": c}} for c in lines]}), encoding="utf-8")
    code, out, err = cli(sites_main, "set-network", str(streets), "--crs", "wgs84", "--licence", "OSM\x1b[2J",
                         db=db, lang="zh")
    assert code == 2 and "U+001B" in err and "\x1b" not in err + out
    assert cli(sites_main, "network-info", "--format", "json", db=db)[1].strip() == "null"  # nothing stored
    code, out, err = cli(sites_main, "set-network", str(streets), "--crs", "wgs84", "--licence", "测试路网",
                         db=db, lang="zh")
    assert code == 0, err
    code, out, _ = cli(sites_main, "network-info", "--format", "json", db=db)
    info = json.loads(out)
    assert info["licence"] == "测试路网" and info["source"] == "街道[31m.geojson"


# ------------------------------------------------------------------ the ledger on a later sheet


def _workbook_with_notes_first(path: Path, *, ledger: bool = True) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["南海区职工书屋台账填表说明"])
    notes.append(["1. 经纬度请从高德地图拾取"])
    if ledger:
        sheet = book.create_sheet("台账")
        sheet.append(["南海区职工书屋台账（2025年）"])
        sheet.merge_cells("A1:D1")
        sheet.append(["名称", "类型", "经度", "纬度"])
        sheet.append(["桂城书屋", "职工书屋", *GUICHENG])
        sheet.append(["狮山书屋", None, *SHISHAN])
        sheet.merge_cells("B3:B4")  # merged ranges are read from the ledger's own sheet
    book.create_sheet("选项").append(["职工书屋"])
    book.save(path)
    return path


def test_a_ledger_after_an_instructions_sheet_is_read_and_said(tmp_path):
    """A workbook whose first sheet is 填表说明 was refused: 'none of the first rows names every required column;
    the most header-like is line 1 (南海区职工书屋台账填表说明)', the ledger on the next sheet never looked at."""
    records = read_records(_workbook_with_notes_first(tmp_path / "台账.xlsx"))
    assert records.lines == [3, 4] and list(records.frame["name"]) == ["桂城书屋", "狮山书屋"]
    assert list(records.frame["type"]) == ["职工书屋", "职工书屋"]
    chosen = records.warnings[0]
    assert (chosen.code, chosen.file, chosen.level) == ("sites.sheet_chosen", "台账.xlsx", "warning")
    assert chosen.message("zh") == "文件 台账.xlsx：第一个工作表“填表说明”中没有表头，已读取工作表“台账”"
    assert "the first sheet '填表说明' has no header row; read the sheet '台账'" in chosen.message("en")


def test_a_workbook_with_no_ledger_on_any_sheet_is_refused_by_its_first_sheet(tmp_path):
    with pytest.raises(ImportRejected) as caught:
        read_records(_workbook_with_notes_first(tmp_path / "说明.xlsx", ledger=False))
    assert caught.value.problems[0].code == "sites.header_not_found"
    assert "南海区职工书屋台账填表说明" in caught.value.message("zh")
