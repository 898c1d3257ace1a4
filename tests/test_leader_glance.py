"""The leader's first question, answered at a glance (issue 13): each target as "工人文化宫：4/7 镇街" with its
deadline and days left, demo figures and the sample target marked, charts that count towns meeting the target in
the report's language, XLSX detail sheets in words, an English PDF that breaks lines between words.

Worked out on paper, on the Nanhai demo sample (``seed-demo``: the four real palaces from Amap, 21 demo service
centres among the other demo sites) as of 2025-06-30, 184 days before the seeded deadline 2025-12-31:

* palaces lie in 狮山, 九江, 丹灶 and 里水: 4 of 7 towns; no demo site counts, so no mark;
* the sample target "示例：每个镇街至少1个职工服务中心" is met in 7 of 7 towns, by 21 demo service centres
  (3+4+3+3+3+2+3): marked 示例目标 and 含演示数据; the old chart's "现有" showed 21 (sites), the towns meeting
  are 7.

Every output is written to a real file and read back: pypdf for the PDF (one text run per printed line),
openpyxl for the workbook, the standard library's HTML parser for the page.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.files import write_report
from reports.leadership import LeadershipReport, build_report, progress_chart
from sites.frame import sites_frame
from sites.store import SiteStore
from targets.evaluate import COLUMNS
from targets.model import Target
from targets.store import TargetStore

AS_OF = datetime.date(2025, 6, 30)
DEADLINE = datetime.date(2025, 12, 31)
PALACE = "2025年底前每个镇街建成开放工人文化宫"
SAMPLE = "示例：每个镇街至少1个职工服务中心"
GUICHENG = "440605011000"


def _report(store: SiteStore, lang: str = "zh", *, targets: list[Target] | None = None,
            as_of: datetime.date = AS_OF, region=None) -> LeadershipReport:
    return build_report(TargetStore(store).list_targets() if targets is None else targets,
                        sites_frame(store.list_sites()), region or store.region(), as_of=as_of,
                        lang=lang)  # type: ignore[arg-type]


def _pdf_lines(path: Path) -> list[str]:
    """The PDF's printed lines, one text run each (pypdf reads fpdf2's glyphs with NULs between them)."""
    runs: list[str] = []

    def visit(text: str, *_: object) -> None:
        if text.replace("\x00", "").strip():
            runs.append(re.sub(r"\s+", " ", text.replace("\x00", "")).strip())

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return runs


class _Paragraphs(HTMLParser):
    """``(class, text)`` of every ``<p>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._open = dict(attrs).get("class") or ""
            self.found.append((self._open, ""))

    def handle_endtag(self, tag):
        if tag == "p":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            cls, text = self.found[-1]
            self.found[-1] = (cls, text + data)


def _paragraphs(path: Path) -> list[tuple[str, str]]:
    parser = _Paragraphs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


# ------------------------------------------------------------------ 1. a headline per target


def test_a_headline_per_target_with_deadline_and_days_left_in_both_languages(demo_store):
    zh, en = _report(demo_store, "zh"), _report(demo_store, "en")
    palace, sample = zh.targets
    assert [zh.headline(line) for line in zh.targets] == ["工人文化宫：4/7 镇街",
                                                           "职工服务中心：7/7 镇街（示例目标，含演示数据）"]
    assert zh.deadline_text(palace) == "截止 2025-12-31，剩余 184 天"
    assert zh.headline_line(palace) == "工人文化宫：4/7 镇街，截止 2025-12-31，剩余 184 天。目标：" + PALACE
    assert [en.headline(line) for line in en.targets] == [
        "Workers' cultural palace: 4/7 towns",
        "Worker service centre: 7/7 towns (sample target, includes demo data)"]
    assert en.deadline_text(en.targets[0]) == "deadline 2025-12-31, 184 days left"
    # the overall headline says demo sites count in it
    assert zh.summary == "已完成目标 1 / 2 项（含演示数据）" and en.summary == "targets met: 1 of 2 (includes demo data)"
    assert zh.towns_met == (11, 14)
    # overdue: days past the deadline
    late = _report(demo_store, "zh", as_of=datetime.date(2026, 1, 10))
    assert late.deadline_text(late.targets[0]) == "截止 2025-12-31，已超期 10 天"


def test_a_county_region_counts_counties_in_the_headline(palace_store):
    county = dataclasses.replace(palace_store.region(), level="county")
    zh, en = _report(palace_store, "zh", region=county), _report(palace_store, "en", region=county)
    assert zh.headline(zh.targets[0]) == "工人文化宫：4/7 区县"
    assert en.headline(en.targets[0]) == "Workers' cultural palace: 4/7 counties"


def test_a_region_wide_target_headline_gives_sites_against_the_requirement(palace_store):
    targets = [Target("全区5宫", "cultural_palace", "region", "site_count", 5, DEADLINE, id=1)]
    assert _report(palace_store, "zh", targets=targets).headline(_report(palace_store, "zh", targets=targets)
                                                                 .targets[0]) == "工人文化宫：4/5 个"
    en = _report(palace_store, "en", targets=targets)
    assert en.headline(en.targets[0]) == "Workers' cultural palace: 4/5 sites"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_report_format_carries_the_headlines(demo_store, tmp_path, lang):
    report = _report(demo_store, lang)
    lines = [report.headline_line(line) for line in report.targets]
    # HTML: one <p class="headline"> per target, the demo one classed demo (red)
    html = _paragraphs(write_report(report, tmp_path / "r.html"))
    assert [(cls, text) for cls, text in html if cls.startswith("headline")] == [
        ("headline", lines[0]), ("headline demo", lines[1])]
    assert ("summary", report.summary) in html
    # XLSX: the first sheet lists them under their heading, right after the summary
    page = [row[0] for row in load_workbook(write_report(report, tmp_path / "r.xlsx")).worksheets[0].values]
    heading = page.index(report.text("report.headlines_heading"))
    assert page[2] == report.summary and page[heading + 1:heading + 3] == lines
    # PDF: the headline of each target is printed (a long line wraps, so its start is checked as printed)
    printed = " ".join(_pdf_lines(write_report(report, tmp_path / "r.pdf")))
    squeeze = (lambda s: re.sub(r"\s+", "", s)) if lang == "zh" else (lambda s: s)
    for line in report.targets:
        assert squeeze(report.headline(line)) in squeeze(printed)
        assert squeeze(report.deadline_text(line)) in squeeze(printed)
    assert squeeze(report.summary) in squeeze(printed)


# ------------------------------------------------------------------ 2. demo figures and the sample target marked


def test_demo_figures_and_the_sample_target_are_marked_in_every_table_and_chart(demo_store):
    zh = _report(demo_store, "zh")
    palace, sample = zh.targets
    assert (palace.demo_sites, sample.demo_sites, palace.sample, sample.sample) == (0, 21, False, True)
    assert zh.target_cells(sample)[0] == SAMPLE + "（示例目标，含演示数据）"
    assert zh.target_cells(palace)[0] == PALACE
    assert zh.column_headers[1:] == [PALACE, SAMPLE + "（示例目标，含演示数据）"]
    assert progress_chart(zh, sample).title == SAMPLE + "（示例目标，含演示数据）"
    assert progress_chart(zh, palace).title == PALACE


def test_the_sample_target_is_marked_even_without_demo_sites(palace_store):
    report = _report(palace_store, "zh")
    assert report.summary == "已完成目标 0 / 2 项"  # no demo site counts: no mark on the figures
    assert report.headline(report.targets[1]) == "职工服务中心：0/7 镇街（示例目标）"
    en = _report(palace_store, "en")
    assert en.headline(en.targets[1]) == "Worker service centre: 0/7 towns (sample target)"


# ------------------------------------------------------------------ 3. charts: towns meeting, months, units, deadline


def test_progress_chart_counts_towns_meeting_the_target_not_sites(demo_store):
    zh = _report(demo_store, "zh")
    chart = progress_chart(zh, zh.targets[1])
    last = chart.points.loc[chart.points["month"] == "2025年6月"].set_index("series")["value"]
    assert last.to_dict() == {"达标镇街": 7.0, "要求达标镇街": 7.0}  # 7 towns, not the 21 demo centres
    assert chart.y_title == "达标镇街数" and chart.x_title == "月份"
    assert (chart.deadline_month, chart.deadline_label) == ("2025年12月", "截止 2025-12-31")
    assert chart.months[-1] == "2025年12月" and "2025年6月" in chart.months  # the axis reaches the deadline
    # the requirement is drawn on to the deadline; the towns meeting stop at the as-of date
    required = chart.points.loc[chart.points["series"] == "要求达标镇街", "month"].tolist()
    assert required[-1] == "2025年12月"
    assert chart.points.loc[chart.points["series"] == "达标镇街", "month"].tolist()[-1] == "2025年6月"
    en = _report(demo_store, "en")
    chart = progress_chart(en, en.targets[0])
    assert chart.months[-1] == "Dec 2025" and chart.y_title == "Towns meeting the target (count)"
    assert set(chart.points["series"]) == {"Towns meeting the target", "Towns required"}
    assert chart.points.loc[(chart.points["month"] == "Jun 2025")
                            & (chart.points["series"] == "Towns meeting the target"), "value"].tolist() == [4.0]


def test_a_region_wide_coverage_target_headline_gives_the_shares(palace_store):
    """Four palaces at 3 km cover well under 30% of Nanhai's 1,073 km²: the headline gives both shares."""
    targets = [Target("全区覆盖", "cultural_palace", "region", "area_share", 30, DEADLINE, radius_m=3000, id=1)]
    zh, en = _report(palace_store, "zh", targets=targets), _report(palace_store, "en", targets=targets)
    assert re.fullmatch(r"工人文化宫：面积覆盖率 \d+%/30%", zh.headline(zh.targets[0]))
    assert re.fullmatch(r"Workers' cultural palace: share of area covered \d+%/30%", en.headline(en.targets[0]))
    assert progress_chart(zh, zh.targets[0]).y_title == "覆盖面积（平方公里）"


def test_a_share_short_of_the_target_never_reads_as_met():
    from reports.leadership import pct_text

    assert [pct_text(a, 30) for a in (29.6, 29.96, 30.0, 30.4, 12.4)] == ["29.6", "29.9", "30", "30", "12"]


def test_a_region_wide_chart_gives_its_unit_on_the_axis(palace_store):
    targets = [Target("全区5宫", "cultural_palace", "region", "site_count", 5, DEADLINE, id=1)]
    chart = progress_chart(report := _report(palace_store, "zh", targets=targets), report.targets[0])
    assert chart.y_title == "站点数（个）"
    assert set(chart.points["series"]) == {"现有", "要求"}


# ------------------------------------------------------------------ 4. the workbook's detail sheets in words


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_detail_sheets_have_headers_and_values_in_words(demo_store, tmp_path, lang):
    report = _report(demo_store, lang)
    book = load_workbook(write_report(report, tmp_path / "r.xlsx"))
    keys = set(COLUMNS) | {"counted_sites", "demo_sites", "rag", "month", "date", "towns_met", "towns_total",
                           "site_id", "site_name", "demo"}
    codes = {"True", "False", "cultural_palace", "service_centre", "each_town", "site_count"}
    if lang == "zh":  # in English these codes are also the words
        codes |= {"red", "amber", "green", "sites"}
    for sheet in book.worksheets[1:]:
        rows = list(sheet.values)
        assert not set(rows[0]) & keys, (sheet.title, rows[0])  # no column is headed by its code
        values = {str(v) for row in rows[1:] for v in row if not isinstance(v, bool)}
        assert not values & codes, (sheet.title, values & codes)
        assert not any(isinstance(v, bool) for row in rows[1:] for v in row)
    details = list(book.worksheets[1].values)
    header = details[0]
    met = {r[header.index({"zh": "是否达标", "en": "Met"}[lang])] for r in details[1:]}
    rag = {r[header.index({"zh": "颜色（红黄绿）", "en": "Colour (red/amber/green)"}[lang])] for r in details[1:]}
    kind = {r[header.index({"zh": "阵地类型", "en": "Site type"}[lang])] for r in details[1:]}
    if lang == "zh":
        assert book.sheetnames == ["报告", "明细", "进度", "计入站点"]
        assert (met, rag, kind) == ({"已达标", "未达标"}, {"红", "绿"}, {"工人文化宫", "职工服务中心"})
        progress = list(book["进度"].values)
        # towns meeting first; the sums (sites, for a per-town count target) say they are sums, in their unit
        assert progress[0][4:] == ("达标镇街数", "镇街数", "是否达标", "要求合计", "现有合计", "差距合计", "单位")
        assert progress[-1][1:3] == (SAMPLE, "2025-06") and progress[-1][4:] == (7, 7, "已达标", 7, 21, 0, "个")
    else:
        assert book.sheetnames == ["Report", "Details", "Progress", "Counted sites"]
        assert (met, rag) == ({"met", "not met"}, {"red", "green"})
    sites = list(book.worksheets[3].values)
    demo = {r[5]: r[6] for r in sites[1:]}
    yes, no = {"zh": ("是", "否"), "en": ("yes", "no")}[lang]
    assert demo["南海区工人文化宫"] == no  # the real palace from Amap
    assert sum(v == yes for v in demo.values()) == 21  # the 21 demo service centres


def test_xlsx_detail_sheets_stay_formula_safe(store, tmp_path):
    target = TargetStore(store).add({"name": "=HYPERLINK(\"http://x\",\"y\")", "site_type": "book_room",
                                     "scope": "each_town", "measure": "site_count", "threshold": 1,
                                     "deadline": "2025-12-31"}, actor="planner")
    report = _report(store, "zh", targets=[target])
    book = load_workbook(write_report(report, tmp_path / "r.xlsx"))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" and not str(cell.value).startswith("=") for cell in cells)
    named = [cell.value for cell in book.worksheets[1]["B"][1:]]  # the details sheet's target column
    assert named == ["'=HYPERLINK(\"http://x\",\"y\")"] * 7


# ------------------------------------------------------------------ 5. English PDF: words and plurals


def test_english_pdf_breaks_lines_between_words(demo_store, tmp_path):
    report = _report(demo_store, "en")
    path = write_report(report, tmp_path / "r.pdf")
    assert len(PdfReader(path).pages) == 1
    written = [report.title, report.summary, report.demo_note, report.rule, *report.target_headers,
               *report.column_headers, *[report.headline_line(line) for line in report.targets],
               *[c for line in report.targets for c in report.target_cells(line)],
               *[name for name, _ in report.town_rows], *[c.text for _, cells in report.town_rows for c in cells],
               *[line for _, line in report.shortfalls], report.text("report.as_of", date=AS_OF.isoformat()),
               report.text("report.footer", attribution=report.attribution),
               *[report.text(f"report.rag.{r}") for r in ("red", "amber", "green")],
               *[report.text(k) for k in ("report.targets_heading", "report.towns_heading",
                                          "report.shortfall_heading", "report.rule_heading",
                                          "report.headlines_heading")]]
    words = set(re.findall(r"[A-Za-z]+", " ".join(written)))
    lines = _pdf_lines(path)
    broken = [(line, w) for line in lines for w in re.findall(r"[A-Za-z]+", line) if w not in words]
    assert broken == []  # was ("Workers' cultura", "cultura"), ("l palace", "l"), ("Towns m", "m"), ("et", "et")
    assert "Workers' cultural palace" in " ".join(lines) or {"Workers'", "cultural palace"} <= set(lines)
    assert "Towns met" in lines or {"Towns", "met"} <= set(lines)


def test_chinese_pdf_still_breaks_between_characters(demo_store, tmp_path):
    report = _report(demo_store, "zh")
    lines = _pdf_lines(write_report(report, tmp_path / "r.pdf"))
    text = "".join(lines).replace(" ", "")
    for expected in ("已完成目标1/2项（含演示数据）", "工人文化宫：4/7镇街，截止2025-12-31，剩余184天", "0/1红", "3*/1绿"):
        assert expected in text
    assert "2025年底前每个镇街建成开放工人" in lines  # a long name in a narrow column: broken between characters


def test_english_singulars_and_plurals(palace_store):
    targets = [Target("两宫", "cultural_palace", "towns", "site_count", 2, DEADLINE, towns=(GUICHENG,), id=1),
               Target("一宫", "cultural_palace", "towns", "site_count", 1, DEADLINE, towns=(GUICHENG,), id=2)]
    en = _report(palace_store, "en", targets=targets, as_of=DEADLINE - datetime.timedelta(days=1))
    short = dict((line.split(":")[1].split(",")[0].strip(), line) for _, line in en.shortfalls)
    assert "short by 2 sites (actual 0 / required 2)" in short["两宫"]
    assert "short by 1 site (actual 0 / required 1)" in short["一宫"]
    assert en.targets[0].days_text == "1 day left"
    late = _report(palace_store, "en", targets=targets, as_of=DEADLINE + datetime.timedelta(days=1))
    assert late.targets[0].days_text == "1 day overdue"
    assert _report(palace_store, "en", targets=targets, as_of=AS_OF).targets[0].days_text == "184 days left"
    zh = _report(palace_store, "zh", targets=targets, as_of=DEADLINE - datetime.timedelta(days=1))
    assert zh.targets[0].days_text == "剩余 1 天" and "差 1 个（现有 0 / 要求 1）" in zh.shortfalls[1][1]


def test_one_demo_site_is_one_demo_site(store):
    store.add({"name": "九江镇职工服务中心", "type": "service_centre", "status": "open", "lng": 113.034413,
               "lat": 22.905634, "source": "demo"}, actor="test", crs="wgs84")
    assert _report(store, "en").demo_note.endswith("1 demo site.")


# ------------------------------------------------------------------ the page (AppTest)


def test_targets_page_cards_metrics_and_chart_specs(demo_db, app_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SITES_USER", "leader-test")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/targets_page.py").run()
    at.date_input(key="targets_as_of").set_value(AS_OF).run()
    assert not at.exception, at.exception
    metrics = {m.label: (m.value, m.proto.delta) for m in at.metric}
    assert metrics == {"已完成目标": ("1/2", "含演示数据"), "达标镇街（各目标合计）": ("11/14", "含演示数据")}
    texts = [re.sub(r"\\(.)", r"\1", e.value) for e in at.get("markdown")]
    sample = texts.index("#### 职工服务中心：7/7 镇街")
    assert texts[sample + 1:sample + 3] == ["⚠️ **示例目标，含演示数据**", "截止 2025-12-31，剩余 184 天"]
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert [s["title"]["text"] for s in specs] == [PALACE, SAMPLE + "（示例目标，含演示数据）"]
    line, rule, label = specs[0]["layer"]
    assert line["encoding"]["y"]["title"] == "达标镇街数" and line["encoding"]["x"]["title"] == "月份"
    assert {p["month"] for p in line["data"]["values"]} >= {"2025年6月", "2025年12月"}
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"][0]["month"] == "2025年12月"
    assert label["data"]["values"][0]["label"] == "截止 2025-12-31"
    detail = next(d.value for d in at.dataframe if "站点编号" in d.value.columns)  # 计入站点明细
    assert (detail["演示数据"] == "是").sum() == 21 and set(detail["演示数据"]) == {"是", "否"}  # the demo centres
    at.radio(key="lang").set_value("en").run()
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert specs[0]["layer"][0]["encoding"]["y"]["title"] == "Towns meeting the target (count)"
    assert {p["month"] for p in specs[0]["layer"][0]["data"]["values"]} >= {"Jun 2025", "Dec 2025"}


# ------------------------------------------------------------------ the leader's path in a real browser (Chinese)

#: Metric labels Streamlit cut with an ellipsis (text wider than its box): the old third headline was one.
TRUNCATED_LABELS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMetricLabel"] *'))
    .filter(e => getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent)"""
#: What the uploader's button and size line show (CSS ``::after`` over Streamlit's English words).
UPLOADER_WORDS_JS = """e => [
    getComputedStyle(e.querySelector("button [data-testid=stMarkdownContainer] p"), "::after").content,
    getComputedStyle(e.querySelector("[data-testid=stFileUploaderDropzoneInstructions] span"), "::after").content]"""
#: The text drawn in each Vega-Lite chart (the SVG renderer's <text> elements: axis labels and titles, legend).
CHART_TEXTS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"] svg'))
    .map(svg => Array.from(svg.querySelectorAll('text')).map(t => t.textContent))"""


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_leader_path_in_chinese_in_a_real_browser(tmp_path):
    """The leader opens 目标进度 on the demo sample, sets the date, reads the headline cards, the chart (Chinese
    months, axis title with its unit, the deadline marked) and downloads the PDF and HTML report, which carry the
    same headlines. Screenshots: tests/artifacts/leader_headline.png, leader_chart.png, leader_report.png."""
    from playwright.sync_api import expect, sync_playwright

    from settings import Settings
    from sites.demo import seed_demo
    from tests.browser_support import (
        ARTIFACTS,
        CHROMIUM_ARGS,
        file_only,
        local_only,
        require_chromium,
        streamlit_app,
    )

    chromium = require_chromium()
    db = tmp_path / "sites.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        seed_demo(store, actor="test")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    requested: list[str] = []
    with streamlit_app(tmp_path) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                                          accept_downloads=True)
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.goto(url)
            page.get_by_role("link", name="目标进度").click()
            expect(page.get_by_text("已完成目标", exact=True)).to_be_visible(timeout=90_000)
            page.get_by_role("spinbutton", name="year, 统计日期").click()
            page.keyboard.type("20250630")  # year, month, day: the field moves on by itself
            page.keyboard.press("Escape")
            page.get_by_role("heading", name="目标进度").click()  # leaving the field sets the date
            palace = page.get_by_test_id("stVerticalBlock").filter(has_text="工人文化宫：4/7 镇街").last
            expect(palace).to_contain_text("截止 2025-12-31，剩余 184 天", timeout=60_000)
            expect(palace).to_contain_text(PALACE)
            sample = page.get_by_test_id("stVerticalBlock").filter(has_text="职工服务中心：7/7 镇街").last
            expect(sample).to_contain_text("示例目标，含演示数据")
            expect(page.get_by_test_id("stMetric").filter(has_text="达标镇街（各目标合计）")).to_contain_text(
                "11/14含演示数据")
            assert page.evaluate(TRUNCATED_LABELS_JS) == []
            page.screenshot(path=ARTIFACTS / "leader_headline.png")
            page.set_viewport_size({"width": 1024, "height": 900})  # a laptop beside a projector
            page.wait_for_timeout(500)
            assert page.evaluate(TRUNCATED_LABELS_JS) == []
            page.set_viewport_size({"width": 1400, "height": 1000})

            page.get_by_role("heading", name="逐月进度").scroll_into_view_if_needed()
            expect(page.get_by_test_id("stVegaLiteChart").locator("svg")).to_have_count(2, timeout=30_000)
            palace_chart, sample_chart = page.evaluate(CHART_TEXTS_JS)
            for texts in (palace_chart, sample_chart):
                assert {"月份", "达标镇街数", "达标镇街", "要求达标镇街", "截止 2025-12-31"} <= set(texts)
                assert not [t for t in texts if re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b",
                                                          t)]
            assert {"2025年6月", "2025年12月"} <= set(palace_chart)
            assert PALACE in palace_chart and SAMPLE + "（示例目标，含演示数据）" in sample_chart
            page.get_by_test_id("stVegaLiteChart").first.scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / "leader_chart.png")

            page.get_by_text("从表格批量导入逐镇街目标").click()  # the targets sheet's uploader speaks Chinese too
            uploader = page.get_by_test_id("stFileUploader").first
            expect(uploader).to_be_visible(timeout=30_000)
            assert uploader.evaluate(UPLOADER_WORDS_JS) == ['"选择文件"', '"单个文件不超过 20 MB"']

            reports = {}
            for fmt in ("PDF", "HTML"):
                with page.expect_download(timeout=60_000) as download:
                    page.get_by_role("button", name=f"下载 {fmt}").click()
                reports[fmt] = tmp_path / download.value.suggested_filename
                download.value.save_as(reports[fmt])
            assert reports["PDF"].name == "targets-2025-06-30-zh.pdf"
            printed = "".join(_pdf_lines(reports["PDF"])).replace(" ", "")
            assert "工人文化宫：4/7镇街，截止2025-12-31，剩余184天" in printed
            assert "职工服务中心：7/7镇街（示例目标，含演示数据）" in printed
            headlines = [text for cls, text in _paragraphs(reports["HTML"]) if cls.startswith("headline")]
            assert headlines[0].startswith("工人文化宫：4/7 镇街，截止 2025-12-31，剩余 184 天")
            offline = browser.new_context(viewport={"width": 900, "height": 1200}, locale="zh-CN")
            offline.route("**/*", file_only(requested))  # the report opens from disk with nothing else
            report_page = offline.new_page()
            report_page.goto(reports["HTML"].as_uri())
            expect(report_page.get_by_text("职工服务中心：7/7 镇街（示例目标，含演示数据）", exact=False)).to_be_visible()
            report_page.screenshot(path=ARTIFACTS / "leader_report.png", full_page=True)
        finally:
            browser.close()
    assert blocked == [] and requested == []


# ------------------------------------------------------------------ a printed report stays short at any size


def test_printed_reports_list_the_worst_towns_and_say_how_many_more(palace_store, tmp_path, monkeypatch):
    """On paper (palaces in 狮山, 九江, 丹灶, 里水; Dali's palace under construction in the report module's
    registry is not here): the palace target is red in 桂城, 西樵, 大沥; the sample service-centre target red in
    all 7 towns. Capped at 3, the page keeps 桂城, 西樵, 大沥 (2 reds each), in the region's order, and says 4
    more; 10 shortfalls, 3 shown, 7 more. The XLSX keeps all 7 towns and all 10 shortfalls."""
    import reports.leadership as leadership

    report = _report(palace_store, "zh")
    assert report.printed_town_rows()[1] == 0 and report.printed_shortfalls()[1] == 0  # 7 towns fit: all shown
    monkeypatch.setattr(leadership, "PRINTED_ROWS", 3)
    shown, left_out = report.printed_town_rows()
    assert ([name for name, _ in shown], left_out) == (["桂城街道", "西樵镇", "大沥镇"], 4)
    assert report.more_towns_text(4) == "另有 4 个镇街未列出（上表列出未达标最多的镇街），完整表格见 XLSX 报告"
    assert report.more_shortfalls_text(7) == "另有 7 条差距未列出，完整清单见 XLSX 报告"
    printed = "".join(_pdf_lines(write_report(report, tmp_path / "r.pdf"))).replace(" ", "")
    assert "另有4个镇街未列出" in printed and "另有7条差距未列出" in printed
    assert "狮山镇" not in printed and "桂城街道" in printed
    html = _paragraphs(write_report(report, tmp_path / "r.html"))
    assert [text for cls, text in html if cls == "more"] == [report.more_towns_text(4), report.more_shortfalls_text(7)]
    page = [row for row in load_workbook(write_report(report, tmp_path / "r.xlsx")).worksheets[0].values]
    assert sum(1 for row in page if row[0] in {"狮山镇", "九江镇", "丹灶镇", "里水镇", "桂城街道", "西樵镇", "大沥镇"}) == 7
    assert sum(1 for row in page if str(row[0]).startswith("【红】")) == 10
    en = _report(palace_store, "en")
    assert en.more_towns_text(1) == ("1 more town not listed (the table shows those with the most targets not met); "
                                     "the XLSX report has them all")
    assert en.more_shortfalls_text(2) == "2 more shortfalls not listed; the XLSX report has them all"


def test_many_targets_print_as_several_town_tables(palace_store, tmp_path):
    """8 targets: the PDF's town-by-town table comes as two tables (6 + 2 targets), each with the town column,
    so no column is a sliver; the XLSX keeps one table of 8."""
    targets = [Target(f"目标{i}", "cultural_palace", "each_town", "site_count", i, DEADLINE, id=i) for i in range(1, 9)]
    report = _report(palace_store, "zh", targets=targets)
    lines = _pdf_lines(write_report(report, tmp_path / "r.pdf"))
    assert lines.count("镇街") == 2 and lines.count("桂城街道") == 2  # the town column in each table
    header = lines.index("镇街")
    assert lines[header + 1:header + 7] == [f"目标{i}" for i in range(1, 7)]
    second = lines.index("镇街", header + 1)
    assert lines[second + 1:second + 3] == ["目标7", "目标8"]
    page = [row for row in load_workbook(write_report(report, tmp_path / "r.xlsx")).worksheets[0].values]
    assert [row[:9] for row in page if row[0] == "镇街"] == [("镇街", *[f"目标{i}" for i in range(1, 9)])]
