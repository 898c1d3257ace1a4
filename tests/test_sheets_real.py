"""Sheets as town staff keep them (issue 12): a title row above the header, merged cells, GBK with Chinese
headers, the 状态 column on the data page in both languages, swapped coordinates fixed in one visible step,
and the import template (download, fill in, import).

Every file here is a real file in its real format (GBK bytes, an XLSX written by openpyxl with merged
ranges and data validations), read back through :func:`sites.io.read_records` or the data page.
Stale ``<dimension>`` tags and a plain GBK file are covered in test_security_formulas and test_sites_io.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from streamlit.testing.v1 import AppTest

from cli.sites import main as sites_main
from errors import ImportRejected
from sites.io import TEMPLATE_FIELDS, read_records, template_bytes, write_template
from sites.store import SiteStore
from sites.validation import swap_lnglat, swapped_lines

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "app_pages/data_page.py"
GUICHENG, SHISHAN, LISHUI = "440605011000", "440605124000", "440605126000"
#: Three real places in Nanhai, WGS84 (lng, lat): 桂城, 狮山, 里水.
PLACES = ((113.14095, 23.028682), (113.01039, 23.117597), (113.164825, 23.196567))
TITLE = "南海区职工书屋台账（2025年）"
HEADER = ["名称", "类型", "状态", "经度", "纬度", "地址"]


def _ledger_xlsx(path: Path, *, merged_type: bool = True) -> Path:
    """A ledger as staff keep it: a title merged across the columns, a blank row, the Chinese header
    on row 3, and the type merged down its group of rows (the value only in the top cell)."""
    book = Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(["桂城书屋", "职工书屋", "开放", *PLACES[0], "天佑三路"])
    sheet.append(["狮山书屋", None if merged_type else "职工书屋", "在建", *PLACES[1], "博爱中路57号"])
    sheet.append(["里水驿站", "户外劳动者爱心驿站", "规划中", *PLACES[2], "新兴路6号"])
    if merged_type:
        sheet.merge_cells("B4:B5")
    book.save(path)
    return path


# ------------------------------------------------------------------ title rows, merged cells, GBK


def test_xlsx_ledger_with_merged_title_and_merged_type_imports_every_row(store, tmp_path):
    records = read_records(_ledger_xlsx(tmp_path / "台账.xlsx"))
    assert records.lines == [4, 5, 6]  # the header is row 3: lines are the sheet's own row numbers
    assert list(records.frame["type"]) == ["职工书屋", "职工书屋", "户外劳动者爱心驿站"]  # B5 takes B4's value
    skipped = [p for p in records.warnings if p.code == "sites.title_row_skipped"]
    assert [(p.row, p.params["text"], p.params["header"]) for p in skipped] == [(1, TITLE, 3)]
    assert "第 3 行是表头" in skipped[0].message("zh") and TITLE in skipped[0].message("zh")
    report = store.import_records(records, actor="a", crs="wgs84")
    assert [(s.name, s.type, s.status, s.town_code) for s in store.list_sites()] == [
        ("桂城书屋", "book_room", "open", GUICHENG),
        ("狮山书屋", "book_room", "under_construction", SHISHAN),
        ("里水驿站", "rest_station", "planned", LISHUI),
    ]
    assert len(report.written) == 3


def test_gbk_csv_with_a_title_row_and_chinese_headers(store, tmp_path):
    text = (f"{TITLE},,,,,\r\n" + ",".join(HEADER) + "\r\n"
            + "".join(f"{n},{tp},{st},{lng},{lat},{addr}\r\n" for n, tp, st, (lng, lat), addr in (
                ("桂城职工书屋", "职工书屋", "开放", PLACES[0], "天佑三路"),
                ("狮山爱心妈妈小屋", "爱心妈妈小屋", "在建", PLACES[1], "博爱中路57号"))))
    path = tmp_path / "gbk台账.csv"
    path.write_bytes(text.encode("gbk"))
    records = read_records(path)
    assert records.lines == [3, 4] and records.headers["status"] == "状态"
    assert [p.row for p in records.warnings if p.code == "sites.title_row_skipped"] == [1]
    store.import_records(records, actor="a", crs="wgs84")
    assert [(s.name, s.town_code) for s in store.list_sites()] == [("桂城职工书屋", GUICHENG),
                                                                  ("狮山爱心妈妈小屋", SHISHAN)]


def test_no_header_row_names_the_most_header_like_row_and_what_it_lacks(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.append(["站点名", "类别", "经度", "纬度"])  # 站点名/类别 are not known spellings: no header qualifies
    sheet.append(["桂城书屋", "职工书屋", *PLACES[0]])
    book.save(tmp_path / "no_header.xlsx")
    with pytest.raises(ImportRejected) as info:
        read_records(tmp_path / "no_header.xlsx")
    problems = info.value.problems
    assert problems[0].code == "sites.header_not_found" and problems[0].row == 2
    assert "最像表头的是第 2 行（站点名、类别、经度、纬度）" in problems[0].message("zh")
    assert [(p.params["column"], p.row) for p in problems[1:]] == [("name", 2), ("type", 2)]


def test_english_and_chinese_headers_are_read_alike():
    """Every input field has a Chinese header, and the reader takes it whatever the UI's language is."""
    from sites.io import COLUMNS
    from sites.models import INPUT_FIELDS

    assert set(COLUMNS) == set(INPUT_FIELDS)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in aliases[1]) for aliases in COLUMNS.values())


# ------------------------------------------------------------------ swapped coordinates: one visible step


def _swapped_csv(path: Path) -> Path:
    rows = [("桂城书屋", "book_room", *PLACES[0]), ("狮山书屋", "book_room", PLACES[1][1], PLACES[1][0]),
            ("里水书屋", "book_room", PLACES[2][1], PLACES[2][0])]
    path.write_text("名称,类型,经度,纬度\n" + "".join(f"{n},{t},{a},{b}\n" for n, t, a, b in rows), encoding="utf-8")
    return path


def test_swap_lnglat_swaps_only_the_rows_found_swapped_and_says_so(store, tmp_path):
    records = read_records(_swapped_csv(tmp_path / "swapped.csv"))
    found = store.validate(records, crs="wgs84")
    assert swapped_lines(found.problems) == [3, 4]
    fixed = swap_lnglat(records, [3, 4])
    assert list(fixed.frame["lng"]) == [str(PLACES[k][0]) for k in range(3)]
    notes = [p for p in fixed.warnings if p.code == "sites.swapped_fixed"]
    assert [(p.row, p.level, p.field) for p in notes] == [(3, "warning", "经度/纬度"), (4, "warning", "经度/纬度")]
    assert list(records.frame["lng"])[1] == str(PLACES[1][1])  # the original records are left as read


def test_cli_import_swap_lnglat_is_one_step_and_never_silent(tmp_path, capsys):
    db, path = tmp_path / "s.db", _swapped_csv(tmp_path / "swapped.csv")
    assert sites_main(["import", str(path), "--crs", "wgs84", "--db", str(db), "--lang", "en"]) == 1
    assert "look swapped" in capsys.readouterr().err
    assert sites_main(["import", str(path), "--crs", "wgs84", "--db", str(db), "--lang", "en",
                       "--swap-lnglat"]) == 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert said.count("swapped as asked") == 2 and "imported 3 rows" in said
    with SiteStore(db) as store:
        assert [s.town_code for s in store.list_sites()] == [GUICHENG, SHISHAN, LISHUI]


# ------------------------------------------------------------------ the data page


@pytest.fixture
def db(app_db, monkeypatch) -> Path:
    monkeypatch.setenv("SITES_USER", "sheet-test")
    return app_db


def _page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, lang: str, name: str, data: bytes) -> AppTest:
    at.radio(key=f"data_crs_{lang}").set_value("wgs84")
    at.file_uploader(key="data_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_previews_and_imports_a_sheet_with_a_status_column(db, tmp_path, lang):
    """The page asks for 状态 and used to crash on it in Chinese ("cannot insert 状态, already exists")."""
    path = _ledger_xlsx(tmp_path / "台账.xlsx", merged_type=False)
    at = _upload(_page(lang), lang, path.name, path.read_bytes())
    preview = at.dataframe[0].value
    check, line = ("检查结果", "行号") if lang == "zh" else ("Check", "Line")
    assert list(preview.columns) == [line, check, *HEADER]
    assert list(preview["状态"]) == ["开放", "在建", "规划中"] and list(preview[line]) == ["4", "5", "6"]
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    with SiteStore(db) as store:
        assert [(s.name, s.status) for s in store.list_sites()] == [
            ("桂城书屋", "open"), ("狮山书屋", "under_construction"), ("里水驿站", "planned")]


def test_data_page_file_columns_named_like_the_page_columns_stay_apart(db, tmp_path):
    path = tmp_path / "clash.csv"
    path.write_text("名称,类型,经度,纬度,行号\n桂城书屋,book_room,113.14095,23.028682,7\n", encoding="utf-8")
    at = _upload(_page("zh"), "zh", path.name, path.read_bytes())
    assert list(at.dataframe[0].value.columns)[:2] == ["行号", "检查结果"]


def test_data_page_offers_the_swap_as_a_button(db, tmp_path):
    path = _swapped_csv(tmp_path / "swapped.csv")
    at = _upload(_page("zh"), "zh", path.name, path.read_bytes())
    assert any("2 行的经纬度似乎填反了（第 3、4 行）" in w.value for w in at.warning)
    assert at.dataframe[0].value["检查结果"].tolist() == ["✅ 可导入", "❌ 有错误", "❌ 有错误"]
    at.button(key="data_swap_button").click().run()
    assert not at.exception, at.exception
    preview, problems = at.dataframe[0].value, at.dataframe[1].value
    assert preview["检查结果"].tolist() == ["✅ 可导入", "⚠️ 可导入（有提醒）", "⚠️ 可导入（有提醒）"]
    assert sum("已按要求交换本行的经纬度" in r for r in problems["原因"]) == 2
    at.button(key="data_commit").click().run()
    with SiteStore(db) as store:
        assert [s.town_code for s in store.list_sites()] == [GUICHENG, SHISHAN, LISHUI]


# ------------------------------------------------------------------ the template


def test_template_has_chinese_headers_and_type_and_status_dropdowns(tmp_path):
    from settings import load_site_types
    from sites.models import STATUS_NAMES

    book = load_workbook(io.BytesIO(template_bytes("zh")))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["名称", "类型", "状态", "经度", "纬度", "地址", "主办单位", "开放日期",
                                           "关闭日期", "备注", "来源"]
    assert len(TEMPLATE_FIELDS) == sheet.max_column
    checks = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert checks == {"B2:B2001": "'选项'!$A$2:$A$6", "C2:C2001": "'选项'!$B$2:$B$6"}
    lists = book["选项"]
    assert [lists.cell(row=r, column=1).value for r in range(2, 7)] == [t.name_zh for t in load_site_types()]
    assert [lists.cell(row=r, column=2).value for r in range(2, 7)] == [zh for zh, _ in STATUS_NAMES.values()]


def test_template_round_trip_download_fill_import(db, tmp_path):
    """Download the template from the data page, fill rows with the dropdown values, import it."""
    at = _page("zh")
    assert "下载导入模板（XLSX）" in [b.label for b in at.get("download_button")]
    path = tmp_path / "filled.xlsx"
    path.write_bytes(template_bytes("zh"))
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for k, (name, kind, status) in enumerate((("桂城书屋", "职工书屋", "开放"), ("狮山小屋", "爱心妈妈小屋", "在建"),
                                             ("里水驿站", "户外劳动者爱心驿站", "规划中"))):
        for j, value in enumerate((name, kind, status, *PLACES[k]), start=1):
            sheet.cell(row=2 + k, column=j, value=value)
    book.save(path)
    at = _upload(at, "zh", path.name, path.read_bytes())
    at.button(key="data_commit").click().run()
    assert not at.exception, at.exception
    with SiteStore(db) as store:
        sites = store.list_sites()
    assert [(s.name, s.type, s.status, s.town_code) for s in sites] == [
        ("桂城书屋", "book_room", "open", GUICHENG), ("狮山小屋", "nursing_room", "under_construction", SHISHAN),
        ("里水驿站", "rest_station", "planned", LISHUI)]


def test_cli_template_writes_the_same_workbook(tmp_path, capsys):
    out = tmp_path / "模板.xlsx"
    assert sites_main(["template", str(out), "--lang", "en"]) == 0
    assert "template written" in capsys.readouterr().out
    book = load_workbook(out)
    assert book.sheetnames == ["站点", "选项", "How to fill in"]
    assert sites_main(["template", str(tmp_path / "x.csv")]) == 2
    write_template(tmp_path / "again.xlsx")
    assert read_records_header(tmp_path / "again.xlsx") == read_records_header(out)


def read_records_header(path: Path) -> list[object]:
    return [c.value for c in load_workbook(path).worksheets[0][1]]
