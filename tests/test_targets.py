"""Rollout targets: the model, its validation and the stored targets with their audit trail."""

from __future__ import annotations

import datetime
import io
import json
import sqlite3
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import psycopg
import pytest

from cli.scoring import main
from errors import NotFound, RecordError
from sites.region import RegionSpec
from sites.store import SiteStore
from targets.model import Target, check_target, parse_target, validate_target
from targets.store import TargetStore
from tests.security_support import sql_connect

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends

GUICHENG, JIUJIANG = "440605011000", "440605121000"
CODES = [GUICHENG, JIUJIANG]


def _valid(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "每镇一宫", "site_type": "cultural_palace", "scope": "each_town", "measure": "site_count",
        "threshold": "1", "deadline": "2025-12-31",
    }
    values.update(changes)
    return values


# ----------------------------------------------------------------------- model


def test_parse_target_fills_defaults_and_parses_text() -> None:
    target = parse_target(_valid(statuses="open, suspended", threshold="2"), town_codes=CODES)
    assert target.threshold == 2.0
    assert target.deadline == datetime.date(2025, 12, 31)
    assert target.statuses == ("open", "suspended")
    assert target.towns == ()
    assert target.unit == "sites"
    assert parse_target(_valid()).statuses == ("open",)


def test_parse_target_listed_towns_in_chinese_separators() -> None:
    target = parse_target(_valid(scope="towns", towns=f"{GUICHENG}、{JIUJIANG}"), town_codes=CODES)
    assert target.towns == (GUICHENG, JIUJIANG)


def test_coverage_target_needs_a_radius_and_a_percentage() -> None:
    target = parse_target(_valid(measure="area_share", threshold="60", radius_m="5000"))
    assert (target.threshold, target.radius_m, target.unit) == (60.0, 5000.0, "km2")
    assert parse_target(_valid(measure="demand_share", threshold=80, radius_m=800)).unit == "people"


def test_describe_in_both_languages() -> None:
    target = parse_target(_valid())
    assert target.describe("zh") == "每个镇街至少 1 个开放的工人文化宫，2025-12-31 前完成"
    assert target.describe("en") == "every town: at least 1 Workers' cultural palace (Open) by 2025-12-31"
    share = parse_target(_valid(measure="area_share", threshold="50", radius_m="800", scope="region"))
    assert share.describe("zh") == "全区合计面积覆盖率达到 50%（服务半径 800 米，计入开放的工人文化宫），2025-12-31 前完成"


def test_every_problem_is_reported_at_once_with_its_field_and_line() -> None:
    with pytest.raises(RecordError) as info:
        parse_target({"name": " ", "site_type": "palace", "scope": "town", "measure": "site_count",
                      "threshold": "1.5", "deadline": "2025-13-01", "statuses": "open,shut"},
                     file="targets.csv", row=3)
    fields = [p.field for p in info.value.problems]
    assert fields == ["deadline", "name", "site_type", "scope", "threshold", "statuses"]
    assert all(p.file == "targets.csv" and p.row == 3 for p in info.value.problems)
    text = info.value.message("zh")
    assert "文件 targets.csv，第 3 行，字段“deadline”：日期“2025-13-01”无效" in text
    assert "未知的站点状态“shut”" in text
    assert "站点数 1.5 无效" in text
    assert "line 3, field 'site_type': unknown site type 'palace'" in info.value.message("en")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"threshold": "abc"}, "“abc”不是数字"),
        ({"threshold": "0"}, "站点数 0 无效"),
        ({"radius_m": "500"}, "站点数目标不使用服务半径"),
        ({"measure": "area_share", "threshold": "120", "radius_m": "500"}, "覆盖率 120 无效"),
        ({"measure": "area_share", "threshold": "50"}, "覆盖率目标须给出服务半径（米，大于 0），当前为 —"),
        ({"measure": "area_share", "threshold": "50", "radius_m": "-1"}, "覆盖率目标须给出服务半径"),
        ({"measure": "people"}, "指标“people”无效"),
        ({"scope": "towns"}, "须列出至少一个镇街代码"),
        ({"towns": GUICHENG}, "只有范围为“指定镇街”"),
        ({"scope": "towns", "towns": "999"}, "镇街代码“999”不在本区域的镇街中"),
        ({"deadline": ""}, "日期“”无效"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], match: str) -> None:
    with pytest.raises(RecordError, match=match):
        parse_target(_valid(**changes), town_codes=CODES)


def test_check_target_on_a_built_target() -> None:
    good = Target("t", "book_room", "region", "site_count", 3, datetime.date(2026, 1, 1))
    assert check_target(good) is good
    assert validate_target(good) == []
    bad = Target("t", "book_room", "region", "site_count", 3, datetime.date(2026, 1, 1), statuses=())
    with pytest.raises(RecordError, match="至少选择一种计入的站点状态"):
        check_target(bad)
    assert RecordError(validate_target(bad)).message("en") == "field 'statuses': choose at least one counted status (usually open)"


# ----------------------------------------------------------------------- store


@pytest.fixture()
def store(store) -> TargetStore:
    """The targets of conftest's new Nanhai ``store``."""
    return TargetStore(store)


def test_new_nanhai_database_has_the_public_palace_target_and_a_service_centre_example(store) -> None:
    palace, centre = store.list_targets()
    assert (palace.site_type, palace.scope, palace.measure, palace.threshold) == (
        "cultural_palace", "each_town", "site_count", 1.0)
    assert palace.statuses == ("open",)
    assert palace.deadline == datetime.date(2025, 12, 31)
    assert "工人文化宫" in palace.name
    assert (centre.site_type, centre.scope, centre.threshold) == ("service_centre", "each_town", 1.0)
    assert [e.action for e in store.history(palace.id)] == ["create"]
    assert store.history(palace.id)[0].after["deadline"] == "2025-12-31"
    assert store.database.schema_version("targets") == 4


def test_seed_runs_once_per_database(tmp_path) -> None:
    path = tmp_path / "sites.db"
    first = TargetStore(SiteStore(path))
    first.delete(2, actor="staff")
    again = TargetStore(SiteStore(path))
    assert [t.id for t in again.list_targets()] == [1]


def test_a_database_of_another_region_starts_without_targets(tmp_path) -> None:
    boundaries = tmp_path / "towns.geojson"
    boundaries.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"code": "1", "name": "甲镇"}, "geometry": {"type": "Polygon", "coordinates": '
        '[[[113.0, 23.0], [113.1, 23.0], [113.1, 23.1], [113.0, 23.1], [113.0, 23.0]]]}}]}',
        encoding="utf-8")
    store = TargetStore(SiteStore(tmp_path / "other.db", region=RegionSpec.file(boundaries, crs="wgs84")))
    assert store.list_targets() == []
    added = store.add(_valid(scope="towns", towns="1"), actor="planner")
    assert added.towns == ("1",)
    with pytest.raises(RecordError, match=f"镇街代码“{GUICHENG}”不在本区域的镇街中"):
        store.add(_valid(scope="towns", towns=GUICHENG), actor="planner")


def test_add_update_delete_are_audited(store) -> None:
    added = store.add(_valid(name="书屋", site_type="book_room", scope="region", threshold="30"), actor="ann")
    assert added.id == 3 and added.created_by == "ann"
    changed = store.update(added.id, {"threshold": 40, "deadline": "2026-06-30"}, actor="bob")
    assert (changed.threshold, changed.deadline, changed.created_by, changed.updated_by) == (
        40.0, datetime.date(2026, 6, 30), "ann", "bob")
    assert store.get_target(added.id) == changed
    assert store.update(added.id, {"threshold": "40"}, actor="carl") == changed  # no change, no entry
    store.delete(added.id, actor="dora")
    history = store.history(added.id)
    assert [(e.action, e.actor) for e in history] == [("create", "ann"), ("update", "bob"), ("delete", "dora")]
    assert history[1].changes()["threshold"] == (30.0, 40.0)
    assert history[1].changes()["deadline"] == ("2025-12-31", "2026-06-30")
    with pytest.raises(NotFound, match="没有编号为 3 的目标"):
        store.get_target(added.id)


def test_update_rejects_bad_values_and_unknown_fields_and_writes_nothing(store) -> None:
    with pytest.raises(RecordError, match="站点数 0 无效"):
        store.update(1, {"threshold": 0}, actor="x")
    with pytest.raises(RecordError, match="目标没有字段“colour”"):
        store.update(1, {"colour": "red"}, actor="x")
    with pytest.raises(NotFound, match="没有编号为 99 的目标"):
        store.update(99, {"threshold": 2}, actor="x")
    with pytest.raises(NotFound, match="没有编号为 99 的目标"):
        store.history(99)
    assert store.get_target(1).threshold == 1.0
    assert len(store.history(1)) == 1


def test_the_database_refuses_an_unknown_scope_even_past_validation(store) -> None:
    conn = sql_connect(store.sites.path)
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.CheckViolation),
                       match="CHECK constraint failed|violates check constraint"):
        conn.execute("UPDATE targets SET scope = 'galaxy' WHERE id = 1")
    conn.close()


# ------------------------------------------------------------------------- CLI


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_cli_edits_targets_with_an_audit_trail(tmp_path) -> None:
    db = str(tmp_path / "cli.db")
    assert _cli(["target-list", "--db", db])[0] == 2  # a read makes no database (issue 10, finding 8)
    assert not Path(db).exists()
    from cli.sites import main as sites_main

    with redirect_stderr(io.StringIO()):
        assert sites_main(["init", "--db", db]) == 0
    code, out, _ = _cli(["target-list", "--db", db])
    assert code == 0 and [t["site_type"] for t in json.loads(out)] == ["cultural_palace", "service_centre"]
    code, out, _ = _cli(["target-update", "2", "--threshold", "3", "--deadline", "2026-12-31", "--user", "张三",
                         "--db", db])
    assert code == 0 and json.loads(out)["threshold"] == 3.0
    code, out, _ = _cli(["target-add", "--name", "全区书屋", "--type", "book_room", "--scope", "region",
                         "--measure", "site_count", "--threshold", "30", "--deadline", "2026-06-30", "--db", db])
    assert code == 0 and json.loads(out)["id"] == 3
    code, _, err = _cli(["target-add", "--name", "x", "--type", "book_room", "--scope", "region",
                         "--measure", "area_share", "--threshold", "150", "--deadline", "2026-06-30", "--db", db])
    assert code == 2 and "覆盖率 150 无效" in err and "覆盖率目标须给出服务半径" in err
    assert _cli(["target-delete", "3", "--user", "李四", "--db", db])[0] == 0
    code, out, _ = _cli(["target-history", "2", "--db", db])
    history = json.loads(out)
    assert [(e["action"], e["actor"]) for e in history] == [("create", "system"), ("update", "张三")]
    assert history[1]["changes"]["threshold"] == [1.0, 3.0]
    code, out, _ = _cli(["target-history", "3", "--db", db])
    assert [e["action"] for e in json.loads(out)] == ["create", "delete"]
    code, _, err = _cli(["target-delete", "3", "--db", db])
    assert code == 2 and "没有编号为 3 的目标" in err
