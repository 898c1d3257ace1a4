"""``python -m sites`` end to end: the issue's "done when" scenarios on real files and databases."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely

from cli.sites import main
from geodata.boundaries import bundled_region
from geodata.crs import convert_points
from sites.store import SiteStore

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "sites"
TYPES = ("service_centre", "book_room", "nursing_room", "rest_station", "cultural_palace")


def true_points(n: int, seed: int = 7) -> list[tuple[float, float, str, str]]:
    """``n`` WGS84 points, each drawn inside one known town (inset 50 m), ≥100 m apart:
    (lng, lat, town code, type)."""
    rng = np.random.default_rng(seed)
    region = bundled_region()
    metric = region.towns.to_crs(region.metric_crs)
    inner = [g.buffer(-50) for g in metric.geometry]
    codes = list(metric["code"])
    import pyproj

    back = pyproj.Transformer.from_crs(region.metric_crs, "EPSG:4326", always_xy=True)
    out: list[tuple[float, float, str, str]] = []
    taken = np.empty((0, 2))
    while len(out) < n:
        k = int(rng.integers(len(codes)))
        minx, miny, maxx, maxy = inner[k].bounds
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not shapely.contains_xy(inner[k], x, y):
            continue
        if len(taken) and np.min(np.hypot(taken[:, 0] - x, taken[:, 1] - y)) < 100:
            continue
        taken = np.vstack([taken, [x, y]])
        lng, lat = back.transform(x, y)
        out.append((lng, lat, codes[k], TYPES[len(out) % len(TYPES)]))
    return out


def write_gcj02_csv(path: Path, points, prefix: str = "站点") -> None:
    lng, lat = convert_points([p[0] for p in points], [p[1] for p in points], "wgs84", "gcj02")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "type", "status", "lng", "lat", "address", "opened_on"])
        for i, (p, x, y) in enumerate(zip(points, lng, lat, strict=True)):
            writer.writerow([f"{prefix}{i}", p[3], "open", repr(float(x)), repr(float(y)), "", "2023-01-01"])


@pytest.fixture
def run(capsys, monkeypatch):
    """Run ``python -m sites`` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("SITES_USER", "tester")

    def _run(*args: str, db: Path, lang: str = "zh") -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*args, "--db", str(db), "--lang", lang])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def test_import_1000_gcj02_rows_within_a_tenth_of_a_metre(tmp_path, capsys):
    points = true_points(1000)
    path = tmp_path / "sites.csv"
    write_gcj02_csv(path, points)
    db = tmp_path / "sites.db"
    assert main(["import", str(path), "--crs", "gcj02", "--db", str(db)]) == 0
    assert "已导入 1000 行，拒绝 0 行" in capsys.readouterr().out
    with SiteStore(db) as store:
        sites = store.list_sites()
        towns = store.towns()
    assert len(sites) == 1000
    x, y = towns.to_metric([s.lng for s in sites], [s.lat for s in sites])
    tx, ty = towns.to_metric([p[0] for p in points], [p[1] for p in points])
    error_m = np.hypot(np.asarray(x) - tx, np.asarray(y) - ty)
    assert error_m.max() < 0.1
    assert [s.town_code for s in sites] == [p[2] for p in points]


def test_bad_rows_reject_the_whole_file_and_name_every_line(tmp_path, run):
    db = tmp_path / "sites.db"
    code, out, err = run("import", str(DATA / "mixed_bad_rows.csv"), "--crs", "gcj02", db=db)
    assert code == 1
    assert "导入被拒绝：6 行有误，未写入任何数据（共 9 行）" in err
    for line, text in [(4, "经纬度似乎填反了"), (5, "纬度 95 超出范围"), (6, "名称为空"), (7, "未知的站点类型“canteen”"),
                       (8, "不在任何已加载的镇街内"), (9, "“东经113度”不是数字")]:
        assert f"第 {line} 行" in err and text in err, (line, text)
    assert "第 2 行" not in err and "第 3 行" not in err and "第 10 行" not in err
    with SiteStore(db) as store:
        assert store.count() == 0

    code, out, err = run("import", str(DATA / "mixed_bad_rows.csv"), "--crs", "gcj02", "--skip-invalid", db=db,
                         lang="en")
    assert code == 1 and "imported 3 rows, rejected 6" in out
    assert "line 4" in err and "look swapped" in err
    with SiteStore(db) as store:
        assert [s.name for s in store.list_sites()] == ["测试服务中心甲", "测试书屋乙", "测试辛"]


def test_a_refused_import_says_how_many_rows_skip_invalid_would_import(tmp_path, run):
    db = tmp_path / "sites.db"
    code, _, err = run("import", str(DATA / "mixed_bad_rows.csv"), "--crs", "gcj02", db=db)
    assert code == 1
    assert err.rstrip().endswith("另有 3 行没有错误：加上 --skip-invalid 即可只导入这 3 行；或按上列各行改正后重新导入")
    code, _, err = run("import", str(DATA / "mixed_bad_rows.csv"), "--crs", "gcj02", db=db, lang="en")
    assert code == 1 and err.rstrip().endswith(
        "3 rows have no error: add --skip-invalid to import just those 3 rows, or correct the rows listed and "
        "import the file again")
    none_fine = tmp_path / "none.csv"
    none_fine.write_text("name,type,lng,lat\n乙,book_room,abc,23.03\n", encoding="utf-8")
    code, _, err = run("import", str(none_fine), "--crs", "wgs84", db=db)
    assert code == 1 and err.rstrip().endswith("没有一行可以导入：请按上列各行改正后重新导入")
    assert "--skip-invalid" not in err
    with SiteStore(db) as store:
        assert store.count() == 0


def test_four_processes_importing_at_once_lose_nothing(tmp_path):
    points = true_points(4000, seed=11)
    db = tmp_path / "shared.db"
    files = []
    for k in range(4):
        files.append(tmp_path / f"part{k}.csv")
        write_gcj02_csv(files[-1], points[k * 1000:(k + 1) * 1000], prefix=f"进程{k}-")
    procs = [subprocess.Popen([sys.executable, "-m", "sites", "import", str(f), "--crs", "gcj02", "--db", str(db)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    results = [(p.wait(timeout=180), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0, 0], [err for _, err in results]
    with SiteStore(db) as store:
        assert store.count() == 4000
        assert len({s.id for s in store.list_sites()}) == 4000


def test_seed_demo_list_and_filters(tmp_path, run):
    db = tmp_path / "demo.db"
    assert run("seed-demo", db=db)[0] == 0
    code, out, _ = run("list", "--format", "json", db=db)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 120
    assert {"id", "name", "type", "status", "lng", "lat", "town_code", "source"} <= set(rows[0])
    counts = Counter((r["type"], r["source"]) for r in rows)
    assert counts == {("service_centre", "demo"): 21, ("nursing_room", "demo"): 70, ("rest_station", "demo"): 11,
                      ("book_room", "demo"): 14, ("cultural_palace", "amap"): 4}
    assert all(r["town_code"] for r in rows)
    names = {r["name"]: r["town_code"] for r in rows if r["type"] == "service_centre"}
    for name in ("九江镇职工服务中心", "沙头文体公园职工服务中心", "公资园区职工服务中心", "烟南村职工服务中心"):
        assert names[name] == "440605121000"
    assert "盐步直街" not in out
    code, out, _ = run("list", "--type", "工人文化宫", "--town", "440605124000", "--format", "csv", db=db)
    lines = out.strip().splitlines()
    assert lines[0].startswith("id,name,type,status,lng,lat,town_code,source") and len(lines) == 2
    assert "南海区工人文化宫狮山宫" in lines[1]
    code, _, err = run("seed-demo", db=db)
    assert code == 1 and "疑似重复" in err
    code, _, err = run("list", "--status", "半开", db=db)
    assert code == 2 and "未知的状态“半开”" in err


def test_add_update_close_delete_history(tmp_path, run):
    db = tmp_path / "s.db"
    code, out, _ = run("add", "--name", "桂城书屋", "--type", "职工书屋", "--lng", "113.140950", "--lat", "23.028682",
                       "--crs", "gcj02", "--address", "\t红字", db=db)
    assert code == 0 and "已保存站点 #1“桂城书屋”（桂城街道）" in out
    code, out, _ = run("update", "1", "--status", "暂停", "--notes", "装修", db=db, lang="en")
    assert code == 0 and "saved site #1" in out
    code, out, _ = run("close", "1", "--on", "2024-12-31", db=db)
    assert code == 0 and "已关闭站点 #1" in out
    code, out, _ = run("history", "1", db=db)
    assert code == 0 and "tester  create" in out and "status: \"suspended\" → \"closed\"" in out
    assert "\\t红字" in out and "\t" not in out  # ESC is refused: test_security_formulas
    code, out, _ = run("delete", "1", db=db)
    assert code == 0 and "历史记录保留" in out
    code, out, _ = run("history", "1", "--format", "json", db=db)
    assert [e["action"] for e in json.loads(out)] == ["create", "update", "close", "delete"]
    code, _, err = run("update", "1", "--name", "x", db=db)
    assert code == 2 and "没有编号为 1 的站点" in err
    code, _, err = run("add", "--name", "外", "--type", "book_room", "--lng", "113.30", "--lat", "23.13",
                       "--crs", "wgs84", db=db, lang="en")
    assert code == 2 and "outside every loaded town" in err
    code, _, err = run("close", "2", "--on", "昨天", db=db)
    assert code == 2 and "日期“昨天”无法识别" in err


def test_export_command_and_region_refusal(tmp_path, run):
    db = tmp_path / "s.db"
    run("add", "--name", "桂城书屋", "--type", "book_room", "--lng", "113.19298", "--lat", "23.03047", "--crs",
        "wgs84", db=db)
    code, out, _ = run("export", str(tmp_path / "out.gpkg"), db=db)
    assert code == 0 and "已导出 1 个站点" in out and (tmp_path / "out.gpkg").exists()
    towns = bundled_region().towns
    towns.to_file(tmp_path / "towns.geojson")
    code, _, err = run("list", "--boundaries", str(tmp_path / "towns.geojson"), db=db)
    assert code == 2 and "set-region" in err
    code, out, _ = run("set-region", "--boundaries", str(tmp_path / "towns.geojson"), "--boundaries-crs", "wgs84",
                       db=db)
    assert code == 0 and "0 个站点的镇街已更新" in out
    assert run("list", "--boundaries", str(tmp_path / "towns.geojson"), "--boundaries-crs", "wgs84", db=db)[0] == 0
    code, _, err = run("import", str(tmp_path / "nope.csv"), "--crs", "wgs84", db=db)
    assert code == 2 and "文件不存在" in err


# ------------------------------------------------------------------ the one command line (click)


def test_output_cleans_text_and_keeps_documents_parseable():
    """One rule for the terminal: text shows controls as escapes; JSON writes them as \\u escapes and reads back."""
    from cli import output

    assert output.clean("a\x1b[31mb\tc\x07\n") == "a\\x1b[31mb\\tc\\x07\n"
    value = {"name": "\x1b]0;owned\x07书屋\x9b", "n": 1.23456789}
    text = output.json_text(value)
    assert not any(ch in text for ch in "\x1b\x07\x9b") and "书屋" in text
    assert json.loads(text) == {"name": "\x1b]0;owned\x07书屋\x9b", "n": 1.234568}  # floats to 6 decimals


def test_csv_output_goes_through_the_formula_safe_writer(capsys):
    from cli import output

    output.write_csv(["name", "n"], [["=1+1", 3], ["\x1b[2J书屋", 4]])
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert rows == [["name", "n"], ["'=1+1", "3"], ["\\x1b[2J书屋", "4"]]


def test_usage_errors_exit_2_and_help_exits_0(tmp_path, run, capsys):
    db = tmp_path / "s.db"
    code, _, err = run("list", "--bogus", db=db)
    assert code == 2 and "No such option '--bogus'" in err and not db.exists()
    code, _, err = run("import", "x.csv", "--crs", "mars", db=db, lang="en")
    assert code == 2 and "unknown coordinate system 'mars'" in err
    code, _, err = run("close", "one", db=db)
    assert code == 2 and "'one' is not a valid integer" in err
    for argv in (["-h"], ["--help"], ["user", "add", "-h"]):
        capsys.readouterr()
        assert main([*argv, "--lang", "en"]) == 0  # help follows --lang (Chinese by default)
        assert "Usage: python -m sites" in capsys.readouterr().out


def test_lang_wins_over_the_setting_and_aliases_of_a_crs_are_taken(tmp_path, run, monkeypatch):
    monkeypatch.setenv("SITES_LANGUAGE", "zh")
    db = tmp_path / "s.db"
    code, _, err = run("list", db=db, lang="en")
    assert code == 2 and f"the database file {db} does not exist" in err
    code, out, _ = run("add", "--name", "桂城书屋", "--type", "book_room", "--lng", "113.140950", "--lat", "23.028682",
                       "--crs", "高德", db=db, lang="en")  # an alias of gcj02, as geodata convert --from takes it
    assert code == 0 and "saved site #1 '桂城书屋'" in out
    code, out, _ = run("user", "list", "--format", "json", db=db)
    assert code == 0 and json.loads(out) == []


def test_a_long_option_may_be_shortened_to_a_unique_prefix_as_before(tmp_path, run):
    """argparse took ``--form`` for ``--format``; users' scripts may rely on it, so the click app does too."""
    db = tmp_path / "s.db"
    assert run("add", "--name", "桂城书屋", "--ty", "book_room", "--lng", "113.19298", "--lat", "23.03047",
               "--crs", "wgs84", db=db)[0] == 0
    code, out, _ = run("list", "--form", "csv", "--ty", "职工书屋", db=db)
    assert code == 0 and out.startswith("id,name,type") and "桂城书屋" in out
    code, _, err = run("list", "--bo", "x.geojson", db=db)  # --boundaries or --boundaries-crs: ambiguous
    assert code == 2 and "No such option '--bo'" in err
