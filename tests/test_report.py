"""The leadership report: its content, and real XLSX, HTML and PDF files read back,
plus ``python -m scoring targets|report`` on a real registry with Nanhai's palaces."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cli.scoring import main
from errors import RecordError
from reports.files import write_report
from reports.leadership import Cell, build_report
from sites.frame import sites_frame
from sites.store import SiteStore
from targets.model import Target
from targets.store import TargetStore
from tests.targets_support import import_palaces

AS_OF = datetime.date(2025, 6, 30)


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> SiteStore:
    """A new Nanhai registry (with its two seeded targets) holding the four confirmed palaces."""
    store = SiteStore(tmp_path_factory.mktemp("report") / "nanhai.db")
    import_palaces(store)
    store.add({"name": "大沥镇工人文化宫（在建）", "type": "cultural_palace", "status": "under_construction",
               "lng": 113.12, "lat": 23.10}, actor="test", crs="wgs84")
    return store


@pytest.fixture(scope="module")
def report(registry):
    return build_report(TargetStore(registry).list_targets(), sites_frame(registry.list_sites()),
                        registry.region(), as_of=AS_OF)


def test_report_content(report) -> None:
    assert report.title == "佛山市南海区职工服务阵地建设目标完成情况"
    assert report.summary == "已完成目标 0 / 2 项"
    assert report.demo_note == ""  # the Amap palaces are real sites
    palace, centre = report.targets
    assert report.target_cells(palace)[2:] == ["2025-12-31", "剩余 184 天", "4 / 7", "未达标", "按目前速度无法达标"]
    assert (centre.towns_met, centre.towns_total) == (0, 7)
    town = {name: cells[0] for name, cells in report.town_rows}
    assert [name for name, _ in report.town_rows] == ["桂城街道", "九江镇", "西樵镇", "丹灶镇", "狮山镇", "大沥镇", "里水镇"]
    assert (town["九江镇"].text, town["九江镇"].rag) == ("1/1", "green")
    assert (town["桂城街道"].text, town["桂城街道"].rag) == ("0/1", "red")
    # Dali has a palace under construction, enough to close its shortfall: amber
    assert (town["大沥镇"].text, town["大沥镇"].rag) == ("0/1", "amber")
    # 2 red palace towns + 7 red service-centre towns, then the amber one
    assert [rag for rag, _ in report.shortfalls] == ["red"] * 9 + ["amber"]
    assert report.shortfalls[0][1] == (
        "桂城街道：2025年底前每个镇街建成开放工人文化宫，差 1 个（现有 0 / 要求 1），截止 2025-12-31，剩余 184 天")
    assert report.shortfalls[-1][1].startswith("大沥镇：2025年底前每个镇街建成开放工人文化宫")
    assert "按近12个月的建设速度" in report.rule


def test_figures_counting_demo_sites_are_marked(tmp_path) -> None:
    store = SiteStore(tmp_path / "demo.db")
    store.add({"name": "九江镇职工服务中心", "type": "service_centre", "status": "open", "lng": 113.034413,
               "lat": 22.905634, "source": "demo"}, actor="test", crs="wgs84")
    report = build_report(TargetStore(store).list_targets(), sites_frame(store.list_sites()), store.region(),
                          as_of=AS_OF)
    assert report.demo_sites == 1
    assert report.demo_note.startswith("注意：带 * 的数字计入了演示数据")
    assert dict(report.town_rows)["九江镇"][1] == Cell("1*/1", "green")
    assert dict(report.town_rows)["九江镇"][0] == Cell("0/1", "red")
    html = write_report(report, tmp_path / "demo.html").read_text(encoding="utf-8")
    assert '<p class="demo">注意：带 * 的数字计入了演示数据' in html


def test_met_targets_region_rows_and_english(registry) -> None:
    targets = [
        Target("全区4宫", "cultural_palace", "region", "site_count", 4, datetime.date(2025, 12, 31), id=1),
        Target("两镇", "cultural_palace", "towns", "site_count", 1, datetime.date(2024, 12, 31),
               towns=("440605121000", "440605011000"), id=2),
    ]
    report = build_report(targets, sites_frame(registry.list_sites()), registry.region(), as_of=AS_OF,
                          lang="en")
    assert report.summary == "targets met: 1 of 2"
    rows = dict(report.town_rows)
    assert rows["Nanhai District, Foshan"][0].text == "4/4" and rows["Nanhai District, Foshan"][1].text == "—"
    assert rows["Jiujiang Town"][1].rag == "green"
    # past the deadline and not met: red, and the days are overdue
    assert rows["Guicheng Subdistrict"][1].rag == "red"
    assert report.shortfalls == [("red", "Guicheng Subdistrict: 两镇, short by 1 site (actual 0 / required 1), "
                                         "deadline 2024-12-31, 181 days overdue")]
    assert report.targets[0].projection_text == "already met"


def test_xlsx_has_the_page_the_details_and_the_series(report, tmp_path) -> None:
    path = write_report(report, tmp_path / "report.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["报告", "明细", "进度", "计入站点"]
    page = book["报告"]
    assert page["A1"].value == report.title and page["A3"].value == "已完成目标 0 / 2 项"
    cells = {c.value: c for row in page.iter_rows() for c in row if c.value}
    assert cells["桂城街道"].offset(column=1).value == "0/1 红"
    assert cells["桂城街道"].offset(column=1).fill.fgColor.rgb == "00FFC7CE"
    assert cells["九江镇"].offset(column=1).value == "1/1 绿"
    assert cells["九江镇"].offset(column=1).fill.fgColor.rgb == "00C6EFCE"
    assert cells["大沥镇"].offset(column=1).fill.fgColor.rgb == "00FFEB9C"
    assert page.page_setup.fitToHeight == 1
    assert any(str(v).startswith("【黄】大沥镇：") for v in cells)
    details = list(book["明细"].values)
    assert details[0][:3] == ("目标编号", "目标", "阵地类型") and len(details) == 15  # headers in words
    jiujiang = next(r for r in details if r[0] == 1 and r[5] == "440605121000")
    assert jiujiang[7:11] == (1, 1, "已达标", 0) and jiujiang[16] == 1  # counted_sites; the names are on sheet 4
    assert [r[5] for r in book["计入站点"].values if r[0] == 1 and r[2] == "440605121000"] == ["南海区工人文化宫"]
    series = list(book["进度"].values)
    assert series[0][:3] == ("目标编号", "目标", "月份") and series[-1][2] == "2025-06"


def test_html_is_self_contained_and_marks_colours_in_words(report, tmp_path) -> None:
    path = write_report(report, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and "@page { size: A4" in text
    assert '<td class="cell red">0/1 红</td>' in text
    assert '<td class="cell green">1/1 绿</td>' in text
    assert '<td class="cell amber">0/1 黄</td>' in text
    assert '<li class="red">【红】桂城街道：' in text
    assert "Microsoft YaHei" in text and "Noto Sans CJK SC" in text
    assert "<script" not in text and not re.search(r"(src|href)=\"https?:", text)


def test_html_shows_template_syntax_and_markup_in_a_target_name_as_typed(tmp_path) -> None:
    """The page is rendered once, through the reports' one autoescaping Jinja2 environment: a target named
    ``{{ 7*191 }} <script>`` is shown literally (not 1337, not a script), in the summary, the town table's
    header and the shortfalls."""
    from reports.html import TEMPLATES, render_html

    assert TEMPLATES.autoescape is True
    name = "{{ 7*191 }} <script>alert(1)</script> {% for x in y %}"
    store = SiteStore(tmp_path / "hostile.db")
    target = TargetStore(store).add({"name": name, "site_type": "book_room", "scope": "each_town",
                                     "measure": "site_count", "threshold": 1, "deadline": "2025-12-31",
                                     "notes": "<b>{{ 6*7 }}</b>"}, actor="planner")
    page = render_html(build_report([target], sites_frame(store.list_sites()), store.region(), as_of=AS_OF))
    shown = "{{ 7*191 }} &lt;script&gt;alert(1)&lt;/script&gt; {% for x in y %}"
    assert page.count(shown) == 1 + 1 + 1 + 7  # headline, summary row, town-table header, one shortfall per town
    assert "1337" not in page and "<script" not in page
    assert f"<li class=\"red\">【红】桂城街道：{shown}，" in page


def test_pdf_is_one_page_with_the_chinese_font_embedded(report, tmp_path) -> None:
    path = write_report(report, tmp_path / "report.pdf")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    # pypdf reads fpdf2's ToUnicode map with NULs between glyphs (poppler's pdftotext does not)
    text = re.sub(r"[\s\x00]+", "", reader.pages[0].extract_text())
    for expected in ("佛山市南海区职工服务阵地建设目标完成情况", "已完成目标0/2项", "桂城街道", "0/1红", "1/1绿",
                     "0/1黄", "按目前速度无法达标"):
        assert expected in text
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts and all("NotoSansSC" in str(f["/BaseFont"]) for f in fonts)
    descriptor = fonts[0]["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile3" in descriptor or "/FontFile2" in descriptor  # glyphs embedded, not named only


def test_unknown_format_is_refused(report, tmp_path) -> None:
    with pytest.raises(RecordError, match="无法识别报告格式“report.docx”"):
        write_report(report, tmp_path / "report.docx")


# ------------------------------------------------------------------------------ CLI


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_cli_targets_csv_and_json(registry) -> None:
    db = str(registry.path)
    code, out, _ = _run(["targets", "--as-of", "2025-06-30", "--format", "csv", "--db", db])
    assert code == 0
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["target_id"] == "1"]
    assert len(rows) == 7 and sum(r["met"] == "True" for r in rows) == 4
    assert sorted(r["town_name"] for r in rows if r["met"] == "False") == sorted(["桂城街道", "西樵镇", "大沥镇"])
    assert {"target_id", "name", "site_type", "town_code", "town_name", "required", "actual", "met",
            "shortfall", "deadline"} <= set(rows[0])
    code, out, _ = _run(["targets", "--as-of", "2025-06-30", "--format", "json", "--target", "1", "--db", db])
    data = json.loads(out)
    shishan = next(r for r in data if r["town_name"] == "狮山镇")
    assert shishan["site_names"] == ["南海区工人文化宫狮山宫"] and shishan["rag"] == "green"
    assert {r["target_id"] for r in data} == {1}


def test_cli_as_of_before_an_opening(tmp_path) -> None:
    store = SiteStore(tmp_path / "dated.db")
    import_palaces(store)
    danzao = next(s for s in store.list_sites() if "丹灶" in s.name)
    store.update(danzao.id, {"opened_on": "2025-03-01"}, actor="test")
    code, out, _ = _run(["targets", "--as-of", "2025-02-28", "--format", "json", "--target", "1",
                         "--db", str(store.path)])
    rows = {r["town_name"]: r for r in json.loads(out)}
    assert code == 0 and not rows["丹灶镇"]["met"] and sum(r["met"] for r in rows.values()) == 3


def test_cli_report_files_and_errors(registry, tmp_path) -> None:
    for suffix in ("xlsx", "pdf", "html"):
        code, _, err = _run(["report", str(tmp_path / f"out.{suffix}"), "--as-of", "2025-06-30",
                             "--db", str(registry.path)])
        assert code == 0 and (tmp_path / f"out.{suffix}").stat().st_size > 1000
        assert "已完成目标 0 / 2 项" in err
    code, _, err = _run(["report", str(tmp_path / "out.doc"), "--db", str(registry.path)])
    assert code == 2 and "文件名应以 .xlsx、.pdf 或 .html 结尾" in err
    code, _, err = _run(["targets", "--target", "9", "--db", str(registry.path)])
    assert code == 2 and "没有编号为 9 的目标" in err
