"""Attack suite, uploads: oversized, zip bombs, climbing paths, renamed programs, billion laughs.

Every hostile file is refused with a clear message before anything reads it; real files of each
kind pass, and an accepted upload lands under a generated name, never the user's."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest
import shapely
from openpyxl import Workbook

from errors import ImportRejected
from settings import Settings
from sites.io import read_records
from sites.uploads import check_upload, display_name, stored_upload

ALL = ("csv", "xlsx", "geojson", "gpkg", "shapefile_zip", "geotiff")
SETTINGS = Settings(upload_max_mb=1, upload_max_unzipped_mb=5)


def _xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["名称", "类型", "经度", "纬度"])
    workbook.active.append(["书屋", "职工书屋", 113.19298, 23.03047])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _shapefile_zip(tmp_path) -> bytes:
    frame = gpd.GeoDataFrame({"name": ["桂城"]}, geometry=[shapely.box(113.1, 23.0, 113.2, 23.1)], crs=4326)
    frame.to_file(tmp_path / "towns.shp", engine="pyogrio")
    return _zip({p.name: p.read_bytes() for p in tmp_path.glob("towns.*")})


def _gpkg(tmp_path) -> bytes:
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(113.1, 23.0)], crs=4326)
    frame.to_file(tmp_path / "p.gpkg", driver="GPKG", engine="pyogrio")
    return (tmp_path / "p.gpkg").read_bytes()


def test_real_files_are_recognised_by_content_whatever_their_name(tmp_path):
    geojson = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    cases = {
        "csv": "名称,类型,经度,纬度\n书屋,职工书屋,113.19,23.03\n".encode("gb18030"),
        "xlsx": _xlsx_bytes(),
        "geojson": geojson,
        "gpkg": _gpkg(tmp_path),
        "shapefile_zip": _shapefile_zip(tmp_path),
        "geotiff": b"II*\x00" + bytes(100),
    }
    for kind, data in cases.items():
        assert check_upload("whatever.bin", data, ALL, settings=SETTINGS) == kind


def test_oversized_upload_is_refused_before_reading():
    with pytest.raises(ImportRejected, match=r"文件“big.csv”有 1.5 MB，超过上限 1 MB"):
        check_upload("big.csv", b"a,b\n" * 375_000, ("csv",), settings=SETTINGS)
    with pytest.raises(ImportRejected, match="上传的文件“empty.csv”是空的"):
        check_upload("empty.csv", b"", ("csv",), settings=SETTINGS)


def test_zip_bomb_is_refused_from_its_directory():
    bomb = _zip({"towns.shp": bytes(4_000_000), "towns.dbf": b"x", "towns.shx": b"x"})
    assert len(bomb) < 10_000
    with pytest.raises(ImportRejected, match=r"“towns.shp”压缩比 \d+:1 异常（疑似压缩炸弹）"):
        check_upload("towns.zip", bomb, ("shapefile_zip",), settings=SETTINGS)
    many = _zip({f"part{i}/towns.shp": bytes(900_000) for i in range(7)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(ImportRejected, match=r"解压后有 6.3 MB，超过上限 5 MB"):
        check_upload("many.zip", many, ("shapefile_zip",), settings=Settings(upload_max_mb=10,
                                                                              upload_max_unzipped_mb=5))
    crowd = _zip({f"f{i}.txt": b"" for i in range(501)})
    with pytest.raises(ImportRejected, match="包含 501 个文件，超过上限 500 个"):
        check_upload("crowd.zip", crowd, ("shapefile_zip",), settings=SETTINGS)


@pytest.mark.parametrize("member", ["../../etc/cron.d/evil.shp", "/etc/passwd", "a/../../b.shp",
                                    "C:/Windows/evil.shp", "..\\..\\evil.shp"])
def test_zip_members_that_climb_out_are_refused(member):
    data = _zip({member: b"x", "towns.dbf": b"x", "towns.shx": b"x"})
    with pytest.raises(ImportRejected, match="路径不安全（绝对路径或含“..”），已拒绝"):
        check_upload("towns.zip", data, ("shapefile_zip",), settings=SETTINGS)


def test_symlink_member_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        link = zipfile.ZipInfo("towns.shp")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(ImportRejected, match="加密或链接文件“towns.shp”"):
        check_upload("towns.zip", out.getvalue(), ("shapefile_zip",), settings=SETTINGS)


def test_renamed_program_and_wrong_kinds_are_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200) + b"This program cannot be run in DOS mode"
    with pytest.raises(ImportRejected, match=r"无法识别文件“sites.csv”的内容：它不是CSV 表格、Excel 表格（.xlsx）"):
        check_upload("sites.csv", exe, ("csv", "xlsx"), settings=SETTINGS)
    with pytest.raises(ImportRejected, match="文件“towns.csv”的内容是GeoPackage，此处只接受CSV 表格") as refused:
        check_upload("towns.csv", b"SQLite format 3\x00" + bytes(52) + b"GPKG" + bytes(100), ("csv",),
                     settings=SETTINGS)
    assert refused.value.message("en") == "the file 'towns.csv' holds a GeoPackage; only a CSV table is accepted here"
    with pytest.raises(ImportRejected, match="不是GeoJSON"):
        check_upload("x.geojson", b'{"not": "geojson"', ("geojson",), settings=SETTINGS)
    with pytest.raises(ImportRejected, match="已损坏或无法读取"):
        check_upload("x.zip", b"PK\x03\x04garbage", ("shapefile_zip",), settings=SETTINGS)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">
<c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


def _poisoned_xlsx(part: str, xml: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(_xlsx_bytes())) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members[part] = xml
    return _zip(members)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "[Content_Types].xml", "xl/workbook.xml"])
def test_billion_laughs_xlsx_is_refused(tmp_path, part):
    data = _poisoned_xlsx(part, BILLION_LAUGHS)
    with pytest.raises(ImportRejected, match=rf"“{part.replace('[', '.').replace(']', '.')}”含有 DTD/实体声明"):
        check_upload("sites.xlsx", data, ("xlsx",), settings=SETTINGS)
    # and openpyxl, reading the same file directly, parses through defusedxml
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(_poisoned_xlsx("xl/worksheets/sheet1.xml", BILLION_LAUGHS))
    with pytest.raises(ImportRejected, match="无法读取文件"):
        read_records(path)


def test_external_entity_in_utf16_xlsx_part_is_refused():
    xxe = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           '<worksheet>&e;</worksheet>').encode("utf-16")
    with pytest.raises(ImportRejected, match="DTD"):
        check_upload("sites.xlsx", _poisoned_xlsx("xl/worksheets/sheet1.xml", xxe), ("xlsx",), settings=SETTINGS)


def test_stored_upload_uses_a_generated_name_and_cleans_up():
    data = "名称,类型,经度,纬度\n书屋,职工书屋,113.19298,23.03047\n".encode()
    with stored_upload("../../../tmp/evil\x1b[31m.csv", data, ("csv",), settings=SETTINGS) as upload:
        assert upload.path.name == "upload.csv"
        assert upload.path.parent.name.startswith("sites-upload-")
        assert upload.name == "evil[31m.csv"
        assert upload.path.read_bytes() == data
        assert len(read_records(upload.path)) == 1
        folder = upload.path.parent
    assert not folder.exists()
    assert display_name("C:\\Users\\me\\桂城.xlsx") == "桂城.xlsx"
