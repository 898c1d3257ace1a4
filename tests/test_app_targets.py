"""AppTest of the leadership page on a registry holding Nanhai's four confirmed cultural palaces.

Worked out on paper: the seeded targets are "a palace open in each of the 7
towns" and "a service centre in each town" (deadline 2025-12-31). The four
palaces (Amap, GCJ-02) lie in 狮山, 九江, 丹灶 and 里水, so the palace target is
met in 4 of 7 towns, the service-centre target in 0 of 7: targets met 0/2,
towns met 4/14; as of 2025-06-30 the deadline is 184 days away
(31 + 31 + 30 + 31 + 30 + 31).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.report_files import report_bytes
from reports.leadership import build_report
from sites.frame import sites_frame
from sites.store import SiteStore
from targets.store import TargetStore
from tests.targets_support import import_palaces

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "app_pages/targets_page.py"
AS_OF = datetime.date(2025, 6, 30)


@pytest.fixture
def db(app_db, monkeypatch) -> Path:
    """conftest's ``app_db`` holding the four palaces, read by the user ``leader-test``."""
    monkeypatch.setenv("SITES_USER", "leader-test")
    with SiteStore(app_db) as store:
        import_palaces(store)
    return app_db


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    at.date_input(key="targets_as_of").set_value(AS_OF).run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _card(at: AppTest, headline: str) -> list[str]:
    """The texts of the target card headed ``headline`` (heading, its marks if any, deadline line), unescaped."""
    texts = [re.sub(r"\\(.)", r"\1", e.value) for e in at.get("markdown")]
    start = texts.index(f"#### {headline}")
    end = next((i for i in range(start + 1, len(texts)) if texts[i].startswith("#### ")), len(texts))
    return texts[start:end]


def test_headline_town_table_and_countdown(db):
    at = _open()
    metrics = _metrics(at)
    assert metrics["已完成目标"] == "0/2"
    assert metrics["达标镇街（各目标合计）"] == "4/14"
    assert _card(at, "工人文化宫：4/7 镇街") == ["#### 工人文化宫：4/7 镇街", "截止 2025-12-31，剩余 184 天"]
    assert "2025年底前每个镇街建成开放工人文化宫" in [c.value for c in at.caption]  # the card names its target
    assert _card(at, "职工服务中心：0/7 镇街") == ["#### 职工服务中心：0/7 镇街", "⚠️ **示例目标**",  # the sample
                                            "截止 2025-12-31，剩余 184 天"]
    summary = at.dataframe[0].value
    assert list(summary["达标镇街"]) == ["4 / 7", "0 / 7"]
    by_town = at.dataframe[1].value.set_index("镇街")
    palace = by_town["2025年底前每个镇街建成开放工人文化宫"]
    assert palace["狮山镇"] == "绿 1/1"
    assert palace["桂城街道"] == "红 0/1"
    assert sum(cell.startswith("绿") for cell in palace) == 4
    shortfalls = at.dataframe[2].value
    assert len(shortfalls) == 3 + 7  # 3 towns without a palace, 7 without a service centre
    assert len(at.get("arrow_line_chart")) == 2 or len(at.get("vega_lite_chart")) == 2


def test_countdown_turns_into_days_overdue(db):
    at = _open()
    at.date_input(key="targets_as_of").set_value(datetime.date(2026, 1, 10)).run()
    assert _card(at, "工人文化宫：4/7 镇街") == ["#### 工人文化宫：4/7 镇街",
                                           "🔴 截止 2025-12-31，已超期 10 天"]  # overdue and not met


def test_english_switch(db):
    at = _open()
    at.radio(key="lang").set_value("en").run()
    assert at.header[0].value == "Targets"
    assert _metrics(at)["Targets met"] == "0/2"
    assert "Town" in at.dataframe[1].value.columns


def test_report_downloads_are_built_in_memory(db):
    with SiteStore(db) as store:
        targets = TargetStore(store).list_targets()
        report = build_report(targets, sites_frame(store.list_sites()), store.region(), as_of=AS_OF, lang="zh")
    xlsx = report_bytes(report, ".xlsx")
    assert xlsx[:2] == b"PK"
    assert report_bytes(report, ".pdf")[:5] == b"%PDF-"
    html = report_bytes(report, ".html").decode("utf-8")
    assert "已完成目标 0 / 2 项" in html


def test_target_editor_adds_a_target_and_shows_bad_input(db):
    at = _open()
    at.selectbox(key="target_pick").set_value(0).run()
    at.button(key="target_save").click().run()  # no name
    assert any("目标名称不能为空" in e.value for e in at.error)
    with SiteStore(db) as store:
        assert len(TargetStore(store).list_targets()) == 2
    at.text_input(key="target_name").set_value("全区至少4座文化宫")
    at.selectbox(key="target_site_type_zh").set_value("cultural_palace")
    at.radio(key="target_scope_zh").set_value("region")
    at.number_input(key="target_threshold").set_value(4.0)
    at.run()
    at.button(key="target_save").click().run()
    assert not at.exception
    with SiteStore(db) as store:
        targets = TargetStore(store)
        added = targets.list_targets()[-1]
        assert (added.name, added.scope, added.threshold) == ("全区至少4座文化宫", "region", 4.0)
        assert [e.actor for e in targets.history(added.id)] == ["leader-test"]
    assert _metrics(at)["已完成目标"] == "1/3"


def test_a_click_that_changes_nothing_reuses_the_evaluation_and_a_write_does_not(db, monkeypatch):
    """The page evaluates its targets once per state of what they read (sites, targets, region, demand layers,
    date, language): a rerun that changes none of these (a table page, a chart) shows the same report without
    evaluating again (1.1 s of CPU at 50,000 sites); a new site, or another date, evaluates again."""
    import reports.leadership as leadership

    runs: list[datetime.date] = []
    real = leadership.build_report
    monkeypatch.setattr(leadership, "build_report", lambda *a, **k: runs.append(k["as_of"]) or real(*a, **k))
    at = _open()
    assert runs == [datetime.date.today(), AS_OF]
    at.run()
    at.run()
    assert runs == [datetime.date.today(), AS_OF] and _metrics(at)["达标镇街（各目标合计）"] == "4/14"
    with SiteStore(db) as store:  # a fifth palace, in 桂城, written by someone else
        site, _ = store.add({"name": "桂城工人文化宫", "type": "cultural_palace", "status": "open", "lng": 113.15,
                          "lat": 23.04, "opened_on": "2020-01-01"}, actor="other", crs="wgs84")
        assert site.town_code == "440605011000"  # 桂城街道
    at.run()
    assert runs == [datetime.date.today(), AS_OF, AS_OF] and _metrics(at)["达标镇街（各目标合计）"] == "5/14"
    at.date_input(key="targets_as_of").set_value(datetime.date(2025, 7, 1)).run()
    assert len(runs) == 4 and not at.exception
