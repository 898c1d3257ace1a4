"""Attack suite, issue 10 finding 7: malformed inputs never show a traceback.

Every malformed file goes through the real command lines as subprocesses (exit 2, a message naming the
file and what is wrong, in Chinese and in English, no "Traceback") and through the data page (AppTest: no
exception element, an error shown). Exit 1 stays "rows rejected". The last-resort handler is tested with
a real exception: its id is shown and the log file holds the traceback under that id.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from errors import BoundaryError, UnreadableFile
from geodata.boundaries import load_region
from incidents import cli_failure, record_incident
from sites.io import read_records

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DATA_PAGE = "app_pages/data_page.py"
POINT = '{"type":"Feature","properties":%s,"geometry":{"type":"Point","coordinates":[113.14,23.03]}}'
SQUARE = "[[113.0,23.0],[113.1,23.0],[113.1,%s],[113.0,23.1],[113.0,23.0]]"


def _collection(*features: str) -> str:
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _boundary(y: str = "23.1") -> str:
    return _collection('{"type":"Feature","properties":{"name":"甲镇","code":"1"},'
                       '"geometry":{"type":"Polygon","coordinates":[' + SQUARE.replace("%s", y) + "]}}")


#: name → content of every malformed site file, and what the message must say (zh, en).
SITE_FILES: dict[str, tuple[bytes, str, str]] = {
    "features5.geojson": (b'{"type":"FeatureCollection","features":5}', "字段“features”：应为要素列表，实际是 5",
                          "field 'features': expected a list of features, found 5"),
    "listprops.geojson": (_collection(POINT % "[1,2]").encode(),
                          "第 1 行，字段“properties”：应为 JSON 对象", "line 1, field 'properties': expected a JSON object"),
    "invalid.geojson": (b'{"type":"FeatureCollection","features":[', "不是有效的 JSON（第 1 行第 41 列",
                        "not valid JSON (line 1, column 41"),
    "toplist.geojson": (b"[1,2,3]", "不是 GeoJSON 要素集合", "not a GeoJSON FeatureCollection"),
    "badpoint.geojson": (_collection('{"type":"Feature","properties":{"name":"a","type":"book_room"},'
                                     '"geometry":{"type":"Point","coordinates":5}}').encode(),
                         "字段“coordinates”：点坐标应为两个数字", "field 'coordinates': a point's coordinates must be"),
    "random.xlsx": (bytes(range(256)) * 8, "random.xlsx", "random.xlsx"),
    "notxlsx.xlsx": (None, "notxlsx.xlsx", "notxlsx.xlsx"),  # a zip without a workbook, made below
    "badenc.csv": (b"name,type,lng,lat\n" + b"\xff\xfe\x00\x81\x30\xff,book_room,113.1,23.0\n",
                   "无法识别文件编码", "text encoding"),
    "empty.csv": (b"", "文件中没有数据行", "no data rows"),
    "empty.geojson": (b"", "文件中没有数据行", "no data rows"),
}
#: Boundary files: name → (content, zh, en).
BOUNDARY_FILES: dict[str, tuple[bytes, str, str]] = {
    "nan.geojson": (_boundary("NaN").encode(), "第 1 个要素（甲镇）的坐标含有非数值（NaN 或无穷大）",
                    "feature 1 (甲镇) has coordinates that are not numbers (NaN or infinite)"),
    "open_ring.geojson": (_collection('{"type":"Feature","properties":{"name":"甲镇","code":"1"},"geometry":'
                                      '{"type":"Polygon","coordinates":[[[113.0,23.0],[113.1,23.0]]]}}').encode(),
                          "无法读取边界文件", "cannot read the boundary file"),
    "features5.geojson": (b'{"type":"FeatureCollection","features":5}', "无法读取边界文件",
                          "cannot read the boundary file"),
    "empty.geojson": (b"  \n", "文件是空的", "the file is empty"),
}


def _write(tmp_path: Path, name: str, content: bytes | None) -> Path:
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "not a workbook")
    else:
        path.write_bytes(content)
    return path


def _cli(module: str, *args: str, tmp_path: Path, lang: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITES_DB": str(tmp_path / "sites.db"), "SITES_LANGUAGE": lang, "SITES_USER": "t",
           "SITES_INCIDENT_LOG": str(tmp_path / "incidents.log"), "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def _refused(done: subprocess.CompletedProcess[str], *texts: str) -> None:
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == 2, (done.returncode, output)
    for text in texts:
        assert text in output, (text, output)


# ------------------------------------------------------------------ python -m sites import


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sites_import_refuses_each_malformed_file_by_name_with_exit_2(tmp_path, lang):
    for name, (content, zh, en) in SITE_FILES.items():
        path = _write(tmp_path, name, content)
        done = _cli("sites", "import", str(path), "--crs", "wgs84", "--lang", lang, tmp_path=tmp_path, lang=lang)
        _refused(done, name, zh if lang == "zh" else en)


def test_sites_import_refuses_a_folder(tmp_path):
    folder = tmp_path / "folder.geojson"
    folder.mkdir()
    _refused(_cli("sites", "import", str(folder), "--crs", "wgs84", "--lang", "zh", tmp_path=tmp_path, lang="zh"),
             "folder.geojson", "这是一个文件夹，不是文件")
    _refused(_cli("sites", "import", str(folder), "--crs", "wgs84", "--lang", "en", tmp_path=tmp_path, lang="en"),
             "folder.geojson", "it is a folder, not a file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: no file without read permission here")
def test_sites_import_refuses_a_file_without_read_permission(tmp_path):
    locked = tmp_path / "locked.geojson"
    locked.write_bytes(SITE_FILES["features5.geojson"][0])
    locked.chmod(0)
    _refused(_cli("sites", "import", str(locked), "--crs", "wgs84", "--lang", "en", tmp_path=tmp_path, lang="en"),
             "locked.geojson", "no permission")


def test_rejected_rows_still_exit_1(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("name,type,lng,lat\n甲,book_room,113.14,23.03\n,book_room,113.14,23.03\n", encoding="utf-8")
    done = _cli("sites", "import", str(path), "--crs", "wgs84", "--lang", "en", tmp_path=tmp_path, lang="en")
    assert done.returncode == 1 and "line 3" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------ boundary files, three commands


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_boundary_files_refused_by_set_region_scoring_and_geodata(tmp_path, lang):
    for name, (content, zh, en) in BOUNDARY_FILES.items():
        path = _write(tmp_path, name, content)
        text = zh if lang == "zh" else en
        _refused(_cli("sites", "set-region", "--boundaries", str(path), "--lang", lang, tmp_path=tmp_path,
                      lang=lang), name, text)
        _refused(_cli("scoring", "coverage", "--boundaries", str(path), tmp_path=tmp_path, lang=lang), name, text)
        _refused(_cli("geodata", "info", str(path), tmp_path=tmp_path, lang=lang), name, text)


def test_boundary_folder_refused(tmp_path):
    folder = tmp_path / "towns.geojson"
    folder.mkdir()
    with pytest.raises(BoundaryError, match="文件 towns.geojson：这是一个文件夹，不是文件"):
        load_region(folder)
    _refused(_cli("geodata", "info", str(folder), tmp_path=tmp_path, lang="en"), "towns.geojson",
             "it is a folder, not a file")


def test_geodata_convert_refuses_a_folder_and_malformed_geojson(tmp_path):
    folder = tmp_path / "in.csv"
    folder.mkdir()
    _refused(_cli("geodata", "convert", str(folder), str(tmp_path / "out.csv"), "--from", "gcj02", "--to", "wgs84",
                  tmp_path=tmp_path, lang="zh"), "in.csv", "这是一个文件夹，不是文件")
    bad = _write(tmp_path, "bad.geojson", b'{"type":"FeatureCollection","features":5}')
    _refused(_cli("geodata", "convert", str(bad), str(tmp_path / "out.geojson"), "--from", "gcj02", "--to", "wgs84",
                  tmp_path=tmp_path, lang="en"), "bad.geojson", "cannot read the file")
    assert not (tmp_path / "out.geojson").exists() and not (tmp_path / "out.csv").exists()


# ------------------------------------------------------------------ the readers themselves


def test_geojson_reader_names_every_bad_feature_at_once(tmp_path):
    path = _write(tmp_path, "mixed.geojson", _collection(
        POINT % '{"name":"甲","type":"book_room"}', POINT % "[1,2]", "7",
        '{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}').encode())
    with pytest.raises(UnreadableFile) as refused:
        read_records(path)
    assert [(p.row, p.field, p.code) for p in refused.value.problems] == [
        (2, "properties", "sites.geojson.not_object"), (3, None, "sites.geojson.not_object"),
        (4, None, "sites.geometry_not_point")]
    ok = _write(tmp_path, "one.geojson", (POINT % '{"name":"甲","type":"book_room"}').encode())
    assert read_records(ok).frame["lng"].tolist() == [113.14]  # a lone Feature is a collection of one


# ------------------------------------------------------------------ the app's data page


@pytest.fixture
def app_env(app_db, monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("SITES_USER", "inputs-test")
    monkeypatch.setenv("SITES_INCIDENT_LOG", str(tmp_path / "incidents.log"))
    return tmp_path


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(DATA_PAGE).run()
    assert not at.exception, at.exception
    return at


def _reasons(at: AppTest) -> str:
    """Every reason in the page's problem tables (column 原因)."""
    return " ".join(" ".join(d.value["原因"].astype(str)) for d in at.dataframe if "原因" in d.value.columns)


@pytest.mark.parametrize("name", ["features5.geojson", "listprops.geojson", "invalid.geojson", "random.xlsx",
                                  "notxlsx.xlsx", "badenc.csv"])
def test_data_page_upload_of_a_malformed_file_shows_an_error_not_a_traceback(app_env, name):
    content = SITE_FILES[name][0]
    at = _data_page()
    path = _write(app_env, name, content)
    at.file_uploader(key="data_upload").set_value((name, path.read_bytes(), "application/octet-stream")).run()
    assert not at.exception, at.exception
    shown = name.replace(".", "\\.")  # Markdown-escaped
    assert any("无法导入文件" in e.value and shown in e.value for e in at.error), [e.value for e in at.error]
    assert not any("内部错误" in e.value for e in at.error)
    if name in ("features5.geojson", "listprops.geojson"):  # the reason (feature, member) in the problems table
        assert SITE_FILES[name][1].split("：")[-1] in _reasons(at), _reasons(at)


def test_region_switch_with_a_nan_boundary_shows_the_feature(app_env):
    at = _data_page()
    content = BOUNDARY_FILES["nan.geojson"][0]
    at.file_uploader(key="region_upload").set_value(("nan.geojson", content, "application/geo+json")).run()
    at.radio(key="region_crs_zh").set_value("wgs84").run()  # the file's system is asked, never assumed
    assert not at.exception, at.exception
    assert any("此边界文件不能使用" in e.value for e in at.error), [e.value for e in at.error]
    assert "第 1 个要素（甲镇）的坐标含有非数值（NaN 或无穷大）" in _reasons(at), _reasons(at)


# ------------------------------------------------------------------ the last resort


def test_incident_is_logged_with_its_traceback_and_id(tmp_path):
    log = tmp_path / "logs" / "incidents.log"
    try:
        {}["no such key"]
    except KeyError as exc:
        incident = record_incident(exc, context="test", path=log)
    assert re.fullmatch(r"[0-9A-F]{8}", incident.id) and incident.path == log
    text = log.read_text(encoding="utf-8")
    assert f"=== incident {incident.id} " in text and "Traceback (most recent call last)" in text
    assert "KeyError: 'no such key'" in text and "test_incident_is_logged_with_its_traceback_and_id" in text
    assert incident.message("zh") == f"内部错误，编号 {incident.id}，详情已记录在 {log}"
    assert incident.message("en") == f"Internal error, id {incident.id}, details logged in {log}"


def test_cli_failure_turns_an_unexpected_error_into_an_incident_exit_2(tmp_path, monkeypatch, capsys):
    log = tmp_path / "incidents.log"
    monkeypatch.setenv("SITES_INCIDENT_LOG", str(log))
    try:
        [][1]
    except IndexError as exc:
        assert cli_failure(exc, "en", context="python -m sites list") == 2
    err = capsys.readouterr().err
    found = re.fullmatch(rf"Internal error, id ([0-9A-F]{{8}}), details logged in {re.escape(str(log))}\n", err)
    assert found, err
    assert f"=== incident {found.group(1)} " in log.read_text() and "IndexError" in log.read_text()
    # an unwritable log still gives the user an id (the temporary directory's log takes the entry)
    monkeypatch.setenv("SITES_INCIDENT_LOG", str(tmp_path / "folder"))
    (tmp_path / "folder").mkdir()
    try:
        [][1]
    except IndexError as exc:
        assert cli_failure(exc, "zh") == 2
    assert re.match(r"内部错误，编号 [0-9A-F]{8}", capsys.readouterr().err)


def test_exit_codes_of_named_errors(capsys):
    from errors import ImportRejected, Problem

    assert cli_failure(ImportRejected(Problem("sites.name_missing", file="a.csv", row=3)), "en") == 1
    assert cli_failure(UnreadableFile(Problem("sites.file_empty", file="a.csv")), "en") == 2
    assert cli_failure(IsADirectoryError(21, "Is a directory", "/x/a.csv"), "en") == 2
    err = capsys.readouterr().err
    assert "file /x/a.csv: it is a folder, not a file" in err and "Traceback" not in err
