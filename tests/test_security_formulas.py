"""Attack suite, spreadsheets (issue 10, findings 2, 5 and 6).

Formulas in every CSV and XLSX the product writes (site exports, ``sites list``,
``scoring coverage``/``targets`` CSV, every sheet of the leadership workbook, the
app's downloads) come out as text, numbers stay numbers, and a site export imports
back to the original text; control characters an XLSX cannot hold are refused at
the door and never reach a terminal raw; an XLSX with a stale ``<dimension>`` is
read to its last row.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from scoring_fixtures import make_query

from app_pages.data_files import export_bytes
from app_pages.map_table import town_table, town_table_csv
from app_pages.report_files import report_bytes
from cli.scoring import main as scoring_main
from cli.sites import main as sites_main
from errors import ImportRejected, RecordError
from geodata.boundaries import bundled_region
from reports.files import write_report
from reports.leadership import build_report
from scoring.coverage import coverage
from scoring.gaps import gaps
from settings import Settings
from sites.frame import sites_frame
from sites.io import export_sites, read_records
from sites.region import RegionSpec
from sites.sheets import FORMULA_START, append_row, csv_text, xlsx_unescape
from sites.store import SiteStore
from targets.store import TargetStore

#: What an attacker types where a name goes; each would run (or hide a formula) in Excel, WPS or LibreOffice.
PAYLOADS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1")
#: Target and town names as the target store and the boundary reader keep them (trimmed: "\t=1" → "=1").
TRIMMED = tuple(p.strip() for p in PAYLOADS)
AS_OF = datetime.date(2025, 6, 30)
XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # openpyxl's ILLEGAL_CHARACTERS_RE


def assert_safe_text(value: object, where: str) -> None:
    """A cell read back from a file: text never begins like a formula."""
    if isinstance(value, str):
        assert not value.startswith(FORMULA_START), f"{where}: {value!r} starts like a formula"


def assert_safe_workbook(path_or_bytes: Path | bytes) -> list[object]:
    """Every cell of every sheet: no formula cell, no text that starts like one. Returns all values as a
    spreadsheet shows them (OOXML ``_x000D_`` escapes decoded)."""
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = load_workbook(source)
    values: list[object] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                assert_safe_text(cell.value, f"{ws.title}!{cell.coordinate}")
                values.append(xlsx_unescape(cell.value))
    return values


def assert_safe_csv(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    for n, row in enumerate(rows, start=1):
        for cell in row:
            assert_safe_text(cell, f"CSV line {n}")
    return rows


def neutralised(payload: str) -> str:
    return "'" + payload


# ------------------------------------------------------------------ a hostile registry


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A registry whose region comes from a boundary file with hostile town names, six sites named with the
    payloads (one per town where possible) and one target per payload (name and notes)."""
    tmp = tmp_path_factory.mktemp("formulas")
    towns = bundled_region().towns.copy()
    for i, payload in enumerate(PAYLOADS):
        towns.loc[i, "name"] = payload
        towns.loc[i, "name_en"] = payload
    boundary = tmp / "towns.geojson"
    towns[["code", "name", "name_en", "geometry"]].to_file(boundary)
    db = tmp / "hostile.db"
    store = SiteStore(db, settings=Settings(mode="local", db=db), region=RegionSpec.file(boundary, crs="wgs84"))
    base_lng, base_lat = 113.19298, 23.03047  # 桂城 (renamed to the first payload)
    for k, payload in enumerate(PAYLOADS):
        store.add({"name": payload, "type": "book_room", "lng": base_lng + 0.002 * k, "lat": base_lat,
                   "address": payload, "notes": payload, "host_org": payload}, actor="planner")
    targets = TargetStore(store)
    for k, payload in enumerate(PAYLOADS):
        targets.add({"name": f"{payload}", "site_type": "book_room", "scope": "each_town", "measure": "site_count",
                     "threshold": 1 + k, "deadline": "2025-12-31", "notes": payload}, actor="planner")
    yield store, db, targets
    store.close_connection()


def test_hostile_registry_holds_the_payloads(hostile):
    store, _, targets = hostile
    assert sorted(s.name for s in store.list_sites()) == sorted(PAYLOADS)
    assert sorted(t.name for t in targets.list_targets()) == sorted(TRIMMED)
    assert set(TRIMMED) <= set(store.region().towns["name"])


# ------------------------------------------------------------------ the writer itself


def test_writer_neutralises_text_and_keeps_numbers_numeric(tmp_path):
    rows = [[p, -5, -0.5, 3, 2.25, "-5", None] for p in PAYLOADS]
    text = csv_text(["text", "int", "float", "pos", "pos_float", "text_minus", "empty"], rows)
    back = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert [r[0] for r in back] == [neutralised(p) for p in PAYLOADS]
    assert all(r[1:] == ["-5", "-0.5", "3", "2.25", "'-5", ""] for r in back)  # a negative *number* is a number

    book = Workbook()
    for row in rows:
        append_row(book.active, row)
    book.save(tmp_path / "w.xlsx")
    sheet = load_workbook(tmp_path / "w.xlsx").active
    for line in sheet.iter_rows():
        assert line[0].data_type == "s" and xlsx_unescape(line[0].value) in [neutralised(p) for p in PAYLOADS]
        assert (line[1].value, line[1].data_type) == (-5, "n")
        assert (line[2].value, line[2].data_type) == (-0.5, "n")
        assert (line[5].value, line[5].data_type) == ("'-5", "s")


# ------------------------------------------------------------------ site exports and sites list


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_site_export_neutralises_and_round_trips(hostile, tmp_path, ext):
    store, _, _ = hostile
    out = tmp_path / f"sites{ext}"
    export_sites(store.list_sites(), out, towns=store.towns(), lang="en")
    if ext == ".csv":
        rows = assert_safe_csv(out.read_bytes().decode("utf-8-sig"))
        header = rows[0]
        names = [r[header.index("name")] for r in rows[1:]]
        towns = {r[header.index("town_name")] for r in rows[1:]}
        assert [r[header.index("lng")] for r in rows[1:]][0] == "113.19298"
    else:
        values = assert_safe_workbook(out)
        sheet = load_workbook(out).active
        header = [c.value for c in sheet[1]]
        names = [xlsx_unescape(row[header.index("name")].value) for row in sheet.iter_rows(min_row=2)]
        towns = {xlsx_unescape(row[header.index("town_name")].value) for row in sheet.iter_rows(min_row=2)}
        lng = sheet.cell(row=2, column=header.index("lng") + 1)
        assert (lng.data_type, lng.value) == ("n", 113.19298) and len(values) > 6
    assert sorted(names) == sorted(neutralised(p) for p in PAYLOADS)
    assert neutralised(PAYLOADS[0]) in towns  # the town name from the boundary file, too
    back = read_records(out).frame
    for fld in ("name", "address", "notes", "host_org"):
        assert sorted(back[fld]) == sorted(PAYLOADS)  # the prefix is removed again on import


def test_site_export_round_trip_keeps_a_leading_apostrophe(tmp_path):
    db = tmp_path / "a.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        store.add({"name": "'=已经带引号", "type": "book_room", "lng": 113.19298, "lat": 23.03047}, actor="a")
        for ext in (".csv", ".xlsx"):
            export_sites(store.list_sites(), tmp_path / f"x{ext}", towns=store.towns())
            assert list(read_records(tmp_path / f"x{ext}").frame["name"]) == ["'=已经带引号"]


def test_sites_list_csv_is_neutralised(hostile, capsys, monkeypatch):
    _, db, _ = hostile
    monkeypatch.setenv("SITES_USER", "tester")
    capsys.readouterr()
    assert sites_main(["list", "--format", "csv", "--db", str(db)]) == 0
    rows = assert_safe_csv(capsys.readouterr().out)
    header = rows[0]
    assert sorted(r[header.index("name")] for r in rows[1:]) == sorted(neutralised(p) for p in PAYLOADS)
    assert rows[1][header.index("id")] == "1" and rows[1][header.index("lat")] == "23.03047"


# ------------------------------------------------------------------ scoring outputs


def test_scoring_coverage_csv_is_neutralised(hostile, capsys):
    _, db, _ = hostile
    capsys.readouterr()
    assert scoring_main(["coverage", "--db", str(db), "--type", "book_room", "--format", "csv"]) == 0
    rows = assert_safe_csv(capsys.readouterr().out)
    header = rows[0]
    assert {r[header.index("town_name")] for r in rows[1:]} >= {neutralised(p) for p in TRIMMED}
    assert float(rows[1][header.index("area_km2")]) > 0  # numbers unprefixed


def test_scoring_targets_csv_is_neutralised(hostile, capsys):
    _, db, _ = hostile
    capsys.readouterr()
    assert scoring_main(["targets", "--as-of", AS_OF.isoformat(), "--format", "csv", "--db", str(db)]) == 0
    rows = assert_safe_csv(capsys.readouterr().out)
    header = rows[0]
    assert {r[header.index("name")] for r in rows[1:]} == {neutralised(p) for p in TRIMMED}
    assert {r[header.index("town_name")] for r in rows[1:]} >= {neutralised(p) for p in TRIMMED}
    assert all(r[header.index("required")].lstrip("-").replace(".", "").isdigit() for r in rows[1:])


def _report(store: SiteStore, targets: TargetStore, lang: str = "zh"):
    return build_report(targets.list_targets(), sites_frame(store.list_sites()), store.region(), as_of=AS_OF,
                        lang=lang)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_xlsx_has_no_formula_on_any_sheet(hostile, tmp_path, lang):
    store, _, targets = hostile
    path = write_report(_report(store, targets, lang), tmp_path / "r.xlsx")
    values = assert_safe_workbook(path)
    book = load_workbook(path)
    assert len(book.worksheets) == 4  # report, details, progress, counted sites (one row each)
    texts = {v for v in values if isinstance(v, str)}
    assert {neutralised(p) for p in TRIMMED} <= texts  # target names (sheets 1–3), town names (sheet 1)
    details = book.worksheets[1]
    header = [c.value for c in details[1]]
    required = details.cell(row=2, column=header.index({"zh": "要求", "en": "Required"}[lang]) + 1)  # headers in words
    assert required.data_type == "n" and isinstance(required.value, int | float)


def test_report_xlsx_via_cli_has_no_formula(hostile, tmp_path):
    _, db, _ = hostile
    out = tmp_path / "cli.xlsx"
    assert scoring_main(["report", str(out), "--db", str(db), "--as-of", AS_OF.isoformat()]) == 0
    assert_safe_workbook(out)


# ------------------------------------------------------------------ the app's downloads


def test_app_downloads_are_neutralised(hostile):
    store, _, targets = hostile
    values = assert_safe_workbook(report_bytes(_report(store, targets), ".xlsx"))
    assert neutralised(PAYLOADS[0]) in values
    for lang in ("zh", "en"):
        csv_rows = assert_safe_csv(export_bytes(store, ".csv", lang).decode("utf-8-sig"))
        assert len(csv_rows) == 1 + len(PAYLOADS)
        assert neutralised(PAYLOADS[1]) in assert_safe_workbook(export_bytes(store, ".xlsx", lang))
    region = store.region()
    result = coverage(region.towns, sites_frame(store.list_sites()), make_query("book_room"))
    table = town_table(region, result, gaps(result, min_area_km2=0.01), lang="zh")
    raw = town_table_csv(table)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = assert_safe_csv(raw.decode("utf-8-sig"))
    assert {r[0] for r in rows[1:]} >= {neutralised(p) for p in TRIMMED}
    assert all(not r[2].startswith("'") and float(r[3]) >= 0 for r in rows[1:])  # sites and shares are numbers


# ------------------------------------------------------------------ finding 6: control characters


def _csv_file(path: Path, name: str, notes: str = "") -> Path:
    path.write_text(f"name,type,lng,lat,notes\n正常书屋,book_room,113.19298,23.03047,\n{name},book_room,113.195,23.03047,"
                    f"{notes}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07", "\x0b", "\x1f", "\x7f", "\x9b"])
def test_control_characters_are_refused_at_import_with_a_row_error(tmp_path, char):
    db = tmp_path / "c.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        path = _csv_file(tmp_path / "evil.csv", f"书屋{char}[31m")
        with pytest.raises(ImportRejected) as info:
            store.import_records(read_records(path), actor="a", crs="wgs84")
        [problem] = [p for p in info.value.problems if p.code == "sites.text_control"]
        assert (problem.file, problem.row, problem.field) == ("evil.csv", 3, "name")
        code = f"U+{ord(char):04X}"
        assert problem.message("zh") == f"文件 evil.csv，第 3 行，字段“name”：含有无法保存的控制字符 {code}（第 3 个字符），请删除后再导入或保存"
        assert f"contains the control character {code} (character 3)" in problem.message("en")
        assert store.count() == 0  # nothing stored, not even the good row


def test_control_characters_are_refused_from_the_form_and_tab_newline_are_kept(tmp_path):
    db = tmp_path / "c.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        with pytest.raises(RecordError, match="U\\+001B"):
            store.add({"name": "书屋", "type": "book_room", "lng": 113.19298, "lat": 23.03047,
                       "address": "红\x1b[31m字"}, actor="a")
        site, _ = store.add({"name": "书屋", "type": "book_room", "lng": 113.19298, "lat": 23.03047,
                             "notes": "第一行\n第二行\t备注\r"}, actor="a")
        with pytest.raises(RecordError, match="U\\+0007"):
            store.update(site.id, {"notes": "\x07"}, actor="a")
        assert store.get_site(site.id).notes == "第一行\n第二行\t备注\r"
        export_sites(store.list_sites(), tmp_path / "ok.xlsx", towns=store.towns())
        assert list(read_records(tmp_path / "ok.xlsx").frame["notes"]) == ["第一行\n第二行\t备注\r"]


def test_cli_refuses_control_characters_and_never_echoes_them(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SITES_USER", "tester")
    db = tmp_path / "c.db"
    capsys.readouterr()
    code = sites_main(["add", "--name", "\x1b]0;owned\x07书屋", "--type", "book_room", "--lng", "113.19298",
                       "--lat", "23.03047", "--crs", "wgs84", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 2 and "U+001B" in err
    assert not XLSX_ILLEGAL.search(out + err)
    path = _csv_file(tmp_path / "evil\x1b[2J.csv", "\x1b[31m书屋", notes="\x9b2J")
    code = sites_main(["import", str(path), "--crs", "wgs84", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 1 and "U+001B" in err and "U+009B" in err and "evil\\x1b[2J.csv" in err
    assert not XLSX_ILLEGAL.search(out + err) and "\x9b" not in out + err


def test_legacy_control_characters_never_break_an_export_or_reach_the_terminal(tmp_path, capsys, monkeypatch):
    """A name stored before the rule (written straight into the database) is escaped on the way out."""
    monkeypatch.setenv("SITES_USER", "tester")
    db = tmp_path / "legacy.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        store.add({"name": "书屋", "type": "book_room", "lng": 113.19298, "lat": 23.03047}, actor="a")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE sites SET name = ? WHERE id = 1", ("=\x1b[31m书屋\x9b",))
    conn.close()
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        export_sites(store.list_sites(), tmp_path / "legacy.xlsx", towns=store.towns())  # IllegalCharacterError before
        assert load_workbook(tmp_path / "legacy.xlsx").active["B2"].value == "'=\\x1b[31m书屋\\x9b"
    capsys.readouterr()
    for fmt in ("json", "csv"):
        assert sites_main(["list", "--format", fmt, "--db", str(db)]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x9b" not in out and "书屋" in out


# ------------------------------------------------------------------ finding 5: XLSX read fully


def _stale_dimension_xlsx(path: Path, rows: int) -> Path:
    """A real workbook of ``rows`` data rows whose sheet XML claims ``<dimension ref="A1:D3"/>``."""
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "type", "lng", "lat"])
    for k in range(rows):
        sheet.append([f"书屋{k + 1}", "book_room", 113.19298 + 0.001 * k, 23.03047])
    book.save(path)
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    stale, n = re.subn(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:D3"/>', xml)
    assert n == 1
    parts["xl/worksheets/sheet1.xml"] = stale.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return path


def test_xlsx_with_a_stale_dimension_imports_every_row(tmp_path):
    path = _stale_dimension_xlsx(tmp_path / "stale.xlsx", 10)
    trusting = load_workbook(path, read_only=True)
    assert len(list(trusting.worksheets[0].iter_rows(values_only=True))) == 3  # the file really lies
    trusting.close()
    records = read_records(path)
    assert len(records) == 10 and records.lines == list(range(2, 12))
    assert list(records.frame["name"]) == [f"书屋{k}" for k in range(1, 11)]
    db = tmp_path / "s.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        report = store.import_records(records, actor="a", crs="wgs84")
        assert len(report.written) == 10 and store.count() == 10


def test_xlsx_title_row_above_the_header_is_skipped_and_said(tmp_path):
    """A title row above the header row is found and skipped (issue 12), with a warning naming it: never a
    silent partial import (test_sheets_real covers merged titles and the case where no header is found)."""
    book = Workbook()
    book.active.append(["南海区职工书屋台账（2025）"])
    book.active.append(["名称", "类型", "经度", "纬度"])
    book.active.append(["书屋", "book_room", 113.19298, 23.03047])
    book.save(tmp_path / "titled.xlsx")
    records = read_records(tmp_path / "titled.xlsx")
    assert records.lines == [3] and list(records.frame["name"]) == ["书屋"]
    assert [(p.code, p.row, p.file) for p in records.warnings] == [("sites.title_row_skipped", 1, "titled.xlsx")]
