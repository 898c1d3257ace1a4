"""Targets as offices write them (issue 12): "new since DATE" targets, per-town targets from a sheet (all or
nothing), the counted sites as a detail table (one row each, 5,000 sites), and a share-of-demand target with
no demand layer on the targets page (a reason, never a traceback; the editor still reachable).

Answers worked out by hand on hand-built sites and the bundled Nanhai towns.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from streamlit.testing.v1 import AppTest

from cli.scoring import main as scoring_main
from errors import ImportRejected, RecordError
from reports.files import write_report
from reports.leadership import DETAIL_COLUMNS, build_report, detail_rows
from sites.frame import sites_frame
from sites.models import Site
from sites.store import SiteStore
from targets.model import Target, parse_target
from targets.sheet import parse_target_sheet
from targets.store import TargetStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "app_pages/targets_page.py"
GUICHENG, JIUJIANG, XIQIAO, DANZAO, SHISHAN, DALI, LISHUI = (
    "440605011000", "440605121000", "440605122000", "440605123000", "440605124000", "440605125000",
    "440605126000",
)
TOWNS = (GUICHENG, JIUJIANG, XIQIAO, DANZAO, SHISHAN, DALI, LISHUI)
AS_OF = datetime.date(2025, 6, 30)
DEADLINE = datetime.date(2025, 12, 31)


def _site(i: int, town: str, *, opened: str | None = None, kind: str = "cultural_palace",
          name: str | None = None) -> Site:
    return Site(i, name or f"宫{i}", kind, "open", 113.0, 23.0, town,
                opened_on=datetime.date.fromisoformat(opened) if opened else None)


# ------------------------------------------------------------------ new since DATE


def test_new_since_counts_only_sites_opened_on_or_after_the_date(region):
    """Yunfu's "2 new cultural palaces built": four palaces, opened 2018, 2020-01-01, 2023 and unknown; since
    2020-01-01 only the 2020-01-01 and 2023 ones are new (a palace with no date is not known to be new)."""
    sites = sites_frame([_site(1, SHISHAN, opened="2018-05-01"), _site(2, JIUJIANG, opened="2020-01-01"),
                         _site(3, DANZAO, opened="2023-09-30"), _site(4, LISHUI)])
    new = Target("新建2座工人文化宫", "cultural_palace", "region", "site_count", 2, DEADLINE,
                 new_since=datetime.date(2020, 1, 1), id=1)
    every = Target("全区4座", "cultural_palace", "region", "site_count", 4, DEADLINE, id=2)
    report = build_report([new, every], sites, region, as_of=AS_OF)
    rows = {r["target_id"]: r for r in report.rows.to_dict("records")}
    assert (rows[1]["actual"], rows[1]["met"], sorted(rows[1]["site_ids"])) == (2, True, [2, 3])
    assert (rows[2]["actual"], rows[2]["met"]) == (4, True)
    assert new.describe("zh").endswith("（只计 2020-01-01 及以后开放的新建站点）")
    assert report.target_cells(report.targets[0])[0] == "新建2座工人文化宫（2020-01-01起新建）"
    assert "only sites opened on or after 2020-01-01 count" in new.describe("en")
    # a palace that opens later is counted from its month on, and not before
    series = report.series[1]
    assert series.loc[series["date"] == datetime.date(2023, 8, 31), "actual"].item() == 1
    assert series.loc[series["date"] == datetime.date(2023, 9, 30), "actual"].item() == 2


def test_new_since_is_validated_parsed_and_stored(store):
    with pytest.raises(RecordError) as info:
        parse_target({"name": "x", "site_type": "cultural_palace", "scope": "region", "measure": "site_count",
                      "threshold": 2, "deadline": "2025-12-31", "new_since": "2026-01-01"})
    assert [(p.code, p.field) for p in info.value.problems] == [("target.new_since_after_deadline", "new_since")]
    with pytest.raises(RecordError) as info:
        parse_target({"name": "x", "site_type": "cultural_palace", "scope": "region", "measure": "site_count",
                      "threshold": 2, "deadline": "2025-12-31", "new_since": "去年"})
    assert [(p.code, p.field) for p in info.value.problems] == [("target.bad_date", "new_since")]
    targets = TargetStore(store)
    assert store.database.schema_version("targets") == 4
    added = targets.add({"name": "新建2宫", "site_type": "cultural_palace", "scope": "region",
                         "measure": "site_count", "threshold": 2, "deadline": "2025-12-31",
                         "new_since": "2020-01-01"}, actor="a")
    assert targets.get_target(added.id).new_since == datetime.date(2020, 1, 1)
    changed = targets.update(added.id, {"new_since": None}, actor="a")
    assert changed.new_since is None and targets.get_target(added.id).new_since is None
    assert [e.changes()["new_since"] for e in targets.history(added.id)[1:]] == [("2020-01-01", None)]


def test_cli_target_add_new_since(tmp_path, capsys):
    from cli.sites import main as sites_main

    db = tmp_path / "s.db"
    assert sites_main(["init", "--db", str(db)]) == 0
    assert scoring_main(["target-add", "--db", str(db), "--name", "新建2座工人文化宫", "--type", "cultural_palace",
                         "--scope", "region", "--measure", "site_count", "--threshold", "2",
                         "--deadline", "2025-12-31", "--new-since", "2020-01-01"]) == 0
    assert json.loads(capsys.readouterr().out)["new_since"] == "2020-01-01"


# ------------------------------------------------------------------ per-town targets from a sheet


def _sheet(path: Path, rows: list[list[object]], *, title: str | None = "江门市2025年职工服务中心建设目标") -> Path:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:D1")
    sheet.append(["镇街代码", "镇街名称", "目标数量", "截止日期"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_sheet_makes_one_target_per_town(store, tmp_path):
    rows = [[code, None, k + 1, "2026-06-30"] for k, code in enumerate(TOWNS[:5])]
    rows += [[None, "大沥镇", 3, None], [int(LISHUI), "里水镇", 2, None]]  # by name; a code Excel made a number
    path = _sheet(tmp_path / "逐镇目标.xlsx", rows)
    sheet = parse_target_sheet(path, store.towns(), defaults={"site_type": "service_centre",
                                                              "deadline": "2025-12-31", "name": "服务中心"})
    assert [tg.towns for tg in sheet.targets] == [(c,) for c in TOWNS]
    assert [tg.threshold for tg in sheet.targets] == [1, 2, 3, 4, 5, 3, 2]
    assert [tg.deadline.isoformat() for tg in sheet.targets] == ["2026-06-30"] * 5 + ["2025-12-31"] * 2
    assert sheet.targets[0].name == "服务中心（桂城街道）" and sheet.lines == list(range(3, 10))
    assert {tg.scope for tg in sheet.targets} == {"towns"}
    stored = TargetStore(store).add_many(sheet.targets, actor="a")
    assert len(stored) == 7 and len(TargetStore(store).list_targets()) == 7 + 2  # + the two seeded targets


def test_a_county_offices_sheet_names_its_units_by_county_headers(store, tmp_path):
    """A county region's page asks for 区县代码 or 区县名称 (its level's word): a sheet headed so reads."""
    path = tmp_path / "逐区县目标.csv"
    path.write_text("区县名称,目标数量\n大沥镇,3\n里水镇,2\n", encoding="gbk")
    sheet = parse_target_sheet(path, store.towns(), defaults={"site_type": "cultural_palace", "deadline": "2025-12-31"})
    assert [(tg.towns, tg.threshold) for tg in sheet.targets] == [((DALI,), 3), ((LISHUI,), 2)]
    path.write_text("区县代码,目标数量\n" + LISHUI + ",1\n", encoding="utf-8")
    sheet = parse_target_sheet(path, store.towns(), defaults={"site_type": "cultural_palace", "deadline": "2025-12-31"})
    assert [(tg.towns, tg.threshold) for tg in sheet.targets] == [((LISHUI,), 1)]


def test_sheet_with_a_bad_row_writes_nothing_and_names_every_bad_row(tmp_path, capsys):
    from cli.sites import main as sites_main

    db = tmp_path / "s.db"
    assert sites_main(["init", "--db", str(db)]) == 0
    path = tmp_path / "targets.csv"
    path.write_bytes(("镇街代码,镇街名称,目标数量\n"
                      f"{GUICHENG},,2\n"
                      ",西樵镇,很多\n"  # line 3: not a number
                      ",火星镇,1\n"  # line 4: no such town
                      f"{SHISHAN},,0\n").encode("gbk"))  # line 5: a count below 1
    before = _targets(db)
    assert scoring_main(["target-import", str(path), "--db", str(db), "--type", "service_centre",
                         "--deadline", "2025-12-31", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "3 of 4 rows have errors: no target was imported" in err
    assert "line 3, field '目标数量'" in err and "line 4" in err and "火星镇" in err and "line 5" in err
    assert _targets(db) == before  # nothing written
    path.write_bytes(f"镇街代码,镇街名称,目标数量\n{GUICHENG},,2\n,西樵镇,1\n".encode("gbk"))
    assert scoring_main(["target-import", str(path), "--db", str(db), "--type", "service_centre",
                         "--deadline", "2025-12-31", "--name", "服务中心"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(t["name"], t["towns"], t["threshold"]) for t in out] == [
        ("服务中心（桂城街道）", [GUICHENG], 2.0), ("服务中心（西樵镇）", [XIQIAO], 1.0)]
    assert len(_targets(db)) == len(before) + 2


def test_store_add_many_is_one_transaction(store):
    targets = TargetStore(store)
    good = Target("甲", "book_room", "towns", "site_count", 1, DEADLINE, towns=(GUICHENG,))
    bad = Target("乙", "book_room", "towns", "site_count", 1, DEADLINE, towns=("999999999999",))
    with pytest.raises(RecordError):
        targets.add_many([good, bad], actor="a")
    assert [t.name for t in targets.list_targets()] == [t.name for t in TargetStore(store).list_targets()]
    assert "甲" not in {t.name for t in targets.list_targets()}


def test_sheet_without_a_header_row_is_named(store, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("town,count\nA,1\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        parse_target_sheet(path, store.towns())
    assert info.value.problems[0].code == "target.sheet_no_header"


def _targets(db: Path) -> list[dict]:
    with SiteStore(db) as store:
        return [t.to_dict() for t in TargetStore(store).list_targets()]


# ------------------------------------------------------------------ counted sites: a detail table


def test_detail_table_has_one_row_per_counted_site_at_5000_sites(region, tmp_path):
    names = [f"职工书屋第{i:05d}号（某某工业园区某某公司）" for i in range(5000)]  # 5,000 × ~20 chars > 32,767
    sites = sites_frame([_site(i + 1, TOWNS[i % 7], kind="book_room", name=names[i]) for i in range(5000)])
    target = Target("全区书屋", "book_room", "region", "site_count", 5000, DEADLINE, id=1)
    report = build_report([target], sites, region, as_of=AS_OF)
    detail = detail_rows(report)
    assert list(detail.columns) == list(DETAIL_COLUMNS) and len(detail) == 5000
    assert sorted(detail["site_id"]) == list(range(1, 5001)) and set(detail["target_id"]) == {1}
    path = write_report(report, tmp_path / "report.xlsx")
    book = load_workbook(path, read_only=True)
    longest = max(len(str(c)) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
                  if c is not None)
    assert longest < 32767
    sheet = book["计入站点"]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 5001
    details = list(book["明细"].iter_rows(values_only=True))
    assert "站点名称" not in details[0] and details[1][details[0].index("计入站点数")] == 5000  # headers in words
    book.close()


def test_cli_targets_csv_has_no_name_lists_and_detail_lists_each_site(demo_db, capsys):
    capsys.readouterr()
    assert scoring_main(["targets", "--db", str(demo_db), "--as-of", "2025-06-30", "--format", "csv"]) == 0
    import csv

    summary = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "site_names" not in summary[0] and "counted_sites" in summary[0]
    assert scoring_main(["targets", "--db", str(demo_db), "--as-of", "2025-06-30", "--format", "csv",
                         "--detail"]) == 0
    detail = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(detail[0]) == list(DETAIL_COLUMNS)
    assert len(detail) == sum(int(r["counted_sites"]) for r in summary) > 0
    for row in summary:
        mine = [d for d in detail if d["target_id"] == row["target_id"] and d["town_code"] == row["town_code"]]
        assert len(mine) == int(row["counted_sites"])


# ------------------------------------------------------------------ a population target without a layer


def test_report_lists_a_target_it_cannot_evaluate_and_evaluates_the_rest(region):
    sites = sites_frame([_site(1, SHISHAN)])
    people = Target("人口覆盖80%", "cultural_palace", "region", "demand_share", 80, DEADLINE, radius_m=1000, id=7)
    palace = Target("每镇一宫", "cultural_palace", "each_town", "site_count", 1, DEADLINE, id=8)
    report = build_report([people, palace], sites, region, as_of=AS_OF)
    assert [line.target.id for line in report.targets] == [8]
    assert [(u.target.id, u.reason) for u in report.unavailable] == [
        (7, "目标“人口覆盖80%”按需求覆盖率计算，但没有提供需求图层")]


def test_cli_targets_without_a_demand_layer_names_the_target_and_prints_the_rest(tmp_path, capsys):
    from cli.sites import main as sites_main

    db = tmp_path / "s.db"
    assert sites_main(["init", "--db", str(db)]) == 0
    assert scoring_main(["target-add", "--db", str(db), "--name", "人口覆盖80%", "--type", "cultural_palace",
                         "--scope", "region", "--measure", "demand_share", "--threshold", "80", "--radius-m",
                         "1000", "--deadline", "2025-12-31"]) == 0
    capsys.readouterr()
    assert scoring_main(["targets", "--db", str(db), "--as-of", "2025-06-30", "--lang", "en"]) == 0
    captured = capsys.readouterr()
    assert "target #3 '人口覆盖80%' cannot be evaluated" in captured.err
    assert {r["target_id"] for r in json.loads(captured.out)} == {1, 2}


@pytest.fixture
def page_db(app_db, monkeypatch) -> Path:
    monkeypatch.setenv("SITES_USER", "leader-test")
    with SiteStore(app_db) as store:
        TargetStore(store).add({"name": "人口覆盖80%", "site_type": "cultural_palace", "scope": "region",
                                "measure": "demand_share", "threshold": 80, "radius_m": 1000,
                                "deadline": "2025-12-31"}, actor="leader-test")
    return app_db


def test_targets_page_says_why_and_the_target_can_be_deleted(page_db):
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("3“人口覆盖80%”暂时无法计算" in w and "没有提供需求图层" in w for w in warnings), warnings
    assert {m.label: m.value for m in at.metric}["已完成目标"] == "0/2"  # the two seeded targets still shown
    at.selectbox(key="target_pick").set_value(3).run()
    at.button(key="target_delete").click().run()
    assert not at.exception, at.exception
    with SiteStore(page_db) as store:
        assert [t.id for t in TargetStore(store).list_targets()] == [1, 2]
    assert not any("人口覆盖" in w.value for w in at.warning)


def test_targets_page_imports_per_town_targets_from_a_sheet(page_db, tmp_path):
    path = _sheet(tmp_path / "逐镇.xlsx", [[GUICHENG, None, 2, None], [None, "狮山镇", 3, None]])
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    at.file_uploader(key="target_import_file").set_value((path.name, path.read_bytes(), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    at.button(key="target_import_commit").click().run()
    assert any("导入 2 个目标" in s.value for s in at.success), [s.value for s in at.success]
    with SiteStore(page_db) as store:
        assert [(t.towns, t.threshold) for t in TargetStore(store).list_targets()][-2:] == [
            ((GUICHENG,), 2.0), ((SHISHAN,), 3.0)]


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".xlsx"])
def test_every_report_format_names_the_target_it_cannot_evaluate(region, tmp_path, suffix):
    sites = sites_frame([_site(1, SHISHAN)])
    people = Target("人口覆盖80%", "cultural_palace", "region", "demand_share", 80, DEADLINE, radius_m=1000, id=7)
    report = build_report([people], sites, region, as_of=AS_OF, lang="en")
    path = write_report(report, tmp_path / f"report{suffix}")
    if suffix == ".html":
        text = path.read_text(encoding="utf-8")
    elif suffix == ".pdf":
        from pypdf import PdfReader

        text = "".join(page.extract_text() for page in PdfReader(path).pages).replace("\x00", "")  # fpdf2 ToUnicode
    else:
        text = " ".join(str(c) for row in load_workbook(path).worksheets[0].iter_rows(values_only=True)
                        for c in row if c is not None)
    assert "Targets that cannot be evaluated" in text
    assert "measures demand coverage but no demand layer was given" in " ".join(text.split())


def test_editor_saves_a_new_since_target(page_db):
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    at.text_input(key="target_name").set_value("新建2座工人文化宫")
    at.checkbox(key="target_new_only").check().run()
    at.date_input(key="target_new_since").set_value(datetime.date(2020, 1, 1))
    at.number_input(key="target_threshold").set_value(2.0)
    at.date_input(key="target_deadline").set_value(DEADLINE).run()
    at.button(key="target_save").click().run()
    assert not at.exception, at.exception
    with SiteStore(page_db) as store:
        saved = TargetStore(store).list_targets()[-1]
    assert (saved.name, saved.new_since, saved.threshold) == ("新建2座工人文化宫", datetime.date(2020, 1, 1), 2.0)
    assert at.checkbox(key="target_new_only").value is True  # the editor reloads the saved target
