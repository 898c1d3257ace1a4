"""Import of real CSV/XLSX/GeoJSON files and export → import round trips."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from openpyxl import Workbook, load_workbook

from errors import ImportRejected
from geodata.crs import convert_point
from sites.io import export_sites, read_records
from sites.store import SiteStore

DATA = Path(__file__).parent / "data" / "sites"
GUICHENG, SHISHAN, LISHUI = "440605011000", "440605124000", "440605126000"
CONTENT = ("name", "type", "status", "lng", "lat", "town_code", "address", "host_org", "opened_on", "closed_on",
           "notes", "source")


def content(sites):
    return [tuple(getattr(s, f) for f in CONTENT) for s in sites]


def test_gbk_csv_with_chinese_headers(store):
    records = read_records(DATA / "gbk_chinese_headers.csv")
    assert records.headers["lng"] == "经度" and records.lines == [2, 3, 4]
    report = store.import_records(records, actor="a", crs="gcj02")
    sites = store.list_sites()
    assert [(s.name, s.type, s.status, s.town_code) for s in sites] == [
        ("桂城职工书屋", "book_room", "open", GUICHENG),
        ("狮山爱心妈妈小屋", "nursing_room", "under_construction", SHISHAN),
        ("里水户外劳动者爱心驿站", "rest_station", "planned", LISHUI),
    ]
    assert sites[0].opened_on == datetime.date(2021, 5, 1) and sites[1].opened_on == datetime.date(2020, 3, 1)
    assert (sites[0].lng, sites[0].lat) == pytest.approx(convert_point(113.140950, 23.028682, "gcj02", "wgs84"))
    assert len(report.written) == 3 and sites[0].source == ""


def test_utf8_bom_csv_and_multiline_cells_keep_line_numbers(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text('name,type,lng,lat,address\n甲,book_room,113.1,23.0,"两行\n地址"\n\n乙,book_room,abc,23.0,\n',
                    encoding="utf-8-sig")
    records = read_records(path)
    assert records.lines == [2, 5]
    assert records.frame["address"].tolist() == ["两行\n地址", ""]
    assert records.headers["name"] == "name"


def test_xlsx_import_with_number_and_date_cells(store, tmp_path):
    path = tmp_path / "sites.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "状态", "经度", "纬度", "地址", "开放日期", "备注"])
    sheet.append(["桂城书屋", "职工书屋", "开放", 113.140950, 23.028682, 12, datetime.datetime(2022, 1, 5), None])
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append(["狮山小屋", "nursing_room", "open", 113.010390, 23.117597, "博爱中路", "2020-03-01", "ok"])
    book.save(path)
    records = read_records(path)
    assert records.lines == [2, 4]
    store.import_records(records, actor="a", crs="gcj02")
    a, b = store.list_sites()
    assert (a.address, a.opened_on, a.town_code) == ("12", datetime.date(2022, 1, 5), GUICHENG)
    assert (b.type, b.notes, b.town_code) == ("nursing_room", "ok", SHISHAN)


def test_geojson_import_reads_points(store, tmp_path):
    path = tmp_path / "sites.geojson"
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [113.140950, 23.028682]},
               "properties": {"名称": "甲", "类型": "book_room"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    store.import_records(read_records(path), actor="a", crs="gcj02")
    assert store.list_sites()[0].town_code == GUICHENG
    feature["geometry"] = {"type": "LineString", "coordinates": [[113.1, 23.0], [113.2, 23.0]]}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(ImportRejected, match="第 1 行：几何类型是 LineString，只接受点"):
        read_records(path)


def test_file_level_errors(tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("名称,类型,经度\n甲,book_room,113.1\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="缺少必需的列“lat”（中文列名：纬度"):
        read_records(missing)
    empty = tmp_path / "empty.csv"
    empty.write_text("name,type,lng,lat\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="文件中没有数据行"):
        read_records(empty)
    with pytest.raises(ImportRejected, match="不支持的文件类型“.txt”"):
        read_records(tmp_path / "sites.txt")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"name,type\n\xff\xfe\xff\n")
    with pytest.raises(ImportRejected, match="无法识别文件编码"):
        read_records(binary)
    with pytest.raises(FileNotFoundError):
        read_records(tmp_path / "nope.csv")


def test_unknown_columns_are_warned_not_fatal(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("name,type,lng,lat,colour,id\n甲,book_room,113.1,23.0,red,5\n", encoding="utf-8")
    records = read_records(path)
    assert [(w.code, w.params["column"]) for w in records.warnings] == [("sites.column_ignored", "colour")]


def _seed(store) -> None:
    store.add({"name": "=HYPERLINK(\"http://x\")", "type": "book_room", "lng": 113.19298, "lat": 23.03047,
               "address": "+86 电话", "host_org": "@工会", "opened_on": "2020-01-02", "closed_on": "2024-05-06",
               "status": "closed", "notes": "-3 层\n第二行", "source": "survey"}, actor="a")
    store.add({"name": "狮山小屋", "type": "nursing_room", "lng": 113.00610, "lat": 23.14190}, actor="a")


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".geojson"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_then_import_round_trips(store, tmp_path, ext, lang):
    _seed(store)
    out = tmp_path / f"export{ext}"
    assert export_sites(store.list_sites(), out, towns=store.towns(), lang=lang) == 2
    with SiteStore(tmp_path / "copy.db") as copy:
        copy.import_records(read_records(out), actor="b", crs="wgs84")
        assert content(copy.list_sites()) == content(store.list_sites())


def test_gpkg_export_opens_as_layer_sites(store, tmp_path):
    _seed(store)
    out = tmp_path / "sites.gpkg"
    export_sites(store.list_sites(), out, towns=store.towns())
    assert [name for name, _ in pyogrio.list_layers(out)] == ["sites"]
    frame = gpd.read_file(out, layer="sites")
    assert frame.crs == "EPSG:4326" and list(frame["town_name"]) == ["桂城街道", "狮山镇"]
    assert frame["opened_on"].iloc[0] in ("2020-01-02", datetime.date(2020, 1, 2))
    assert frame.geometry.iloc[1].x == pytest.approx(113.00610, abs=1e-12)


def test_csv_export_is_excel_friendly_and_neutralises_formulas(store, tmp_path):
    _seed(store)
    out = tmp_path / "sites.csv"
    export_sites(store.list_sites(), out, towns=store.towns(), lang="zh")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号,名称,类型,状态,经度,纬度,镇街代码,镇街")
    assert "'=HYPERLINK" in text and "'+86 电话" in text and "'@工会" in text and "'-3 层" in text
    assert "2020-01-02" in text and ",桂城街道," in text


def test_xlsx_export_has_bold_header_and_no_formulas(store, tmp_path):
    _seed(store)
    out = tmp_path / "sites.xlsx"
    export_sites(store.list_sites(), out, towns=store.towns(), lang="en")
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "id" and sheet["A1"].font.bold
    assert sheet["B2"].value == "'=HYPERLINK(\"http://x\")" and sheet["B2"].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_rejects_unknown_extension(store, tmp_path):
    with pytest.raises(ValueError, match="unsupported export type '.txt'"):
        export_sites([], tmp_path / "x.txt")


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_an_export_words_types_and_towns_once_not_per_row(store, tmp_path, ext, monkeypatch):
    """At 50,000 sites a settings load per row made the CSV export take 47 s (3.9 s now): type names are
    loaded once per file and each town's name looked up once, whatever the number of rows."""
    import sites.io as io_module
    from sites.region import TownIndex

    _seed(store)
    many = store.list_sites() * 300  # 600 rows in two towns
    type_loads, name_looks = [], []
    real_types, real_name = io_module.load_site_types, TownIndex.town_name
    monkeypatch.setattr(io_module, "load_site_types", lambda: type_loads.append(1) or real_types())
    monkeypatch.setattr(TownIndex, "town_name", lambda self, code, lang="zh": name_looks.append(code)
                        or real_name(self, code, lang))
    assert export_sites(many, tmp_path / f"many{ext}", towns=store.towns(), lang="zh") == 600
    assert len(type_loads) == 1 and sorted(name_looks) == sorted({s.town_code for s in many})
    rows = read_records(tmp_path / f"many{ext}")  # and the file reads back whole, types by their Chinese names
    assert len(rows.frame) == 600 and set(rows.frame["type"]) == {"职工书屋", "爱心妈妈小屋"}
